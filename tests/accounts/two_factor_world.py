"""Helpers for the two-factor tests: devices made as the set-up makes them, and codes computed from
the device's key with django-otp's own TOTP (no mocks)."""

import time

from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD

BACKUP_CODES = [f"backup{n:02d}" for n in range(10)]


def code_for(device: TOTPDevice, *, steps: int = 0) -> str:
    """The 6 digits the authenticator app shows now (or ``steps`` time steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps * device.step
    return f"{totp.token():06d}"


def wrong_code(device: TOTPDevice) -> str:
    """Six digits that none of the accepted time steps (now, one before, one after) shows."""
    accepted = {code_for(device, steps=s) for s in (-1, 0, 1)}
    return next(code for code in (f"{n:06d}" for n in range(0, 999999, 7919)) if code not in accepted)


def enable_two_factor(user) -> TOTPDevice:
    """A confirmed authenticator app and ten known backup codes for ``user``."""
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    backup = StaticDevice.objects.create(user=user, name="Backup codes", confirmed=True)
    StaticToken.objects.bulk_create(StaticToken(device=backup, token=code) for code in BACKUP_CODES)
    return device


def password_step(client: Client, user, *, next_url: str = "", password: str = PASSWORD):
    data = {"username": user.email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("accounts:login"), data)


def code_step(client: Client, code: str):
    return client.post(reverse("accounts:login_verify"), {"code": code})


def signed_in_as(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def verified_client(user, device: TOTPDevice) -> Client:
    """A client signed in through both steps, as a person with the app would be."""
    client = Client()
    assert password_step(client, user).status_code == 302
    assert code_step(client, code_for(device)).status_code == 302
    assert signed_in_as(client) == str(user.pk)
    return client
