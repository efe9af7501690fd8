"""The priorities portal without JavaScript (and with htmx for votes): joining, proposing with drafts,
voting, commenting, and the staff pages."""

from datetime import date

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from audit.models import AuditEvent
from priorities.models import CommunityProfile, Question, Round, TopTen
from tests.factories import PASSWORD, UserFactory
from tests.priorities.factories import (
    CommunityMemberFactory,
    QuestionFactory,
    RoundFactory,
    focus_area,
    give_votes,
    voting_round,
)

S = Question.Status


@pytest.fixture
def member(db):
    return CommunityMemberFactory()


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# Joining ------------------------------------------------------------------------------------------


def test_a_visitor_joins_as_a_community_member_and_is_signed_in(db, client):
    response = client.post(
        "/priorities/join/",
        {
            "full_name": "Fiona Gallagher",
            "email": "Fiona@example.org",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "kind": "carer",
            "public_name": "Fiona",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="fiona@example.org")
    assert (user.community_profile.kind, user.community_profile.public_name) == ("carer", "Fiona")
    assert user.institution is None
    assert client.get("/priorities/").context["user"] == user
    assert list(AuditEvent.objects.order_by("id").values_list("verb", flat=True)) == [
        "account.registered",
        "community.joined",
    ]


def test_a_refused_sign_up_keeps_what_was_typed(db, client):
    response = client.post(
        "/priorities/join/",
        {
            "full_name": "Fiona",
            "email": "fiona@example.org",
            "password1": "x",
            "password2": "y",
            "kind": "carer",
        },
    )
    assert response.status_code == 400
    assert 'value="fiona@example.org"' in response.content.decode()
    assert User.objects.count() == 0


def test_a_signed_in_user_joins_without_a_new_account(db, client_for):
    researcher = UserFactory()
    response = client_for(researcher).post("/priorities/join/", {"kind": "other", "public_name": ""})
    assert response.status_code == 302
    assert CommunityProfile.objects.get(user=researcher).display_name == "A community member"


# Proposing ----------------------------------------------------------------------------------------


def test_a_member_saves_a_draft_comes_back_and_sends_it(db, client_for, member):
    round_ = RoundFactory()
    client = client_for(member)
    area = focus_area()
    body = {"title": "Can cooling vests help?", "description": "", "focus_area": area.pk}

    saved = client.post(f"/priorities/rounds/{round_.slug}/propose/", {**body, "action": "draft"})
    question = Question.objects.get()
    assert saved["Location"] == f"/priorities/questions/{question.pk}/edit/"
    assert question.status == S.DRAFT
    page = client.get(saved["Location"]).content.decode()
    assert "Can cooling vests help?" in page

    sent = client.post(saved["Location"], {**body, "description": "Heat wipes me out.", "action": "send"})
    assert sent["Location"] == "/priorities/mine/"
    question.refresh_from_db()
    assert (question.status, question.original_description) == (S.SUBMITTED, "Heat wipes me out.")
    assert "Waiting for a moderator" in client.get("/priorities/mine/").content.decode()


def test_a_question_without_an_area_is_not_lost(db, client_for, member):
    round_ = RoundFactory()
    response = client_for(member).post(
        f"/priorities/rounds/{round_.slug}/propose/", {"title": "Why so tired?", "action": "draft"}
    )
    assert response.status_code == 400
    assert "Why so tired?" in response.content.decode()


def test_proposing_after_gathering_is_refused_and_explained(db, client_for, member):
    round_ = voting_round()
    client = client_for(member)
    assert (
        "no longer takes new questions"
        in client.get(f"/priorities/rounds/{round_.slug}/propose/").content.decode()
    )
    body = {"title": "Late?", "focus_area": focus_area().pk, "action": "send"}
    assert client.post(f"/priorities/rounds/{round_.slug}/propose/", body).status_code == 403
    assert Question.objects.count() == 0


def test_a_non_member_is_invited_to_join(db, client_for):
    page = (
        client_for(UserFactory()).get(f"/priorities/rounds/{RoundFactory().slug}/propose/").content.decode()
    )
    assert "Join as a community member" in page


def test_a_member_deletes_their_draft(db, client_for, member):
    draft = QuestionFactory(author=member, status=S.DRAFT)
    assert (
        client_for(CommunityMemberFactory()).post(f"/priorities/questions/{draft.pk}/delete/").status_code
        == 404
    )
    assert client_for(member).post(f"/priorities/questions/{draft.pk}/delete/").status_code == 302
    assert not Question.objects.filter(pk=draft.pk).exists()


# Voting -------------------------------------------------------------------------------------------


def test_voting_without_javascript_saves_and_says_what_is_left(db, client_for, member):
    question = QuestionFactory(round=voting_round())
    response = client_for(member).post(
        f"/priorities/questions/{question.pk}/vote/",
        {"votes": "2", "next": f"/priorities/rounds/{question.round.slug}/"},
    )
    assert response["Location"] == f"/priorities/rounds/{question.round.slug}/#question-{question.pk}"
    assert messages_of(response) == [f"Saved: 2 votes on “{question.title}”. You have 8 of 10 left."]


def test_a_refused_vote_without_javascript_says_why(db, client_for, member):
    round_ = voting_round()
    questions = [QuestionFactory(round=round_) for _ in range(4)]
    for question in questions[:3]:
        give_votes(member, question, 3)
    response = client_for(member).post(f"/priorities/questions/{questions[3].pk}/vote/", {"votes": "2"})
    assert response.status_code == 302
    assert messages_of(response)[0].startswith("You have 1 vote left to give")


def test_voting_with_htmx_swaps_the_control_and_the_votes_left(db, client_for, member):
    round_ = voting_round()
    question = QuestionFactory(round=round_)
    client = client_for(member)
    saved = client.post(f"/priorities/questions/{question.pk}/vote/", {"votes": "3"}, HTTP_HX_REQUEST="true")
    page = saved.content.decode()
    assert saved.status_code == 200
    assert "Saved: 3 votes on this question." in page
    assert 'id="votes-left" class="votes-left" role="status" hx-swap-oob="true"' in page
    assert "You have 7 of your 10 votes left" in page
    refused = client.post(
        f"/priorities/questions/{question.pk}/vote/", {"votes": "4"}, HTTP_HX_REQUEST="true"
    )
    assert refused.status_code == 409
    assert "Not saved: You can give one question at most 3 votes." in refused.content.decode()


def test_the_round_page_offers_votes_to_members_but_no_totals(db, client_for, member):
    round_ = voting_round()
    question = QuestionFactory(round=round_, title="Will stem cells repair damage?")
    give_votes(CommunityMemberFactory(), question, 3)
    page = client_for(member).get(f"/priorities/rounds/{round_.slug}/").content.decode()
    assert f'id="vote-{question.pk}"' in page
    assert "You have 10 of your 10 votes left" in page
    assert "Interim ranking" not in page
    assert (
        "Interim ranking"
        in client_for(UserFactory(is_staff=True)).get(f"/priorities/rounds/{round_.slug}/").content.decode()
    )
    anonymous = client_for(None).get(f"/priorities/rounds/{round_.slug}/").content.decode()
    assert "Will stem cells repair damage?" in anonymous
    assert f'id="vote-{question.pk}"' not in anonymous


@pytest.mark.parametrize("count", [1, 3])
def test_the_round_page_needs_as_many_queries_for_1_as_for_3_questions(db, client_for, member, count):
    round_ = voting_round()
    for _ in range(count):
        give_votes(member, QuestionFactory(round=round_), 1)
    client = client_for(member)
    client.get(f"/priorities/rounds/{round_.slug}/")
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/priorities/rounds/{round_.slug}/")
    assert len(queries) == ROUND_PAGE_QUERIES


# Session, user, round, the focus-area filter, community profile, areas (2), questions, the member's
# votes, the top ten, and the navigation's reviewer profile and committees.
ROUND_PAGE_QUERIES = 12


# Comments -----------------------------------------------------------------------------------------


def test_a_member_comments_and_an_empty_comment_is_explained(db, client_for, member):
    question = QuestionFactory()
    client = client_for(member)
    empty = client.post(f"/priorities/questions/{question.pk}/comment/", {"body": " "})
    assert empty.status_code == 400
    assert "This field is required." in empty.content.decode()
    added = client.post(f"/priorities/questions/{question.pk}/comment/", {"body": "Heat is my worst enemy."})
    assert added.status_code == 302
    assert (
        "Heat is my worst enemy."
        in client_for(None).get(f"/priorities/questions/{question.pk}/").content.decode()
    )


# Staff pages --------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/priorities/moderate/", "moderate_question"])
def test_moderation_pages_are_for_staff(db, client_for, member, staff, path):
    question = QuestionFactory(status=S.SUBMITTED)
    url = f"/priorities/questions/{question.pk}/moderate/" if path == "moderate_question" else path
    assert client_for(None).get(url).status_code == 302
    assert client_for(member).get(url).status_code == 403
    assert client_for(staff).get(url).status_code == 200


def test_staff_publish_and_edit_from_the_moderation_page(db, client_for, staff):
    question = QuestionFactory(status=S.SUBMITTED, published_at=None, title="can exersize help")
    client = client_for(staff)
    url = f"/priorities/questions/{question.pk}/moderate/"
    assert client.post(url, {"action": "publish", "publish-reason": ""}).status_code == 302
    missing_reason = client.post(
        url, {"action": "edit", "edit-title": "Can exercise help?", "edit-focus_area": question.focus_area_id}
    )
    assert missing_reason.status_code == 400
    edited = client.post(
        url,
        {
            "action": "edit",
            "edit-title": "Can exercise help?",
            "edit-focus_area": question.focus_area_id,
            "edit-reason": "Spelling.",
        },
    )
    assert edited.status_code == 302
    question.refresh_from_db()
    assert (question.status, question.title, question.original_title) == (
        S.PUBLISHED,
        "Can exercise help?",
        "can exersize help",
    )


def test_staff_record_the_top_ten_in_the_portal(db, client_for, staff, member):
    round_ = voting_round(phase=Round.Phase.FINAL, top_count=2)
    first, second = QuestionFactory(round=round_), QuestionFactory(round=round_)
    give_votes(member, second, 2)
    client = client_for(staff)
    url = f"/priorities/rounds/{round_.slug}/top-ten/"
    form = client.get(url).context["form"]
    assert [form.fields[f"position_{n}"].initial for n in (1, 2)] == [second.pk, first.pk]
    body = {
        "position_1": second.pk,
        "position_2": first.pk,
        "chosen_on": "2026-11-15",
        "steering_group": f"{member.email}\nnobody@example.org",
    }
    assert client.post(url, body).status_code == 400
    body["steering_group"] = f"{member.email}\n{staff.email}"
    assert client.post(url, body).status_code == 302
    top_ten = TopTen.objects.get()
    assert top_ten.chosen_on == date(2026, 11, 15)
    assert list(top_ten.choices.values_list("question", "votes")) == [(second.pk, 2), (first.pk, 0)]
    assert client_for(member).get(url).status_code == 403


def test_staff_move_a_round_on_from_its_page(db, client_for, staff):
    round_ = voting_round()
    client = client_for(staff)
    early = client.post(f"/priorities/rounds/{round_.slug}/phase/", {"to": "final"})
    assert "give a reason" in messages_of(early)[0]
    client.post(f"/priorities/rounds/{round_.slug}/phase/", {"to": "final", "reason": "Workshop."})
    assert Round.objects.get(pk=round_.pk).phase == "final"


def test_the_start_page_and_my_page(db, client_for, member):
    voting = voting_round(title="Priorities 2026")
    give_votes(member, QuestionFactory(round=voting, title="Does diet matter?"), 2)
    assert "Priorities 2026" in client_for(None).get("/priorities/").content.decode()
    mine = client_for(member).get("/priorities/mine/").content.decode()
    assert "You have given 2 of your 10 votes." in mine
    assert "Does diet matter?" in mine
