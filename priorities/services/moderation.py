"""Moderation: publishing questions, editing them for clarity (the author's words are kept), merging
duplicates, hiding questions and comments. Each action carries a reason into the audit trail and the
question's ``moderator_note``, which its author sees."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from applications.models import FocusArea
from audit.services import record_event
from core.errors import Invalid, NotAllowed, StateConflict, ensure
from priorities.models import Ballot, Comment, Question, Round, Vote
from priorities.permissions import can_moderate
from priorities.services.questions import apply_question_text, question_text

S = Question.Status
# Votes are frozen once voting closes: publishing, merging and hiding change what members voted on.
OPEN_PHASES = (Round.Phase.GATHERING, Round.Phase.VOTING)
PUBLISHED_AS_PROPOSED = "Published as proposed."


def _reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise Invalid(
            "Give a reason: it goes into the audit trail.", field_errors={"reason": ["Give a reason."]}
        )
    return reason


def _locked(question: Question) -> Question:
    return Question.objects.select_for_update(of=("self",)).select_related("round").get(pk=question.pk)


def _ensure_votes_open(question: Question, action: str) -> None:
    if question.round.phase not in OPEN_PHASES:
        raise StateConflict(
            f"Voting in {question.round.title} has closed: questions can no longer be {action}."
        )


@transaction.atomic
def publish_question(
    *, question: Question, by: User, reason: str = "", now: datetime | None = None
) -> Question:
    """Make a question sent by its author (or one hidden earlier) public, to discuss and vote on."""
    ensure(can_moderate(by), NotAllowed)
    question = _locked(question)
    if question.status not in (S.SUBMITTED, S.HIDDEN):
        raise StateConflict(
            f"This question is {question.get_status_display().lower()}: it cannot be published."
        )
    _ensure_votes_open(question, "published")
    reason = reason.strip() or PUBLISHED_AS_PROPOSED
    before = question.status
    question.status = S.PUBLISHED
    question.published_at = question.published_at or now or timezone.now()
    question.moderator_note = reason
    question.save(update_fields=["status", "published_at", "moderator_note", "updated_at"])
    record_event(
        question,
        "priority_question.published",
        by=by,
        before={"status": before},
        after={"status": S.PUBLISHED},
        reason=reason,
    )
    return question


@transaction.atomic
def edit_question(
    *,
    question: Question,
    by: User,
    title: str,
    description: str,
    focus_area: FocusArea | None,
    reason: str,
    now: datetime | None = None,
) -> Question:
    """Edit a question for clarity (plain words, one question at a time). The author's original
    wording stays in ``original_title`` and ``original_description``, and the author sees both."""
    ensure(can_moderate(by), NotAllowed)
    reason = _reason(reason)
    question = _locked(question)
    if question.status in (S.DRAFT, S.MERGED):
        raise StateConflict(f"This question is {question.get_status_display().lower()}: it cannot be edited.")
    if question.round.phase == Round.Phase.CLOSED:
        raise StateConflict("The round is closed: its questions stay as they were chosen.")
    if not question.original_title:  # sent before originals were kept: what it says now is the author's
        question.original_title, question.original_description = question.title, question.description
    before = question_text(question)
    apply_question_text(question, title=title, description=description, focus_area=focus_area)
    after = question_text(question)
    if after == before:
        raise Invalid("Nothing has changed: edit the wording before saving.")
    question.edited_at = now or timezone.now()
    question.moderator_note = reason
    question.save()
    record_event(question, "priority_question.edited", by=by, before=before, after=after, reason=reason)
    return question


def _locked_ballots(question: Question) -> list[Ballot]:
    """The ballots with votes on ``question``, locked in a fixed order (questions are always locked
    before ballots, here as in ``set_votes``, so that the two never wait on each other)."""
    return list(
        Ballot.objects.select_for_update(of=("self",)).filter(votes__question=question).order_by("pk")
    )


@transaction.atomic
def merge_question(*, question: Question, into: Question, by: User, reason: str) -> Question:
    """Merge a duplicate into a published question of the same round. Its votes follow it, up to the
    round's limit per question (votes above the limit go back to the member to give again)."""
    ensure(can_moderate(by), NotAllowed)
    reason = _reason(reason)
    if question.pk == into.pk:
        raise Invalid(
            "A question cannot be merged into itself.", field_errors={"into": ["Choose another question."]}
        )
    first, second = sorted([question.pk, into.pk])
    locked = {q.pk: q for q in (_locked(Question(pk=first)), _locked(Question(pk=second)))}
    question, into = locked[question.pk], locked[into.pk]
    if question.round_id != into.round_id:
        raise Invalid(
            "Only questions of the same round can be merged.",
            field_errors={"into": ["Choose a question of this round."]},
        )
    if question.status not in (S.SUBMITTED, S.PUBLISHED, S.HIDDEN):
        raise StateConflict(f"This question is {question.get_status_display().lower()}: it cannot be merged.")
    if into.status != S.PUBLISHED:
        raise StateConflict("Merge into a published question.")
    _ensure_votes_open(question, "merged")
    limit = question.round.max_votes_per_question
    moved = returned = 0
    for ballot in _locked_ballots(question):
        vote = ballot.votes.get(question=question)
        target = ballot.votes.filter(question=into).first() or Vote(ballot=ballot, question=into, count=0)
        given = min(vote.count, limit - target.count)
        if given:
            target.count += given
            target.save()
        moved, returned = moved + given, returned + vote.count - given
        vote.delete()
    before = question.status
    question.status, question.merged_into, question.moderator_note = S.MERGED, into, reason
    question.save(update_fields=["status", "merged_into", "moderator_note", "updated_at"])
    record_event(
        question,
        "priority_question.merged",
        by=by,
        before={"status": before},
        after={"status": S.MERGED, "merged_into": into.pk},
        reason=reason,
        moved_votes=moved,
        returned_votes=returned,
    )
    return question


@transaction.atomic
def hide_question(*, question: Question, by: User, reason: str) -> Question:
    """Hide a question from everyone but its author and the moderators. Its votes go back to the
    members, to give to other questions."""
    ensure(can_moderate(by), NotAllowed)
    reason = _reason(reason)
    question = _locked(question)
    if question.status not in (S.SUBMITTED, S.PUBLISHED):
        raise StateConflict(f"This question is {question.get_status_display().lower()}: it cannot be hidden.")
    _ensure_votes_open(question, "hidden")
    _locked_ballots(question)
    returned = sum(vote.count for vote in question.votes.all())
    question.votes.all().delete()
    before = question.status
    question.status, question.moderator_note = S.HIDDEN, reason
    question.save(update_fields=["status", "moderator_note", "updated_at"])
    record_event(
        question,
        "priority_question.hidden",
        by=by,
        before={"status": before},
        after={"status": S.HIDDEN},
        reason=reason,
        returned_votes=returned,
    )
    return question


@transaction.atomic
def hide_comment(*, comment: Comment, by: User, reason: str, now: datetime | None = None) -> Comment:
    """Hide a comment from the discussion (moderators still see it, with the reason)."""
    ensure(can_moderate(by), NotAllowed)
    reason = _reason(reason)
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.is_hidden:
        raise StateConflict("This comment is hidden already.")
    comment.hidden_at, comment.hidden_by, comment.hidden_reason = now or timezone.now(), by, reason
    comment.save(update_fields=["hidden_at", "hidden_by", "hidden_reason"])
    record_event(comment, "priority_comment.hidden", by=by, before={"body": comment.body}, reason=reason)
    return comment
