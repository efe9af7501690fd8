"""REST API of the reviewer pool: profiles (staff), invitations, conflicts of interest and bids.

A reviewer only ever sees their own invitations, declared conflicts and bids, and never an
application they are conflicted with; staff see the pool and every conflict of a call.
"""

import django_filters
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from accounts.models import User
from applications.models import Application
from core.api import ERROR_RESPONSES
from core.api_filters import BooleanFilter, IdFilter
from core.errors import NotAllowed, ensure
from reviews.api.serializers import (
    AcceptSerializer,
    BidCreateSerializer,
    BidSerializer,
    ConflictCreateSerializer,
    ConflictSerializer,
    InvitationCreateSerializer,
    InvitationSerializer,
    ReasonSerializer,
    ReviewerProfileSerializer,
)
from reviews.models import Bid, Conflict, ReviewerInvitation, ReviewerProfile
from reviews.permissions import can_manage_reviewers, can_respond_to_invitation
from reviews.selectors import invitations_for
from reviews.selectors_portal import (
    biddable_applications,
    bids_for_reviewer,
    calls_for_review,
    declarable_applications,
    declared_conflicts_of,
)
from reviews.services.pool import (
    declare_conflict,
    invite_reviewer,
    lift_conflict,
    place_bid,
    respond_to_invitation,
    set_conflict,
)


class ReviewerFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ReviewerProfile.Kind.choices)
    focus_area = django_filters.CharFilter(field_name="focus_areas__slug", distinct=True)
    active = BooleanFilter()

    class Meta:
        model = ReviewerProfile
        fields = ["kind", "focus_area", "active"]


class IsStaff(BasePermission):
    message = "Only program officers (staff) can see the reviewer pool."

    def has_permission(self, request, view) -> bool:
        return bool(request.user.is_authenticated and request.user.is_staff)


class ReviewerViewSet(viewsets.ReadOnlyModelViewSet):
    """The reviewer pool (staff only): profiles with expertise, focus areas, kind and load."""

    serializer_class = ReviewerProfileSerializer
    filterset_class = ReviewerFilter
    permission_classes = [IsStaff]
    ordering = ["user__full_name", "pk"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return (
            ReviewerProfile.objects.select_related("user__institution")
            .prefetch_related("focus_areas")
            .order_by("user__full_name", "pk")
        )


class InvitationFilter(django_filters.FilterSet):
    call = IdFilter(field_name="call_id")
    status = django_filters.ChoiceFilter(choices=ReviewerInvitation.Status.choices)

    class Meta:
        model = ReviewerInvitation
        fields = ["call", "status"]


class InvitationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Invitations to review a call. Staff invite and list them per call; a reviewer lists their own
    and accepts (optionally with a lower load) or declines (with a reason)."""

    serializer_class = InvitationSerializer
    filterset_class = InvitationFilter
    permission_classes = [IsAuthenticated]
    ordering = ["-invited_at", "-pk"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        user = self.request.user
        if user.is_staff:
            return ReviewerInvitation.objects.select_related("call", "reviewer").order_by(
                "-invited_at", "-pk"
            )
        return invitations_for(user).select_related("reviewer")

    @extend_schema(
        request=InvitationCreateSerializer, responses={201: InvitationSerializer, **ERROR_RESPONSES}
    )
    def create(self, request, *args, **kwargs):
        """Invite a member of the reviewer pool to review a call (staff)."""
        payload = InvitationCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        call = get_object_or_404(calls_for_review(request.user), pk=payload.validated_data["call"])
        ensure(can_manage_reviewers(request.user, call))
        reviewer = get_object_or_404(User, pk=payload.validated_data["reviewer"])
        invitation = invite_reviewer(call=call, reviewer=reviewer, by=request.user)
        return Response(InvitationSerializer(invitation).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AcceptSerializer, responses={200: InvitationSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """Accept the invitation, optionally with a lower ``load_limit`` for this call."""
        invitation = self.get_object()
        ensure(can_respond_to_invitation(request.user, invitation))  # before the body
        payload = AcceptSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invitation = respond_to_invitation(
            invitation=invitation,
            by=request.user,
            accept=True,
            load_limit=payload.validated_data["load_limit"],
        )
        return Response(InvitationSerializer(invitation).data)

    @extend_schema(request=ReasonSerializer, responses={200: InvitationSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline the invitation; a ``reason`` is required."""
        invitation = self.get_object()
        ensure(can_respond_to_invitation(request.user, invitation))  # before the body
        payload = ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        invitation = respond_to_invitation(
            invitation=invitation,
            by=request.user,
            accept=False,
            reason=payload.validated_data["reason"],
        )
        return Response(InvitationSerializer(invitation).data)


class ConflictFilter(django_filters.FilterSet):
    call = IdFilter(field_name="application__call_id")
    application = IdFilter(field_name="application_id")
    reviewer = IdFilter(field_name="reviewer_id")
    source = django_filters.ChoiceFilter(choices=Conflict.Source.choices)
    lifted = BooleanFilter()

    class Meta:
        model = Conflict
        fields = ["call", "application", "reviewer", "source", "lifted"]


class ConflictViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Conflicts of interest. A reviewer lists and declares their own; staff list every conflict
    (filter by ``call``), set one with a reason and lift one with a reason."""

    serializer_class = ConflictSerializer
    filterset_class = ConflictFilter
    permission_classes = [IsAuthenticated]
    ordering = ["-created_at", "-pk"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        user = self.request.user
        if user.is_staff:
            return Conflict.objects.select_related("application", "reviewer").order_by("-created_at", "-pk")
        return declared_conflicts_of(user).select_related("reviewer")

    @extend_schema(request=ConflictCreateSerializer, responses={201: ConflictSerializer, **ERROR_RESPONSES})
    def create(self, request, *args, **kwargs):
        """A reviewer declares a conflict with an application; staff set one for a ``reviewer``."""
        payload = ConflictCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        user = request.user
        if user.is_staff and "reviewer" in data:
            application = get_object_or_404(
                Application.objects.select_related("call"), pk=data["application"]
            )
            reviewer = get_object_or_404(User, pk=data["reviewer"])
            conflict = set_conflict(
                application=application, reviewer=reviewer, by=user, reason=data["reason"], kind=data["kind"]
            )
        else:
            if data.get("reviewer") not in (None, user.pk):
                raise NotAllowed("Only staff can record a conflict for another reviewer.")
            application = get_object_or_404(declarable_applications(user), pk=data["application"])
            conflict = declare_conflict(
                application=application, by=user, reason=data["reason"], kind=data["kind"]
            )
        return Response(ConflictSerializer(conflict).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReasonSerializer, responses={200: ConflictSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def lift(self, request, pk=None):
        """Lift a conflict (staff), with a required ``reason`` kept in the audit trail."""
        conflict = self.get_object()
        ensure(can_manage_reviewers(request.user, conflict.application.call))  # before the body
        payload = ReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        conflict = lift_conflict(conflict=conflict, by=request.user, reason=payload.validated_data["reason"])
        return Response(ConflictSerializer(conflict).data)


class BidFilter(django_filters.FilterSet):
    call = IdFilter(field_name="application__call_id")
    value = django_filters.ChoiceFilter(choices=Bid.Value.choices)

    class Meta:
        model = Bid
        fields = ["call", "value"]


class BidViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The signed-in reviewer's bids. POST saves a bid (creates it or changes its value)."""

    serializer_class = BidSerializer
    filterset_class = BidFilter
    permission_classes = [IsAuthenticated]
    ordering = ["application__reference", "pk"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        return bids_for_reviewer(self.request.user)

    @extend_schema(request=BidCreateSerializer, responses={200: BidSerializer, **ERROR_RESPONSES})
    def create(self, request, *args, **kwargs):
        """Bid eager, willing, neutral or not willing on a submitted application of a call you review."""
        payload = BidCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        application = get_object_or_404(
            biddable_applications(request.user), pk=payload.validated_data["application"]
        )
        bid = place_bid(application=application, by=request.user, value=payload.validated_data["value"])
        return Response(BidSerializer(bid).data)
