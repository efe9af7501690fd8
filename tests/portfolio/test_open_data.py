"""360Giving: the JSON package validates against the standard's schemas, the CSV uses its column titles,
identifiers follow the org-id rules, and no researcher is ever named."""

import csv
import io
import json

import pytest
from django.urls import reverse

from applications.models import Application
from portfolio.open_data import Scope, csv_rows, package
from portfolio.services import publish_project
from tests.portfolio.threesixty import as_template, column_titles, errors
from tests.portfolio.world import funded

REQUIRED = ["Identifier", "Title", "Description", "Currency", "Amount Awarded", "Award Date"]


def by_id(data: dict) -> dict:
    return {g["id"]: g for g in data["grants"]}


def test_the_package_of_every_standing_award_validates(world):
    data = package(Scope.ALL)

    assert errors(data) == []
    assert sorted(by_id(data)) == [
        "360G-granted-AW-CNA-2026-0001",
        "360G-granted-AW-PG-2025-0001",
        "360G-granted-AW-PG-2025-0002",
    ]
    assert data["version"] == "1.4"


def test_a_grant_carries_programme_focus_areas_country_funders_and_the_stage_link(world):
    grants = by_id(package(Scope.ALL))
    network = grants["360G-granted-AW-CNA-2026-0001"]
    planning = grants["360G-granted-AW-PG-2025-0001"]

    assert network == {
        "id": "360G-granted-AW-CNA-2026-0001",
        "title": "The remyelination network",
        "description": "Plain-language summary of the remyelination network.",
        "currency": "USD",
        "amountAwarded": 88000,
        "amountAppliedFor": 88000,
        "awardDate": "2026-03-02T10:00:00+00:00",
        "plannedDates": [{"startDate": "2026-09-01T00:00:00+00:00", "duration": 12}],
        "recipientOrganization": [
            {"id": "XI-ROR-052gg0110", "name": "University of Oxford", "addressCountry": "United Kingdom"}
        ],
        "beneficiaryLocation": [{"name": "United Kingdom", "countryCode": "GB"}],
        "fundingOrganization": [
            {"id": "XI-ROR-013meh722", "name": "Beta MS Society"},
            {"id": f"360G-granted-funder-{world.gamma.pk}", "name": "Gamma Foundation"},
        ],
        "grantProgramme": [{"code": "CNA", "title": "Collaborative Network Awards"}],
        "fromOpenCall": "No",  # stage 2: open only to planning-grant holders
        "classifications": [
            {"vocabulary": "360G-granted-focus-area", "code": "rehabilitation", "title": "Rehabilitation"},
            {"vocabulary": "360G-granted-focus-area", "code": "remyelination", "title": "Remyelination"},
        ],
        "relatedActivity": ["360G-granted-AW-PG-2025-0001"],
        "dateModified": "2026-03-02T10:00:00+00:00",
    }
    assert planning["relatedActivity"] == ["360G-granted-AW-CNA-2026-0001"]
    assert planning["fundingOrganization"][0] == {"id": "GB-CHC-1000001", "name": "Alpha MS Society"}
    assert planning["fromOpenCall"] == "Yes"
    genoa = grants["360G-granted-AW-PG-2025-0002"]["recipientOrganization"][0]
    assert genoa["id"] == f"360G-granted-institution-{world.genoa.pk}"


def test_the_public_package_holds_only_published_projects_and_links_only_between_them(world):
    publish_project(award=world.awards["B1"], by=world.staff)
    publish_project(award=world.awards["A2"], by=world.staff)

    data = package(Scope.PUBLISHED)

    assert errors(data) == []
    assert sorted(by_id(data)) == ["360G-granted-AW-CNA-2026-0001", "360G-granted-AW-PG-2025-0002"]
    assert "relatedActivity" not in by_id(data)["360G-granted-AW-CNA-2026-0001"]  # A1 is not published


def test_the_grant_id_prefix_is_a_setting(world, settings):
    settings.GRANTED_360_PREFIX = "360G-msalliance"

    data = package(Scope.ALL)

    assert errors(data) == []
    assert sorted(by_id(data))[0] == "360G-msalliance-AW-CNA-2026-0001"


def test_an_award_without_an_institution_goes_to_a_generic_individual(world):
    award = funded(
        world.planning_call,
        reference="PG-2025-0009",
        pi=world.member,
        institution=None,
        title="An independent researcher's plan",
        amount="5000",
        shares={world.alpha: "5000"},
    )

    grant = by_id(package(Scope.ALL))["360G-granted-AW-PG-2025-0009"]

    assert errors(package(Scope.ALL)) == []
    assert grant["recipientIndividual"] == {
        "id": f"360G-granted-individual-{award.pk}",
        "name": "Individual Recipient",
    }
    assert "recipientOrganization" not in grant
    assert "beneficiaryLocation" not in grant


def test_no_researcher_is_named_anywhere_in_the_open_data(world):
    for key in ("A1", "A2", "B1"):
        publish_project(award=world.awards[key], by=world.staff)
    text = json.dumps([package(Scope.ALL), package(Scope.PUBLISHED), list(csv_rows(Scope.ALL))])
    pis = Application.objects.values_list("pi__full_name", "pi__email")

    for name, email in pis:
        for word in [*name.split(), email]:
            assert word not in text


def test_the_csv_uses_the_standards_column_titles(world):
    rows = list(csv_rows(Scope.ALL))
    header = rows[0]

    assert header[0] == "Identifier"
    assert set(REQUIRED) <= set(header)
    assert {
        "Recipient Org:Identifier",
        "Recipient Org:Name",
        "Funding Org:0:Identifier",
        "Funding Org:0:Name",
    } <= set(header)
    allowed = column_titles()
    assert [title for title in header if as_template(title) not in allowed] == []
    assert len(rows) == 4
    network = dict(zip(header, rows[1], strict=True))
    assert network["Identifier"] == "360G-granted-AW-CNA-2026-0001"
    assert network["Amount Awarded"] == 88000
    assert network["Funding Org:1:Name"] == "Gamma Foundation"
    assert network["Classifications:1:Code"] == "remyelination"
    assert network["Related Activity"] == "360G-granted-AW-PG-2025-0001"
    assert network["Recipient Ind:Name"] == ""


@pytest.mark.parametrize(
    ("who", "scope", "status", "grants"),
    [
        (None, "", 200, ["360G-granted-AW-CNA-2026-0001"]),
        (None, "all", 403, None),
        ("applicant", "all", 403, None),
        (
            "staff",
            "all",
            200,
            ["360G-granted-AW-CNA-2026-0001", "360G-granted-AW-PG-2025-0001", "360G-granted-AW-PG-2025-0002"],
        ),
        ("staff", "everything", 400, None),
    ],
)
def test_the_open_data_endpoint(world, client_for, who, scope, status, grants):
    publish_project(award=world.awards["B1"], by=world.staff)
    client = client_for(getattr(world, who) if who else None, api=True)

    response = client.get(reverse("api-360giving"), {"scope": scope} if scope else {})

    assert response.status_code == status
    if grants is not None:
        assert sorted(by_id(response.json())) == grants
        assert errors(response.json()) == []


def test_the_open_data_csv_download_streams(world, client_for):
    publish_project(award=world.awards["A2"], by=world.staff)

    response = client_for(None).get(reverse("portfolio:open_data_csv"))

    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row[0] for row in rows] == ["Identifier", "360G-granted-AW-PG-2025-0002"]
    assert client_for(None).get(reverse("portfolio:open_data_csv"), {"scope": "all"}).status_code == 403


def test_the_validator_is_not_vacuous(world):
    data = package(Scope.ALL)
    del data["grants"][0]["title"]
    data["grants"][1]["currency"] = "ZZZ"

    found = errors(data)

    assert len(found) == 2
    assert found[1].startswith("grants/1/currency:")
