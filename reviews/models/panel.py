"""The committee's ranking (triage) and the panel meeting with final scores."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from applications.models import Application, Call


class Triage(models.Model):
    """Where a call's triage line sits: the top ``discuss_count`` of the ranking are discussed at the
    meeting, the rest are "not discussed" unless pulled back. Empty count: the top half."""

    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="triage")
    discuss_count = models.PositiveIntegerField(null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Triage of {self.call}: {self.discuss_count or 'top half'}"


class TriageOverride(models.Model):
    """An application pulled back into discussion (or set aside) whatever its place in the ranking."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="triage_overrides")
    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="triage_override")
    discuss = models.BooleanField(default=True)
    reason = models.TextField(blank=True, max_length=2000)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.application}: {'discuss' if self.discuss else 'not discussed'}"


class PanelMeeting(models.Model):
    """The committee's meeting for a call: an agenda of the discussed applications, one current item
    at a time, final scores by every eligible (non-conflicted) member."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in_progress", "In progress"
        CLOSED = "closed", "Closed"

    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="panel_meeting")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    current_item = models.ForeignKey(
        "MeetingItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    final_scale_min = models.SmallIntegerField(default=1)
    final_scale_max = models.SmallIntegerField(default=9)
    lower_is_better = models.BooleanField(default=True, help_text="NIH style: 1 is the best final score.")
    show_times_ten = models.BooleanField(
        default=True, help_text="Show the mean times 10, as NIH's impact score."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Panel meeting of {self.call} ({self.get_status_display()})"


class MeetingItem(models.Model):
    """One application on the agenda, in the order of its preliminary score."""

    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="items")
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="meeting_items")
    position = models.PositiveIntegerField()
    preliminary_score = models.FloatField(null=True, blank=True, help_text="The pre-discussion score, kept.")
    discussion_notes = models.TextField(blank=True, max_length=20000)
    final_score = models.DecimalField(max_digits=6, decimal_places=3, null=True, blank=True)
    discussed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "application"], name="one_item_per_application"),
            models.UniqueConstraint(fields=["meeting", "position"], name="one_item_per_position"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.application}"


class FinalScore(models.Model):
    """A committee member's post-discussion score for an item."""

    item = models.ForeignKey(MeetingItem, on_delete=models.CASCADE, related_name="final_scores")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="final_scores"
    )
    score = models.DecimalField(
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["item", "member"], name="one_final_score_per_member")]

    def __str__(self) -> str:
        return f"{self.member} gives {self.score} to {self.item}"


class ReminderSent(models.Model):
    """A reminder e-mail of the daily task, sent (or being sent) on ``day``: each is sent at most
    once a day, also when the task runs twice (two beats, a task delivered again after its worker
    died). ``key`` says what it reminds of: ``due:<reviewer>`` or ``overdue:<call>``."""

    key = models.CharField(max_length=100)
    day = models.DateField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "day"], name="reminder_once_a_day")]

    def __str__(self) -> str:
        return f"Reminder {self.key} on {self.day}"
