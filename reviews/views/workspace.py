"""The reviewer workspace: the application beside the review form, saved in place as the reviewer
types (htmx), submitted, edited while the phase allows, declined or set aside for a conflict.

Only the assigned reviewer reaches it, only for a published assignment without a conflict: every
other user gets 404 (``reviews.selectors_workspace.workspace_assignment``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from applications.selectors import application_detail, budget_total
from core.errors import DomainError, StateConflict
from reviews.forms import DeclareConflictForm
from reviews.forms_review import (
    DeclineAssignmentForm,
    parse_review_post,
    score_fields,
    text_fields,
    values_of,
)
from reviews.models import Assignment, Review
from reviews.selectors_reviews import active_phase, can_write_review
from reviews.selectors_workspace import others_reviews_for, progress_in_call, workspace_assignment
from reviews.services.assignment_response import decline_assignment
from reviews.services.pool import declare_conflict
from reviews.services.reviewing import (
    STALE,
    edit_submitted_review,
    form_for,
    reviewer_kind,
    save_review_draft,
    submit_review,
)
from reviews.views.common import is_htmx

STALE_MESSAGE = "This review changed in another tab or window; reload to see the latest."
TAB_LENGTH = 32


def _assignment(request: HttpRequest, assignment_id: int) -> Assignment:
    assignment = workspace_assignment(request.user, assignment_id)
    if assignment is None:
        raise Http404("No such assignment of yours.")
    return assignment


def _review(assignment: Assignment) -> Review | None:
    return Review.objects.filter(assignment=assignment).prefetch_related("scores__criterion").first()


def _criteria(assignment: Assignment):
    """The call's form for the reviewer's kind and its criteria; (None, []) while there is none."""
    try:
        form = form_for(assignment)
    except StateConflict:
        return None, []
    return form, form.criteria_for(reviewer_kind(assignment.reviewer))


def _context(request, assignment, *, values=None, errors=None, problem="", version=None, **extra) -> dict:
    review = _review(assignment)
    form, criteria = _criteria(assignment)
    write = can_write_review(request.user, assignment)
    submitted = review is not None and review.status == Review.Status.SUBMITTED
    values = values or values_of(review)
    errors = errors or {}
    application = application_detail(assignment.application)
    others, others_reason = others_reviews_for(request.user, application)
    return {
        "assignment": assignment,
        "application": application,
        "call": application.call,
        "budget_total": budget_total(application),
        "review": review,
        "review_form": form,
        "score_fields": score_fields(form, criteria, values, errors) if form else [],
        "text_fields": text_fields(values, errors),
        "version": version if version is not None else (review.version if review else ""),
        "editable": bool(write) and form is not None,
        "submitted": submitted,
        "write_reason": write.reason,
        "phase": active_phase(application.call),
        "progress": progress_in_call(request.user, application.call, after=assignment),
        "others": others,
        "others_reason": others_reason,
        "problem": problem,
        "field_errors": errors,
        "decline_form": extra.pop("decline_form", None) or DeclineAssignmentForm(prefix="decline"),
        "conflict_form": extra.pop("conflict_form", None) or DeclareConflictForm(prefix="coi"),
        **extra,
    }


def _page(request, assignment, *, status: int = 200, **kwargs) -> HttpResponse:
    return render(request, "reviews/workspace.html", _context(request, assignment, **kwargs), status=status)


def _url(assignment: Assignment) -> str:
    return reverse("reviews:workspace", args=[assignment.pk])


def _save(request: HttpRequest, assignment: Assignment, posted, *, action: str) -> Review:
    """Run the reviewer's action through the services; raises their DomainError unchanged."""
    review = Review.objects.filter(assignment=assignment).first()
    fields = {"scores": posted.scores, "overall": posted.overall, "version": posted.version, **posted.texts}
    if review is not None and review.status == Review.Status.SUBMITTED:
        if action != "edit":
            raise StateConflict("This review is submitted; use “Save changes” to edit it.")
        return edit_submitted_review(review=review, by=request.user, **fields)
    tab = request.POST.get("tab", "")[:TAB_LENGTH]
    review = save_review_draft(assignment=assignment, by=request.user, tab=tab, **fields)
    if action == "submit":
        posted.version = review.version  # the draft is kept whatever the submission says
        review = submit_review(review=review, by=request.user)
    return review


@login_required
@never_cache  # the page holds the version and is named per load (granted.js): never reused from a cache
def workspace_view(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """GET: the workspace. POST (without JavaScript, and for the buttons): ``action`` is ``save``,
    ``save_next``, ``submit`` or ``edit``."""
    assignment = _assignment(request, assignment_id)
    if request.method != "POST":
        return _page(request, assignment)
    action = request.POST.get("action", "save")
    _, criteria = _criteria(assignment)
    posted = parse_review_post(request.POST, criteria)
    try:
        _save(request, assignment, posted, action=action)
    except DomainError as error:
        stale = error.message == STALE
        return _page(
            request,
            assignment,
            status=error.status_code,
            values=posted.raw,
            errors=error.field_errors,
            problem=STALE_MESSAGE if stale else error.message,
            version=posted.version if posted.version is not None else "",
        )
    if action == "submit":
        messages.success(request, "Your review is submitted. Thank you.")
    elif action == "edit":
        messages.success(request, "Your changes to the submitted review are saved.")
    else:
        messages.success(request, "Draft saved.")
    if action == "save_next":
        after = progress_in_call(request.user, assignment.call, after=assignment)
        if after.next_unfinished is None:
            messages.info(request, f"No other unfinished reviews in this call ({after.label}).")
            return redirect("reviews:my_assignments")
        return redirect(_url(after.next_unfinished))
    return redirect(_url(assignment))


@login_required
@require_POST
def workspace_autosave_view(request: HttpRequest, assignment_id: int) -> HttpResponse:
    """The htmx autosave of a draft: a status fragment and the new version (out of band); 409 with a
    message and nothing overwritten when the review was saved meanwhile elsewhere."""
    assignment = _assignment(request, assignment_id)
    _, criteria = _criteria(assignment)
    posted = parse_review_post(request.POST, criteria)
    try:
        review = _save(request, assignment, posted, action="save")
    except DomainError as error:
        if not is_htmx(request):
            messages.error(request, error.message)
            return redirect(_url(assignment))
        stale = error.message == STALE
        details = [m for messages_ in error.field_errors.values() for m in messages_]
        text = STALE_MESSAGE if stale else " ".join([f"Not saved: {error.message}", *details])
        return render(request, "reviews/_review_save_status.html", {"error": text}, status=error.status_code)
    if not is_htmx(request):
        messages.success(request, "Draft saved.")
        return redirect(_url(assignment))
    return render(
        request,
        "reviews/_review_save_status.html",
        {"saved_at": timezone.localtime(review.updated_at), "version": review.version},
    )


@login_required
@require_POST
def workspace_decline_view(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = _assignment(request, assignment_id)
    form = DeclineAssignmentForm(request.POST, prefix="decline")
    if form.is_valid():
        try:
            decline_assignment(assignment=assignment, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            form.add_error(None, error.message)
            return _page(request, assignment, status=error.status_code, decline_form=form)
        messages.success(request, f"You declined {assignment.application.reference}.")
        return redirect("reviews:my_assignments")
    return _page(request, assignment, status=400, decline_form=form)


@login_required
@require_POST
def workspace_conflict_view(request: HttpRequest, assignment_id: int) -> HttpResponse:
    assignment = _assignment(request, assignment_id)
    form = DeclareConflictForm(request.POST, prefix="coi")
    if form.is_valid():
        try:
            declare_conflict(application=assignment.application, by=request.user, **form.cleaned_data)
        except DomainError as error:
            form.add_error(None, error.message)
            return _page(request, assignment, status=error.status_code, conflict_form=form)
        reference = assignment.application.reference
        messages.success(request, f"Conflict declared: {reference} is no longer shown to you.")
        return redirect("reviews:my_assignments")
    return _page(request, assignment, status=400, conflict_form=form)
