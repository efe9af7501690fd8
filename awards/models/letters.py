"""Letters: templates written by staff, per-call letter settings, and every rendered letter kept.

Each letter is one (decision, kind, version): rendering the same version twice makes one file, and
regenerating makes a new version beside the old one. A letter is *pending* from the moment the
decision transaction commits until a worker has stored its PDF (with its SHA-256); the periodic
sweep re-queues letters that stay pending too long, so a broker outage delays letters but never
loses one.
"""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models

from applications.models import Call


class LetterKind(models.TextChoices):
    AWARD = "award", "Award letter"
    DECLINE = "decline", "Decline letter"
    WAITLIST = "waitlist", "Waitlist letter"
    SUMMARY = "summary", "Summary statement"


class LetterTemplate(models.Model):
    """The body of one kind of letter for one call, a Django template with documented merge fields
    (see ``awards.letters.MERGE_FIELDS``). Without one, the shipped default for the kind is used."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="letter_templates")
    kind = models.CharField(
        max_length=10, choices=[c for c in LetterKind.choices if c[0] != LetterKind.SUMMARY]
    )
    subject = models.CharField(
        "e-mail subject", max_length=200, help_text="May use merge fields, e.g. {{ reference }}."
    )
    body = models.TextField(max_length=50000, help_text="The letter's text: HTML with merge fields.")
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["call", "kind"]
        constraints = [models.UniqueConstraint(fields=["call", "kind"], name="one_letter_template_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.call}"


def signature_path(instance: "LetterSettings", filename: str) -> str:
    return str(PurePosixPath("signatures") / f"{uuid.uuid4().hex}.png")


class LetterSettings(models.Model):
    """Who signs a call's letters, with which signature image, on which letterhead."""

    call = models.OneToOneField(Call, on_delete=models.CASCADE, related_name="letter_settings")
    signatory_name = models.CharField(
        max_length=200, blank=True, help_text="Empty: the committee chair's name."
    )
    signatory_title = models.CharField(max_length=200, default="Chair of the Scientific Steering Committee")
    signature = models.FileField(
        "signature image (PNG)", upload_to=signature_path, max_length=200, blank=True
    )
    letterhead = models.CharField(
        max_length=100,
        default="letters/letterhead.svg",
        help_text="A letterhead image from the static files' letters/ folder.",
    )
    sender_address = models.TextField(blank=True, max_length=1000, help_text="Printed in the footer.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "letter settings"

    def __str__(self) -> str:
        return f"Letter settings — {self.call}"


class LetterBatch(models.Model):
    """The letters queued by one action (applying decisions, regenerating): its progress is shown."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="letter_batches")
    label = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "letter batches"

    def __str__(self) -> str:
        return f"{self.label} ({self.call})"


def letter_path(instance: "Letter", filename: str) -> str:
    return str(PurePosixPath("letters") / str(instance.decision.call_id) / f"{uuid.uuid4().hex}.pdf")


class Letter(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    Kind = LetterKind

    decision = models.ForeignKey("awards.Decision", on_delete=models.PROTECT, related_name="letters")
    batch = models.ForeignKey(
        LetterBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="letters"
    )
    kind = models.CharField(max_length=10, choices=LetterKind.choices)
    version = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(upload_to=letter_path, max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    queued_at = models.DateTimeField(null=True, blank=True, help_text="When it was last sent to the queue.")
    rendered_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["decision", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "kind", "version"], name="one_letter_per_version")
        ]
        indexes = [models.Index(fields=["status", "queued_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version} — {self.decision.application}"

    @property
    def filename(self) -> str:
        reference = self.decision.application.reference or f"application-{self.decision.application_id}"
        return f"{reference}-{self.kind}-v{self.version}.pdf"
