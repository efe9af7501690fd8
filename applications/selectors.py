"""Read queries for calls, shared by portal views and the API."""

from django.db.models import Prefetch, Q, QuerySet

from applications.models import Call, CommitteeMembership, FocusArea


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
