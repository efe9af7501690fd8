"""Questions in the portal: proposing (drafts kept between visits), a question's public page with its
discussion and "what became of it", voting and commenting. Everything works without JavaScript;
with htmx a vote is saved in place."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.forms import apply_error
from priorities.forms import CommentForm, QuestionForm, VoteForm
from priorities.models import Question
from priorities.permissions import can_comment, can_edit_draft, can_propose, can_vote, is_moderator
from priorities.selectors import (
    ballot_summary,
    calls_addressing,
    choices_of,
    comments_for,
    funded_projects_for,
)
from priorities.services import add_comment, delete_draft, save_question_draft, set_votes, submit_question
from priorities.views.common import is_htmx, require, safe_next, visible_question, visible_round

SENT = "Thank you. Your question is with the moderators; you will see it here when it is published."
DRAFT_SAVED = "Your draft is saved. Only you can see it; come back to it at any time from “My questions”."


def _save_question(request: HttpRequest, form: QuestionForm, *, round_, question=None):
    """Save the draft and, when the member pressed "Send", send it. Returns the question, or None
    with the refusal shown on the form."""
    data = form.cleaned_data
    try:
        question = save_question_draft(
            round_=round_,
            by=request.user,
            question=question,
            title=data["title"],
            description=data["description"],
            focus_area=data["focus_area"],
        )
        if request.POST.get("action") == "send":
            question = submit_question(question=question, by=request.user)
    except DomainError as error:
        apply_error(form, error)
        return None
    return question


def _after_save(request: HttpRequest, question: Question) -> HttpResponse:
    if question.status == Question.Status.SUBMITTED:
        messages.success(request, SENT)
        return redirect("priorities:mine")
    messages.success(request, DRAFT_SAVED)
    return redirect("priorities:draft_edit", pk=question.pk)


@login_required
def propose_view(request: HttpRequest, slug: str) -> HttpResponse:
    round_ = visible_round(request, slug)
    verdict = can_propose(request.user, round_, timezone.now())
    form = QuestionForm(request.POST or None)
    if request.method == "POST":
        require(verdict)
        if form.is_valid() and (question := _save_question(request, form, round_=round_)):
            return _after_save(request, question)
    context = {"round": round_, "form": form, "verdict": verdict}
    return render(request, "priorities/propose.html", context, status=400 if form.errors else 200)


def _own_draft(request: HttpRequest, pk: int) -> Question:
    return get_object_or_404(
        Question.objects.select_related("round", "focus_area"), pk=pk, author=request.user, status="draft"
    )


@login_required
def draft_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    question = _own_draft(request, pk)
    verdict = can_edit_draft(request.user, question, timezone.now())
    initial = {
        "title": question.title,
        "description": question.description,
        "focus_area": question.focus_area,
    }
    form = QuestionForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require(verdict)
        if form.is_valid() and (
            saved := _save_question(request, form, round_=question.round, question=question)
        ):
            return _after_save(request, saved)
    context = {"round": question.round, "form": form, "question": question, "verdict": verdict}
    return render(request, "priorities/propose.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def draft_delete_view(request: HttpRequest, pk: int) -> HttpResponse:
    question = _own_draft(request, pk)
    try:
        delete_draft(question=question, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "Your draft is deleted.")
    return redirect("priorities:mine")


def question_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A question's page: what it asks, its place in the final list, the calls that address it, the
    projects funded from them, the discussion, and the member's votes on it."""
    question = visible_question(request, pk)
    user = request.user
    if question.status == Question.Status.MERGED and question.merged_into_id and not is_moderator(user):
        messages.info(request, "That question was merged with a similar one: here it is.")
        return redirect("priorities:question", pk=question.merged_into_id)
    return _question_page(request, question)


def _question_page(request: HttpRequest, question: Question, *, comment_form=None, status: int = 200):
    user = request.user
    round_ = question.round
    vote_verdict = can_vote(user, round_, timezone.now()) if question.is_published else None
    context = {
        "question": question,
        "round": round_,
        "is_author": user.is_authenticated and question.author_id == user.pk,
        "is_moderator": is_moderator(user),
        "comments": list(comments_for(question=question, viewer=user)),
        "comment_verdict": can_comment(user, question),
        "comment_form": comment_form or CommentForm(),
        "vote_verdict": vote_verdict,
        "ballot": ballot_summary(round_=round_, member=user) if vote_verdict else None,
        "calls": list(calls_addressing(question)),
        "funded": list(funded_projects_for(question)),
        "choices": list(choices_of(question)),
    }
    return render(request, "priorities/question.html", context, status=status)


@login_required
@require_POST
def vote_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the member's votes on one question (each change is saved at once)."""
    question = visible_question(request, pk)
    form = VoteForm(request.POST)
    error, status, summary = "", 200, None
    if not form.is_valid():
        error, status = "Choose how many votes to give this question.", 400
    else:
        try:
            summary = set_votes(question=question, by=request.user, count=form.cleaned_data["votes"])
        except DomainError as refusal:
            error, status = refusal.message, refusal.status_code
    if is_htmx(request):
        context = {
            "question": question,
            "ballot": ballot_summary(round_=question.round, member=request.user),
            "error": error,
            "saved": not error,
            "oob": True,
            "next": safe_next(request, ""),
        }
        return render(request, "priorities/_vote_control.html", context, status=status)
    if error:
        messages.error(request, error)
    else:
        votes = summary.on(question.pk)
        messages.success(
            request,
            f"Saved: {votes} vote{'' if votes == 1 else 's'} on “{question.title}”. "
            f"You have {summary.remaining} of {summary.limit} left.",
        )
    fallback = reverse("priorities:round", args=[question.round.slug])
    return redirect(safe_next(request, fallback).split("#")[0] + f"#question-{question.pk}")


@login_required
@require_POST
def comment_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    question = visible_question(request, pk)
    form = CommentForm(request.POST)
    status = 400
    if form.is_valid():
        try:
            comment = add_comment(question=question, by=request.user, body=form.cleaned_data["body"])
        except DomainError as error:
            apply_error(form, error)
            status = error.status_code
        else:
            messages.success(request, "Your comment is added.")
            return redirect(reverse("priorities:question", args=[question.pk]) + f"#comment-{comment.pk}")
    return _question_page(request, question, comment_form=form, status=status)
