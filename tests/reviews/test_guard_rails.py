"""Findings of a second read, each pinned: what a reviewer may not learn about the applicant's side,
withdrawn applications leaving a reviewer's work, bad ids answered 400, and admin pages that could
otherwise change state without the audited services."""

import pytest

from applications.models import Application, CommitteeMembership
from reviews.models import ReviewForm
from reviews.selectors import assignments_for_reviewer
from tests.applications.factories import ReviewerExclusionFactory, TeamMemberFactory
from tests.factories import UserFactory
from tests.reviews.factories import SubmittedReviewFactory

SECRET_REASON = "He took our unpublished data"


@pytest.fixture
def applicant_side(world):
    TeamMemberFactory(application=world.application, name="Cora Coinvestigator", email="cora@lab.example")
    ReviewerExclusionFactory(application=world.application, name="Dr Rival", reason=SECRET_REASON)
    return world


def test_an_assigned_reviewer_reads_the_application_but_not_the_applicant_side(applicant_side, client_for):
    world = applicant_side
    api = client_for(world.reviewer, api=True)
    detail = api.get(f"/api/v1/applications/{world.application.pk}/")
    assert detail.status_code == 200
    body = detail.content.decode()
    assert SECRET_REASON not in body
    assert "Dr Rival" not in body
    assert "cora@lab.example" not in body
    assert world.application.pi.email not in body
    assert [m["name"] for m in detail.json()["team"]] == ["Cora Coinvestigator"]
    for nested in ("exclusions", "team"):
        response = api.get(f"/api/v1/applications/{world.application.pk}/{nested}/")
        assert response.status_code == 403
        assert SECRET_REASON not in response.content.decode()


def test_the_pi_and_staff_still_see_the_applicant_side(applicant_side, client_for):
    world = applicant_side
    for user in (world.application.pi, world.staff):
        body = client_for(user, api=True).get(f"/api/v1/applications/{world.application.pk}/").json()
        assert [x["reason"] for x in body["exclusions"]] == [SECRET_REASON]
        assert [m["email"] for m in body["team"]] == ["cora@lab.example"]


def test_a_withdrawn_application_leaves_the_reviewers_work(world, client_for):
    assignment = assignments_for_reviewer(world.reviewer).get(application=world.application)
    Application.objects.filter(pk=world.application.pk).update(status=Application.Status.WITHDRAWN)
    assert list(assignments_for_reviewer(world.reviewer)) == []
    assert client_for(world.reviewer).get(f"/review/assignments/{assignment.pk}/").status_code == 404


@pytest.mark.parametrize("value", ["²", "abc", "1.5", "-1"])
def test_a_bad_application_id_in_the_reviews_api_is_a_400(world, client_for, value):
    response = client_for(world.reviewer, api=True).get("/api/v1/reviews/", {"application": value})
    assert response.status_code == 400
    assert "application" in response.json()


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_committee_seats_and_awards_are_read_only_in_the_admin(world, admin_client):
    seat = CommitteeMembership.objects.get(call=world.call, user=world.member)
    assert admin_client.get("/admin/applications/committeemembership/add/").status_code == 403
    response = admin_client.post(
        f"/admin/applications/committeemembership/{seat.pk}/change/", {"role": "chair", "user": seat.user_id}
    )
    assert response.status_code == 403
    seat.refresh_from_db()
    assert seat.role == CommitteeMembership.Role.MEMBER
    assert admin_client.get("/admin/awards/award/add/").status_code == 403


def test_a_review_form_in_use_cannot_change_in_the_admin(admin_client, db):
    review = SubmittedReviewFactory()
    form = review.form
    response = admin_client.post(f"/admin/reviews/reviewform/{form.pk}/change/", {"name": "Renamed"})
    assert response.status_code == 403
    assert ReviewForm.objects.get(pk=form.pk).name == form.name


def test_only_the_open_calls_nav_link_is_marked_current(world, client_for):
    from tests.factories import CallFactory, CommitteeMembershipFactory

    second = CallFactory(title="Second Call", slug="second-call")
    CommitteeMembershipFactory(call=second, user=world.member)
    html = client_for(world.member).get(f"/review/calls/{world.call.slug}/ranking/").content.decode()
    current = [line for line in html.splitlines() if 'aria-current="page"' in line and "Ranking:" in line]
    assert len(current) == 1
    assert world.call.slug in current[0]
