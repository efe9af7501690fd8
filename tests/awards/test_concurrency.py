"""Decisions under concurrency, on PostgreSQL: many chairs' requests at the same instant never take a
call over its budget or a funder over its commitment, and applying twice at once makes one batch.

Each thread has its own database connection (closed at its end) and waits at a barrier, so the
requests really start together; the services serialise them on the call's row lock.
"""

import threading
from collections import Counter
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import mail
from django.db import connections
from django.db.models import Count, Sum
from rest_framework.test import APIClient

from awards.models import Award, Decision, FundingShare, Letter, LetterBatch
from awards.selectors import call_totals, holding_decisions
from awards.services import DecisionInput, set_decision
from core.errors import StateConflict
from tests.awards.factories import deciding_call

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
        reason="needs PostgreSQL: SQLite has no row locks (select_for_update is a no-op there) and "
        "lets one writer at a time anyway, so the race these tests guard against cannot happen on it",
    ),
]
THREADS = 50


def run_together(tasks: list) -> list:
    """Run each task in its own thread, all released at once by a barrier; their results (or the
    exceptions they raised) in order. A watcher reads the committed total meanwhile."""
    barrier = threading.Barrier(len(tasks))
    results: list = [None] * len(tasks)

    def work(index: int, task) -> None:
        try:
            barrier.wait(timeout=60)
            results[index] = task()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i, task)) for i, task in enumerate(tasks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in threads)
    return results


class Watcher(threading.Thread):
    """Reads the call's committed total and each funder's part over and over while the writers run,
    keeping the highest seen: it must never pass the limits, not even for a moment."""

    def __init__(self, call) -> None:
        super().__init__()
        self.call, self.stop, self.highest, self.highest_funder = call, threading.Event(), Decimal(0), {}

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                total = holding_decisions(self.call).aggregate(total=Sum("amount"))["total"] or Decimal(0)
                self.highest = max(self.highest, total)
                parts = (
                    FundingShare.objects.filter(decision__call=self.call)
                    .order_by()
                    .values_list("funder")
                    .annotate(total=Sum("amount"))
                )
                for funder, part in parts:
                    self.highest_funder[funder] = max(self.highest_funder.get(funder, Decimal(0)), part)
        finally:
            connections.close_all()


def watched(call, tasks: list) -> tuple[list, Watcher]:
    watcher = Watcher(call)
    watcher.start()
    try:
        return run_together(tasks), watcher
    finally:
        watcher.stop.set()
        watcher.join(timeout=60)


def put_fund(user, call, application, body: dict):
    def task():
        client = APIClient()
        client.force_authenticate(user)
        response = client.put(
            f"/api/v1/calls/{call.pk}/decisions/{application.pk}/", {"outcome": "fund", **body}, format="json"
        )
        return response.status_code, response.json()

    return task


def test_fifty_fund_decisions_at_once_fill_the_budget_and_no_more():
    # 50 x 3,000 = 150,000 asked of a 100,000 budget: 33 fit (99,000), 17 do not.
    call, chair, applications = deciding_call(budget="100000", requests=["3000"] * THREADS)

    results, watcher = watched(call, [put_fund(chair, call, a, {}) for a in applications])

    statuses = Counter(status for status, _ in results)
    assert statuses == {200: 33, 409: 17}
    refused = [body["detail"] for status, body in results if status == 409]
    assert all("over its budget of EUR 100,000.00" in reason for reason in refused), refused[:3]
    assert call_totals(call).allocated == Decimal("99000.00")
    assert Decision.objects.filter(call=call).count() == 33
    assert watcher.highest <= call.budget


def test_fifty_splits_at_once_never_pass_a_funders_commitment():
    # Every 2,000 paid by the funder that committed 40,000: 20 fit, 30 are refused by its commitment.
    call, chair, applications = deciding_call(
        budget="100000",
        commitments=(("60000", "EUR", "1"), ("40000", "EUR", "1")),
        requests=["2000"] * THREADS,
    )
    small = call.commitments.get(amount=Decimal("40000")).funder_id
    data = DecisionInput(outcome=Decision.Outcome.FUND, shares={small: Decimal("2000")})

    def fund(application):
        return lambda: set_decision(application=application, by=chair, data=data)

    results, watcher = watched(call, [fund(a) for a in applications])

    refused = [r for r in results if isinstance(r, StateConflict)]
    assert [r for r in results if not isinstance(r, (Decision, StateConflict))] == []
    assert (len(results) - len(refused), len(refused)) == (20, 30)
    assert all("over its commitment of EUR 40,000.00" in r.message for r in refused)
    parts = {f.funder_id: f.allocated for f in call_totals(call).funders}
    assert parts[small] == Decimal("40000.00")
    assert watcher.highest_funder.get(small, Decimal(0)) <= Decimal("40000.00")


def test_two_applies_at_once_make_one_batch_and_each_letter_once(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "storage"
    call, chair, applications = deciding_call(requests=["30000", "30000", "20000", "10000", "5000"])
    for application, outcome in zip(
        applications, ["fund", "fund", "waitlist", "decline", "decline"], strict=True
    ):
        set_decision(application=application, by=chair, data=DecisionInput(outcome=outcome))

    def apply():
        client = APIClient()
        client.force_authenticate(chair)
        response = client.post(f"/api/v1/calls/{call.pk}/decisions/apply/")
        return response.status_code, response.json()

    results = run_together([apply, apply])

    assert sorted(status for status, _ in results) == [201, 409]
    assert [body["detail"] for status, body in results if status == 409] == [
        "There are no pending decisions to apply."
    ]
    batch = LetterBatch.objects.get(call=call)
    assert [body["batch"] for status, body in results if status == 201] == [batch.pk]
    assert Award.objects.filter(application__call=call).count() == 2
    per_kind = Letter.objects.filter(decision__call=call).values("decision", "kind").annotate(n=Count("pk"))
    assert {row["n"] for row in per_kind} == {1}
    decision_letters = Letter.objects.filter(decision__call=call).exclude(kind=Letter.Kind.SUMMARY)
    assert decision_letters.count() == 5
    assert set(Letter.objects.filter(decision__call=call).values_list("status", flat=True)) == {"done"}
    assert len(mail.outbox) == 5  # one e-mail per decision letter
