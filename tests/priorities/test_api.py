"""The research-priorities API: questions (who sees and does what), votes (409 with the reason when
over a limit or closed), rounds with their phase and ranking, the top ten, and query counts."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from priorities.models import Comment, Question, Round, TopTen, Vote
from tests.factories import CallFactory, UserFactory
from tests.priorities.factories import (
    CommentFactory,
    CommunityMemberFactory,
    QuestionFactory,
    RoundFactory,
    give_votes,
    voting_round,
)

API = "/api/v1/priorities"
S = Question.Status


@pytest.fixture(autouse=True)
def _focus_areas(db):
    """The API names focus areas by the slugs the migrations seed; a transactional test that ran
    before may have emptied that table."""
    from applications.focus_areas import ensure_alliance_focus_areas

    ensure_alliance_focus_areas()


@pytest.fixture
def staff(db):
    return UserFactory(is_staff=True)


@pytest.fixture
def member(db):
    return CommunityMemberFactory()


@pytest.fixture
def api(client_for):
    return lambda user=None: client_for(user, api=True)


def actor(name: str, question: Question | None = None):
    if name == "anonymous":
        return None
    if name == "author":
        return question.author
    if name == "staff":
        return UserFactory(is_staff=True)
    if name == "researcher":
        return UserFactory()
    return CommunityMemberFactory()


# Questions ----------------------------------------------------------------------------------------


def test_the_list_shows_published_questions_own_drafts_and_everything_to_staff(db, api, member, staff):
    round_ = RoundFactory()
    published = QuestionFactory(round=round_)
    own_draft = QuestionFactory(round=round_, author=member, status=S.DRAFT)
    hidden = QuestionFactory(round=round_, status=S.HIDDEN)

    def ids(user):
        return [q["id"] for q in api(user).get(f"{API}/questions/").json()["results"]]

    assert ids(None) == [published.pk]
    assert sorted(ids(member)) == sorted([published.pk, own_draft.pk])
    assert sorted(ids(staff)) == sorted([published.pk, own_draft.pk, hidden.pk])
    assert [q["id"] for q in api(member).get(f"{API}/questions/?mine=true").json()["results"]] == [
        own_draft.pk
    ]


def test_the_original_wording_and_note_are_for_the_author_and_staff(db, api, staff):
    question = QuestionFactory(title="Clearer?", original_title="Mine?", moderator_note="Clearer words.")
    assert api(None).get(f"{API}/questions/{question.pk}/").json()["original_title"] is None
    assert api(question.author).get(f"{API}/questions/{question.pk}/").json()["original_title"] == "Mine?"
    assert api(staff).get(f"{API}/questions/{question.pk}/").json()["moderator_note"] == "Clearer words."


def test_a_member_proposes_a_draft_or_sends_it(db, api, member):
    round_ = RoundFactory()
    body = {
        "round": round_.pk,
        "title": "Does heat make symptoms worse?",
        "focus_area": "targets-and-repurposing",
    }

    draft = api(member).post(f"{API}/questions/", body, format="json")
    sent = api(member).post(f"{API}/questions/", {**body, "submit": True}, format="json")

    assert (draft.status_code, draft.json()["status"]) == (201, "draft")
    assert (sent.status_code, sent.json()["status"]) == (201, "submitted")
    submitted = api(member).post(f"{API}/questions/{draft.json()['id']}/submit/")
    assert (submitted.status_code, submitted.json()["status"]) == (200, "submitted")


@pytest.mark.parametrize(("who", "code"), [("anonymous", 403), ("researcher", 403)])
def test_proposing_needs_a_community_member(db, api, who, code):
    round_ = RoundFactory()
    body = {"round": round_.pk, "title": "Why?", "focus_area": "targets-and-repurposing"}
    assert api(actor(who)).post(f"{API}/questions/", body, format="json").status_code == code
    assert Question.objects.count() == 0


def test_no_proposals_after_gathering_is_a_409(db, api, member):
    body = {"round": voting_round().pk, "title": "Too late?", "focus_area": "targets-and-repurposing"}
    response = api(member).post(f"{API}/questions/", body, format="json")
    assert response.status_code == 409
    assert "no longer takes new questions" in response.json()["detail"]


MODERATION = {
    "publish": {},
    "edit": {"title": "Clearer?", "focus_area": "experimental-models", "reason": "Plain words."},
    "hide": {"reason": "Off topic."},
}


@pytest.mark.parametrize("action", MODERATION)
@pytest.mark.parametrize(
    ("who", "code"),
    # A question waiting for a moderator is the author's and the moderators' only: 404 to anyone else.
    [("anonymous", 403), ("author", 403), ("member", 404), ("researcher", 404), ("staff", 200)],
)
def test_moderation_actions_are_staff_only(db, api, action, who, code):
    question = QuestionFactory(status=S.SUBMITTED, published_at=None, title="As sent?")
    response = api(actor(who, question)).post(f"{API}/questions/{question.pk}/{action}/", MODERATION[action])
    assert response.status_code == code, response.content
    if code != 200:
        fresh = Question.objects.get(pk=question.pk)
        assert (fresh.status, fresh.title) == (S.SUBMITTED, "As sent?")
        assert not AuditEvent.objects.filter(verb__startswith="priority_question.").exists()


def test_merge_and_calls_through_the_api(db, api, staff):
    round_ = voting_round()
    duplicate, kept = QuestionFactory(round=round_), QuestionFactory(round=round_)
    call = CallFactory()
    merged = api(staff).post(f"{API}/questions/{duplicate.pk}/merge/", {"into": kept.pk, "reason": "Same."})
    linked = api(staff).put(f"{API}/questions/{kept.pk}/calls/", {"calls": [call.pk]}, format="json")
    assert (merged.status_code, merged.json()["status"], merged.json()["merged_into"]) == (
        200,
        "merged",
        kept.pk,
    )
    assert linked.json()["calls"] == [
        {"id": call.pk, "slug": call.slug, "title": call.title, "status": "open"}
    ]
    refused = api(kept.author).put(f"{API}/questions/{kept.pk}/calls/", {"calls": []}, format="json")
    assert refused.status_code == 403


def test_a_hidden_question_is_404_to_the_public(db, api):
    question = QuestionFactory(status=S.HIDDEN)
    assert api(None).get(f"{API}/questions/{question.pk}/").status_code == 404
    assert (
        api(CommunityMemberFactory()).put(f"{API}/questions/{question.pk}/votes/", {"votes": 1}).status_code
        == 404
    )


def test_comments_are_read_by_all_and_written_by_members(db, api, member):
    question = QuestionFactory()
    CommentFactory(question=question, body="Seen by all.")
    CommentFactory(question=question, body="Hidden.", hidden_at="2026-01-01T00:00Z", hidden_reason="Rude.")
    assert [c["body"] for c in api(None).get(f"{API}/questions/{question.pk}/comments/").json()] == [
        "Seen by all."
    ]
    assert api(None).post(f"{API}/questions/{question.pk}/comments/", {"body": "Hi"}).status_code == 403
    assert (
        api(UserFactory()).post(f"{API}/questions/{question.pk}/comments/", {"body": "Hi"}).status_code == 403
    )
    created = api(member).post(f"{API}/questions/{question.pk}/comments/", {"body": "Me too."})
    assert created.status_code == 201
    assert Comment.objects.filter(author=member).count() == 1


# Votes --------------------------------------------------------------------------------------------


def test_put_votes_and_read_them_back(db, api, member):
    round_ = voting_round()
    question = QuestionFactory(round=round_)
    response = api(member).put(f"{API}/questions/{question.pk}/votes/", {"votes": 2}, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "question": question.pk,
        "votes": 2,
        "used": 2,
        "remaining": 8,
        "limit": 10,
        "per_question": 3,
        "given": {str(question.pk): 2},
    }
    assert api(member).get(f"{API}/questions/{question.pk}/votes/").json()["votes"] == 2


def test_over_the_limits_is_a_409_with_the_reason(db, api, member):
    round_ = voting_round()
    questions = [QuestionFactory(round=round_) for _ in range(4)]
    for question in questions[:3]:
        give_votes(member, question, 3)
    client = api(member)
    over_total = client.put(f"{API}/questions/{questions[3].pk}/votes/", {"votes": 2}, format="json")
    over_one = client.put(f"{API}/questions/{questions[0].pk}/votes/", {"votes": 4}, format="json")
    negative = client.put(f"{API}/questions/{questions[3].pk}/votes/", {"votes": -1}, format="json")
    assert over_total.status_code == 409
    assert over_total.json()["detail"].startswith("You have 1 vote left to give")
    assert (over_one.status_code, over_one.json()["detail"]) == (
        409,
        "You can give one question at most 3 votes.",
    )
    assert negative.status_code == 400
    assert sum(Vote.objects.values_list("count", flat=True)) == 9


@pytest.mark.parametrize("phase", [Round.Phase.GATHERING, Round.Phase.FINAL, Round.Phase.CLOSED])
def test_voting_outside_the_voting_phase_is_a_409(db, api, member, phase):
    question = QuestionFactory(round=voting_round(phase=phase))
    response = api(member).put(f"{API}/questions/{question.pk}/votes/", {"votes": 1}, format="json")
    assert response.status_code == 409
    assert "Voting has" in response.json()["detail"]


@pytest.mark.parametrize(("who", "code"), [("anonymous", 403), ("researcher", 403), ("member", 200)])
def test_who_may_vote(db, api, who, code):
    question = QuestionFactory(round=voting_round())
    response = api(actor(who)).put(f"{API}/questions/{question.pk}/votes/", {"votes": 1}, format="json")
    assert response.status_code == code
    assert Vote.objects.count() == (1 if code == 200 else 0)


# Rounds and the top ten ---------------------------------------------------------------------------


def test_rounds_list_their_phase_and_hide_those_being_prepared(db, api, staff):
    shown = voting_round(title="Priorities 2026")
    RoundFactory(phase=Round.Phase.DRAFT)
    rows = api(None).get(f"{API}/rounds/").json()["results"]
    assert [(r["id"], r["phase"], r["voting_open"]) for r in rows] == [(shown.pk, "voting", True)]
    assert len(api(staff).get(f"{API}/rounds/").json()["results"]) == 2


def test_a_rounds_ranking_is_null_until_voting_closes_except_for_staff(db, api, staff):
    round_ = voting_round()
    first, second = QuestionFactory(round=round_), QuestionFactory(round=round_)
    give_votes(CommunityMemberFactory(), second, 3)
    assert api(None).get(f"{API}/rounds/{round_.pk}/").json()["ranking"] is None
    ranking = api(staff).get(f"{API}/rounds/{round_.pk}/").json()["ranking"]
    assert [(r["position"], r["question"], r["votes"]) for r in ranking] == [
        (1, second.pk, 3),
        (2, first.pk, 0),
    ]
    Round.objects.filter(pk=round_.pk).update(phase=Round.Phase.FINAL)
    public = api(None).get(f"{API}/rounds/{round_.pk}/").json()
    assert (public["ranking_visible"], len(public["ranking"])) == (True, 2)
    assert api(None).get(f"{API}/questions/{second.pk}/").json()["votes"] == 3


def test_transitions_are_staff_only(db, api, staff, member):
    round_ = voting_round()
    body = {"phase": "final", "reason": "The workshop is next week."}
    assert api(member).post(f"{API}/rounds/{round_.pk}/transition/", body).status_code == 403
    response = api(staff).post(f"{API}/rounds/{round_.pk}/transition/", body)
    assert (response.status_code, response.json()["phase"]) == (200, "final")
    assert api(staff).post(f"{API}/rounds/{round_.pk}/transition/", {"phase": "gathering"}).status_code == 409


def test_the_top_ten_is_404_until_recorded_then_public(db, api, staff, member):
    round_ = voting_round(phase=Round.Phase.FINAL, top_count=2)
    questions = [QuestionFactory(round=round_) for _ in range(3)]
    give_votes(member, questions[2], 3)
    url = f"{API}/rounds/{round_.pk}/top-ten/"
    body = {
        "questions": [questions[2].pk, questions[0].pk],
        "steering_group": [member.pk],
        "chosen_on": "2026-11-15",
    }
    assert api(None).get(url).status_code == 404
    assert api(member).post(url, body, format="json").status_code == 403
    created = api(staff).post(url, body, format="json")
    assert created.status_code == 201
    public = api(None).get(url).json()
    assert public["chosen_on"] == "2026-11-15"
    assert [(c["position"], c["question"], c["votes"]) for c in public["choices"]] == [
        (1, questions[2].pk, 3),
        (2, questions[0].pk, 0),
    ]
    assert public["steering_group"] == [{"id": member.pk, "name": member.community_profile.public_name}]
    assert TopTen.objects.get().chosen_on == date(2026, 11, 15)


# Query counts -------------------------------------------------------------------------------------


def count_queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", ["questions/", "rounds/"])
def test_lists_need_as_many_queries_for_1_as_for_3_items(db, api, path):
    counts = []
    for n in (1, 3):
        Question.objects.all().delete()
        Round.objects.all().delete()
        for _ in range(n):
            question = QuestionFactory(round=voting_round())
            question.calls.add(CallFactory())
        counts.append(count_queries(api(UserFactory(is_staff=True)), f"{API}/{path}"))
    assert counts[0] == counts[1]
