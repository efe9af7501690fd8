"""The phases of a priority-setting round, declared as data.

    draft ──open──▶ gathering ──start voting──▶ voting ──close voting──▶ final ──close──▶ closed

Gathering: community members propose questions (drafts are kept) and moderators publish them.
Voting (the interim ranking): each member spreads the round's votes over the published questions
and may move them until voting closes. Final: a steering group of community members and researchers
chooses the top ten, recorded with the votes behind it. Staff take every transition; a guard
returns the reason when it refuses. ``priorities.services.rounds.transition_round`` applies them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from core.errors import ALLOWED, Verdict, deny
from priorities.models import Question, Round

P = Round.Phase
Guard = Callable[[Round, datetime], Verdict]


def _opening_time_reached(round_: Round, now: datetime) -> Verdict:
    if round_.opens_at > now:
        return deny(
            f"The round is due to open on {round_.opens_at:%d %B %Y}; bring the opening date forward."
        )
    return ALLOWED


def _gathering_time_ahead(round_: Round, now: datetime) -> Verdict:
    if round_.gathering_closes_at <= now:
        return deny("The date for gathering questions has passed: set a later one first.")
    return ALLOWED


def _has_published_questions(round_: Round, now: datetime) -> Verdict:
    if not round_.questions.filter(status=Question.Status.PUBLISHED).exists():
        return deny("No question is published yet: there is nothing to vote on.")
    return ALLOWED


def _voting_time_ahead(round_: Round, now: datetime) -> Verdict:
    if round_.voting_closes_at <= now:
        return deny("The date voting closes has passed: set a later one first.")
    return ALLOWED


def _top_ten_recorded(round_: Round, now: datetime) -> Verdict:
    if not hasattr(round_, "top_ten"):
        return deny("Record the steering group's final list before closing the round.")
    return ALLOWED


@dataclass(frozen=True)
class Transition:
    name: str
    source: str
    target: str
    label: str
    verb: str
    guards: tuple[Guard, ...] = ()
    reason_needed_before: str = ""  # a date field: taking the transition before it needs a reason


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "open",
        P.DRAFT,
        P.GATHERING,
        "Open for questions",
        "priority_round.opened",
        guards=(_opening_time_reached, _gathering_time_ahead),
    ),
    Transition(
        "start_voting",
        P.GATHERING,
        P.VOTING,
        "Start voting",
        "priority_round.voting_started",
        guards=(_has_published_questions, _voting_time_ahead),
        reason_needed_before="gathering_closes_at",
    ),
    Transition(
        "close_voting",
        P.VOTING,
        P.FINAL,
        "Close voting",
        "priority_round.voting_closed",
        reason_needed_before="voting_closes_at",
    ),
    Transition(
        "close", P.FINAL, P.CLOSED, "Close the round", "priority_round.closed", guards=(_top_ten_recorded,)
    ),
)
BY_TARGET = {(t.source, t.target): t for t in TRANSITIONS}


def transition_between(source: str, target: str) -> Transition | None:
    return BY_TARGET.get((source, target))


def transitions_from(source: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == source]
