"""The one thing the portfolio stores: which awards staff have chosen to show on the public page
(and in the public 360Giving data). Every other figure is read live from awards and applications."""

from django.conf import settings
from django.db import models


class PublishedProject(models.Model):
    """An award shown to the public: its title, lay summary, institution, amount and funders, never
    the researcher's name. Unpublishing deletes the row; the audit trail keeps both actions."""

    award = models.OneToOneField("awards.Award", on_delete=models.CASCADE, related_name="published_project")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"Published: {self.award}"
