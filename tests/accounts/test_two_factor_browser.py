"""Two-factor authentication in Chromium: a program officer sets it up from the QR code page (which
shows the code as an image from our origin, under the real content security policy), then signs in
with the password and the app's code. No CSP violation, no axe violation on the new pages."""

import time

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.accounts.two_factor_world import code_for, wrong_code
from tests.browser.conftest import CHROMIUM, browser_type_launch_args, live_server  # noqa: F401 (Debian's Chromium)
from tests.browser.helpers import assert_accessible, sign_in, sign_out
from tests.factories import PASSWORD, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.timeout(90),
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent: apt-get install chromium"),
]
BUDGET_SECONDS = 30
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push({directive: e.violatedDirective, blocked: e.blockedURI, page: location.pathname});
});
"""


def test_set_up_and_sign_in_with_an_authenticator_app(transactional_db, live_server, page):  # noqa: F811
    started = time.monotonic()
    officer = UserFactory(email="officer@example.org", full_name="Olga Officer", is_staff=True)
    page.add_init_script(RECORD_VIOLATIONS)
    violations = []
    page.on("console", lambda m: "Content Security Policy" in m.text and violations.append(m.text))
    sign_in(page, live_server, officer.email)

    page.goto(f"{live_server.url}/accounts/")
    page.get_by_role("link", name="Set up two-factor authentication").click()
    page.get_by_role("button", name="Set up two-factor authentication").click()
    qr = page.get_by_role("img", name="QR code with the key for your authenticator app")
    expect(qr).to_be_visible()
    page.wait_for_function("() => document.querySelector('img.qr-code').complete", timeout=10_000)
    assert page.evaluate("() => document.querySelector('img.qr-code').naturalWidth") > 0  # it drew
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert page.locator("#secret").inner_text().replace(" ", "")  # the key, for typing it in
    assert_accessible(page)

    page.get_by_label("Authentication code").fill(code_for(device))
    page.get_by_label("Your password").fill(PASSWORD)
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()
    expect(page.get_by_role("list", name="Backup codes").get_by_role("listitem")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("link", name="I have saved my backup codes").click()
    expect(page.get_by_role("button", name="Make 10 new backup codes")).to_be_visible()
    sign_out(page)

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-mail address").fill(officer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Enter your authentication code")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert_accessible(page)
    page.get_by_label("Authentication code").fill(wrong_code(device))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("That code is not right.")
    time.sleep(1.1)  # the device holds a code back for a second after a wrong one
    page.get_by_label("Authentication code").fill(code_for(device, steps=1))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()

    assert page.evaluate("() => window.__csp") == []
    assert violations == []
    assert time.monotonic() - started < BUDGET_SECONDS
