"""REST API for applications, with nested team, budget, attachments and reviewer exclusions."""

from collections.abc import Callable
from dataclasses import dataclass

import django_filters
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from applications import services
from applications.downloads import pdf_file_response
from applications.eligibility import submission_problems
from applications.exports import applications_csv_rows
from applications.models import (
    Application,
    Attachment,
    BudgetLine,
    Call,
    FocusArea,
    ReviewerExclusion,
    TeamMember,
)
from applications.permissions import (
    can_edit_application,
    can_see_applicant_side,
    may_withdraw_application,
)
from applications.selectors import application_detail, applications_visible_to, budget_total
from core.api import ERROR, ERROR_RESPONSES
from core.errors import NotAllowed, ensure
from core.exports import csv_response


class TeamMemberSerializer(serializers.ModelSerializer):
    invited = serializers.SerializerMethodField()
    accepted = serializers.SerializerMethodField()

    class Meta:
        model = TeamMember
        fields = ["id", "name", "email", "orcid", "institution_name", "role", "invited", "accepted"]

    def get_invited(self, member: TeamMember) -> bool:
        return member.invited_at is not None

    def get_accepted(self, member: TeamMember) -> bool:
        return member.accepted_at is not None


class BudgetLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = BudgetLine
        fields = ["id", "category", "year", "amount", "justification"]


class AttachmentSerializer(serializers.ModelSerializer):
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "kind", "original_name", "size", "pages", "sha256", "uploaded_at", "download_url"]

    def get_download_url(self, attachment: Attachment) -> str:
        return f"/api/v1/applications/{attachment.application_id}/attachments/{attachment.pk}/download/"


class AttachmentUploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Attachment.Kind.choices)
    file = serializers.FileField()


class ExclusionSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewerExclusion
        fields = ["id", "name", "email", "orcid", "reason"]


class ApplicationSerializer(serializers.ModelSerializer):
    call = serializers.SlugRelatedField(slug_field="slug", queryset=Call.objects.all())
    pi = serializers.SerializerMethodField()
    institution = serializers.CharField(source="institution.name", read_only=True, default="")
    country = serializers.CharField(source="institution.country.code", read_only=True, default="")
    focus_areas = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=FocusArea.objects.all(), required=False
    )
    team = TeamMemberSerializer(many=True, read_only=True)
    budget_lines = BudgetLineSerializer(many=True, read_only=True)
    budget_total = serializers.SerializerMethodField()
    attachments = AttachmentSerializer(many=True, read_only=True)
    exclusions = ExclusionSerializer(many=True, read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "reference",
            "call",
            "status",
            "pi",
            "institution",
            "country",
            "title",
            "lay_summary",
            "scientific_abstract",
            "focus_areas",
            "keywords",
            "requested_amount",
            "duration_months",
            "needed_expertise",
            "budget_total",
            "team",
            "budget_lines",
            "attachments",
            "exclusions",
            "submitted_at",
            "withdrawn_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["reference", "status", "submitted_at", "withdrawn_at", "created_at", "updated_at"]

    def to_representation(self, application: Application) -> dict:
        data = super().to_representation(application)
        request = self.context.get("request")
        if request is not None and not can_see_applicant_side(request.user, application):
            data.pop("exclusions", None)
            data["pi"].pop("email", None)
            for member in data.get("team", []):
                member.pop("email", None)
        return data

    def get_pi(self, application: Application) -> dict:
        return {
            "name": application.pi.full_name,
            "email": application.pi.email,
            "orcid": application.pi.orcid,
        }

    def get_budget_total(self, application: Application) -> str:
        return f"{budget_total(application):.2f}"


class ApplicationListSerializer(ApplicationSerializer):
    class Meta(ApplicationSerializer.Meta):
        fields = [
            "id",
            "reference",
            "call",
            "status",
            "pi",
            "institution",
            "country",
            "title",
            "focus_areas",
            "requested_amount",
            "submitted_at",
            "updated_at",
        ]


class ValidationReportSerializer(serializers.Serializer):
    ready = serializers.BooleanField()
    problems = serializers.ListField(child=serializers.DictField(child=serializers.CharField()))


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")


class ApplicationFilter(django_filters.FilterSet):
    call = django_filters.CharFilter(field_name="call__slug")
    status = django_filters.MultipleChoiceFilter(choices=Application.Status.choices)
    country = django_filters.CharFilter(field_name="institution__country", lookup_expr="iexact")
    focus_area = django_filters.CharFilter(field_name="focus_areas__slug", distinct=True)
    q = django_filters.CharFilter(
        method="search", label="Text search (title, summaries, keywords, reference, PI)"
    )

    class Meta:
        model = Application
        fields = ["call", "status", "country", "focus_area", "q"]

    def search(self, queryset, name, value):
        terms = Q()
        for field in (
            "title",
            "lay_summary",
            "scientific_abstract",
            "keywords",
            "reference",
            "pi__full_name",
        ):
            terms |= Q(**{f"{field}__icontains": value})
        return queryset.filter(terms)


@dataclass(frozen=True)
class Nested:
    """A collection nested under an application, with the services that change it."""

    serializer: type[serializers.ModelSerializer]
    model: type
    related: str
    save: Callable
    remove: Callable
    applicant_side_only: bool = False


NESTED = {
    "team": Nested(
        TeamMemberSerializer,
        TeamMember,
        "team",
        save=lambda app, child, by, data: services.save_team_member(
            application=app, by=by, member=child, **data
        ),
        remove=lambda child, by: services.remove_team_member(member=child, by=by),
        applicant_side_only=True,
    ),
    "budget": Nested(
        BudgetLineSerializer,
        BudgetLine,
        "budget_lines",
        save=lambda app, child, by, data: services.save_budget_line(
            application=app, by=by, line=child, **data
        ),
        remove=lambda child, by: services.remove_budget_line(line=child, by=by),
    ),
    "exclusions": Nested(
        ExclusionSerializer,
        ReviewerExclusion,
        "exclusions",
        save=lambda app, child, by, data: services.save_exclusion(
            application=app, by=by, exclusion=child, **data
        ),
        remove=lambda child, by: services.remove_exclusion(exclusion=child, by=by),
        applicant_side_only=True,
    ),
}


def collection_schema(serializer):
    """A nested collection: GET lists it (200, a plain list), POST adds to it (201)."""
    listed = extend_schema(
        methods=["GET"], request=None, responses={200: serializer(many=True), **ERROR_RESPONSES}
    )
    added = extend_schema(
        methods=["POST"], request=serializer, responses={201: serializer, **ERROR_RESPONSES}
    )
    return lambda view: listed(added(view))


def child_schema(serializer):
    """One item of a nested collection: GET shows it, PATCH changes it (200), DELETE removes it (204)."""
    shown = extend_schema(
        methods=["GET", "PATCH"], request=serializer, responses={200: serializer, **ERROR_RESPONSES}
    )
    removed = extend_schema(methods=["DELETE"], request=None, responses={204: None, **ERROR_RESPONSES})
    return lambda view: shown(removed(view))


def _child(model, application: Application, child_id: str):
    return get_object_or_404(model, pk=child_id, application=application)


class ApplicationViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Applications: applicants see their own (or those they co-investigate); staff see all."""

    permission_classes = [IsAuthenticated]
    filterset_class = ApplicationFilter
    ordering_fields = ["submitted_at", "updated_at", "reference", "title", "requested_amount"]
    ordering = ["-updated_at", "-id"]
    lookup_value_regex = r"\d+"
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        applications = applications_visible_to(self.request.user)
        if self.action == "list":
            return applications.prefetch_related("focus_areas")
        return applications.prefetch_related(
            "focus_areas", "team", "budget_lines", "attachments", "exclusions"
        )

    def get_serializer_class(self):
        return ApplicationListSerializer if self.action == "list" else ApplicationSerializer

    @extend_schema(responses={201: ApplicationSerializer, **ERROR_RESPONSES})
    def create(self, request, *args, **kwargs):
        """Start a draft on a call (eligibility is checked), with optional details."""
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        application = services.start_application(call=data.pop("call"), by=request.user)
        focus_areas = data.pop("focus_areas", None)
        if data or focus_areas is not None:
            services.update_application(
                application=application, by=request.user, focus_areas=focus_areas, **data
            )
        return Response(
            self.get_serializer(application_detail(application)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses={200: ApplicationSerializer, **ERROR_RESPONSES})
    def update(self, request, *args, **kwargs):
        """Change a draft's details (PI only; 409 once submitted)."""
        application = self.get_object()
        ensure(can_edit_application(request.user, application))  # before the body (the service again)
        serializer = self.get_serializer(application, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "call" in data and data.pop("call") != application.call:
            raise NotAllowed("An application cannot move to another call; start a new one there.")
        focus_areas = data.pop("focus_areas", None)
        services.update_application(application=application, by=request.user, focus_areas=focus_areas, **data)
        return Response(self.get_serializer(application_detail(application)).data)

    @extend_schema(responses={200: ValidationReportSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["get"], url_path="validation")
    def validation(self, request, pk=None):
        """What is still missing before the application can be submitted."""
        application = application_detail(self.get_object())
        problems = submission_problems(application, now=timezone.now()) if application.is_draft else []
        return Response(
            {
                "ready": application.is_draft and not problems,
                "problems": [{"section": p.section, "message": p.message} for p in problems],
            }
        )

    @extend_schema(request=None, responses={200: ApplicationSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit the draft (idempotent: submitting again returns the same submission)."""
        application = services.submit_application(application=self.get_object(), by=request.user)
        return Response(
            ApplicationSerializer(application_detail(application), context={"request": request}).data
        )

    @extend_schema(request=WithdrawSerializer, responses={200: ApplicationSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        application = self.get_object()
        ensure(may_withdraw_application(request.user, application))  # before the body
        payload = WithdrawSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        application = services.withdraw_application(
            application=application, by=request.user, reason=payload.validated_data["reason"]
        )
        return Response(
            ApplicationSerializer(application_detail(application), context={"request": request}).data
        )

    # Nested collections: GET lists, POST adds; /<id>/ GET shows, PATCH changes, DELETE removes.
    def _nested(self, request, nested: "Nested", child_id=None):
        application = self.get_object()
        if nested.applicant_side_only:
            # Reviewers read the application (with its team in the detail), never contact details or
            # the applicant's reviewer exclusions.
            ensure(can_see_applicant_side(request.user, application))
        if request.method != "GET":
            # Who may change it, before the body is read (the service checks it again, with the state).
            ensure(can_edit_application(request.user, application))
        if child_id is None and request.method == "GET":
            items = getattr(application, nested.related).all()
            return Response(nested.serializer(items, many=True).data)
        child = _child(nested.model, application, child_id) if child_id is not None else None
        if request.method == "DELETE":
            nested.remove(child, request.user)
            return Response(status=status.HTTP_204_NO_CONTENT)
        if request.method == "GET":
            return Response(nested.serializer(child).data)
        payload = nested.serializer(child, data=request.data, partial=request.method == "PATCH")
        payload.is_valid(raise_exception=True)
        saved = nested.save(application, child, request.user, payload.validated_data)
        code = status.HTTP_201_CREATED if child is None else status.HTTP_200_OK
        return Response(nested.serializer(saved).data, status=code)

    @collection_schema(TeamMemberSerializer)
    @action(detail=True, methods=["get", "post"], url_path="team")
    def team(self, request, pk=None):
        return self._nested(request, NESTED["team"])

    @child_schema(TeamMemberSerializer)
    @action(detail=True, methods=["get", "patch", "delete"], url_path=r"team/(?P<member_id>\d+)")
    def team_member(self, request, pk=None, member_id=None):
        return self._nested(request, NESTED["team"], child_id=member_id)

    @extend_schema(request=None, responses={200: TeamMemberSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"], url_path=r"team/(?P<member_id>\d+)/invite")
    def invite(self, request, pk=None, member_id=None):
        """E-mail a co-investigator an invitation to read the application."""
        member = services.invite_team_member(
            member=_child(TeamMember, self.get_object(), member_id), by=request.user
        )
        return Response(TeamMemberSerializer(member).data)

    @collection_schema(BudgetLineSerializer)
    @action(detail=True, methods=["get", "post"], url_path="budget")
    def budget(self, request, pk=None):
        return self._nested(request, NESTED["budget"])

    @child_schema(BudgetLineSerializer)
    @action(detail=True, methods=["get", "patch", "delete"], url_path=r"budget/(?P<line_id>\d+)")
    def budget_line(self, request, pk=None, line_id=None):
        return self._nested(request, NESTED["budget"], child_id=line_id)

    @collection_schema(ExclusionSerializer)
    @action(detail=True, methods=["get", "post"], url_path="exclusions")
    def exclusions(self, request, pk=None):
        return self._nested(request, NESTED["exclusions"])

    @child_schema(ExclusionSerializer)
    @action(detail=True, methods=["get", "patch", "delete"], url_path=r"exclusions/(?P<exclusion_id>\d+)")
    def exclusion(self, request, pk=None, exclusion_id=None):
        return self._nested(request, NESTED["exclusions"], child_id=exclusion_id)

    @extend_schema(
        methods=["GET"], request=None, responses={200: AttachmentSerializer(many=True), **ERROR_RESPONSES}
    )
    @extend_schema(
        methods=["POST"],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["get", "post"], url_path="attachments")
    def attachments(self, request, pk=None):
        """List attachments, or upload a PDF (multipart: ``kind`` and ``file``)."""
        application = self.get_object()
        if request.method == "GET":
            return Response(AttachmentSerializer(application.attachments.all(), many=True).data)
        ensure(can_edit_application(request.user, application))  # before the body (the service again)
        payload = AttachmentUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        attachment = services.add_attachment(
            application=application,
            by=request.user,
            kind=payload.validated_data["kind"],
            upload=payload.validated_data["file"],
        )
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None, **ERROR_RESPONSES})
    @action(detail=True, methods=["delete"], url_path=r"attachments/(?P<attachment_id>\d+)")
    def attachment(self, request, pk=None, attachment_id=None):
        services.remove_attachment(
            attachment=_child(Attachment, self.get_object(), attachment_id), by=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY, **ERROR_RESPONSES})
    @action(detail=True, methods=["get"], url_path=r"attachments/(?P<attachment_id>\d+)/download")
    def download(self, request, pk=None, attachment_id=None):
        """The PDF itself, for those who may see the application."""
        attachment = _child(Attachment, self.get_object(), attachment_id)
        return pdf_file_response(attachment)

    @extend_schema(
        responses={
            (200, "text/csv"): OpenApiTypes.STR,
            403: OpenApiResponse(ERROR, description="Staff only."),
        }
    )
    @action(detail=False, methods=["get"], url_path="export")
    def export(self, request):
        """The applications register as CSV (staff), with the list's filters applied."""
        if not request.user.is_staff:
            raise NotAllowed("Only staff can export the applications register.")
        applications = self.filter_queryset(self.get_queryset())
        return csv_response(applications_csv_rows(applications), filename="applications.csv")
