"""Two chairs applying the call's decisions through the portal at the same instant: one batch, each
decision applied once (by the winner), each letter and its e-mail once, one audit event; the other
chair sees the apply page again with a clear message (409), not an error page.

A call's committee may have co-chairs (one membership per user and call, any number of chairs);
the last round races a chair against a member of staff, who may apply decisions too.
"""

import pytest
from django.core import mail
from django.db.models import Count
from django.test import Client
from django.urls import reverse

from applications.models import CommitteeMembership
from audit.models import AuditEvent
from awards.models import Award, Decision, Letter, LetterBatch
from awards.services import DecisionInput, set_decision
from tests.awards.factories import deciding_call
from tests.concurrency.race import ROUNDS, answer_of, requires_postgresql, run_together, statuses
from tests.factories import CommitteeMembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgresql]
OUTCOMES = ["fund", "decline"]  # two decisions, each with its letter and summary statement
APPLIED = "The decisions are applied: applicants see them now, and their letters are queued."
NOTHING_PENDING = "There are no pending decisions to apply."


def apply_as(user, call):
    client = Client()
    client.force_login(user)
    url = reverse("awards:funding_apply", args=[call.slug])
    return lambda: answer_of(client.post(url))


def second_applier(call, round_: int):
    if round_ == ROUNDS:
        return UserFactory(full_name="Olga Officer", is_staff=True)
    return CommitteeMembershipFactory(
        call=call, role=CommitteeMembership.Role.CHAIR, user__full_name=f"Cody Co-chair {round_}"
    ).user


def test_two_chairs_applying_at_once_make_one_batch_and_each_letter_once():
    for round_ in range(1, ROUNDS + 1):
        call, chair, applications = deciding_call(requests=["30000", "10000"])
        other = second_applier(call, round_)
        for application, outcome in zip(applications, OUTCOMES, strict=True):
            set_decision(application=application, by=chair, data=DecisionInput(outcome=outcome))
        sent_before = len(mail.outbox)

        answers = run_together([apply_as(chair, call), apply_as(other, call)])

        assert sorted(statuses(answers).elements()) == [302, 409], (round_, answers)
        pairs = zip([chair, other], answers, strict=True)
        [(winner, won)] = [(user, a) for user, a in pairs if a.status == 302]
        [lost] = [a for a in answers if a.status == 409]
        batch = LetterBatch.objects.get(call=call)  # exactly one batch
        assert (won.location, won.messages) == (reverse("awards:batch", args=[batch.pk]), [APPLIED])
        assert batch.created_by == winner
        # The loser gets the apply page with the reason, not an error page, and nothing to apply again.
        assert "The decisions were not applied" in lost.body
        assert NOTHING_PENDING in lost.body
        assert "There is no pending decision to apply." in lost.body

        decisions = Decision.objects.filter(call=call)
        assert sorted(decisions.values_list("status", "published_outcome", "applied_by")) == sorted(
            (Decision.Status.APPLIED, outcome, winner.pk) for outcome in OUTCOMES
        )
        assert Award.objects.filter(application__call=call).count() == 1
        call_events = AuditEvent.objects.filter(verb="decisions.applied", target_id=str(call.pk))
        assert [(e.actor_id, e.data["batch"]) for e in call_events] == [(winner.pk, batch.pk)]
        applied_events = AuditEvent.objects.filter(
            verb="decision.applied", target_id__in=[str(d.pk) for d in decisions]
        )
        assert sorted(applied_events.values_list("target_id", flat=True)) == sorted(
            str(d.pk) for d in decisions
        )
        letters = Letter.objects.filter(decision__call=call)
        per_kind = letters.values("decision", "kind").annotate(n=Count("pk"))
        assert {row["n"] for row in per_kind} == {1}
        assert letters.exclude(kind=Letter.Kind.SUMMARY).count() == len(OUTCOMES)
        assert letters.filter(kind=Letter.Kind.SUMMARY).count() == len(OUTCOMES)
        assert set(letters.values_list("batch", flat=True)) == {batch.pk}
        assert set(letters.values_list("status", flat=True)) == {Letter.Status.DONE}
        sent = mail.outbox[sent_before:]
        assert sorted(m.to[0] for m in sent) == sorted(a.pi.email for a in applications)
