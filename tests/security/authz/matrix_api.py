"""The matrix of the API, part 1: the root, tokens, schema and docs; calls; applications with their
nested team, budget, exclusions and attachments; decisions, letters and awards; the portfolio.

Anonymous requests are refused with 403 (session authentication comes first, so no 401), except where
the API reads openly (calls, the open data, the schema). Objects the caller may not see answer 404.
"""

from tests.security.authz.matrix_core import endpoint as api
from tests.security.authz.matrix_core import grid
from tests.security.authz.roles import (
    ANOTHER_APPLICANT,
    ASSIGNED,
    CHAIR,
    CHAIR_STAFF,
    COMMITTEE_STAFF,
    MEMBER,
    OWNER,
    OWNER_TEAM,
    READS_SUBMITTED,
    REVIEWERS,
    STAFF,
)

OPEN = grid(200)
SIGNED_IN = grid(200, anonymous=403)
STAFF_ONLY = grid(403, ({STAFF}, 200))
READ_SUBMITTED = grid(404, (READS_SUBMITTED, 200), anonymous=403)
# Writing on the submitted application: frozen for the owner (409); readers who may not edit: 403.
FROZEN = grid(404, (READS_SUBMITTED, 403), ({OWNER}, 409), anonymous=403)
APPLICANT_SIDE = grid(404, ({ASSIGNED}, 403), (OWNER_TEAM | {STAFF}, 200), anonymous=403)


def sub(w):
    return {"pk": w.submitted.pk}


def review_call(w):
    return {"call_pk": w.review_call.pk}


def decided_call(w):
    return {"call_pk": w.decided_call.pk}


def decides(ok) -> dict:
    """A decision on the call under review: the chair and staff; its member and invited reviewers know
    the call (403); applicants do not (404)."""
    return grid(404, (REVIEWERS | {MEMBER}, 403), (CHAIR_STAFF, ok), anonymous=403)


def letters(ok) -> dict:
    """The decided call's letter batches: the chair and staff; the member 403; no reviewer is invited."""
    return grid(404, ({MEMBER}, 403), (CHAIR_STAFF, ok), anonymous=403)


BUDGET_LINE = {"category": "travel", "year": 1, "amount": "100.00", "justification": "A conference."}
TEAM_MEMBER = {
    "name": "Nia New",
    "email": "nia@authz.example",
    "institution_name": "Lab",
    "role": "collaborator",
}

API = {
    "api-root": api(get=OPEN),
    "api-token": api(
        post=grid(400), data={"post": lambda w: {"username": "nobody@x.example", "password": "x"}}
    ),
    "api-schema": api(get=OPEN),
    "api-docs": api(get=OPEN),
    # Calls: anyone reads the open ones; the call under review: its committee and staff.
    "call-list": api(
        get=OPEN,
        post=grid(403, ({STAFF}, 201)),
        data={
            "post": lambda w: {
                "slug": "authz-new-call",
                "title": "A new call",
                "program": w.review_call.program.code,
                "timezone": "Europe/London",
                "opens_at": "2031-01-01T09:00:00Z",
                "closes_at": "2031-03-01T09:00:00Z",
                "budget": "100000.00",
                "currency": "EUR",
                "max_request": "20000.00",
            }
        },
    ),
    "call-detail": api(
        lambda w: {"pk": w.review_call.pk},
        get=grid(404, (COMMITTEE_STAFF, 200)),
        put=grid(403, ({STAFF}, 400)),  # a PUT needs every field
        patch=grid(403, ({STAFF}, 200)),
        data={"patch": lambda w: {"summary": "Changed."}, "put": lambda w: {"summary": "Changed."}},
    ),
    "call-transition": api(
        lambda w: {"pk": w.review_call.pk},
        # To "decided": the chair may, but a decision is pending (409); the member may not.
        post=grid(404, ({MEMBER}, 403), (CHAIR_STAFF, 409), anonymous=403),
        data={"post": lambda w: {"to": "decided"}},
    ),
    # Applications.
    "application-list": api(
        get=SIGNED_IN,
        # One application per PI: the owner and the other applicant have theirs in the open call.
        post=grid(201, ({OWNER, ANOTHER_APPLICANT}, 403), anonymous=403),
        data={"post": lambda w: {"call": w.open_call.slug}},
    ),
    "application-export": api(get=STAFF_ONLY),
    "application-detail": api(
        sub,
        get=READ_SUBMITTED,
        put=FROZEN,
        patch=FROZEN,
        data={"put": lambda w: {"call": w.review_call.slug, "title": "x"}, "patch": lambda w: {"title": "x"}},
    ),
    "application-validation": api(sub, get=READ_SUBMITTED),
    "application-submit": api(sub, post=grid(404, (READS_SUBMITTED, 403), ({OWNER}, 200), anonymous=403)),
    "application-withdraw": api(
        sub,
        post=grid(404, (READS_SUBMITTED, 403), ({OWNER}, 200), anonymous=403),
        data={"post": lambda w: {"reason": "Funded elsewhere."}},
    ),
    "application-team": api(
        sub,
        get=APPLICANT_SIDE,
        post=FROZEN,
        data={"post": lambda w: TEAM_MEMBER},
    ),
    "application-team-member": api(
        lambda w: {"pk": w.submitted.pk, "member_id": w.team_member.pk},
        get=APPLICANT_SIDE,
        patch=FROZEN,
        delete=FROZEN,
        data={"patch": lambda w: {"name": "Renamed"}},
    ),
    "application-invite": api(
        lambda w: {"pk": w.submitted.pk, "member_id": w.team_member.pk},
        post=grid(404, (READS_SUBMITTED, 403), ({OWNER}, 200), anonymous=403),
    ),
    "application-budget": api(sub, get=READ_SUBMITTED, post=FROZEN, data={"post": lambda w: BUDGET_LINE}),
    "application-budget-line": api(
        lambda w: {"pk": w.submitted.pk, "line_id": w.budget_line.pk},
        get=READ_SUBMITTED,
        patch=FROZEN,
        delete=FROZEN,
        data={"patch": lambda w: {"amount": "50.00"}},
    ),
    "application-exclusions": api(
        sub,
        get=APPLICANT_SIDE,
        post=FROZEN,
        data={"post": lambda w: {"name": "A rival", "reason": "Competing."}},
    ),
    "application-exclusion": api(
        lambda w: {"pk": w.submitted.pk, "exclusion_id": w.exclusion.pk},
        get=APPLICANT_SIDE,
        patch=FROZEN,
        delete=FROZEN,
        data={"patch": lambda w: {"reason": "Changed."}},
    ),
    "application-attachments": api(
        sub,
        get=READ_SUBMITTED,
        post=FROZEN,
        data={"post": lambda w: {"kind": "cv", "file": w.upload()}},
        multipart=True,
    ),
    "application-attachment": api(
        lambda w: {"pk": w.submitted.pk, "attachment_id": w.attachment.pk}, delete=FROZEN
    ),
    "application-download": api(
        lambda w: {"pk": w.submitted.pk, "attachment_id": w.attachment.pk}, get=READ_SUBMITTED
    ),
    # Decisions (the call under review, a fund decision pending on the submitted application).
    "call-funding": api(review_call, get=grid(404, (REVIEWERS, 403), (COMMITTEE_STAFF, 200), anonymous=403)),
    "call-decision": api(
        lambda w: {"call_pk": w.review_call.pk, "application_pk": w.submitted.pk},
        put=decides(200),
        delete=decides(204),
        data={"put": lambda w: {"outcome": "decline"}},
    ),
    "call-decisions-fund-top": api(review_call, post=decides(200), data={"post": lambda w: {"count": 1}}),
    "call-decisions-fund-to-budget": api(review_call, post=decides(200)),
    "call-decisions-decide-rest": api(
        review_call, post=decides(200), data={"post": lambda w: {"outcome": "decline"}}
    ),
    "call-decisions-apply": api(review_call, post=decides(201)),
    # Letters (the decided call).
    "call-letter-batches": api(decided_call, get=letters(200)),
    "letter-batch": api(lambda w: {"batch_pk": w.batch.pk}, get=letters(200)),
    "letter-batch-retry": api(lambda w: {"batch_pk": w.batch.pk}, post=letters(200)),
    "letter": api(
        lambda w: {"letter_pk": w.letter.pk}, get=grid(404, ({OWNER, CHAIR, STAFF}, 200), anonymous=403)
    ),
    "letter-download": api(
        lambda w: {"letter_pk": w.letter.pk}, get=grid(404, ({OWNER, CHAIR, STAFF}, 200), anonymous=403)
    ),
    # Awards: the awardee, the call's committee and staff see it; only the awardee answers.
    "award-list": api(get=SIGNED_IN),
    "award-detail": api(
        lambda w: {"pk": w.award.pk}, get=grid(404, ({OWNER, MEMBER, CHAIR, STAFF}, 200), anonymous=403)
    ),
    "award-accept": api(
        lambda w: {"pk": w.award.pk},
        post=grid(404, ({MEMBER, CHAIR, STAFF}, 403), ({OWNER}, 200), anonymous=403),
    ),
    "award-decline": api(
        lambda w: {"pk": w.award.pk},
        post=grid(404, ({MEMBER, CHAIR, STAFF}, 403), ({OWNER}, 200), anonymous=403),
        data={"post": lambda w: {"note": "Funded elsewhere."}},
    ),
    # The portfolio and the open data.
    "api-portfolio": api(get=grid(403, (COMMITTEE_STAFF, 200))),
    "api-360giving": api(get=OPEN),
}
