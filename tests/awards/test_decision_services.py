"""The decision services: defaults, the funder split, budget and commitment limits, the helpers, apply."""

from decimal import Decimal

import pytest

from audit.models import AuditEvent
from awards.models import Award, Decision, Letter
from awards.selectors import call_totals
from awards.services import (
    DecisionInput,
    apply_decisions,
    decide_rest,
    fund_down_to_budget,
    fund_top,
    set_decision,
)
from core.errors import Invalid, NotAllowed, StateConflict
from tests.awards.factories import deciding_call
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
FUND = Decision.Outcome.FUND


def test_a_fund_decision_defaults_to_the_request_split_in_proportion_to_commitments():
    call, chair, [application] = deciding_call(requests=["30000.01"])

    decision = set_decision(application=application, by=chair, data=DecisionInput(outcome=FUND))

    assert decision.amount == Decimal("30000.01")
    shares = sorted(decision.shares.values_list("amount", flat=True))
    assert shares == [Decimal("12000.00"), Decimal("18000.01")]  # 40 : 60, every cent placed
    assert decision.status == Decision.Status.PENDING and decision.published_outcome == ""
    assert AuditEvent.objects.filter(verb="decision.set", target_id=str(decision.pk)).count() == 1


def test_the_approved_amount_never_exceeds_the_request():
    call, chair, [application] = deciding_call(requests=["20000"])

    with pytest.raises(Invalid, match="cannot exceed the EUR 20,000.00 requested"):
        set_decision(application=application, by=chair, data=DecisionInput(outcome=FUND, amount=Decimal("20000.01")))
    assert not Decision.objects.exists()


def test_the_budget_refuses_a_decision_with_the_amounts_in_the_reason():
    call, chair, applications = deciding_call(requests=["60000", "50000"])
    set_decision(application=applications[0], by=chair, data=DecisionInput(outcome=FUND))

    with pytest.raises(StateConflict, match=r"over its budget of EUR 100,000.00 by EUR 10,000.00"):
        set_decision(application=applications[1], by=chair, data=DecisionInput(outcome=FUND))
    assert call_totals(call).allocated == Decimal("60000")


def test_a_funder_commitment_refuses_an_edited_split():
    call, chair, [application] = deciding_call(requests=["50000"])
    funder_a, funder_b = [c.funder_id for c in call.commitments.order_by("amount")]  # 40,000 and 60,000

    with pytest.raises(StateConflict, match="over its commitment of EUR 40,000.00"):
        set_decision(
            application=application,
            by=chair,
            data=DecisionInput(outcome=FUND, shares={funder_a: Decimal("45000"), funder_b: Decimal("5000")}),
        )
    with pytest.raises(Invalid, match="add up to EUR 49,000.00, not the approved EUR 50,000.00"):
        set_decision(
            application=application,
            by=chair,
            data=DecisionInput(outcome=FUND, shares={funder_a: Decimal("44000"), funder_b: Decimal("5000")}),
        )


def test_only_the_chair_or_staff_decide():
    call, chair, [application] = deciding_call(requests=["1000"])

    with pytest.raises(NotAllowed):
        set_decision(application=application, by=UserFactory(), data=DecisionInput(outcome=FUND))


def test_fund_down_to_budget_stops_at_the_first_that_does_not_fit():
    call, chair, applications = deciding_call(requests=["40000", "40000", "30000", "10000"])

    funded = fund_down_to_budget(call=call, by=chair)

    assert len(funded) == 2  # the third (30,000) does not fit the 20,000 left; the cheaper fourth is not skipped to
    assert call_totals(call).remaining == Decimal("20000")
    with pytest.raises(StateConflict):
        fund_top(call=call, count=2, by=chair)  # all or nothing
    assert Decision.objects.count() == 2
    declined = decide_rest(call=call, outcome=Decision.Outcome.DECLINE, by=chair)
    assert len(declined) == 2


def test_apply_publishes_makes_awards_and_queues_letters_once():
    call, chair, applications = deciding_call(requests=["40000", "40000", "30000"])
    fund_top(call=call, count=2, by=chair)
    decide_rest(call=call, outcome=Decision.Outcome.WAITLIST, by=chair)

    batch = apply_decisions(call=call, by=chair)

    assert Award.objects.count() == 2
    assert set(Award.objects.values_list("reference", flat=True)) == {f"AW-{a.reference}" for a in applications[:2]}
    assert set(Decision.objects.values_list("published_outcome", flat=True)) == {"fund", "waitlist"}
    assert batch.letters.filter(kind__in=["award", "waitlist"]).count() == 3
    with pytest.raises(StateConflict, match="no pending decisions"):
        apply_decisions(call=call, by=chair)
    with pytest.raises(StateConflict, match="can no longer change"):
        set_decision(application=applications[0], by=chair, data=DecisionInput(outcome=Decision.Outcome.DECLINE))

    # The waitlisted one is funded later with the 20,000 left: one more award and one award letter.
    set_decision(application=applications[2], by=chair, data=DecisionInput(outcome=FUND, amount=Decimal("20000")))
    apply_decisions(call=call, by=chair)
    assert Award.objects.count() == 3
    assert Letter.objects.filter(decision__application=applications[2], kind="award").count() == 1
