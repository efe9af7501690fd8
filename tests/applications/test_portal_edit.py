"""The sectioned edit page: typed text survives a refusal, and the report says when to submit."""

import re

import pytest

from applications.models import Application
from tests.applications.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

LONG_SUMMARY = " ".join(f"word{i}" for i in range(301))  # the call's limit is 300
AMOUNT_ERROR = "The maximum request for this call is 20,000 EUR."


def submit_button(html: str) -> str:
    report = html[html.index('id="validation-report"') :]
    return re.search(r"<button[^>]*>Submit application</button>", report).group(0)


@pytest.fixture
def application(db):
    return ApplicationFactory()


def details_url(application) -> str:
    return f"/applications/{application.pk}/edit/details/"


TYPED = {
    "title": "A title I typed",
    "lay_summary": LONG_SUMMARY,
    "keywords": "typed, words",
    "requested_amount": "25000",
    "duration_months": "24",
}


def test_a_refused_details_save_keeps_what_was_typed(application, client_for):
    response = client_for(application.pi).post(details_url(application), TYPED)

    assert response.status_code == 422
    html = response.content.decode()
    assert "<html" in html
    assert 'value="A title I typed"' in html
    assert f">\n{LONG_SUMMARY}</textarea>" in html
    assert 'value="typed, words"' in html
    assert 'value="25000"' in html
    assert f'<p class="error" id="id_requested_amount-error">{AMOUNT_ERROR}</p>' in html
    assert "There is a problem" in html
    application.refresh_from_db()
    assert (application.title, application.lay_summary, application.requested_amount) == ("", "", None)


def test_a_refused_htmx_save_returns_the_section_with_the_report_out_of_band(application, client_for):
    response = client_for(application.pi).post(
        details_url(application), TYPED, headers={"HX-Request": "true"}
    )

    assert response.status_code == 422
    html = response.content.decode()
    assert html.startswith('<section id="section-details"')
    assert "<html" not in html
    assert f">\n{LONG_SUMMARY}</textarea>" in html
    assert AMOUNT_ERROR in html
    assert '<div id="validation-report" class="report" hx-swap-oob="true">' in html
    assert "disabled" in submit_button(html)


def test_an_htmx_save_over_the_word_limit_is_kept_and_reported(application, client_for):
    response = client_for(application.pi).post(
        details_url(application), {"lay_summary": LONG_SUMMARY}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'hx-swap-oob="true"' in html
    assert "The lay summary has 301 words; the limit is 300." in html
    assert 'disabled aria-disabled="true"' in submit_button(html)
    application.refresh_from_db()
    assert application.lay_summary == LONG_SUMMARY


def test_the_submit_button_is_disabled_while_problems_exist(application, client_for):
    html = client_for(application.pi).get(f"/applications/{application.pk}/edit/").content.decode()

    assert submit_button(html) == (
        '<button type="submit" class="button" disabled aria-disabled="true">Submit application</button>'
    )
    assert "9 things to do before you can submit:" in html


def test_the_submit_button_is_enabled_when_the_draft_is_complete(draft, client_for):
    html = client_for(draft.pi).get(f"/applications/{draft.pk}/edit/").content.decode()

    assert submit_button(html) == '<button type="submit" class="button" >Submit application</button>'
    assert "Everything is in place." in html


def test_submitting_an_incomplete_draft_in_the_portal_says_what_is_missing(application, client_for):
    response = client_for(application.pi).post(f"/applications/{application.pk}/submit/")

    assert response.status_code == 400
    assert "The application is not complete: Give the application a title." in response.content.decode()
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


def test_submitting_a_complete_draft_in_the_portal(draft, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(draft.pi).post(f"/applications/{draft.pk}/submit/", follow=True)

    draft.refresh_from_db()
    assert draft.status == Application.Status.SUBMITTED
    assert response.redirect_chain == [(f"/applications/{draft.pk}/", 302)]
    assert (
        f"Submitted. Your reference is {draft.reference}; a receipt is on its way."
        in response.content.decode()
    )
