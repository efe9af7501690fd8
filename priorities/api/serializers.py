"""Serializers of the research-priorities API. They shape data; the rules are in the services."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from applications.models import Call, FocusArea
from priorities.models import Comment, PriorityChoice, Question, Round, TopTen
from priorities.permissions import can_see_ranking, is_moderator
from priorities.templatetags.priorities_tags import public_name_of


class PriorityCallSerializer(serializers.ModelSerializer):
    class Meta:
        model = Call
        fields = ["id", "slug", "title", "status"]


class PriorityQuestionSerializer(serializers.ModelSerializer):
    """A question as the caller may see it: the author's original wording and the moderator's note
    only for the author and moderators; vote totals only once the round shows its ranking."""

    focus_area = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    author_name = serializers.SerializerMethodField()
    is_mine = serializers.SerializerMethodField()
    edited = serializers.BooleanField(source="was_edited", read_only=True)
    original_title = serializers.SerializerMethodField()
    original_description = serializers.SerializerMethodField()
    moderator_note = serializers.SerializerMethodField()
    calls = serializers.SerializerMethodField()
    votes = serializers.SerializerMethodField()

    class Meta:
        model = Question
        fields = [
            "id",
            "round",
            "title",
            "description",
            "focus_area",
            "status",
            "author_name",
            "is_mine",
            "edited",
            "original_title",
            "original_description",
            "moderator_note",
            "merged_into",
            "calls",
            "votes",
            "submitted_at",
            "published_at",
        ]
        read_only_fields = fields

    def _user(self):
        return self.context["request"].user

    def _insider(self, question: Question) -> bool:
        user = self._user()
        return is_moderator(user) or (user.is_authenticated and question.author_id == user.pk)

    def get_author_name(self, question: Question) -> str:
        return public_name_of(question.author)

    def get_is_mine(self, question: Question) -> bool:
        user = self._user()
        return user.is_authenticated and question.author_id == user.pk

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_original_title(self, question: Question) -> str | None:
        return question.original_title if self._insider(question) else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_original_description(self, question: Question) -> str | None:
        return question.original_description if self._insider(question) else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_moderator_note(self, question: Question) -> str | None:
        return question.moderator_note if self._insider(question) else None

    @extend_schema_field(PriorityCallSerializer(many=True))
    def get_calls(self, question: Question) -> list[dict]:
        calls = [call for call in question.calls.all() if call.status != Call.Status.DRAFT]
        return PriorityCallSerializer(calls, many=True).data

    @extend_schema_field(
        serializers.IntegerField(allow_null=True, help_text="Null until the ranking is shown.")
    )
    def get_votes(self, question: Question) -> int | None:
        if not question.is_published or not can_see_ranking(self._user(), question.round):
            return None
        return getattr(question, "total_votes", None)


class PriorityQuestionCreateSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=3000, required=False, allow_blank=True, default="")
    focus_area = serializers.SlugRelatedField(slug_field="slug", queryset=FocusArea.objects.all())
    submit = serializers.BooleanField(
        default=False, help_text="Send it to the moderators at once; otherwise it is kept as a draft."
    )


class PriorityQuestionEditSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=3000, required=False, allow_blank=True, default="")
    focus_area = serializers.SlugRelatedField(slug_field="slug", queryset=FocusArea.objects.all())
    reason = serializers.CharField(
        max_length=1000, help_text="Shown to the author and kept in the audit trail."
    )


class PriorityReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=1000, help_text="Kept in the audit trail and shown to the author."
    )


class PriorityPublishSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class QuestionMergeSerializer(PriorityReasonSerializer):
    into = serializers.IntegerField(help_text="The published question of the same round to merge into.")


class QuestionCallsSerializer(serializers.Serializer):
    calls = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)


class PriorityVoteSerializer(serializers.Serializer):
    votes = serializers.IntegerField(
        min_value=0, help_text="How many of your votes this question gets (0 to take them back)."
    )


class PriorityBallotSerializer(serializers.Serializer):
    question = serializers.IntegerField(allow_null=True)
    votes = serializers.IntegerField(allow_null=True, help_text="Your votes on this question.")
    used = serializers.IntegerField(help_text="Your votes given in the round.")
    remaining = serializers.IntegerField()
    limit = serializers.IntegerField(help_text="Votes each member has in the round.")
    per_question = serializers.IntegerField(help_text="The most votes one member may give one question.")
    given = serializers.DictField(child=serializers.IntegerField(), help_text="Question id → your votes.")


def ballot_data(summary, question_id: int | None = None) -> dict:
    return {
        "question": question_id,
        "votes": summary.on(question_id) if question_id else None,
        "used": summary.used,
        "remaining": summary.remaining,
        "limit": summary.limit,
        "per_question": summary.per_question,
        "given": {str(pk): count for pk, count in summary.votes.items()},
    }


class PriorityCommentSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = Comment
        fields = ["id", "question", "author_name", "body", "created_at", "hidden_at", "hidden_reason"]
        read_only_fields = fields

    def get_author_name(self, comment: Comment) -> str:
        return public_name_of(comment.author)


class PriorityCommentCreateSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=2000)


class PriorityRankingRowSerializer(serializers.Serializer):
    position = serializers.IntegerField(help_text="Ties share a place.")
    question = serializers.IntegerField(source="question.pk")
    title = serializers.CharField(source="question.title")
    focus_area = serializers.CharField(source="question.focus_area.slug")
    votes = serializers.IntegerField()
    voters = serializers.IntegerField()


class PriorityRoundSerializer(serializers.ModelSerializer):
    phase_label = serializers.CharField(source="get_phase_display", read_only=True)
    taking_questions = serializers.BooleanField(source="is_gathering", read_only=True)
    voting_open = serializers.BooleanField(source="is_voting", read_only=True)

    class Meta:
        model = Round
        fields = [
            "id",
            "slug",
            "title",
            "description",
            "phase",
            "phase_label",
            "opens_at",
            "gathering_closes_at",
            "voting_closes_at",
            "votes_per_member",
            "max_votes_per_question",
            "top_count",
            "taking_questions",
            "voting_open",
        ]
        read_only_fields = fields


class PriorityRoundDetailSerializer(PriorityRoundSerializer):
    ranking_visible = serializers.SerializerMethodField()
    ranking = serializers.SerializerMethodField()

    class Meta(PriorityRoundSerializer.Meta):
        fields = [*PriorityRoundSerializer.Meta.fields, "ranking_visible", "ranking"]
        read_only_fields = fields

    def get_ranking_visible(self, round_: Round) -> bool:
        return bool(can_see_ranking(self.context["request"].user, round_))

    @extend_schema_field(PriorityRankingRowSerializer(many=True, allow_null=True))
    def get_ranking(self, round_: Round) -> list | None:
        rows = self.context.get("ranking")
        return None if rows is None else PriorityRankingRowSerializer(rows, many=True).data


class RoundTransitionSerializer(serializers.Serializer):
    phase = serializers.ChoiceField(choices=Round.Phase.choices, help_text="The phase to move to.")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=1000, default="")


class PriorityChoiceSerializer(serializers.ModelSerializer):
    title = serializers.CharField(source="question.title", read_only=True)

    class Meta:
        model = PriorityChoice
        fields = ["position", "question", "title", "votes", "voters"]
        read_only_fields = fields


class SteeringMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TopTenSerializer(serializers.ModelSerializer):
    choices = PriorityChoiceSerializer(many=True, read_only=True)
    steering_group = serializers.SerializerMethodField()

    class Meta:
        model = TopTen
        fields = ["round", "chosen_on", "steering_group", "notes", "recorded_at", "choices"]
        read_only_fields = fields

    @extend_schema_field(SteeringMemberSerializer(many=True))
    def get_steering_group(self, top_ten: TopTen) -> list[dict]:
        """Community members by the name they chose; researchers by their name."""
        people = []
        for user in top_ten.steering_group.all():
            name = public_name_of(user) if hasattr(user, "community_profile") else user.full_name
            people.append({"id": user.pk, "name": name})
        return people


class TopTenCreateSerializer(serializers.Serializer):
    questions = serializers.ListField(
        child=serializers.IntegerField(), help_text="Question ids, first place first."
    )
    steering_group = serializers.ListField(child=serializers.IntegerField(), help_text="User ids.")
    chosen_on = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
