"""Queueing background tasks from a request without letting a broker outage undo the request's answer.

``task.delay_on_commit`` raises after the commit when Redis is unreachable: the data is saved, yet the
user sees a server error and tries again. ``enqueue_on_commit`` sends after the commit too, but a broker
error is logged (naming the task and its arguments) and the request answers normally. Run in process
(no broker: the demo and the tests), the task's own errors still propagate.
"""

import logging
from functools import partial

from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

logger = logging.getLogger(__name__)


def enqueue_on_commit(task, *args) -> None:
    """Queue ``task(*args)`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(partial(send_task, task, args))


def send_task(task, args: tuple) -> bool:
    """Queue ``task(*args)`` now; ``False`` (and an error in the log) when the broker is unreachable."""
    try:
        task.apply_async(args)
    except BrokerUnavailable as exc:
        logger.error(
            "The broker is unreachable (%s): %s%r was not queued and did not run", exc, task.name, args
        )
        return False
    return True
