"""Voting: each member spreads the round's votes (e.g. 10) over the published questions, at most a
few (e.g. 3) on one, and may move them until voting closes. Every change is saved at once."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from audit.services import record_event
from core.errors import Invalid, NotAllowed, StateConflict, ensure
from priorities.models import Ballot, Question, Vote
from priorities.permissions import can_take_part, voting_open
from priorities.selectors import BallotSummary


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


@transaction.atomic
def set_votes(*, question: Question, by: User, count: int, now: datetime | None = None) -> BallotSummary:
    """Give ``count`` of the member's votes to ``question`` (0 takes them all back); moving a vote is
    taking it from one question and giving it to another.

    The question's row (only it, not its round: members vote in parallel) and then the member's
    ballot row are locked, always in that order as in moderation. Concurrent requests from one member
    queue on the ballot and each sees the votes the others saved, so the limits hold however many
    arrive at once.
    """
    now = now or timezone.now()
    ensure(can_take_part(by, "vote"), NotAllowed)
    if count < 0:
        raise Invalid("The number of votes cannot be negative.", field_errors={"votes": ["Give 0 or more."]})
    question = (
        Question.objects.select_for_update(no_key=True, of=("self",))
        .select_related("round")
        .get(pk=question.pk)
    )
    round_ = question.round
    ensure(voting_open(round_, now), StateConflict)
    if question.status != Question.Status.PUBLISHED:
        raise StateConflict("Votes can only go to published questions.")
    if count > round_.max_votes_per_question:
        raise StateConflict(
            f"You can give one question at most {_plural(round_.max_votes_per_question, 'vote')}."
        )
    ballot, _ = Ballot.objects.select_for_update().get_or_create(round=round_, member=by)
    votes = dict(ballot.votes.values_list("question_id", "count"))
    before = votes.get(question.pk, 0)
    summary = BallotSummary(round_.votes_per_member, round_.max_votes_per_question, votes)
    if count == before:
        return summary
    elsewhere = summary.used - before
    if elsewhere + count > round_.votes_per_member:
        left = round_.votes_per_member - elsewhere
        raise StateConflict(
            f"You have {_plural(left, 'vote')} left to give, and {count} would go over your "
            f"{round_.votes_per_member}. Take votes from another question first."
        )
    if count:
        Vote.objects.update_or_create(ballot=ballot, question=question, defaults={"count": count})
        votes[question.pk] = count
    else:
        ballot.votes.filter(question=question).delete()
        votes.pop(question.pk, None)
    ballot.save(update_fields=["updated_at"])
    record_event(
        ballot,
        "priority_vote.set",
        by=by,
        before={"votes": before},
        after={"votes": count},
        question=question.pk,
        used=sum(votes.values()),
    )
    return BallotSummary(round_.votes_per_member, round_.max_votes_per_question, votes)
