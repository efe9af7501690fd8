"""Secure headers on portal pages, API answers and error pages; cookies; password rules; check --deploy."""

import json
import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

from accounts.models import Institution, User
from audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[2]
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
TURNED_OFF = ("camera", "microphone", "geolocation", "payment", "usb")


def directives(header: str) -> dict[str, str]:
    parts = [part.strip() for part in header.split(";") if part.strip()]
    return {part.split()[0]: " ".join(part.split()[1:]) for part in parts}


def assert_secure_headers(response, policy=POLICY) -> None:
    assert directives(response["Content-Security-Policy"]) == policy
    assert "unsafe" not in response["Content-Security-Policy"]
    assert "Content-Security-Policy-Report-Only" not in response
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    features = dict(item.strip().split("=", 1) for item in response["Permissions-Policy"].split(","))
    for feature in TURNED_OFF:
        assert features[feature] == "()", feature


@pytest.mark.django_db
def test_a_portal_page_has_every_header():
    response = Client().get("/calls/")
    assert response.status_code == 200
    assert_secure_headers(response)


@pytest.mark.django_db
def test_a_signed_in_page_has_every_header(client_for, user):
    response = client_for(user).get("/accounts/")
    assert response.status_code == 200
    assert_secure_headers(response)


@pytest.mark.django_db
def test_an_api_answer_has_every_header(client_for, user):
    response = client_for(user, api=True).get("/api/v1/calls/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert_secure_headers(response)


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_error_pages_have_every_header(client_for, user):
    page = Client().get("/no-such-page/")
    assert page.status_code == 404
    assert "<html" in page.content.decode()
    assert_secure_headers(page)

    api = client_for(user, api=True).get("/api/v1/calls/999999/")
    assert api.status_code == 404
    assert "detail" in api.json()
    assert_secure_headers(api)


@pytest.mark.django_db
def test_the_lockout_page_has_every_header(user):
    client = Client()
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": user.email, "password": "nope"})
    assert response.status_code == 429
    assert_secure_headers(response)


@pytest.mark.django_db
def test_the_api_docs_page_has_no_inline_script_and_only_adds_data_images(client_for, user):
    response = client_for(user).get("/api/docs/")
    assert response.status_code == 200
    assert_secure_headers(response, {**POLICY, "img-src": "'self' data:"})
    html = response.content.decode()
    assert "<style" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S)
    assert len(scripts) == 3
    assert all('src="' in attrs and not body.strip() for attrs, body in scripts)
    init_src = re.search(r'<script src="([^"]*script[^"]*)">', html).group(1).replace("&amp;", "&")

    script = client_for(user).get(init_src)
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle(" in script.content.decode()
    assert "/api/schema/" in script.content.decode()


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on* event handler"),
    (re.compile(r"\shx-on", re.I), "hx-on (needs eval)"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_has_inline_script_or_style():
    """The policy would block them in the browser; catch them here first (every template we ship)."""
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text()
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert found == []


def test_htmx_adds_no_style_of_its_own():
    base = (ROOT / "templates" / "base.html").read_text()
    config = re.search(r"<meta name=\"htmx-config\" content='([^']*)'>", base)
    assert config, "base.html lacks the htmx-config meta element"
    assert json.loads(config.group(1)) == {
        "includeIndicatorStyles": False,
        "allowEval": False,
        "allowScriptTags": False,
    }
    css = (ROOT / "static" / "css" / "granted.css").read_text()
    assert ".htmx-request .htmx-indicator" in css


# --- cookies ------------------------------------------------------------------------------------


def _sign_in(client: Client, email: str):
    client.get("/accounts/login/")  # the CSRF cookie
    return client.post("/accounts/login/", {"username": email, "password": PASSWORD})


@pytest.mark.django_db
def test_session_and_csrf_cookies_in_development(user):
    client = Client()
    response = _sign_in(client, user.email)
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["httponly"] is True
    assert session["samesite"] == "Lax"
    assert int(session["max-age"]) == 12 * 60 * 60
    csrf = client.cookies["csrftoken"]
    assert csrf["samesite"] == "Lax"


@pytest.mark.django_db
@override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_session_and_csrf_cookies_are_secure_as_in_production(user):
    client = Client()
    login_page = client.get("/accounts/login/")
    assert login_page.cookies["csrftoken"]["secure"] is True
    response = client.post("/accounts/login/", {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert (session["secure"], session["httponly"], session["samesite"]) == (True, True, "Lax")


def production_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CELERY_BROKER_URL"))}
    for name in (
        "TESTING",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "SILENCED_SYSTEM_CHECKS",
        "TRUSTED_PROXY_COUNT",
        "AXES_FAILURE_LIMIT",
        "AXES_COOLOFF_MINUTES",
        "DJANGO_ALLOW_ASYNC_UNSAFE",  # set for Playwright by tests/conftest.py; never in production
    ):
        env.pop(name, None)
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="granted.example.org",
        SITE_URL="https://granted.example.org",
        CSRF_TRUSTED_ORIGINS="https://granted.example.org",
        **extra,
    )
    return env


DEPLOY_CHECK = """
import json, django
django.setup()
from django.conf import settings as s
from django.core.management import call_command
call_command("check", deploy=True, fail_level="WARNING")
print(json.dumps({name: getattr(s, name) for name in (
    "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
    "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE", "CSRF_COOKIE_SAMESITE", "TRUSTED_PROXY_COUNT",
    "AXES_FAILURE_LIMIT")}))
"""


def test_check_deploy_passes_and_cookies_are_secure_with_debug_off():
    """As .ci/run's step: production-like environment, ``check --deploy --fail-level WARNING``."""
    out = subprocess.run(
        [sys.executable, "-c", DEPLOY_CHECK],
        cwd=ROOT,
        env=production_env(DJANGO_SETTINGS_MODULE="config.settings"),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "System check identified no issues" in out.stdout
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SAMESITE": "Lax",
        "TRUSTED_PROXY_COUNT": 1,
        "AXES_FAILURE_LIMIT": 5,
    }


# --- password rules -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Xk3-qa", "This password is too short. It must contain at least 10 characters."),
        ("password123", "This password is too common."),
        ("83920174659312", "This password is entirely numeric."),
        ("rosalindresearcher", "The password is too similar to the full name."),
    ],
)
def test_registration_refuses_a_weak_password_with_its_reason_and_creates_nothing(password, message):
    institutions = Institution.objects.count()
    client = Client()
    response = client.post(
        "/accounts/register/",
        {
            "full_name": "Rosalind Researcher",
            "email": "rosalind@example.org",
            "password1": password,
            "password2": password,
            "new_institution_name": "University of Tromsø",
            "new_institution_country": "NO",
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert message in response.context["form"].errors["password1"]
    assert response.context["form"]["full_name"].value() == "Rosalind Researcher"  # nothing typed is lost
    assert not User.objects.exists()
    assert Institution.objects.count() == institutions
    assert not AuditEvent.objects.exists()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_good_password_still_registers():
    response = Client().post(
        "/accounts/register/",
        {
            "full_name": "Rosalind Researcher",
            "email": "rosalind@example.org",
            "password1": "purple-giraffe-lantern-42",
            "password2": "purple-giraffe-lantern-42",
            "new_institution_name": "University of Tromsø",
            "new_institution_country": "NO",
        },
    )
    assert response.status_code == 302
    assert User.objects.get().email == "rosalind@example.org"


@pytest.mark.django_db
def test_factories_password_passes_the_validators():
    """The tests' own password must meet the rules (or every sign-in test would test nothing)."""
    from django.contrib.auth.password_validation import validate_password

    validate_password(PASSWORD, UserFactory.build(full_name="Ada Applicant", email="ada@example.org"))
