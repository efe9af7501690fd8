"""The admin site: one sign-in page for the whole site, and no admin without the second factor."""

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def _needs_second_factor(user) -> bool:
    """Signed in with the password only, although the account has two-factor authentication on."""
    from accounts.two_factor import has_two_factor  # the admin site is built before models load

    return user.is_authenticated and not user.is_verified() and has_two_factor(user)


class GrantedAdminSite(admin.AdminSite):
    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and not _needs_second_factor(request.user)

    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """Send people to the portal's sign-in page, which asks for the second factor too.

        The admin's own login form would sign a user in with the password alone.
        """
        next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
        if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
            next_url = reverse("admin:index", current_app=self.name)
        if self.has_permission(request):
            return HttpResponseRedirect(next_url)
        if _needs_second_factor(request.user):
            logout(request)
        elif request.user.is_authenticated:
            raise PermissionDenied("Your account has no access to the administration.")
        return redirect_to_login(next_url, login_url=reverse("accounts:login"))
