"""Who may do what with an application, for every API endpoint and portal page.

Actors: anonymous, the PI, an accepted co-investigator, another applicant, a reviewer (a signed-in
user with no relation to the application), a member of the call's committee, and staff. On every
denial nothing changes in the database or in storage, and the response does not reveal the title.
"""

from dataclasses import dataclass
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from applications.models import Application, Attachment, BudgetLine, ReviewerExclusion, TeamMember
from audit.models import AuditEvent
from tests.applications.factories import (
    ReviewerExclusionFactory,
    TeamMemberFactory,
    accepted_co_investigator,
    add_pdf,
    complete_draft,
    pdf_bytes,
)
from tests.factories import CallFactory, CommitteeMembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

TITLE = "Secret Remyelination Study"
ACTORS = ["anonymous", "pi", "co_investigator", "other_applicant", "reviewer", "committee_member", "staff"]
LOGIN_URL = "/accounts/login/"


def _codes(anonymous, pi, co_investigator, outsider, staff) -> dict[str, int]:
    return {
        "anonymous": anonymous,
        "pi": pi,
        "co_investigator": co_investigator,
        "other_applicant": outsider,
        "reviewer": outsider,
        "committee_member": outsider,
        "staff": staff,
    }


def api_read(pi=200):
    return _codes(403, pi, 200, 404, 200)


def api_write(pi):
    """Only the PI writes; staff and co-investigators are refused, outsiders do not see it exists."""
    return _codes(403, pi, 403, 404, 403)


def portal_read(pi=200):
    return _codes(302, pi, 200, 404, 200)


def portal_write(pi):
    return _codes(302, pi, 403, 404, 403)


@dataclass(frozen=True)
class Endpoint:
    method: str
    url: object  # world -> str
    expected: dict[str, int]
    data: object = None  # world -> payload
    api: bool = True
    format: str = "json"


def _cv_upload(w):
    return {"kind": "cv", "file": SimpleUploadedFile("cv.pdf", pdf_bytes(1), content_type="application/pdf")}


def _api(w, rest=""):
    return f"/api/v1/applications/{w.application.pk}/{rest}"


ENDPOINTS = {
    "api-detail-get": Endpoint("get", lambda w: _api(w), api_read()),
    "api-detail-patch": Endpoint("patch", lambda w: _api(w), api_write(200), lambda w: {"title": "Hijacked"}),
    "api-team-get": Endpoint("get", lambda w: _api(w, "team/"), api_read()),
    "api-team-post": Endpoint(
        "post",
        lambda w: _api(w, "team/"),
        api_write(201),
        lambda w: {
            "name": "New Person",
            "email": "new.person@example.org",
            "institution_name": "Somewhere",
            "role": "collaborator",
        },
    ),
    "api-team-member-patch": Endpoint(
        "patch",
        lambda w: _api(w, f"team/{w.collaborator.pk}/"),
        api_write(200),
        lambda w: {"name": "Renamed"},
    ),
    "api-team-member-delete": Endpoint(
        "delete", lambda w: _api(w, f"team/{w.collaborator.pk}/"), api_write(204)
    ),
    "api-budget-get": Endpoint("get", lambda w: _api(w, "budget/"), api_read()),
    "api-budget-post": Endpoint(
        "post",
        lambda w: _api(w, "budget/"),
        api_write(201),
        lambda w: {"category": "travel", "year": 1, "amount": "100.00", "justification": "Conference"},
    ),
    "api-budget-line-get": Endpoint("get", lambda w: _api(w, f"budget/{w.line.pk}/"), api_read()),
    "api-budget-line-patch": Endpoint(
        "patch", lambda w: _api(w, f"budget/{w.line.pk}/"), api_write(200), lambda w: {"amount": "1.00"}
    ),
    "api-budget-line-delete": Endpoint("delete", lambda w: _api(w, f"budget/{w.line.pk}/"), api_write(204)),
    "api-exclusions-get": Endpoint("get", lambda w: _api(w, "exclusions/"), api_read()),
    "api-exclusions-post": Endpoint(
        "post",
        lambda w: _api(w, "exclusions/"),
        api_write(201),
        lambda w: {"name": "A Rival", "reason": "Competing grant."},
    ),
    "api-attachments-get": Endpoint("get", lambda w: _api(w, "attachments/"), api_read()),
    "api-attachments-post": Endpoint(
        "post", lambda w: _api(w, "attachments/"), api_write(201), _cv_upload, format="multipart"
    ),
    "api-attachment-download": Endpoint(
        "get", lambda w: _api(w, f"attachments/{w.cv.pk}/download/"), api_read()
    ),
    "api-attachment-delete": Endpoint("delete", lambda w: _api(w, f"attachments/{w.cv.pk}/"), api_write(204)),
    "api-validation": Endpoint("get", lambda w: _api(w, "validation/"), api_read()),
    "api-submit": Endpoint("post", lambda w: _api(w, "submit/"), api_write(200)),
    "api-withdraw": Endpoint(
        "post", lambda w: _api(w, "withdraw/"), api_write(200), lambda w: {"reason": ""}
    ),
    "api-export": Endpoint("get", lambda w: "/api/v1/applications/export/", _codes(403, 403, 403, 403, 200)),
    "portal-detail": Endpoint(
        "get", lambda w: f"/applications/{w.application.pk}/", portal_read(302), api=False
    ),
    "portal-edit": Endpoint(
        "get", lambda w: f"/applications/{w.application.pk}/edit/", portal_write(200), api=False
    ),
    "portal-edit-details": Endpoint(
        "post",
        lambda w: f"/applications/{w.application.pk}/edit/details/",
        portal_write(302),
        lambda w: {"title": "Hijacked"},
        api=False,
    ),
    "portal-remove-team-member": Endpoint(
        "post",
        lambda w: f"/applications/{w.application.pk}/edit/team/{w.collaborator.pk}/remove/",
        portal_write(302),
        api=False,
    ),
    "portal-remove-budget-line": Endpoint(
        "post",
        lambda w: f"/applications/{w.application.pk}/edit/budget/{w.line.pk}/remove/",
        portal_write(302),
        api=False,
    ),
    "portal-pdf": Endpoint(
        "get", lambda w: f"/applications/{w.application.pk}/pdf/", portal_read(), api=False
    ),
    "portal-attachment": Endpoint(
        "get", lambda w: f"/applications/{w.application.pk}/attachments/{w.cv.pk}/", portal_read(), api=False
    ),
    "portal-submit": Endpoint(
        "post", lambda w: f"/applications/{w.application.pk}/submit/", portal_write(302), api=False
    ),
    "portal-withdraw-get": Endpoint(
        "get", lambda w: f"/applications/{w.application.pk}/withdraw/", portal_write(200), api=False
    ),
    "portal-withdraw-post": Endpoint(
        "post",
        lambda w: f"/applications/{w.application.pk}/withdraw/",
        portal_write(302),
        lambda w: {"reason": "Changed my mind."},
        api=False,
    ),
}


@pytest.fixture
def world(db, staff):
    call = CallFactory()
    application = complete_draft(call=call, title=TITLE)
    co_investigator = accepted_co_investigator(application)
    collaborator = TeamMemberFactory(application=application, role=TeamMember.Role.COLLABORATOR)
    ReviewerExclusionFactory(application=application)
    cv = add_pdf(application, kind=Attachment.Kind.CV, pages=1)
    other = complete_draft(call=call, title="Another applicant's study")
    actors = {
        "anonymous": None,
        "pi": application.pi,
        "co_investigator": co_investigator.user,
        "other_applicant": other.pi,
        "reviewer": UserFactory(full_name="Rita Reviewer"),
        "committee_member": CommitteeMembershipFactory(call=call).user,
        "staff": staff,
    }
    return SimpleNamespace(
        application=application,
        other=other,
        collaborator=collaborator,
        line=application.budget_lines.first(),
        cv=cv,
        actors=actors,
    )


def snapshot(application: Application, stored_files) -> dict:
    """Everything a request could change: the row, its children, the audit log and the stored files."""
    return {
        "row": Application.objects.filter(pk=application.pk).values().get(),
        "focus_areas": sorted(application.focus_areas.values_list("pk", flat=True)),
        "team": list(TeamMember.objects.filter(application=application).values()),
        "budget": list(BudgetLine.objects.filter(application=application).values()),
        "attachments": list(Attachment.objects.filter(application=application).values()),
        "exclusions": list(ReviewerExclusion.objects.filter(application=application).values()),
        "audit": list(AuditEvent.objects.values_list("pk", flat=True)),
        "files": stored_files(),
    }


def _send(client, endpoint: Endpoint, world):
    url = endpoint.url(world)
    data = endpoint.data(world) if endpoint.data else None
    if endpoint.api:
        return getattr(client, endpoint.method)(url, data, format=endpoint.format)
    if endpoint.method == "get":
        return client.get(url)
    return client.post(url, data or {})


CASES = [(name, actor) for name in ENDPOINTS for actor in ACTORS]


@pytest.mark.parametrize(("name", "actor"), CASES, ids=[f"{n}-{a}" for n, a in CASES])
def test_access(name, actor, world, client_for, stored_files):
    endpoint = ENDPOINTS[name]
    client = client_for(world.actors[actor], api=endpoint.api)
    before = snapshot(world.application, stored_files)

    response = _send(client, endpoint, world)

    expected = endpoint.expected[actor]
    assert response.status_code == expected
    if actor == "anonymous" and not endpoint.api:
        assert response["Location"].startswith(f"{LOGIN_URL}?next=")
    denied = expected >= 400 or actor == "anonymous"
    if denied:
        assert snapshot(world.application, stored_files) == before
        assert TITLE not in response.content.decode()
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)  # consuming it closes the file


def test_pdf_downloads_are_served_as_pdf(world, client_for):
    for actor in ("pi", "co_investigator", "staff"):
        for url in (
            f"/applications/{world.application.pk}/attachments/{world.cv.pk}/",
            f"/api/v1/applications/{world.application.pk}/attachments/{world.cv.pk}/download/",
        ):
            response = client_for(world.actors[actor]).get(url)
            assert response.status_code == 200, (actor, url)
            assert response["Content-Type"] == "application/pdf"
            with world.cv.file.open("rb") as stored:
                assert b"".join(response.streaming_content) == stored.read()


@pytest.mark.parametrize(
    ("actor", "visible"),
    [
        ("pi", ["application"]),
        ("co_investigator", ["application"]),
        ("other_applicant", ["other"]),
        ("reviewer", []),
        ("committee_member", []),
        ("staff", ["other", "application"]),  # newest first
    ],
)
def test_api_list_shows_only_visible_applications(actor, visible, world, client_for):
    response = client_for(world.actors[actor], api=True).get("/api/v1/applications/")

    assert response.status_code == 200
    assert [item["id"] for item in response.json()["results"]] == [getattr(world, v).pk for v in visible]
    if "application" not in visible:
        assert TITLE not in response.content.decode()


def test_api_list_refuses_anonymous(world, api_client):
    response = api_client.get("/api/v1/applications/")

    assert response.status_code == 403
    assert TITLE not in response.content.decode()


@pytest.mark.parametrize(
    ("actor", "own", "shared"),
    [
        ("pi", [TITLE], []),
        ("co_investigator", [], [TITLE]),
        ("other_applicant", ["Another applicant's study"], []),
        ("reviewer", [], []),
        ("committee_member", [], []),
        ("staff", [], []),
    ],
)
def test_my_applications_lists_own_and_co_investigated(actor, own, shared, world, client_for):
    response = client_for(world.actors[actor]).get(reverse("applications:my_applications"))

    assert response.status_code == 200
    assert [a.title for a in response.context["applications"]] == own
    assert [a.title for a in response.context["shared"]] == shared
    if TITLE not in own + shared:
        assert TITLE not in response.content.decode()


def test_my_applications_sends_anonymous_to_sign_in(world, client):
    response = client.get("/applications/")

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next=/applications/"


def test_an_applicant_without_relation_cannot_reach_children_through_their_own_application(world, client_for):
    """Child ids of another application under one's own application id are not found."""
    other = world.other
    client = client_for(other.pi, api=True)
    before = TeamMember.objects.filter(pk=world.collaborator.pk).values().get()

    responses = [
        client.patch(f"/api/v1/applications/{other.pk}/team/{world.collaborator.pk}/", {"name": "X"}),
        client.delete(f"/api/v1/applications/{other.pk}/budget/{world.line.pk}/"),
        client.get(f"/api/v1/applications/{other.pk}/attachments/{world.cv.pk}/download/"),
        client_for(other.pi).get(f"/applications/{other.pk}/attachments/{world.cv.pk}/"),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert TeamMember.objects.filter(pk=world.collaborator.pk).values().get() == before
    assert BudgetLine.objects.filter(pk=world.line.pk).exists()
