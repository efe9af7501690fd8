"""Applications and what they carry: team, budget, attachments and the applicant's reviewer exclusions."""

import secrets
import uuid
from decimal import Decimal
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from accounts.identifiers import validate_orcid
from applications.models.calls import MONEY, Call, FocusArea, Program


class ApplicationQuerySet(models.QuerySet["Application"]):
    def submitted(self) -> "ApplicationQuerySet":
        return self.filter(status=Application.Status.SUBMITTED)


class Application(models.Model):
    """A researcher's proposal to a call; frozen once submitted."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        WITHDRAWN = "withdrawn", "Withdrawn"

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="applications")
    pi = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="applications",
        verbose_name="principal investigator",
    )
    institution = models.ForeignKey(
        "accounts.Institution", null=True, blank=True, on_delete=models.PROTECT, related_name="applications"
    )
    title = models.CharField(max_length=300, blank=True)
    lay_summary = models.TextField(blank=True, max_length=20000)
    scientific_abstract = models.TextField(blank=True, max_length=30000)
    focus_areas = models.ManyToManyField(FocusArea, blank=True, related_name="applications")
    keywords = models.CharField(max_length=500, blank=True, help_text="Separated by commas.")
    requested_amount = models.DecimalField(
        **MONEY, null=True, blank=True, validators=[MinValueValidator(Decimal("0.01"))]
    )
    duration_months = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    needed_expertise = models.TextField(
        "expertise the review needs",
        blank=True,
        max_length=5000,
        help_text="Which expertise reviewers of this application should have.",
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, editable=False)
    reference = models.CharField(max_length=30, blank=True, editable=False)
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField(null=True, blank=True, editable=False)
    withdrawal_reason = models.TextField(blank=True, editable=False)
    receipt_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    anonymised_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the retention policy removed personal data."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ApplicationQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"], condition=~models.Q(reference=""), name="unique_application_reference"
            ),
        ]
        indexes = [models.Index(fields=["call", "status"])]

    def __str__(self) -> str:
        return self.reference or self.title or f"Draft application #{self.pk}"

    @property
    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.split(",") if k.strip()]

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class TeamMember(models.Model):
    """A co-investigator or collaborator; co-investigators may be invited to see the application."""

    class Role(models.TextChoices):
        CO_INVESTIGATOR = "co_investigator", "Co-investigator"
        COLLABORATOR = "collaborator", "Collaborator"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="team")
    name = models.CharField(max_length=200)
    email = models.EmailField("e-mail address")
    orcid = models.CharField("ORCID iD", max_length=19, blank=True, validators=[validate_orcid])
    institution_name = models.CharField("institution", max_length=300)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CO_INVESTIGATOR)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="team_roles",
        help_text="Set when the invited person accepts with their account.",
    )
    invite_token = models.CharField(max_length=64, blank=True, editable=False)
    invited_at = models.DateTimeField(null=True, blank=True, editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "email"], name="one_team_entry_per_email"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(32)


class BudgetLine(models.Model):
    class Category(models.TextChoices):
        PERSONNEL = "personnel", "Personnel"
        EQUIPMENT = "equipment", "Equipment"
        CONSUMABLES = "consumables", "Consumables"
        TRAVEL = "travel", "Travel"
        OTHER = "other", "Other"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(max_length=20, choices=Category.choices)
    year = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(10)])
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0.01"))])
    justification = models.TextField(max_length=2000)

    class Meta:
        ordering = ["year", "category", "id"]

    def __str__(self) -> str:
        return f"Year {self.year} {self.get_category_display()}: {self.amount}"


def attachment_path(instance: "Attachment", filename: str) -> str:
    """A generated name: the uploaded name is never used on disk (it is kept for display only)."""
    return str(PurePosixPath("attachments") / str(instance.application_id) / f"{uuid.uuid4().hex}.pdf")


class Attachment(models.Model):
    class Kind(models.TextChoices):
        RESEARCH_PLAN = "research_plan", "Research plan"
        CV = "cv", "CV"
        LETTER_OF_SUPPORT = "letter_of_support", "Letter of support"

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to=attachment_path, max_length=200)
    original_name = models.CharField(max_length=255)
    size = models.PositiveIntegerField()
    pages = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "uploaded_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


class ReviewerExclusion(models.Model):
    """Someone the applicant asks not to review the application (as NIH's assignment request form)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="exclusions")
    name = models.CharField(max_length=200)
    email = models.EmailField("e-mail address", blank=True)
    orcid = models.CharField("ORCID iD", max_length=19, blank=True, validators=[validate_orcid])
    reason = models.TextField(max_length=2000)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class ReferenceSequence(models.Model):
    """The last reference number used per program and year (row-locked when a number is taken)."""

    program = models.ForeignKey(Program, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["program", "year"], name="one_sequence_per_program_year")
        ]

    def __str__(self) -> str:
        return f"{self.program.code}-{self.year}: {self.last}"
