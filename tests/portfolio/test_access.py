"""Who reaches which portfolio page and endpoint: anonymous, an applicant, a committee member, staff.
A denied publish changes nothing."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from portfolio.models import PublishedProject

LOGIN = 302


def url(world, name):
    return {
        "portfolio": reverse("portfolio:portfolio"),
        "analytics": reverse("portfolio:analytics"),
        "exports": reverse("portfolio:exports"),
        "register": reverse("portfolio:register_export", args=["planning-2025", "scores", "csv"]),
        "projects": reverse("portfolio:projects"),
        "public": reverse("portfolio:funded_projects"),
    }[name]


MATRIX = [
    # page, anonymous, applicant, committee member, staff
    ("portfolio", LOGIN, 403, 200, 200),
    ("analytics", LOGIN, 403, 403, 200),
    ("exports", LOGIN, 403, 403, 200),
    ("register", LOGIN, 403, 403, 200),
    ("projects", LOGIN, 403, 403, 200),
    ("public", 200, 200, 200, 200),
]
ACTORS = [None, "applicant", "member", "staff"]


@pytest.mark.parametrize(
    ("page", "actor", "status"),
    [(row[0], actor, status) for row in MATRIX for actor, status in zip(ACTORS, row[1:], strict=True)],
)
def test_page_access(world, client_for, page, actor, status):
    response = client_for(getattr(world, actor) if actor else None).get(url(world, page))

    assert response.status_code == status


@pytest.mark.parametrize(
    ("actor", "status"), [(None, 403), ("applicant", 403), ("member", 200), ("staff", 200)]
)
def test_api_access(world, client_for, actor, status):
    response = client_for(getattr(world, actor) if actor else None, api=True).get(reverse("api-portfolio"))

    assert response.status_code == status


@pytest.mark.parametrize(("actor", "status"), [(None, LOGIN), ("applicant", 403), ("member", 403)])
def test_only_staff_publish_and_a_denial_changes_nothing(world, client_for, actor, status):
    award = world.awards["A1"]
    client = client_for(getattr(world, actor) if actor else None)

    response = client.post(reverse("portfolio:project_publish", args=[award.pk]))

    assert response.status_code == status
    assert not PublishedProject.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="project.").exists()


def test_the_portfolio_link_shows_for_staff_and_committee_members_only(world, client_for):
    link = f'href="{reverse("portfolio:portfolio")}"'

    assert link in client_for(world.staff).get("/").content.decode()
    assert link in client_for(world.member).get("/").content.decode()
    assert link not in client_for(world.applicant).get("/").content.decode()
    assert link not in client_for(None).get("/").content.decode()
