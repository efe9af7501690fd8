"""Queueing background tasks from a state change through an outbox, so that neither a broker outage
nor a crash between the commit and the send loses one.

``enqueue_on_commit`` writes the task into the outbox (``core.models.OutboxTask``) inside the current
transaction and sends it once that commits. A broker error is logged (naming the task and its
arguments), the request answers normally and the row stays; the sweep, every minute on beat, sends
what is left once the broker is back. A row is *claimed* (one UPDATE) by whoever sends it, so the
commit's own send and a sweep never both send it; a claim older than ``CLAIM_EXPIRES`` belongs to a
process that died and is taken over. A task is delivered at least once: twice only when a process
dies between the broker taking it and the row's deletion. Run in process (no broker: the demo and
the tests), the task's own errors still propagate.
"""

import logging
from datetime import timedelta
from functools import partial

from celery import current_app, shared_task
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from core.models import OutboxTask

logger = logging.getLogger(__name__)
SWEEP_BATCH = 500
MAX_ATTEMPTS = 10  # then the row is left for an operator (logged at every sweep)
CLAIM_EXPIRES = timedelta(minutes=5)  # well above a publish's worst case (socket timeouts, retries)


def enqueue_on_commit(task, *args) -> None:
    """Queue ``task(*args)`` once the current transaction commits (at once outside one)."""
    entry = OutboxTask.objects.create(task=task.name, args=list(args))
    transaction.on_commit(partial(_deliver, entry.pk, task, args))


def _claim(entry_id: int) -> bool:
    """Take the row for sending: False when it is gone (sent) or someone else is sending it."""
    free = Q(claimed_at__isnull=True) | Q(claimed_at__lt=timezone.now() - CLAIM_EXPIRES)
    return OutboxTask.objects.filter(free, pk=entry_id).update(claimed_at=timezone.now()) == 1


def _release(entry_id: int, error: str) -> None:
    OutboxTask.objects.filter(pk=entry_id).update(
        claimed_at=None, attempts=F("attempts") + 1, last_error=error[:500]
    )


def _deliver(entry_id: int, task, args: tuple) -> bool:
    """Send the task of a committed change, unless the sweep got to it first."""
    return _claim(entry_id) and _send_claimed(entry_id, task, args)


def _send_claimed(entry_id: int, task, args: tuple) -> bool:
    """Send a claimed row's task: deleted once the broker has it; released (with the error, for a
    retry) when the broker is unreachable (False) or the task itself fails, run in process (raised)."""
    try:
        sent = send_task(task, args)
    except Exception as error:
        _release(entry_id, repr(error))
        raise
    if not sent:
        _release(entry_id, "The broker was unreachable.")
        return False
    OutboxTask.objects.filter(pk=entry_id).delete()
    return True


def send_task(task, args: tuple) -> bool:
    """Queue ``task(*args)`` now; ``False`` (and an error in the log) when the broker is unreachable."""
    try:
        task.apply_async(args)
    except BrokerUnavailable as exc:
        logger.error(
            "The broker is unreachable (%s): %s%r was not queued yet; the outbox keeps it",
            exc,
            task.name,
            args,
        )
        return False
    return True


@shared_task(name="core.tasks.sweep_outbox", acks_late=True)
def sweep_outbox() -> dict:
    """Send the outbox's tasks older than ``OUTBOX_SWEEP_AFTER_SECONDS`` (younger ones are being sent
    by their own commit), oldest first, each claimed on its own (no transaction spans a send). It
    stops at the first broker error: the next sweep goes on. A row that failed ``MAX_ATTEMPTS``
    times otherwise (a task renamed by an upgrade, arguments it no longer takes) is left and logged."""
    cutoff = timezone.now() - timedelta(seconds=settings.OUTBOX_SWEEP_AFTER_SECONDS)
    counts = {"sent": 0, "failed": 0, "waiting": 0}
    due = OutboxTask.objects.filter(created_at__lt=cutoff, attempts__lt=MAX_ATTEMPTS).order_by("pk")
    for entry in due[:SWEEP_BATCH]:
        if not _claim(entry.pk):
            continue
        task = current_app.tasks.get(entry.task)
        try:
            if task is None:
                _release(entry.pk, f"No task {entry.task}.")
                raise LookupError(f"No task {entry.task}.")
            if not _send_claimed(entry.pk, task, tuple(entry.args)):
                break
        except Exception:  # this row's own problem, recorded on it: the others go on
            logger.exception("The outbox could not send %s", entry)
            counts["failed"] += 1
            continue
        counts["sent"] += 1
    stuck = OutboxTask.objects.filter(attempts__gte=MAX_ATTEMPTS)
    for entry in stuck[:20]:
        logger.error(
            "The outbox gave up on %s after %s attempts: %s", entry, entry.attempts, entry.last_error
        )
    counts["waiting"] = OutboxTask.objects.count()
    return counts
