from django.core.validators import MinValueValidator
from django.db import models

from applications.models import CURRENCIES, MONEY, Application


class Award(models.Model):
    """Money granted to one application. Holding an award from a planning-grant call makes its PI
    eligible for the stage-2 call that names it as prerequisite."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="award")
    reference = models.CharField(max_length=30, unique=True)
    amount = models.DecimalField(**MONEY, validators=[MinValueValidator(0)])
    currency = models.CharField(max_length=3, choices=CURRENCIES)
    start_date = models.DateField(null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(null=True, blank=True)
    conditions = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "reference"]

    def __str__(self) -> str:
        return self.reference
