from celery import shared_task

from applications.services import open_and_close_due_calls


@shared_task(name="applications.tasks.open_and_close_calls", acks_late=True)
def open_and_close_calls() -> dict[str, list[int]]:
    """Periodic (Celery beat, every minute): open and close calls at their times."""
    return open_and_close_due_calls()
