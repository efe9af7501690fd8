"""Reminder e-mails of the daily task (``reviews.tasks.send_review_reminders``): each at most once a
day, whatever runs the task twice."""

from collections.abc import Callable
from datetime import date

from django.db import IntegrityError, transaction

from audit.services import record_event
from reviews.models import ReminderSent


def send_once_a_day(*, key: str, day: date, send: Callable[[], object]) -> bool:
    """Send a reminder unless one with ``key`` went out on ``day``; True when this call sent it.

    The row is written first, so a second run at the same moment meets the unique key and sends
    nothing; it is removed again when sending fails, so that the task's next run sends it."""
    try:
        with transaction.atomic():
            reminder = ReminderSent.objects.create(key=key, day=day)
    except IntegrityError:
        return False
    try:
        send()
    except Exception:
        reminder.delete()
        raise
    record_event(reminder, "review.reminder_sent", by=None, key=key, day=day.isoformat())
    return True
