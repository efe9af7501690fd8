"""The matrix of the API, part 2: the reviewer pool (profiles, invitations, conflicts, bids),
assignment, review forms and reviews, the panel meeting and the ranking; research priorities."""

from tests.security.authz.matrix_api import OPEN, SIGNED_IN, STAFF_ONLY
from tests.security.authz.matrix_core import endpoint as api
from tests.security.authz.matrix_core import grid
from tests.security.authz.roles import (
    ASSIGNED,
    CHAIR,
    CHAIR_STAFF,
    COMMITTEE,
    COMMITTEE_STAFF,
    CONFLICTED,
    KNOWS_REVIEW_CALL,
    OWNER,
    STAFF,
    UNASSIGNED,
)


def known(ok, who) -> dict:
    """An endpoint of the call under review: ``who`` gets ``ok``; the rest of those who know the call
    (committee, staff, invited reviewers) 403; applicants 404."""
    return grid(404, (KNOWS_REVIEW_CALL, 403), (who, ok), anonymous=403)


def review_call(w):
    return {"call_pk": w.review_call.pk}


def run(w):
    return {"pk": w.run.pk}


def item(w):
    return {"call_pk": w.review_call.pk, "item_pk": w.item.pk}


REVIEWS = {
    # The pool, invitations, conflicts and bids.
    "reviewer-list": api(get=STAFF_ONLY),
    "reviewer-detail": api(lambda w: {"pk": w.user(ASSIGNED).reviewer_profile.pk}, get=STAFF_ONLY),
    "invitation-list": api(
        get=SIGNED_IN,
        post=known(201, {STAFF}),
        data={"post": lambda w: {"call": w.review_call.pk, "reviewer": w.pool_candidate.pk}},
    ),
    "invitation-detail": api(
        lambda w: {"pk": w.pending_invitation.pk}, get=grid(404, ({UNASSIGNED, STAFF}, 200), anonymous=403)
    ),
    "invitation-accept": api(
        lambda w: {"pk": w.pending_invitation.pk},
        post=grid(404, ({STAFF}, 403), ({UNASSIGNED}, 200), anonymous=403),
        data={"post": lambda w: {"load_limit": None}},
    ),
    "invitation-decline": api(
        lambda w: {"pk": w.pending_invitation.pk},
        post=grid(404, ({STAFF}, 403), ({UNASSIGNED}, 200), anonymous=403),
        data={"post": lambda w: {"reason": "No time."}},
    ),
    "conflict-list": api(
        get=SIGNED_IN,
        # For the unassigned reviewer: staff record it, the reviewer declares their own; no one else.
        post=grid(403, ({UNASSIGNED, STAFF}, 201)),
        data={
            "post": lambda w: {
                "application": w.submitted.pk,
                "reviewer": w.user(UNASSIGNED).pk,
                "reason": "Same lab.",
                "kind": "other",
            }
        },
    ),
    "conflict-detail": api(
        lambda w: {"pk": w.conflict.pk}, get=grid(404, ({CONFLICTED, STAFF}, 200), anonymous=403)
    ),
    "conflict-lift": api(
        lambda w: {"pk": w.conflict.pk},
        post=grid(404, ({CONFLICTED}, 403), ({STAFF}, 200), anonymous=403),
        data={"post": lambda w: {"reason": "Resolved."}},
    ),
    "bid-list": api(
        get=SIGNED_IN,
        post=grid(404, ({ASSIGNED, UNASSIGNED}, 200), anonymous=403),
        data={"post": lambda w: {"application": w.submitted.pk, "value": "eager"}},
    ),
    "bid-detail": api(lambda w: {"pk": w.bid.pk}, get=grid(404, ({UNASSIGNED}, 200), anonymous=403)),
    # Assignment.
    "assignment-list": api(get=SIGNED_IN),
    "assignment-detail": api(
        lambda w: {"pk": w.assignment.pk}, get=grid(404, ({ASSIGNED, CHAIR, STAFF}, 200), anonymous=403)
    ),
    "call-assignment-runs": api(review_call, get=known(200, CHAIR_STAFF), post=known(201, CHAIR_STAFF)),
    "assignment-run-detail": api(run, get=known(200, CHAIR_STAFF)),
    "assignment-run-add": api(
        run,
        post=known(201, CHAIR_STAFF),
        data={"post": lambda w: {"application": w.second.pk, "reviewer": w.other_reviewer.pk}},
    ),
    "assignment-run-pin": api(
        run,
        post=known(200, CHAIR_STAFF),
        data={"post": lambda w: {"assignment": w.proposed.pk, "pinned": True}},
    ),
    # The proposal leaves applications short of reviewers: refused with the reason.
    "assignment-run-publish": api(run, post=known(409, CHAIR_STAFF), data={"post": lambda w: {}}),
    "assignment-run-remove": api(
        run, post=known(204, CHAIR_STAFF), data={"post": lambda w: {"assignment": w.proposed.pk}}
    ),
    "assignment-run-swap": api(
        run,
        post=known(200, CHAIR_STAFF),
        data={"post": lambda w: {"assignment": w.proposed.pk, "reviewer": w.other_reviewer.pk}},
    ),
    # Review forms and reviews (the assigned reviewer's draft).
    "review-form-list": api(get=SIGNED_IN),
    "review-form-detail": api(
        lambda w: {"pk": w.review_form.pk}, get=grid(404, (KNOWS_REVIEW_CALL, 200), anonymous=403)
    ),
    "review-list": api(
        get=SIGNED_IN,
        post=grid(404, ({ASSIGNED}, 409), anonymous=403),  # started already
        data={"post": lambda w: {"assignment": w.assignment.pk}},
    ),
    "review-detail": api(
        lambda w: {"pk": w.draft_review.pk},
        # A draft is the reviewer's own: staff and the committee read submitted reviews only.
        get=grid(404, ({ASSIGNED}, 200), anonymous=403),
        patch=grid(404, ({ASSIGNED}, 200), anonymous=403),
        data={"patch": lambda w: {"version": w.draft_review.version, "strengths": "More."}},
    ),
    "review-submit": api(
        lambda w: {"pk": w.draft_review.pk},
        post=grid(404, ({ASSIGNED}, 400), anonymous=403),  # incomplete
        data={"post": lambda w: {"version": w.draft_review.version}},
    ),
    # The panel meeting and the ranking.
    "call-meeting": api(review_call, get=known(200, COMMITTEE_STAFF)),
    "call-meeting-open": api(review_call, post=known(409, CHAIR_STAFF)),
    "call-meeting-close": api(review_call, post=known(409, CHAIR_STAFF)),
    "call-meeting-current": api(
        review_call, post=known(200, CHAIR_STAFF), data={"post": lambda w: {"item": w.item.pk}}
    ),
    "call-meeting-item-scores": api(
        item, post=known(200, COMMITTEE), data={"post": lambda w: {"score": "2"}}
    ),
    "call-meeting-item-notes": api(
        item, post=known(200, CHAIR_STAFF), data={"post": lambda w: {"notes": "Discussed."}}
    ),
    "call-meeting-item-close": api(item, post=known(409, CHAIR_STAFF)),
    "call-ranking": api(review_call, get=known(200, COMMITTEE_STAFF)),
    "call-triage": api(
        review_call, post=known(200, CHAIR_STAFF), data={"post": lambda w: {"discuss_count": 1}}
    ),
    # Research priorities: the owner is a community member; staff moderate.
    "priority-question-list": api(
        get=OPEN,
        post=grid(403, ({OWNER}, 201)),
        data={
            "post": lambda w: {
                "round": w.gathering_round.pk,
                "title": "Can exercise slow progression?",
                "description": "Why it matters.",
                "focus_area": w.focus_area.slug,
                "submit": False,
            }
        },
    ),
    "priority-question-detail": api(lambda w: {"pk": w.question.pk}, get=OPEN),
    "priority-question-calls": api(
        lambda w: {"pk": w.question.pk}, put=grid(403, ({STAFF}, 200)), data={"put": lambda w: {"calls": []}}
    ),
    "priority-question-comments": api(
        lambda w: {"pk": w.question.pk},
        get=OPEN,
        post=grid(403, ({OWNER, STAFF}, 201)),
        data={"post": lambda w: {"body": "I agree."}},
    ),
    "priority-question-edit": api(
        lambda w: {"pk": w.question.pk},
        post=grid(403, ({STAFF}, 200)),
        data={
            "post": lambda w: {
                "title": "Clearer title?",
                "description": "Clearer.",
                "focus_area": w.focus_area.slug,
                "reason": "Clarity.",
            }
        },
    ),
    "priority-question-hide": api(
        lambda w: {"pk": w.question.pk},
        post=grid(403, ({STAFF}, 200)),
        data={"post": lambda w: {"reason": "Off topic."}},
    ),
    "priority-question-merge": api(
        lambda w: {"pk": w.question.pk},
        post=grid(403, ({STAFF}, 400)),  # into itself: refused
        data={"post": lambda w: {"into": w.question.pk, "reason": "Duplicate."}},
    ),
    "priority-question-publish": api(
        lambda w: {"pk": w.question.pk},
        post=grid(403, ({STAFF}, 409)),
        data={"post": lambda w: {"reason": ""}},
    ),
    "priority-question-submit": api(
        lambda w: {"pk": w.draft_question.pk}, post=grid(404, ({STAFF}, 403), ({OWNER}, 200), anonymous=403)
    ),
    "priority-question-votes": api(
        lambda w: {"pk": w.question.pk},
        get=SIGNED_IN,
        put=grid(403, ({OWNER}, 200)),
        data={"put": lambda w: {"votes": 1}},
    ),
    "priority-round-list": api(get=OPEN),
    "priority-round-detail": api(lambda w: {"pk": w.voting_round.pk}, get=OPEN),
    "priority-round-top-ten": api(
        lambda w: {"pk": w.closed_round.pk},
        get=OPEN,
        post=grid(403, ({STAFF}, 400)),  # an empty body: field errors, for staff only
        data={"post": lambda w: {}},
    ),
    "priority-round-transition": api(
        lambda w: {"pk": w.gathering_round.pk},
        post=grid(403, ({STAFF}, 200)),
        data={"post": lambda w: {"phase": "voting", "reason": "Enough questions."}},
    ),
}
