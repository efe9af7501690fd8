"""The research-priorities step of ``manage.py demo``, on a small world of its own: what it builds,
and that a second run adds nothing (the whole demo's second run is in tests/applications/test_demo.py)."""

from datetime import date

import pytest
from django.contrib.auth import authenticate
from django.db import transaction
from django.test import RequestFactory
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import User
from applications import demo_data as app_data
from applications.focus_areas import ensure_alliance_focus_areas
from applications.management.commands.demo import World
from applications.models import Call
from audit.models import AuditEvent
from priorities import demo
from priorities.demo_data import COMMUNITY_LOGIN
from priorities.models import Ballot, Comment, CommunityProfile, PriorityChoice, Question, Round, Vote
from priorities.selectors import ballot_summary, ranking_for
from tests.factories import CallFactory, UserFactory

MODELS = [User, CommunityProfile, Round, Question, Comment, Ballot, Vote, PriorityChoice, AuditEvent]


def small_world() -> World:
    """What the demo's earlier steps leave that this step uses: the officer, the chair and committee
    members (for the steering group) and the two calls that address a question."""
    ensure_alliance_focus_areas()  # a transactional test before may have emptied the seeded table
    officer = UserFactory(email="officer@granted.demo", is_staff=True)
    people = [app_data.CHAIR, *app_data.MEMBERS[:3]]
    users = {email: UserFactory(email=email, full_name=name) for _, email, name, _ in people}
    CallFactory(slug="planning-grants-2025", title="Planning Grants 2025", status=Call.Status.DECIDED)
    CallFactory(slug="challenge-awards-2027", title="Challenge Awards 2027")
    return World(log=lambda message: None, today=timezone.localdate(), officer=officer, users=users)


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    """The step run once for the module (then run again), inside a transaction rolled back at the end."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast):
        outer = transaction.atomic()
        outer.__enter__()
        try:
            world = small_world()
            demo.build_priorities(world)
            first = counts()
            demo.build_priorities(world)
            yield first
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def world(built, db):
    return built


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def test_the_demo_builds_both_rounds_once(world):
    first = world
    assert counts() == first
    assert first["CommunityProfile"] == 40
    current = Round.objects.get(slug="priorities-2026")
    past = Round.objects.get(slug="priorities-2024")
    assert (current.phase, past.phase) == ("voting", "closed")
    published = current.questions.filter(status="published")
    assert published.count() == 30
    assert set(published.values_list("focus_area__slug", flat=True)) == {
        "targets-and-repurposing",
        "experimental-models",
        "phase-ii-trial-strategies",
        "outcome-measures-and-trial-design",
        "symptom-management-and-rehabilitation",
    }
    statuses = sorted(current.questions.exclude(status="published").values_list("status", flat=True))
    assert statuses == ["hidden", "merged", "submitted", "submitted"]
    assert Ballot.objects.filter(round=current).count() == 40
    assert Comment.objects.filter(question__round=current, hidden_at__isnull=False).count() == 1


def test_every_ballot_is_within_the_limits(world):
    for ballot in Ballot.objects.select_related("round"):
        counts = list(ballot.votes.values_list("count", flat=True))
        assert sum(counts) <= ballot.round.votes_per_member
        assert max(counts) <= ballot.round.max_votes_per_question


def test_the_past_round_has_its_top_ten_and_a_question_the_planning_grants_address(world):
    top_ten = Round.objects.get(slug="priorities-2024").top_ten
    assert top_ten.chosen_on == date(2024, 11, 15)
    assert top_ten.choices.count() == 10
    assert top_ten.steering_group.filter(community_profile__isnull=False).count() == 8
    assert top_ten.steering_group.filter(community_profile__isnull=True).count() == 4
    first = top_ten.choices.get(position=1).question
    assert set(first.calls.values_list("slug", flat=True)) == {
        "planning-grants-2025",
        "challenge-awards-2027",
    }
    assert [row.position for row in ranking_for(top_ten.round)][:3] == [1, 2, 3]


def test_the_community_login_signs_in_with_votes_left_and_an_edited_question(world):
    _, email, _, _ = COMMUNITY_LOGIN
    signing_in = RequestFactory().post("/accounts/login/")  # axes (login throttling) needs the request
    login = authenticate(signing_in, username=email, password=app_data.PASSWORD)
    assert login is not None
    summary = ballot_summary(round_=Round.objects.get(slug="priorities-2026"), member=login)
    assert (summary.used, summary.remaining) == (4, 6)
    question = Question.objects.get(author=login, round__slug="priorities-2026")
    assert question.was_edited
    assert question.original_title.startswith("fatigue!!")
