"""Read queries for the review portal and API pages that ``reviews.selectors`` does not cover.

Conflicts stay enforced in ``reviews.selectors``: every reviewer-facing list here is built on it.
"""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from accounts.models import User
from applications.models import Application, Call, CommitteeMembership
from applications.selectors import calls_visible_to
from reviews.models import (
    Assignment,
    AssignmentRun,
    Bid,
    Conflict,
    ForbiddenPair,
    ReviewerInvitation,
    ReviewerProfile,
)
from reviews.selectors import (
    accepted_reviewers,
    active_conflict_pairs,
    active_conflicts,
    assignments_for_reviewer,
    reviewer_load_limit,
    without_conflicts_of,
)


def calls_for_review(user) -> QuerySet[Call]:
    """Calls whose review pages a user may know about: those they see, and those they are invited to.

    Pages of other calls answer 404; pages of these answer 403 when the user may not act on them.
    """
    if not user.is_authenticated:
        return Call.objects.none()
    visible = calls_visible_to(user).values("pk")
    return Call.objects.filter(Q(pk__in=visible) | Q(reviewer_invitations__reviewer=user)).distinct()


def managed_calls(user) -> QuerySet[Call]:
    """Calls the user can manage in review: all for staff, the chaired ones for a chair."""
    if not user.is_authenticated:
        return Call.objects.none()
    calls = Call.objects.exclude(status=Call.Status.DRAFT).select_related("program").order_by("-opens_at")
    if user.is_staff:
        return calls
    return calls.filter(committee__user=user, committee__role=CommitteeMembership.Role.CHAIR)


def declared_conflicts_of(reviewer) -> QuerySet[Conflict]:
    """Conflicts the reviewer declared themselves. Detected or applicant-named ones are not shown to
    them: their evidence may quote what an applicant said in confidence."""
    if not reviewer.is_authenticated:
        return Conflict.objects.none()
    return (
        Conflict.objects.filter(reviewer=reviewer, source=Conflict.Source.DECLARED)
        .select_related("application__call")
        .order_by("-created_at", "-pk")
    )


def reviewer_pool(call: Call) -> QuerySet[ReviewerProfile]:
    """Active pool members with their focus areas and their invitation to ``call`` (``call_invitations``)."""
    return (
        ReviewerProfile.objects.filter(active=True)
        .select_related("user__institution")
        .prefetch_related(
            "focus_areas",
            Prefetch(
                "user__review_invitations",
                queryset=ReviewerInvitation.objects.filter(call=call),
                to_attr="call_invitations",
            ),
        )
        .order_by("user__full_name", "pk")
    )


def runs_of(call: Call) -> QuerySet[AssignmentRun]:
    return call.assignment_runs.select_related("worst_application", "created_by").order_by(
        "-created_at", "-pk"
    )


def run_assignments(run: AssignmentRun) -> QuerySet[Assignment]:
    return run.assignments.select_related("application", "reviewer__reviewer_profile").order_by(
        "application__reference", "reviewer__full_name"
    )


def submitted_applications(call: Call) -> QuerySet[Application]:
    return call.applications.submitted().order_by("reference")


def swap_candidates(run: AssignmentRun) -> dict[int, list[User]]:
    """For each application of the run, the accepted reviewers who could take it: not conflicted, not
    a forbidden pair, not on it already, and with spare load in this run."""
    call = run.call
    invitations = {
        i.reviewer_id: i
        for i in ReviewerInvitation.objects.filter(
            call=call, status=ReviewerInvitation.Status.ACCEPTED
        ).select_related("reviewer__reviewer_profile")
    }
    reviewers = [r for r in accepted_reviewers(call) if hasattr(r, "reviewer_profile")]
    loads = dict(
        run.assignments.values("reviewer_id").annotate(n=Count("pk")).values_list("reviewer_id", "n")
    )
    blocked = active_conflict_pairs(call) | set(
        ForbiddenPair.objects.filter(call=call).values_list("application_id", "reviewer_id")
    )
    taken = set(run.assignments.values_list("application_id", "reviewer_id"))
    spare = [
        r
        for r in reviewers
        if r.pk in invitations and loads.get(r.pk, 0) < reviewer_load_limit(invitations[r.pk])
    ]
    candidates: dict[int, list[User]] = {}
    for application_id in submitted_applications(call).values_list("pk", flat=True):
        candidates[application_id] = [
            r for r in spare if (application_id, r.pk) not in blocked and (application_id, r.pk) not in taken
        ]
    return candidates


def invited_reviewers(call: Call) -> QuerySet[User]:
    """Everyone invited to the call who has not declined, by name (staff set conflicts for them)."""
    return (
        User.objects.filter(review_invitations__call=call)
        .exclude(review_invitations__status=ReviewerInvitation.Status.DECLINED)
        .order_by("full_name", "pk")
    )


def biddable_applications(reviewer) -> QuerySet[Application]:
    """Submitted applications of every call the reviewer accepted, without their conflicts."""
    if not reviewer.is_authenticated:
        return Application.objects.none()
    calls = ReviewerInvitation.objects.filter(reviewer=reviewer, status=ReviewerInvitation.Status.ACCEPTED)
    return without_conflicts_of(
        Application.objects.submitted().filter(call__in=calls.values("call_id")).select_related("call"),
        reviewer,
    )


def bids_for_reviewer(reviewer) -> QuerySet[Bid]:
    """The reviewer's own bids, never on an application they are conflicted with."""
    if not reviewer.is_authenticated:
        return Bid.objects.none()
    conflicted = active_conflicts().filter(reviewer=reviewer, application=OuterRef("application"))
    return (
        Bid.objects.filter(reviewer=reviewer)
        .exclude(Exists(conflicted))
        .select_related("application")
        .order_by("application__reference", "pk")
    )


def assignments_visible_to(user) -> QuerySet[Assignment]:
    """Staff see every assignment; a chair those of the calls they chair (proposed ones too); a
    reviewer only their published, non-conflicted ones (``assignments_for_reviewer``). No one but
    staff sees an assignment to an application they are conflicted with."""
    assignments = Assignment.objects.select_related("application", "reviewer").order_by(
        "application__reference", "pk"
    )
    if not user.is_authenticated:
        return assignments.none()
    if user.is_staff:
        return assignments
    chaired = CommitteeMembership.objects.filter(user=user, role=CommitteeMembership.Role.CHAIR).values(
        "call_id"
    )
    own = assignments_for_reviewer(user).values("pk")
    conflicted = active_conflicts().filter(reviewer=user, application=OuterRef("application"))
    return assignments.filter(Q(pk__in=own) | Q(call__in=chaired)).exclude(Exists(conflicted))


def declarable_applications(reviewer) -> QuerySet[Application]:
    """Applications a reviewer may declare a conflict with: those they may bid on or are assigned."""
    if not reviewer.is_authenticated:
        return Application.objects.none()
    return Application.objects.filter(
        Q(pk__in=biddable_applications(reviewer).values("pk"))
        | Q(pk__in=assignments_for_reviewer(reviewer).values("application_id"))
    ).select_related("call")
