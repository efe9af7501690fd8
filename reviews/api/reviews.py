"""REST API of review forms and reviews.

``review-forms/``: the forms (with criteria) of the calls the user reviews or sits on the committee
of; staff see all. ``reviews/``: a reviewer's own reviews (drafts too) and, for staff and committee
members, the submitted reviews of their calls (never of an application they are conflicted with);
``?application=ID`` lists what the user may read of one application, for a reviewer the others'
reviews as the active phase allows. Reviewer names and confidential comments are null where the
reader may not see them. Writing: POST (start), PATCH (save a draft, or edit a submitted review
while the phase allows) and POST ``{id}/submit/``, each with the ``version`` loaded (409 if stale).
"""

import re

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from applications.selectors import applications_visible_to
from core.api import ERROR_RESPONSES
from reviews.api.review_serializers import (
    ReviewAudience,
    ReviewCreateSerializer,
    ReviewFormSerializer,
    ReviewSerializer,
    ReviewWriteSerializer,
    SubmitSerializer,
)
from reviews.models import Review
from reviews.selectors import assignments_for_reviewer
from reviews.selectors_reviews import reviews_visible_to
from reviews.selectors_workspace import review_forms_for, reviews_for_user
from reviews.services.reviewing import (
    NOT_APPLICABLE,
    TEXT_FIELDS,
    edit_submitted_review,
    save_review_draft,
    submit_review,
)


class ReviewFormViewSet(viewsets.ReadOnlyModelViewSet):
    """Review forms with their criteria, guidance and anchors."""

    serializer_class = ReviewFormSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"\d+"
    filter_backends = []

    def get_queryset(self):
        return review_forms_for(self.request.user)


def _saved_fields(review: Review | None) -> dict:
    """The review's current values in the shape the services take, so a PATCH changes only what it
    names."""
    if review is None:
        return {"scores": {}, "overall": None}
    scores = {
        s.criterion.key: NOT_APPLICABLE if s.not_applicable else s.value
        for s in review.scores.select_related("criterion")
    }
    return {
        "scores": scores,
        "overall": review.overall_score,
        **{name: getattr(review, name) for name in TEXT_FIELDS},
    }


def _merged(review: Review | None, data: dict) -> dict:
    fields = _saved_fields(review)
    if "scores" in data:
        fields["scores"] = {**fields["scores"], **data["scores"]}
    fields.update({k: v for k, v in data.items() if k not in ("scores", "version", "assignment")})
    return fields


APPLICATION = OpenApiParameter(
    "application",
    {"type": "integer", "minimum": 0, "maximum": 10**18 - 1},
    description="Only this application's reviews that you may read.",
)


@extend_schema_view(
    list=extend_schema(
        parameters=[APPLICATION], responses={200: ReviewSerializer(many=True), **ERROR_RESPONSES}
    ),
    retrieve=extend_schema(responses={200: ReviewSerializer, **ERROR_RESPONSES}),
)
class ReviewViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Reviews. Reviewers see their own; staff and committee members the submitted reviews of their
    calls; conflicted members nothing of the application."""

    serializer_class = ReviewSerializer
    permission_classes = [IsAuthenticated]
    lookup_value_regex = r"\d+"
    filter_backends = []
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        user = self.request.user
        application_id = self.request.query_params.get("application")
        if self.action == "list" and application_id:
            # isdigit() accepts "²", which int() refuses: only ASCII digits are an id.
            if not re.fullmatch(r"[0-9]{1,18}", application_id):
                raise ValidationError({"application": ["Give the application's id, a whole number."]})
            application = get_object_or_404(applications_visible_to(user), pk=int(application_id))
            return reviews_visible_to(user, application).prefetch_related("scores__criterion").order_by("pk")
        return reviews_for_user(user)

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "audience": ReviewAudience(self.request.user)}

    def _own(self) -> Review:
        """One of the user's own reviews (404 for any other, even one they may read)."""
        own = assignments_for_reviewer(self.request.user).values("pk")
        return get_object_or_404(Review, pk=self.kwargs["pk"], assignment__in=own)

    def _out(self, review: Review, code=status.HTTP_200_OK) -> Response:
        review = reviews_for_user(self.request.user).get(pk=review.pk)
        return Response(self.get_serializer(review).data, status=code)

    @extend_schema(request=ReviewCreateSerializer, responses={201: ReviewSerializer, **ERROR_RESPONSES})
    def create(self, request):
        """Start the review of one of your assignments (a draft; 409 if it is started already)."""
        payload = ReviewCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        assignment = get_object_or_404(assignments_for_reviewer(request.user), pk=data["assignment"])
        review = save_review_draft(
            assignment=assignment, by=request.user, version=data.get("version"), **_merged(None, data)
        )
        return self._out(review, status.HTTP_201_CREATED)

    @extend_schema(request=ReviewWriteSerializer, responses={200: ReviewSerializer, **ERROR_RESPONSES})
    def partial_update(self, request, pk=None):
        """Save your draft, or edit your submitted review while the phase allows (audited). The fields
        given replace the saved ones; 409 when ``version`` is not the current one."""
        review = self._own()
        payload = ReviewWriteSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        fields = _merged(review, data)
        if review.status == Review.Status.SUBMITTED:
            review = edit_submitted_review(review=review, by=request.user, version=data["version"], **fields)
        else:
            review = save_review_draft(
                assignment=review.assignment, by=request.user, version=data["version"], **fields
            )
        return self._out(review)

    @extend_schema(request=SubmitSerializer, responses={200: ReviewSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Submit your complete draft: 400 with messages per criterion when incomplete, 409 if stale."""
        review = self._own()
        payload = SubmitSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        review = submit_review(review=review, by=request.user, version=payload.validated_data["version"])
        return self._out(review)
