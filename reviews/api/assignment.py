"""REST API of assignment: a reviewer's published assignments; for staff and the chair, the
assignments of a call (proposed ones too), assignment runs, their edits and publication."""

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from accounts.models import User
from core.api import ERROR_RESPONSES
from core.api_filters import IdFilter
from core.errors import ensure
from reviews.api.serializers import (
    AddSerializer,
    AssignmentRefSerializer,
    AssignmentRunDetailSerializer,
    AssignmentRunSerializer,
    AssignmentSerializer,
    PinSerializer,
    PublishSerializer,
    StartRunSerializer,
    SwapSerializer,
)
from reviews.models import Assignment, AssignmentRun
from reviews.permissions import can_manage_assignment
from reviews.selectors_assignment import run_summary
from reviews.selectors_portal import assignments_visible_to, calls_for_review, runs_of
from reviews.services import (
    add_assignment,
    publish_assignment_run,
    remove_assignment,
    set_pinned,
    start_assignment_run,
    swap_assignment,
)


class AssignmentFilter(django_filters.FilterSet):
    call = IdFilter(field_name="call_id")
    run = IdFilter(field_name="run_id")
    application = IdFilter(field_name="application_id")
    reviewer = IdFilter(field_name="reviewer_id")
    state = django_filters.ChoiceFilter(choices=Assignment.State.choices)

    class Meta:
        model = Assignment
        fields = ["call", "run", "application", "reviewer", "state"]


class AssignmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Assignments. A reviewer sees their published ones only; staff and a call's chair see the
    call's assignments, proposed ones included (filter by ``call`` and ``run``)."""

    serializer_class = AssignmentSerializer
    filterset_class = AssignmentFilter
    permission_classes = [IsAuthenticated]
    ordering_fields = ["due_at", "application__reference"]
    ordering = ["application__reference", "pk"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return assignments_visible_to(self.request.user)


def _managed_call(request, call_pk):
    call = get_object_or_404(calls_for_review(request.user), pk=call_pk)
    ensure(can_manage_assignment(request.user, call))
    return call


class CallAssignmentRunsView(generics.GenericAPIView):
    """``calls/{id}/assignment-runs/``: the call's runs (GET) and starting a new one (POST)."""

    permission_classes = [IsAuthenticated]
    serializer_class = AssignmentRunSerializer
    pagination_class = None
    filter_backends = []

    @extend_schema(responses={200: AssignmentRunSerializer(many=True), **ERROR_RESPONSES})
    def get(self, request, call_pk: int):
        """The call's assignment runs, newest first (staff or the chair)."""
        call = _managed_call(request, call_pk)
        return Response(AssignmentRunSerializer(runs_of(call), many=True, context={"request": request}).data)

    @extend_schema(request=StartRunSerializer, responses={201: AssignmentRunSerializer, **ERROR_RESPONSES})
    def post(self, request, call_pk: int):
        """Queue a run of the optimiser (``fairness``: raise the worst-served application first).

        409 while another run of the call is queued or running, or when the call is not closed.
        """
        call = _managed_call(request, call_pk)
        payload = StartRunSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        run = start_assignment_run(call=call, by=request.user, fairness=payload.validated_data["fairness"])
        return Response(
            AssignmentRunSerializer(run, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class AssignmentRunViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """An assignment run: its progress and, once proposed, its summary; edits and publication are
    POSTs on the run (staff or the call's chair)."""

    serializer_class = AssignmentRunDetailSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"\d+"
    filter_backends = []

    def get_queryset(self):
        calls = calls_for_review(self.request.user).values("pk")
        return AssignmentRun.objects.filter(call__in=calls).select_related("call", "worst_application")

    def get_object(self):
        run = super().get_object()
        ensure(can_manage_assignment(self.request.user, run.call))
        return run

    def _detail(self, run: AssignmentRun) -> Response:
        run = self.get_queryset().get(pk=run.pk)
        shown = (AssignmentRun.Status.PROPOSED, AssignmentRun.Status.PUBLISHED)
        summary = run_summary(run, self.request.user) if run.status in shown else None
        return Response(
            AssignmentRunDetailSerializer(run, context={"summary": summary, "request": self.request}).data
        )

    @extend_schema(responses={200: AssignmentRunDetailSerializer, **ERROR_RESPONSES})
    def retrieve(self, request, *args, **kwargs):
        """Status, stage and progress; totals and the per-application and per-reviewer summary
        once the run has a proposal."""
        return self._detail(self.get_object())

    def _assignment(self, run: AssignmentRun, pk: int) -> Assignment:
        return get_object_or_404(Assignment.objects.select_related("run__call"), pk=pk, run=run)

    @extend_schema(
        request=PublishSerializer, responses={200: AssignmentRunDetailSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish the proposal with an optional ``due_at`` (default: the call's review due date).

        409 while an application is short of reviewers, a reviewer is over their limit or another
        run is published.
        """
        run = self.get_object()
        payload = PublishSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        run = publish_assignment_run(run=run, by=request.user, due_at=payload.validated_data["due_at"])
        return self._detail(run)

    @extend_schema(request=AddSerializer, responses={201: AssignmentSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def add(self, request, pk=None):
        """Add a reviewer to an application of the proposal."""
        run = self.get_object()
        payload = AddSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        application = get_object_or_404(run.call.applications.all(), pk=data["application"])
        reviewer = get_object_or_404(User, pk=data["reviewer"])
        assignment = add_assignment(
            run=run, application=application, reviewer=reviewer, by=request.user, pinned=data["pinned"]
        )
        return Response(AssignmentSerializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=AssignmentRefSerializer,
        responses={204: OpenApiResponse(description="Removed."), **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["post"])
    def remove(self, request, pk=None):
        """Take a reviewer off an application (the application may be left short for now)."""
        run = self.get_object()
        payload = AssignmentRefSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        remove_assignment(
            assignment=self._assignment(run, payload.validated_data["assignment"]), by=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=SwapSerializer, responses={200: AssignmentSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def swap(self, request, pk=None):
        """Give an assignment to another eligible reviewer (same application)."""
        run = self.get_object()
        payload = SwapSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        assignment = self._assignment(run, payload.validated_data["assignment"])
        reviewer = get_object_or_404(User, pk=payload.validated_data["reviewer"])
        assignment = swap_assignment(assignment=assignment, reviewer=reviewer, by=request.user)
        return Response(AssignmentSerializer(assignment).data)

    @extend_schema(request=PinSerializer, responses={200: AssignmentSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def pin(self, request, pk=None):
        """Pin an assignment (``pinned``: true) so that the next run keeps it, or unpin it."""
        run = self.get_object()
        payload = PinSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        assignment = self._assignment(run, payload.validated_data["assignment"])
        assignment = set_pinned(
            assignment=assignment, pinned=payload.validated_data["pinned"], by=request.user
        )
        return Response(AssignmentSerializer(assignment).data)
