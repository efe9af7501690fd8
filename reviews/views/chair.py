"""Staff's side of the review portal: the reviewer pool of a call (invitations and loads) and its
conflicts of interest (detect, set, lift). Assignment pages are in ``reviews.views.assignment``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts.models import User
from core.errors import DomainError
from core.forms import apply_error
from reviews.forms import InviteReviewerForm, LiftConflictForm, SetConflictForm
from reviews.models import Conflict
from reviews.permissions import can_manage_assignment, can_manage_reviewers
from reviews.selectors import conflicts_for_staff, reviewer_load_limit
from reviews.selectors_portal import invited_reviewers, managed_calls, reviewer_pool, submitted_applications
from reviews.services.pool import detect_call_conflicts, invite_reviewer, lift_conflict, set_conflict
from reviews.views.common import require, visible_call


@login_required
def manage_index_view(request: HttpRequest) -> HttpResponse:
    """The calls whose review the user manages, with links to pool, conflicts and assignment."""
    calls = list(managed_calls(request.user))
    if not calls and not request.user.is_staff:
        raise PermissionDenied("Only staff or a committee chair manage review.")
    return render(request, "reviews/manage_index.html", {"calls": calls})


def _managed_reviewers_call(request: HttpRequest, slug: str):
    call = visible_call(request, slug)
    require(can_manage_reviewers(request.user, call))
    return call


@login_required
def pool_view(request: HttpRequest, slug: str) -> HttpResponse:
    call = _managed_reviewers_call(request, slug)
    return _pool_page(request, call)


def _pool_page(request, call, *, status: int = 200) -> HttpResponse:
    profiles = list(reviewer_pool(call))
    for profile in profiles:
        invitation = profile.user.call_invitations[0] if profile.user.call_invitations else None
        profile.invitation = invitation
        if invitation is not None:
            invitation.reviewer = profile.user  # already loaded: no query per row for the load
            profile.call_load = reviewer_load_limit(invitation)
    return render(
        request,
        "reviews/pool.html",
        {
            "call": call,
            "profiles": profiles,
            "can_manage_assignment": can_manage_assignment(request.user, call),
        },
        status=status,
    )


@login_required
@require_POST
def pool_invite_view(request: HttpRequest, slug: str) -> HttpResponse:
    call = _managed_reviewers_call(request, slug)
    form = InviteReviewerForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a reviewer to invite.")
        return _pool_page(request, call, status=400)
    reviewer = get_object_or_404(User, pk=form.cleaned_data["reviewer"], reviewer_profile__isnull=False)
    try:
        invite_reviewer(call=call, reviewer=reviewer, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return _pool_page(request, call, status=error.status_code)
    messages.success(request, f"{reviewer} is invited to review {call.title}.")
    return redirect("reviews:pool", slug=call.slug)


def _conflicts_page(request, call, *, status: int = 200, set_form=None, lift_forms=None) -> HttpResponse:
    conflicts = list(conflicts_for_staff(call))
    lift_forms = lift_forms or {}
    for conflict in conflicts:
        conflict.lift_form = lift_forms.get(conflict.pk) or LiftConflictForm(prefix=f"lift{conflict.pk}")
    reviewers = invited_reviewers(call)
    set_form = set_form or SetConflictForm(
        applications=submitted_applications(call), reviewers=reviewers, prefix="set"
    )
    return render(
        request,
        "reviews/conflicts.html",
        {"call": call, "conflicts": conflicts, "set_form": set_form},
        status=status,
    )


@login_required
def conflicts_view(request: HttpRequest, slug: str) -> HttpResponse:
    return _conflicts_page(request, _managed_reviewers_call(request, slug))


@login_required
@require_POST
def conflicts_detect_view(request: HttpRequest, slug: str) -> HttpResponse:
    call = _managed_reviewers_call(request, slug)
    try:
        created = detect_call_conflicts(call=call, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return _conflicts_page(request, call, status=error.status_code)
    messages.success(
        request, f"Detection found {len(created)} new conflict{'s' if len(created) != 1 else ''}."
    )
    return redirect("reviews:conflicts", slug=call.slug)


@login_required
@require_POST
def conflict_set_view(request: HttpRequest, slug: str) -> HttpResponse:
    call = _managed_reviewers_call(request, slug)
    reviewers = invited_reviewers(call)
    applications = submitted_applications(call)
    form = SetConflictForm(request.POST, applications=applications, reviewers=reviewers, prefix="set")
    if form.is_valid():
        data = form.cleaned_data
        try:
            set_conflict(
                application=applications.get(pk=data["application"]),
                reviewer=reviewers.get(pk=data["reviewer"]),
                by=request.user,
                reason=data["reason"],
                kind=data["kind"],
            )
        except DomainError as error:
            apply_error(form, error)
            return _conflicts_page(request, call, status=error.status_code, set_form=form)
        messages.success(request, "The conflict is recorded; the reviewer no longer sees the application.")
        return redirect("reviews:conflicts", slug=call.slug)
    return _conflicts_page(request, call, status=400, set_form=form)


@login_required
@require_POST
def conflict_lift_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    call = _managed_reviewers_call(request, slug)
    conflict = get_object_or_404(Conflict, pk=pk, application__call=call)
    form = LiftConflictForm(request.POST, prefix=f"lift{conflict.pk}")
    if form.is_valid():
        try:
            lift_conflict(conflict=conflict, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            apply_error(form, error)
            return _conflicts_page(request, call, status=error.status_code, lift_forms={conflict.pk: form})
        messages.success(request, "The conflict is lifted.")
        return redirect("reviews:conflicts", slug=call.slug)
    return _conflicts_page(request, call, status=400, lift_forms={conflict.pk: form})
