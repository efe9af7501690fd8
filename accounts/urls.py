from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import two_factor_views as two_factor
from accounts.views import account_view, api_token_view, register_view

app_name = "accounts"
urlpatterns = [
    path("login/", two_factor.SignInView.as_view(), name="login"),
    path("login/code/", two_factor.login_verify_view, name="login_verify"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("register/", register_view, name="register"),
    path("", account_view, name="account"),
    path("api-token/", api_token_view, name="api_token"),
    path("two-factor/", two_factor.two_factor_view, name="two_factor"),
    path("two-factor/start/", two_factor.two_factor_start_view, name="two_factor_start"),
    path("two-factor/setup/", two_factor.two_factor_setup_view, name="two_factor_setup"),
    path("two-factor/setup/qr.svg", two_factor.two_factor_qr_view, name="two_factor_qr"),
    path("two-factor/backup-codes/", two_factor.two_factor_backup_codes_view, name="two_factor_backup_codes"),
    path("two-factor/disable/", two_factor.two_factor_disable_view, name="two_factor_disable"),
    path(
        "password/change/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("accounts:password_change_done")),
        name="password_change",
    ),
    path("password/change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "password/reset/",
        auth_views.PasswordResetView.as_view(
            success_url=reverse_lazy("accounts:password_reset_done"),
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            success_url=reverse_lazy("accounts:password_reset_complete")
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]
