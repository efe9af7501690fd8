"""Serializers of the review API: output shapes and the payloads of actions."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications.models import FocusArea
from reviews.models import Assignment, AssignmentRun, Bid, Conflict, ReviewerInvitation, ReviewerProfile
from reviews.selectors import is_conflicted


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="full_name")
    email = serializers.EmailField()


class ReviewerProfileSerializer(serializers.ModelSerializer):
    user = PersonSerializer(read_only=True)
    institution = serializers.CharField(source="user.institution.name", default="", read_only=True)
    focus_areas = serializers.SlugRelatedField(slug_field="slug", many=True, queryset=FocusArea.objects.all())

    class Meta:
        model = ReviewerProfile
        fields = [
            "id",
            "user",
            "institution",
            "kind",
            "expertise",
            "keywords",
            "focus_areas",
            "default_load",
            "collaborators",
            "active",
        ]


class InvitationSerializer(serializers.ModelSerializer):
    call = serializers.PrimaryKeyRelatedField(read_only=True)
    call_title = serializers.CharField(source="call.title", read_only=True)
    reviewer = PersonSerializer(read_only=True)

    class Meta:
        model = ReviewerInvitation
        fields = [
            "id",
            "call",
            "call_title",
            "reviewer",
            "status",
            "load_limit",
            "decline_reason",
            "invited_at",
            "responded_at",
        ]


class InvitationCreateSerializer(serializers.Serializer):
    call = serializers.IntegerField()
    reviewer = serializers.IntegerField(help_text="The user id of a member of the reviewer pool.")


class AcceptSerializer(serializers.Serializer):
    load_limit = serializers.IntegerField(required=False, allow_null=True, min_value=1, default=None)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, max_length=2000)


class ConflictSerializer(serializers.ModelSerializer):
    application_reference = serializers.CharField(source="application.reference", read_only=True)
    reviewer = PersonSerializer(read_only=True)

    class Meta:
        model = Conflict
        fields = [
            "id",
            "application",
            "application_reference",
            "reviewer",
            "source",
            "kind",
            "reason",
            "created_at",
            "lifted",
            "lifted_reason",
            "lifted_at",
        ]
        read_only_fields = fields


class ConflictCreateSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    reviewer = serializers.IntegerField(
        required=False,
        help_text="Staff only: the reviewer a conflict is set for. Reviewers declare their own.",
    )
    kind = serializers.ChoiceField(choices=Conflict.Kind.choices, default=Conflict.Kind.OTHER)
    reason = serializers.CharField(allow_blank=True, max_length=2000)


class BidSerializer(serializers.ModelSerializer):
    application_reference = serializers.CharField(source="application.reference", read_only=True)

    class Meta:
        model = Bid
        fields = ["id", "application", "application_reference", "value", "updated_at"]
        read_only_fields = ["id", "application_reference", "updated_at"]
        extra_kwargs = {"application": {"read_only": True}}


class BidCreateSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    value = serializers.ChoiceField(choices=Bid.Value.choices)


class AssignmentSerializer(serializers.ModelSerializer):
    application_reference = serializers.CharField(source="application.reference", read_only=True)
    application_title = serializers.CharField(source="application.title", read_only=True)
    reviewer = PersonSerializer(read_only=True)

    class Meta:
        model = Assignment
        fields = [
            "id",
            "call",
            "run",
            "application",
            "application_reference",
            "application_title",
            "reviewer",
            "source",
            "state",
            "pinned",
            "affinity",
            "due_at",
            "published_at",
        ]
        read_only_fields = fields


class AssignmentRunSerializer(serializers.ModelSerializer):
    worst_application = serializers.SerializerMethodField()

    def get_worst_application(self, run: AssignmentRun) -> str | None:
        """The worst-served application's reference; hidden from a viewer conflicted with it."""
        worst = run.worst_application
        request = self.context.get("request")
        if worst is None:
            return None
        if request is not None and not request.user.is_staff and is_conflicted(request.user, worst):
            return None
        return worst.reference

    class Meta:
        model = AssignmentRun
        fields = [
            "id",
            "call",
            "status",
            "fairness",
            "progress",
            "stage",
            "message",
            "total_affinity",
            "worst_affinity",
            "worst_application",
            "fairness_cost",
            "solve_seconds",
            "review_due_at",
            "created_at",
            "finished_at",
            "published_at",
        ]
        read_only_fields = fields


class AssignedReviewerSerializer(serializers.Serializer):
    assignment = serializers.IntegerField(source="assignment.pk")
    reviewer = PersonSerializer()
    is_lay = serializers.BooleanField()
    pinned = serializers.BooleanField(source="assignment.pinned")
    source = serializers.CharField(source="assignment.source")
    affinity = serializers.FloatField(allow_null=True)
    text = serializers.FloatField(allow_null=True)
    focus = serializers.FloatField(allow_null=True)
    bid = serializers.FloatField(allow_null=True)
    terms = serializers.ListField(child=serializers.CharField())


class ApplicationRowSerializer(serializers.Serializer):
    application = serializers.IntegerField(source="application.pk")
    reference = serializers.CharField(source="application.reference")
    reviewers = AssignedReviewerSerializer(many=True)
    missing = serializers.IntegerField()
    missing_lay = serializers.IntegerField()
    affinity = serializers.FloatField()


class ReviewerLoadSerializer(serializers.Serializer):
    reviewer = PersonSerializer()
    is_lay = serializers.BooleanField()
    load = serializers.IntegerField()
    limit = serializers.IntegerField(allow_null=True)


class RunSummarySerializer(serializers.Serializer):
    applications = ApplicationRowSerializer(many=True)
    reviewers = ReviewerLoadSerializer(many=True)
    worst = serializers.CharField(source="worst.application.reference", default=None)


class AssignmentRunDetailSerializer(AssignmentRunSerializer):
    summary = serializers.SerializerMethodField()

    class Meta(AssignmentRunSerializer.Meta):
        fields = [*AssignmentRunSerializer.Meta.fields, "summary"]
        read_only_fields = fields

    @extend_schema_field(RunSummarySerializer(allow_null=True))
    def get_summary(self, run) -> dict | None:
        summary = self.context.get("summary")
        return RunSummarySerializer(summary).data if summary is not None else None


class StartRunSerializer(serializers.Serializer):
    fairness = serializers.BooleanField(default=False)


class PublishSerializer(serializers.Serializer):
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class AddSerializer(serializers.Serializer):
    application = serializers.IntegerField()
    reviewer = serializers.IntegerField()
    pinned = serializers.BooleanField(default=False)


class AssignmentRefSerializer(serializers.Serializer):
    assignment = serializers.IntegerField()


class SwapSerializer(AssignmentRefSerializer):
    reviewer = serializers.IntegerField()


class PinSerializer(AssignmentRefSerializer):
    pinned = serializers.BooleanField(default=True)
