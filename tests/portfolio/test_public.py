"""The public page lists only what staff published, never a researcher's name; publishing and
unpublishing are audited."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from awards.models import Award
from core.errors import StateConflict
from portfolio.models import PublishedProject
from portfolio.services import publish_project, unpublish_project


def page(client) -> str:
    response = client.get(reverse("portfolio:funded_projects"))
    assert response.status_code == 200
    return response.content.decode()


def test_only_published_projects_are_listed(world, client_for):
    publish_project(award=world.awards["A2"], by=world.staff)

    html = page(client_for(None))

    assert "Planning neuroprotection trials" in html
    assert "Plain-language summary of planning neuroprotection trials." in html
    assert "University of Genoa, Italy" in html
    assert "EUR 20,000.00" in html
    assert "Alpha MS Society" in html
    assert "Planning a remyelination network" not in html
    assert "The remyelination network" not in html


def test_no_researcher_is_named_on_the_public_page(world, client_for):
    for key in ("A1", "A2", "B1"):
        publish_project(award=world.awards[key], by=world.staff)

    html = page(client_for(None))

    for name in ("Pia", "Planner", "Paolo", "Secondo", "pia@example.org", "paolo@example.org"):
        assert name not in html


def test_an_award_declined_after_publishing_leaves_the_page(world, client_for):
    award = world.awards["A2"]
    publish_project(award=award, by=world.staff)
    Award.objects.filter(pk=award.pk).update(status=Award.Status.DECLINED)

    assert "Planning neuroprotection trials" not in page(client_for(None))


def test_publish_and_unpublish_write_one_audit_row_each(world):
    award = world.awards["A1"]

    publish_project(award=award, by=world.staff)
    publish_project(award=award, by=world.staff)  # again: nothing changes
    unpublish_project(award=award, by=world.staff)
    unpublish_project(award=award, by=world.staff)

    events = AuditEvent.objects.filter(target_id=str(award.pk)).order_by("id")
    assert [(e.verb, e.actor_id) for e in events] == [
        ("project.published", world.staff.pk),
        ("project.unpublished", world.staff.pk),
    ]
    assert not PublishedProject.objects.exists()


def test_a_declined_award_cannot_be_published(world):
    with pytest.raises(StateConflict, match="declined by the awardee"):
        publish_project(award=world.awards["A3"], by=world.staff)
    assert not PublishedProject.objects.exists()


def test_staff_publish_and_unpublish_from_the_portal(world, client_for):
    client = client_for(world.staff)
    award = world.awards["B1"]

    response = client.post(
        reverse("portfolio:project_publish", args=[award.pk]), {"next": "/portfolio/projects/"}
    )
    assert response.status_code == 302
    assert PublishedProject.objects.get().published_by == world.staff
    listing = client.get(reverse("portfolio:projects")).content.decode()
    assert "Unpublish" in listing
    assert "AW-CNA-2026-0001" in listing
    assert "A declined planning grant" not in listing

    client.post(
        reverse("portfolio:project_unpublish", args=[award.pk]), {"next": "https://elsewhere.example/"}
    )
    assert not PublishedProject.objects.exists()


def test_the_public_page_takes_a_fixed_number_of_queries(world, client_for, django_assert_num_queries):
    client = client_for(None)
    publish_project(award=world.awards["A1"], by=world.staff)
    with django_assert_num_queries(4) as one:
        page(client)
    for key in ("A2", "B1"):
        publish_project(award=world.awards[key], by=world.staff)
    with django_assert_num_queries(len(one.captured_queries)):
        page(client)
