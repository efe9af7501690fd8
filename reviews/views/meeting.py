"""The panel meeting in the portal. The chair (or staff) runs it from the agenda: moves the current
item, takes notes, watches who has scored and closes the item. Members follow the current item by
polling (every 3 s; 204 while nothing changed) and give their final score. A member conflicted with
the current item sees only that they are conflicted: nothing of the item reaches their page."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from applications.models import Call
from applications.permissions import is_committee_member
from core.errors import DomainError, NotAllowed
from reviews.final_scores import shown_final_score
from reviews.models import MeetingItem, PanelMeeting
from reviews.selectors import is_conflicted
from reviews.selectors_meeting import (
    agenda_for,
    can_attend_meeting,
    can_run_meeting,
    meeting_of,
    own_final_score,
    sees_chair_details,
    tally_of,
)
from reviews.services.meeting import (
    close_item,
    close_meeting,
    open_meeting,
    record_discussion_notes,
    record_final_score,
    set_current_item,
)
from reviews.views.common import is_htmx, require, visible_call


def _attended_call(request: HttpRequest, slug: str) -> Call:
    call = visible_call(request, slug)
    require(can_attend_meeting(request.user, call))
    return call


def _item(call: Call, pk: int) -> MeetingItem:
    return get_object_or_404(
        MeetingItem.objects.select_related("meeting__call", "application"), pk=pk, meeting__call=call
    )


def current_context(meeting: PanelMeeting | None, user) -> dict:
    """What ``user`` may see of the current item: nothing but the flag when conflicted with it."""
    if meeting is None or meeting.status == PanelMeeting.Status.PLANNED:
        return {"state": "planned", "token": "planned"}
    if meeting.status == PanelMeeting.Status.CLOSED or meeting.current_item is None:
        return {"state": "closed", "token": "closed"}
    item = meeting.current_item
    closed = item.discussed_at is not None
    if is_conflicted(user, item.application):
        return {"state": "conflicted", "position": item.position, "token": f"c{item.position}"}
    own = own_final_score(item, user)
    return {
        "state": "current",
        "item": item,
        "closed": closed,
        "own": own,
        "can_score": not closed and is_committee_member(user, meeting.call),
        "shown_final": shown_final_score(item.final_score, times_ten=meeting.show_times_ten),
        "token": f"i{item.pk}-{int(closed)}-{own.score if own else ''}",
    }


def _page(request: HttpRequest, call: Call, *, status: int = 200, error: str = "") -> HttpResponse:
    meeting = meeting_of(call)
    runs = sees_chair_details(request.user, call)
    context = {
        "call": call,
        "meeting": meeting,
        "runs": runs,
        "current": current_context(meeting, request.user),
        "error": error,
    }
    if runs and meeting is not None and meeting.status != PanelMeeting.Status.PLANNED:
        context["agenda"] = agenda_for(meeting, request.user)
        if context["current"]["state"] == "current":
            context["tally"] = tally_of(meeting.current_item)
    return render(request, "reviews/meeting.html", context, status=status)


def _failed(request: HttpRequest, call: Call, error: DomainError) -> HttpResponse:
    if isinstance(error, NotAllowed):
        raise PermissionDenied(error.message)
    return _page(request, call, status=error.status_code, error=error.message)


@login_required
@require_GET
def meeting_view(request: HttpRequest, slug: str) -> HttpResponse:
    return _page(request, _attended_call(request, slug))


@login_required
@require_GET
def meeting_current_view(request: HttpRequest, slug: str) -> HttpResponse:
    """The current-item fragment members poll; 204 (nothing to swap) while it has not changed."""
    call = _attended_call(request, slug)
    current = current_context(meeting_of(call), request.user)
    if request.GET.get("seen") == current["token"]:
        return HttpResponse(status=204)
    return render(request, "reviews/_meeting_current.html", {"call": call, "current": current})


@login_required
@require_GET
def meeting_tally_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Who has scored the current item (names only until it is closed), for whoever runs the meeting."""
    call = _attended_call(request, slug)
    require(can_run_meeting(request.user, call))
    meeting = meeting_of(call)
    current = current_context(meeting, request.user)
    tally = tally_of(meeting.current_item) if current["state"] == "current" else None
    return render(request, "reviews/_meeting_tally.html", {"call": call, "current": current, "tally": tally})


@login_required
@require_POST
def meeting_open_view(request: HttpRequest, slug: str) -> HttpResponse:
    call = _attended_call(request, slug)
    try:
        open_meeting(call=call, by=request.user)
    except DomainError as error:
        return _failed(request, call, error)
    return redirect("reviews:meeting", slug=call.slug)


@login_required
@require_POST
def meeting_close_view(request: HttpRequest, slug: str) -> HttpResponse:
    call = _attended_call(request, slug)
    meeting = get_object_or_404(PanelMeeting, call=call)
    try:
        close_meeting(meeting=meeting, by=request.user)
    except DomainError as error:
        return _failed(request, call, error)
    return redirect("reviews:meeting", slug=call.slug)


@login_required
@require_POST
def item_current_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    call = _attended_call(request, slug)
    item = _item(call, pk)
    try:
        set_current_item(meeting=item.meeting, item=item, by=request.user)
    except DomainError as error:
        return _failed(request, call, error)
    return redirect("reviews:meeting", slug=call.slug)


@login_required
@require_POST
def item_score_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A member's final score; with htmx the current-item fragment comes back in place."""
    call = _attended_call(request, slug)
    item = _item(call, pk)
    error, status = "", 200
    try:
        record_final_score(
            item=item, member=request.user, score=request.POST.get("score", ""), by=request.user
        )
    except NotAllowed as denied:
        raise PermissionDenied(denied.message) from None
    except DomainError as failure:
        if not is_htmx(request):
            return _failed(request, call, failure)
        error, status = failure.message, failure.status_code
    if not is_htmx(request):
        return redirect("reviews:meeting", slug=call.slug)
    current = current_context(meeting_of(call), request.user)
    context = {"call": call, "current": current, "error": error, "saved": not error}
    return render(request, "reviews/_meeting_current.html", context, status=status)


@login_required
@require_POST
def item_notes_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    call = _attended_call(request, slug)
    item = _item(call, pk)
    try:
        item = record_discussion_notes(item=item, notes=request.POST.get("notes", ""), by=request.user)
    except NotAllowed as denied:
        raise PermissionDenied(denied.message) from None
    except DomainError as failure:
        if not is_htmx(request):
            return _failed(request, call, failure)
        context = {"call": call, "item": item, "error": failure.message}
        return render(request, "reviews/_meeting_notes.html", context, status=failure.status_code)
    if not is_htmx(request):
        return redirect("reviews:meeting", slug=call.slug)
    return render(request, "reviews/_meeting_notes.html", {"call": call, "item": item, "saved": True})


@login_required
@require_POST
def item_close_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    call = _attended_call(request, slug)
    item = _item(call, pk)
    try:
        close_item(item=item, by=request.user)
    except DomainError as error:
        return _failed(request, call, error)
    return redirect("reviews:meeting", slug=call.slug)
