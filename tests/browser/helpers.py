"""What the browser journeys share: signing in and out through the form, and axe with a duplicate-id check."""

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.factories import PASSWORD

DUPLICATE_IDS = """() => {
    const ids = [...document.querySelectorAll("[id]")].map(e => e.id);
    return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
}"""


def assert_accessible(page) -> None:
    """0 axe violations, and no id used twice (axe no longer checks that on its own)."""
    assert page.evaluate(DUPLICATE_IDS) == [], page.url
    results = Axe().run(page)
    assert results.response["passes"], "axe checked nothing"
    assert results.violations_count == 0, results.generate_report()
    incomplete = [f"{i['id']}: {len(i['nodes'])}" for i in results.response["incomplete"]]
    print(f"axe on {page.url}: 0 violations; needs review: {incomplete or 'none'}")


def sign_in(page, live_server, email: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
