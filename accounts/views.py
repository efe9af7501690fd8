from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from accounts.forms import ProfileForm, RegistrationForm
from accounts.middleware import SIGN_IN_AGAIN
from accounts.services import (
    create_api_token,
    get_or_create_institution,
    register_user,
    revoke_api_token,
    update_profile,
)
from accounts.two_factor import can_use_two_factor, has_two_factor
from core.errors import DomainError
from core.forms import apply_error


def _institution_from(form, *, by):
    data = form.cleaned_data
    if data.get("institution"):
        return data["institution"]
    return get_or_create_institution(
        name=data["new_institution_name"],
        country=data["new_institution_country"],
        ror_id=data.get("new_institution_ror", ""),
        by=by,
    )


def register_view(request: HttpRequest) -> HttpResponse:
    """Sign up with e-mail and password; the new account is signed in at once."""
    if request.user.is_authenticated:
        return redirect("accounts:account")
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # a refused registration leaves no new institution behind
                user = register_user(
                    email=data["email"],
                    full_name=data["full_name"],
                    password=data["password1"],
                    institution=_institution_from(form, by=None),
                    orcid=data["orcid"],
                )
        except (DomainError, ValidationError) as error:
            apply_error(form, error, password_field="password1")  # noqa: S106 (a field name)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, "Welcome to Granted. Your account is ready.")
            if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}):
                return redirect(next_url)
            return redirect("home")
    return render(request, "accounts/register.html", {"form": form, "next": next_url})


@login_required
def account_view(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own profile: name, ORCID iD and institution."""
    user = request.user
    form = ProfileForm(request.POST or None, instance=user, initial={"institution": user.institution_id})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                update_profile(
                    user=user,
                    by=user,
                    full_name=data["full_name"],
                    orcid=data["orcid"],
                    institution=_institution_from(form, by=user),
                )
        except (DomainError, ValidationError) as error:
            apply_error(form, error)
        else:
            messages.success(request, "Your profile is saved.")
            return redirect("accounts:account")
    context = {
        "form": form,
        "two_factor_offered": bool(can_use_two_factor(user)),
        "two_factor_on": has_two_factor(user),
        "api_token": Token.objects.filter(user=user).first(),
    }
    return render(request, "accounts/account.html", context)


@login_required
@require_POST
def api_token_view(request: HttpRequest) -> HttpResponse:
    """Create (or replace) the user's personal API token and show it once, or revoke it."""
    if request.POST.get("action") == "revoke":
        revoke_api_token(user=request.user)
        messages.success(request, "Your API token is revoked: scripts using it are refused from now on.")
        return redirect("accounts:account")
    if has_two_factor(request.user) and not request.user.is_verified():
        # A password-only session (begun before two-factor authentication was turned on elsewhere, and
        # not yet rechecked by TwoFactorMiddleware) must not leave with a lasting credential.
        logout(request)
        messages.warning(request, SIGN_IN_AGAIN)
        return redirect_to_login(reverse("accounts:account"))
    key = create_api_token(user=request.user)
    response = render(request, "accounts/api_token.html", {"key": key})
    response["Cache-Control"] = "no-store, private"
    return response
