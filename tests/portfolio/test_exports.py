"""A call's registers: streamed CSV (a StreamingHttpResponse) and XLSX written to a temporary file
(a FileResponse), with the content of the fixture."""

import csv
import io
from datetime import timedelta

from django.http import FileResponse, StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

from reviews.models import CriterionScore
from tests.reviews.factories import (
    AssignmentFactory,
    CriterionFactory,
    ReviewerProfileFactory,
    ReviewFormFactory,
)


def get(client, slug, register, fmt):
    return client.get(reverse("portfolio:register_export", args=[slug, register, fmt]))


def csv_of(response) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_the_decisions_register_streams_as_csv(world, client_for):
    response = get(client_for(world.staff), "network-2026", "decisions", "csv")

    assert response["Content-Disposition"] == 'attachment; filename="network-2026-decisions.csv"'
    assert csv_of(response) == [
        [
            "Reference",
            "Title",
            "Outcome",
            "Status",
            "Told the applicant",
            "Approved amount (USD)",
            "Beta share (USD)",
            "Gamma share (USD)",
            "Start date",
            "Duration (months)",
            "Applied at",
            "Award",
            "Award status",
        ],
        [
            "CNA-2026-0001",
            "The remyelination network",
            "Fund",
            "Applied",
            "Fund",
            "88000.0",
            "55000.0",
            "33000.0",
            "2026-09-01",
            "12",
            "2026-03-02T10:00:00+00:00",
            "AW-CNA-2026-0001",
            "Offered",
        ],
    ]


def test_the_applications_register_leaves_drafts_out(world, client_for):
    from tests.applications.factories import ApplicationFactory

    ApplicationFactory(call=world.planning_call, title="A draft nobody submitted")

    rows = csv_of(get(client_for(world.staff), "planning-2025", "applications", "csv"))

    assert [row[0] for row in rows] == ["Reference", "PG-2025-0001", "PG-2025-0002", "PG-2025-0003"]
    assert rows[1][3:9] == [
        "Pia Planner",
        "pia@example.org",
        "University of Oxford",
        "GB",
        "052gg0110",
        "Remyelination",
    ]


def test_scores_are_one_row_per_criterion_with_not_applicable_left_empty(world, client_for):
    call = world.planning_call
    form = ReviewFormFactory(call=call)
    impact = CriterionFactory(form=form, key="impact", label="Impact", position=1)
    lay = CriterionFactory(form=form, key="lay", label="Lay relevance", position=2, allow_not_applicable=True)
    reviewer = ReviewerProfileFactory(user__full_name="Rita Reviewer").user
    assignment = AssignmentFactory(application=world.awards["A1"].application, reviewer=reviewer)
    review = form.reviews.create(
        assignment=assignment,
        status="submitted",
        weighted_total=75.0,
        overall_score=4,
        submitted_at=assignment.published_at + timedelta(days=3),
    )
    CriterionScore.objects.create(review=review, criterion=impact, value=4)
    CriterionScore.objects.create(review=review, criterion=lay, not_applicable=True)

    rows = csv_of(get(client_for(world.staff), "planning-2025", "scores", "csv"))

    assert [row[:2] + row[5:] for row in rows[1:]] == [
        ["PG-2025-0001", "Rita Reviewer", "impact", "Impact", "4", "no", "75.0", "4"],
        ["PG-2025-0001", "Rita Reviewer", "lay", "Lay relevance", "", "yes", "75.0", "4"],
    ]
    assignments = csv_of(get(client_for(world.staff), "planning-2025", "assignments", "csv"))
    assert assignments[1][:6] == [
        "PG-2025-0001",
        "Rita Reviewer",
        reviewer.email,
        "Scientific",
        "Manual",
        "Published",
    ]
    assert assignments[1][-1] == "yes"


def test_the_xlsx_is_a_file_response_with_numbers_kept_numeric(world, client_for):
    response = get(client_for(world.staff), "planning-2025", "decisions", "xlsx")

    assert isinstance(response, FileResponse)
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [row[0] for row in rows] == ["Reference", "PG-2025-0001", "PG-2025-0002", "PG-2025-0003"]
    assert rows[1][5:8] == (40000, 30000, 10000)


def test_an_unknown_register_or_format_is_a_404(world, client_for):
    client = client_for(world.staff)

    assert get(client, "planning-2025", "secrets", "csv").status_code == 404
    assert get(client, "planning-2025", "scores", "pdf").status_code == 404
    assert get(client, "no-such-call", "scores", "csv").status_code == 404
