"""Read queries for review. This module is the one place where conflicts are enforced for
reviewers: every page, endpoint, export and count a reviewer reaches goes through it."""

from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet

from accounts.models import User
from applications.models import Application, Call
from reviews.models import Assignment, Bid, Conflict, ReviewerInvitation


def active_conflicts() -> QuerySet[Conflict]:
    return Conflict.objects.filter(lifted=False)


def conflicts_in_force(user) -> tuple[int, ...]:
    """The ids of the user's active conflicts: ``active_conflicts().filter(reviewer=user)``. The page
    cache compares them on every request, so that a conflict declared takes a cached page away at
    once (core.page_cache). Written in SQL because it runs on every request of the most read pages,
    where compiling the ORM's query cost as much again as running it; a test keeps the two equal."""
    with connection.cursor() as cursor:
        sql = "SELECT id FROM reviews_conflict WHERE reviewer_id = %s AND NOT lifted ORDER BY id"
        cursor.execute(sql, [user.pk])
        return tuple(row[0] for row in cursor.fetchall())


def active_conflict_pairs(call: Call) -> set[tuple[int, int]]:
    """(application_id, reviewer_id) of every active conflict in the call."""
    return set(active_conflicts().filter(application__call=call).values_list("application_id", "reviewer_id"))


def is_conflicted(reviewer, application: Application) -> bool:
    return active_conflicts().filter(reviewer=reviewer, application=application).exists()


def without_conflicts_of(applications: QuerySet[Application], reviewer) -> QuerySet[Application]:
    """Drop every application the reviewer has an active conflict with."""
    conflicted = active_conflicts().filter(reviewer=reviewer, application=OuterRef("pk"))
    return applications.exclude(Exists(conflicted))


def accepted_invitation(call: Call, reviewer) -> ReviewerInvitation | None:
    if not reviewer.is_authenticated:
        return None
    return ReviewerInvitation.objects.filter(
        call=call, reviewer=reviewer, status=ReviewerInvitation.Status.ACCEPTED
    ).first()


def accepted_reviewers(call: Call) -> QuerySet[User]:
    """Users whose invitation to the call is accepted, with their profile, in a stable order."""
    return (
        User.objects.filter(
            review_invitations__call=call, review_invitations__status=ReviewerInvitation.Status.ACCEPTED
        )
        .select_related("reviewer_profile", "institution")
        .order_by("pk")
    )


def reviewer_load_limit(invitation: ReviewerInvitation) -> int:
    default = invitation.reviewer.reviewer_profile.default_load
    return min(invitation.load_limit, default) if invitation.load_limit else default


def applications_for_bidding(*, call: Call, reviewer) -> QuerySet[Application]:
    """The call's submitted applications a reviewer who accepted may bid on: never conflicted ones."""
    if accepted_invitation(call, reviewer) is None:
        return Application.objects.none()
    applications = call.applications.submitted().select_related("institution").order_by("reference")
    return without_conflicts_of(applications, reviewer)


def assignments_for_reviewer(reviewer) -> QuerySet[Assignment]:
    """The reviewer's published assignments of submitted applications (a withdrawn one leaves the
    reviewer's work); conflicted applications never appear."""
    if not reviewer.is_authenticated:
        return Assignment.objects.none()
    conflicted = active_conflicts().filter(reviewer=reviewer, application=OuterRef("application"))
    return (
        Assignment.objects.filter(
            reviewer=reviewer,
            state=Assignment.State.PUBLISHED,
            application__status=Application.Status.SUBMITTED,
        )
        .exclude(Exists(conflicted))
        .select_related("application__call", "application__institution")
        .order_by("due_at", "application__reference")
    )


def bids_of(*, call: Call, reviewer) -> dict[int, str]:
    return dict(
        Bid.objects.filter(reviewer=reviewer, application__call=call).values_list("application_id", "value")
    )


def conflicts_for_staff(call: Call) -> QuerySet[Conflict]:
    return (
        Conflict.objects.filter(application__call=call)
        .select_related("application", "reviewer", "recorded_by", "lifted_by")
        .order_by("application__reference", "reviewer__full_name", "kind")
    )


def invitations_for(reviewer) -> QuerySet[ReviewerInvitation]:
    if not reviewer.is_authenticated:
        return ReviewerInvitation.objects.none()
    return (
        ReviewerInvitation.objects.filter(reviewer=reviewer)
        .select_related("call__program")
        .order_by("-invited_at")
    )
