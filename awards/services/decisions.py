"""Every change to funding decisions. Each function checks permission, locks the call's row (so that
decisions on one call are made one at a time, also across processes on PostgreSQL), checks the
budget and every funder's commitment against all of the call's decisions, and writes the audit.

Nothing here is visible to applicants until ``apply_decisions`` publishes the pending decisions.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from applications.models import Application, Call
from audit.services import record_event
from awards.models import Award, Decision, FundingShare, LetterBatch
from awards.money import CENT, format_money, proportional_split
from awards.permissions import can_decide, can_decide_application, decision_state_allows_change
from awards.selectors import call_totals, holding_decisions
from core.errors import Invalid, StateConflict, ensure

DECIDING_STATUSES = (Call.Status.IN_REVIEW, Call.Status.DECIDED)


def _locked_call(call: Call) -> Call:
    """The call's row, locked for the rest of the transaction: the one lock every decision takes."""
    return Call.objects.select_for_update().get(pk=call.pk)


def _ensure_deciding(call: Call) -> None:
    if call.status not in DECIDING_STATUSES:
        raise StateConflict(
            f"{call.title} is {call.get_status_display().lower()}: funding decisions are made once "
            "the call is in review."
        )


def _snapshot(decision: Decision | None) -> dict:
    if decision is None or decision.pk is None:
        return {}
    return {
        "outcome": decision.outcome,
        "status": decision.status,
        "amount": str(decision.amount) if decision.amount is not None else None,
        "conditions": decision.conditions,
        "discussion_summary": decision.discussion_summary,
        "start_date": decision.start_date.isoformat() if decision.start_date else None,
        "duration_months": decision.duration_months,
        "shares": {str(s.funder_id): str(s.amount) for s in decision.shares.all()},
    }


def _weights(call: Call) -> dict[int, Decimal]:
    return {c.funder_id: c.amount_in_call_currency for c in call.commitments.all()}


def _checked_shares(call: Call, amount: Decimal, shares: dict[int, Decimal] | None) -> dict[int, Decimal]:
    """The funder split of ``amount``: the given one checked, else proportional to the commitments."""
    weights = _weights(call)
    if shares is None:
        return proportional_split(amount, weights)
    unknown = set(shares) - set(weights)
    if unknown:
        raise Invalid(
            "A funder in the split has no commitment to this call.",
            field_errors={"shares": ["Split the amount only between the funders committed to the call."]},
        )
    if any(value < 0 for value in shares.values()):
        raise Invalid("A funder's share cannot be negative.", field_errors={"shares": ["Enter 0 or more."]})
    clean = {funder: value.quantize(CENT) for funder, value in shares.items() if value}
    total = sum(clean.values(), Decimal(0))
    if weights and total != amount:
        raise Invalid(
            f"The funders' shares add up to {format_money(total, call.currency)}, not the approved "
            f"{format_money(amount, call.currency)}.",
            field_errors={"shares": ["Make the shares add up to the approved amount."]},
        )
    return clean


def _ensure_within_budget(
    call: Call, decision: Decision, amount: Decimal, shares: dict[int, Decimal]
) -> None:
    """Refuse a fund decision that would take the call over its budget or a funder over its
    commitment, counting every other decision of the call that holds money (the call is locked)."""
    others = holding_decisions(call).exclude(pk=decision.pk) if decision.pk else holding_decisions(call)
    totals = call_totals(call)
    other_total = sum((d.amount for d in others.only("amount")), Decimal(0))
    if other_total + amount > call.budget:
        over = other_total + amount - call.budget
        raise StateConflict(
            f"Funding {decision.application.reference} with {format_money(amount, call.currency)} would "
            f"bring the call's decisions to {format_money(other_total + amount, call.currency)}, over its "
            f"budget of {format_money(call.budget, call.currency)} by {format_money(over, call.currency)}. "
            f"{format_money(call.budget - other_total, call.currency)} is left."
        )
    own = (
        {s.funder_id: s.amount for s in decision.shares.all()}
        if decision.pk and decision.outcome == "fund"
        else {}
    )
    for funder in totals.funders:
        share = shares.get(funder.funder_id, Decimal(0))
        if not share:
            continue
        held = funder.allocated - own.get(funder.funder_id, Decimal(0))
        if held + share > funder.commitment:
            raise StateConflict(
                f"{funder.name}'s share of {format_money(share, call.currency)} would bring its part to "
                f"{format_money(held + share, call.currency)}, over its commitment of "
                f"{format_money(funder.commitment, call.currency)}. Give the rest to another funder in the "
                "split, or lower the amount."
            )


@dataclass(frozen=True)
class DecisionInput:
    outcome: str
    amount: Decimal | None = None
    conditions: str = ""
    start_date: date | None = None
    duration_months: int | None = None
    discussion_summary: str | None = None
    shares: dict[int, Decimal] | None = None  # funder id → amount; None: proportional


def _set(call: Call, application: Application, data: DecisionInput, by: User) -> Decision:
    """Set one decision; the caller holds the call's lock and has checked the call's state."""
    ensure(can_decide_application(by, application))
    if application.call_id != call.pk or application.status != Application.Status.SUBMITTED:
        raise StateConflict(f"{application} is not a submitted application of {call.title}.")
    if data.outcome not in Decision.Outcome.values:
        raise Invalid(
            "Choose fund, do not fund or waitlist.", field_errors={"outcome": ["Choose an outcome."]}
        )
    decision = Decision.objects.filter(application=application).select_related("application").first()
    ensure(decision_state_allows_change(decision), StateConflict)
    before = _snapshot(decision)
    if decision is None:
        decision = Decision(call=call, application=application)
    decision.application = application

    amount = None
    shares: dict[int, Decimal] = {}
    if data.outcome == Decision.Outcome.FUND:
        requested = application.requested_amount
        amount = (data.amount if data.amount is not None else requested) or None
        if amount is None or amount <= 0:
            raise Invalid("Enter the approved amount.", field_errors={"amount": ["Enter an amount above 0."]})
        amount = amount.quantize(CENT)
        if requested is not None and amount > requested:
            raise Invalid(
                f"The approved amount cannot exceed the {format_money(requested, call.currency)} requested.",
                field_errors={"amount": [f"At most {format_money(requested, call.currency)}."]},
            )
        if amount > call.max_request:
            raise Invalid(
                f"The approved amount cannot exceed the call's maximum of "
                f"{format_money(call.max_request, call.currency)}.",
                field_errors={"amount": [f"At most {format_money(call.max_request, call.currency)}."]},
            )
        shares = _checked_shares(call, amount, data.shares)
        _ensure_within_budget(call, decision, amount, shares)
    elif data.shares:
        raise Invalid(
            "Only a funded application has a funder split.", field_errors={"shares": ["Leave empty."]}
        )

    decision.outcome = data.outcome
    decision.amount = amount
    decision.conditions = data.conditions.strip() if data.outcome == Decision.Outcome.FUND else ""
    decision.start_date = data.start_date if data.outcome == Decision.Outcome.FUND else None
    decision.duration_months = (
        (data.duration_months or application.duration_months)
        if data.outcome == Decision.Outcome.FUND
        else None
    )
    if data.discussion_summary is not None:
        decision.discussion_summary = data.discussion_summary.strip()
    decision.status = Decision.Status.PENDING
    decision.decided_by = by
    decision.full_clean(exclude=["call", "application"])
    decision.save()
    decision.shares.all().delete()
    FundingShare.objects.bulk_create(
        FundingShare(decision=decision, funder_id=funder, amount=value) for funder, value in shares.items()
    )
    after = _snapshot(decision)
    if after != before:
        record_event(decision, "decision.set", by=by, before=before, after=after)
    return decision


@transaction.atomic
def set_decision(*, application: Application, by: User, data: DecisionInput) -> Decision:
    """Mark (or change) the pending decision on one application."""
    call = _locked_call(application.call)
    ensure(can_decide(by, call))
    _ensure_deciding(call)
    return _set(call, Application.objects.select_related("call").get(pk=application.pk), data, by)


@transaction.atomic
def clear_decision(*, application: Application, by: User) -> None:
    """Take back a pending decision that was never applied (the application is undecided again)."""
    call = _locked_call(application.call)
    ensure(can_decide_application(by, application))
    decision = Decision.objects.filter(application=application).first()
    if decision is None:
        return
    if decision.published_outcome:
        raise StateConflict(
            f"The decision on {application.reference} has been applied; change it rather than clear it."
        )
    record_event(decision, "decision.cleared", by=by, before=_snapshot(decision))
    decision.delete()
    call.save(update_fields=["updated_at"])


def drop_pending_decision(*, application: Application, by: User) -> None:
    """An application leaves the call (withdrawn): its pending decision goes, so that it holds no money
    and applying makes no award of it. A published outcome (a waitlist) stays as the applicant was told."""
    call = _locked_call(application.call)
    decision = Decision.objects.filter(application=application, status=Decision.Status.PENDING).first()
    if decision is None:
        return
    before = _snapshot(decision)
    if decision.published_outcome:
        decision.outcome = decision.published_outcome
        decision.amount = None
        decision.status = Decision.Status.APPLIED
        decision.save(update_fields=["outcome", "amount", "status", "updated_at"])
        decision.shares.all().delete()
        record_event(decision, "decision.reverted", by=by, before=before, after=_snapshot(decision))
    else:
        record_event(decision, "decision.cleared", by=by, before=before, reason="application withdrawn")
        decision.delete()
    call.save(update_fields=["updated_at"])


def _undecided_in_rank_order(call: Call, by: User) -> list[tuple[Application, bool]]:
    """Every undecided submitted application of the call in the call's rank order (items ``by`` is
    conflicted with included, so that no helper skips past them), each with whether ``by`` may decide it."""
    from django.contrib.auth.models import AnonymousUser

    from reviews.selectors_ranking import ranking_for

    decided = set(Decision.objects.filter(call=call).values_list("application_id", flat=True))
    rows = [row for row in ranking_for(call, AnonymousUser()).rows if row.application_id not in decided]
    applications = Application.objects.select_related("call").in_bulk([row.application_id for row in rows])
    ordered = [applications[row.application_id] for row in rows]
    return [(application, bool(can_decide_application(by, application))) for application in ordered]


BLOCKED_BY_OTHERS = (
    "An application ranked above is one you cannot decide (a conflict of interest or a stake in it): "
    "staff decide it first, so that the ranking is never skipped."
)


@transaction.atomic
def fund_top(*, call: Call, count: int, by: User) -> list[Decision]:
    """Fund the ``count`` best-ranked undecided applications at their requested amounts, all or none:
    if together they would exceed the budget or a commitment, nothing is marked and the reason says
    which one did not fit."""
    call = _locked_call(call)
    ensure(can_decide(by, call))
    _ensure_deciding(call)
    if count < 1:
        raise Invalid(
            "Enter how many applications to fund (1 or more).", field_errors={"count": ["1 or more."]}
        )
    chosen = _undecided_in_rank_order(call, by)[:count]
    if not all(decidable for _, decidable in chosen):
        raise StateConflict(BLOCKED_BY_OTHERS)
    return [_set(call, a, DecisionInput(outcome=Decision.Outcome.FUND), by) for a, _ in chosen]


@transaction.atomic
def fund_down_to_budget(*, call: Call, by: User) -> list[Decision]:
    """Fund undecided applications in rank order at their requested amounts until the next one no
    longer fits the budget or a commitment, or is one ``by`` may not decide; it and those below it stay
    undecided (the ranking is never skipped to fit a cheaper one or around a conflict)."""
    call = _locked_call(call)
    ensure(can_decide(by, call))
    _ensure_deciding(call)
    funded = []
    for application, decidable in _undecided_in_rank_order(call, by):
        if not decidable:
            if not funded:  # nothing done: say why rather than answer with an empty success
                raise StateConflict(BLOCKED_BY_OTHERS)
            break
        try:
            with transaction.atomic():
                funded.append(_set(call, application, DecisionInput(outcome=Decision.Outcome.FUND), by))
        except StateConflict:
            break
    return funded


@transaction.atomic
def decide_rest(*, call: Call, outcome: str, by: User) -> list[Decision]:
    """Mark every undecided application ``by`` may decide as not funded or waitlisted."""
    call = _locked_call(call)
    ensure(can_decide(by, call))
    _ensure_deciding(call)
    if outcome not in (Decision.Outcome.DECLINE, Decision.Outcome.WAITLIST):
        raise Invalid("Mark the rest as do not fund or waitlist.", field_errors={"outcome": ["Choose one."]})
    undecided = _undecided_in_rank_order(call, by)
    return [_set(call, a, DecisionInput(outcome=outcome), by) for a, decidable in undecided if decidable]


def _make_award(decision: Decision, by: User) -> Award:
    application = decision.application
    award = Award.objects.filter(application=application).first()
    if award is None:
        award = Award.objects.create(
            application=application,
            decision=decision,
            reference=f"AW-{application.reference}",
            amount=decision.amount,
            currency=decision.call.currency,
            start_date=decision.start_date,
            duration_months=decision.duration_months,
            conditions=decision.conditions,
        )
        record_event(
            award,
            "award.made",
            by=by,
            after={"amount": str(award.amount), "currency": award.currency, "reference": award.reference},
        )
    return award


@transaction.atomic
def apply_decisions(*, call: Call, by: User) -> LetterBatch:
    """Publish every pending decision of the call in one step: the applicants' outcomes change, fund
    decisions become awards with references, and one letter per decision is queued (after commit).
    The totals are checked again under the lock before anything is published. The batch returned
    carries ``applied_counts`` (outcome → number published)."""
    from awards.services.letters import create_letters, queue_after_commit

    call = _locked_call(call)
    ensure(can_decide(by, call))
    _ensure_deciding(call)
    pending = list(
        Decision.objects.filter(
            call=call,
            status=Decision.Status.PENDING,
            application__status=Application.Status.SUBMITTED,
            application__anonymised_at__isnull=True,
        )
        .select_related("application__pi", "call")
        .order_by("application__reference")
    )
    if not pending:
        raise StateConflict("There are no pending decisions to apply.")
    totals = call_totals(call)
    if totals.allocated > call.budget:
        raise StateConflict(
            f"The call's decisions hold {format_money(totals.allocated, call.currency)}, over its budget of "
            f"{format_money(call.budget, call.currency)}: lower or take back a fund decision first."
        )
    for funder in totals.funders:
        if funder.allocated > funder.commitment:
            raise StateConflict(
                f"{funder.name}'s part is {format_money(funder.allocated, call.currency)}, over its "
                f"commitment of {format_money(funder.commitment, call.currency)}: change the split first."
            )
    now = timezone.now()
    batch = LetterBatch.objects.create(
        call=call,
        created_by=by,
        label=f"Decisions applied on {timezone.localtime(now, call.zone):%d %b %Y %H:%M}",
    )
    counts = dict.fromkeys(Decision.Outcome.values, 0)
    letters = []
    for decision in pending:
        before = {"status": decision.status, "published_outcome": decision.published_outcome}
        decision.status = Decision.Status.APPLIED
        decision.published_outcome = decision.outcome
        decision.applied_at = now
        decision.applied_by = by
        decision.save(update_fields=["status", "published_outcome", "applied_at", "applied_by", "updated_at"])
        record_event(
            decision,
            "decision.applied",
            by=by,
            before=before,
            after={"status": decision.status, "published_outcome": decision.published_outcome},
        )
        if decision.outcome == Decision.Outcome.FUND:
            _make_award(decision, by)
        letters += create_letters(decision, batch=batch, by=by, queue=False)
        counts[decision.outcome] += 1
    queue_after_commit(letters)  # all at once: with the broker down, the request fails fast, once
    record_event(call, "decisions.applied", by=by, after=counts, batch=batch.pk)
    batch.applied_counts = counts  # for the caller's answer: how many of each outcome were published
    return batch
