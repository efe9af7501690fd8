"""A round's phases: proposals only while gathering (drafts kept), the transitions and their guards,
who sees a round and its ranking, and the steering group's top ten with the votes behind it."""

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from audit.models import AuditEvent
from core.errors import Invalid, NotAllowed, StateConflict
from priorities.models import PriorityChoice, Question, Round
from priorities.permissions import can_see_ranking
from priorities.selectors import ranking_for, rounds_visible_to
from priorities.services import (
    create_round,
    record_top_ten,
    save_question_draft,
    submit_question,
    transition_round,
    update_round,
)
from tests.factories import UserFactory
from tests.priorities.factories import (
    CommunityMemberFactory,
    QuestionFactory,
    RoundFactory,
    focus_area,
    give_votes,
    voting_round,
)

P = Round.Phase


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def member(db):
    return CommunityMemberFactory()


def draft(round_, member, **kwargs):
    fields = {"title": "Can diet slow progression?", "description": "", "focus_area": focus_area(), **kwargs}
    return save_question_draft(round_=round_, by=member, **fields)


# Proposals ----------------------------------------------------------------------------------------


def test_a_draft_is_kept_then_sent_with_the_authors_words(db, member):
    round_ = RoundFactory()
    question = draft(round_, member, description="I would like to know.")
    assert question.status == Question.Status.DRAFT

    question = draft(
        round_,
        member,
        question=question,
        title="Can a diet   slow progression?",
        description="I would like to know.",
    )
    question = submit_question(question=question, by=member)

    assert question.status == Question.Status.SUBMITTED
    assert question.original_title == "Can a diet slow progression?"
    assert question.original_description == "I would like to know."
    verbs = list(
        AuditEvent.objects.filter(target_id=str(question.pk)).order_by("id").values_list("verb", flat=True)
    )
    assert verbs == [
        "priority_question.draft_saved",
        "priority_question.draft_saved",
        "priority_question.submitted",
    ]


def test_no_proposals_after_gathering(db, member):
    round_ = voting_round()
    with pytest.raises(StateConflict, match="no longer takes new questions"):
        draft(round_, member)
    assert Question.objects.count() == 0


def test_a_draft_cannot_be_sent_once_gathering_has_ended(db, member):
    round_ = RoundFactory()
    question = draft(round_, member)
    with pytest.raises(StateConflict, match="no longer takes new questions"):
        submit_question(question=question, by=member, now=round_.gathering_closes_at)


def test_no_proposals_before_the_round_opens(db, member):
    round_ = RoundFactory(phase=P.DRAFT)
    with pytest.raises(StateConflict, match="does not take questions yet"):
        draft(round_, member)


def test_proposing_needs_a_community_profile_not_a_research_role(db):
    with pytest.raises(NotAllowed, match="Join as a community member"):
        draft(RoundFactory(), UserFactory())


def test_only_the_author_changes_or_sends_a_draft(db, member):
    question = draft(RoundFactory(), member)
    other = CommunityMemberFactory()
    with pytest.raises(NotAllowed):
        draft(question.round, other, question=question, title="Mine now?")
    with pytest.raises(NotAllowed):
        submit_question(question=question, by=other)


def test_a_sent_question_is_no_longer_the_authors_to_change(db, member):
    question = submit_question(question=draft(RoundFactory(), member), by=member)
    with pytest.raises(StateConflict, match="sent to the moderators"):
        draft(question.round, member, question=question, title="Changed?")


def test_a_question_needs_words(db, member):
    with pytest.raises(Invalid) as refusal:
        draft(RoundFactory(), member, title="   ")
    assert refusal.value.field_errors == {"title": ["Write your question in a sentence or two."]}


# Phases -------------------------------------------------------------------------------------------


def test_a_round_moves_through_its_phases(db, staff, member):
    now = timezone.now()
    round_ = create_round(
        by=staff,
        title="Priorities 2027",
        slug="priorities-2027",
        opens_at=now - timedelta(days=1),
        gathering_closes_at=now + timedelta(days=30),
        voting_closes_at=now + timedelta(days=60),
    )
    assert round_.phase == P.DRAFT
    round_ = transition_round(round_=round_, to=P.GATHERING, by=staff)
    question = submit_question(question=draft(round_, member), by=member)
    with pytest.raises(StateConflict, match="No question is published"):
        transition_round(round_=round_, to=P.VOTING, by=staff, reason="Enough questions.")
    Question.objects.filter(pk=question.pk).update(status=Question.Status.PUBLISHED)
    with pytest.raises(Invalid, match="give a reason for ending it early"):
        transition_round(round_=round_, to=P.VOTING, by=staff)
    round_ = transition_round(round_=round_, to=P.VOTING, by=staff, reason="Enough questions.")
    round_ = transition_round(round_=round_, to=P.FINAL, by=staff, reason="Workshop moved forward.")
    with pytest.raises(StateConflict, match="Record the steering group's final list"):
        transition_round(round_=round_, to=P.CLOSED, by=staff)
    record_top_ten(
        round_=round_, questions=[question], steering_group=[member], chosen_on=date.today(), by=staff
    )
    round_ = transition_round(round_=round_, to=P.CLOSED, by=staff)

    verbs = list(
        AuditEvent.objects.filter(target_id=str(round_.pk), target_type__model="round")
        .order_by("id")
        .values_list("verb", flat=True)
    )
    assert verbs == [
        "priority_round.created",
        "priority_round.opened",
        "priority_round.voting_started",
        "priority_round.voting_closed",
        "priority_round.closed",
    ]


def test_phases_cannot_be_skipped_or_taken_by_members(db, staff, member):
    round_ = RoundFactory()
    with pytest.raises(StateConflict, match="From here it can move to: voting"):
        transition_round(round_=round_, to=P.CLOSED, by=staff)
    with pytest.raises(NotAllowed):
        transition_round(round_=round_, to=P.VOTING, by=member)
    assert Round.objects.get(pk=round_.pk).phase == P.GATHERING


def test_vote_limits_are_fixed_once_voting_starts(db, staff):
    round_ = voting_round()
    with pytest.raises(StateConflict, match="can no longer change"):
        update_round(round_=round_, by=staff, votes_per_member=12)
    update_round(round_=round_, by=staff, title="Renamed")
    assert Round.objects.get(pk=round_.pk).title == "Renamed"


def test_rounds_being_prepared_are_for_staff_only(db, staff, member, client_for):
    prepared = RoundFactory(phase=P.DRAFT)
    assert prepared not in rounds_visible_to(member)
    assert prepared in rounds_visible_to(staff)
    assert client_for(None).get(f"/priorities/rounds/{prepared.slug}/").status_code == 404
    assert client_for(staff).get(f"/priorities/rounds/{prepared.slug}/").status_code == 200


def test_the_ranking_is_shown_to_everyone_only_after_voting_closes(db, staff, member):
    round_ = voting_round()
    assert not can_see_ranking(member, round_)
    assert not can_see_ranking(AnonymousUser(), round_)
    assert can_see_ranking(staff, round_)
    round_.phase = P.FINAL
    assert can_see_ranking(AnonymousUser(), round_)


def test_the_ranking_orders_by_votes_and_ties_share_a_place(db):
    round_ = voting_round()
    first, second, third, fourth = (QuestionFactory(round=round_) for _ in range(4))
    a, b = CommunityMemberFactory(), CommunityMemberFactory()
    give_votes(a, first, 3)
    give_votes(b, first, 2)
    give_votes(a, second, 2)
    give_votes(b, third, 2)
    rows = ranking_for(round_)
    assert [(r.position, r.question, r.votes, r.voters) for r in rows] == [
        (1, first, 5, 2),
        (2, second, 2, 1),
        (2, third, 2, 1),
        (4, fourth, 0, 0),
    ]


# The top ten --------------------------------------------------------------------------------------


@pytest.fixture
def final_round(db):
    round_ = voting_round(phase=P.FINAL, top_count=3)
    questions = [QuestionFactory(round=round_) for _ in range(4)]
    voters = [CommunityMemberFactory() for _ in range(3)]
    for index, question in enumerate(questions):
        for voter in voters[: index + 1]:
            give_votes(voter, question, 1)
    return round_, questions


def test_the_top_ten_is_recorded_with_the_votes_behind_it(final_round, staff, member):
    round_, questions = final_round
    researcher = UserFactory(full_name="Dr Rhona Campbell")
    chosen = [questions[1], questions[3], questions[0]]

    top_ten = record_top_ten(
        round_=round_,
        questions=chosen,
        steering_group=[member, researcher],
        chosen_on=date(2026, 11, 15),
        by=staff,
        notes="Chosen at the Milan workshop.",
    )

    choices = list(
        PriorityChoice.objects.filter(top_ten=top_ten).values_list("position", "question", "votes", "voters")
    )
    assert choices == [(1, questions[1].pk, 2, 2), (2, questions[3].pk, 3, 3), (3, questions[0].pk, 1, 1)]
    assert set(top_ten.steering_group.all()) == {member, researcher}
    assert top_ten.chosen_on == date(2026, 11, 15)
    event = AuditEvent.objects.get(verb="priority_round.top_ten_recorded")
    assert event.after["questions"] == [q.pk for q in chosen]
    assert event.after["votes"] == [2, 3, 1]


def test_the_votes_recorded_are_those_of_the_day(final_round, staff, member):
    round_, questions = final_round
    record_top_ten(
        round_=round_, questions=questions[:3], steering_group=[member], chosen_on=date.today(), by=staff
    )
    give_votes(CommunityMemberFactory(), questions[0], 3)  # e.g. a late correction
    assert PriorityChoice.objects.get(question=questions[0]).votes == 1


@pytest.mark.parametrize(
    ("pick", "message"),
    [
        (lambda qs: qs[:2], "Choose 3 questions"),
        (lambda qs: [qs[0], qs[0], qs[1]], "A question appears twice"),
        (lambda qs: [qs[0], qs[1], QuestionFactory()], "only published questions of this round"),
    ],
)
def test_the_top_ten_must_be_complete_and_from_the_round(final_round, staff, member, pick, message):
    round_, questions = final_round
    with pytest.raises(Invalid, match=message):
        record_top_ten(
            round_=round_,
            questions=pick(questions),
            steering_group=[member],
            chosen_on=date.today(),
            by=staff,
        )
    assert PriorityChoice.objects.count() == 0


def test_the_steering_group_includes_community_members(final_round, staff):
    round_, questions = final_round
    with pytest.raises(Invalid, match="must include community members"):
        record_top_ten(
            round_=round_,
            questions=questions[:3],
            steering_group=[UserFactory()],
            chosen_on=date.today(),
            by=staff,
        )


def test_the_top_ten_is_recorded_once_by_staff_in_the_final_phase(final_round, staff, member):
    round_, questions = final_round
    args = {"questions": questions[:3], "steering_group": [member], "chosen_on": date.today()}
    with pytest.raises(NotAllowed):
        record_top_ten(round_=round_, by=member, **args)
    record_top_ten(round_=round_, by=staff, **args)
    with pytest.raises(StateConflict, match="recorded already"):
        record_top_ten(round_=round_, by=staff, **args)
    with pytest.raises(StateConflict, match="after voting closes"):
        record_top_ten(round_=voting_round(), by=staff, **args)
