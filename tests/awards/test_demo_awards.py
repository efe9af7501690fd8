"""``manage.py demo`` decides the planning call: ~60 applications, 22 awards within the budget and
every funder's commitment, every decision applied with its letter rendered, a few answers from the
awardees; the demo applicant holds an award. The call in review is left for the chair to decide.
Running the demo again changes nothing.

The demo is built once per module (the ``demo`` fixture in conftest.py).
"""

import hashlib
import re
from collections import Counter
from datetime import timedelta
from decimal import Decimal
from io import StringIO

from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from applications.eligibility import eligibility_problems
from applications.models import Application, Call
from audit.models import AuditEvent
from awards.letters import OUTCOME_KINDS
from awards.models import Award, Decision, FundingShare, Letter, LetterBatch
from awards.money import proportional_split
from awards.selectors import call_totals, has_award_from_call

DECIDED = "Planning Grants 2025"
IN_REVIEW = "Challenge Awards 2026"
STAGE_2 = "Collaborative Network Awards 2026"
APPLICANT = "applicant@granted.demo"
MODELS = [Application, Decision, FundingShare, Award, Letter, LetterBatch, User, AuditEvent]


def _call(title: str = DECIDED) -> Call:
    return Call.objects.get(title=title)


def _awards():
    return Award.objects.filter(application__call=_call())


def test_the_decided_call_has_submitted_applications_within_its_rules(demo):
    call = _call()
    assert call.status == Call.Status.DECIDED
    applications = list(
        call.applications.select_related("institution", "pi").prefetch_related("budget_lines")
    )
    assert len(applications) == 60
    assert all(a.status == Application.Status.SUBMITTED for a in applications)
    assert len({a.institution.country.code for a in applications}) >= 10
    assert len({a.pi_id for a in applications}) == 60
    for application in applications:
        assert re.fullmatch(r"PG-2025-\d{4}", application.reference)
        assert call.opens_at < application.submitted_at < call.closes_at
        assert application.requested_amount <= call.max_request
        assert sum(line.amount for line in application.budget_lines.all()) == application.requested_amount
        assert application.duration_months == 12
    assert all(re.search(r"planning|network", a.title, re.IGNORECASE) for a in applications)
    # Through the services: each submission left its audit row.
    submitted = AuditEvent.objects.filter(
        verb="application.submitted", target_id__in=[str(a.pk) for a in applications]
    )
    assert submitted.count() == 60


def test_22_awards_within_the_budget_and_every_commitment(demo):
    call = _call()
    awards = list(_awards().select_related("decision", "application"))
    assert len(awards) == 22
    assert Counter(a.status for a in awards) == {"accepted": 12, "declined": 1, "offered": 9}
    totals = call_totals(call)
    assert totals.allocated == sum(a.amount for a in awards if a.status != Award.Status.DECLINED)
    assert Decimal("900000") < totals.allocated <= call.budget
    assert {f.name for f in totals.funders} == {"AISM", "MS Canada", "MS Society", "NMSS"}
    for funder in totals.funders:
        assert 0 < funder.allocated <= funder.commitment

    weights = {c.funder_id: c.amount_in_call_currency for c in call.commitments.all()}
    edited = reduced = 0
    for award in awards:
        decision = award.decision
        shares = {s.funder_id: s.amount for s in decision.shares.all()}
        assert award.amount == decision.amount <= award.application.requested_amount
        assert sum(shares.values()) == decision.amount
        edited += shares != proportional_split(decision.amount, weights)
        reduced += decision.amount < award.application.requested_amount
        assert award.reference == f"AW-{award.application.reference}"
        assert (award.duration_months, award.start_date) == (12, decision.start_date)
    assert edited == 3
    assert reduced >= 3
    assert sum(bool(a.conditions) for a in awards) >= 4
    assert AuditEvent.objects.filter(verb="award.made").count() == 22
    assert AuditEvent.objects.filter(verb="award.accepted").count() == 12
    declined = AuditEvent.objects.get(verb="award.declined")
    assert declined.data["note"]


def test_every_decision_is_applied_with_exactly_one_rendered_letter_of_its_kind(demo):
    call = _call()
    decisions = list(call.decisions.select_related("application").prefetch_related("letters"))
    assert len(decisions) == call.applications.count()
    assert Counter(d.outcome for d in decisions) == {"fund": 22, "waitlist": 4, "decline": 34}
    assert not call.release_summary_statements  # the demo has no reviews of it: no summary statements
    for decision in decisions:
        assert decision.status == Decision.Status.APPLIED
        assert decision.published_outcome == decision.outcome
        assert (
            call.closes_at < decision.applied_at < call.closes_at + timedelta(days=120)
        )  # the letters' date
        [letter] = decision.letters.all()
        assert (letter.kind, letter.version, letter.status) == (OUTCOME_KINDS[decision.outcome], 1, "done")
        assert default_storage.exists(letter.file.name)
        with letter.file.open("rb") as stored:
            content = stored.read()
        assert content.startswith(b"%PDF-")
        assert letter.sha256 == hashlib.sha256(content).hexdigest()
    services = ["decision.set", "decision.applied", "letter.queued", "letter.rendered"]
    verbs = Counter(AuditEvent.objects.filter(verb__in=services).values_list("verb", flat=True))
    assert verbs == {"decision.set": 60, "decision.applied": 60, "letter.queued": 60, "letter.rendered": 60}
    assert LetterBatch.objects.filter(call=call).count() == 1


def test_the_demo_applicant_holds_an_award_and_downloads_its_letter(demo, client_for):
    applicant = User.objects.get(email=APPLICANT)
    award = _awards().get(application__pi=applicant)
    assert award.status == Award.Status.OFFERED  # for the visitor to accept
    assert has_award_from_call(user=applicant, call=_call())
    letter = Letter.objects.get(decision__application__pi=applicant, decision__call=_call(), kind="award")

    response = client_for(applicant).get(reverse("awards:letter_download", args=[letter.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    # The award makes the applicant eligible for the stage-2 call (which has yet to open).
    stage_2 = _call(STAGE_2)
    problems = eligibility_problems(call=stage_2, user=applicant, now=timezone.now())
    assert not [p for p in problems if "stage-2" in p]
    other = _call().applications.filter(decision__outcome="decline").first().pi
    assert [p for p in eligibility_problems(call=stage_2, user=other, now=timezone.now()) if "stage-2" in p]


def test_the_call_in_review_is_left_for_the_chair_to_decide(demo):
    call = _call(IN_REVIEW)
    assert call.status == Call.Status.IN_REVIEW
    assert not Decision.objects.filter(call=call).exists()
    assert not Award.objects.filter(application__call=call).exists()
    assert not LetterBatch.objects.filter(call=call).exists()


def test_second_run_changes_nothing(demo):
    first = {model.__name__: model.objects.count() for model in MODELS}
    letters = dict(Letter.objects.values_list("pk", "sha256"))
    call_command("demo", "--quiet", stdout=StringIO())
    assert {model.__name__: model.objects.count() for model in MODELS} == first
    assert dict(Letter.objects.values_list("pk", "sha256")) == letters
    assert _call().status == Call.Status.DECIDED
