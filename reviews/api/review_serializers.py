"""Serializers of review forms and reviews. Who may read a review's reviewer name and confidential
comments is decided by the view and passed in the context (``ReviewAudience``)."""

from dataclasses import dataclass, field

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications.permissions import is_committee_member
from reviews.models import Criterion, Review, ReviewForm
from reviews.selectors_reviews import can_see_reviewer_names


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Criterion
        fields = [
            "key",
            "label",
            "guidance",
            "scale_min",
            "scale_max",
            "anchors",
            "direction",
            "weight",
            "required",
            "allow_not_applicable",
            "counts_toward_total",
            "scored_by",
            "position",
        ]


class ReviewFormSerializer(serializers.ModelSerializer):
    criteria = CriterionSerializer(many=True, read_only=True)

    class Meta:
        model = ReviewForm
        fields = [
            "id",
            "call",
            "audience",
            "name",
            "overall_label",
            "overall_guidance",
            "overall_min",
            "overall_max",
            "overall_direction",
            "overall_anchors",
            "criteria",
        ]


@dataclass
class ReviewAudience:
    """What one user may read of the reviews in a response, memoised per call and application so a
    list costs the same number of queries whatever its length."""

    user: object
    _committee: dict = field(default_factory=dict)
    _names: dict = field(default_factory=dict)

    def is_own(self, review: Review) -> bool:
        return review.assignment.reviewer_id == self.user.pk

    def is_committee(self, review: Review) -> bool:
        call_id = review.form.call_id
        if call_id not in self._committee:
            self._committee[call_id] = self.user.is_staff or is_committee_member(self.user, review.form.call)
        return self._committee[call_id]

    def sees_confidential(self, review: Review) -> bool:
        return self.is_own(review) or self.is_committee(review)

    def sees_name(self, review: Review) -> bool:
        if self.is_own(review) or self.is_committee(review):
            return True
        application = review.assignment.application
        if application.pk not in self._names:
            self._names[application.pk] = can_see_reviewer_names(self.user, application)
        return self._names[application.pk]


class ScoreSerializer(serializers.Serializer):
    criterion = serializers.CharField(source="criterion.key")
    label = serializers.CharField(source="criterion.label")
    value = serializers.IntegerField(allow_null=True)
    not_applicable = serializers.BooleanField()


class ReviewerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")


class ReviewSerializer(serializers.ModelSerializer):
    assignment = serializers.IntegerField(source="assignment_id", read_only=True)
    application = serializers.IntegerField(source="assignment.application_id", read_only=True)
    application_reference = serializers.CharField(source="assignment.application.reference", read_only=True)
    call = serializers.IntegerField(source="form.call_id", read_only=True)
    reviewer = serializers.SerializerMethodField()
    scores = ScoreSerializer(many=True, read_only=True)
    confidential_comments = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "assignment",
            "application",
            "application_reference",
            "call",
            "form",
            "reviewer",
            "status",
            "version",
            "scores",
            "overall_score",
            "weighted_total",
            "strengths",
            "weaknesses",
            "comments_to_applicant",
            "confidential_comments",
            "created_at",
            "updated_at",
            "submitted_at",
        ]
        read_only_fields = fields

    @property
    def audience(self) -> ReviewAudience:
        return self.context["audience"]

    @extend_schema_field(ReviewerSerializer(allow_null=True))
    def get_reviewer(self, review: Review):
        """Null while the phase hides reviewer names from the reader."""
        if not self.audience.sees_name(review):
            return None
        return ReviewerSerializer(review.assignment.reviewer).data

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_confidential_comments(self, review: Review) -> str | None:
        """For the committee and staff (and the author); null for other reviewers."""
        return review.confidential_comments if self.audience.sees_confidential(review) else None


class ScoreValueField(serializers.JSONField):
    """A whole number, "na" (not applicable) or null (blank)."""


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "oneOf": [{"type": "integer"}, {"type": "string", "enum": ["na"]}],
            "nullable": True,
        },
    }
)
class ScoresField(serializers.DictField):
    child = ScoreValueField(allow_null=True)  # null clears a score, as documented


class ReviewWriteSerializer(serializers.Serializer):
    """The fields given replace the saved ones; the others are kept."""

    version = serializers.IntegerField(
        allow_null=True, help_text="The version you loaded (null for a review not started yet)."
    )
    scores = ScoresField(required=False, help_text='{criterion key: score, "na" or null}')
    overall = serializers.IntegerField(required=False, allow_null=True)
    strengths = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    weaknesses = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    comments_to_applicant = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    confidential_comments = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class ReviewCreateSerializer(ReviewWriteSerializer):
    assignment = serializers.IntegerField(help_text="One of your published assignments.")
    version = serializers.IntegerField(allow_null=True, required=False, default=None)


class SubmitSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version you loaded.")
