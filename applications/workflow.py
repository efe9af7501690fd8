"""The call lifecycle, declared as data so that staff and readers see the whole flow at once.

    draft ──open──▶ open ──close──▶ closed ──start review──▶ in_review ──decide──▶ decided
                      ▲                │
                      └────reopen──────┘

Each transition names who may take it and the guards that must hold; a guard returns a reason
when it refuses. ``applications.services.transition_call`` is the only code that applies them.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from applications.models import Call
from core.errors import ALLOWED, Verdict, deny

S = Call.Status
Guard = Callable[[Call, datetime], Verdict]


def _has_opening_details(call: Call, now: datetime) -> Verdict:
    if not call.description.strip():
        return deny("Write the call's description before opening it: applicants need to know what it funds.")
    return ALLOWED


def _opening_time_reached(call: Call, now: datetime) -> Verdict:
    if call.opens_at > now:
        return deny(
            f"The call is due to open at {call.opens_local:%d %b %Y %H:%M %Z}. Tick “open automatically” to "
            "open it then, or bring the opening time forward."
        )
    return ALLOWED


def _closing_time_ahead(call: Call, now: datetime) -> Verdict:
    if call.closes_at <= now:
        return deny(
            f"The closing time ({call.closes_local:%d %b %Y %H:%M %Z}) has passed. "
            "Set a later closing time first."
        )
    return ALLOWED


def _no_pending_decisions(call: Call, now: datetime) -> Verdict:
    from awards.models import Decision  # awards builds on applications: imported when first needed

    pending = Decision.objects.filter(call=call, status=Decision.Status.PENDING).count()
    if pending:
        return deny(
            f"{pending} funding decision{'s are' if pending != 1 else ' is'} still pending: apply or clear "
            "them before marking the call as decided."
        )
    return ALLOWED


@dataclass(frozen=True)
class Transition:
    name: str
    source: str
    target: str
    label: str
    verb: str
    chair_may: bool = False
    guards: tuple[Guard, ...] = ()
    needs_reason_before_close: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "open",
        S.DRAFT,
        S.OPEN,
        "Open for submissions",
        "call.opened",
        guards=(_has_opening_details, _opening_time_reached, _closing_time_ahead),
    ),
    Transition("close", S.OPEN, S.CLOSED, "Close submissions", "call.closed", needs_reason_before_close=True),
    Transition(
        "reopen", S.CLOSED, S.OPEN, "Reopen submissions", "call.reopened", guards=(_closing_time_ahead,)
    ),
    Transition("start_review", S.CLOSED, S.IN_REVIEW, "Start review", "call.review_started", chair_may=True),
    Transition(
        "decide",
        S.IN_REVIEW,
        S.DECIDED,
        "Mark as decided",
        "call.decided",
        chair_may=True,
        guards=(_no_pending_decisions,),
    ),
)
BY_TARGET = {(t.source, t.target): t for t in TRANSITIONS}


def transition_between(source: str, target: str) -> Transition | None:
    return BY_TARGET.get((source, target))


def transitions_from(source: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == source]
