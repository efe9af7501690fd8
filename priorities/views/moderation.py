"""The moderators' side (staff): the queue of questions sent by members, one question's moderation
page (publish, edit for clarity, merge, hide, name the calls that address it) and hiding comments."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from core.decorators import staff_required
from core.errors import DomainError
from core.forms import apply_error
from priorities.forms import CallsForm, MergeForm, ModeratorEditForm, PublishForm, ReasonForm
from priorities.models import Comment, Question
from priorities.selectors import linkable_calls, merge_targets, moderation_queue, recent_comments
from priorities.services import (
    edit_question,
    hide_comment,
    hide_question,
    merge_question,
    publish_question,
    set_question_calls,
)
from priorities.views.common import safe_next

ACTIONS = ("publish", "edit", "merge", "hide", "calls")


@staff_required
def moderation_view(request: HttpRequest) -> HttpResponse:
    context = {"queue": list(moderation_queue()), "comments": list(recent_comments())}
    return render(request, "priorities/moderation.html", context)


def _forms(question: Question, bound: dict | None = None) -> dict:
    bound = bound or {}
    initial = {
        "title": question.title,
        "description": question.description,
        "focus_area": question.focus_area,
    }
    return {
        "publish": bound.get("publish") or PublishForm(prefix="publish"),
        "edit": bound.get("edit") or ModeratorEditForm(prefix="edit", initial=initial),
        "merge": bound.get("merge") or MergeForm(prefix="merge", targets=merge_targets(question)),
        "hide": bound.get("hide") or ReasonForm(prefix="hide"),
        "calls": bound.get("calls")
        or CallsForm(prefix="calls", calls=linkable_calls(), initial={"calls": list(question.calls.all())}),
    }


def _bind(action: str, question: Question, data) -> object:
    if action == "publish":
        return PublishForm(data, prefix="publish")
    if action == "edit":
        return ModeratorEditForm(data, prefix="edit")
    if action == "merge":
        return MergeForm(data, prefix="merge", targets=merge_targets(question))
    if action == "hide":
        return ReasonForm(data, prefix="hide")
    return CallsForm(data, prefix="calls", calls=linkable_calls())


def _apply(action: str, question: Question, data: dict, by) -> str:
    """Run the moderation service for ``action``; returns the message to show."""
    if action == "publish":
        publish_question(question=question, by=by, reason=data["reason"])
        return "The question is published."
    if action == "edit":
        edit_question(
            question=question,
            by=by,
            title=data["title"],
            description=data["description"],
            focus_area=data["focus_area"],
            reason=data["reason"],
        )
        return "The question is edited; the author's own words are kept."
    if action == "merge":
        merge_question(question=question, into=data["into"], by=by, reason=data["reason"])
        return "The question is merged; its votes moved with it."
    if action == "hide":
        hide_question(question=question, by=by, reason=data["reason"])
        return "The question is hidden; its votes went back to the members."
    set_question_calls(question=question, calls=list(data["calls"]), by=by)
    return "The calls that address this question are saved."


@staff_required
def moderate_question_view(request: HttpRequest, pk: int) -> HttpResponse:
    question = get_object_or_404(
        Question.objects.select_related("round", "focus_area", "author__community_profile", "merged_into"),
        pk=pk,
    )
    bound, status = {}, 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            return HttpResponse("Unknown moderation action.", status=400)
        form = _bind(action, question, request.POST)
        bound[action], status = form, 400
        if form.is_valid():
            try:
                text = _apply(action, question, form.cleaned_data, request.user)
            except DomainError as error:
                apply_error(form, error)
                status = error.status_code
            else:
                messages.success(request, text)
                return redirect("priorities:moderate_question", pk=question.pk)
    context = {"question": question, "forms": _forms(question, bound), "status": Question.Status}
    return render(request, "priorities/moderate_question.html", context, status=status)


@staff_required
@require_POST
def comment_hide_view(request: HttpRequest, pk: int) -> HttpResponse:
    comment = get_object_or_404(Comment.objects.select_related("question"), pk=pk)
    form = ReasonForm(request.POST, prefix=f"hide-comment-{comment.pk}")
    if not form.is_valid():
        messages.error(request, "Give a reason for hiding the comment.")
    else:
        try:
            hide_comment(comment=comment, by=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, "The comment is hidden.")
    fallback = reverse("priorities:question", args=[comment.question_id]) + f"#comment-{comment.pk}"
    return redirect(safe_next(request, fallback))
