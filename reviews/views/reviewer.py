"""The reviewer's side of the portal: invitations, profile, bids, declared conflicts and the
published assignments. Conflicted applications never reach these pages (``reviews.selectors``)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.forms import apply_error
from core.page_cache import cached_page
from reviews.forms import (
    AcceptInvitationForm,
    BidForm,
    DeclareConflictForm,
    DeclineInvitationForm,
    ReviewerProfileForm,
)
from reviews.models import ReviewerProfile
from reviews.selectors import (
    accepted_invitation,
    applications_for_bidding,
    bids_of,
    conflicts_in_force,
    invitations_for,
)
from reviews.selectors_portal import declared_conflicts_of
from reviews.selectors_workspace import REVIEW_STATES, assignment_list, review_state
from reviews.services.pool import declare_conflict, place_bid, respond_to_invitation, save_reviewer_profile
from reviews.views.common import is_htmx, visible_call


def _home(request: HttpRequest, *, status: int = 200, accept_forms=None) -> HttpResponse:
    invitations = list(invitations_for(request.user))
    accept_forms = accept_forms or {}
    for invitation in invitations:
        invitation.accept_form = accept_forms.get(invitation.pk) or AcceptInvitationForm(
            prefix=f"inv{invitation.pk}"
        )
    return render(
        request,
        "reviews/home.html",
        {
            "invitations": invitations,
            "profile": ReviewerProfile.objects.filter(user=request.user).first(),
        },
        status=status,
    )


@login_required
def reviewing_home_view(request: HttpRequest) -> HttpResponse:
    return _home(request)


@login_required
@require_POST
def invitation_accept_view(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(invitations_for(request.user), pk=pk)
    form = AcceptInvitationForm(request.POST, prefix=f"inv{invitation.pk}")
    if form.is_valid():
        try:
            respond_to_invitation(
                invitation=invitation,
                by=request.user,
                accept=True,
                load_limit=form.cleaned_data["load_limit"],
            )
        except DomainError as error:
            apply_error(form, error)
            return _home(request, status=error.status_code, accept_forms={invitation.pk: form})
        messages.success(request, f"Thank you: you review {invitation.call.title}. You can now bid.")
        return redirect("reviews:home")
    return _home(request, status=400, accept_forms={invitation.pk: form})


@login_required
def invitation_decline_view(request: HttpRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(invitations_for(request.user), pk=pk)
    form = DeclineInvitationForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                respond_to_invitation(
                    invitation=invitation, by=request.user, accept=False, reason=form.cleaned_data["reason"]
                )
            except DomainError as error:
                apply_error(form, error)
                status = error.status_code
            else:
                messages.success(request, f"You declined to review {invitation.call.title}.")
                return redirect("reviews:home")
    return render(request, "reviews/decline.html", {"invitation": invitation, "form": form}, status=status)


@login_required
def profile_view(request: HttpRequest) -> HttpResponse:
    profile = ReviewerProfile.objects.filter(user=request.user).first()
    form = ReviewerProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        focus_areas = list(data.pop("focus_areas"))
        try:
            save_reviewer_profile(user=request.user, by=request.user, focus_areas=focus_areas, **data)
        except DomainError as error:
            apply_error(form, error)
        else:
            messages.success(request, "Your reviewer profile is saved.")
            return redirect("reviews:profile")
    return render(
        request,
        "reviews/profile.html",
        {"form": form, "profile": profile},
        status=400 if form.errors else 200,
    )


def _bidding_call(request: HttpRequest, slug: str):
    call = visible_call(request, slug)
    if accepted_invitation(call, request.user) is None:
        raise PermissionDenied("Accept the invitation to review this call before you bid.")
    return call


def _bid_rows(call, user, *, bound: dict | None = None):
    bids = bids_of(call=call, reviewer=user)
    rows = []
    for application in applications_for_bidding(call=call, reviewer=user):
        value = bids.get(application.pk, "")
        rows.append(
            {
                "application": application,
                "bid_form": BidForm(initial={"value": value or "neutral"}, prefix=f"bid{application.pk}"),
                "bid": value,
                "conflict_form": (bound or {}).get(application.pk)
                or DeclareConflictForm(prefix=f"coi{application.pk}"),
            }
        )
    return rows


@login_required
def bid_list_view(request: HttpRequest, slug: str) -> HttpResponse:
    call = _bidding_call(request, slug)
    return render(request, "reviews/bids.html", {"call": call, "rows": _bid_rows(call, request.user)})


def _biddable(request: HttpRequest, call, pk: int):
    return get_object_or_404(applications_for_bidding(call=call, reviewer=request.user), pk=pk)


@login_required
@require_POST
def bid_save_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    call = _bidding_call(request, slug)
    application = _biddable(request, call, pk)
    form = BidForm(request.POST, prefix=f"bid{application.pk}")
    error, status = "", 200
    if form.is_valid():
        try:
            place_bid(application=application, by=request.user, value=form.cleaned_data["value"])
        except DomainError as refusal:
            error, status = refusal.message, refusal.status_code
    else:
        error, status = "Choose eager, willing, neutral or not willing.", 400
    if is_htmx(request):
        value = bids_of(call=call, reviewer=request.user).get(application.pk, "")
        row = {
            "application": application,
            "bid": value,
            "bid_form": BidForm(initial={"value": value or "neutral"}, prefix=f"bid{application.pk}"),
        }
        return render(
            request,
            "reviews/_bid_control.html",
            {"call": call, "row": row, "error": error, "saved": not error},
            status=status,
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"Bid saved for {application.reference}.")
    return redirect(reverse("reviews:bids", args=[call.slug]) + f"#app-{application.pk}")


@login_required
@require_POST
def conflict_declare_view(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Declare a conflict; the application leaves the list (with htmx its row is removed in place)."""
    call = _bidding_call(request, slug)
    application = _biddable(request, call, pk)
    form = DeclareConflictForm(request.POST, prefix=f"coi{application.pk}")
    status = 400
    if form.is_valid():
        try:
            declare_conflict(application=application, by=request.user, **form.cleaned_data)
        except DomainError as error:
            apply_error(form, error)
            status = error.status_code
        else:
            text = f"Conflict declared: {application.reference} is no longer shown to you."
            if is_htmx(request):
                return render(request, "reviews/_conflict_declared.html", {"text": text})
            messages.success(request, text)
            return redirect("reviews:bids", slug=call.slug)
    rows = _bid_rows(call, request.user, bound={application.pk: form})
    if is_htmx(request):
        row = next(r for r in rows if r["application"].pk == application.pk)
        return render(request, "reviews/_bid_row.html", {"call": call, "row": row}, status=status)
    return render(request, "reviews/bids.html", {"call": call, "rows": rows}, status=status)


@login_required
@cached_page(guard=conflicts_in_force)
def my_assignments_view(request: HttpRequest) -> HttpResponse:
    assignments = list(assignment_list(request.user))
    for assignment in assignments:
        assignment.review_state = review_state(assignment)
        assignment.review_state_label = REVIEW_STATES[assignment.review_state]
    return render(request, "reviews/my_assignments.html", {"assignments": assignments})


@login_required
def my_conflicts_view(request: HttpRequest) -> HttpResponse:
    return render(request, "reviews/my_conflicts.html", {"conflicts": declared_conflicts_of(request.user)})
