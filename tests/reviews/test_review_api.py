"""The review API: an authorisation matrix per endpoint, conflicts hidden from every list and
detail, draft proposals invisible to reviewers, errors as JSON ``detail`` with the right status."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews.models import Assignment, AssignmentRun, Bid, Conflict, ReviewerInvitation
from reviews.services import execute_assignment_run
from tests.reviews.factories import (
    AssignmentFactory,
    AssignmentRunFactory,
    ReviewerInvitationFactory,
    ReviewerProfileFactory,
    SubmittedApplicationFactory,
)
from tests.reviews.review_world import ACTORS, TITLE, World

pytestmark = pytest.mark.django_db


def codes(*, anonymous=403, reviewers=200, outsider=200, member=200, chair=200, staff=200) -> dict[str, int]:
    return {
        "anonymous": anonymous,
        "reviewer": reviewers,
        "other_reviewer": reviewers,
        "conflicted": reviewers,
        "outsider": outsider,
        "member": member,
        "chair": chair,
        "staff": staff,
    }


MANAGERS_ONLY = codes(reviewers=403, outsider=404, member=403)


def _run(w: World) -> AssignmentRun:
    return AssignmentRun.objects.filter(call=w.call).first() or AssignmentRunFactory(call=w.call)


READS = {
    "reviewers": (lambda w: "/api/v1/reviewers/", codes(reviewers=403, outsider=403, member=403, chair=403)),
    "reviewer": (
        lambda w: f"/api/v1/reviewers/{w.reviewer.reviewer_profile.pk}/",
        codes(reviewers=403, outsider=403, member=403, chair=403),
    ),
    "invitations": (lambda w: "/api/v1/invitations/", codes()),
    "conflicts": (lambda w: "/api/v1/conflicts/", codes()),
    "bids": (lambda w: "/api/v1/bids/", codes()),
    "assignments": (lambda w: "/api/v1/assignments/", codes()),
    "call runs": (lambda w: f"/api/v1/calls/{w.call.pk}/assignment-runs/", MANAGERS_ONLY),
    "run": (lambda w: f"/api/v1/assignment-runs/{_run(w).pk}/", MANAGERS_ONLY),
    "application": (
        lambda w: f"/api/v1/applications/{w.application.pk}/",
        codes(reviewers=404, outsider=404, member=404, chair=404) | {"reviewer": 200},
    ),
    "attachment": (
        lambda w: f"/api/v1/applications/{w.application.pk}/attachments/{w.attachment.pk}/download/",
        codes(reviewers=404, outsider=404, member=404, chair=404) | {"reviewer": 200},
    ),
}


@pytest.mark.parametrize("endpoint", READS)
@pytest.mark.parametrize("actor", ACTORS)
def test_read_access(endpoint, actor, world, client_for):
    url, expected = READS[endpoint]
    response = client_for(world.actor(actor), api=True).get(url(world))
    assert response.status_code == expected[actor]
    if response.status_code in (403, 404):
        assert "detail" in response.json()
        assert TITLE not in response.content.decode()


def _state():
    return (
        sorted(Conflict.objects.values_list("pk", "lifted", "reason")),
        sorted(AssignmentRun.objects.values_list("pk", "status")),
        sorted(Assignment.objects.values_list("pk", "state", "reviewer_id", "pinned")),
        sorted(ReviewerInvitation.objects.values_list("pk", "status")),
        sorted(Bid.objects.values_list("pk", "value")),
    )


def _proposal(w: World) -> Assignment:
    run = AssignmentRunFactory(call=w.call)
    return AssignmentFactory(
        application=w.other,
        reviewer=w.other_reviewer,
        run=run,
        state=Assignment.State.PROPOSED,
        due_at=None,
        published_at=None,
    )


WRITES = {
    "lift": (
        lambda w: f"/api/v1/conflicts/{Conflict.objects.get(reviewer=w.conflicted).pk}/lift/",
        lambda w: {"reason": "A false match."},
        codes(reviewers=404, outsider=404, member=404, chair=404) | {"conflicted": 403},
    ),
    "start run": (
        lambda w: f"/api/v1/calls/{w.call.pk}/assignment-runs/",
        lambda w: {"fairness": True},
        MANAGERS_ONLY | {"chair": 201, "staff": 201},
    ),
    "pin": (
        lambda w: f"/api/v1/assignment-runs/{_proposal(w).run_id}/pin/",
        lambda w: {"assignment": Assignment.objects.get(state="proposed").pk, "pinned": True},
        MANAGERS_ONLY,
    ),
    "set conflict": (
        lambda w: "/api/v1/conflicts/",
        lambda w: {"application": w.other.pk, "reviewer": w.outsider.pk, "reason": "Same lab."},
        codes(reviewers=403, outsider=404, member=403, chair=403, staff=201),
    ),
}


@pytest.mark.parametrize("endpoint", WRITES)
@pytest.mark.parametrize("actor", ACTORS)
def test_write_access_changes_nothing_on_denial(endpoint, actor, world, client_for):
    url, data, expected = WRITES[endpoint]
    target = url(world)
    before = _state()
    response = client_for(world.actor(actor), api=True).post(target, data(world), format="json")
    assert response.status_code == expected[actor], response.content
    if response.status_code >= 400:
        assert "detail" in response.json()
        assert _state() == before
    else:
        assert _state() != before


def _results(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.json()


def test_a_conflicted_reviewer_sees_nothing_of_the_application(world, client_for):
    client = client_for(world.conflicted, api=True)
    for url in ("/api/v1/applications/", "/api/v1/assignments/", "/api/v1/bids/"):
        body = _results(client, url)
        assert (body["count"], body["results"]) == (0, []), url
        assert TITLE not in str(body)
    assert (
        client.post(
            "/api/v1/bids/", {"application": world.application.pk, "value": "eager"}, format="json"
        ).status_code
        == 404
    )
    assert Bid.objects.get(reviewer=world.conflicted).value == "eager"  # unchanged, and not shown


def test_a_reviewer_never_sees_conflicts_of_others(world, client_for):
    mine = _results(client_for(world.conflicted, api=True), "/api/v1/conflicts/")
    assert [c["reviewer"]["id"] for c in mine["results"]] == [world.conflicted.pk]
    for actor in (world.reviewer, world.other_reviewer, world.chair, world.member):
        assert _results(client_for(actor, api=True), "/api/v1/conflicts/")["count"] == 0
    conflict = Conflict.objects.get(reviewer=world.conflicted)
    assert client_for(world.reviewer, api=True).get(f"/api/v1/conflicts/{conflict.pk}/").status_code == 404
    staff = _results(client_for(world.staff, api=True), f"/api/v1/conflicts/?call={world.call.pk}")
    assert [c["id"] for c in staff["results"]] == [conflict.pk]


def test_declaring_a_conflict_hides_the_application(world, client_for):
    client = client_for(world.reviewer, api=True)
    assert (
        client.post(
            "/api/v1/conflicts/", {"application": world.application.pk, "reason": ""}, format="json"
        ).status_code
        == 400
    )
    response = client.post(
        "/api/v1/conflicts/",
        {"application": world.application.pk, "kind": "personal", "reason": "My sister."},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["source"] == "declared"
    assert _results(client, "/api/v1/applications/")["count"] == 0
    assert _results(client, "/api/v1/assignments/")["count"] == 0
    assert client.get(f"/api/v1/applications/{world.application.pk}/").status_code == 404


def test_lifting_requires_a_reason(world, client_for):
    conflict = Conflict.objects.get(reviewer=world.conflicted)
    client = client_for(world.staff, api=True)
    response = client.post(f"/api/v1/conflicts/{conflict.pk}/lift/", {"reason": " "}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "A reason is required to lift a conflict."
    conflict.refresh_from_db()
    assert conflict.lifted is False
    assert (
        client.post(
            f"/api/v1/conflicts/{conflict.pk}/lift/", {"reason": "Not the same person."}, format="json"
        ).status_code
        == 200
    )
    again = client.post(f"/api/v1/conflicts/{conflict.pk}/lift/", {"reason": "Again."}, format="json")
    assert again.status_code == 409


def test_bids_are_upserted(world, client_for):
    client = client_for(world.reviewer, api=True)
    assert (
        client.post(
            "/api/v1/bids/", {"application": world.other.pk, "value": "willing"}, format="json"
        ).status_code
        == 200
    )
    assert (
        client.post(
            "/api/v1/bids/", {"application": world.other.pk, "value": "not_willing"}, format="json"
        ).status_code
        == 200
    )
    assert [(b["application"], b["value"]) for b in _results(client, "/api/v1/bids/")["results"]] == [
        (world.other.pk, "not_willing")
    ]
    assert (
        client.post(
            "/api/v1/bids/", {"application": world.other.pk, "value": "maybe"}, format="json"
        ).status_code
        == 400
    )
    assert (
        client_for(world.outsider, api=True)
        .post("/api/v1/bids/", {"application": world.other.pk, "value": "eager"}, format="json")
        .status_code
        == 404
    )


def test_invitations_are_answered_by_their_reviewer_only(world, client_for):
    invitation = ReviewerInvitationFactory(
        call=world.call, reviewer=ReviewerProfileFactory().user, status="pending", responded_at=None
    )
    owner = client_for(invitation.reviewer, api=True)
    assert [i["id"] for i in _results(owner, "/api/v1/invitations/")["results"]] == [invitation.pk]
    assert (
        client_for(world.reviewer, api=True).post(f"/api/v1/invitations/{invitation.pk}/accept/").status_code
        == 404
    )
    assert (
        client_for(world.staff, api=True).post(f"/api/v1/invitations/{invitation.pk}/accept/").status_code
        == 403
    )
    declined = owner.post(f"/api/v1/invitations/{invitation.pk}/decline/", {"reason": ""}, format="json")
    assert declined.status_code == 400
    accepted = owner.post(f"/api/v1/invitations/{invitation.pk}/accept/", {"load_limit": 2}, format="json")
    assert accepted.status_code == 200
    assert (accepted.json()["status"], accepted.json()["load_limit"]) == ("accepted", 2)
    staff = _results(client_for(world.staff, api=True), f"/api/v1/invitations/?call={world.call.pk}")
    assert staff["count"] == 4


def test_the_reviewer_pool_is_filtered_by_kind(world, client_for):
    ReviewerProfileFactory(kind="lay", user__full_name="Lay Lee")
    body = _results(client_for(world.staff, api=True), "/api/v1/reviewers/?kind=lay")
    assert [r["user"]["name"] for r in body["results"]] == ["Lay Lee"]


def test_draft_proposals_are_invisible_to_reviewers(world, client_for):
    _proposal(world)  # other_reviewer proposed (again) for other, in a draft run
    Assignment.objects.filter(run__isnull=True, reviewer=world.other_reviewer).delete()
    reviewer = client_for(world.other_reviewer, api=True)
    assert _results(reviewer, "/api/v1/assignments/")["count"] == 0
    assert _results(reviewer, "/api/v1/applications/")["count"] == 0
    states = [
        a["state"]
        for a in _results(client_for(world.chair, api=True), f"/api/v1/assignments/?call={world.call.pk}")[
            "results"
        ]
    ]
    assert sorted(states) == ["proposed", "published", "published"]


def test_a_run_through_the_api(world, client_for):
    Assignment.objects.all().delete()
    client = client_for(world.chair, api=True)
    started = client.post(
        f"/api/v1/calls/{world.call.pk}/assignment-runs/", {"fairness": False}, format="json"
    )
    assert started.status_code == 201
    run_id = started.json()["id"]
    again = client.post(f"/api/v1/calls/{world.call.pk}/assignment-runs/", {}, format="json")
    assert again.status_code == 409
    assert "wait until it has finished" in again.json()["detail"]
    detail = client.get(f"/api/v1/assignment-runs/{run_id}/").json()
    assert (detail["status"], detail["summary"]) == ("queued", None)

    execute_assignment_run(run_id=run_id)
    detail = client.get(f"/api/v1/assignment-runs/{run_id}/").json()
    assert (detail["status"], detail["progress"]) == ("proposed", 100)
    rows = detail["summary"]["applications"]
    assert [r["application"] for r in rows] == [world.application.pk, world.other.pk]
    first = rows[0]["reviewers"][0]
    assert set(first) >= {"affinity", "text", "focus", "bid", "terms"}

    removed = client.post(
        f"/api/v1/assignment-runs/{run_id}/remove/", {"assignment": first["assignment"]}, format="json"
    )
    assert removed.status_code == 204
    refused = client.post(f"/api/v1/assignment-runs/{run_id}/publish/", {}, format="json")
    assert refused.status_code == 409
    assert "do not have 1 reviewers" in refused.json()["detail"]
    conflicted = client.post(
        f"/api/v1/assignment-runs/{run_id}/add/",
        {"application": world.application.pk, "reviewer": world.conflicted.pk},
        format="json",
    )
    assert conflicted.status_code == 400
    assert "conflict of interest" in conflicted.json()["detail"]
    added = client.post(
        f"/api/v1/assignment-runs/{run_id}/add/",
        {"application": world.application.pk, "reviewer": world.reviewer.pk},
        format="json",
    )
    assert added.status_code == 201
    other_row = rows[1]["reviewers"][0]
    swap_to = (
        world.other_reviewer if other_row["reviewer"]["id"] != world.other_reviewer.pk else world.reviewer
    )
    swapped = client.post(
        f"/api/v1/assignment-runs/{run_id}/swap/",
        {"assignment": other_row["assignment"], "reviewer": swap_to.pk},
        format="json",
    )
    assert swapped.status_code == 200
    assert swapped.json()["reviewer"]["id"] == swap_to.pk
    published = client.post(
        f"/api/v1/assignment-runs/{run_id}/publish/", {"due_at": "2099-01-31T17:00:00Z"}, format="json"
    )
    assert published.status_code == 200
    assert published.json()["status"] == "published"
    mine = _results(client_for(world.reviewer, api=True), "/api/v1/assignments/")["results"]
    assert [a["application"] for a in mine] == [world.application.pk] + (
        [world.other.pk] if swap_to == world.reviewer else []
    )
    assert {a["state"] for a in mine} == {"published"}


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_reviewers_assignment_list_uses_a_constant_number_of_queries(world, client_for):
    client = client_for(world.reviewer, api=True)
    client.get("/api/v1/assignments/")
    one = _queries(client, "/api/v1/assignments/")
    for _ in range(2):
        AssignmentFactory(application=SubmittedApplicationFactory(call=world.call), reviewer=world.reviewer)
    three = _queries(client, "/api/v1/assignments/")
    assert client.get("/api/v1/assignments/").json()["count"] == 3
    assert three == one
