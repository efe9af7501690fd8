"""What community members do with questions: write a draft (kept between visits), send it to the
moderators, and discuss published questions."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from applications.models import FocusArea
from audit.services import record_event
from core.errors import Invalid, NotAllowed, StateConflict, ensure
from priorities.models import Comment, Question, Round
from priorities.permissions import (
    can_edit_draft,
    can_join_discussion,
    can_take_part,
    discussion_open,
    gathering_open,
)

TEXT_FIELDS = ["title", "description", "focus_area"]


def question_text(question: Question) -> dict:
    return {
        "title": question.title,
        "description": question.description,
        "focus_area": question.focus_area_id,
    }


def apply_question_text(
    question: Question, *, title: str, description: str, focus_area: FocusArea | None
) -> None:
    """Set a question's words, tidied, and check them (for a member's draft and a moderator's edit)."""
    question.title = " ".join(title.split())
    question.description = description.strip()
    question.focus_area = focus_area
    errors = {}
    if not question.title:
        errors["title"] = ["Write your question in a sentence or two."]
    if focus_area is None:
        errors["focus_area"] = ["Choose the area your question is about."]
    if errors:
        raise Invalid("Please correct the errors below.", field_errors=errors)
    question.full_clean(exclude=["round", "author"])


@transaction.atomic
def save_question_draft(
    *,
    round_: Round,
    by: User,
    title: str,
    description: str = "",
    focus_area: FocusArea | None,
    question: Question | None = None,
    now: datetime | None = None,
) -> Question:
    """Keep a member's question as a draft that only they see, so that nothing is lost between visits
    (for someone whose energy comes and goes, a question may take several sittings)."""
    now = now or timezone.now()
    if question is None:
        ensure(can_take_part(by, "propose a question"), NotAllowed)
        ensure(gathering_open(round_, now), StateConflict)
        question, before = Question(round=round_, author=by), {}
    else:
        question = (
            Question.objects.select_for_update(of=("self",)).select_related("round").get(pk=question.pk)
        )
        _ensure_own_draft(question, by, now)
        before = question_text(question)
    apply_question_text(question, title=title, description=description, focus_area=focus_area)
    after = question_text(question)
    if after != before:
        question.save()
        record_event(question, "priority_question.draft_saved", by=by, before=before, after=after)
    return question


def _ensure_own_draft(question: Question, by: User, now: datetime) -> None:
    if not by.is_authenticated or question.author_id != by.pk:
        raise NotAllowed("Only the person who wrote this question can change it.")
    ensure(can_edit_draft(by, question, now), StateConflict)


@transaction.atomic
def submit_question(*, question: Question, by: User, now: datetime | None = None) -> Question:
    """Send a draft to the moderators. The author's words are kept as they are now, so that a later
    edit for clarity never loses them."""
    now = now or timezone.now()
    question = Question.objects.select_for_update(of=("self",)).select_related("round").get(pk=question.pk)
    _ensure_own_draft(question, by, now)
    question.status = Question.Status.SUBMITTED
    question.submitted_at = now
    question.original_title, question.original_description = question.title, question.description
    question.save(
        update_fields=["status", "submitted_at", "original_title", "original_description", "updated_at"]
    )
    record_event(
        question,
        "priority_question.submitted",
        by=by,
        before={"status": Question.Status.DRAFT},
        after={"status": question.status, **question_text(question)},
    )
    return question


@transaction.atomic
def delete_draft(*, question: Question, by: User) -> None:
    """A member throws away a draft they no longer want (only a draft: sent questions stay)."""
    question = Question.objects.select_for_update().get(pk=question.pk)
    if not by.is_authenticated or question.author_id != by.pk:
        raise NotAllowed("Only the person who wrote this question can delete it.")
    if question.status != Question.Status.DRAFT:
        raise StateConflict("Only a draft can be deleted; this question has been sent to the moderators.")
    record_event(question, "priority_question.draft_deleted", by=by, before=question_text(question))
    question.delete()


@transaction.atomic
def add_comment(*, question: Question, by: User, body: str) -> Comment:
    """Add to the discussion of a published question."""
    ensure(can_join_discussion(by), NotAllowed)
    question = Question.objects.select_related("round").get(pk=question.pk)
    ensure(discussion_open(question), StateConflict)
    body = body.strip()
    if not body:
        raise Invalid("Write your comment first.", field_errors={"body": ["Write your comment first."]})
    comment = Comment(question=question, author=by, body=body)
    comment.full_clean()
    comment.save()
    record_event(comment, "priority_comment.added", by=by, after={"question": question.pk, "body": body})
    return comment
