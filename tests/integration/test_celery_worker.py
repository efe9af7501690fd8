"""A real Celery worker, on the real broker, against the test database."""

import os
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from applications.models import Call
from audit.models import AuditEvent
from tests.factories import CallFactory

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not os.environ.get("CELERY_BROKER_URL"),
        reason="CELERY_BROKER_URL is not set: the integration tests need a broker and start a real worker.",
    ),
]


def test_the_worker_opens_a_due_call(celery_worker_process):
    from applications.tasks import open_and_close_calls

    call = CallFactory(
        status=Call.Status.DRAFT,
        scheduled=True,
        opens_at=timezone.now() - timedelta(minutes=1),
        closes_at=timezone.now() + timedelta(days=30),
    )

    open_and_close_calls.delay()

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        call.refresh_from_db()
        if call.status == Call.Status.OPEN:
            break
        time.sleep(0.25)
    assert call.status == Call.Status.OPEN, "the worker did not open the call within 20 s"
    event = AuditEvent.objects.get(verb="call.opened", target_id=str(call.pk))
    assert (event.actor, event.actor_repr) == (None, "system")
    assert (event.before, event.after) == ({"status": "draft"}, {"status": "open"})
