"""Running a priority-setting round: creating and changing it, moving it through its phases
(``priorities.workflow``), recording the steering group's top ten, and naming the calls that
address a question."""

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Count, IntegerField, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from applications.models import Call
from audit.services import record_event
from core.errors import Invalid, NotAllowed, StateConflict, ensure
from priorities.models import PriorityChoice, Question, Round, TopTen
from priorities.permissions import can_manage_rounds, is_community_member
from priorities.workflow import transition_between, transitions_from

ROUND_FIELDS = [
    "title",
    "slug",
    "description",
    "opens_at",
    "gathering_closes_at",
    "voting_closes_at",
    "votes_per_member",
    "max_votes_per_question",
    "top_count",
]
# Fixed once voting starts: changing them would change what earlier votes meant.
VOTING_RULES = {"votes_per_member", "max_votes_per_question"}


def _snapshot(round_: Round) -> dict:
    return {name: getattr(round_, name) for name in ROUND_FIELDS}


@transaction.atomic
def create_round(*, by: User, **fields: Any) -> Round:
    """A new round, being prepared (only staff see it until it opens)."""
    ensure(can_manage_rounds(by), NotAllowed)
    unknown = set(fields) - set(ROUND_FIELDS)
    if unknown:
        raise Invalid(f"Unknown fields: {', '.join(sorted(unknown))}.")
    round_ = Round(**fields)
    round_.full_clean()
    round_.save()
    record_event(round_, "priority_round.created", by=by, after=_snapshot(round_))
    return round_


@transaction.atomic
def update_round(*, round_: Round, by: User, **changes: Any) -> Round:
    """Change a round's texts, dates or limits (the vote limits only before voting starts)."""
    ensure(can_manage_rounds(by), NotAllowed)
    unknown = set(changes) - set(ROUND_FIELDS)
    if unknown:
        raise Invalid(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    before = _snapshot(round_)
    changed = {name for name, value in changes.items() if before[name] != value}
    if changed & VOTING_RULES and round_.phase not in (Round.Phase.DRAFT, Round.Phase.GATHERING):
        raise StateConflict("Voting has started: the number of votes each member has can no longer change.")
    for name in changed:
        setattr(round_, name, changes[name])
    if changed:
        round_.full_clean()
        round_.save(update_fields=[*sorted(changed), "updated_at"])
        record_event(
            round_,
            "priority_round.updated",
            by=by,
            before={n: before[n] for n in changed},
            after={n: changes[n] for n in changed},
        )
    return round_


@transaction.atomic
def transition_round(
    *, round_: Round, to: str, by: User, reason: str = "", now: datetime | None = None
) -> Round:
    """Move a round to its next phase (see ``priorities.workflow``)."""
    now = now or timezone.now()
    ensure(can_manage_rounds(by), NotAllowed)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if to not in Round.Phase.values:
        raise Invalid(f"“{to}” is not a phase. Use one of: {', '.join(Round.Phase.values)}.")
    transition = transition_between(round_.phase, to)
    if transition is None:
        possible = ", ".join(t.target for t in transitions_from(round_.phase)) or "none"
        raise StateConflict(
            f"A round in the phase “{round_.get_phase_display()}” cannot move to “{Round.Phase(to).label}”. "
            f"From here it can move to: {possible}."
        )
    for guard in transition.guards:
        ensure(guard(round_, now), StateConflict)
    due = getattr(round_, transition.reason_needed_before) if transition.reason_needed_before else None
    if due is not None and now < due and not reason.strip():
        raise Invalid(
            f"This phase is due to end on {due:%d %B %Y}: give a reason for ending it early.",
            field_errors={"reason": ["Say why this phase ends early."]},
        )
    before = round_.phase
    round_.phase = to
    round_.save(update_fields=["phase", "updated_at"])
    record_event(round_, transition.verb, by=by, before={"phase": before}, after={"phase": to}, reason=reason)
    return round_


def _totals(round_: Round) -> dict[int, tuple[int, int]]:
    rows = (
        round_.questions.filter(status=Question.Status.PUBLISHED)
        .annotate(
            total=Coalesce(Sum("votes__count"), Value(0), output_field=IntegerField()),
            voters=Count("votes", distinct=True),
        )
        .values_list("pk", "total", "voters")
    )
    return {pk: (total, voters) for pk, total, voters in rows}


@transaction.atomic
def record_top_ten(
    *,
    round_: Round,
    questions: list[Question],
    steering_group: list[User],
    chosen_on: date,
    by: User,
    notes: str = "",
) -> TopTen:
    """Record the steering group's final list, in order, with the votes behind each question as they
    stand now. The group must include community members: the list is theirs as much as the
    researchers'."""
    ensure(can_manage_rounds(by), NotAllowed)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.phase != Round.Phase.FINAL:
        raise StateConflict("The final list is recorded after voting closes and before the round closes.")
    if TopTen.objects.filter(round=round_).exists():
        raise StateConflict("The final list of this round is recorded already.")
    totals = _totals(round_)
    wanted = min(round_.top_count, len(totals))
    ids = [q.pk for q in questions]
    errors = []
    if len(ids) != wanted:
        errors.append(f"Choose {wanted} questions, in order ({len(ids)} given).")
    if len(set(ids)) != len(ids):
        errors.append("A question appears twice.")
    if any(pk not in totals for pk in ids):
        errors.append("Choose only published questions of this round.")
    if errors:
        raise Invalid(" ".join(errors), field_errors={"questions": errors})
    group = list({user.pk: user for user in steering_group}.values())
    if not any(is_community_member(user) for user in group):
        raise Invalid(
            "The steering group must include community members.",
            field_errors={"steering_group": ["Include at least one community member."]},
        )
    top_ten = TopTen.objects.create(round=round_, chosen_on=chosen_on, notes=notes.strip(), recorded_by=by)
    top_ten.steering_group.set(group)
    PriorityChoice.objects.bulk_create(
        PriorityChoice(
            top_ten=top_ten, position=position, question_id=pk, votes=totals[pk][0], voters=totals[pk][1]
        )
        for position, pk in enumerate(ids, start=1)
    )
    record_event(
        top_ten,
        "priority_round.top_ten_recorded",
        by=by,
        after={
            "questions": ids,
            "votes": [totals[pk][0] for pk in ids],
            "steering_group": [user.pk for user in group],
            "chosen_on": chosen_on,
        },
    )
    return top_ten


@transaction.atomic
def set_question_calls(*, question: Question, calls: list[Call], by: User) -> Question:
    """Name the calls for proposals that address a published question (replacing the earlier list)."""
    ensure(can_manage_rounds(by), NotAllowed)
    question = Question.objects.select_for_update().get(pk=question.pk)
    if question.status != Question.Status.PUBLISHED:
        raise StateConflict("Only a published question can be linked to calls.")
    before = sorted(question.calls.values_list("pk", flat=True))
    after = sorted({call.pk for call in calls})
    if before != after:
        question.calls.set(after)
        record_event(
            question, "priority_question.calls_set", by=by, before={"calls": before}, after={"calls": after}
        )
    return question
