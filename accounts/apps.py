from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts and institutions"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from accounts.middleware import note_checked_at_sign_in

        user_logged_in.connect(note_checked_at_sign_in, dispatch_uid="accounts.two_factor_checked")


class GrantedAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with our site, which asks for the second factor (INSTALLED_APPS)."""

    default = False
    default_site = "accounts.admin_site.GrantedAdminSite"
