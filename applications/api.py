"""REST API for calls: serializers, filters and the viewset. Rules live in services and selectors."""

import django_filters
from django.utils import timezone
from django_countries.serializers import CountryFieldMixin
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from applications.models import Call, Commitment, FocusArea, Program
from applications.permissions import can_manage_calls, can_move_call, can_take_transition
from applications.selectors import calls_visible_to
from applications.services import create_call, transition_call, update_call
from applications.workflow import transitions_from
from core.api import ERROR_RESPONSES
from core.api_filters import BooleanFilter
from core.errors import ensure


class FocusAreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = FocusArea
        fields = ["id", "slug", "name"]


class CommitmentSerializer(serializers.ModelSerializer):
    funder = serializers.CharField(source="funder.name")

    class Meta:
        model = Commitment
        fields = ["funder", "amount", "currency", "rate_to_call_currency"]


class CallSerializer(CountryFieldMixin, serializers.ModelSerializer):
    program = serializers.SlugRelatedField(slug_field="code", queryset=Program.objects.all())
    focus_areas = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=FocusArea.objects.all(), required=False
    )
    prerequisite_call = serializers.SlugRelatedField(
        slug_field="slug", queryset=Call.objects.all(), required=False, allow_null=True
    )
    is_open_now = serializers.BooleanField(read_only=True)
    allowed_transitions = serializers.SerializerMethodField()

    class Meta:
        model = Call
        fields = [
            "id",
            "slug",
            "title",
            "summary",
            "description",
            "program",
            "status",
            "scheduled",
            "timezone",
            "opens_at",
            "closes_at",
            "is_open_now",
            "budget",
            "currency",
            "max_request",
            "reviewers_per_application",
            "lay_reviewers_per_application",
            "review_due_at",
            "release_summary_statements",
            "prerequisite_call",
            "focus_areas",
            "allowed_countries",
            "max_applications_per_pi",
            "lay_summary_word_limit",
            "abstract_word_limit",
            "research_plan_page_limit",
            "attachment_size_limit_mb",
            "max_duration_months",
            "allowed_transitions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "created_at", "updated_at"]
        # CountryFieldMixin's list field ignores the model's blank=True; empty means any country.
        extra_kwargs = {"allowed_countries": {"required": False}}

    def get_allowed_transitions(self, call: Call) -> list[str]:
        """The statuses the requesting user may move this call to now (empty for most users)."""
        user = self.context["request"].user
        if not user.is_authenticated:
            return []
        return [t.target for t in transitions_from(call.status) if can_take_transition(user, call, t)]


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Call.Status.choices)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")


class CallFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=Call.Status.choices)
    program = django_filters.CharFilter(field_name="program__code", lookup_expr="iexact")
    focus_area = django_filters.CharFilter(field_name="focus_areas__slug", distinct=True)
    open_now = BooleanFilter(method="filter_open_now", label="Accepting applications now")

    class Meta:
        model = Call
        fields = ["status", "program", "focus_area", "open_now", "currency"]

    def filter_open_now(self, queryset, name, value):
        open_now = Call.objects.open_now(timezone.now()).values("pk")
        return queryset.filter(pk__in=open_now) if value else queryset.exclude(pk__in=open_now)


class IsStaffForWrites(BasePermission):
    message = "Only program officers (staff) can create and change calls."

    def has_permission(self, request, view) -> bool:
        if view.action in ("list", "retrieve"):
            return True
        if view.action == "transition":  # chairs may take some transitions: the service decides
            return request.user.is_authenticated
        verdict = can_manage_calls(request.user)
        self.message = verdict.reason or self.message
        return bool(verdict)


class CallViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Calls for proposals. Anyone reads open calls; staff create, change and move them along."""

    serializer_class = CallSerializer
    filterset_class = CallFilter
    permission_classes = [IsStaffForWrites]
    ordering_fields = ["opens_at", "closes_at", "title", "budget"]
    ordering = ["closes_at", "title"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return calls_visible_to(self.request.user).order_by("closes_at", "title")

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        focus_areas = data.pop("focus_areas", None)
        serializer.instance = create_call(by=self.request.user, focus_areas=focus_areas, **data)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        focus_areas = data.pop("focus_areas", None)
        serializer.instance = update_call(
            call=serializer.instance, by=self.request.user, focus_areas=focus_areas, **data
        )

    @extend_schema(
        request=TransitionSerializer,
        responses={200: CallSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the call to another status (``to``), with an optional ``reason``."""
        call = self.get_object()
        ensure(can_move_call(request.user, call))  # before the body: no field errors for others
        payload = TransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        call = transition_call(
            call=call,
            to=payload.validated_data["to"],
            by=request.user,
            reason=payload.validated_data["reason"],
        )
        call = self.get_queryset().get(pk=call.pk)
        return Response(self.get_serializer(call).data, status=status.HTTP_200_OK)
