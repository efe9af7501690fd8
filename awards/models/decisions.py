"""The chair's funding decisions on a call: pending while the committee works, applied in one step.

A decision is *pending* until the chair applies the call's decisions: until then nothing of it is
visible to the applicant. Applying publishes the outcome (``published_outcome``), makes the award of
a funded application and queues the letters. A waitlisted decision may later be changed to fund or
to decline: it is pending again (the applicant still sees "waitlisted") until the next apply.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from applications.models import MONEY, Application, Call, Funder


class Decision(models.Model):
    class Outcome(models.TextChoices):
        FUND = "fund", "Fund"
        DECLINE = "decline", "Do not fund"
        WAITLIST = "waitlist", "Waitlist"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPLIED = "applied", "Applied"

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="decisions")
    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    published_outcome = models.CharField(
        max_length=10,
        choices=Outcome.choices,
        blank=True,
        help_text="What the applicant has been told; empty until the decisions are applied.",
    )
    amount = models.DecimalField(
        "approved amount",
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="In the call's currency; at most the amount requested. Only for funded applications.",
    )
    conditions = models.TextField(blank=True, max_length=5000)
    discussion_summary = models.TextField(
        blank=True,
        max_length=10000,
        help_text="The summary of the committee's discussion, for the applicant's summary statement.",
    )
    start_date = models.DateField(null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["call", "application__reference"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(outcome="fund", amount__isnull=False) | ~models.Q(outcome="fund")),
                name="decision_fund_has_amount",
            ),
            models.CheckConstraint(
                condition=(models.Q(outcome="fund") | models.Q(amount__isnull=True)),
                name="decision_amount_only_when_funded",
            ),
        ]
        indexes = [models.Index(fields=["call", "outcome"])]

    def __str__(self) -> str:
        return f"{self.application}: {self.get_outcome_display()} ({self.get_status_display().lower()})"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class FundingShare(models.Model):
    """The part of a funded decision's amount one funder pays, in the call's currency."""

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="shares")
    funder = models.ForeignKey(Funder, on_delete=models.PROTECT, related_name="funding_shares")
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(Decimal("0"))])

    class Meta:
        ordering = ["decision", "funder__name"]
        constraints = [models.UniqueConstraint(fields=["decision", "funder"], name="one_share_per_funder")]

    def __str__(self) -> str:
        return f"{self.funder}: {self.amount}"
