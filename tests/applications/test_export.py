"""The staff CSV export of the applications register, with the list's filters."""

import csv
import io

import pytest

from applications.models import Application
from tests.applications.factories import ApplicantFactory, ApplicationFactory
from tests.factories import CallFactory, FocusAreaFactory, InstitutionFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/applications/export/"


@pytest.fixture
def register(db):
    neuro = FocusAreaFactory(name="Neuroscience", slug="neuro")
    imaging = FocusAreaFactory(name="Imaging", slug="imaging")
    call_a = CallFactory(slug="call-a")
    call_b = CallFactory(slug="call-b")

    def make(title, call, status, country, area, reference="", **fields):
        pi = ApplicantFactory(institution=InstitutionFactory(country=country))
        application = ApplicationFactory(
            title=title, call=call, pi=pi, status=status, reference=reference, **fields
        )
        application.focus_areas.add(area)
        return application

    S = Application.Status
    make("Alpha remyelination", call_a, S.SUBMITTED, "GB", neuro, reference="CA-2026-0001")
    make("Beta imaging", call_a, S.DRAFT, "DE", imaging)
    make("Gamma cohort", call_b, S.WITHDRAWN, "FR", neuro, keywords="remyelination, cohort")
    make("Delta trial", call_b, S.SUBMITTED, "GB", imaging, reference="CA-2026-0002")


def exported(client, query="") -> list[str]:
    response = client.get(URL + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["reference", "call", "status", "title"]
    return [row[3] for row in rows[1:]]


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("", ["Beta imaging", "Alpha remyelination", "Gamma cohort", "Delta trial"]),
        ("?call=call-a", ["Beta imaging", "Alpha remyelination"]),
        ("?status=submitted", ["Alpha remyelination", "Delta trial"]),
        ("?status=draft&status=withdrawn", ["Beta imaging", "Gamma cohort"]),
        ("?country=de", ["Beta imaging"]),
        ("?country=GB", ["Alpha remyelination", "Delta trial"]),
        ("?focus_area=neuro", ["Alpha remyelination", "Gamma cohort"]),
        ("?q=remyelin", ["Alpha remyelination", "Gamma cohort"]),
        ("?q=CA-2026-0002", ["Delta trial"]),
        ("?call=call-b&status=submitted", ["Delta trial"]),
        ("?focus_area=imaging&country=GB", ["Delta trial"]),
    ],
)
def test_export_filters(query, titles, register, staff, client_for):
    assert exported(client_for(staff, api=True), query) == titles


def test_export_row_content(register, staff, client_for):
    response = client_for(staff, api=True).get(URL + "?q=Alpha")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    row = dict(zip(rows[0], rows[1], strict=True))

    assert (row["reference"], row["call"], row["status"], row["country"], row["focus_areas"]) == (
        "CA-2026-0001",
        "call-a",
        "submitted",
        "GB",
        "neuro",
    )


def test_export_is_for_staff_only(register, client_for):
    applicant = Application.objects.get(title="Alpha remyelination").pi

    response = client_for(applicant, api=True).get(URL)

    assert response.status_code == 403
    assert response.json() == {"detail": "Only staff can export the applications register."}
    assert client_for(None, api=True).get(URL).status_code == 403
