"""Lists use a fixed number of queries, whatever the number of applications (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.applications.factories import TeamMemberFactory, accepted_co_investigator, complete_draft
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db


def full_application(**kwargs):
    """With team, budget lines, attachments and focus areas."""
    application = complete_draft(**kwargs)
    TeamMemberFactory(application=application)
    return application


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_api_list_for_staff_is_constant(staff, client_for):
    client = client_for(staff, api=True)
    full_application()
    client.get("/api/v1/applications/")  # warm caches (content types, sessions)
    one = queries(client, "/api/v1/applications/")

    full_application()
    full_application()
    three = queries(client, "/api/v1/applications/")

    assert len(client.get("/api/v1/applications/").json()["results"]) == 3
    assert three == one


def test_the_export_is_constant(staff, client_for):
    client = client_for(staff, api=True)
    full_application()
    client.get("/api/v1/applications/export/")

    def export_queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/api/v1/applications/export/")
            rows = b"".join(response.streaming_content).decode().splitlines()
        return len(captured), len(rows)

    one, rows = export_queries()
    full_application()
    full_application()
    three, more_rows = export_queries()

    assert (rows, more_rows) == (2, 4)
    assert three == one


def test_my_applications_page_is_constant(client_for):
    first = full_application()
    pi = first.pi
    shared = full_application()
    accepted_co_investigator(shared, pi)
    client = client_for(pi)
    client.get("/applications/")
    one = queries(client, "/applications/")

    full_application(pi=pi, call=CallFactory())
    full_application(pi=pi, call=CallFactory())
    other_shared = full_application()
    accepted_co_investigator(other_shared, pi)
    three = queries(client, "/applications/")

    response = client.get("/applications/")
    assert len(response.context["applications"]) == 3
    assert len(response.context["shared"]) == 2
    assert three == one
