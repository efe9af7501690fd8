"""Read queries for research priorities, shared by the portal and the API."""

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from applications.models import Call, FocusArea
from awards.models import Award, Decision
from priorities.models import Comment, PriorityChoice, Question, Round, TopTen, Vote
from priorities.permissions import is_moderator


def rounds_visible_to(user) -> QuerySet[Round]:
    """Rounds being prepared only for staff; every other round for everyone."""
    rounds = Round.objects.all()
    if not is_moderator(user):
        rounds = rounds.exclude(phase=Round.Phase.DRAFT)
    return rounds.order_by("-opens_at", "title")


def active_rounds() -> QuerySet[Round]:
    """Rounds taking questions or votes, or choosing their top ten: the ones to show first."""
    return Round.objects.filter(
        phase__in=[Round.Phase.GATHERING, Round.Phase.VOTING, Round.Phase.FINAL]
    ).order_by("-opens_at")


def _with_people(questions: QuerySet[Question]) -> QuerySet[Question]:
    return questions.select_related("round", "focus_area", "author__community_profile")


def with_totals(questions: QuerySet[Question]) -> QuerySet[Question]:
    """Each question with ``total_votes`` (all members' votes on it) and ``voters`` (how many gave any)."""
    return questions.annotate(
        total_votes=Coalesce(Sum("votes__count"), Value(0), output_field=IntegerField()),
        voters=Count("votes", distinct=True),
    )


def questions_visible_to(user) -> QuerySet[Question]:
    """The one place that decides which questions a user sees: published (and merged) ones for
    everyone; their own in any state for an author; all for moderators."""
    questions = Question.objects.all()
    if not is_moderator(user):
        visible = Q(status__in=[Question.Status.PUBLISHED, Question.Status.MERGED])
        if user.is_authenticated:
            visible |= Q(author=user)
        questions = questions.filter(visible).exclude(round__phase=Round.Phase.DRAFT)
    return _with_people(questions)


def published_questions(round_: Round, *, focus_area: FocusArea | None = None) -> QuerySet[Question]:
    """The questions of a round that members discuss and vote on, by focus area then age."""
    questions = round_.questions.filter(status=Question.Status.PUBLISHED)
    if focus_area is not None:
        questions = questions.filter(focus_area=focus_area)
    comments = Count("comments", filter=Q(comments__hidden_at__isnull=True), distinct=True)
    return (
        _with_people(questions)
        .annotate(comment_count=comments)
        .order_by("focus_area__position", "focus_area__name", "published_at", "pk")
    )


def focus_areas_of(round_: Round) -> list[tuple[FocusArea, int]]:
    """The focus areas with published questions in the round, and how many each has."""
    counts = dict(
        round_.questions.filter(status=Question.Status.PUBLISHED)
        .values("focus_area")
        .annotate(n=Count("pk"))
        .values_list("focus_area", "n")
    )
    return [(area, counts[area.pk]) for area in FocusArea.objects.filter(pk__in=counts)]


@dataclass(frozen=True)
class RankingRow:
    position: int  # 1 + the number of questions with more votes: ties share a place
    question: Question
    votes: int
    voters: int


def ranking_for(round_: Round) -> list[RankingRow]:
    """The interim ranking: published questions by votes, then by how many members voted for them."""
    questions = with_totals(_with_people(round_.questions.filter(status=Question.Status.PUBLISHED)))
    ordered = questions.order_by("-total_votes", "-voters", "published_at", "pk")
    rows: list[RankingRow] = []
    for index, question in enumerate(ordered):
        position = index + 1
        if rows and rows[-1].votes == question.total_votes:
            position = rows[-1].position
        rows.append(RankingRow(position, question, question.total_votes, question.voters))
    return rows


@dataclass(frozen=True)
class BallotSummary:
    """A member's votes in a round: question id → votes, against the round's limits."""

    limit: int
    per_question: int
    votes: dict[int, int] = field(default_factory=dict)

    @property
    def used(self) -> int:
        return sum(self.votes.values())

    @property
    def remaining(self) -> int:
        return self.limit - self.used

    def on(self, question_id: int) -> int:
        return self.votes.get(question_id, 0)

    def choices_for(self, question_id: int) -> list[int]:
        """The vote counts the member could give this question now (0 to the most still possible)."""
        most = min(self.per_question, self.on(question_id) + self.remaining)
        return list(range(most + 1))


def ballot_summary(*, round_: Round, member) -> BallotSummary:
    votes = {}
    if member.is_authenticated:
        given = Vote.objects.filter(ballot__round=round_, ballot__member=member)
        votes = dict(given.values_list("question_id", "count"))
    return BallotSummary(round_.votes_per_member, round_.max_votes_per_question, votes)


def comments_for(*, question: Question, viewer) -> QuerySet[Comment]:
    """The discussion of a question; hidden comments only for moderators."""
    comments = question.comments.select_related("author__community_profile", "hidden_by")
    if not is_moderator(viewer):
        comments = comments.filter(hidden_at__isnull=True)
    return comments.order_by("created_at", "pk")


def questions_of(user) -> QuerySet[Question]:
    """A member's own questions in every state, newest first."""
    if not user.is_authenticated:
        return Question.objects.none()
    return (
        _with_people(Question.objects.filter(author=user))
        .select_related("merged_into")
        .order_by("-created_at", "-pk")
    )


def moderation_queue() -> QuerySet[Question]:
    """Questions sent by their authors and waiting for a moderator, oldest first."""
    return _with_people(Question.objects.filter(status=Question.Status.SUBMITTED)).order_by(
        "submitted_at", "pk"
    )


def recent_comments(*, limit: int = 30) -> QuerySet[Comment]:
    """The latest comments in rounds not yet closed, for moderators to read through."""
    return (
        Comment.objects.exclude(question__round__phase=Round.Phase.CLOSED)
        .select_related("question", "author__community_profile")
        .order_by("-created_at", "-pk")[:limit]
    )


def merge_targets(question: Question) -> QuerySet[Question]:
    """The published questions of the same round that ``question`` could be merged into."""
    return question.round.questions.filter(status=Question.Status.PUBLISHED).exclude(pk=question.pk)


def linkable_calls() -> QuerySet[Call]:
    return Call.objects.select_related("program").order_by("-opens_at", "title")


def calls_addressing(question: Question) -> QuerySet[Call]:
    """The calls for proposals that name this question among the priorities they address (not drafts)."""
    return question.calls.exclude(status=Call.Status.DRAFT).select_related("program").order_by("-opens_at")


def funded_projects_for(question: Question) -> QuerySet[Award]:
    """What became of a question: the awards made in calls that address it, whose decision has been
    applied and which the awardee has not declined."""
    return (
        Award.objects.standing()
        .filter(decision__status=Decision.Status.APPLIED, application__call__priorities=question)
        .exclude(application__call__status=Call.Status.DRAFT)
        .select_related("application__institution", "application__call")
        .order_by("application__call__opens_at", "reference")
    )


def top_ten_of(round_: Round) -> TopTen | None:
    """The recorded final list with its choices in order and the steering group, or None."""
    choices = PriorityChoice.objects.select_related("question__focus_area").order_by("position")
    return (
        TopTen.objects.filter(round=round_)
        .select_related("round")
        .prefetch_related(Prefetch("choices", queryset=choices), "steering_group__community_profile")
        .first()
    )


def choices_of(question: Question) -> QuerySet[PriorityChoice]:
    """Where the question stands in recorded final lists (at most one: its round's)."""
    return question.choices.select_related("top_ten__round")
