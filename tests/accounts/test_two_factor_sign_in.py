"""Signing in with two-factor authentication: the code step, its limits, backup codes, the admin,
sessions that began with the password alone, and the API token endpoint."""

import time
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from accounts.middleware import CHECKED_AT
from accounts.two_factor_views import PENDING
from audit.models import AuditEvent
from tests.accounts.two_factor_world import (
    BACKUP_CODES,
    code_for,
    code_step,
    enable_two_factor,
    password_step,
    signed_in_as,
    verified_client,
    wrong_code,
)
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:login_verify")
ACCOUNT = reverse("accounts:account")


@pytest.fixture
def device(staff):
    return enable_two_factor(staff)


@pytest.fixture
def no_throttle(settings):
    """Wrong codes in quick succession are each checked (the device's own back-off is tested apart)."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def test_the_password_alone_does_not_sign_in_a_user_with_two_factor(client, staff, device):
    response = password_step(client, staff, next_url=ACCOUNT)
    assert response["Location"] == VERIFY
    assert signed_in_as(client) is None
    assert client.get(ACCOUNT)["Location"] == f"{LOGIN}?next={ACCOUNT}"
    page = client.get(VERIFY)
    assert page.status_code == 200
    assert "Signing in as <strong>officer@example.org</strong>" in page.content.decode()

    done = code_step(client, code_for(device))
    assert done["Location"] == ACCOUNT
    assert signed_in_as(client) == str(staff.pk)
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert PENDING not in client.session
    assert client.get(ACCOUNT).status_code == 200
    # The signed-in user is sent on from both steps, as Django's login page does.
    assert client.get(LOGIN)["Location"] == reverse("home")
    assert client.get(VERIFY)["Location"] == reverse("home")


def test_without_two_factor_the_password_signs_in_as_before(client, user):
    assert password_step(client, user, next_url=ACCOUNT)["Location"] == ACCOUNT
    assert signed_in_as(client) == str(user.pk)


def test_a_wrong_password_never_reaches_the_code_step(client, staff, device):
    response = password_step(client, staff, password="not-the-password")
    assert response.status_code == 200
    assert PENDING not in client.session
    assert client.get(VERIFY)["Location"] == LOGIN


@pytest.mark.parametrize("next_url", ["https://evil.example/steal", "//evil.example/", "javascript:alert(1)"])
def test_only_safe_next_urls_are_followed(client, staff, device, next_url):
    password_step(client, staff, next_url=next_url)
    assert code_step(client, code_for(device))["Location"] == reverse("home")


def test_wrong_codes_say_so_and_five_send_the_user_back_to_the_password(client, staff, device, no_throttle):
    password_step(client, staff, next_url=ACCOUNT)
    for left in (4, 3, 2, 1):
        response = code_step(client, wrong_code(device))
        assert response.status_code == 200
        body = response.content.decode()
        assert "That code is not right." in body
        assert f"{left} {'try' if left == 1 else 'tries'} left." in body
        assert signed_in_as(client) is None
    response = code_step(client, wrong_code(device))
    assert response["Location"] == f"{LOGIN}?next={ACCOUNT}"
    assert PENDING not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "Too many wrong codes. Sign in again with your e-mail address and password." in page
    # The right code is of no use now without the password again.
    assert code_step(client, code_for(device))["Location"].startswith(LOGIN)
    assert signed_in_as(client) is None
    password_step(client, staff)
    assert code_step(client, code_for(device))["Location"] == reverse("home")


def test_an_empty_code_is_asked_for_and_costs_no_try(client, staff, device):
    password_step(client, staff)
    body = code_step(client, "").content.decode()
    assert "This field is required." in body
    assert client.session[PENDING]["attempts"] == 0


def test_codes_in_quick_succession_are_held_back_by_the_device(client, staff, device):
    password_step(client, staff)
    assert "That code is not right." in code_step(client, wrong_code(device)).content.decode()
    held = code_step(client, code_for(device)).content.decode()  # within a second of the wrong one
    assert "Too many wrong codes in a row. Wait 1 seconds, then try again." in held
    assert "4 tries left." not in held
    assert client.session[PENDING]["attempts"] == 1
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(seconds=2)
    )
    assert code_step(client, code_for(device))["Location"] == reverse("home")


def test_the_code_step_expires(client, staff, device):
    password_step(client, staff, next_url=ACCOUNT)
    session = client.session
    session[PENDING] = {**session[PENDING], "until": time.time() - 1}
    session.save()
    response = code_step(client, code_for(device))
    assert response["Location"] == f"{LOGIN}?next={ACCOUNT}"
    assert signed_in_as(client) is None
    assert "Signing in took too long." in client.get(response["Location"]).content.decode()


def test_a_backup_code_signs_in_once(staff, device):
    client = Client()
    password_step(client, staff)
    response = code_step(client, f" {BACKUP_CODES[0].upper()[:4]} {BACKUP_CODES[0][4:]} ")
    assert response["Location"] == reverse("home")
    assert signed_in_as(client) == str(staff.pk)
    assert "9 are left" in client.get(reverse("home")).content.decode()
    assert StaticToken.objects.filter(device__user=staff).count() == 9
    event = AuditEvent.objects.get(verb="account.2fa_backup_code_used")
    assert (event.actor, event.after) == (staff, {"backup_codes_left": 9})

    again = Client()
    password_step(again, staff)
    assert "That code is not right." in code_step(again, BACKUP_CODES[0]).content.decode()
    assert signed_in_as(again) is None


def test_a_code_is_accepted_once(staff, device):
    verified_client(staff, device)
    second = Client()
    password_step(second, staff)
    assert "That code is not right." in code_step(second, code_for(device)).content.decode()


def test_admin_sign_in_goes_through_the_portal_sign_in(client, staff, device):
    response = client.get("/admin/")
    assert response["Location"] == "/admin/login/?next=/admin/"
    assert client.get(response["Location"])["Location"] == f"{LOGIN}?next=/admin/"
    # The admin's own form does not sign anyone in: it is not there any more.
    posted = client.post("/admin/login/?next=/admin/", {"username": staff.email, "password": PASSWORD})
    assert posted["Location"] == f"{LOGIN}?next=/admin/"
    assert signed_in_as(client) is None
    password_step(client, staff, next_url="/admin/")
    assert signed_in_as(client) is None
    assert code_step(client, code_for(device))["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/login/")["Location"] == "/admin/"


def test_a_password_only_session_of_a_two_factor_user_cannot_use_the_admin(staff, device):
    """A session signed in with the password alone (e.g. before 2FA was turned on, elsewhere)."""
    client = Client()
    client.force_login(staff)
    response = client.get("/admin/")
    assert response["Location"] == f"{LOGIN}?next=/admin/"
    assert signed_in_as(client) is None

    # Even while the session's last check (no device yet) is fresh, the admin asks for the code.
    client.force_login(staff)
    session = client.session
    session[CHECKED_AT] = time.time()
    session.save()
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    assert client.get("/admin/login/?next=/admin/")["Location"] == f"{LOGIN}?next=/admin/"
    assert signed_in_as(client) is None


def test_a_password_only_session_ends_once_two_factor_is_turned_on(client_for, chair):
    client = client_for(chair)
    assert client.get(ACCOUNT).status_code == 200
    enable_two_factor(chair)  # in another browser
    session = client.session
    session[CHECKED_AT] = time.time() - 301
    session.save()
    response = client.get(ACCOUNT)
    assert response["Location"] == f"{LOGIN}?next={ACCOUNT}"
    assert signed_in_as(client) is None
    assert "sign in again with your code" in client.get(response["Location"]).content.decode()
    api = client_for(chair).get("/api/v1/calls/")
    assert api.status_code == 401
    assert "two-factor authentication" in api.json()["detail"]


def test_a_fresh_password_only_session_cannot_create_an_api_token(client_for, chair):
    """Within the middleware's recheck interval, token creation still asks for the second factor."""
    client = client_for(chair)
    assert client.get(ACCOUNT).status_code == 200  # the session's check is fresh: no device yet
    enable_two_factor(chair)  # in another browser
    response = client.post(reverse("accounts:api_token"), {"action": "create"})
    assert response["Location"] == f"{LOGIN}?next={ACCOUNT}"
    assert not Token.objects.filter(user=chair).exists()
    assert signed_in_as(client) is None


def test_people_without_admin_access_get_403_not_a_redirect_loop(client_for, user):
    client = client_for(user)
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    assert client.get("/admin/login/?next=/admin/").status_code == 403


def test_staff_without_two_factor_reach_the_admin_as_before(client, staff):
    password_step(client, staff, next_url="/admin/")
    assert client.get("/admin/").status_code == 200


def test_the_token_endpoint_refuses_accounts_with_two_factor(api_client, staff, device, user):
    url = reverse("api-token")
    refused = api_client.post(url, {"username": staff.email, "password": PASSWORD})
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("This account uses two-factor authentication")
    assert "account page" in refused.json()["detail"]
    assert not Token.objects.filter(user=staff).exists()
    wrong = api_client.post(url, {"username": staff.email, "password": "not-the-password"})
    assert wrong.status_code == 400  # a wrong password says nothing about two-factor authentication
    allowed = api_client.post(url, {"username": user.email, "password": PASSWORD})
    assert allowed.status_code == 200
    assert allowed.json() == {"token": Token.objects.get(user=user).key}


def test_the_check_answers_a_clean_503_when_the_database_fails(client_for, staff):
    client = client_for(staff)
    session = client.session
    session[CHECKED_AT] = time.time() - 301  # due for its check
    session.save()

    def refuse_devices(execute, sql, params, many, context):
        if "otp_totp" in sql:
            raise OperationalError("the database went away")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse_devices):
        page = client.get(ACCOUNT)
        api = client.get("/api/v1/calls/")
    assert page.status_code == 503
    assert "briefly unavailable" in page.content.decode()
    assert api.status_code == 503
    assert "briefly unavailable" in api.json()["detail"]


def test_with_two_factor_required_staff_without_it_get_no_password_token(settings, api_client, staff, user):
    settings.GRANTED_REQUIRE_2FA_FOR_STAFF = True
    url = reverse("api-token")
    refused = api_client.post(url, {"username": staff.email, "password": PASSWORD})
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("Staff accounts must use two-factor authentication")
    assert not Token.objects.filter(user=staff).exists()
    allowed = api_client.post(url, {"username": user.email, "password": PASSWORD})
    assert allowed.status_code == 200


def test_turning_two_factor_on_revokes_a_token_got_with_the_password_alone(staff):
    from accounts.services import create_api_token
    from accounts.two_factor import confirm_two_factor, start_two_factor_setup
    from audit.models import AuditEvent
    from tests.accounts.two_factor_world import code_for

    create_api_token(user=staff)
    device = start_two_factor_setup(user=staff)
    confirm_two_factor(user=staff, code=code_for(device), password=PASSWORD)
    assert not Token.objects.filter(user=staff).exists()
    event = AuditEvent.objects.filter(verb="account.2fa_enabled").latest("pk")
    assert event.after["api_tokens_revoked"] == 1
