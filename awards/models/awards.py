from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

from applications.models import CURRENCIES, MONEY, Application


class AwardQuerySet(models.QuerySet["Award"]):
    def standing(self) -> "AwardQuerySet":
        """Awards that hold money: offered or accepted, not declined by the awardee."""
        return self.exclude(status=Award.Status.DECLINED)


class Award(models.Model):
    """Money granted to one application, made by applying a fund decision. Holding a standing award
    from a planning-grant call makes its PI eligible for the stage-2 call that names it as
    prerequisite. The funder split is the decision's (``decision.shares``)."""

    class Status(models.TextChoices):
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined by the awardee"

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="award")
    decision = models.OneToOneField(
        "awards.Decision", null=True, blank=True, on_delete=models.PROTECT, related_name="award"
    )
    reference = models.CharField(max_length=30, unique=True)
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, choices=CURRENCIES)
    start_date = models.DateField(null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(null=True, blank=True)
    conditions = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OFFERED)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    response_note = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AwardQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "reference"]
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return self.reference
