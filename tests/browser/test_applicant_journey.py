"""An applicant's whole journey in Chromium: register from a call's page, fill the draft section by section
(saved in place with htmx), fix a rejected ORCID iD, upload the research plan and submit.

Also: without JavaScript, what was typed survives a server-side validation error.
"""

import re
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfWriter

from applications.models import Application
from tests.browser.conftest import ARTIFACTS, CHROMIUM
from tests.factories import (
    PASSWORD,
    CallFactory,
    FocusAreaFactory,
    InstitutionFactory,
    ProgramFactory,
    UserFactory,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: apt-get install chromium"),
]

VALID_ORCID = "0000-0002-1825-0097"
BAD_CHECKSUM_ORCID = "0000-0002-1825-0098"
OTHER_VALID_ORCID = "0000-0001-5109-3700"
REFERENCE = re.compile(r"CA-\d{4}-\d{4}")

LAY_SUMMARY = "We will test whether a repurposed drug helps the brain repair its own myelin."  # 14 words
ABSTRACT = (
    "Remyelination fails in progressive multiple sclerosis. We will test clemastine in a randomised, "
    "placebo-controlled trial with magnetisation transfer imaging as the primary outcome."
)


def assert_accessible(page) -> None:
    results = Axe().run(page)
    assert results.response["passes"], "axe checked nothing"
    assert results.violations_count == 0, results.generate_report()
    incomplete = [f"{i['id']}: {len(i['nodes'])}" for i in results.response["incomplete"]]
    print(f"axe on {page.url}: 0 violations; needs review: {incomplete or 'none'}")


def _plan_pdf(path):
    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(width=595, height=842)
    with open(path, "wb") as handle:
        writer.write(handle)
    return path


@pytest.fixture
def journey_call(transactional_db, settings, tmp_path):
    """An open call in New York time with two focus areas; uploads go to a temporary storage root."""
    settings.MEDIA_ROOT = tmp_path / "storage"
    call = CallFactory(
        program=ProgramFactory(name="Challenge Awards", code="CA"),
        title="Remyelination Challenge",
        slug="remyelination",
        summary="Trials and tools that help the nervous system repair myelin.",
        description=(
            "The Challenge funds translational projects on remyelination.\n\n"
            "Applicants from any country may apply; one application per principal investigator."
        ),
        timezone="America/New_York",
        closes_at=timezone.now() + timedelta(days=30),
        max_request=Decimal("20000.00"),
        currency="EUR",
    )
    call.focus_areas.set(
        [
            FocusAreaFactory(name="Myelin repair", slug="myelin-repair"),
            FocusAreaFactory(name="Neuroinflammation", slug="neuroinflammation"),
        ]
    )
    InstitutionFactory(name="University of Edinburgh", country="GB")
    InstitutionFactory(name="Karolinska Institutet", country="SE")
    return call


def _report(page):
    return page.locator("#validation-report")


def test_an_applicant_registers_fills_in_and_submits(page, live_server, journey_call, screenshot, tmp_path):
    call_url = f"{live_server.url}/calls/remyelination/"

    # 1. The call's page, then registration, back to the call and a new draft.
    page.goto(call_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Remyelination Challenge")
    expect(page.locator(".facts")).to_contain_text("(America/New_York)")
    expect(page.get_by_role("list").filter(has_text="Myelin repair")).to_contain_text("Neuroinflammation")
    screenshot("journey-01-call")
    assert_accessible(page)

    page.get_by_role("link", name="create an account", exact=True).click()
    expect(page).to_have_url(re.compile(r"/accounts/register/\?next=/calls/remyelination/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Create an account")
    assert_accessible(page)
    page.get_by_label("Full name").fill("Ada Applicant")
    page.get_by_label("E-mail address").fill("ada@example.org")
    page.get_by_role("textbox", name="Password", exact=True).fill("myelin-repair-2026")
    page.get_by_label("Password again").fill("myelin-repair-2026")
    page.get_by_label("Institution", exact=True).select_option(label="University of Edinburgh")
    screenshot("journey-02-register")
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(call_url)
    expect(page.get_by_role("status")).to_contain_text("Welcome to Granted")
    expect(page.get_by_role("link", name="Ada Applicant")).to_be_visible()
    page.get_by_role("button", name="Start an application").click()

    # 2. The empty draft: the report lists what is missing and the submit button is disabled.
    expect(page).to_have_url(re.compile(r"/applications/\d+/edit/$"))
    edit_url = page.url
    application = Application.objects.get(pi__email="ada@example.org")
    assert application.institution.name == "University of Edinburgh"
    expect(page.get_by_role("heading", level=1)).to_contain_text("New application")
    closes = journey_call.closes_at.astimezone(ZoneInfo("America/New_York"))
    deadline = f"closes {closes.day} {closes:%B %Y, %H:%M} {closes.tzname()} (America/New_York)"
    expect(page.locator("main > p.meta")).to_contain_text(deadline)  # the call's time, not UTC
    report = _report(page)
    expect(report).to_contain_text("Give the application a title.")
    expect(report).to_contain_text("Upload the research plan (PDF).")
    expect(report.get_by_role("button", name="Submit application")).to_be_disabled()
    screenshot("journey-03-edit-empty")
    assert_accessible(page)

    details = page.locator("#section-details")
    details.get_by_label("Title").fill("Clemastine for remyelination in progressive MS")
    lay = details.get_by_label("Lay summary")
    counter = details.locator("#id_lay_summary-count")
    expect(counter).to_have_text("0 of 300 words")
    lay.fill("We will test whether")
    expect(counter).to_have_text("4 of 300 words")
    lay.fill(LAY_SUMMARY)
    expect(counter).to_have_text("14 of 300 words")
    details.get_by_label("Scientific abstract").fill(ABSTRACT)
    expect(details.locator("#id_scientific_abstract-count")).to_have_text("23 of 500 words")
    details.get_by_label("Myelin repair").check()
    details.get_by_label("Keywords").fill("remyelination, clemastine, MRI")
    details.get_by_label("Requested amount (EUR)").fill("18000")
    details.get_by_label("Duration months").fill("24")
    # A marker on window survives an htmx swap but not a page load.
    page.evaluate("window.__stillThisPage = true")
    details.get_by_role("button", name="Save details").click()

    expect(report).not_to_contain_text("Give the application a title.")
    expect(report).to_contain_text("Add the budget lines.")
    assert page.url == edit_url
    assert page.evaluate("window.__stillThisPage") is True
    details = page.locator("#section-details")
    expect(details.get_by_label("Title")).to_have_value("Clemastine for remyelination in progressive MS")
    expect(details.get_by_label("Myelin repair")).to_be_checked()
    expect(details.locator("#id_lay_summary-count")).to_have_text("14 of 300 words")  # re-attached after swap
    application.refresh_from_db()
    assert application.requested_amount == Decimal("18000.00")
    assert application.duration_months == 24
    assert list(application.focus_areas.values_list("slug", flat=True)) == ["myelin-repair"]

    # 3. A co-investigator with a valid ORCID iD.
    team = page.locator("#section-team")
    team.get_by_label("Name").fill("Bo Coinvestigator")
    team.get_by_label("E-mail address").fill("bo@example.org")
    team.get_by_label("ORCID iD").fill(VALID_ORCID)
    team.get_by_label("Institution").fill("Karolinska Institutet")
    team.get_by_label("Role").select_option(label="Co-investigator")
    team.get_by_role("button", name="Add member").click()
    team_table = page.locator("#section-team table")
    expect(team_table).to_contain_text("Bo Coinvestigator")
    expect(team_table).to_contain_text(VALID_ORCID)
    expect(page.locator("#section-team").get_by_label("Name")).to_have_value("")  # a fresh form

    # 4. Budget lines adding up to the request.
    for category, year, amount, why in (
        ("Personnel", "1", "12000", "Research nurse, half time"),
        ("Consumables", "2", "6000", "MRI scanning time"),
    ):
        budget = page.locator("#section-budget")
        budget.get_by_label("Category").select_option(label=category)
        budget.get_by_label("Year").fill(year)
        budget.get_by_label("Amount").fill(amount)
        budget.get_by_label("Justification").fill(why)
        budget.get_by_role("button", name="Add line").click()
        expect(page.locator("#section-budget table")).to_contain_text(why)
    expect(page.locator("#budget-total")).to_have_text("18,000.00")
    expect(page.locator("#section-budget")).to_contain_text("The total equals the amount requested.")
    expect(report).not_to_contain_text("Add the budget lines.")

    # 5. A second member with a mistyped ORCID iD: the error sits next to the field, the typing stays.
    team = page.locator("#section-team")
    team.get_by_label("Name").fill("Cy Collaborator")
    team.get_by_label("E-mail address").fill("cy@example.org")
    team.get_by_label("ORCID iD").fill(BAD_CHECKSUM_ORCID)
    team.get_by_label("Institution").fill("University of Oslo")
    team.get_by_label("Role").select_option(label="Collaborator")
    team.get_by_role("button", name="Add member").click()

    team = page.locator("#section-team")
    orcid_field = team.locator(".field").filter(has=page.locator("#id_team-orcid"))
    expect(orcid_field).to_have_class(re.compile(r"\bfield-error\b"))
    expect(orcid_field.locator(".error")).to_contain_text("does not match its check digit")
    orcid_input = team.get_by_label("ORCID iD")
    expect(orcid_input).to_have_attribute("aria-invalid", "true")
    expect(orcid_input).to_have_css("border-top-color", "rgb(179, 38, 30)")  # --error
    described_by = orcid_input.evaluate(
        "e => e.getAttribute('aria-describedby').split(' ')"
        ".map(id => document.getElementById(id)?.textContent || '').join(' ')"
    )
    assert "does not match its check digit" in described_by
    expect(team.get_by_role("alert")).to_contain_text("There is a problem")
    expect(team.get_by_label("Name")).to_have_value("Cy Collaborator")
    expect(team.get_by_label("E-mail address")).to_have_value("cy@example.org")
    expect(team.get_by_label("ORCID iD")).to_have_value(BAD_CHECKSUM_ORCID)
    expect(team.get_by_label("Institution")).to_have_value("University of Oslo")
    expect(team.get_by_label("Role")).to_have_value("collaborator")
    expect(page.locator("#section-team table")).not_to_contain_text("Cy Collaborator")
    assert page.url == edit_url
    screenshot("journey-04-edit-orcid-error")
    assert_accessible(page)

    team.get_by_label("ORCID iD").fill(OTHER_VALID_ORCID)
    team.get_by_role("button", name="Add member").click()
    expect(page.locator("#section-team table")).to_contain_text("Cy Collaborator")
    expect(page.locator("#section-team .error")).to_have_count(0)

    # 6. and 7. Before the upload only the research plan is missing; afterwards everything is in place.
    expect(report.locator(".problems li")).to_have_count(1)
    expect(report.locator(".problems")).to_have_text("Upload the research plan (PDF).")
    expect(report.get_by_role("button", name="Submit application")).to_be_disabled()

    attachments = page.locator("#section-attachments")
    attachments.get_by_label("Document").select_option(label="Research plan")
    attachments.get_by_label("PDF file").set_input_files(_plan_pdf(tmp_path / "research-plan.pdf"))
    attachments.get_by_role("button", name="Upload").click()
    expect(page.locator("#section-attachments .attachments")).to_contain_text(
        "Research plan: research-plan.pdf (3 pages"
    )
    expect(report).to_contain_text("Everything is in place.")
    expect(report.locator(".problems")).to_have_count(0)
    expect(report.get_by_role("button", name="Submit application")).to_be_enabled()
    assert page.url == edit_url
    assert page.evaluate("window.__stillThisPage") is True
    screenshot("journey-05-edit-complete")
    assert_accessible(page)

    # 8. Submit, confirming the browser's dialog.
    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.on("dialog", accept)
    report.get_by_role("button", name="Submit application").click()

    expect(page).to_have_url(f"{live_server.url}/applications/{application.pk}/")
    assert dialogs == ["Submit this application? Its content will be frozen."]
    expect(page.get_by_role("status")).to_contain_text(REFERENCE)
    expect(page.locator(".facts")).to_contain_text(REFERENCE)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Submitted")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert REFERENCE.fullmatch(application.reference)
    expect(page.locator("main")).to_contain_text(application.reference)
    expect(page.locator("main")).to_contain_text("Bo Coinvestigator")
    expect(page.locator("main")).to_contain_text("Research plan: research-plan.pdf")
    screenshot("journey-06-submitted")
    assert_accessible(page)


def test_without_javascript_typed_text_survives_a_validation_error(browser, live_server, journey_call):
    """No htmx, no counter: the full page comes back with the typed text and the message."""
    UserFactory(email="nojs@example.org", full_name="Nora Nojs")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/accounts/login/?next=/calls/remyelination/")
        page.get_by_label("E-mail address").fill("nojs@example.org")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.get_by_role("button", name="Start an application").click()
        expect(page).to_have_url(re.compile(r"/applications/\d+/edit/$"))
        edit_url = page.url
        details = page.locator("#section-details")
        expect(details.locator(".word-count")).to_have_count(0)  # no script ran

        # 320 words: over the call's 300-word limit. The request above the call's maximum is refused
        # on the server, so the whole form comes back.
        over_limit = " ".join(f"word{i}" for i in range(320))
        details.get_by_label("Title").fill("A draft typed without JavaScript")
        details.get_by_label("Lay summary").fill(over_limit)
        details.get_by_label("Requested amount (EUR)").fill("25000")
        with page.expect_response(lambda r: r.url.endswith("/edit/details/")) as posted:
            details.get_by_role("button", name="Save details").click()
        assert posted.value.status == 422

        details = page.locator("#section-details")
        expect(details.get_by_role("alert")).to_contain_text("There is a problem")
        expect(details.locator(".field-error")).to_contain_text(
            "The maximum request for this call is 20,000 EUR"
        )
        expect(details.get_by_label("Lay summary")).to_have_value(over_limit)
        expect(details.get_by_label("Title")).to_have_value("A draft typed without JavaScript")
        expect(details.get_by_label("Requested amount (EUR)")).to_have_value("25000")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "journey-nojs-error.png"), full_page=True)

        # Within the limit for the request, the draft saves; the lay summary stays, and the report
        # names the word-count problem.
        details.get_by_label("Requested amount (EUR)").fill("15000")
        details.get_by_role("button", name="Save details").click()
        expect(page).to_have_url(f"{edit_url}#section-details")
        expect(page.get_by_role("status")).to_contain_text("Saved.")
        expect(page.locator("#section-details").get_by_label("Lay summary")).to_have_value(over_limit)
        expect(_report(page)).to_contain_text("The lay summary has 320 words; the limit is 300.")
    finally:
        context.close()
