"""The reviews API: forms, a reviewer's own reviews (draft, stale version, submit), who reads which
submitted reviews, reviewer names and confidential comments per reader, constant query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews.models import Assignment, Review, ReviewPhase
from reviews.services.reviewing import save_review_draft, submit_review
from tests.reviews.factories import (
    AssignmentFactory,
    ReviewPhaseFactory,
    SubmittedApplicationFactory,
    workspace_form,
)

pytestmark = pytest.mark.django_db
SEE = ReviewPhase.SeeOthers
FULL = {"impact": 4, "method": 3, "involvement": "na"}


@pytest.fixture
def setup(world):
    workspace_form(world.call)
    world.phase = ReviewPhaseFactory(call=world.call, name="Reading", see_others=SEE.AFTER_OWN)
    world.mine = Assignment.objects.get(application=world.application, reviewer=world.reviewer)
    world.second = AssignmentFactory(application=world.application, reviewer=world.other_reviewer)
    review = save_review_draft(
        assignment=world.second,
        by=world.other_reviewer,
        scores=FULL,
        overall=3,
        strengths="Strengths by Otto",
        confidential_comments="Secret note by Otto",
    )
    world.otto = submit_review(review=review, by=world.other_reviewer)
    return world


def api(client_for, user):
    return client_for(user, api=True)


def ids(response) -> list[int]:
    assert response.status_code == 200
    return [r["id"] for r in response.json()["results"]]


def test_review_forms_for_those_who_review_or_manage_the_call(setup, client_for):
    form_id = setup.call.review_forms.get().pk
    for actor in ("reviewer", "member", "chair", "staff", "conflicted"):
        data = api(client_for, setup.actor(actor)).get("/api/v1/review-forms/").json()
        assert [f["id"] for f in data["results"]] == [form_id], actor
    assert api(client_for, setup.outsider).get("/api/v1/review-forms/").json()["results"] == []
    assert api(client_for, None).get("/api/v1/review-forms/").status_code in (401, 403)
    criteria = api(client_for, setup.reviewer).get(f"/api/v1/review-forms/{form_id}/").json()["criteria"]
    assert [c["key"] for c in criteria] == ["impact", "method", "involvement"]
    assert criteria[0]["anchors"] == {"1": "Negligible", "5": "Transformative"}


def test_a_reviewer_starts_patches_and_submits_their_review(setup, client_for):
    client = api(client_for, setup.reviewer)
    started = client.post(
        "/api/v1/reviews/", {"assignment": setup.mine.pk, "scores": {"impact": 4}}, format="json"
    )
    assert started.status_code == 201
    body = started.json()
    assert (body["status"], body["version"], body["reviewer"]["name"]) == ("draft", 1, "Rita Reviewer")
    pk = body["id"]
    patched = client.patch(
        f"/api/v1/reviews/{pk}/", {"version": 1, "scores": {"method": 2}, "strengths": "Good"}, format="json"
    )
    assert patched.status_code == 200
    assert [(s["criterion"], s["value"]) for s in patched.json()["scores"]] == [
        ("impact", 4),
        ("method", 2),
        ("involvement", None),
    ]
    stale = client.patch(f"/api/v1/reviews/{pk}/", {"version": 1, "strengths": "Overwrite"}, format="json")
    assert stale.status_code == 409
    assert Review.objects.get(pk=pk).strengths == "Good"
    incomplete = client.post(f"/api/v1/reviews/{pk}/submit/", {"version": 2}, format="json")
    assert incomplete.status_code == 400
    assert incomplete.json()["overall"] == ["Give an overall score."]
    client.patch(f"/api/v1/reviews/{pk}/", {"version": 2, "overall": 4}, format="json")
    submitted = client.post(f"/api/v1/reviews/{pk}/submit/", {"version": 3}, format="json")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"


def test_nobody_else_writes_a_review(setup, client_for):
    for actor in ("reviewer", "member", "chair", "staff"):
        client = api(client_for, setup.actor(actor))
        response = client.patch(
            f"/api/v1/reviews/{setup.otto.pk}/", {"version": 2, "overall": 1}, format="json"
        )
        assert response.status_code == 404, actor
        assert client.post(f"/api/v1/reviews/{setup.otto.pk}/submit/", {"version": 2}).status_code == 404
    conflicted = Assignment.objects.get(application=setup.application, reviewer=setup.conflicted)
    response = api(client_for, setup.conflicted).post(
        "/api/v1/reviews/", {"assignment": conflicted.pk}, format="json"
    )
    assert response.status_code == 404
    setup.otto.refresh_from_db()
    assert (setup.otto.overall_score, setup.otto.version) == (3, 2)


def test_who_lists_which_reviews(setup, client_for):
    assert ids(api(client_for, setup.other_reviewer).get("/api/v1/reviews/")) == [setup.otto.pk]
    assert ids(api(client_for, setup.reviewer).get("/api/v1/reviews/")) == []
    for actor in ("member", "chair", "staff"):
        assert ids(api(client_for, setup.actor(actor)).get("/api/v1/reviews/")) == [setup.otto.pk], actor
    assert ids(api(client_for, setup.outsider).get("/api/v1/reviews/")) == []
    assert api(client_for, setup.member).get(f"/api/v1/reviews/{setup.otto.pk}/").status_code == 200
    assert api(client_for, setup.reviewer).get(f"/api/v1/reviews/{setup.otto.pk}/").status_code == 404


def test_a_conflicted_committee_member_sees_nothing_of_the_application(setup, client_for):
    from tests.reviews.factories import ConflictFactory

    ConflictFactory(application=setup.application, reviewer=setup.member)
    client = api(client_for, setup.member)
    assert ids(client.get("/api/v1/reviews/")) == []
    assert client.get(f"/api/v1/reviews/{setup.otto.pk}/").status_code == 404
    assert client.get(f"/api/v1/reviews/?application={setup.application.pk}").status_code == 404


def test_confidential_comments_and_names_by_reader(setup, client_for):
    member = api(client_for, setup.member).get(f"/api/v1/reviews/{setup.otto.pk}/").json()
    assert (member["confidential_comments"], member["reviewer"]["name"]) == (
        "Secret note by Otto",
        "Otto Other",
    )


def test_phase_rules_for_reading_others_through_the_api(setup, client_for):
    client = api(client_for, setup.reviewer)
    by_application = f"/api/v1/reviews/?application={setup.application.pk}"
    assert ids(client.get(by_application)) == []  # before their own review
    review = save_review_draft(assignment=setup.mine, by=setup.reviewer, scores=FULL, overall=4)
    submit_review(review=review, by=setup.reviewer)
    results = client.get(by_application).json()["results"]
    assert [r["id"] for r in results] == [setup.otto.pk, review.pk]
    otto = results[0]
    assert (otto["reviewer"], otto["confidential_comments"], otto["strengths"]) == (
        None,
        None,
        "Strengths by Otto",
    )
    ReviewPhase.objects.filter(pk=setup.phase.pk).update(see_reviewer_names=True)
    assert client.get(by_application).json()["results"][0]["reviewer"]["name"] == "Otto Other"
    ReviewPhase.objects.filter(pk=setup.phase.pk).update(see_others=SEE.NEVER)
    assert ids(client.get(by_application)) == [review.pk]


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured)


def test_the_reviewers_review_list_uses_a_constant_number_of_queries(setup, client_for):
    client = api(client_for, setup.reviewer)
    save_review_draft(assignment=setup.mine, by=setup.reviewer, scores={"impact": 2})
    client.get("/api/v1/reviews/")
    one = _queries(client, "/api/v1/reviews/")
    for _ in range(2):
        extra = AssignmentFactory(
            application=SubmittedApplicationFactory(call=setup.call), reviewer=setup.reviewer
        )
        save_review_draft(assignment=extra, by=setup.reviewer, scores={"impact": 3})
    three = _queries(client, "/api/v1/reviews/")
    assert client.get("/api/v1/reviews/").json()["count"] == 3
    assert three == one


def test_the_committee_review_list_uses_a_constant_number_of_queries(setup, client_for):
    client = api(client_for, setup.member)
    one = _queries(client, "/api/v1/reviews/")
    for name in ("A", "B"):
        extra = AssignmentFactory(
            application=SubmittedApplicationFactory(call=setup.call), reviewer__full_name=name
        )
        review = save_review_draft(assignment=extra, by=extra.reviewer, scores=FULL, overall=2)
        submit_review(review=review, by=extra.reviewer)
    three = _queries(client, "/api/v1/reviews/")
    assert client.get("/api/v1/reviews/").json()["count"] == 3
    assert three == one
