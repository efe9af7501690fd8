"""Funding decisions in Chromium, from the chair's scenario to the applicant's letter.

The chair opens the funding scenario, decides one row in place (htmx: the row and the totals change
without a reload), clears it again, funds down the ranking until the budget runs out, marks the rest
as do not fund, confirms applying on the confirmation page and watches the letters' progress reach
100% (letters render eagerly here). The applicant then signs in and downloads the award letter from
their application's page.

axe finds 0 violations on the funding page (also with a row's form open), the apply confirmation and
the progress page.

Setup in the database: a call in review with a budget of EUR 100,000 from a EUR and a USD funder,
five submitted applications (ranked in reference order, no review scores) and the chair.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from applications.models import Application
from awards.models import Decision, Letter
from tests.awards.factories import deciding_call, submitted_application
from tests.browser.conftest import CHROMIUM
from tests.browser.helpers import assert_accessible, sign_in, sign_out
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: apt-get install chromium"),
]

# (title, requested): the budget holds the first two (75,000); the third no longer fits.
APPLICATIONS = [
    ("Clemastine to promote remyelination in progressive MS", "40000"),
    ("Neurofilament light as a marker of treatment response", "35000"),
    ("Microglial modulation with repurposed drugs", "30000"),
    ("Home-based rehabilitation against fatigue", "20000"),
    ("Retinal imaging of neurodegeneration", "10000"),
]
LETTERS_DONE = "10 of 10"  # a decision letter and a summary statement for each of the five


@pytest.fixture
def deciding(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "storage"
    call, chair, _ = deciding_call(
        commitments=(("60000", "EUR", "1"), ("50000", "USD", "0.8")),  # 60,000 + 40,000 in EUR
    )
    call.title = "Progressive MS Awards 2026"
    call.save(update_fields=["title"])
    chair.email = "chair@example.org"
    chair.save(update_fields=["email"])
    applications = [
        submitted_application(call, requested=requested, title=title, n=n)
        for n, (title, requested) in enumerate(APPLICATIONS, 1)
    ]
    applicant = UserFactory(full_name="Pia Principal", email="pia@example.org")
    Application.objects.filter(pk=applications[0].pk).update(pi=applicant)
    return call, chair, applications


def test_the_chair_decides_within_budget_applies_and_the_applicant_downloads(
    page, live_server, deciding, screenshot
):
    call, chair, applications = deciding
    funding_url = f"{live_server.url}{reverse('awards:funding', args=[call.slug])}"
    page.on("dialog", lambda dialog: dialog.accept())  # the confirmations of clear and bulk marking
    sign_in(page, live_server, chair.email)
    page.goto(funding_url)
    budget = page.locator("#meter-budget-text")
    expect(budget).to_have_text("EUR 0.00 of EUR 100,000.00 (0%); EUR 100,000.00 left")
    assert_accessible(page)

    # One row decided in place: the form opens in the row, saving changes the row and the totals.
    third = applications[2]
    row = page.locator(f"#funding-row-{third.pk}")
    row.get_by_role("link", name=f"Decide {third.reference}").click()
    form = page.get_by_role("form", name=f"Decision on {third.reference}")
    expect(form).to_be_visible()
    assert_accessible(page)
    screenshot("decision-journey-row-form")
    form.get_by_label("Fund", exact=True).check()
    form.get_by_label("Approved amount (EUR)").fill("25000")
    form.get_by_label("Conditions").fill("Ethics approval before the first payment.")
    form.get_by_role("button", name=f"Save the decision on {third.reference}").click()
    expect(row.get_by_role("status")).to_have_text("Saved: fund (pending).")
    expect(budget).to_have_text("EUR 25,000.00 of EUR 100,000.00 (25%); EUR 75,000.00 left")
    usd = call.commitments.get(currency="USD").funder_id
    expect(page.locator(f"#meter-funder-{usd}-text")).to_have_text(
        "EUR 10,000.00 of EUR 40,000.00 (25%); EUR 30,000.00 left"
    )
    row.get_by_role("button", name=f"Clear the decision on {third.reference}").click()
    expect(row.get_by_role("status")).to_have_text("Cleared: undecided.")
    expect(budget).to_have_text("EUR 0.00 of EUR 100,000.00 (0%); EUR 100,000.00 left")

    # The helpers: fund down the ranking, then the rest are not funded.
    page.get_by_role("button", name="Fund down the ranking until the budget runs out").click()
    funded = f"Funded 2 applications: {applications[0].reference}, {applications[1].reference}."
    expect(page.get_by_text(funded)).to_be_visible()
    expect(budget).to_have_text("EUR 75,000.00 of EUR 100,000.00 (75%); EUR 25,000.00 left")
    page.get_by_role("button", name="Mark the rest as do not fund").click()
    expect(page.get_by_text("Marked 3 applications as do not fund.")).to_be_visible()
    assert list(Decision.objects.order_by("application__reference").values_list("outcome", flat=True)) == [
        "fund",
        "fund",
        "decline",
        "decline",
        "decline",
    ]
    assert_accessible(page)
    screenshot("decision-journey-funding")

    # Applying: a confirmation page (no JavaScript needed), then the letters' progress.
    page.get_by_role("link", name="Apply 5 pending decisions…").click()
    expect(page.get_by_role("heading", name=f"Apply the decisions of {call.title}")).to_be_visible()
    expect(page.get_by_text("Fund: 2")).to_be_visible()
    expect(page.get_by_text("Do not fund: 3")).to_be_visible()
    assert Decision.objects.filter(published_outcome="").count() == 5  # nothing published yet
    assert_accessible(page)
    page.get_by_role("button", name="Apply 5 decisions and queue the letters").click()

    progress = page.get_by_role("progressbar")
    expect(progress).to_have_attribute("aria-valuenow", "100", timeout=60_000)
    expect(page.locator(".batch-count")).to_contain_text(f"{LETTERS_DONE} letters done (100%)")
    assert Letter.objects.filter(status=Letter.Status.DONE).count() == 10
    assert_accessible(page)
    screenshot("decision-journey-progress")

    # The applicant downloads the award letter from their application's page.
    sign_out(page)
    sign_in(page, live_server, "pia@example.org")
    page.goto(f"{live_server.url}{reverse('applications:application_detail', args=[applications[0].pk])}")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Award letter").click()
    download = download_info.value
    assert download.suggested_filename == f"{applications[0].reference}-award-v1.pdf"
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
