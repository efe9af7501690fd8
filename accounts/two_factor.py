"""Two-factor authentication: an authenticator app (TOTP) plus single-use backup codes.

Offered to staff and committee chairs. Devices are django-otp's: one ``TOTPDevice`` (unconfirmed while
being set up) and one ``StaticDevice`` holding the backup codes. A wrong code is counted by the
device's own throttle (1, 2, 4 … seconds between tries), which has to be committed, so every check
runs in its own transaction before any error is raised.
"""

import math
from base64 import b32encode
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from accounts.models import User
from applications.models import CommitteeMembership
from audit.services import record_event
from core.errors import ALLOWED, Invalid, NotAllowed, StateConflict, Verdict, deny

BACKUP_CODE_COUNT = 10
BACKUP_DEVICE_NAME = "Backup codes"
WRONG_CODE = (
    "That code is not right. Enter the 6-digit code your authenticator app shows now, or a backup code."
)
WRONG_SETUP_CODE = (
    "That code is not right. Enter the 6-digit code your authenticator app shows now; "
    "if it keeps failing, check that your phone's clock is set automatically."
)


class Throttled(Invalid):
    """A code came too soon after wrong ones; it was not checked (and counts as no attempt)."""


def has_two_factor(user) -> bool:
    """Whether signing in as ``user`` needs a second factor (a confirmed authenticator app)."""
    if user is None or user.pk is None:
        return False
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def is_chair(user) -> bool:
    return CommitteeMembership.objects.filter(user=user, role=CommitteeMembership.Role.CHAIR).exists()


def can_use_two_factor(user) -> Verdict:
    """Staff and chairs may turn two-factor authentication on; whoever has it may manage it."""
    if not user.is_authenticated:
        return deny("Sign in first.")
    if user.is_staff or is_chair(user) or has_two_factor(user):
        return ALLOWED
    return deny("Two-factor authentication is offered to program officers and committee chairs.")


def pending_setup(user: User) -> TOTPDevice | None:
    """The authenticator app being set up (created, not yet confirmed with a code), if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def secret_of(device: TOTPDevice) -> str:
    """The device's key as people type it into an app: base32 in groups of four."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_code_svg(device: TOTPDevice) -> bytes:
    """The device's ``otpauth://`` URL as a QR code: an SVG without scripts or style attributes."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage, box_size=12)
    out = BytesIO()
    image.save(out)
    return out.getvalue()


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()


@transaction.atomic
def start_two_factor_setup(*, user: User) -> TOTPDevice:
    """Create a new, unconfirmed authenticator device (a fresh secret), replacing an unfinished one."""
    verdict = can_use_two_factor(user)
    if not verdict:
        raise NotAllowed(verdict.reason)
    if has_two_factor(user):
        raise StateConflict("Two-factor authentication is on already.")
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def confirm_two_factor(*, user: User, code: str, password: str) -> tuple[TOTPDevice, list[str]]:
    """Turn two-factor authentication on once the app shows a right code and the password is given
    again (a session left open must not be enough to tie the account to someone else's app); returns
    the backup codes.

    A wrong code or password leaves the set-up as it is, so the user can try again with the same QR code.
    """
    device = pending_setup(user)
    if device is None:
        raise StateConflict("Start the set-up first: there is no authenticator app waiting for a code.")
    _check_password(user, password)
    error = _check(device, _normalise(code), wrong=WRONG_SETUP_CODE)
    if error:
        raise Invalid(error, field_errors={"code": [error]})
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        codes = _new_backup_codes(user)
        # A token obtained before, with the password alone, would go on bypassing the second factor.
        tokens_revoked = Token.objects.filter(user=user).delete()[0]
        record_event(
            user,
            "account.2fa_enabled",
            by=user,
            after={"backup_codes": len(codes), "api_tokens_revoked": tokens_revoked},
        )
    return device, codes


def verify_second_factor(*, user: User, code: str) -> TOTPDevice | StaticDevice:
    """Check a sign-in code: the app's current 6 digits, or a backup code (which is then used up)."""
    code = _normalise(code)
    if not code:
        raise Invalid("Enter the 6-digit code from your authenticator app, or a backup code.")
    if code.isdigit() and len(code) == 6:
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    else:
        device = StaticDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        raise Invalid(WRONG_CODE)
    error = _check(device, code, wrong=WRONG_CODE)
    if error:
        raise Invalid(error)
    if isinstance(device, StaticDevice):
        with transaction.atomic():
            left = device.token_set.count()
            record_event(user, "account.2fa_backup_code_used", by=user, after={"backup_codes_left": left})
    return device


def _check_password(user: User, password: str) -> None:
    if not user.check_password(password):
        message = "Your password is not right."
        raise Invalid(message, field_errors={"password": [message]})


def disable_two_factor(*, user: User, password: str, code: str) -> None:
    """Turn two-factor authentication off: needs the password and a current code (or a backup code)."""
    if not has_two_factor(user):
        raise StateConflict("Two-factor authentication is off already.")
    _check_password(user, password)
    try:
        verify_second_factor(user=user, code=code)
    except Throttled:
        raise
    except Invalid as error:
        raise Invalid(error.message, field_errors={"code": [error.message]}) from None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        record_event(user, "account.2fa_disabled", by=user, before={"two_factor": True})


@transaction.atomic
def regenerate_backup_codes(*, user: User) -> list[str]:
    """Replace every backup code by 10 new ones (the old ones stop working)."""
    if not has_two_factor(user):
        raise StateConflict("Turn two-factor authentication on first.")
    codes = _new_backup_codes(user)
    record_event(user, "account.2fa_backup_codes_regenerated", by=user, after={"backup_codes": len(codes)})
    return codes


def _new_backup_codes(user: User) -> list[str]:
    device, _ = StaticDevice.objects.get_or_create(user=user, defaults={"name": BACKUP_DEVICE_NAME})
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _normalise(code: str) -> str:
    return "".join((code or "").split()).replace("-", "").lower()[:32]


def _check(device: TOTPDevice | StaticDevice, code: str, *, wrong: str) -> str:
    """Verify ``code`` on ``device`` (locked); commit the throttle's count; return an error or ''."""
    with transaction.atomic():
        device = type(device).objects.select_for_update().get(pk=device.pk)
        allowed, info = device.verify_is_allowed()
        if not allowed:
            until = (info or {}).get("locked_until") or timezone.now()
            wait = max(1, math.ceil((until - timezone.now()).total_seconds()))
            message = f"Too many wrong codes in a row. Wait {wait} seconds, then try again."
            raise Throttled(message, field_errors={"code": [message]})
        if device.verify_token(code):
            return ""
    return wrong
