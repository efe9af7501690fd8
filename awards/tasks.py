"""Letter tasks: thin wrappers around ``awards.services.letters``, which owns every rule."""

from celery import shared_task
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
def sweep_pending_letters() -> int:
    """Periodic (Celery beat, every 5 minutes): queue again the letters stuck in pending."""
    return letter_services.sweep_pending_letters()
