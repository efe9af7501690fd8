"""Community research priorities, after the James Lind Alliance and iConquerMS: people living with
MS propose research questions in plain language, discuss and vote on them, and a steering group of
community members and researchers chooses a round's top ten. Calls name the priorities they address,
so a question's page can show what became of it.

A round moves through phases declared in ``priorities.workflow``; every change goes through
``priorities.services`` and leaves an audit row.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from applications.models import Call, FocusArea

ANONYMOUS_NAME = "A community member"


class CommunityProfile(models.Model):
    """Makes an account a community member: someone who lives with MS, cares for someone who does, or
    is close to it. No research role is needed to propose questions and vote."""

    class Kind(models.TextChoices):
        PERSON_WITH_MS = "person_with_ms", "I live with MS"
        CARER = "carer", "I care for someone who lives with MS"
        OTHER = "other", "Other (family, friend, health or care professional)"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="community_profile"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    public_name = models.CharField(
        "name others see",
        max_length=80,
        blank=True,
        help_text=f"Shown beside your questions and comments. Leave it empty to appear as "
        f"“{ANONYMOUS_NAME}”.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user__full_name"]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_kind_display()})"

    @property
    def display_name(self) -> str:
        return self.public_name or ANONYMOUS_NAME


class Round(models.Model):
    """One priority-setting round: questions are gathered, voted on, and a top ten is chosen."""

    class Phase(models.TextChoices):
        DRAFT = "draft", "Being prepared"
        GATHERING = "gathering", "Gathering questions"
        VOTING = "voting", "Voting (interim ranking)"
        FINAL = "final", "Steering group choosing the top ten"
        CLOSED = "closed", "Closed: top ten chosen"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True, max_length=5000)
    phase = models.CharField(max_length=12, choices=Phase.choices, default=Phase.DRAFT, editable=False)
    opens_at = models.DateTimeField("questions welcome from")
    gathering_closes_at = models.DateTimeField("questions welcome until")
    voting_closes_at = models.DateTimeField("voting closes at")
    votes_per_member = models.PositiveSmallIntegerField(
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="How many votes each member spreads over the questions.",
    )
    max_votes_per_question = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="The most votes one member may give one question.",
    )
    top_count = models.PositiveSmallIntegerField(
        "size of the final list", default=10, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-opens_at", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(gathering_closes_at__gt=models.F("opens_at")),
                name="round_gathering_after_opening",
            ),
            models.CheckConstraint(
                condition=models.Q(voting_closes_at__gt=models.F("gathering_closes_at")),
                name="round_voting_after_gathering",
            ),
            models.CheckConstraint(
                condition=models.Q(max_votes_per_question__lte=models.F("votes_per_member")),
                name="round_question_limit_within_votes",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_gathering_at(self, at) -> bool:
        return self.phase == self.Phase.GATHERING and self.opens_at <= at < self.gathering_closes_at

    def is_voting_at(self, at) -> bool:
        return self.phase == self.Phase.VOTING and at < self.voting_closes_at

    @property
    def is_gathering(self) -> bool:
        return self.is_gathering_at(timezone.now())

    @property
    def is_voting(self) -> bool:
        return self.is_voting_at(timezone.now())


class Question(models.Model):
    """A research question proposed by a community member. The author's own words are kept in
    ``original_*`` when a moderator edits the question for clarity."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft (only you can see it)"
        SUBMITTED = "submitted", "Waiting for a moderator"
        PUBLISHED = "published", "Published"
        HIDDEN = "hidden", "Hidden by a moderator"
        MERGED = "merged", "Merged with a similar question"

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="questions")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="priority_questions"
    )
    focus_area = models.ForeignKey(FocusArea, on_delete=models.PROTECT, related_name="priority_questions")
    title = models.CharField("your question", max_length=200)
    description = models.TextField("why it matters", blank=True, max_length=3000)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.DRAFT, editable=False)
    original_title = models.CharField(max_length=200, blank=True, editable=False)
    original_description = models.TextField(blank=True, editable=False)
    moderator_note = models.TextField(
        blank=True, editable=False, help_text="The last moderator's reason, shown to the author."
    )
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_questions",
        editable=False,
    )
    calls = models.ManyToManyField(
        Call,
        blank=True,
        related_name="priorities",
        verbose_name="calls that address it",
        help_text="Calls for proposals that address this question.",
    )
    submitted_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["round", "focus_area__position", "published_at", "id"]
        indexes = [models.Index(fields=["round", "status"])]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def was_edited(self) -> bool:
        return self.edited_at is not None


class Comment(models.Model):
    """A comment in the discussion of a published question; moderators may hide it with a reason."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="priority_comments"
    )
    body = models.TextField("comment", max_length=2000)
    hidden_at = models.DateTimeField(null=True, blank=True, editable=False)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hidden_reason = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment #{self.pk} on {self.question_id}"

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None


class Ballot(models.Model):
    """A member's votes in one round. The row is locked while its votes change, so that concurrent
    requests from one member can never spend more than the round allows."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="ballots")
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="priority_ballots"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["round", "member"]
        constraints = [
            models.UniqueConstraint(fields=["round", "member"], name="one_ballot_per_member_round")
        ]

    def __str__(self) -> str:
        return f"{self.member} in {self.round}"


class Vote(models.Model):
    """Votes a member gives one question (a question with no votes has no row)."""

    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="votes")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="votes")
    count = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["ballot", "question"]
        constraints = [
            models.UniqueConstraint(fields=["ballot", "question"], name="one_vote_row_per_question"),
            models.CheckConstraint(condition=models.Q(count__gte=1), name="vote_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.count} on {self.question_id}"


class TopTen(models.Model):
    """The final list of a round, chosen by a steering group of community members and researchers
    (usually at a workshop), with the votes behind each choice as they stood on the day."""

    round = models.OneToOneField(Round, on_delete=models.PROTECT, related_name="top_ten")
    chosen_on = models.DateField("chosen on")
    steering_group = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="priority_steering_groups")
    notes = models.TextField(blank=True, max_length=5000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "top ten"
        verbose_name_plural = "top tens"

    def __str__(self) -> str:
        return f"Top {self.round.top_count} of {self.round}"


class PriorityChoice(models.Model):
    """One place in a round's final list."""

    top_ten = models.ForeignKey(TopTen, on_delete=models.CASCADE, related_name="choices")
    position = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="choices")
    votes = models.PositiveIntegerField("votes at the time")
    voters = models.PositiveIntegerField("members who voted for it at the time")

    class Meta:
        ordering = ["top_ten", "position"]
        constraints = [
            models.UniqueConstraint(fields=["top_ten", "position"], name="one_choice_per_position"),
            models.UniqueConstraint(fields=["top_ten", "question"], name="one_position_per_question"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.question}"
