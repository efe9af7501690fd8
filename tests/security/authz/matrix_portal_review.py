"""The matrix of the portal's pages, part 2: reviewing, the chair's review pages (pool, conflicts,
assignment, meeting, ranking), research priorities and the portfolio.

The call under review's pages answer 404 to whoever does not know the call (the applicants) and 403 to
whoever knows it but may not act (``KNOWS_REVIEW_CALL``: its committee, staff, its invited reviewers).
"""

from tests.security.authz.matrix_core import LOGIN, grid, page, refused
from tests.security.authz.matrix_portal import POST_ONLY, PUBLIC, SIGNED_IN_PAGE, STAFF_PAGE
from tests.security.authz.roles import (
    ASSIGNED,
    CHAIR_STAFF,
    COMMITTEE,
    COMMITTEE_STAFF,
    CONFLICTED,
    KNOWS_REVIEW_CALL,
    OWNER,
    REVIEWERS,
    STAFF,
    UNASSIGNED,
)

BIDDERS = {ASSIGNED, UNASSIGNED}  # the conflicted reviewer never sees the application: 404


def known(ok, who, *, hidden=()) -> dict:
    """A page of the call under review: ``who`` gets ``ok``, the rest of those who know the call 403
    (``hidden``: 404, the object is hidden from them)."""
    return grid(404, (KNOWS_REVIEW_CALL, 403), (who, ok), (hidden, 404), anonymous=LOGIN)


def review_call(w):
    return {"slug": w.review_call.slug}


def run(w):
    return {"pk": w.run.pk}


def proposed(w):
    return {"pk": w.run.pk, "assignment_pk": w.proposed.pk}


def item(w):
    return {"slug": w.review_call.slug, "pk": w.item.pk}


def assignment(w):
    return {"assignment_id": w.assignment.pk}


def bid_target(w):
    return {"slug": w.review_call.slug, "pk": w.submitted.pk}


def question(w):
    return {"pk": w.question.pk}


OWN_ASSIGNMENT = grid(404, ({ASSIGNED}, 302), anonymous=LOGIN)

REVIEW = {
    # The reviewer's side.
    "reviews:home": page(get=SIGNED_IN_PAGE),
    "reviews:profile": page(
        get=SIGNED_IN_PAGE,
        post=grid(302, anonymous=LOGIN),  # everyone may keep a reviewer profile of their own
        data={
            "post": lambda w: {
                "kind": "scientific",
                "expertise": "Imaging.",
                "keywords": "",
                "default_load": "5",
                "collaborators": "",
            }
        },
    ),
    "reviews:invitation_accept": page(
        lambda w: {"pk": w.pending_invitation.pk},
        get=POST_ONLY,
        post=grid(404, ({UNASSIGNED}, 302), anonymous=LOGIN),
        data={"post": lambda w: {f"inv{w.pending_invitation.pk}-load_limit": ""}},
    ),
    "reviews:invitation_decline": page(
        lambda w: {"pk": w.pending_invitation.pk},
        get=grid(404, ({UNASSIGNED}, 200), anonymous=LOGIN),
        post=grid(404, ({UNASSIGNED}, 302), anonymous=LOGIN),
        data={"post": lambda w: {"reason": "No time this year."}},
    ),
    "reviews:bids": page(review_call, get=known(200, REVIEWERS)),
    "reviews:bid_save": page(
        bid_target,
        get=POST_ONLY,
        post=known(302, BIDDERS, hidden={CONFLICTED}),
        data={"post": lambda w: {f"bid{w.submitted.pk}-value": "eager"}},
    ),
    "reviews:conflict_declare": page(
        bid_target,
        get=POST_ONLY,
        post=known(302, BIDDERS, hidden={CONFLICTED}),
        data={
            "post": lambda w: {
                f"coi{w.submitted.pk}-kind": "other",
                f"coi{w.submitted.pk}-reason": "A friend.",
            }
        },
    ),
    "reviews:my_assignments": page(get=SIGNED_IN_PAGE),
    "reviews:my_conflicts": page(get=SIGNED_IN_PAGE),
    # The workspace: only the assigned reviewer, whoever else asks (staff too) gets 404.
    "reviews:workspace": page(
        assignment,
        get=grid(404, ({ASSIGNED}, 200), anonymous=LOGIN),
        post=OWN_ASSIGNMENT,
        data={
            "post": lambda w: {"action": "save", "version": str(w.draft_review.version), "strengths": "More."}
        },
    ),
    "reviews:workspace_autosave": page(
        assignment,
        get=POST_ONLY,
        post=OWN_ASSIGNMENT,
        data={"post": lambda w: {"version": str(w.draft_review.version), "strengths": "Autosaved."}},
    ),
    "reviews:workspace_decline": page(
        assignment,
        get=POST_ONLY,
        post=OWN_ASSIGNMENT,
        data={"post": lambda w: {"decline-reason": "No time."}},
    ),
    "reviews:workspace_conflict": page(
        assignment,
        get=POST_ONLY,
        post=OWN_ASSIGNMENT,
        data={"post": lambda w: {"coi-kind": "other", "coi-reason": "A friend."}},
    ),
    # Staff's pool and conflicts; the chair's assignment.
    "reviews:manage": page(get=grid(403, (CHAIR_STAFF, 200), anonymous=LOGIN)),
    "reviews:pool": page(review_call, get=known(200, {STAFF})),
    "reviews:pool_invite": page(
        review_call,
        get=POST_ONLY,
        post=known(302, {STAFF}),
        data={"post": lambda w: {"reviewer": w.pool_candidate.pk}},
    ),
    "reviews:conflicts": page(review_call, get=known(200, {STAFF})),
    "reviews:conflicts_detect": page(review_call, get=POST_ONLY, post=known(302, {STAFF})),
    "reviews:conflict_set": page(
        review_call,
        get=POST_ONLY,
        post=known(302, {STAFF}),
        data={
            "post": lambda w: {
                "set-application": w.submitted.pk,
                "set-reviewer": w.user(UNASSIGNED).pk,
                "set-kind": "other",
                "set-reason": "Same lab.",
            }
        },
    ),
    "reviews:conflict_lift": page(
        lambda w: {"slug": w.review_call.slug, "pk": w.conflict.pk},
        get=POST_ONLY,
        post=known(302, {STAFF}),
        data={"post": lambda w: {f"lift{w.conflict.pk}-reason": "Resolved."}},
    ),
    "reviews:assignment": page(review_call, get=known(200, CHAIR_STAFF)),
    "reviews:run_start": page(review_call, get=POST_ONLY, post=known(302, CHAIR_STAFF)),
    "reviews:run": page(run, get=known(200, CHAIR_STAFF)),
    "reviews:run_progress": page(run, get=known(200, CHAIR_STAFF)),
    "reviews:run_add": page(
        run,
        get=POST_ONLY,
        post=known(302, CHAIR_STAFF),
        data={"post": lambda w: {"application": w.second.pk, "reviewer": w.other_reviewer.pk}},
    ),
    "reviews:run_publish": page(
        run,
        get=POST_ONLY,
        post=known(409, CHAIR_STAFF),  # the proposal leaves applications short of reviewers
        data={"post": lambda w: {"due_at": "2031-01-01T10:00"}},
    ),
    "reviews:run_remove": page(proposed, get=POST_ONLY, post=known(302, CHAIR_STAFF)),
    "reviews:run_swap": page(
        proposed,
        get=POST_ONLY,
        post=known(302, CHAIR_STAFF),
        data={"post": lambda w: {f"swap{w.proposed.pk}-reviewer": w.other_reviewer.pk}},
    ),
    "reviews:run_pin": page(
        proposed, get=POST_ONLY, post=known(302, CHAIR_STAFF), data={"post": lambda w: {"pinned": "1"}}
    ),
    # The panel meeting (in progress, its current item the submitted application).
    "reviews:meeting": page(review_call, get=known(200, COMMITTEE_STAFF)),
    "reviews:meeting_current": page(review_call, get=known(200, COMMITTEE_STAFF)),
    "reviews:meeting_tally": page(review_call, get=known(200, CHAIR_STAFF)),
    "reviews:meeting_open": page(review_call, get=POST_ONLY, post=known(409, CHAIR_STAFF)),  # open already
    "reviews:meeting_close": page(review_call, get=POST_ONLY, post=known(409, CHAIR_STAFF)),  # item open
    "reviews:meeting_item_current": page(item, get=POST_ONLY, post=known(302, CHAIR_STAFF)),
    "reviews:meeting_item_score": page(
        item, get=POST_ONLY, post=known(302, COMMITTEE), data={"post": lambda w: {"score": "2"}}
    ),
    "reviews:meeting_item_notes": page(
        item, get=POST_ONLY, post=known(302, CHAIR_STAFF), data={"post": lambda w: {"notes": "Discussed."}}
    ),
    "reviews:meeting_item_close": page(item, get=POST_ONLY, post=known(409, CHAIR_STAFF)),  # no score yet
    # The ranking and triage.
    "reviews:ranking": page(review_call, get=known(200, COMMITTEE_STAFF)),
    "reviews:ranking_csv": page(review_call, get=known(200, COMMITTEE_STAFF)),
    "reviews:ranking_xlsx": page(review_call, get=known(200, COMMITTEE_STAFF)),
    "reviews:triage_line": page(
        review_call,
        get=POST_ONLY,
        post=known(302, CHAIR_STAFF),
        data={"post": lambda w: {"discuss_count": "1"}},
    ),
    "reviews:triage_override": page(
        lambda w: {"slug": w.review_call.slug, "pk": w.submitted.pk},
        get=POST_ONLY,
        post=known(302, CHAIR_STAFF),
        data={"post": lambda w: {"action": "discuss", "reason": "Worth it."}},
    ),
    "reviews:reviewer_scores": page(
        lambda w: {"slug": w.review_call.slug, "user_id": w.other_reviewer.pk}, get=known(200, CHAIR_STAFF)
    ),
    # Research priorities: the owner is a community member; staff moderate.
    "priorities:index": page(get=PUBLIC),
    "priorities:join": page(
        get=PUBLIC,
        post=grid(302),  # a visitor signs up; a signed-in user keeps a community profile
        data={
            "post": lambda w: {
                "kind": "carer",
                "public_name": "",
                "full_name": "New Member",
                "email": "new-member@authz.example",
                "password1": "A-long-enough-passw0rd!",
                "password2": "A-long-enough-passw0rd!",
            }
        },
    ),
    "priorities:mine": page(get=SIGNED_IN_PAGE),
    "priorities:round": page(lambda w: {"slug": w.voting_round.slug}, get=PUBLIC),
    "priorities:propose": page(
        lambda w: {"slug": w.gathering_round.slug},
        get=SIGNED_IN_PAGE,
        post=grid(403, ({OWNER}, 302), anonymous=LOGIN),
        data={
            "post": lambda w: {
                "title": "Can exercise slow progression?",
                "description": "Why it matters.",
                "focus_area": w.focus_area.pk,
            }
        },
    ),
    "priorities:round_transition": page(
        lambda w: {"slug": w.gathering_round.slug},
        get=grid(403, ({STAFF}, 405), anonymous=LOGIN),
        post=grid(403, ({STAFF}, 302), anonymous=LOGIN),
        data={"post": lambda w: {"to": "voting", "reason": "Enough questions."}},
    ),
    "priorities:top_ten_record": page(
        lambda w: {"slug": w.voting_round.slug},
        get=STAFF_PAGE,
        post=grid(403, ({STAFF}, 400), anonymous=LOGIN),  # an empty form: the form again
    ),
    "priorities:question": page(question, get=PUBLIC),
    "priorities:draft_edit": page(
        lambda w: {"pk": w.draft_question.pk},
        get=grid(404, ({OWNER}, 200), anonymous=LOGIN),
        post=grid(404, ({OWNER}, 302), anonymous=LOGIN),
        data={
            "post": lambda w: {
                "title": "A better question?",
                "description": "",
                "focus_area": w.focus_area.pk,
            }
        },
    ),
    "priorities:draft_delete": page(
        lambda w: {"pk": w.draft_question.pk}, get=POST_ONLY, post=grid(404, ({OWNER}, 302), anonymous=LOGIN)
    ),
    "priorities:vote": page(
        question,
        get=POST_ONLY,
        # Only community members vote; the others are sent back with the reason.
        post=grid(refused(302), ({OWNER}, 302), anonymous=LOGIN),
        data={"post": lambda w: {"votes": "1"}},
    ),
    "priorities:comment_add": page(
        question,
        get=POST_ONLY,
        post=grid(403, ({OWNER, STAFF}, 302), anonymous=LOGIN),
        data={"post": lambda w: {"body": "I agree."}},
    ),
    "priorities:moderation": page(get=STAFF_PAGE),
    "priorities:moderate_question": page(
        question,
        get=STAFF_PAGE,
        post=grid(403, ({STAFF}, 302), anonymous=LOGIN),
        data={"post": lambda w: {"action": "calls"}},
    ),
    "priorities:comment_hide": page(
        lambda w: {"pk": w.visible_comment.pk},
        get=grid(403, ({STAFF}, 405), anonymous=LOGIN),
        post=grid(403, ({STAFF}, 302), anonymous=LOGIN),
        data={"post": lambda w: {f"hide-comment-{w.visible_comment.pk}-reason": "Off topic."}},
    ),
    # The portfolio: staff and anyone on a committee; the rest is staff's; the public page is public.
    "portfolio:portfolio": page(get=grid(403, (COMMITTEE_STAFF, 200), anonymous=LOGIN)),
    "portfolio:analytics": page(get=STAFF_PAGE),
    "portfolio:exports": page(get=STAFF_PAGE),
    "portfolio:register_export": page(
        lambda w: {"slug": w.decided_call.slug, "register": "decisions", "fmt": "csv"}, get=STAFF_PAGE
    ),
    "portfolio:projects": page(get=STAFF_PAGE),
    "portfolio:project_publish": page(
        lambda w: {"pk": w.award.pk}, get=POST_ONLY, post=grid(403, ({STAFF}, 302), anonymous=LOGIN)
    ),
    "portfolio:project_unpublish": page(
        lambda w: {"pk": w.public_award.pk}, get=POST_ONLY, post=grid(403, ({STAFF}, 302), anonymous=LOGIN)
    ),
    "portfolio:funded_projects": page(get=PUBLIC),
    "portfolio:open_data_csv": page(get=PUBLIC),
}
