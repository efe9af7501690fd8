"""What a draft still lacks before it can be submitted, by form section."""

from decimal import Decimal

import pytest
from django.utils import timezone

from applications.eligibility import Problem, submission_problems
from tests.applications.factories import ApplicationFactory, BudgetLineFactory, complete_draft
from tests.factories import FocusAreaFactory

pytestmark = pytest.mark.django_db


def problems(application) -> list[tuple[str, str]]:
    return [(p.section, p.message) for p in submission_problems(application, now=timezone.now())]


def test_an_empty_draft_lists_everything_by_section():
    assert problems(ApplicationFactory()) == [
        ("details", "Give the application a title."),
        ("details", "Write the lay summary."),
        ("details", "Write the scientific abstract."),
        ("details", "Choose at least one focus area."),
        ("details", "Add at least one keyword."),
        ("details", "Give the amount you request."),
        ("details", "Give the project's duration in months."),
        ("budget", "Add the budget lines."),
        ("attachments", "Upload the research plan (PDF)."),
    ]


def test_a_complete_draft_has_no_problems(draft):
    assert submission_problems(draft, now=timezone.now()) == []


def test_word_limits_name_the_count_and_the_limit(db):
    draft = complete_draft(lay_summary="word " * 301, scientific_abstract="word " * 500)
    draft.call.abstract_word_limit = 499
    draft.call.save()

    assert problems(draft) == [
        ("details", "The lay summary has 301 words; the limit is 300."),
        ("details", "The scientific abstract has 500 words; the limit is 499."),
    ]


def test_text_at_the_word_limit_is_accepted(db):
    assert problems(complete_draft(lay_summary="word " * 300)) == []


def test_the_budget_must_equal_the_request(db):
    draft = complete_draft(requested_amount=Decimal("12500.00"))

    assert submission_problems(draft, now=timezone.now()) == [
        Problem(
            "budget",
            "The budget totals 10,000.00 EUR but the request is 12,500.00 EUR; they must be equal.",
        )
    ]


def test_budget_lines_after_the_project_ends(db):
    draft = complete_draft(duration_months=12, requested_amount=Decimal("11000.00"))
    BudgetLineFactory(application=draft, year=3, amount=Decimal("1000.00"))

    assert problems(draft) == [
        ("budget", "Budget lines in year 2, 3 fall after the project ends (year 1)."),
    ]


def test_a_focus_area_outside_the_call(db):
    draft = complete_draft()
    draft.focus_areas.add(FocusAreaFactory(name="Astronomy", slug="astronomy"))

    assert problems(draft) == [("details", "This call does not cover: Astronomy.")]


def test_request_and_duration_over_the_call_maximum(db):
    draft = complete_draft(requested_amount=Decimal("20000.01"), duration_months=37)

    assert problems(draft) == [
        ("details", "The request exceeds the call's maximum of 20,000 EUR."),
        ("details", "Projects in this call last at most 36 months."),
        ("budget", "The budget totals 10,000.00 EUR but the request is 20,000.01 EUR; they must be equal."),
    ]


def test_the_api_reports_a_complete_draft_ready(draft, client_for):
    response = client_for(draft.pi, api=True).get(f"/api/v1/applications/{draft.pk}/validation/")

    assert response.status_code == 200
    assert response.json() == {"ready": True, "problems": []}


def test_the_api_reports_what_an_empty_draft_lacks(client_for, db):
    application = ApplicationFactory()

    body = (
        client_for(application.pi, api=True).get(f"/api/v1/applications/{application.pk}/validation/").json()
    )

    assert body["ready"] is False
    assert [p["section"] for p in body["problems"]] == ["details"] * 7 + ["budget", "attachments"]
    assert body["problems"][0] == {"section": "details", "message": "Give the application a title."}
