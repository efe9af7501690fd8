"""Signing in with a second factor, and setting two-factor authentication up, off and anew.

The password step (``SignInView``) does not sign a user with two-factor authentication in: it
remembers them in the session for ``PENDING_SECONDS`` and asks for a code; ``MAX_ATTEMPTS`` wrong
codes send them back to the password step.
"""

import time
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView, redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from accounts.forms import DisableTwoFactorForm, OneTimeCodeForm, SetupCodeForm
from accounts.models import User
from accounts.two_factor import (
    Throttled,
    backup_codes_left,
    can_use_two_factor,
    confirm_two_factor,
    disable_two_factor,
    has_two_factor,
    pending_setup,
    qr_code_svg,
    regenerate_backup_codes,
    secret_of,
    start_two_factor_setup,
    verify_second_factor,
)
from core.errors import DomainError
from core.forms import apply_error

PENDING = "accounts.2fa_pending"
PENDING_SECONDS = 5 * 60
MAX_ATTEMPTS = 5
TOO_MANY = "Too many wrong codes. Sign in again with your e-mail address and password."


class SignInView(LoginView):
    """Django's sign-in page; for an account with two-factor authentication, its first step only."""

    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not has_two_factor(user):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "next": self.get_success_url(),
            "until": time.time() + PENDING_SECONDS,
            "attempts": 0,
        }
        return redirect("accounts:login_verify")


@sensitive_post_parameters("code")
@never_cache
def login_verify_view(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: the authenticator app's code, or a backup code."""
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    pending = request.session.get(PENDING)
    user = _pending_user(pending)
    if user is None:
        request.session.pop(PENDING, None)
        if pending:
            messages.error(request, "Signing in took too long. Enter your e-mail address and password again.")
            return redirect_to_login(pending.get("next") or resolve_url(settings.LOGIN_REDIRECT_URL))
        return redirect("accounts:login")
    form = OneTimeCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = verify_second_factor(user=user, code=form.cleaned_data["code"])
        except Throttled as error:
            form.add_error("code", error.message)
        except DomainError as error:
            pending["attempts"] += 1
            if pending["attempts"] >= MAX_ATTEMPTS:
                del request.session[PENDING]
                messages.error(request, TOO_MANY)
                return redirect_to_login(pending["next"])
            request.session[PENDING] = pending
            left = MAX_ATTEMPTS - pending["attempts"]
            form.add_error("code", f"{error.message} {left} {'try' if left == 1 else 'tries'} left.")
        else:
            del request.session[PENDING]
            backend = pending["backend"]
            login(request, user, backend=backend if backend in settings.AUTHENTICATION_BACKENDS else None)
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                messages.warning(
                    request,
                    f"You signed in with a backup code; {backup_codes_left(user)} are left. "
                    "Make new ones on your account page if you are running out.",
                )
            next_url = pending["next"]
            if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
                next_url = settings.LOGIN_REDIRECT_URL
            return redirect(next_url)
    return render(request, "registration/login_verify.html", {"form": form, "email": user.email})


def _pending_user(pending: dict | None) -> User | None:
    if not pending or pending.get("until", 0) < time.time():
        return None
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    return user if user is not None and has_two_factor(user) else None


def two_factor_page(view):
    """Signed in, allowed to use two-factor authentication, and not a password-only session of it."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        verdict = can_use_two_factor(request.user)
        if not verdict:
            raise PermissionDenied(verdict.reason)
        if not request.user.is_verified() and has_two_factor(request.user):
            logout(request)
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


def _password_again(request: HttpRequest, form) -> bool:
    """The password given again, checked by the sign-in backends so that django-axes counts a wrong
    one as a failed sign-in and locks out after AXES_FAILURE_LIMIT (its middleware then answers with
    the lockout page): an open session must not be a way to guess the password."""
    password = form.cleaned_data["password"]
    if authenticate(request, username=request.user.email, password=password) == request.user:
        return True
    form.add_error("password", "Your password is not right.")
    return False


def _no_store(response: HttpResponse) -> HttpResponse:
    """Pages with secrets (the key, backup codes) are never kept by a browser or proxy."""
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, private"
    return response


@two_factor_page
def two_factor_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "enabled": has_two_factor(user),
        "pending": pending_setup(user) is not None,
        "backup_codes_left": backup_codes_left(user),
        "required": settings.GRANTED_REQUIRE_2FA_FOR_STAFF and user.is_staff,
    }
    return render(request, "accounts/two_factor.html", context)


@two_factor_page
@require_POST
def two_factor_start_view(request: HttpRequest) -> HttpResponse:
    try:
        start_two_factor_setup(user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("accounts:two_factor")
    return redirect("accounts:two_factor_setup")


@sensitive_post_parameters("password", "code")
@two_factor_page
def two_factor_setup_view(request: HttpRequest) -> HttpResponse:
    """The QR code and key of the new device, and the form that confirms it with a code."""
    device = pending_setup(request.user)
    if device is None:
        if has_two_factor(request.user):
            messages.info(request, "Two-factor authentication is on.")
        return redirect("accounts:two_factor")
    form = SetupCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _password_again(request, form):
        try:
            data = form.cleaned_data
            device, codes = confirm_two_factor(
                user=request.user, code=data["code"], password=data["password"]
            )
        except DomainError as error:
            apply_error(form, error, password_field="password")  # noqa: S106 (a field name)
        else:
            otp_login(request, device)
            messages.success(request, "Two-factor authentication is on.")
            return _no_store(render(request, "accounts/backup_codes.html", {"codes": codes, "new": True}))
    context = {"form": form, "secret": secret_of(device)}
    return _no_store(render(request, "accounts/two_factor_setup.html", context))


@two_factor_page
def two_factor_qr_view(request: HttpRequest) -> HttpResponse:
    device = pending_setup(request.user)
    if device is None:
        raise Http404("No authenticator app is being set up.")
    return _no_store(HttpResponse(qr_code_svg(device), content_type="image/svg+xml"))


@two_factor_page
@require_POST
def two_factor_backup_codes_view(request: HttpRequest) -> HttpResponse:
    try:
        codes = regenerate_backup_codes(user=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("accounts:two_factor")
    messages.success(request, "New backup codes made: the old ones no longer work.")
    return _no_store(render(request, "accounts/backup_codes.html", {"codes": codes, "new": False}))


@sensitive_post_parameters("password", "code")
@two_factor_page
def two_factor_disable_view(request: HttpRequest) -> HttpResponse:
    if not has_two_factor(request.user):
        return redirect("accounts:two_factor")
    form = DisableTwoFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _password_again(request, form):
        data = form.cleaned_data
        try:
            disable_two_factor(user=request.user, password=data["password"], code=data["code"])
        except DomainError as error:
            apply_error(form, error, password_field="password")  # noqa: S106 (a field name)
        else:
            messages.success(request, "Two-factor authentication is off.")
            return redirect("accounts:two_factor")
    return render(request, "accounts/two_factor_disable.html", {"form": form})
