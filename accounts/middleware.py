"""Keep sessions honest about two-factor authentication.

A user whose account has two-factor authentication on is either verified with a code in this
session or not signed in: a session that began with the password alone (before 2FA was turned on,
in another browser) is signed out. Checking costs one query, so it is done when the user signs in
and then at most every ``RECHECK_SECONDS`` per session. With ``GRANTED_REQUIRE_2FA_FOR_STAFF`` on,
staff without a device are sent to set one up before any other page.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from accounts.two_factor import has_two_factor
from core.middleware import unavailable_response

RECHECK_SECONDS = 300
CHECKED_AT = "accounts.2fa_checked_at"
ALWAYS_OPEN = {"healthz", "accounts:login", "accounts:login_verify", "accounts:logout"}
SET_UP_PAGES = ALWAYS_OPEN | {
    "accounts:two_factor",
    "accounts:two_factor_start",
    "accounts:two_factor_setup",
    "accounts:two_factor_qr",
}
SIGN_IN_AGAIN = "Your account uses two-factor authentication now: sign in again with your code."
SET_UP_FIRST = "Set up two-factor authentication to continue: it is required for program officers."


class TwoFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        name = request.resolver_match.view_name if request.resolver_match else ""
        if name in ALWAYS_OPEN:
            return None
        try:
            return self._check(request, name)
        except (OperationalError, InterfaceError) as error:  # the same clean 503 as inside a view
            return unavailable_response(request, error)

    def _check(self, request: HttpRequest, name: str) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        now = time.time()
        if not 0 <= now - request.session.get(CHECKED_AT, 0) < RECHECK_SECONDS:
            if has_two_factor(user):
                logout(request)
                return _answer(request, SIGN_IN_AGAIN, status=401)
            request.session[CHECKED_AT] = now
        if settings.GRANTED_REQUIRE_2FA_FOR_STAFF and user.is_staff and name not in SET_UP_PAGES:
            return _answer(request, SET_UP_FIRST, status=403, to="accounts:two_factor")
        return None


def note_checked_at_sign_in(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: a sign-in has just been checked, so the first page needs no query."""
    if getattr(request, "session", None) is not None and not has_two_factor(user):
        request.session[CHECKED_AT] = time.time()


def _answer(request: HttpRequest, message: str, *, status: int, to: str = "") -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    messages.warning(request, message)
    if to:
        return redirect(to)
    return redirect_to_login(request.get_full_path())
