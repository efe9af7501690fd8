"""Query-count guards of the pages ``bench/load.py`` measures: the application page read by an assigned
reviewer and the reviewer's list of assignments. (The ranking's are in tests/reviews/test_ranking.py.)

Each page makes as many queries with one item in its lists as with three, reads the application
once, and leaves out what it does not show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import Application
from tests.applications.factories import (
    BudgetLineFactory,
    ReviewerExclusionFactory,
    TeamMemberFactory,
    add_pdf,
)
from tests.factories import CallFactory, FocusAreaFactory
from tests.reviews.factories import AssignmentFactory, SubmittedApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "storage"


def captured(client, path) -> list[str]:
    client.get(path)  # warm: the session's first checks, content types
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def from_table(queries: list[str], table: str) -> list[str]:
    return [sql for sql in queries if f'FROM "{table}"' in sql]


def test_the_application_page_of_an_assigned_reviewer_is_constant(client_for):
    call = CallFactory(status="closed")
    application = SubmittedApplicationFactory(call=call)
    assignment = AssignmentFactory(application=application)
    path = f"/applications/{application.pk}/"
    client = client_for(assignment.reviewer)
    application.focus_areas.add(FocusAreaFactory(name="Repair", slug="repair"))
    TeamMemberFactory(application=application)
    BudgetLineFactory(application=application)
    add_pdf(application)
    ReviewerExclusionFactory(application=application)
    one = captured(client, path)

    application.focus_areas.add(*(FocusAreaFactory(name=f"Area {i}", slug=f"area-{i}") for i in range(2)))
    for _ in range(2):
        TeamMemberFactory(application=application, name=f"Member {_}")
        BudgetLineFactory(application=application, year=2)
        add_pdf(application, kind="cv")
    three = captured(client, path)

    assert len(three) == len(one)
    # Read once (visibility and content in one query), not again to load what the page shows.
    assert len(from_table(three, "applications_application")) == 1
    # Nothing the page does not show: the reviewer exclusions (never a reviewer's business) and the
    # call's focus areas are for the edit form and the API.
    assert from_table(three, "applications_reviewerexclusion") == []
    assert [sql for sql in three if "applications_call_focus_areas" in sql] == []
    body = client.get(path).content.decode()
    assert body.count("<li>Team Member") + body.count("<li>Member ") == 3
    assert "Rival Researcher" not in body


def test_the_application_page_is_still_refused_to_a_reviewer_who_is_not_assigned(client_for):
    application = SubmittedApplicationFactory(call=CallFactory(status="closed"))
    other = AssignmentFactory(application=SubmittedApplicationFactory(call=application.call))
    assert client_for(other.reviewer).get(f"/applications/{application.pk}/").status_code == 404
    assert client_for(other.reviewer).get(f"/applications/{other.application.pk}/").status_code == 200


def test_the_list_of_assignments_reads_no_long_texts(client_for):
    call = CallFactory(status="closed", description="A long description of the call. " * 50)
    first = AssignmentFactory(application=SubmittedApplicationFactory(call=call, lay_summary="Long " * 300))
    client = client_for(first.reviewer)
    one = captured(client, "/review/assignments/")
    for _ in range(2):
        AssignmentFactory(application=SubmittedApplicationFactory(call=call), reviewer=first.reviewer)
    three = captured(client, "/review/assignments/")

    assert len(three) == len(one)
    [listing] = from_table(three, "reviews_assignment")
    for column in ("lay_summary", "scientific_abstract", "description", "strengths", "confidential_comments"):
        assert f'."{column}"' not in listing
    page = client.get("/review/assignments/")
    assert len(page.context["assignments"]) == 3
    assert Application.objects.get(pk=first.application.pk).reference in page.content.decode()
