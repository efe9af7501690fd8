"""Factories for research priorities: plain defaults, phases set directly (only services move them)."""

from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from applications.models import FocusArea
from priorities.models import Ballot, Comment, CommunityProfile, Question, Round, Vote
from tests.factories import UserFactory


def focus_area(slug: str = "symptom-management-and-rehabilitation") -> FocusArea:
    """One of the five focus areas the applications migrations seed (made again after a flush)."""
    name = slug.replace("-", " ").capitalize()
    return FocusArea.objects.get_or_create(slug=slug, defaults={"name": name})[0]


class CommunityMemberFactory(UserFactory):
    """A user with a community profile (a person living with MS unless told)."""

    class Meta:
        skip_postgeneration_save = True

    profile = factory.RelatedFactory(
        "tests.priorities.factories.CommunityProfileFactory", factory_related_name="user"
    )


class CommunityProfileFactory(DjangoModelFactory):
    class Meta:
        model = CommunityProfile

    user = factory.SubFactory(UserFactory)
    kind = CommunityProfile.Kind.PERSON_WITH_MS
    public_name = factory.Sequence(lambda n: f"Member {n}")


class RoundFactory(DjangoModelFactory):
    """A round gathering questions now: opened 30 days ago, gathering for 10 more days."""

    class Meta:
        model = Round

    title = factory.Sequence(lambda n: f"Research priorities round {n}")
    slug = factory.Sequence(lambda n: f"round-{n}")
    description = "What should research on progressive MS answer first?"
    phase = Round.Phase.GATHERING
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))
    gathering_closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
    voting_closes_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=40))
    votes_per_member = 10
    max_votes_per_question = 3


def voting_round(**kwargs) -> Round:
    """A round in its voting phase: gathering ended 10 days ago, voting closes in 20 days."""
    now = timezone.now()
    defaults = {
        "phase": Round.Phase.VOTING,
        "opens_at": now - timedelta(days=60),
        "gathering_closes_at": now - timedelta(days=10),
        "voting_closes_at": now + timedelta(days=20),
    }
    return RoundFactory(**{**defaults, **kwargs})


class QuestionFactory(DjangoModelFactory):
    """A published question by a community member."""

    class Meta:
        model = Question

    round = factory.SubFactory(RoundFactory)
    author = factory.SubFactory(CommunityMemberFactory)
    focus_area = factory.LazyFunction(focus_area)
    title = factory.Sequence(lambda n: f"Does treatment {n} slow the progression of MS?")
    description = "Many of us live with progressive MS and have few treatments."
    status = Question.Status.PUBLISHED
    original_title = factory.SelfAttribute("title")
    original_description = factory.SelfAttribute("description")
    submitted_at = factory.LazyFunction(timezone.now)
    published_at = factory.LazyFunction(timezone.now)


class CommentFactory(DjangoModelFactory):
    class Meta:
        model = Comment

    question = factory.SubFactory(QuestionFactory)
    author = factory.SubFactory(CommunityMemberFactory)
    body = "This matters to me every single day."


def give_votes(member, question: Question, count: int) -> Vote:
    """Votes written directly (for setting a scene; tests of voting use the service)."""
    ballot, _ = Ballot.objects.get_or_create(round=question.round, member=member)
    return Vote.objects.create(ballot=ballot, question=question, count=count)
