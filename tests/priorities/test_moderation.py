"""Moderation: who may publish, edit, merge and hide (member, staff, anonymous), what the public sees
afterwards, the author's original kept after an edit, votes following a merge, and the reason of each
action in the audit trail."""

import pytest
from django.contrib.auth.models import AnonymousUser

from audit.models import AuditEvent
from core.errors import Invalid, NotAllowed, StateConflict
from priorities.models import Comment, Question, Round
from priorities.selectors import questions_visible_to
from priorities.services import (
    edit_question,
    hide_comment,
    hide_question,
    merge_question,
    publish_question,
    set_votes,
)
from tests.factories import UserFactory
from tests.priorities.factories import (
    CommentFactory,
    CommunityMemberFactory,
    QuestionFactory,
    focus_area,
    give_votes,
    voting_round,
)

S = Question.Status


@pytest.fixture
def moderator(db):
    return UserFactory(is_staff=True, full_name="Mo Derator")


@pytest.fixture
def waiting(db):
    return QuestionFactory(status=S.SUBMITTED, published_at=None, title="Can walking help fatigue?")


def verbs(target) -> list[tuple[str, str]]:
    events = AuditEvent.objects.filter(target_id=str(target.pk), verb__startswith="priority_").order_by("id")
    return [(e.verb, e.data.get("reason", "")) for e in events]


# Who may moderate ---------------------------------------------------------------------------------

ACTIONS = {
    "publish": lambda q, by: publish_question(question=q, by=by, reason="Clear."),
    "edit": lambda q, by: edit_question(
        question=q, by=by, title="Clearer?", description="", focus_area=q.focus_area, reason="Clearer."
    ),
    "hide": lambda q, by: hide_question(question=q, by=by, reason="Off topic."),
    "merge": lambda q, by: merge_question(
        question=q, into=QuestionFactory(round=q.round), by=by, reason="Same question."
    ),
}


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("actor", ["anonymous", "author", "other member", "researcher"])
def test_only_staff_moderate_and_nothing_changes_on_refusal(waiting, action, actor):
    by = {
        "anonymous": AnonymousUser(),
        "author": waiting.author,
        "other member": CommunityMemberFactory(),
        "researcher": UserFactory(),
    }[actor]
    with pytest.raises(NotAllowed):
        ACTIONS[action](waiting, by)
    fresh = Question.objects.get(pk=waiting.pk)
    assert (fresh.status, fresh.title, fresh.moderator_note) == (S.SUBMITTED, "Can walking help fatigue?", "")
    assert verbs(waiting) == []


@pytest.mark.parametrize("action", ACTIONS)
def test_staff_moderate_and_each_action_has_its_reason_in_the_audit_trail(waiting, moderator, action):
    ACTIONS[action](waiting, moderator)
    verb = {"publish": "published", "edit": "edited", "hide": "hidden", "merge": "merged"}[action]
    reason = {"publish": "Clear.", "edit": "Clearer.", "hide": "Off topic.", "merge": "Same question."}[
        action
    ]
    assert verbs(waiting)[-1] == (f"priority_question.{verb}", reason)


@pytest.mark.parametrize("action", ["edit", "hide", "merge"])
def test_a_reason_is_required(waiting, moderator, action):
    into = QuestionFactory(round=waiting.round)
    call = {
        "edit": lambda: edit_question(
            question=waiting,
            by=moderator,
            title="New?",
            description="",
            focus_area=waiting.focus_area,
            reason=" ",
        ),
        "hide": lambda: hide_question(question=waiting, by=moderator, reason=""),
        "merge": lambda: merge_question(question=waiting, into=into, by=moderator, reason=""),
    }[action]
    with pytest.raises(Invalid, match="Give a reason"):
        call()


def test_publishing_without_a_note_says_so(waiting, moderator):
    question = publish_question(question=waiting, by=moderator)
    assert question.status == S.PUBLISHED
    assert question.published_at is not None
    assert verbs(waiting) == [("priority_question.published", "Published as proposed.")]


# What the public sees -----------------------------------------------------------------------------


def test_hidden_questions_are_invisible_to_the_public_but_not_to_their_author(db, moderator, client_for):
    question = QuestionFactory(title="Will this be hidden?")
    hide_question(question=question, by=moderator, reason="Personal medical details.")
    stranger = CommunityMemberFactory()

    assert list(questions_visible_to(AnonymousUser())) == []
    assert list(questions_visible_to(stranger)) == []
    assert list(questions_visible_to(question.author)) == [question]
    assert list(questions_visible_to(moderator)) == [question]

    url = f"/priorities/questions/{question.pk}/"
    assert client_for(None).get(url).status_code == 404
    assert client_for(stranger).get(url).status_code == 404
    assert client_for(None).get(f"/api/v1/priorities/questions/{question.pk}/").status_code == 404
    assert (
        client_for(None)
        .get(f"/priorities/rounds/{question.round.slug}/")
        .content.count(b"Will this be hidden?")
        == 0
    )
    page = client_for(question.author).get(url)
    assert page.status_code == 200
    assert "Personal medical details." in page.content.decode()


def test_questions_waiting_for_a_moderator_are_not_public(waiting, client_for):
    assert client_for(None).get(f"/priorities/questions/{waiting.pk}/").status_code == 404
    assert client_for(waiting.author).get(f"/priorities/questions/{waiting.pk}/").status_code == 200


def test_an_edit_keeps_the_authors_original_and_shows_it_to_them_only(waiting, moderator, client_for):
    publish_question(question=waiting, by=moderator)
    area = focus_area("outcome-measures-and-trial-design")
    edit_question(
        question=waiting,
        by=moderator,
        title="Does regular walking reduce fatigue in progressive MS?",
        description="Many of us feel exhausted.",
        focus_area=area,
        reason="One question, in plain words.",
    )
    question = Question.objects.get(pk=waiting.pk)
    assert question.title == "Does regular walking reduce fatigue in progressive MS?"
    assert question.focus_area == area
    assert (question.original_title, question.original_description) == (
        "Can walking help fatigue?",
        "Many of us live with progressive MS and have few treatments.",
    )
    event = AuditEvent.objects.get(verb="priority_question.edited")
    assert event.before["title"] == "Can walking help fatigue?"
    assert event.after["title"] == "Does regular walking reduce fatigue in progressive MS?"

    url = f"/priorities/questions/{question.pk}/"
    assert "Your original wording" in client_for(question.author).get(url).content.decode()
    public = client_for(None).get(url).content.decode()
    assert "edited this question for clarity" in public
    assert "Can walking help fatigue?" not in public


def test_a_second_edit_keeps_the_first_original(waiting, moderator):
    for title in ["Second wording?", "Third wording?"]:
        edit_question(
            question=waiting,
            by=moderator,
            title=title,
            description="",
            focus_area=waiting.focus_area,
            reason="Clearer.",
        )
    assert Question.objects.get(pk=waiting.pk).original_title == "Can walking help fatigue?"


def test_an_edit_that_changes_nothing_is_refused(waiting, moderator):
    with pytest.raises(Invalid, match="Nothing has changed"):
        edit_question(
            question=waiting,
            by=moderator,
            title=waiting.title,
            description=waiting.description,
            focus_area=waiting.focus_area,
            reason="Clearer.",
        )


# Merging and hiding move votes --------------------------------------------------------------------


def test_merging_moves_the_votes_up_to_the_limit_per_question(db, moderator):
    round_ = voting_round()
    duplicate, kept = QuestionFactory(round=round_), QuestionFactory(round=round_)
    both, only_duplicate = CommunityMemberFactory(), CommunityMemberFactory()
    give_votes(both, duplicate, 2)
    give_votes(both, kept, 2)
    give_votes(only_duplicate, duplicate, 3)

    merge_question(question=duplicate, into=kept, by=moderator, reason="The same question.")

    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.merged_into) == (S.MERGED, kept)
    assert dict(kept.votes.values_list("ballot__member", "count")) == {both.pk: 3, only_duplicate.pk: 3}
    assert duplicate.votes.count() == 0
    event = AuditEvent.objects.get(verb="priority_question.merged")
    assert (event.data["moved_votes"], event.data["returned_votes"]) == (4, 1)
    assert event.after == {"status": "merged", "merged_into": kept.pk}


def test_a_merged_question_sends_visitors_to_the_question_it_joined(db, moderator, client_for):
    round_ = voting_round()
    duplicate, kept = QuestionFactory(round=round_), QuestionFactory(round=round_)
    merge_question(question=duplicate, into=kept, by=moderator, reason="The same question.")
    response = client_for(None).get(f"/priorities/questions/{duplicate.pk}/")
    assert response.status_code == 302
    assert response["Location"] == f"/priorities/questions/{kept.pk}/"


def test_merging_into_another_round_or_into_itself_is_refused(db, moderator):
    question = QuestionFactory()
    with pytest.raises(Invalid, match="same round"):
        merge_question(question=question, into=QuestionFactory(), by=moderator, reason="Same.")
    with pytest.raises(Invalid, match="into itself"):
        merge_question(question=question, into=question, by=moderator, reason="Same.")


def test_hiding_gives_the_votes_back_to_spend_elsewhere(db, moderator):
    round_ = voting_round()
    hidden, other = QuestionFactory(round=round_), QuestionFactory(round=round_)
    member = CommunityMemberFactory()
    for question in [hidden, *(QuestionFactory(round=round_) for _ in range(2))]:
        set_votes(question=question, by=member, count=3)

    hide_question(question=hidden, by=moderator, reason="Not a research question.")

    assert set_votes(question=other, by=member, count=3).used == 9
    assert AuditEvent.objects.get(verb="priority_question.hidden").data["returned_votes"] == 3


@pytest.mark.parametrize("phase", [Round.Phase.FINAL, Round.Phase.CLOSED])
def test_after_voting_closes_questions_can_no_longer_be_hidden_or_merged(db, moderator, phase):
    round_ = voting_round(phase=phase)
    question, other = QuestionFactory(round=round_), QuestionFactory(round=round_)
    with pytest.raises(StateConflict, match="has closed"):
        hide_question(question=question, by=moderator, reason="Late.")
    with pytest.raises(StateConflict, match="has closed"):
        merge_question(question=question, into=other, by=moderator, reason="Late.")


def test_a_draft_cannot_be_moderated(db, moderator):
    draft = QuestionFactory(status=S.DRAFT, published_at=None)
    with pytest.raises(StateConflict):
        publish_question(question=draft, by=moderator)
    with pytest.raises(StateConflict):
        hide_question(question=draft, by=moderator, reason="No.")


# Comments -----------------------------------------------------------------------------------------


def test_staff_hide_a_comment_with_a_reason_and_the_public_no_longer_sees_it(db, moderator, client_for):
    comment = CommentFactory(body="Buy my miracle cure at example.com")
    with pytest.raises(NotAllowed):
        hide_comment(comment=comment, by=comment.author, reason="Mine.")

    hide_comment(comment=comment, by=moderator, reason="Advertising.")

    comment = Comment.objects.get(pk=comment.pk)
    assert (comment.is_hidden, comment.hidden_by, comment.hidden_reason) == (True, moderator, "Advertising.")
    assert verbs(comment) == [("priority_comment.hidden", "Advertising.")]
    url = f"/priorities/questions/{comment.question_id}/"
    assert "miracle cure" not in client_for(None).get(url).content.decode()
    assert "miracle cure" not in client_for(comment.author).get(url).content.decode()
    staff_page = client_for(moderator).get(url).content.decode()
    assert "miracle cure" in staff_page
    assert "Advertising." in staff_page


def test_hiding_a_comment_in_the_portal_needs_staff(db, moderator, client_for):
    comment = CommentFactory()
    url = f"/priorities/comments/{comment.pk}/hide/"
    data = {f"hide-comment-{comment.pk}-reason": "Rude."}
    assert client_for(None).post(url, data).status_code == 302  # to sign in
    assert client_for(CommunityMemberFactory()).post(url, data).status_code == 403
    assert not Comment.objects.get(pk=comment.pk).is_hidden
    assert client_for(moderator).post(url, data).status_code == 302
    assert Comment.objects.get(pk=comment.pk).is_hidden
