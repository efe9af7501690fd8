"""A broker outage after the commit does not turn a saved request into a server error."""

import logging

import pytest
from kombu.exceptions import OperationalError

from applications.tasks import send_submission_receipt
from core.tasks import enqueue_on_commit, send_task


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
