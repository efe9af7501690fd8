"""REST API of research priorities, under ``/api/v1/priorities/``.

``questions/``: everyone lists published questions (a member also their own drafts, moderators all);
members create them (a draft, or sent at once) and send drafts (``submit/``); moderators ``publish/``,
``edit/`` (the author's original is kept), ``merge/`` and ``hide/`` them, each with a reason, and name
the calls that address them (``calls/``). ``questions/{id}/votes/``: a member's votes on a question
(GET, PUT; 409 with the reason when over a limit or when voting is closed). ``questions/{id}/comments/``:
the discussion. ``rounds/``: phases and, on a round's page, its ranking once visible; staff move a
round on (``transition/``) and record the steering group's list (``top-ten/``).
"""

import django_filters
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated, IsAuthenticatedOrReadOnly
from rest_framework.response import Response

from accounts.models import User
from applications.models import Call
from core.api import ERROR_RESPONSES
from core.api_filters import BooleanFilter, IdFilter
from core.errors import ensure
from priorities.api.serializers import (
    PriorityBallotSerializer,
    PriorityCommentCreateSerializer,
    PriorityCommentSerializer,
    PriorityPublishSerializer,
    PriorityQuestionCreateSerializer,
    PriorityQuestionEditSerializer,
    PriorityQuestionSerializer,
    PriorityReasonSerializer,
    PriorityRoundDetailSerializer,
    PriorityRoundSerializer,
    PriorityVoteSerializer,
    QuestionCallsSerializer,
    QuestionMergeSerializer,
    RoundTransitionSerializer,
    TopTenCreateSerializer,
    TopTenSerializer,
    ballot_data,
)
from priorities.models import Question, Round
from priorities.permissions import (
    can_join_discussion,
    can_manage_rounds,
    can_moderate,
    can_see_ranking,
    can_take_part,
)
from priorities.selectors import (
    ballot_summary,
    comments_for,
    questions_visible_to,
    ranking_for,
    rounds_visible_to,
    top_ten_of,
    with_totals,
)
from priorities.services import (
    add_comment,
    edit_question,
    hide_question,
    merge_question,
    publish_question,
    record_top_ten,
    save_question_draft,
    set_question_calls,
    set_votes,
    submit_question,
    transition_round,
)


class QuestionFilter(django_filters.FilterSet):
    round = IdFilter(field_name="round_id")
    focus_area = django_filters.CharFilter(field_name="focus_area__slug")
    status = django_filters.ChoiceFilter(choices=Question.Status.choices)
    mine = BooleanFilter(method="filter_mine", label="Only your own questions")

    class Meta:
        model = Question
        fields = ["round", "focus_area", "status", "mine"]

    def filter_mine(self, queryset, name, value):
        user = self.request.user
        if not value:
            return queryset
        return queryset.filter(author=user) if user.is_authenticated else queryset.none()


class QuestionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Research questions proposed by community members."""

    serializer_class = PriorityQuestionSerializer
    filterset_class = QuestionFilter
    permission_classes = [IsAuthenticatedOrReadOnly]
    ordering_fields = ["published_at", "submitted_at", "title"]
    ordering = ["round", "published_at", "pk"]
    lookup_value_regex = r"\d+"

    def get_queryset(self):
        calls = Prefetch("calls", queryset=Call.objects.order_by("-opens_at"))
        return (
            with_totals(questions_visible_to(self.request.user))
            .prefetch_related(calls)
            .order_by("round", "published_at", "pk")
        )

    def _out(self, question: Question, code=status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=question.pk)).data, status=code)

    @extend_schema(
        request=PriorityQuestionCreateSerializer,
        responses={201: PriorityQuestionSerializer, **ERROR_RESPONSES},
    )
    def create(self, request):
        """Propose a question in a round taking questions: kept as a draft, or sent to the moderators
        with ``submit: true`` (409 when the round does not take questions)."""
        ensure(can_take_part(request.user, "propose a question"))  # before the body, as the service
        payload = PriorityQuestionCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        round_ = get_object_or_404(rounds_visible_to(request.user), pk=data["round"])
        question = save_question_draft(
            round_=round_,
            by=request.user,
            title=data["title"],
            description=data["description"],
            focus_area=data["focus_area"],
        )
        if data["submit"]:
            question = submit_question(question=question, by=request.user)
        return self._out(question, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: PriorityQuestionSerializer, **ERROR_RESPONSES})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Send your draft to the moderators."""
        return self._out(submit_question(question=self.get_object(), by=request.user))

    @extend_schema(
        request=PriorityPublishSerializer, responses={200: PriorityQuestionSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        """Publish a question waiting for a moderator, or one hidden earlier (moderators)."""
        # Hidden from the caller: 404; seen but not theirs to moderate: 403; only then the body.
        question = self.get_object()
        ensure(can_moderate(request.user))
        payload = PriorityPublishSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        question = publish_question(question=question, by=request.user, **payload.validated_data)
        return self._out(question)

    @extend_schema(
        request=PriorityQuestionEditSerializer, responses={200: PriorityQuestionSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None):
        """Edit a question for clarity, with a ``reason`` (moderators); the author's words are kept."""
        question = self.get_object()
        ensure(can_moderate(request.user))
        payload = PriorityQuestionEditSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        question = edit_question(question=question, by=request.user, **payload.validated_data)
        return self._out(question)

    @extend_schema(
        request=QuestionMergeSerializer, responses={200: PriorityQuestionSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        """Merge a duplicate ``into`` a published question of the same round (moderators)."""
        question = self.get_object()
        ensure(can_moderate(request.user))
        payload = QuestionMergeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        into = get_object_or_404(self.get_queryset(), pk=payload.validated_data["into"])
        question = merge_question(
            question=question, into=into, by=request.user, reason=payload.validated_data["reason"]
        )
        return self._out(question)

    @extend_schema(
        request=PriorityReasonSerializer, responses={200: PriorityQuestionSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def hide(self, request, pk=None):
        """Hide a question, with a ``reason`` (moderators); its votes go back to the members."""
        question = self.get_object()
        ensure(can_moderate(request.user))
        payload = PriorityReasonSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        question = hide_question(question=question, by=request.user, **payload.validated_data)
        return self._out(question)

    @extend_schema(
        request=QuestionCallsSerializer, responses={200: PriorityQuestionSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["put"])
    def calls(self, request, pk=None):
        """Name the calls for proposals that address the question (staff); replaces the list."""
        question = self.get_object()
        ensure(can_manage_rounds(request.user))
        payload = QuestionCallsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        ids = set(payload.validated_data["calls"])
        calls = list(Call.objects.filter(pk__in=ids))
        if len(calls) != len(ids):
            return Response(
                {"detail": "Some of these calls do not exist."}, status=status.HTTP_400_BAD_REQUEST
            )
        question = set_question_calls(question=question, calls=calls, by=request.user)
        return self._out(question)

    @extend_schema(
        methods=["GET"], request=None, responses={200: PriorityBallotSerializer, **ERROR_RESPONSES}
    )
    @extend_schema(
        methods=["PUT"],
        request=PriorityVoteSerializer,
        responses={200: PriorityBallotSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["get", "put"], permission_classes=[IsAuthenticated])
    def votes(self, request, pk=None):
        """Your votes on the question (GET), or set them (PUT ``votes``): 409 with the reason when it
        would go over the round's limits or when voting is not open."""
        question = self.get_object()
        if request.method == "GET":
            summary = ballot_summary(round_=question.round, member=request.user)
        else:
            ensure(can_take_part(request.user, "vote"))  # before the body, as the service
            payload = PriorityVoteSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            summary = set_votes(question=question, by=request.user, count=payload.validated_data["votes"])
        return Response(ballot_data(summary, question.pk))

    @extend_schema(
        methods=["GET"],
        request=None,
        responses={200: PriorityCommentSerializer(many=True), **ERROR_RESPONSES},
    )
    @extend_schema(
        methods=["POST"],
        request=PriorityCommentCreateSerializer,
        responses={201: PriorityCommentSerializer, **ERROR_RESPONSES},
    )
    @action(detail=True, methods=["get", "post"])
    def comments(self, request, pk=None):
        """The discussion of the question (hidden comments only for moderators), or add to it."""
        question = self.get_object()
        if request.method == "GET":
            return Response(
                PriorityCommentSerializer(
                    comments_for(question=question, viewer=request.user), many=True
                ).data
            )
        ensure(can_join_discussion(request.user))  # before the body, as the service
        payload = PriorityCommentCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        comment = add_comment(question=question, by=request.user, body=payload.validated_data["body"])
        return Response(PriorityCommentSerializer(comment).data, status=status.HTTP_201_CREATED)


class RoundViewSet(viewsets.ReadOnlyModelViewSet):
    """Priority-setting rounds with their phase; a round's page adds its ranking once it is shown."""

    permission_classes = [IsAuthenticatedOrReadOnly]
    lookup_value_regex = r"\d+"
    filter_backends = []

    def get_queryset(self):
        return rounds_visible_to(self.request.user)

    def get_serializer_class(self):
        return PriorityRoundDetailSerializer if self.action == "retrieve" else PriorityRoundSerializer

    def _detail(self, round_: Round) -> Response:
        visible = can_see_ranking(self.request.user, round_) and round_.phase != Round.Phase.GATHERING
        context = {**self.get_serializer_context(), "ranking": ranking_for(round_) if visible else None}
        return Response(PriorityRoundDetailSerializer(round_, context=context).data)

    @extend_schema(responses={200: PriorityRoundDetailSerializer, **ERROR_RESPONSES})
    def retrieve(self, request, pk=None):
        """A round with its phase, dates, limits and ranking (null until it is shown)."""
        return self._detail(self.get_object())

    @extend_schema(
        request=RoundTransitionSerializer, responses={200: PriorityRoundDetailSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        """Move the round to its next ``phase``, with a ``reason`` when a phase ends early (staff)."""
        round_ = self.get_object()
        ensure(can_manage_rounds(request.user))  # before the body: no field errors for others
        payload = RoundTransitionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        round_ = transition_round(round_=round_, to=data["phase"], reason=data["reason"], by=request.user)
        return self._detail(round_)

    @extend_schema(methods=["GET"], request=None, responses={200: TopTenSerializer, **ERROR_RESPONSES})
    @extend_schema(
        methods=["POST"], request=TopTenCreateSerializer, responses={201: TopTenSerializer, **ERROR_RESPONSES}
    )
    @action(detail=True, methods=["get", "post"], url_path="top-ten")
    def top_ten(self, request, pk=None):
        """The steering group's final list with the votes behind it (404 until recorded), or record it
        (staff, while the round is in its final phase)."""
        round_ = self.get_object()
        if request.method == "POST":
            ensure(can_manage_rounds(request.user))
            payload = TopTenCreateSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            data = payload.validated_data
            questions = Question.objects.in_bulk(data["questions"])
            people = list(User.objects.filter(pk__in=data["steering_group"]))
            if len(people) != len(set(data["steering_group"])):
                return Response({"detail": "Some steering group members do not exist."}, status=400)
            record_top_ten(
                round_=round_,
                questions=[questions.get(pk) or Question(pk=pk) for pk in data["questions"]],
                steering_group=people,
                chosen_on=data["chosen_on"],
                notes=data["notes"],
                by=request.user,
            )
        top_ten = top_ten_of(round_)
        if top_ten is None:
            raise NotFound("The final list of this round is not recorded yet.")
        code = status.HTTP_201_CREATED if request.method == "POST" else status.HTTP_200_OK
        return Response(TopTenSerializer(top_ten).data, status=code)
