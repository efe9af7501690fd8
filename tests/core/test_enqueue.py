"""A broker outage after the commit does not turn a saved request into a server error, and the
outbox delivers the task once the broker is back."""

import logging
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from applications.tasks import send_submission_receipt
from core.models import OutboxTask
from core.tasks import CLAIM_EXPIRES, MAX_ATTEMPTS, enqueue_on_commit, send_task, sweep_outbox


class _Sent:
    def __init__(self, error=None):
        self.name = "applications.tasks.send_submission_receipt"
        self.error = error
        self.calls = []

    def apply_async(self, args):
        self.calls.append(args)
        if self.error:
            raise self.error


def test_a_broker_error_is_logged_with_the_task_and_not_raised(caplog):
    task = _Sent(OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused."))
    with caplog.at_level(logging.ERROR, logger="core.tasks"):
        assert send_task(task, (42,)) is False
    assert task.calls == [(42,)]
    assert "applications.tasks.send_submission_receipt(42,)" in caplog.text
    assert "was not queued" in caplog.text


def test_any_other_error_of_the_task_still_propagates():
    task = _Sent(ValueError("a bug in the task"))
    with pytest.raises(ValueError, match="a bug in the task"):
        send_task(task, (1,))


@pytest.mark.django_db
def test_it_is_sent_only_after_the_commit(django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr(send_submission_receipt, "apply_async", lambda args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enqueue_on_commit(send_submission_receipt, 7)
        assert sent == []
    assert len(callbacks) == 1
    assert sent == [(7,)]


@pytest.mark.django_db
def test_a_submission_answers_normally_when_the_broker_is_down(
    client_for, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    from applications.models import Application
    from tests.applications.factories import complete_draft

    application = complete_draft()

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(send_submission_receipt, "apply_async", broker_down)
    client = client_for(application.pi)
    capture = django_capture_on_commit_callbacks(execute=True)
    with caplog.at_level(logging.ERROR, logger="core.tasks"), capture:
        response = client.post(f"/applications/{application.pk}/submit/")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert "was not queued" in caplog.text


def broken_broker(*args, **kwargs):
    raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.mark.django_db
def test_the_outbox_keeps_a_task_the_broker_refused_until_the_sweep_delivers_it(
    client_for, django_capture_on_commit_callbacks, monkeypatch, settings, mailoutbox
):
    from tests.applications.factories import complete_draft

    application = complete_draft()
    client = client_for(application.pi)
    with monkeypatch.context() as down, django_capture_on_commit_callbacks(execute=True):
        down.setattr(send_submission_receipt, "apply_async", broken_broker)
        assert client.post(f"/applications/{application.pk}/submit/").status_code == 302
    [entry] = OutboxTask.objects.all()
    assert (entry.task, entry.args, entry.attempts) == (send_submission_receipt.name, [application.pk], 1)
    assert (entry.claimed_at, entry.last_error) == (None, "The broker was unreachable.")
    assert mailoutbox == []

    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0
    with monkeypatch.context() as still_down:
        still_down.setattr(send_submission_receipt, "apply_async", broken_broker)
        assert sweep_outbox() == {"sent": 0, "failed": 0, "waiting": 1}
    assert OutboxTask.objects.get().attempts == 2

    assert sweep_outbox() == {"sent": 1, "failed": 0, "waiting": 0}  # the broker is back
    assert [m.subject.split(":")[0] for m in mailoutbox] == ["Received"]
    assert sweep_outbox() == {"sent": 0, "failed": 0, "waiting": 0}
    assert len(mailoutbox) == 1


@pytest.mark.django_db
def test_a_task_sent_after_its_commit_leaves_nothing_in_the_outbox(
    django_capture_on_commit_callbacks, monkeypatch
):
    sent = []
    monkeypatch.setattr(send_submission_receipt, "apply_async", lambda args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        enqueue_on_commit(send_submission_receipt, 7)
        assert OutboxTask.objects.count() == 1  # written with the change, in its transaction
    assert sent == [(7,)]
    assert not OutboxTask.objects.exists()


@transaction.atomic
def enqueue_then_fail():
    enqueue_on_commit(send_submission_receipt, 7)
    raise RuntimeError("the change fails after queueing its task")


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_queues_nothing(monkeypatch):
    sent = []
    monkeypatch.setattr(send_submission_receipt, "apply_async", lambda args: sent.append(args))
    with pytest.raises(RuntimeError):
        enqueue_then_fail()
    assert sent == []
    assert not OutboxTask.objects.exists()


@pytest.mark.django_db
def test_the_sweep_leaves_young_tasks_to_their_own_commit(settings, monkeypatch):
    sent = []
    monkeypatch.setattr(send_submission_receipt, "apply_async", lambda args: sent.append(args))
    OutboxTask.objects.create(task=send_submission_receipt.name, args=[3])
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 60
    assert sweep_outbox() == {"sent": 0, "failed": 0, "waiting": 1}
    OutboxTask.objects.update(created_at=timezone.now() - timedelta(seconds=61))
    assert sweep_outbox() == {"sent": 1, "failed": 0, "waiting": 0}
    assert sent == [(3,)]


@pytest.mark.django_db
def test_a_row_being_sent_is_never_sent_by_someone_else_too(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    """The commit's own send and a sweep claim the row: whoever is second sends nothing. A claim
    left by a process that died is taken over once it expires."""
    sent = []
    monkeypatch.setattr(send_submission_receipt, "apply_async", lambda args: sent.append(args))
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0
    with django_capture_on_commit_callbacks() as callbacks:
        enqueue_on_commit(send_submission_receipt, 5)
    OutboxTask.objects.update(claimed_at=timezone.now())  # the sweep is sending it right now
    callbacks[0]()  # the commit's own send comes second
    assert sent == []
    assert sweep_outbox() == {"sent": 0, "failed": 0, "waiting": 1}  # still claimed: left alone
    OutboxTask.objects.update(claimed_at=timezone.now() - CLAIM_EXPIRES - timedelta(seconds=1))
    assert sweep_outbox() == {"sent": 1, "failed": 0, "waiting": 0}
    assert sent == [(5,)]


@pytest.mark.django_db
def test_a_row_that_cannot_be_sent_does_not_hold_up_the_others(settings, monkeypatch, caplog):
    settings.OUTBOX_SWEEP_AFTER_SECONDS = 0
    sent = []
    monkeypatch.setattr(send_submission_receipt, "apply_async", lambda args: sent.append(args))
    OutboxTask.objects.create(task="applications.tasks.renamed_away", args=[1])
    OutboxTask.objects.create(task=send_submission_receipt.name, args=[2])
    with caplog.at_level(logging.ERROR, logger="core.tasks"):
        assert sweep_outbox() == {"sent": 1, "failed": 1, "waiting": 1}
    assert "applications.tasks.renamed_away(1,)" in caplog.text
    assert sent == [(2,)]
    stuck = OutboxTask.objects.get()
    assert (stuck.attempts, stuck.claimed_at) == (1, None)
    assert "No task applications.tasks.renamed_away" in stuck.last_error
    OutboxTask.objects.update(attempts=MAX_ATTEMPTS)
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="core.tasks"):
        assert sweep_outbox() == {"sent": 0, "failed": 0, "waiting": 1}  # given up, not tried again
    assert "gave up on applications.tasks.renamed_away(1,)" in caplog.text
