"""The portfolio in a real browser: the charts page, the process analytics and the public page pass
axe's checks, the data tables open, a filter narrows the figures, and nothing scrolls sideways at
200 % zoom."""

import pytest
from playwright.sync_api import expect

from portfolio.services import publish_project
from tests.browser.conftest import CHROMIUM
from tests.browser.helpers import assert_accessible, sign_in, sign_out
from tests.portfolio.world import build_world

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: apt-get install chromium"),
]
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture
def world(transactional_db, settings):
    settings.PORTFOLIO_CURRENCY = "EUR"
    world = build_world()
    publish_project(award=world.awards["B1"], by=world.staff)
    return world


def test_staff_read_the_portfolio_charts_and_their_tables(page, live_server, world, screenshot):
    sign_in(page, live_server, world.staff.email)
    page.get_by_role("link", name="Portfolio").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Funded-research portfolio")
    expect(page.locator(".facts")).to_contain_text("EUR 140,000.00")
    charts = page.get_by_role("img")
    expect(charts).to_have_count(6)
    expect(page.get_by_role("img", name="Funded research by funder (EUR)")).to_be_visible()
    page.get_by_text("Data table: Funded research by funder (EUR)").click()
    expect(page.get_by_role("table", name="The data of “Funded research by funder”")).to_be_visible()
    screenshot("portfolio")
    assert_accessible(page)

    page.get_by_label("Country (of the institution)").select_option("IT")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".facts")).to_contain_text("EUR 20,000.00")
    assert_accessible(page)

    page.get_by_role("link", name="Process analytics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Process analytics")
    screenshot("portfolio-analytics")
    assert_accessible(page)
    page.get_by_role("link", name="Publish projects").click()
    assert_accessible(page)
    sign_out(page)


def test_a_visitor_reads_the_public_page(page, live_server, world, screenshot):
    page.goto(f"{live_server.url}/funded-projects/")

    expect(page.get_by_role("heading", level=2)).to_have_text(["The remyelination network"])
    screenshot("funded-projects")
    assert_accessible(page)


def test_the_portfolio_reflows_at_200_percent_zoom(page, live_server, world):
    page.set_viewport_size({"width": 640, "height": 900})
    sign_in(page, live_server, world.member.email)
    for path in ["/portfolio/", "/funded-projects/"]:
        page.goto(live_server.url + path)
        assert page.evaluate(OVERFLOW) <= 0, f"{path} scrolls sideways at 200 % zoom"
