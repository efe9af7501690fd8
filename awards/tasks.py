"""Letter tasks: thin wrappers around ``awards.services.letters``, which owns every rule."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist

from awards.letters import LetterTemplateError
from awards.services import letters as letter_services


@shared_task(
    bind=True,
    name="awards.tasks.render_letter",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(Exception,),
    dont_autoretry_for=(ObjectDoesNotExist, LetterTemplateError),  # no retry mends these
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=5,
)
def render_letter(self, letter_id: int) -> str:
    """Render, store and e-mail one letter; a redelivered task finds it done and does nothing."""
    # Run in process (no broker), a task has no later attempt: its first failure is final, so the
    # letter shows as failed and can be retried, instead of staying pending with nothing to sweep it.
    final = self.request.is_eager or self.request.retries >= self.max_retries
    return letter_services.render_letter(letter_id, final_attempt=final).status


@shared_task(name="awards.tasks.sweep_pending_letters", acks_late=True)
def sweep_pending_letters(older_than_seconds: int | None = None) -> int:
    """Periodic (Celery beat, every 5 minutes): queue again the letters pending longer than
    ``older_than_seconds`` (default ``LETTERS_SWEEP_AFTER_SECONDS``), and the rendered decision
    letters not yet e-mailed; the number queued."""
    if older_than_seconds is None:
        older_than_seconds = settings.LETTERS_SWEEP_AFTER_SECONDS
    return letter_services.sweep_pending_letters(older_than=timedelta(seconds=older_than_seconds))
