"""Login throttling (django-axes, enabled as in production): lockout after AXES_FAILURE_LIMIT failures of
one e-mail address from one client address, a clear 429 page or JSON, one audit event per lockout."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token

from accounts.models import User
from audit.models import AuditEvent
from core.security import LOCKED_OUT, client_ip
from tests.factories import PASSWORD, UserFactory

LOGIN = "/accounts/login/"
TOKEN = "/api/v1/auth/token/"
HOME = "10.1.1.1"
ELSEWHERE = "10.2.2.2"


@pytest.fixture
def ada(db):
    return UserFactory(email="ada@example.org", full_name="Ada Applicant")


def sign_in(client: Client, email: str, password: str, ip: str = HOME):
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=ip)


def fail(client: Client, email: str, times: int, ip: str = HOME):
    return [sign_in(client, email, "wrong-password", ip) for _ in range(times)]


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_settings_are_those_of_production(settings):
    assert settings.AXES_ENABLED
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_RESET_ON_SUCCESS
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def test_the_fifth_failure_locks_out_and_even_the_right_password_is_refused(ada):
    client = Client()
    responses = fail(client, "ada@example.org", 5)

    assert [r.status_code for r in responses[:4]] == [200] * 4
    locked = responses[4]
    assert locked.status_code == 429
    body = locked.content.decode()
    assert '<header class="site-header">' in body  # our base template
    assert "Too many sign-in attempts" in body
    unlock = (timezone.now() + timedelta(minutes=15)).strftime("%H:%M")
    assert re.search(rf"try again after <strong><time datetime=\"[^\"]+\">{unlock} UTC</time>", body)
    assert "in about 15 minutes" in body
    assert 'href="/accounts/password/reset/"' in body
    assert 14 * 60 < int(locked["Retry-After"]) <= 15 * 60

    right = sign_in(client, "ada@example.org", PASSWORD)
    assert right.status_code == 429
    assert not signed_in(client)
    # Tries during the lockout do not push its end further out.
    assert AccessAttempt.objects.get(username="ada@example.org").failures_since_start == 5


def test_a_lockout_writes_one_audit_event(ada):
    client = Client()
    fail(client, "ada@example.org", 7)
    sign_in(client, "ada@example.org", PASSWORD)

    events = AuditEvent.objects.filter(verb=LOCKED_OUT)
    assert events.count() == 1
    event = events.get()
    assert event.target_id == str(ada.pk)
    assert event.actor is None
    assert event.data["username"] == "ada@example.org"
    assert event.data["ip_address"] == HOME
    assert event.data["path"] == LOGIN
    assert event.data["failures"] == 5


def test_a_lockout_of_an_unknown_address_is_audited_against_the_attempt(db):
    fail(Client(), "nobody@example.org", 5)

    event = AuditEvent.objects.get(verb=LOCKED_OUT)
    attempt = AccessAttempt.objects.get(username="nobody@example.org")
    assert (event.target_type.model, event.target_id) == ("accessattempt", str(attempt.pk))


def test_the_lock_is_per_address_and_client_not_per_network_or_person(ada):
    bob = UserFactory(email="bob@example.org")
    client = Client()
    fail(client, "ada@example.org", 5, ip=HOME)

    # Bob, behind the same institutional address, is not locked out …
    colleague = Client()
    assert sign_in(colleague, bob.email, PASSWORD, ip=HOME).status_code == 302
    assert signed_in(colleague)
    # … nor is Ada from another network.
    travelling = Client()
    assert sign_in(travelling, "ada@example.org", PASSWORD, ip=ELSEWHERE).status_code == 302
    assert signed_in(travelling)


def test_case_and_spaces_in_the_address_count_as_one_person(ada):
    client = Client()
    fail(client, "Ada@Example.org", 2)
    fail(client, " ada@example.org ", 2)
    assert fail(client, "ADA@EXAMPLE.ORG", 1)[0].status_code == 429
    assert AccessAttempt.objects.get().username == "ada@example.org"


def test_success_resets_the_count(ada):
    client = Client()
    fail(client, "ada@example.org", 4)
    assert sign_in(client, "ada@example.org", PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    assert [r.status_code for r in fail(client, "ada@example.org", 4)] == [200] * 4


def test_after_the_cool_off_the_person_signs_in_again(ada):
    client = Client()
    fail(client, "ada@example.org", 5)
    assert sign_in(client, "ada@example.org", PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))

    assert sign_in(client, "ada@example.org", PASSWORD).status_code == 302
    assert signed_in(client)


@override_settings(AXES_FAILURE_LIMIT=3, AXES_COOLOFF_TIME=timedelta(minutes=40))
def test_the_limits_come_from_settings(ada):
    responses = fail(Client(), "ada@example.org", 3)
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert "in about 40 minutes" in responses[2].content.decode()


def test_the_admin_sends_people_to_the_throttled_sign_in(ada):
    ada.is_staff = True
    ada.save()
    client = Client()
    to_login = client.get("/admin/login/?next=/admin/")
    assert to_login.status_code == 302
    login_url = to_login["Location"]
    assert login_url.startswith(LOGIN)

    for _ in range(5):
        response = client.post(login_url, {"username": ada.email, "password": "nope"}, REMOTE_ADDR=HOME)
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.content.decode()
    response = client.post(login_url, {"username": ada.email, "password": PASSWORD}, REMOTE_ADDR=HOME)
    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302  # still not signed in


def test_the_api_token_endpoint_answers_429_json(ada):
    client = Client()
    answers = [
        client.post(TOKEN, {"username": ada.email, "password": "nope"}, REMOTE_ADDR=HOME) for _ in range(5)
    ]
    assert [a.status_code for a in answers[:4]] == [400] * 4
    locked = answers[4]
    assert locked.status_code == 429
    assert locked["Content-Type"] == "application/json"
    detail = locked.json()["detail"]
    assert "Too many failed sign-in attempts" in detail
    assert "try again after" in detail
    assert "/accounts/password/reset/" in detail
    assert int(locked["Retry-After"]) > 14 * 60

    right = client.post(
        TOKEN,
        {"username": ada.email, "password": PASSWORD},
        content_type="application/json",
        REMOTE_ADDR=HOME,
    )
    assert right.status_code == 429
    assert not Token.objects.filter(user=ada).exists()
    assert AuditEvent.objects.filter(verb=LOCKED_OUT, target_id=str(ada.pk)).count() == 1

    # Another client address still gets its token.
    other = client.post(TOKEN, {"username": ada.email, "password": PASSWORD}, REMOTE_ADDR=ELSEWHERE)
    assert other.status_code == 200
    assert other.json()["token"] == Token.objects.get(user=ada).key


def test_portal_and_api_failures_share_one_count(ada):
    client = Client()
    fail(client, ada.email, 3)
    for _ in range(2):
        answer = client.post(TOKEN, {"username": ada.email, "password": "nope"}, REMOTE_ADDR=HOME)
    assert answer.status_code == 429
    assert sign_in(client, ada.email, PASSWORD).status_code == 429
    assert User.objects.get(pk=ada.pk).last_login is None


# --- the client address behind a reverse proxy ----------------------------------------------------


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().post(LOGIN, **extra)


@override_settings(TRUSTED_PROXY_COUNT=0)
def test_without_a_proxy_x_forwarded_for_is_ignored():
    assert client_ip(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_address_it_appended_counts():
    # The proxy appends the address it saw; what the client wrote to the left is not believed.
    assert client_ip(request_from("172.18.0.1", "198.51.100.1")) == "198.51.100.1"
    assert client_ip(request_from("172.18.0.1", "1.2.3.4, 198.51.100.1")) == "198.51.100.1"
    assert client_ip(request_from("172.18.0.1", "1.2.3.4,2001:db8::1")) == "2001:db8::1"
    # No header, or garbage: the proxy's own address (never a value the client chose).
    assert client_ip(request_from("172.18.0.1")) == "172.18.0.1"
    assert client_ip(request_from("172.18.0.1", "1.2.3.4, not-an-ip")) == "172.18.0.1"


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_a_proxy_a_forged_x_forwarded_for_does_not_escape_the_lockout(ada):
    client = Client()
    responses = [
        client.post(
            LOGIN,
            {"username": ada.email, "password": "nope"},
            REMOTE_ADDR="172.18.0.1",
            HTTP_X_FORWARDED_FOR=f"10.9.9.{n}, 198.51.100.7",
        )
        for n in range(5)
    ]
    assert responses[-1].status_code == 429
    assert AccessAttempt.objects.get().ip_address == "198.51.100.7"
