from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from applications.eligibility import eligibility_problems
from applications.models import Call
from applications.permissions import can_take_transition
from applications.selectors import applications_visible_to, call_detail, calls_visible_to, open_calls
from applications.workflow import transitions_from


def call_list_view(request: HttpRequest) -> HttpResponse:
    """Public list of calls accepting applications now."""
    return render(request, "applications/call_list.html", {"calls": open_calls()})


def call_detail_view(request: HttpRequest, slug: str) -> HttpResponse:
    """A call's page; drafts and past calls only for staff and those who take part in them."""
    call = get_object_or_404(calls_visible_to(request.user), slug=slug)
    call = call_detail(call)
    user = request.user
    transitions = [
        t
        for t in transitions_from(call.status)
        if user.is_authenticated and can_take_transition(user, call, t)
    ]
    commitments = list(call.commitments.all())
    mine = list(applications_visible_to(user).filter(call=call, pi=user)) if user.is_authenticated else []
    context = {
        "my_applications": mine,
        "eligibility": eligibility_problems(call=call, user=user, now=timezone.now())
        if user.is_authenticated
        else [],
        "call": call,
        "commitments": commitments,
        "committee": list(call.committee.all()) if user.is_authenticated and user.is_staff else [],
        "transitions": transitions,
        "statuses": Call.Status,
    }
    return render(request, "applications/call_detail.html", context)
