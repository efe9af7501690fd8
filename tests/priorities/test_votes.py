"""Voting: the limits per member and per question, moving votes, the phases that allow it, and the
limits under real concurrency (PostgreSQL)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEvent
from core.errors import NotAllowed, StateConflict
from priorities.models import Ballot, Question, Round, Vote
from priorities.services import set_votes
from tests.factories import UserFactory
from tests.priorities.factories import CommunityMemberFactory, QuestionFactory, RoundFactory, voting_round

requires_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks under real concurrency need PostgreSQL (SQLite serialises every writer anyway)",
)


@pytest.fixture
def round_(db):
    return voting_round()


@pytest.fixture
def questions(round_):
    return [QuestionFactory(round=round_) for _ in range(5)]


@pytest.fixture
def member(db):
    return CommunityMemberFactory()


def my_votes(member, round_) -> dict[int, int]:
    return dict(
        Vote.objects.filter(ballot__member=member, ballot__round=round_).values_list("question_id", "count")
    )


def test_votes_are_saved_and_counted_against_the_limit(round_, questions, member):
    summary = set_votes(question=questions[0], by=member, count=3)
    summary = set_votes(question=questions[1], by=member, count=2)

    assert summary.votes == {questions[0].pk: 3, questions[1].pk: 2}
    assert (summary.used, summary.remaining, summary.limit) == (5, 5, 10)
    assert my_votes(member, round_) == {questions[0].pk: 3, questions[1].pk: 2}


def test_more_than_three_on_one_question_is_refused(round_, questions, member):
    with pytest.raises(StateConflict, match="at most 3 votes"):
        set_votes(question=questions[0], by=member, count=4)
    assert my_votes(member, round_) == {}


def test_going_over_ten_is_refused_with_what_is_left(round_, questions, member):
    for question in questions[:3]:
        set_votes(question=question, by=member, count=3)

    with pytest.raises(StateConflict, match="You have 1 vote left to give, and 2 would go over your 10"):
        set_votes(question=questions[3], by=member, count=2)
    assert sum(my_votes(member, round_).values()) == 9


def test_a_vote_can_be_moved_from_one_question_to_another(round_, questions, member):
    for question in questions[:3]:
        set_votes(question=question, by=member, count=3)
    set_votes(question=questions[3], by=member, count=1)  # all 10 given

    set_votes(question=questions[0], by=member, count=2)
    summary = set_votes(question=questions[4], by=member, count=1)

    assert summary.votes == {
        questions[0].pk: 2,
        questions[1].pk: 3,
        questions[2].pk: 3,
        questions[3].pk: 1,
        questions[4].pk: 1,
    }
    assert summary.remaining == 0


def test_zero_takes_the_votes_back_and_leaves_no_row(round_, questions, member):
    set_votes(question=questions[0], by=member, count=2)
    summary = set_votes(question=questions[0], by=member, count=0)

    assert summary.votes == {}
    assert Vote.objects.count() == 0


def test_each_change_writes_one_audit_row_and_no_change_writes_none(round_, questions, member):
    set_votes(question=questions[0], by=member, count=2)
    set_votes(question=questions[0], by=member, count=2)
    set_votes(question=questions[0], by=member, count=1)

    events = AuditEvent.objects.filter(verb="priority_vote.set").order_by("id")
    assert [(e.before, e.after, e.data["question"]) for e in events] == [
        ({"votes": 0}, {"votes": 2}, questions[0].pk),
        ({"votes": 2}, {"votes": 1}, questions[0].pk),
    ]


def test_the_round_sets_the_limits(db, member):
    round_ = voting_round(votes_per_member=5, max_votes_per_question=5)
    first, second = QuestionFactory(round=round_), QuestionFactory(round=round_)
    set_votes(question=first, by=member, count=5)
    with pytest.raises(StateConflict, match="You have 0 votes left"):
        set_votes(question=second, by=member, count=1)


@pytest.mark.parametrize(
    ("phase", "message"),
    [
        (Round.Phase.GATHERING, "Voting has not started yet"),
        (Round.Phase.FINAL, "Voting has closed"),
        (Round.Phase.CLOSED, "Voting has closed"),
    ],
)
def test_no_votes_outside_the_voting_phase(db, member, phase, message):
    question = QuestionFactory(round=voting_round(phase=phase))
    with pytest.raises(StateConflict, match=message):
        set_votes(question=question, by=member, count=1)
    assert Ballot.objects.count() == 0


def test_no_votes_after_the_closing_date_even_before_staff_close_voting(db, member):
    round_ = voting_round()
    question = QuestionFactory(round=round_)
    with pytest.raises(StateConflict, match="Voting has closed"):
        set_votes(question=question, by=member, count=1, now=round_.voting_closes_at + timedelta(seconds=1))


def test_votes_can_still_be_moved_one_second_before_voting_closes(db, member):
    round_ = voting_round()
    question = QuestionFactory(round=round_)
    summary = set_votes(
        question=question, by=member, count=1, now=round_.voting_closes_at - timedelta(seconds=1)
    )
    assert summary.used == 1


@pytest.mark.parametrize(
    "status", [Question.Status.SUBMITTED, Question.Status.HIDDEN, Question.Status.MERGED]
)
def test_only_published_questions_take_votes(round_, member, status):
    question = QuestionFactory(round=round_, status=status)
    with pytest.raises(StateConflict, match="published questions"):
        set_votes(question=question, by=member, count=1)


def test_only_community_members_vote(round_, questions):
    with pytest.raises(NotAllowed, match="Join as a community member to vote"):
        set_votes(question=questions[0], by=UserFactory(), count=1)
    assert Ballot.objects.count() == 0


def test_each_member_has_their_own_ten(round_, questions, member):
    other = CommunityMemberFactory()
    for question in questions[:3]:
        set_votes(question=question, by=member, count=3)
        set_votes(question=question, by=other, count=3)
    assert sum(my_votes(member, round_).values()) == sum(my_votes(other, round_).values()) == 9


def test_votes_in_another_round_do_not_count(db, member):
    first, second = voting_round(), voting_round()
    for _ in range(4):
        set_votes(question=QuestionFactory(round=first), by=member, count=3 if _ < 3 else 1)
    summary = set_votes(question=QuestionFactory(round=second), by=member, count=3)
    assert summary.used == 3


def test_a_gathering_round_factory_is_not_voting(db):
    assert not RoundFactory().is_voting_at(timezone.now())


# Concurrency (PostgreSQL) -------------------------------------------------------------------------


def run_together(count: int, action) -> list:
    """Run ``action(i)`` in ``count`` threads released at once; each thread has its own connection."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def work(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = action(index)
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


@requires_postgresql
def test_ten_concurrent_vote_requests_from_one_member_never_exceed_the_limit(transactional_db):
    round_ = voting_round()
    questions = [QuestionFactory(round=round_) for _ in range(10)]
    member = CommunityMemberFactory()

    def vote(index: int):
        client = APIClient()
        client.force_authenticate(member)
        return client.put(
            f"/api/v1/priorities/questions/{questions[index].pk}/votes/", {"votes": 2}, format="json"
        )

    responses = run_together(10, vote)

    assert [r for r in responses if isinstance(r, Exception)] == []
    codes = sorted(r.status_code for r in responses)
    assert codes == [200] * 5 + [409] * 5
    assert sum(my_votes(member, round_).values()) == 10
    assert Ballot.objects.filter(member=member).count() == 1
    assert AuditEvent.objects.filter(verb="priority_vote.set").count() == 5


@requires_postgresql
def test_ten_concurrent_raises_on_one_question_stay_within_three(transactional_db):
    round_ = voting_round()
    question = QuestionFactory(round=round_)
    member = CommunityMemberFactory()

    results = run_together(10, lambda i: set_votes(question=question, by=member, count=1 + i % 3))

    assert [r for r in results if isinstance(r, Exception)] == []
    assert 1 <= my_votes(member, round_)[question.pk] <= 3
    assert Vote.objects.count() == 1
