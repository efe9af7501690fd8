"""The review portal: who may open which page, conflicts hidden everywhere, draft proposals
invisible to reviewers, bids and conflict declarations, the assignment run pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews.models import Assignment, AssignmentRun, Bid, Conflict
from reviews.services import execute_assignment_run
from tests.reviews.factories import AssignmentFactory, AssignmentRunFactory, SubmittedApplicationFactory
from tests.reviews.review_world import ACTORS, TITLE, World

pytestmark = pytest.mark.django_db

LOGIN = 302


def codes(
    *, anonymous=LOGIN, reviewers=200, outsider=200, member=200, chair=200, staff=200
) -> dict[str, int]:
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


PAGES = {
    "home": (lambda w: "/review/", codes()),
    "profile": (lambda w: "/review/profile/", codes()),
    "my assignments": (lambda w: "/review/assignments/", codes()),
    "my conflicts": (lambda w: "/review/conflicts/", codes()),
    "bids": (
        lambda w: f"/review/calls/{w.call.slug}/bids/",
        codes(outsider=404, member=403, chair=403, staff=403),
    ),
    "manage": (lambda w: "/review/manage/", codes(reviewers=403, outsider=403, member=403)),
    "pool": (
        lambda w: f"/review/calls/{w.call.slug}/pool/",
        codes(reviewers=403, outsider=404, member=403, chair=403),
    ),
    "conflicts": (
        lambda w: f"/review/calls/{w.call.slug}/conflicts/",
        codes(reviewers=403, outsider=404, member=403, chair=403),
    ),
    "assignment": (
        lambda w: f"/review/calls/{w.call.slug}/assignment/",
        codes(reviewers=403, outsider=404, member=403),
    ),
    "run": (lambda w: f"/review/runs/{_run(w).pk}/", codes(reviewers=403, outsider=404, member=403)),
    "run progress": (
        lambda w: f"/review/runs/{_run(w).pk}/progress/",
        codes(reviewers=403, outsider=404, member=403),
    ),
    "application": (
        lambda w: f"/applications/{w.application.pk}/",
        codes(reviewers=404, outsider=404, member=404, chair=404) | {"reviewer": 200},
    ),
    "attachment": (
        lambda w: f"/applications/{w.application.pk}/attachments/{w.attachment.pk}/",
        codes(reviewers=404, outsider=404, member=404, chair=404) | {"reviewer": 200},
    ),
}


def _run(w: World) -> AssignmentRun:
    return AssignmentRun.objects.filter(call=w.call).first() or AssignmentRunFactory(call=w.call)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("actor", ACTORS)
def test_page_access(page, actor, world, client_for):
    url, expected = PAGES[page]
    response = client_for(world.actor(actor)).get(url(world))
    assert response.status_code == expected[actor]
    if response.status_code == LOGIN:
        assert response["Location"].startswith("/accounts/login/")
    if response.status_code in (403, 404):
        assert TITLE not in response.content.decode()


POSTS = {
    "detect conflicts": (
        lambda w: f"/review/calls/{w.call.slug}/conflicts/detect/",
        {},
        codes(reviewers=403, outsider=404, member=403, chair=403, staff=302),
    ),
    "start a run": (
        lambda w: f"/review/calls/{w.call.slug}/assignment/start/",
        {"fairness": "on"},
        codes(reviewers=403, outsider=404, member=403, chair=302, staff=302),
    ),
}


def _state():
    return (
        sorted(Conflict.objects.values_list("pk", "lifted")),
        sorted(AssignmentRun.objects.values_list("pk", "status")),
        sorted(Assignment.objects.values_list("pk", "state", "reviewer_id")),
    )


@pytest.mark.parametrize("action", POSTS)
@pytest.mark.parametrize("actor", ACTORS)
def test_post_access_changes_nothing_on_denial(action, actor, world, client_for):
    url, data, expected = POSTS[action]
    before = _state()
    response = client_for(world.actor(actor)).post(url(world), data)
    assert response.status_code == expected[actor]
    if expected[actor] != 302 or actor == "anonymous":
        assert _state() == before
    else:
        assert _state() != before or action == "detect conflicts"


def test_a_conflicted_reviewer_sees_the_application_nowhere(world, client_for):
    client = client_for(world.conflicted)
    bids = client.get(f"/review/calls/{world.call.slug}/bids/")
    assert [row["application"] for row in bids.context["rows"]] == [world.other]
    assert TITLE not in bids.content.decode()
    assert "1 application." in bids.content.decode()
    assignments = client.get("/review/assignments/")
    assert list(assignments.context["assignments"]) == []
    assert TITLE not in assignments.content.decode()
    assert (
        client.post(
            f"/review/calls/{world.call.slug}/bids/{world.application.pk}/",
            {f"bid{world.application.pk}-value": "eager"},
        ).status_code
        == 404
    )


def test_the_assigned_reviewer_sees_published_assignments_with_due_dates(world, client_for):
    response = client_for(world.reviewer).get("/review/assignments/")
    [assignment] = response.context["assignments"]
    assert assignment.application == world.application
    assert f'href="/applications/{world.application.pk}/"' in response.content.decode()
    assert f'datetime="{assignment.due_at.isoformat()}"'[:30] in response.content.decode()


def test_draft_proposals_are_invisible_to_reviewers_until_published(world, client_for):
    Assignment.objects.filter(application=world.application, reviewer=world.reviewer).delete()
    run = AssignmentRunFactory(call=world.call)
    AssignmentFactory(
        application=world.application,
        reviewer=world.reviewer,
        run=run,
        state=Assignment.State.PROPOSED,
        due_at=None,
        published_at=None,
    )
    AssignmentFactory(
        application=world.other,
        reviewer=world.other_reviewer,
        run=run,
        state=Assignment.State.PROPOSED,
        due_at=None,
        published_at=None,
    )
    Assignment.objects.filter(run__isnull=True).delete()
    client = client_for(world.reviewer)
    for url in ("/review/assignments/", "/review/", f"/review/calls/{world.call.slug}/bids/"):
        page = client.get(url)
        assert "Proposed" not in page.content.decode()
    assert list(client.get("/review/assignments/").context["assignments"]) == []
    assert client.get(f"/applications/{world.application.pk}/").status_code == 404

    chair = client_for(world.chair)
    response = chair.post(f"/review/runs/{run.pk}/publish/", {"due_at": "2099-01-31T17:00"})
    assert response.status_code == 302
    [assignment] = client.get("/review/assignments/").context["assignments"]
    assert (assignment.application, assignment.state) == (world.application, Assignment.State.PUBLISHED)
    assert client.get(f"/applications/{world.application.pk}/").status_code == 200


def test_declaring_a_conflict_removes_the_application_from_the_bid_list(world, client_for):
    client = client_for(world.reviewer)
    url = f"/review/calls/{world.call.slug}/bids/"
    assert [r["application"] for r in client.get(url).context["rows"]] == [world.application, world.other]
    prefix = f"coi{world.application.pk}"
    empty = client.post(
        f"{url}{world.application.pk}/conflict/", {f"{prefix}-kind": "other", f"{prefix}-reason": ""}
    )
    assert empty.status_code == 400
    assert not Conflict.objects.filter(reviewer=world.reviewer).exists()

    response = client.post(
        f"{url}{world.application.pk}/conflict/",
        {f"{prefix}-kind": "personal", f"{prefix}-reason": "My cousin."},
    )
    assert response.status_code == 302
    assert [r["application"] for r in client.get(url).context["rows"]] == [world.other]
    assert TITLE not in client.get(url).content.decode()
    assert client.get(f"/applications/{world.application.pk}/").status_code == 404
    assert "My cousin." in client.get("/review/conflicts/").content.decode()


def test_declaring_with_htmx_answers_a_status_fragment(world, client_for):
    client = client_for(world.reviewer)
    prefix = f"coi{world.other.pk}"
    response = client.post(
        f"/review/calls/{world.call.slug}/bids/{world.other.pk}/conflict/",
        {f"{prefix}-kind": "other", f"{prefix}-reason": "Same lab."},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert 'hx-swap-oob="true"' in response.content.decode()


def test_a_bid_is_saved_in_place_and_without_javascript(world, client_for):
    client = client_for(world.reviewer)
    url = f"/review/calls/{world.call.slug}/bids/{world.other.pk}/"
    response = client.post(url, {f"bid{world.other.pk}-value": "willing"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Saved: willing." in response.content.decode()
    response = client.post(url, {f"bid{world.other.pk}-value": "eager"})
    assert response.status_code == 302
    assert list(Bid.objects.filter(reviewer=world.reviewer).values_list("application_id", "value")) == [
        (world.other.pk, "eager")
    ]


def test_invitations_are_accepted_with_a_load_or_declined_with_a_reason(world, client_for):
    from tests.reviews.factories import ReviewerInvitationFactory

    invitation = ReviewerInvitationFactory(reviewer=world.reviewer, status="pending", responded_at=None)
    client = client_for(world.reviewer)
    assert client.post(f"/review/invitations/{invitation.pk}/decline/", {"reason": ""}).status_code == 400
    response = client.post(
        f"/review/invitations/{invitation.pk}/accept/", {f"inv{invitation.pk}-load_limit": "3"}
    )
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert (invitation.status, invitation.load_limit) == ("accepted", 3)
    other = ReviewerInvitationFactory(reviewer=world.reviewer, status="pending", responded_at=None)
    assert client.post(f"/review/invitations/{other.pk}/decline/", {"reason": "On leave."}).status_code == 302
    other.refresh_from_db()
    assert (other.status, other.decline_reason) == ("declined", "On leave.")
    assert client_for(world.other_reviewer).post(f"/review/invitations/{other.pk}/accept/").status_code == 404


def test_the_profile_page_saves_through_the_service(world, client_for):
    client = client_for(world.outsider)
    response = client.post(
        "/review/profile/",
        {
            "kind": "lay",
            "expertise": "Living with MS for 12 years.",
            "keywords": "fatigue",
            "default_load": "4",
            "collaborators": "",
        },
    )
    assert response.status_code == 302
    profile = world.outsider.reviewer_profile
    profile.refresh_from_db()
    assert (profile.kind, profile.default_load, profile.keywords) == ("lay", 4, "fatigue")


def test_lifting_a_conflict_requires_a_reason(world, client_for):
    conflict = Conflict.objects.get(reviewer=world.conflicted)
    client = client_for(world.staff)
    url = f"/review/calls/{world.call.slug}/conflicts/{conflict.pk}/lift/"
    response = client.post(url, {f"lift{conflict.pk}-reason": ""})
    assert response.status_code == 400
    conflict.refresh_from_db()
    assert conflict.lifted is False
    assert (
        client_for(world.chair).post(url, {f"lift{conflict.pk}-reason": "Wrong person."}).status_code == 403
    )
    assert client.post(url, {f"lift{conflict.pk}-reason": "Wrong person."}).status_code == 302
    conflict.refresh_from_db()
    assert (conflict.lifted, conflict.lifted_reason, conflict.lifted_by) == (
        True,
        "Wrong person.",
        world.staff,
    )


def test_staff_set_a_conflict_with_a_reason(world, client_for):
    client = client_for(world.staff)
    url = f"/review/calls/{world.call.slug}/conflicts/set/"
    data = {"set-application": world.other.pk, "set-reviewer": world.reviewer.pk, "set-kind": "collaborator"}
    assert client.post(url, data | {"set-reason": ""}).status_code == 400
    assert client.post(url, data | {"set-reason": "Co-author in 2024."}).status_code == 302
    conflict = Conflict.objects.get(application=world.other, reviewer=world.reviewer)
    assert (conflict.source, conflict.kind) == ("staff", "collaborator")
    page = client.get(f"/review/calls/{world.call.slug}/conflicts/").content.decode()
    assert "Co-author in 2024." in page
    assert "Set by staff" in page


def test_a_run_is_started_polled_edited_and_published_by_the_chair(world, client_for):
    Assignment.objects.all().delete()
    client = client_for(world.chair)
    response = client.post(f"/review/calls/{world.call.slug}/assignment/start/", {"fairness": "on"})
    run = AssignmentRun.objects.get(call=world.call)
    assert response.status_code == 302
    assert response["Location"] == f"/review/runs/{run.pk}/"
    progress = client.get(f"/review/runs/{run.pk}/progress/", headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in progress.content.decode()
    assert "HX-Refresh" not in progress

    execute_assignment_run(run_id=run.pk)
    progress = client.get(f"/review/runs/{run.pk}/progress/", headers={"HX-Request": "true"})
    assert "every 1s" not in progress.content.decode()
    assert progress["HX-Refresh"] == "true"
    page = client.get(f"/review/runs/{run.pk}/")
    assert page.status_code == 200
    assert [row.application for row in page.context["summary"].applications] == [
        world.application,
        world.other,
    ]
    assert "Total affinity" in page.content.decode()

    assignment = Assignment.objects.filter(run=run, application=world.application).get()
    assert (
        client.post(f"/review/runs/{run.pk}/assignments/{assignment.pk}/pin/", {"pinned": "1"}).status_code
        == 302
    )
    assert client.post(f"/review/runs/{run.pk}/assignments/{assignment.pk}/remove/").status_code == 302
    refused = client.post(f"/review/runs/{run.pk}/publish/", {"due_at": "2099-01-31T17:00"})
    assert refused.status_code == 409
    assert "do not have 1 reviewers" in refused.content.decode()
    assert Assignment.objects.filter(state=Assignment.State.PUBLISHED).count() == 0

    add = client.post(
        f"/review/runs/{run.pk}/add/", {"application": world.application.pk, "reviewer": world.conflicted.pk}
    )
    assert add.status_code == 400
    assert "conflict of interest" in add.content.decode()
    candidates = client.get(f"/review/runs/{run.pk}/").context["summary"].applications[0].candidates
    assert world.conflicted not in candidates
    assert world.reviewer in candidates
    assert (
        client.post(
            f"/review/runs/{run.pk}/add/",
            {"application": world.application.pk, "reviewer": world.reviewer.pk},
        ).status_code
        == 302
    )
    assert client.post(f"/review/runs/{run.pk}/publish/", {"due_at": "2099-01-31T17:00"}).status_code == 302
    run.refresh_from_db()
    assert run.status == AssignmentRun.Status.PUBLISHED


def test_a_failed_run_shows_its_causes(world, client_for):
    run = AssignmentRunFactory(
        call=world.call,
        status=AssignmentRun.Status.FAILED,
        stage="Failed",
        message="No assignment satisfies the constraints:\n- Application TA-1 has no reviewer",
    )
    page = client_for(world.staff).get(f"/review/runs/{run.pk}/").content.decode()
    assert "The run failed" in page
    assert "Application TA-1 has no reviewer" in page


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_my_assignments_page_uses_a_constant_number_of_queries(world, client_for):
    client = client_for(world.reviewer)
    client.get("/review/assignments/")
    one = _queries(client, "/review/assignments/")
    for _ in range(2):
        AssignmentFactory(application=SubmittedApplicationFactory(call=world.call), reviewer=world.reviewer)
    three = _queries(client, "/review/assignments/")
    assert len(client.get("/review/assignments/").context["assignments"]) == 3
    assert three == one


def test_staff_invite_a_pool_member_from_the_pool_page(world, client_for):
    from tests.reviews.factories import ReviewerProfileFactory

    profile = ReviewerProfileFactory(user__full_name="Nina New")
    client = client_for(world.staff)
    page = client.get(f"/review/calls/{world.call.slug}/pool/")
    assert [p.user.full_name for p in page.context["profiles"]] == [
        "Conny Conflicted",
        "Nina New",
        "Oscar Outsider",
        "Otto Other",
        "Rita Reviewer",
    ]
    response = client.post(f"/review/calls/{world.call.slug}/pool/invite/", {"reviewer": profile.user.pk})
    assert response.status_code == 302
    assert (
        client_for(world.chair)
        .post(f"/review/calls/{world.call.slug}/pool/invite/", {"reviewer": profile.user.pk})
        .status_code
        == 403
    )
    again = client.post(f"/review/calls/{world.call.slug}/pool/invite/", {"reviewer": profile.user.pk})
    assert again.status_code == 409
