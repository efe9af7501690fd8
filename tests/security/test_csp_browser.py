"""The content security policy in Chromium: a representative walk through the portal, the admin and the
API documentation, with htmx at work (a section saved, a review autosaved, a decision form opened),
raises no CSP violation.

Violations are caught twice: a ``securitypolicyviolation`` listener installed before any page script
runs records them into ``window``, and the console is watched for Chromium's "Content Security Policy"
messages. A canary (an inline <style> added on purpose) proves that both the policy and the listener
work, so the walk cannot pass because nothing was being enforced.
"""

import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from applications.models import Application, Call
from tests.applications.factories import ApplicationFactory
from tests.awards.factories import deciding_call
from tests.browser import conftest as browser_conftest
from tests.browser.conftest import CHROMIUM
from tests.browser.helpers import sign_in, sign_out
from tests.factories import CallFactory, UserFactory
from tests.portfolio.world import build_world
from tests.priorities.factories import CommunityMemberFactory, QuestionFactory, voting_round
from tests.reviews.factories import AssignmentFactory, ReviewPhaseFactory, accepted_reviewer, workspace_form

pytestmark = [
    pytest.mark.browser,
    pytest.mark.timeout(120),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: apt-get install chromium"),
]
BUDGET_SECONDS = 60
# The browser suite's fixtures (Debian's Chromium, the live server with a placeholder MEDIA_URL).
browser_type_launch_args = browser_conftest.browser_type_launch_args
live_server = browser_conftest.live_server

RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push({directive: e.violatedDirective, blocked: e.blockedURI, source: e.sourceFile,
                     line: e.lineNumber, sample: e.sample, page: location.pathname});
});
"""
CANARY = """() => {
  const style = document.createElement("style");
  style.textContent = "body { outline: 1px solid red; }";
  document.head.appendChild(style);
}"""


@pytest.fixture
def world(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "storage"
    portfolio = build_world()  # awards in two calls: the portfolio's SVG charts have bars
    staff = portfolio.staff
    staff.is_superuser = True
    staff.save(update_fields=["is_superuser"])

    call, chair, applications = deciding_call(requests=("40000", "30000"))
    chair.email = "chair@example.org"
    chair.save(update_fields=["email"])
    workspace_form(call)
    ReviewPhaseFactory(call=call, name="Reading")
    reviewer = accepted_reviewer(call, name="Rita Reviewer")
    reviewer.email = "rita@example.org"
    reviewer.save(update_fields=["email"])
    assignment = AssignmentFactory(application=applications[0], reviewer=reviewer)

    open_call = CallFactory(title="Ocean Health Challenge", slug="ocean-health", status=Call.Status.OPEN)
    applicant = UserFactory(email="ada@example.org", full_name="Ada Applicant")
    draft = ApplicationFactory(call=open_call, pi=applicant, title="Kelp forests and MS")

    member = CommunityMemberFactory(email="morag@example.org", full_name="Morag Lennox")
    round_ = voting_round(title="Research priorities 2026", slug="priorities-2026")
    QuestionFactory(round=round_, title="What helps with fatigue in progressive MS?")
    return {
        "staff": staff,
        "call": call,
        "chair": chair,
        "applications": applications,
        "assignment": assignment,
        "reviewer": reviewer,
        "open_call": open_call,
        "draft": draft,
        "member": member,
        "round": round_,
    }


class Walk:
    """Visits pages, asserts the policy header on each, and collects violations page by page."""

    def __init__(self, page, live_server):
        self.page, self.base = page, live_server.url
        self.console: list[str] = []
        self.visited: list[str] = []
        page.on(
            "console",
            lambda msg: (
                self.console.append(f"{page.url}: {msg.text}")
                if "Content Security Policy" in msg.text
                else None
            ),
        )
        page.add_init_script(RECORD_VIOLATIONS)

    def violations(self) -> list[dict]:
        return self.page.evaluate("window.__csp || []")

    def check(self) -> None:
        assert self.violations() == [], self.page.url
        assert self.console == [], self.console

    def become(self, user) -> None:
        """Signed in as ``user`` through a session cookie (the sign-in form is walked once, for Ada)."""
        client = Client()
        client.force_login(user)
        self.page.context.clear_cookies()
        name = settings.SESSION_COOKIE_NAME
        self.page.context.add_cookies([{"name": name, "value": client.cookies[name].value, "url": self.base}])

    def go(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response is not None, path
        assert response.status == 200, (path, response.status)
        policy = response.header_value("content-security-policy") or ""
        assert "script-src 'self'" in policy, (path, policy)
        assert "style-src 'self'" in policy, (path, policy)
        assert "unsafe" not in policy
        self.visited.append(path)
        self.page.wait_for_load_state("load")
        self.check()


def test_no_page_breaks_the_content_security_policy(page, live_server, world):
    started = time.monotonic()
    walk = Walk(page, live_server)

    # The canary: an inline style is refused and reported, by both channels.
    walk.go("/")
    page.evaluate(CANARY)
    page.wait_for_function("window.__csp.length > 0", timeout=5_000)
    caught = walk.violations()
    assert caught[0]["directive"].startswith("style-src"), caught
    page.wait_for_timeout(200)
    assert any("style-src" in line for line in walk.console), walk.console
    walk.console.clear()

    # Public pages.
    walk.go("/")
    walk.go(reverse("applications:call_list"))
    walk.go(reverse("applications:call_detail", args=[world["open_call"].slug]))
    walk.go(reverse("priorities:round", args=[world["round"].slug]))

    # The applicant saves a section of their draft (htmx swaps the section).
    sign_in(page, live_server, "ada@example.org")
    walk.check()
    walk.go(reverse("applications:application_edit", args=[world["draft"].pk]))
    section = page.locator("#section-details")
    section.locator("input[name=title]").fill("Kelp forests, diet and MS")
    with page.expect_response(lambda r: "/edit/details/" in r.url and r.request.method == "POST"):
        section.get_by_role("button", name="Save details").click()
    expect(page.locator("#section-details input[name=title]")).to_have_value("Kelp forests, diet and MS")
    walk.check()
    assert Application.objects.get(pk=world["draft"].pk).title == "Kelp forests, diet and MS"
    sign_out(page)

    # The reviewer types; htmx autosaves the draft review.
    walk.become(world["reviewer"])
    walk.go(reverse("reviews:workspace", args=[world["assignment"].pk]))
    with page.expect_response(lambda r: r.url.endswith("/save/") and r.request.method == "POST"):
        page.locator("textarea[name=strengths]").press_sequentially("Clear aims.", delay=10)
    expect(page.locator("#review-save-status")).to_contain_text("Saved at")
    walk.check()

    # The chair: ranking, the funding scenario with a row's form opened in place, letters.
    walk.become(world["chair"])
    call = world["call"]
    walk.go(reverse("reviews:ranking", args=[call.slug]))
    walk.go(reverse("awards:funding", args=[call.slug]))
    first = world["applications"][0]
    page.locator(f"#funding-row-{first.pk}").get_by_role("link", name=f"Decide {first.reference}").click()
    expect(page.get_by_role("form", name=f"Decision on {first.reference}")).to_be_visible()
    walk.check()
    walk.go(reverse("awards:letters", args=[call.slug]))

    # A community member on the voting page (htmx ballot).
    walk.become(world["member"])
    walk.go(reverse("priorities:round", args=[world["round"].slug]))

    # Staff: the portfolio's SVG charts, the admin, the API documentation (Swagger UI renders).
    walk.become(world["staff"])
    walk.go(reverse("portfolio:portfolio"))
    expect(page.locator("svg.chart-svg rect.chart-bar").first).to_be_visible()
    walk.go(reverse("admin:index"))
    walk.go(reverse("admin:applications_call_changelist"))
    expect(page.locator("#result_list")).to_be_visible()
    walk.go(reverse("admin:applications_call_change", args=[call.pk]))
    walk.go(reverse("api-docs"))
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Granted API", timeout=15_000)
    page.locator(".opblock-summary").first.click()  # an operation opened: more of Swagger UI drawn
    expect(page.locator(".opblock.is-open")).to_have_count(1)
    page.wait_for_timeout(300)  # icons drawn by Swagger UI's stylesheet (data: images) have loaded
    walk.check()

    elapsed = time.monotonic() - started
    print(f"CSP walk: {len(walk.visited)} pages, 0 violations, {elapsed:.1f} s")
    assert len(walk.visited) >= 16
    assert elapsed < BUDGET_SECONDS, f"the walk took {elapsed:.0f} s"
