"""Read queries for calls, shared by portal views and the API."""

from decimal import Decimal

from django.db.models import Prefetch, Q, QuerySet

from applications.models import Application, Call, CommitteeMembership, FocusArea, TeamMember
from reviews.models import Assignment
from reviews.selectors import without_conflicts_of


def _with_details(calls: QuerySet[Call]) -> QuerySet[Call]:
    return calls.select_related("program", "prerequisite_call").prefetch_related(
        Prefetch("focus_areas", queryset=FocusArea.objects.order_by("position", "name"))
    )


def calls_visible_to(user) -> QuerySet[Call]:
    """Staff see every call; everyone sees open calls; others see the calls they take part in."""
    calls = Call.objects.all()
    if user.is_authenticated and user.is_staff:
        return _with_details(calls)
    visible = Q(status=Call.Status.OPEN)
    if user.is_authenticated:
        visible |= Q(committee__user=user)
    return _with_details(calls.filter(visible).distinct())


def open_calls() -> QuerySet[Call]:
    """Calls accepting applications now, soonest deadline first."""
    return _with_details(Call.objects.open_now().order_by("closes_at", "title"))


def committees_of(user) -> QuerySet[CommitteeMembership]:
    if not user.is_authenticated:
        return CommitteeMembership.objects.none()
    return CommitteeMembership.objects.filter(user=user).select_related("call", "call__program")


def call_detail(call: Call) -> Call:
    """A call with its commitments and committee loaded for the detail page and API."""
    return (
        _with_details(Call.objects.filter(pk=call.pk))
        .prefetch_related("commitments__funder", "committee__user")
        .get()
    )


def applications_visible_to(user) -> QuerySet[Application]:
    """The one place that decides which applications a user may see (portal, API and exports).

    Staff see all; a PI sees their own; an accepted co-investigator sees the ones they are on; a
    reviewer sees the submitted applications published to them, never one they are conflicted with.
    """
    applications = Application.objects.select_related("call__program", "pi", "institution")
    if not user.is_authenticated:
        return applications.none()
    if user.is_staff:
        return applications
    mine = Q(pi=user) | Q(
        team__user=user, team__role=TeamMember.Role.CO_INVESTIGATOR, team__accepted_at__isnull=False
    )
    reviewing = without_conflicts_of(
        Application.objects.filter(
            status=Application.Status.SUBMITTED,
            assignments__reviewer=user,
            assignments__state=Assignment.State.PUBLISHED,
        ),
        user,
    )
    return applications.filter(
        Q(pk__in=Application.objects.filter(mine).values("pk")) | Q(pk__in=reviewing.values("pk"))
    )


def application_detail(application: Application) -> Application:
    """An application with everything its page, PDF and API detail show, in a fixed number of queries."""
    return (
        Application.objects.filter(pk=application.pk)
        .select_related("call__program", "pi", "institution")
        .prefetch_related(
            "focus_areas", "team", "budget_lines", "attachments", "exclusions", "call__focus_areas"
        )
        .get()
    )


def application_page(user) -> QuerySet[Application]:
    """``applications_visible_to(user)`` with what the read-only page shows prefetched: one query for
    the application (and its call, PI and institution), one per list on the page, whatever their length."""
    lists = ("focus_areas", "team", "budget_lines", "attachments")
    return applications_visible_to(user).prefetch_related(*lists)


def budget_total(application: Application) -> Decimal:
    return sum((line.amount for line in application.budget_lines.all()), Decimal("0"))
