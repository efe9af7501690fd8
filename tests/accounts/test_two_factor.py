"""Two-factor authentication: who may use it, set-up, backup codes, turning it off, the require-setting."""

from base64 import b32encode

import pytest
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from applications.models import CommitteeMembership
from audit.models import AuditEvent
from tests.accounts.two_factor_world import (
    BACKUP_CODES,
    code_for,
    enable_two_factor,
    password_step,
    signed_in_as,
    verified_client,
    wrong_code,
)
from tests.factories import PASSWORD, CommitteeMembershipFactory

pytestmark = pytest.mark.django_db

TWO_FACTOR = reverse("accounts:two_factor")
START = reverse("accounts:two_factor_start")
SETUP = reverse("accounts:two_factor_setup")
QR = reverse("accounts:two_factor_qr")
BACKUP = reverse("accounts:two_factor_backup_codes")
DISABLE = reverse("accounts:two_factor_disable")


def events(verb: str) -> list[tuple[str, str | None]]:
    return [(e.target_id, e.actor_id) for e in AuditEvent.objects.filter(verb=verb)]


def test_staff_set_up_two_factor_with_a_qr_code_and_a_current_code(settings, client_for, staff):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the right code follows the wrong one at once
    client = client_for(staff)
    assert "Set up two-factor authentication" in client.get(reverse("accounts:account")).content.decode()
    assert "Set up two-factor authentication" in client.get(TWO_FACTOR).content.decode()

    assert client.post(START)["Location"] == SETUP
    device = TOTPDevice.objects.get(user=staff)
    assert device.confirmed is False
    page = client.get(SETUP)
    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store, private"
    secret = b32encode(device.bin_key).decode()
    grouped = " ".join(secret[i : i + 4] for i in range(0, 32, 4))
    assert f'id="secret">{grouped}</code>' in page.content.decode()
    assert f'src="{QR}"' in page.content.decode()
    qr = client.get(QR)
    assert qr.status_code == 200
    assert qr["Content-Type"] == "image/svg+xml"
    assert qr["Cache-Control"] == "no-store, private"
    assert qr.content.startswith(b"<?xml")
    assert b"<svg" in qr.content
    assert b"style" not in qr.content
    assert b"script" not in qr.content

    no_password = client.post(SETUP, {"code": code_for(device), "password": "not-my-password"})
    assert no_password.status_code == 200
    assert "Your password is not right." in no_password.content.decode()
    assert TOTPDevice.objects.get().confirmed is False  # a session left open cannot turn it on
    assert events("account.2fa_enabled") == []

    wrong = client.post(SETUP, {"code": wrong_code(device), "password": PASSWORD})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()
    assert TOTPDevice.objects.get().confirmed is False  # the set-up is kept: same key, try again
    assert TOTPDevice.objects.get().key == device.key

    done = client.post(SETUP, {"code": code_for(device, steps=1), "password": PASSWORD})
    assert done.status_code == 200
    assert done["Cache-Control"] == "no-store, private"
    device.refresh_from_db()
    assert device.confirmed is True
    codes = list(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True))
    assert len(codes) == len(set(codes)) == 10
    body = done.content.decode()
    assert all(f"<li><code>{code}</code></li>" in body for code in codes)
    assert "This is the only time they are shown" in body
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id  # this session is verified
    assert events("account.2fa_enabled") == [(str(staff.pk), staff.pk)]
    assert "Manage two-factor authentication" in client.get(reverse("accounts:account")).content.decode()
    assert client.get(SETUP)["Location"] == TWO_FACTOR  # nothing waits to be confirmed any more
    assert client.get(QR).status_code == 404


def test_a_chair_may_set_up_two_factor(client_for, chair):
    client = client_for(chair)
    assert client.get(TWO_FACTOR).status_code == 200
    assert client.post(START)["Location"] == SETUP
    device = TOTPDevice.objects.get(user=chair)
    assert client.post(SETUP, {"code": code_for(device), "password": PASSWORD}).status_code == 200
    assert TOTPDevice.objects.get(user=chair).confirmed is True


@pytest.mark.parametrize("role", ["applicant", "committee member"])
def test_others_neither_see_two_factor_nor_reach_its_pages(client_for, user, call, role):
    if role == "committee member":
        CommitteeMembershipFactory(call=call, user=user, role=CommitteeMembership.Role.MEMBER)
    client = client_for(user)
    account = client.get(reverse("accounts:account")).content.decode()
    assert "Two-factor authentication" not in account
    assert "two-factor" not in account
    for url in (TWO_FACTOR, START, SETUP, QR, BACKUP, DISABLE):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"code": "123456", "password": PASSWORD}).status_code == 403, url
    assert not TOTPDevice.objects.exists()
    assert not StaticDevice.objects.exists()
    assert not AuditEvent.objects.filter(verb__startswith="account.2fa").exists()


def test_anonymous_visitors_are_sent_to_sign_in(client_for):
    for url in (TWO_FACTOR, START, SETUP, QR, BACKUP, DISABLE):
        response = client_for(None).get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_starting_again_replaces_the_unconfirmed_key(client_for, staff):
    client = client_for(staff)
    client.post(START)
    first = TOTPDevice.objects.get(user=staff)
    client.post(START)
    second = TOTPDevice.objects.get(user=staff)
    assert second.pk != first.pk
    assert second.key != first.key
    # A code from the abandoned key does not turn two-factor authentication on.
    assert (
        "That code is not right"
        in client.post(SETUP, {"code": code_for(first), "password": PASSWORD}).content.decode()
    )
    assert TOTPDevice.objects.get(user=staff).confirmed is False


def test_set_up_is_refused_when_two_factor_is_on_already(staff):
    device = enable_two_factor(staff)
    client = verified_client(staff, device)
    response = client.post(START, follow=True)
    assert "Two-factor authentication is on already." in response.content.decode()
    assert list(TOTPDevice.objects.filter(user=staff)) == [device]


def test_backup_codes_are_made_anew_and_the_old_ones_stop_working(staff):
    device = enable_two_factor(staff)
    client = verified_client(staff, device)
    page = client.get(TWO_FACTOR).content.decode()
    assert "You have <strong>10</strong> unused backup codes" in page

    response = client.post(BACKUP)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"
    new = set(StaticToken.objects.filter(device__user=staff).values_list("token", flat=True))
    assert len(new) == 10
    assert not new & set(BACKUP_CODES)
    assert all(code in response.content.decode() for code in new)
    assert events("account.2fa_backup_codes_regenerated") == [(str(staff.pk), staff.pk)]
    assert client.get(BACKUP).status_code == 405


def test_turning_two_factor_off_needs_the_password_and_a_current_code(settings, staff):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = enable_two_factor(staff)
    client = verified_client(staff, device)

    wrong_password = client.post(DISABLE, {"password": "not-my-password", "code": code_for(device, steps=1)})
    assert "Your password is not right." in wrong_password.content.decode()
    wrong = client.post(DISABLE, {"password": PASSWORD, "code": wrong_code(device)})
    assert "That code is not right" in wrong.content.decode()
    assert TOTPDevice.objects.filter(user=staff).count() == 1
    assert StaticToken.objects.filter(device__user=staff).count() == 10
    assert not AuditEvent.objects.filter(verb="account.2fa_disabled").exists()

    done = client.post(DISABLE, {"password": PASSWORD, "code": code_for(device, steps=1)})
    assert done["Location"] == TWO_FACTOR
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert not StaticDevice.objects.filter(user=staff).exists()
    assert events("account.2fa_disabled") == [(str(staff.pk), staff.pk)]
    assert client.get(reverse("accounts:account")).status_code == 200  # still signed in
    # Signing in needs the password only again.
    fresh = Client()
    assert password_step(fresh, staff)["Location"] == reverse("home")
    assert signed_in_as(fresh) == str(staff.pk)


def test_a_backup_code_turns_two_factor_off_when_the_phone_is_lost(staff):
    device = enable_two_factor(staff)
    client = verified_client(staff, device)
    done = client.post(DISABLE, {"password": PASSWORD, "code": BACKUP_CODES[3]})
    assert done["Location"] == TWO_FACTOR
    assert not TOTPDevice.objects.filter(user=staff).exists()


def test_required_two_factor_sends_staff_to_set_up_first(settings, client_for, staff, user):
    settings.GRANTED_REQUIRE_2FA_FOR_STAFF = True
    client = client_for(staff)
    for url in (reverse("home"), reverse("accounts:account"), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == TWO_FACTOR
    api = client.get("/api/v1/calls/")
    assert api.status_code == 403
    assert "Set up two-factor authentication" in api.json()["detail"]
    page = client.get(TWO_FACTOR)
    assert page.status_code == 200
    assert "Program officers must set up two-factor authentication" in page.content.decode()
    assert client.get(reverse("healthz")).status_code in (200, 503)
    assert client.post(START)["Location"] == SETUP
    assert client.get(SETUP).status_code == 200
    assert client.get(QR).status_code == 200
    device = TOTPDevice.objects.get(user=staff)
    assert client.post(SETUP, {"code": code_for(device), "password": PASSWORD}).status_code == 200
    assert client.get(reverse("home")).status_code == 200  # verified in this very session
    assert client.get(reverse("admin:index")).status_code == 200
    # Other users are not affected; sign-out stays open.
    assert client_for(user).get(reverse("home")).status_code == 200
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert signed_in_as(client) is None


def test_without_the_require_setting_staff_use_the_site_without_two_factor(client_for, staff):
    client = client_for(staff)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_personal_api_token_from_the_account_page(client_for, staff):
    device = enable_two_factor(staff)
    client = verified_client(staff, device)
    created = client.post(reverse("accounts:api_token"), {"action": "create"})
    assert created.status_code == 200
    assert created["Cache-Control"] == "no-store, private"
    token = Token.objects.get(user=staff)
    assert f'id="api-token">{token.key}</code>' in created.content.decode()
    assert token.key not in client.get(reverse("accounts:account")).content.decode()  # shown once
    api = client_for(None, api=True)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api.get("/api/v1/calls/").status_code == 200

    client.post(reverse("accounts:api_token"), {"action": "create"})
    assert Token.objects.get(user=staff).key != token.key
    assert api.get("/api/v1/calls/").status_code == 403  # the replaced token stops working
    assert client.post(reverse("accounts:api_token"), {"action": "revoke"})["Location"] == reverse(
        "accounts:account"
    )
    assert not Token.objects.filter(user=staff).exists()
    token_events = AuditEvent.objects.filter(verb__startswith="account.api_token").order_by("pk")
    assert [e.verb for e in token_events] == [
        "account.api_token_created",
        "account.api_token_created",
        "account.api_token_revoked",
    ]
    assert client.get(reverse("accounts:api_token")).status_code == 405


def test_wrong_passwords_at_set_up_count_as_failed_sign_ins(client_for, staff):
    """An open session is no way to guess the password: the fifth wrong one locks out (django-axes),
    and then even the right password turns nothing on."""
    client = client_for(staff)
    client.post(START)
    device = TOTPDevice.objects.get(user=staff)
    for _ in range(4):
        wrong = client.post(SETUP, {"code": code_for(device), "password": "a guess"})
        assert "Your password is not right." in wrong.content.decode()
    assert client.post(SETUP, {"code": code_for(device), "password": "a guess"}).status_code == 429
    assert client.post(SETUP, {"code": code_for(device), "password": PASSWORD}).status_code == 429
    assert TOTPDevice.objects.get(user=staff).confirmed is False


def test_wrong_passwords_when_turning_it_off_count_too(settings, staff):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = enable_two_factor(staff)
    client = verified_client(staff, device)
    for _ in range(4):
        client.post(DISABLE, {"password": "a guess", "code": code_for(device, steps=1)})
    assert client.post(DISABLE, {"password": "a guess", "code": code_for(device, steps=1)}).status_code == 429
    assert TOTPDevice.objects.filter(user=staff).exists()


def test_the_admin_lists_devices_without_their_keys_and_sets_none_up(client_for, staff):
    from tests.factories import UserFactory

    device = enable_two_factor(staff)
    officer = UserFactory(is_staff=True, is_superuser=True)
    client = client_for(officer)
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    page = client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/")
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    assert b32encode(device.bin_key).decode() not in page.content.decode()
    assert client.get(f"/admin/otp_totp/totpdevice/{device.pk}/config/").status_code in (302, 404)
    # A lost phone: staff delete the device, after which the password alone signs its owner in.
    assert client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
