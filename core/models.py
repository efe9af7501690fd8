"""The outbox of background tasks (core.tasks)."""

from django.db import models


class OutboxTask(models.Model):
    """A background task queued by a state change. It is written in the change's transaction, so it
    exists exactly when the change does, and deleted once the broker has taken the task; the sweep
    (``core.tasks.sweep_outbox``) sends again what is left: a broker outage delays a task, never
    loses it."""

    task = models.CharField(max_length=200, help_text="The Celery task's registered name.")
    args = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Being sent since then (by its commit or the sweep); cleared on failure.",
    )
    attempts = models.PositiveIntegerField(default=0, help_text="Sends that failed.")
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)!r}"
