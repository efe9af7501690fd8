"""Review forms built from criteria, dated review phases that carry permissions, and reviews.

Scores are stored raw, as the reviewer gave them; the weighted total is computed in one place,
``reviews.scoring.weighted_total``, on a common 0-100 "goodness" scale (100 is best whatever the
criterion's direction), so totals of different forms and scales can be compared and averaged.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from applications.models import Call
from reviews.models.pool import Assignment, ReviewerProfile


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher_is_better", "Higher is better"
    LOWER_IS_BETTER = "lower_is_better", "Lower is better (NIH: 1 is best)"


class ReviewForm(models.Model):
    """The form one kind of reviewer (scientific or lay) fills in for a call: criteria plus a separate
    overall score, which is never mixed into the weighted total."""

    Audience = ReviewerProfile.Kind

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="review_forms")
    audience = models.CharField(max_length=12, choices=Audience.choices, default=Audience.SCIENTIFIC)
    name = models.CharField(max_length=200)
    template = models.CharField(max_length=40, blank=True, help_text="The shipped template it came from.")
    overall_label = models.CharField(max_length=200, default="Overall score")
    overall_guidance = models.TextField(blank=True, max_length=5000)
    overall_min = models.SmallIntegerField(default=1)
    overall_max = models.SmallIntegerField(default=5)
    overall_direction = models.CharField(
        max_length=16, choices=Direction.choices, default=Direction.HIGHER_IS_BETTER
    )
    overall_anchors = models.JSONField(
        default=dict, blank=True, help_text="{score: label} for anchor points."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["call", "audience"]
        constraints = [
            models.UniqueConstraint(fields=["call", "audience"], name="one_review_form_per_audience"),
            models.CheckConstraint(
                condition=Q(overall_min__lt=models.F("overall_max")), name="overall_min_lt_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_audience_display()}, {self.call})"

    def criteria_for(self, kind: str) -> list["Criterion"]:
        """The criteria a reviewer of ``kind`` scores, in order."""
        return [c for c in self.criteria.all() if c.scored_by in (kind, Criterion.ScoredBy.BOTH)]


class Criterion(models.Model):
    class ScoredBy(models.TextChoices):
        SCIENTIFIC = "scientific", "Scientific reviewers"
        LAY = "lay", "Lay reviewers"
        BOTH = "both", "Both"

    Direction = Direction

    form = models.ForeignKey(ReviewForm, on_delete=models.CASCADE, related_name="criteria")
    key = models.SlugField(max_length=50)
    label = models.CharField(max_length=200)
    guidance = models.TextField(blank=True, max_length=5000)
    scale_min = models.SmallIntegerField(default=1)
    scale_max = models.SmallIntegerField(default=5)
    anchors = models.JSONField(default=dict, blank=True, help_text="{score: label} for anchor points.")
    direction = models.CharField(max_length=16, choices=Direction.choices, default=Direction.HIGHER_IS_BETTER)
    weight = models.DecimalField(
        max_digits=6, decimal_places=3, default=Decimal("1"), validators=[MinValueValidator(Decimal("0.001"))]
    )
    required = models.BooleanField(default=True)
    allow_not_applicable = models.BooleanField(
        "allow “not applicable”",
        default=False,
        help_text="N/a is never counted as zero: the weights of the scored criteria are renormalised.",
    )
    counts_toward_total = models.BooleanField(
        default=True,
        help_text="Off for judgements recorded but not scored, such as NIH's expertise and resources.",
    )
    scored_by = models.CharField(max_length=12, choices=ScoredBy.choices, default=ScoredBy.BOTH)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["form", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["form", "key"], name="one_criterion_per_key"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(
                condition=Q(scale_min__lt=models.F("scale_max")), name="criterion_min_lt_max"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.scale_min}-{self.scale_max})"


class ReviewPhase(models.Model):
    """A dated phase of a call's review and what reviewers may do in it. One is active at a time
    (switched by hand or by a periodic task). The default is blind-first: score independently
    (others' reviews hidden), then read."""

    class SeeOthers(models.TextChoices):
        NEVER = "never", "Never"
        AFTER_OWN = "after_own", "After submitting their own review"
        ALWAYS = "always", "Always"

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="review_phases")
    name = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    can_write = models.BooleanField("reviewers may write reviews", default=True)
    see_others = models.CharField(
        "reviewers see others' reviews", max_length=10, choices=SeeOthers.choices, default=SeeOthers.NEVER
    )
    see_reviewer_names = models.BooleanField(default=False)
    see_applicant_identity = models.BooleanField(default=True)
    active = models.BooleanField(default=False)

    class Meta:
        ordering = ["call", "position", "starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["call"], condition=Q(active=True), name="one_active_review_phase_per_call"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.call})"


class Review(models.Model):
    """One reviewer's review of one assigned application."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="review")
    form = models.ForeignKey(ReviewForm, on_delete=models.PROTECT, related_name="reviews")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    overall_score = models.SmallIntegerField(null=True, blank=True, help_text="Kept apart from the total.")
    strengths = models.TextField(blank=True, max_length=10000)
    weaknesses = models.TextField(blank=True, max_length=10000)
    comments_to_applicant = models.TextField(blank=True, max_length=10000)
    confidential_comments = models.TextField(
        "confidential comments to the committee", blank=True, max_length=10000
    )
    weighted_total = models.FloatField(
        null=True,
        blank=True,
        help_text="Weighted mean of the scored criteria on the 0-100 goodness scale (100 best); "
        "n/a criteria are left out and the other weights renormalised.",
    )
    version = models.PositiveIntegerField(default=1, help_text="Optimistic locking: raised by every save.")
    saved_in_tab = models.CharField(
        max_length=32,
        blank=True,
        default="",
        help_text="The workspace page (one per page load) whose autosave wrote this version; empty after "
        "a submission, an edit or a save through the API.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assignment"]
        indexes = [models.Index(fields=["form", "status"])]

    def __str__(self) -> str:
        return f"Review of {self.assignment.application_id} by {self.assignment.reviewer_id}"

    @property
    def reviewer(self):
        return self.assignment.reviewer


class CriterionScore(models.Model):
    """A raw score as the reviewer gave it, or an explicit "not applicable" (never a zero)."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="scores")
    value = models.SmallIntegerField(null=True, blank=True)
    not_applicable = models.BooleanField(default=False)

    class Meta:
        ordering = ["review", "criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="one_score_per_criterion"),
            models.CheckConstraint(
                condition=Q(not_applicable=False) | Q(value__isnull=True), name="score_na_has_no_value"
            ),
        ]

    def __str__(self) -> str:
        shown = "n/a" if self.not_applicable else self.value
        return f"{self.criterion.key}: {shown}"

    def clean(self) -> None:
        c = self.criterion
        if self.not_applicable and not c.allow_not_applicable:
            raise ValidationError({"not_applicable": f"“{c.label}” cannot be marked not applicable."})
        if self.value is not None and not c.scale_min <= self.value <= c.scale_max:
            raise ValidationError({"value": f"Give “{c.label}” a score from {c.scale_min} to {c.scale_max}."})
