"""Queueing background tasks from a state change through an outbox, so that neither a broker outage
nor a crash between the commit and the send loses one.

``enqueue_on_commit`` writes the task into the outbox (``core.models.OutboxTask``) inside the current
transaction and sends it once that commits. A broker error is logged (naming the task and its
arguments), the request answers normally and the row stays; the sweep, every minute on beat, sends
what is left once the broker is back. A task is therefore delivered at least once: the tasks queued
this way are idempotent, keyed by their rows (a receipt records that it was sent, a run that it ran).
Run in process (no broker: the demo and the tests), the task's own errors still propagate.
"""

import logging
from datetime import timedelta
from functools import partial

from celery import current_app, shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from core.models import OutboxTask

logger = logging.getLogger(__name__)
SWEEP_BATCH = 500


def enqueue_on_commit(task, *args) -> None:
    """Queue ``task(*args)`` once the current transaction commits (at once outside one)."""
    entry = OutboxTask.objects.create(task=task.name, args=list(args))
    transaction.on_commit(partial(_deliver, entry.pk, task, args))


def _deliver(entry_id: int, task, args: tuple) -> bool:
    if send_task(task, args, entry_id=entry_id):
        OutboxTask.objects.filter(pk=entry_id).delete()
        return True
    return False


def send_task(task, args: tuple, *, entry_id: int | None = None) -> bool:
    """Queue ``task(*args)`` now; ``False`` (and an error in the log, and on the outbox row) when the
    broker is unreachable."""
    try:
        task.apply_async(args)
    except BrokerUnavailable as exc:
        logger.error(
            "The broker is unreachable (%s): %s%r was not queued yet; the outbox keeps it",
            exc,
            task.name,
            args,
        )
        if entry_id is not None:
            OutboxTask.objects.filter(pk=entry_id).update(
                attempts=F("attempts") + 1, last_error=str(exc)[:500]
            )
        return False
    return True


@shared_task(name="core.tasks.sweep_outbox", acks_late=True)
def sweep_outbox() -> dict:
    """Send the outbox's tasks older than ``OUTBOX_SWEEP_AFTER_SECONDS`` (younger ones are being sent
    by their own commit). Rows are locked while sent, so two sweeps never send one twice; the sweep
    stops at the first broker error, and the next sweep goes on."""
    cutoff = timezone.now() - timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS)
    counts = {"sent": 0, "unknown": 0, "waiting": 0}
    with transaction.atomic():
        due = OutboxTask.objects.select_for_update(skip_locked=True).filter(created_at__lt=cutoff)
        for entry in due[:SWEEP_BATCH]:
            task = current_app.tasks.get(entry.task)
            if task is None:  # renamed or removed by an upgrade: kept, and said, never dropped silently
                logger.error("The outbox holds %s, which no longer exists: not sent", entry)
                entry.last_error = "No such task."
                entry.save(update_fields=["last_error"])
                counts["unknown"] += 1
                continue
            if not send_task(task, tuple(entry.args), entry_id=entry.pk):
                break
            entry.delete()
            counts["sent"] += 1
    counts["waiting"] = OutboxTask.objects.count()
    return counts
