"""Assignment pages for staff and the call's chair: start a run, follow its progress, edit the
proposal (remove, swap, add, pin) and publish it. Every change goes through the services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accounts.models import User
from core.errors import DomainError
from reviews.forms import AddAssignmentForm, PublishRunForm, StartRunForm, SwapForm
from reviews.models import Assignment, AssignmentRun
from reviews.permissions import can_manage_assignment
from reviews.selectors_assignment import run_summary
from reviews.selectors_portal import runs_of, swap_candidates
from reviews.services import (
    add_assignment,
    publish_assignment_run,
    remove_assignment,
    set_pinned,
    start_assignment_run,
    swap_assignment,
)
from reviews.views.common import is_htmx, require, visible_call, visible_run

ACTIVE = (AssignmentRun.Status.QUEUED, AssignmentRun.Status.RUNNING)


def _assignment_page(request, call, *, status: int = 200, error: str = "", form=None) -> HttpResponse:
    return render(
        request,
        "reviews/assignment.html",
        {"call": call, "runs": runs_of(call), "form": form or StartRunForm(), "error": error},
        status=status,
    )


@login_required
def assignment_view(request: HttpRequest, slug: str) -> HttpResponse:
    call = visible_call(request, slug)
    require(can_manage_assignment(request.user, call))
    return _assignment_page(request, call)


@login_required
@require_POST
def run_start_view(request: HttpRequest, slug: str) -> HttpResponse:
    call = visible_call(request, slug)
    require(can_manage_assignment(request.user, call))
    form = StartRunForm(request.POST)
    form.is_valid()  # a single optional checkbox: always valid
    try:
        run = start_assignment_run(
            call=call, by=request.user, fairness=form.cleaned_data.get("fairness", False)
        )
    except DomainError as error:
        return _assignment_page(request, call, status=error.status_code, error=error.message, form=form)
    messages.success(request, f"Assignment run #{run.pk} is queued.")
    return redirect("reviews:run", pk=run.pk)


def _managed_run(request: HttpRequest, pk: int) -> AssignmentRun:
    run = visible_run(request, pk)
    require(can_manage_assignment(request.user, run.call))
    return run


def _run_page(request, run, *, status: int = 200, error: str = "", publish_form=None) -> HttpResponse:
    context = {"run": run, "call": run.call, "active": run.status in ACTIVE, "error": error}
    if run.status in (AssignmentRun.Status.PROPOSED, AssignmentRun.Status.PUBLISHED):
        summary = run_summary(run, request.user)
        editable = run.status == AssignmentRun.Status.PROPOSED
        candidates = swap_candidates(run) if editable else {}
        for row in summary.applications:
            row.candidates = candidates.get(row.application.pk, [])
            row.add_form = AddAssignmentForm(initial={"application": row.application.pk})
            for assigned in row.reviewers:
                assigned.swap_form = SwapForm(
                    reviewers=row.candidates, prefix=f"swap{assigned.assignment.pk}"
                )
        due = run.call.review_due_at
        initial = {"due_at": timezone.localtime(due).strftime("%Y-%m-%dT%H:%M")} if due else {}
        context |= {
            "summary": summary,
            "editable": editable,
            "publish_form": publish_form or PublishRunForm(initial=initial),
        }
    return render(request, "reviews/run.html", context, status=status)


@login_required
def run_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _run_page(request, _managed_run(request, pk))


@login_required
def run_progress_view(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment polled by htmx every second; once the run is done the page reloads."""
    run = _managed_run(request, pk)
    response = render(request, "reviews/_run_progress.html", {"run": run, "active": run.status in ACTIVE})
    if run.status not in ACTIVE and is_htmx(request):
        response["HX-Refresh"] = "true"
    return response


def _edit(request, run, change, success: str) -> HttpResponse:
    try:
        change()
    except DomainError as error:
        return _run_page(request, run, status=error.status_code, error=error.message)
    messages.success(request, success)
    return redirect("reviews:run", pk=run.pk)


def _assignment(run: AssignmentRun, assignment_pk: int) -> Assignment:
    return get_object_or_404(
        Assignment.objects.select_related("application", "reviewer", "run__call"), pk=assignment_pk, run=run
    )


@login_required
@require_POST
def run_remove_view(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    run = _managed_run(request, pk)
    assignment = _assignment(run, assignment_pk)
    return _edit(
        request,
        run,
        lambda: remove_assignment(assignment=assignment, by=request.user),
        f"{assignment.reviewer} is removed from {assignment.application.reference}.",
    )


@login_required
@require_POST
def run_swap_view(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    run = _managed_run(request, pk)
    assignment = _assignment(run, assignment_pk)
    form = SwapForm(
        request.POST,
        prefix=f"swap{assignment.pk}",
        reviewers=User.objects.filter(review_invitations__call=run.call),
    )
    if not form.is_valid():
        return _run_page(request, run, status=400, error="Choose the reviewer to swap to.")
    reviewer = User.objects.get(pk=form.cleaned_data["reviewer"])
    return _edit(
        request,
        run,
        lambda: swap_assignment(assignment=assignment, reviewer=reviewer, by=request.user),
        f"{assignment.application.reference} now goes to {reviewer} instead of {assignment.reviewer}.",
    )


@login_required
@require_POST
def run_pin_view(request: HttpRequest, pk: int, assignment_pk: int) -> HttpResponse:
    run = _managed_run(request, pk)
    assignment = _assignment(run, assignment_pk)
    pinned = request.POST.get("pinned") == "1"
    done = "pinned" if pinned else "unpinned"
    return _edit(
        request,
        run,
        lambda: set_pinned(assignment=assignment, pinned=pinned, by=request.user),
        f"{assignment.reviewer} on {assignment.application.reference} is {done}.",
    )


@login_required
@require_POST
def run_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    run = _managed_run(request, pk)
    form = AddAssignmentForm(request.POST)
    if not form.is_valid():
        return _run_page(request, run, status=400, error="Choose an application and a reviewer to add.")
    application = get_object_or_404(run.call.applications.all(), pk=form.cleaned_data["application"])
    reviewer = get_object_or_404(User, pk=form.cleaned_data["reviewer"], review_invitations__call=run.call)
    return _edit(
        request,
        run,
        lambda: add_assignment(run=run, application=application, reviewer=reviewer, by=request.user),
        f"{reviewer} is added to {application.reference}.",
    )


@login_required
@require_POST
def run_publish_view(request: HttpRequest, pk: int) -> HttpResponse:
    run = _managed_run(request, pk)
    form = PublishRunForm(request.POST)
    if not form.is_valid():
        return _run_page(request, run, status=400, error="Give the date reviews are due.", publish_form=form)
    try:
        publish_assignment_run(run=run, by=request.user, due_at=form.cleaned_data["due_at"])
    except DomainError as error:
        return _run_page(request, run, status=error.status_code, error=error.message, publish_form=form)
    messages.success(request, "The assignment is published; the reviewers are told by e-mail.")
    return redirect("reviews:run", pk=run.pk)
