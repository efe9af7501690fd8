"""The portfolio page: filters, one accessible SVG chart per breakdown with a data table behind it and
a CSV of its data; the process analytics page and its downloads."""

import csv
import io
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews.models import Conflict
from tests.portfolio.world import funded


def text(response) -> str:
    return response.content.decode()


def csv_of(response) -> list[list[str]]:
    assert response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_every_chart_is_an_accessible_svg_with_a_data_table(world, client_for):
    page = text(client_for(world.staff).get(reverse("portfolio:portfolio")))

    svgs = re.findall(r"<svg [^>]*>.*?</svg>", page, flags=re.S)
    assert len(svgs) == 6
    for svg in svgs:
        assert 'role="img"' in svg
        title = re.search(r'aria-labelledby="(\S+)-title \1-desc"', svg)
        assert title, svg[:200]
        assert f'<title id="{title.group(1)}-title">' in svg
        assert f'<desc id="{title.group(1)}-desc">' in svg
        assert "<text" in svg  # every bar is labelled in text
    details = re.findall(r'<details class="chart-data">.*?</details>', page, flags=re.S)
    assert len(details) == 6
    assert all("<table" in d and "<caption>" in d for d in details)
    assert page.count("export=") >= 7  # six charts and the pairs


def test_the_page_shows_the_totals_and_the_planning_pair(world, client_for):
    page = text(client_for(world.staff).get(reverse("portfolio:portfolio")))

    assert "EUR 140,000.00" in page
    assert "AW-PG-2025-0001" in page
    assert "AW-CNA-2026-0001" in page
    assert "A declined planning grant" not in page


def test_a_filter_narrows_every_chart_and_the_csv_keeps_it(world, client_for):
    client = client_for(world.staff)

    page = text(client.get(reverse("portfolio:portfolio"), {"country": "IT"}))
    rows = csv_of(client.get(reverse("portfolio:portfolio"), {"country": "IT", "export": "funder"}))

    assert "EUR 20,000.00" in page
    assert "export=funder" in page
    assert "country=IT" in page
    assert rows == [
        ["Funder", "Awards", "Amount (EUR)", "Share of the total (%)"],
        ["Alpha", "1", "20000.00", "100.0"],
    ]


def test_each_chart_downloads_its_data(world, client_for):
    rows = csv_of(client_for(world.member).get(reverse("portfolio:portfolio"), {"export": "stage"}))

    assert rows == [
        ["Stage", "Awards", "Amount (EUR)", "Share of the total (%)"],
        ["Stage 1: planning grants", "2", "60000.00", "42.9"],
        ["Stage 2: follow-on awards", "1", "80000.00", "57.1"],
    ]


def test_an_unknown_download_is_a_404(world, client_for):
    assert (
        client_for(world.staff).get(reverse("portfolio:portfolio"), {"export": "secrets"}).status_code == 404
    )


def test_a_bad_filter_is_shown_and_the_rest_applies(world, client_for):
    page = text(
        client_for(world.staff).get(reverse("portfolio:portfolio"), {"year": "1900", "country": "IT"})
    )

    assert "Some filters were not understood" in page
    assert "EUR 20,000.00" in page


def test_a_conflicted_member_does_not_see_the_pair_named(world, client_for):
    Conflict.objects.create(
        application=world.awards["A1"].application,
        reviewer=world.member,
        source=Conflict.Source.DECLARED,
        kind=Conflict.Kind.COLLABORATOR,
        reason="We work together.",
    )

    page = text(client_for(world.member).get(reverse("portfolio:portfolio")))

    assert "AW-PG-2025-0001" not in page
    assert "counted above but not named" in page


def test_the_api_gives_the_same_figures_with_the_same_filters(world, client_for):
    response = client_for(world.member, api=True).get(reverse("api-portfolio"), {"program": "PG"})

    body = response.json()
    assert response.status_code == 200
    assert (body["currency"], body["awards"], body["amount"]) == ("EUR", 2, "60000.00")
    funder = next(b for b in body["breakdowns"] if b["key"] == "funder")
    assert [(r["label"], r["awards"], r["amount"]) for r in funder["rows"]] == [
        ("Alpha", 2, "50000.00"),
        ("Beta", 1, "10000.00"),
    ]
    assert body["filters"] == {"program": "PG"}
    assert body["planning_grants"] == 2
    assert body["planning_grants_with_follow_on"] == 1


def test_the_api_refuses_an_unknown_filter_value(world, client_for):
    response = client_for(world.staff, api=True).get(reverse("api-portfolio"), {"funder": "999999"})

    assert response.status_code == 400
    assert list(response.json()) == ["detail", "funder"]


def _more_awards(world, count):
    for n in range(count):
        funded(
            world.network_call,
            reference=f"CNA-2026-01{n:02d}",
            pi=world.member,
            institution=world.genoa,
            title=f"Another network {n}",
            amount="1000",
            shares={world.beta: "1000"},
            areas=[world.areas["rehabilitation"]],
            year=2026,
        )


def test_the_page_and_the_api_take_as_many_queries_for_three_awards_as_for_five(
    world, client_for, django_assert_num_queries
):
    client, api = client_for(world.member), client_for(world.member, api=True)
    client.get(reverse("portfolio:portfolio"))  # warm the session and content-type caches
    with CaptureQueriesContext(connection) as page:
        client.get(reverse("portfolio:portfolio"))
    with CaptureQueriesContext(connection) as body:
        api.get(reverse("api-portfolio"))
    _more_awards(world, 2)

    with django_assert_num_queries(len(page.captured_queries)):
        assert client.get(reverse("portfolio:portfolio")).status_code == 200
    with django_assert_num_queries(len(body.captured_queries)):
        assert api.get(reverse("api-portfolio")).json()["awards"] == 5
