"""A reviewer saving the same draft from two tabs at the same instant, through the portal's autosave
and through the API: one save wins, the other is refused with 409 and a message that the draft
changed in another tab; the stored review is exactly the winner's (never a mix of the two) and its
version rises by one. The loser then reloads and saves on the new version: its text is stored — the
later write wins visibly. Submitting from two tabs at once makes one submission.
"""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import AuditEvent
from reviews.models import Review
from reviews.services.reviewing import STALE, save_review_draft
from reviews.views.workspace import STALE_MESSAGE
from tests.concurrency.race import ROUNDS, answer_of, requires_postgresql, run_together
from tests.reviews.factories import AssignmentFactory, SubmittedApplicationFactory

pytestmark = [pytest.mark.django_db(transaction=True), requires_postgresql]
HTMX = {"HTTP_HX_REQUEST": "true"}
FULL = {"impact": 4, "method": 3, "involvement": "na"}


def tabs(user, count: int = 2) -> list[Client]:
    """Browser tabs of one signed-in reviewer: clients sharing one session cookie."""
    first = Client()
    first.force_login(user)
    others = []
    for _ in range(count - 1):
        tab = Client()
        tab.cookies[settings.SESSION_COOKIE_NAME] = first.cookies[settings.SESSION_COOKIE_NAME].value
        others.append(tab)
    return [first, *others]


def api_tabs(user, count: int = 2) -> list[APIClient]:
    clients = [APIClient() for _ in range(count)]
    for client in clients:
        client.force_authenticate(user)
    return clients


def typed(tab: str, round_: int) -> dict:
    """What a tab has typed: every field differs between the tabs, so a mix would show."""
    high = tab == "one"
    return {
        "strengths": f"Tab {tab} strengths, round {round_}",
        "weaknesses": f"Tab {tab} weaknesses, round {round_}",
        "comments_to_applicant": f"Tab {tab} comments, round {round_}",
        "scores": {
            "impact": 5 if high else 2,
            "method": 2 if high else 8,
            "involvement": "na" if high else 3,
        },
        "overall": 5 if high else 1,
    }


def form_data(values: dict, version) -> dict:
    scores = {f"score-{key}": str(value) for key, value in values["scores"].items()}
    texts = {k: v for k, v in values.items() if k not in ("scores", "overall")}
    version = "" if version is None else str(version)
    return {"version": version, "overall": str(values["overall"]), **scores, **texts}


def stored(review: Review) -> dict:
    review.refresh_from_db()
    return {
        "strengths": review.strengths,
        "weaknesses": review.weaknesses,
        "comments_to_applicant": review.comments_to_applicant,
        "scores": {
            s.criterion.key: "na" if s.not_applicable else s.value
            for s in review.scores.select_related("criterion")
        },
        "overall": review.overall_score,
    }


def fresh_assignment(world):
    """Another published assignment of the reviewer in the call (a new application each time)."""
    application = SubmittedApplicationFactory(call=world.call)
    return AssignmentFactory(application=application, reviewer=world.reviewer)


def submitted_events(review: Review) -> int:
    return AuditEvent.objects.filter(verb="review.submitted", target_id=str(review.pk)).count()


def draft_events(review: Review) -> int:
    return AuditEvent.objects.filter(verb="review.draft_saved", target_id=str(review.pk)).count()


def autosave(client, assignment, values: dict, version):
    url = reverse("reviews:workspace_autosave", args=[assignment.pk])
    return lambda: answer_of(client.post(url, form_data(values, version), **HTMX))


def patch(client, review, values: dict, version):
    return lambda: answer_of(
        client.patch(f"/api/v1/reviews/{review.pk}/", {**values, "version": version}, format="json")
    )


def start(client, assignment, values: dict):
    data = {"assignment": assignment.pk, **values}
    return lambda: answer_of(client.post("/api/v1/reviews/", data, format="json"))


def portal_submit(client, assignment, values: dict, version):
    url = reverse("reviews:workspace", args=[assignment.pk])
    data = {**form_data(values, version), "action": "submit"}
    return lambda: answer_of(client.post(url, data))


def api_submit(client, review, version):
    url = f"/api/v1/reviews/{review.pk}/submit/"
    return lambda: answer_of(client.post(url, {"version": version}, format="json"))


def split(answers: list, expected_winner_status: int) -> tuple[int, int]:
    """(index of the winner, index of the loser) of a two-tab race; asserts one of each."""
    codes = [a.status for a in answers]
    assert sorted(codes) == sorted([expected_winner_status, 409]), codes
    winner = codes.index(expected_winner_status)
    return winner, 1 - winner


def page_version(client, assignment) -> int:
    """The version the workspace page hands to a reloaded tab."""
    page = client.get(reverse("reviews:workspace", args=[assignment.pk])).content.decode()
    return int(re.search(r'name="version" id="review-version" value="(\d+)"', page).group(1))


# Two tabs saving the same draft ---------------------------------------------------------------------


def test_two_tabs_autosaving_at_once_one_wins_the_other_gets_409(reviewing):
    mine = reviewing.mine
    review = save_review_draft(assignment=mine, by=reviewing.reviewer, scores={}, strengths="Loaded")
    clients = tabs(reviewing.reviewer)
    names = ["one", "two"]
    for round_ in range(1, ROUNDS + 1):
        review.refresh_from_db()
        version, events = review.version, draft_events(review)
        values = [typed(name, round_) for name in names]

        answers = run_together([autosave(c, mine, v, version) for c, v in zip(clients, values, strict=True)])

        won, lost = split(answers, 200)
        assert f'id="review-version" value="{version + 1}" hx-swap-oob="true"' in answers[won].body
        assert STALE_MESSAGE in answers[lost].body
        assert "review-version" not in answers[lost].body  # the losing tab keeps its version: no overwrite
        assert stored(review) == values[won]  # exactly the winner's, nothing of the loser's
        assert (review.version, draft_events(review)) == (version + 1, events + 1)

        # The loser reloads (the page hands it the new version) and saves again: the later write wins.
        reloaded = page_version(clients[lost], mine)
        assert reloaded == version + 1
        again = autosave(clients[lost], mine, values[lost], reloaded)()
        assert again.status == 200
        assert stored(review) == values[lost]
        assert review.version == version + 2


def test_two_tabs_patching_at_once_through_the_api_one_wins_the_other_gets_409(reviewing):
    mine = reviewing.mine
    review = save_review_draft(assignment=mine, by=reviewing.reviewer, scores={}, strengths="Loaded")
    clients = api_tabs(reviewing.reviewer)
    for round_ in range(1, ROUNDS + 1):
        review.refresh_from_db()
        version, events = review.version, draft_events(review)
        values = [typed("one", round_), typed("two", round_)]

        answers = run_together([patch(c, review, v, version) for c, v in zip(clients, values, strict=True)])

        won, lost = split(answers, 200)
        assert answers[won].json["version"] == version + 1
        assert answers[lost].json == {"detail": STALE}
        assert stored(review) == values[won]
        assert (review.version, draft_events(review)) == (version + 1, events + 1)

        reloaded = clients[lost].get(f"/api/v1/reviews/{review.pk}/").json()["version"]
        assert reloaded == version + 1
        again = patch(clients[lost], review, values[lost], reloaded)()
        assert (again.status, again.json["version"]) == (200, version + 2)
        assert stored(review) == values[lost]


def test_two_tabs_saving_the_first_draft_at_once_make_one_review(reviewing):
    """Neither tab has a version yet (the review is not started): one creates it, the other is refused
    with 409 — not a 500 from the second insert — and saves on the new version after reloading."""
    for round_ in range(1, ROUNDS + 1):
        assignment = fresh_assignment(reviewing)
        clients = tabs(reviewing.reviewer)
        values = [typed("one", round_), typed("two", round_)]

        pairs = zip(clients, values, strict=True)
        answers = run_together([autosave(c, assignment, v, None) for c, v in pairs])

        won, lost = split(answers, 200)
        assert STALE_MESSAGE in answers[lost].body
        review = Review.objects.get(assignment=assignment)
        assert (stored(review), review.version, draft_events(review)) == (values[won], 1, 1)
        again = autosave(clients[lost], assignment, values[lost], page_version(clients[lost], assignment))()
        assert again.status == 200
        assert (stored(review), review.version) == (values[lost], 2)


def test_two_api_clients_starting_the_review_at_once_make_one(reviewing):
    for round_ in range(1, ROUNDS + 1):
        assignment = fresh_assignment(reviewing)
        clients = api_tabs(reviewing.reviewer)
        values = [typed("one", round_), typed("two", round_)]

        pairs = zip(clients, values, strict=True)
        answers = run_together([start(c, assignment, v) for c, v in pairs])

        won, lost = split(answers, 201)
        assert answers[lost].json == {"detail": STALE}
        review = Review.objects.get(assignment=assignment)
        assert (answers[won].json["id"], review.version) == (review.pk, 1)
        assert stored(review) == values[won]


# Two tabs submitting ------------------------------------------------------------------------------------


def test_two_tabs_submitting_the_review_at_once_make_one_submission(reviewing):
    for round_ in range(1, ROUNDS + 1):
        assignment = fresh_assignment(reviewing)
        review = save_review_draft(assignment=assignment, by=reviewing.reviewer, scores={}, strengths="x")
        clients = tabs(reviewing.reviewer)
        values = [{**typed(name, round_), "scores": FULL} for name in ("one", "two")]
        pairs = zip(clients, values, strict=True)
        answers = run_together([portal_submit(c, assignment, v, review.version) for c, v in pairs])

        won, lost = split(answers, 302)
        assert answers[won].messages == ["Your review is submitted. Thank you."]
        assert STALE_MESSAGE in answers[lost].body
        assert values[lost]["strengths"] in answers[lost].body  # what the loser typed is still on its page
        review.refresh_from_db()
        assert review.status == Review.Status.SUBMITTED
        assert stored(review) == values[won]
        assert review.version == 3  # the winner's save, then its submission
        assert submitted_events(review) == 1


def test_two_api_clients_submitting_at_once_make_one_submission(reviewing):
    for round_ in range(1, ROUNDS + 1):
        assignment = fresh_assignment(reviewing)
        review = save_review_draft(
            assignment=assignment, by=reviewing.reviewer, scores=FULL, overall=4, strengths=f"Round {round_}"
        )
        clients = api_tabs(reviewing.reviewer)
        answers = run_together([api_submit(c, review, review.version) for c in clients])

        won, lost = split(answers, 200)
        assert (answers[won].json["status"], answers[won].json["version"]) == ("submitted", 2)
        assert answers[lost].json == {"detail": STALE}
        review.refresh_from_db()
        assert (review.status, review.version, submitted_events(review)) == (Review.Status.SUBMITTED, 2, 1)
