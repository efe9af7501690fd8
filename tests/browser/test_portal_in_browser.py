"""The portal in a real browser: pages render with their stylesheet and pass axe's checks."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import CHROMIUM
from tests.factories import PASSWORD, CallFactory, FocusAreaFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: apt-get install chromium"),
]


def assert_accessible(page) -> None:
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


def assert_styled(page) -> None:
    """The stylesheet loaded: the header has the brand colour, not the browser's default."""
    background = page.locator("header.site-header").evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(11, 79, 138)"


@pytest.fixture
def open_call(transactional_db):
    call = CallFactory(
        title="Ocean Health Challenge",
        slug="ocean-health",
        summary="Collaborative research on the health of the oceans.",
        timezone="Europe/Berlin",
        closes_at=datetime(2099, 3, 31, 15, 0, tzinfo=ZoneInfo("UTC")),
    )
    call.focus_areas.set([FocusAreaFactory(name="Marine ecosystems", slug="marine")])
    return call


def test_a_visitor_finds_an_open_call(page, live_server, open_call, screenshot):
    page.goto(f"{live_server.url}/calls/")

    expect(page).to_have_title("Open calls · Granted")
    expect(page.get_by_role("heading", level=1)).to_have_text("Open calls for proposals")
    card_link = page.get_by_role("link", name="Ocean Health Challenge")
    expect(card_link).to_be_visible()
    assert_styled(page)
    screenshot("calls-list")
    assert_accessible(page)

    card_link.click()

    expect(page).to_have_url(f"{live_server.url}/calls/ocean-health/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ocean Health Challenge")
    # 15:00 UTC is 17:00 in Berlin (summer time on 31 March 2099).
    expect(page.locator(".facts")).to_contain_text("31 March 2099, 17:00 CEST")
    expect(page.locator(".facts")).to_contain_text("(Europe/Berlin)")
    expect(page.get_by_text("Marine ecosystems")).to_be_visible()
    screenshot("call-detail")
    assert_accessible(page)


def test_staff_signs_in_and_reaches_the_administration(page, live_server, transactional_db, screenshot):
    UserFactory(email="officer@example.org", full_name="Olga Officer", is_staff=True)

    page.goto(f"{live_server.url}/accounts/login/?next=/admin/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    assert_styled(page)
    assert_accessible(page)
    page.get_by_label("E-mail address").fill("Officer@Example.org")
    page.get_by_label("Password").fill(PASSWORD)
    screenshot("login")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{live_server.url}/admin/")
    expect(page.get_by_role("link", name="Granted administration")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Calls, applications, review and awards")
    expect(page.get_by_role("link", name="Audit events")).to_be_visible()
    screenshot("admin-index")
    assert_accessible(page)

    page.goto(f"{live_server.url}/")
    expect(page.get_by_role("link", name="Olga Officer")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Administration$"))).to_be_visible()
    assert_accessible(page)


def test_a_wrong_password_is_reported(page, live_server, transactional_db):
    UserFactory(email="someone@example.org")

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail address").fill("someone@example.org")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    assert_accessible(page)
