"""Two-stage schemes: a standing award from the planning-grant call makes its holder eligible for the
stage-2 call that names it as prerequisite; a declined award or a decision not yet applied does not."""

import pytest
from django.urls import reverse
from django.utils import timezone

from applications.eligibility import eligibility_problems
from applications.models import Application
from awards.models import Award, Decision
from awards.services import DecisionInput, apply_decisions, respond_to_award, set_decision
from tests.awards.factories import deciding_call
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def planning():
    """A planning-grant call with one funded (pending) decision, and its stage-2 call, open now."""
    call, chair, [application] = deciding_call(requests=["20000"])
    set_decision(application=application, by=chair, data=DecisionInput(outcome=Decision.Outcome.FUND))
    stage_two = CallFactory(title="Collaborative Network Awards", prerequisite_call=call)
    return call, chair, application, stage_two


def _problems(stage_two, user) -> list[str]:
    return eligibility_problems(call=stage_two, user=user, now=timezone.now())


def _not_a_holder(call) -> list[str]:
    return [f"Only holders of an award from “{call.title}” may apply to this stage-2 call."]


def test_an_applied_fund_decision_makes_its_pi_eligible_for_stage_two(planning, client_for):
    call, chair, application, stage_two = planning

    apply_decisions(call=call, by=chair)

    assert Award.objects.get(application=application).status == Award.Status.OFFERED
    assert _problems(stage_two, application.pi) == []
    response = client_for(application.pi).post(
        reverse("applications:application_start", args=[stage_two.slug])
    )
    draft = Application.objects.get(call=stage_two, pi=application.pi)
    assert response["Location"] == reverse("applications:application_edit", args=[draft.pk])


def test_an_accepted_award_keeps_its_pi_eligible(planning):
    call, chair, application, stage_two = planning
    apply_decisions(call=call, by=chair)

    respond_to_award(award=Award.objects.get(application=application), accept=True, by=application.pi)

    assert _problems(stage_two, application.pi) == []


def test_a_declined_award_does_not_make_its_pi_eligible(planning, client_for):
    call, chair, application, stage_two = planning
    apply_decisions(call=call, by=chair)

    award = Award.objects.get(application=application)
    respond_to_award(award=award, accept=False, by=application.pi, note="We joined another network.")

    assert _problems(stage_two, application.pi) == _not_a_holder(call)
    client_for(application.pi).post(reverse("applications:application_start", args=[stage_two.slug]))
    assert not Application.objects.filter(call=stage_two).exists()


def test_a_pending_decision_does_not_make_its_pi_eligible(planning):
    call, _chair, application, stage_two = planning

    assert Decision.objects.get(application=application).status == Decision.Status.PENDING
    assert _problems(stage_two, application.pi) == _not_a_holder(call)


def test_a_decline_or_waitlist_decision_does_not_make_its_pi_eligible(planning):
    call, chair, application, stage_two = planning
    set_decision(application=application, by=chair, data=DecisionInput(outcome=Decision.Outcome.WAITLIST))

    apply_decisions(call=call, by=chair)

    assert _problems(stage_two, application.pi) == _not_a_holder(call)
