"""The decision services: defaults, the funder split, budget and commitment limits, the helpers, apply."""

from decimal import Decimal

import pytest

from applications.models import Call
from audit.models import AuditEvent
from awards.models import Award, Decision, Letter
from awards.selectors import call_totals
from awards.services import (
    DecisionInput,
    apply_decisions,
    clear_decision,
    decide_rest,
    fund_down_to_budget,
    fund_top,
    respond_to_award,
    set_decision,
)
from core.errors import Invalid, NotAllowed, StateConflict
from tests.awards.factories import deciding_call
from tests.factories import CommitteeMembershipFactory, FunderFactory, UserFactory
from tests.reviews.factories import ConflictFactory

pytestmark = pytest.mark.django_db
FUND = Decision.Outcome.FUND


def test_a_fund_decision_defaults_to_the_request_split_in_proportion_to_commitments():
    _call, chair, [application] = deciding_call(requests=["30000.01"])

    decision = set_decision(application=application, by=chair, data=DecisionInput(outcome=FUND))

    assert decision.amount == Decimal("30000.01")
    shares = sorted(decision.shares.values_list("amount", flat=True))
    assert shares == [Decimal("12000.00"), Decimal("18000.01")]  # 40 : 60, every cent placed
    assert decision.status == Decision.Status.PENDING
    assert decision.published_outcome == ""
    assert AuditEvent.objects.filter(verb="decision.set", target_id=str(decision.pk)).count() == 1


def test_the_approved_amount_never_exceeds_the_request():
    _call, chair, [application] = deciding_call(requests=["20000"])

    with pytest.raises(Invalid, match=r"cannot exceed the EUR 20,000\.00 requested"):
        set_decision(
            application=application, by=chair, data=DecisionInput(outcome=FUND, amount=Decimal("20000.01"))
        )
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

    with pytest.raises(StateConflict, match=r"over its commitment of EUR 40,000\.00"):
        set_decision(
            application=application,
            by=chair,
            data=DecisionInput(outcome=FUND, shares={funder_a: Decimal("45000"), funder_b: Decimal("5000")}),
        )
    with pytest.raises(Invalid, match=r"add up to EUR 49,000\.00, not the approved EUR 50,000\.00"):
        set_decision(
            application=application,
            by=chair,
            data=DecisionInput(outcome=FUND, shares={funder_a: Decimal("44000"), funder_b: Decimal("5000")}),
        )


def test_only_the_chair_or_staff_decide():
    _call, _chair, [application] = deciding_call(requests=["1000"])

    with pytest.raises(NotAllowed):
        set_decision(application=application, by=UserFactory(), data=DecisionInput(outcome=FUND))


def test_fund_down_to_budget_stops_at_the_first_that_does_not_fit():
    call, chair, _applications = deciding_call(requests=["40000", "40000", "30000", "10000"])

    funded = fund_down_to_budget(call=call, by=chair)

    assert (
        len(funded) == 2
    )  # the third (30,000) does not fit the 20,000 left; the cheaper fourth is not skipped to
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
    assert set(Award.objects.values_list("reference", flat=True)) == {
        f"AW-{a.reference}" for a in applications[:2]
    }
    assert set(Decision.objects.values_list("published_outcome", flat=True)) == {"fund", "waitlist"}
    assert batch.letters.filter(kind__in=["award", "waitlist"]).count() == 3
    with pytest.raises(StateConflict, match="no pending decisions"):
        apply_decisions(call=call, by=chair)
    with pytest.raises(StateConflict, match="can no longer change"):
        set_decision(
            application=applications[0], by=chair, data=DecisionInput(outcome=Decision.Outcome.DECLINE)
        )

    # The waitlisted one is funded later with the 20,000 left: one more award and one award letter.
    set_decision(
        application=applications[2], by=chair, data=DecisionInput(outcome=FUND, amount=Decimal("20000"))
    )
    apply_decisions(call=call, by=chair)
    assert Award.objects.count() == 3
    assert Letter.objects.filter(decision__application=applications[2], kind="award").count() == 1


def test_the_call_is_marked_decided_only_when_no_decision_is_pending():
    from applications.services import transition_call

    call, chair, _applications = deciding_call(requests=["40000", "30000"])
    fund_top(call=call, count=1, by=chair)

    with pytest.raises(StateConflict, match="1 funding decision is still pending: apply or clear"):
        transition_call(call=call, to="decided", by=chair)
    apply_decisions(call=call, by=chair)
    call = transition_call(call=call, to="decided", by=chair)
    assert call.status == "decided"


def test_clearing_takes_back_a_pending_decision_only():
    call, chair, [first, second] = deciding_call(requests=["40000", "30000"])
    set_decision(application=first, by=chair, data=DecisionInput(outcome=FUND))

    clear_decision(application=first, by=chair)

    assert not Decision.objects.filter(application=first).exists()
    assert AuditEvent.objects.filter(verb="decision.cleared").count() == 1
    clear_decision(application=first, by=chair)  # nothing to take back: nothing happens
    set_decision(application=second, by=chair, data=DecisionInput(outcome=Decision.Outcome.DECLINE))
    apply_decisions(call=call, by=chair)
    with pytest.raises(StateConflict, match="has been applied; change it rather than clear it"):
        clear_decision(application=second, by=chair)
    with pytest.raises(NotAllowed):
        clear_decision(application=second, by=UserFactory())
    assert Decision.objects.get().outcome == Decision.Outcome.DECLINE


def test_a_conflicted_chair_never_decides_the_item_and_the_helpers_never_skip_it():
    call, chair, [first, second, third] = deciding_call(requests=["40000", "30000", "20000"])
    conflicted = CommitteeMembershipFactory(call=call, role="chair").user
    ConflictFactory(application=first, reviewer=conflicted)

    with pytest.raises(NotAllowed, match="conflict of interest"):
        set_decision(application=first, by=conflicted, data=DecisionInput(outcome=FUND))
    with pytest.raises(StateConflict, match="ranked above is one you cannot decide"):
        fund_top(call=call, count=1, by=conflicted)
    with pytest.raises(StateConflict, match="ranked above is one you cannot decide"):
        fund_down_to_budget(call=call, by=conflicted)
    set_decision(application=first, by=chair, data=DecisionInput(outcome=FUND))  # the other chair decides it
    funded = fund_top(call=call, count=1, by=conflicted)
    rest = decide_rest(call=call, outcome=Decision.Outcome.WAITLIST, by=conflicted)

    assert [d.application for d in funded] == [second]
    assert [d.application for d in rest] == [third]


def test_a_declined_award_gives_its_money_back_to_the_budget():
    call, chair, [first, second] = deciding_call(requests=["60000", "50000"])
    set_decision(application=first, by=chair, data=DecisionInput(outcome=FUND))
    set_decision(application=second, by=chair, data=DecisionInput(outcome=Decision.Outcome.WAITLIST))
    apply_decisions(call=call, by=chair)
    award = Award.objects.get()
    with pytest.raises(StateConflict, match="over its budget"):
        set_decision(application=second, by=chair, data=DecisionInput(outcome=FUND))

    with pytest.raises(NotAllowed):
        respond_to_award(award=award, accept=False, by=chair, note="Not mine to decline.")
    respond_to_award(award=award, accept=False, by=first.pi, note="Funded elsewhere.")

    assert call_totals(call).allocated == Decimal("0")
    set_decision(application=second, by=chair, data=DecisionInput(outcome=FUND))
    assert call_totals(call).allocated == Decimal("50000")
    with pytest.raises(StateConflict, match="cannot change here"):
        respond_to_award(award=award, accept=True, by=first.pi)


def test_decisions_wait_for_the_review_and_splits_name_committed_funders_only():
    call, chair, [application] = deciding_call(requests=["10000"])
    stranger = FunderFactory()

    with pytest.raises(Invalid, match="no commitment to this call"):
        set_decision(
            application=application,
            by=chair,
            data=DecisionInput(outcome=FUND, shares={stranger.pk: Decimal("10000")}),
        )
    with pytest.raises(Invalid, match="Mark the rest as do not fund or waitlist"):
        decide_rest(call=call, outcome=FUND, by=chair)
    Call.objects.filter(pk=call.pk).update(status=Call.Status.OPEN)
    with pytest.raises(StateConflict, match="funding decisions are made once the call is in review"):
        set_decision(application=application, by=chair, data=DecisionInput(outcome=FUND))
    assert not Decision.objects.exists()


def test_apply_checks_the_totals_again_before_publishing():
    call, chair, [application] = deciding_call(requests=["60000"])
    set_decision(application=application, by=chair, data=DecisionInput(outcome=FUND))
    # Staff lowered the budget since the decision was marked.
    Call.objects.filter(pk=call.pk).update(budget=Decimal("50000"), max_request=Decimal("50000"))

    with pytest.raises(StateConflict, match=r"over its budget of EUR 50,000\.00"):
        apply_decisions(call=call, by=chair)
    assert Decision.objects.get().status == Decision.Status.PENDING
    assert not Award.objects.exists()


def test_a_chair_never_decides_their_own_application():
    _call, chair, [application] = deciding_call(requests=["10000"])
    application.pi = chair
    application.save(update_fields=["pi"])

    with pytest.raises(NotAllowed, match="on this application's team"):
        set_decision(application=application, by=chair, data=DecisionInput(outcome=FUND))


def test_withdrawing_drops_the_pending_decision_and_its_money():
    from applications.services import withdraw_application

    call, chair, [first, second] = deciding_call(requests=["60000", "40000"])
    fund_top(call=call, count=2, by=chair)

    withdraw_application(application=first, by=first.pi, reason="Funded elsewhere")

    assert not Decision.objects.filter(application=first).exists()
    assert call_totals(call).allocated == Decimal("40000")
    apply_decisions(call=call, by=chair)
    assert list(Award.objects.values_list("application_id", flat=True)) == [second.pk]
    assert (
        AuditEvent.objects.filter(verb="decision.cleared", data__reason="application withdrawn").count() == 1
    )


def test_the_helpers_never_skip_past_an_application_the_chair_cannot_decide():
    from reviews.models import Conflict

    call, chair, applications = deciding_call(requests=["10000", "10000", "10000"])
    Conflict.objects.create(
        application=applications[1], reviewer=chair, source="declared", kind="personal", reason="My student"
    )

    with pytest.raises(StateConflict, match="ranked above is one you cannot decide"):
        fund_top(call=call, count=2, by=chair)
    funded = fund_down_to_budget(call=call, by=chair)

    assert [d.application_id for d in funded] == [applications[0].pk]  # stops at the conflicted second
    assert [d.application_id for d in decide_rest(call=call, outcome="decline", by=chair)] == [
        applications[2].pk
    ]
