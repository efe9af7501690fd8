"""Who is reminded of what, and which review phase starts now: the selection behind the periodic
tasks (``reviews.tasks``), kept here so it is tested without Celery."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet

from accounts.models import User
from applications.models import Call, CommitteeMembership
from reviews.models import Assignment, Review, ReviewPhase
from reviews.selectors import active_conflicts

DUE_SOON = timedelta(days=3)


def unsubmitted_assignments() -> QuerySet[Assignment]:
    """Published, non-conflicted assignments with a due date whose review is not submitted."""
    conflicted = active_conflicts().filter(reviewer=OuterRef("reviewer"), application=OuterRef("application"))
    return (
        Assignment.objects.filter(state=Assignment.State.PUBLISHED, due_at__isnull=False)
        .filter(Q(review__isnull=True) | Q(review__status=Review.Status.DRAFT))
        .exclude(Exists(conflicted))
        .select_related("reviewer", "application", "call")
        .order_by("reviewer_id", "due_at", "application__reference")
    )


def reviews_to_remind(*, now: datetime, within: timedelta = DUE_SOON) -> dict[User, list[Assignment]]:
    """Each reviewer's unsubmitted reviews due within ``within`` of ``now`` or overdue."""
    grouped: dict[User, list[Assignment]] = {}
    for assignment in unsubmitted_assignments().filter(due_at__lte=now + within):
        grouped.setdefault(assignment.reviewer, []).append(assignment)
    return grouped


@dataclass(frozen=True)
class OverdueReport:
    call: Call
    chairs: list[User]
    overdue: dict[User, list[Assignment]]  # reviewer → their reviews overdue by more than N days


def overdue_reports(*, now: datetime, days: int) -> list[OverdueReport]:
    """Per call with a chair, the reviewers with reviews more than ``days`` days overdue."""
    by_call: dict[Call, dict[User, list[Assignment]]] = {}
    for assignment in unsubmitted_assignments().filter(due_at__lt=now - timedelta(days=days)):
        by_call.setdefault(assignment.call, {}).setdefault(assignment.reviewer, []).append(assignment)
    chairs: dict[int, list[User]] = {}
    memberships = CommitteeMembership.objects.filter(
        call__in=list(by_call), role=CommitteeMembership.Role.CHAIR
    ).select_related("user")
    for membership in memberships.order_by("user__full_name", "pk"):
        chairs.setdefault(membership.call_id, []).append(membership.user)
    return [
        OverdueReport(call, chairs[call.pk], overdue)
        for call, overdue in sorted(by_call.items(), key=lambda item: item[0].pk)
        if chairs.get(call.pk)
    ]


def phases_to_activate(*, now: datetime) -> list[ReviewPhase]:
    """For each call, the latest phase whose start has come, unless it is active already or a later
    phase (by position) is: a date never takes a call back to an earlier phase."""
    started = (
        ReviewPhase.objects.filter(starts_at__lte=now)
        .select_related("call")
        .order_by("call_id", "-starts_at", "-position")
    )
    latest: dict[int, ReviewPhase] = {}
    for phase in started:
        latest.setdefault(phase.call_id, phase)
    active = {p.call_id: p for p in ReviewPhase.objects.filter(active=True, call_id__in=list(latest))}
    return [
        phase
        for call_id, phase in latest.items()
        if not phase.active and (call_id not in active or active[call_id].position < phase.position)
    ]
