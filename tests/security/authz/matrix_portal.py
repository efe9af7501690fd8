"""The matrix of the portal's pages, part 1: the start page, accounts, applications, decisions and
awards, the audit export. Part 2 (review, priorities, portfolio) is ``matrix_portal_review``.

Read as: who gets what. ``LOGIN``: anonymous users are sent to sign in. Pages of an object the role
may not see answer 404 (its existence is not told); what the role sees but may not do answers 403.
"""

from tests.security.authz.matrix_core import LOGIN, grid, page, refused
from tests.security.authz.roles import (
    ANOTHER_APPLICANT,
    CHAIR,
    CHAIR_STAFF,
    CO_INVESTIGATOR,
    COMMITTEE_STAFF,
    MEMBER,
    OWNER,
    READS_SUBMITTED,
    STAFF,
)

SIGNED_IN_PAGE = grid(200, anonymous=LOGIN)
PUBLIC = grid(200)
POST_ONLY = grid(405, anonymous=LOGIN)  # GET on a page that only takes POST (sign-in checked first)
STAFF_PAGE = grid(403, ({STAFF}, 200), anonymous=LOGIN)
# The owner's draft: the PI edits; the co-investigator and staff read it (403 to change); others 404.
EDIT_DRAFT = grid(404, ({CO_INVESTIGATOR, STAFF}, 403), ({OWNER}, 302), anonymous=LOGIN)
# The decided call's decisions and letters: the chair and staff; the member reads the call (403).
DECIDES = grid(404, ({MEMBER}, 403), (CHAIR_STAFF, 302), anonymous=LOGIN)
PASSWORD = "A-long-enough-passw0rd!"


def sub(w):
    return {"pk": w.submitted.pk}


def draft(w):
    return {"pk": w.draft.pk}


def review_call(w):
    return {"slug": w.review_call.slug}


def decided_call(w):
    return {"slug": w.decided_call.slug}


def two_factor(ok) -> dict:
    """Pages of two-factor authentication: offered to staff and chairs only."""
    return grid(403, (CHAIR_STAFF, ok), anonymous=LOGIN)


def decides(ok) -> dict:
    return grid(404, ({MEMBER}, 403), (CHAIR_STAFF, ok), anonymous=LOGIN)


PORTAL = {
    "home": page(get=PUBLIC),
    "healthz": page(get=PUBLIC),
    # Accounts.
    "accounts:login": page(
        get=grid(302, anonymous=200),
        post=grid(302, anonymous=200),  # signed in: sent on; a wrong password: the form again
        data={"post": lambda w: {"username": "nobody@authz.example", "password": "wrong"}},
    ),
    "accounts:logout": page(get=grid(405), post=grid(302)),
    "accounts:register": page(
        get=grid(302, anonymous=200),
        post=grid(302),
        data={
            "post": lambda w: {
                "full_name": "New Person",
                "email": "new-person@authz.example",
                "orcid": "",
                "password1": PASSWORD,
                "password2": PASSWORD,
                "new_institution_name": "New Institute",
                "new_institution_country": "GB",
            }
        },
    ),
    "accounts:account": page(
        get=SIGNED_IN_PAGE,
        post=grid(302, anonymous=LOGIN),
        data={"post": lambda w: {"full_name": "Renamed", "orcid": "", "institution": w.owner_institution.pk}},
    ),
    "accounts:password_change": page(
        get=SIGNED_IN_PAGE,
        post=SIGNED_IN_PAGE,  # the old password is wrong: the form again
        data={
            "post": lambda w: {"old_password": "wrong", "new_password1": PASSWORD, "new_password2": PASSWORD}
        },
    ),
    "accounts:password_change_done": page(get=SIGNED_IN_PAGE),
    "accounts:password_reset": page(
        get=PUBLIC, post=grid(302), data={"post": lambda w: {"email": "owner@authz.example"}}
    ),
    "accounts:password_reset_done": page(get=PUBLIC),
    "accounts:password_reset_confirm": page(
        lambda w: {"uidb64": w.reset_uid, "token": w.reset_token},
        get=grid(302),  # a valid link: on to the form under the session's token
    ),
    "accounts:password_reset_complete": page(get=PUBLIC),
    # Two-factor authentication (accounts.two_factor_views): staff and chairs; no role has a device in
    # this world, so the code step sends everyone on (signed in: home; visitors: to the password step).
    "accounts:login_verify": page(
        get=grid(302, anonymous=LOGIN),
        post=grid(302, anonymous=LOGIN),
        data={"post": lambda w: {"code": "123456"}},
    ),
    "accounts:two_factor": page(get=two_factor(200)),
    "accounts:two_factor_start": page(get=two_factor(405), post=two_factor(302)),  # to the QR code page
    "accounts:two_factor_setup": page(  # nothing being set up: back to the two-factor page
        get=two_factor(302), post=two_factor(302), data={"post": lambda w: {"code": "123456"}}
    ),
    "accounts:two_factor_qr": page(get=two_factor(404)),  # nothing being set up
    "accounts:two_factor_backup_codes": page(get=two_factor(405), post=two_factor(302)),  # 2FA is off
    "accounts:two_factor_disable": page(
        get=two_factor(302), post=two_factor(302), data={"post": lambda w: {"password": "x", "code": "1"}}
    ),
    # A personal API token, shown once (every signed-in user may make their own).
    "accounts:api_token": page(
        get=POST_ONLY, post=grid(200, anonymous=LOGIN), data={"post": lambda w: {"action": "create"}}
    ),
    "audit:export": page(get=STAFF_PAGE),
    # Calls and applications.
    "applications:call_list": page(get=PUBLIC),
    "applications:call_detail": page(review_call, get=grid(404, (COMMITTEE_STAFF, 200))),
    "applications:application_start": page(
        lambda w: {"slug": w.open_call.slug},
        get=POST_ONLY,
        # The owner and the other applicant have their one application to the call already.
        post=grid(302, ({OWNER, ANOTHER_APPLICANT}, refused(302)), anonymous=LOGIN),
    ),
    "applications:my_applications": page(get=SIGNED_IN_PAGE),
    "applications:application_detail": page(sub, get=grid(404, (READS_SUBMITTED, 200), anonymous=LOGIN)),
    "applications:application_edit": page(
        draft, get=grid(404, ({CO_INVESTIGATOR, STAFF}, 403), ({OWNER}, 200), anonymous=LOGIN)
    ),
    "applications:section_save": page(
        lambda w: {"pk": w.draft.pk, "section": "budget"},
        get=POST_ONLY,
        post=EDIT_DRAFT,
        data={
            "post": lambda w: {
                "budget-category": "personnel",
                "budget-year": "1",
                "budget-amount": "500.00",
                "budget-justification": "A technician.",
            }
        },
    ),
    "applications:item_remove": page(
        lambda w: {"pk": w.draft.pk, "section": "budget", "item_id": w.draft_budget_line.pk},
        get=POST_ONLY,
        post=EDIT_DRAFT,
    ),
    "applications:team_invite": page(
        lambda w: {"pk": w.draft.pk, "member_id": w.invited.pk}, get=POST_ONLY, post=EDIT_DRAFT
    ),
    "applications:application_submit": page(draft, get=POST_ONLY, post=EDIT_DRAFT),
    "applications:application_withdraw": page(
        sub,
        get=grid(404, (READS_SUBMITTED, 403), ({OWNER}, 200), anonymous=LOGIN),
        post=grid(404, (READS_SUBMITTED, 403), ({OWNER}, 302), anonymous=LOGIN),
        data={"post": lambda w: {"reason": "Funded elsewhere."}},
    ),
    "applications:application_pdf": page(sub, get=grid(404, (READS_SUBMITTED, 200), anonymous=LOGIN)),
    "applications:attachment_download": page(
        lambda w: {"pk": w.submitted.pk, "attachment_id": w.attachment.pk},
        get=grid(404, (READS_SUBMITTED, 200), anonymous=LOGIN),
    ),
    "applications:accept_invitation": page(
        # The link is the credential: whoever holds it may accept (not the PI, who is told why).
        lambda w: {"token": w.invited.invite_token},
        get=SIGNED_IN_PAGE,
        post=grid(302, ({OWNER}, refused(200)), anonymous=LOGIN),
        note="capability URL",
    ),
    # The chair's decisions (the call under review) and letters (the decided call).
    "awards:funding": page(review_call, get=grid(404, (COMMITTEE_STAFF, 200), anonymous=LOGIN)),
    "awards:funding_fund_top": page(
        review_call, get=POST_ONLY, post=decides(302), data={"post": lambda w: {"count": "1"}}
    ),
    "awards:funding_fund_down": page(review_call, get=POST_ONLY, post=decides(302)),
    "awards:funding_decide_rest": page(
        review_call, get=POST_ONLY, post=decides(302), data={"post": lambda w: {"outcome": "decline"}}
    ),
    "awards:funding_apply": page(review_call, get=decides(200), post=decides(302)),
    "awards:funding_row": page(
        lambda w: {"slug": w.review_call.slug, "pk": w.submitted.pk},
        get=grid(404, (COMMITTEE_STAFF, 302), anonymous=LOGIN),  # without htmx: the page at the row
    ),
    "awards:funding_decide": page(
        lambda w: {"slug": w.review_call.slug, "pk": w.submitted.pk},
        get=POST_ONLY,
        post=decides(302),
        data={"post": lambda w: {f"d{w.submitted.pk}-outcome": "decline"}},
    ),
    "awards:funding_clear": page(
        lambda w: {"slug": w.review_call.slug, "pk": w.submitted.pk}, get=POST_ONLY, post=decides(302)
    ),
    "awards:letters": page(decided_call, get=decides(200)),
    "awards:letters_regenerate": page(decided_call, get=POST_ONLY, post=DECIDES),
    "awards:batch": page(lambda w: {"pk": w.batch.pk}, get=decides(200)),
    "awards:batch_progress": page(lambda w: {"pk": w.batch.pk}, get=decides(200)),
    "awards:batch_retry": page(lambda w: {"pk": w.batch.pk}, get=POST_ONLY, post=DECIDES),
    # The awardee's pages and the staff register.
    "awards:my_awards": page(get=SIGNED_IN_PAGE),
    "awards:register": page(get=STAFF_PAGE),
    "awards:register_csv": page(get=STAFF_PAGE),
    "awards:letter_download": page(
        lambda w: {"pk": w.letter.pk}, get=grid(404, ({OWNER, CHAIR, STAFF}, 200), anonymous=LOGIN)
    ),
    "awards:award_detail": page(
        lambda w: {"pk": w.award.pk}, get=grid(404, ({OWNER, MEMBER, CHAIR, STAFF}, 200), anonymous=LOGIN)
    ),
    "awards:award_accept": page(
        lambda w: {"pk": w.award.pk},
        get=POST_ONLY,
        post=grid(404, ({MEMBER, CHAIR, STAFF}, 403), ({OWNER}, 302), anonymous=LOGIN),
        data={"post": lambda w: {"confirm": "on"}},
    ),
    "awards:award_decline": page(
        lambda w: {"pk": w.award.pk},
        get=POST_ONLY,
        post=grid(404, ({MEMBER, CHAIR, STAFF}, 403), ({OWNER}, 302), anonymous=LOGIN),
        data={"post": lambda w: {"note": "Funded elsewhere.", "confirm": "on"}},
    ),
}
