"""Settings, read from the environment (django-environ).

The embedded default needs no service: SQLite in ``var/``, Celery tasks run eagerly in-process,
e-mail to the console. Production sets DATABASE_URL, CELERY_BROKER_URL, SECRET_KEY, ALLOWED_HOSTS
and DEBUG=off; see ``.env.example`` and ``docs/operations.md``.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env_file = BASE_DIR / ".env"
# Test runs take their settings from the command line only, never from a developer's .env.
if env_file.exists() and not env.bool("TESTING", default=False):
    env.read_env(str(env_file))

DEBUG = env.bool("DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="granted-insecure-development-key-do-not-use-in-production")
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if not SECRET_KEY:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_NAME = env.str("SITE_NAME", default="Granted")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_countries",
    "core",
    "audit",
    "accounts",
    "applications",
    "reviews",
    "awards",
    "priorities",
    "portfolio",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

# Database: a SQLite file by default; DATABASE_URL=postgres://… in production and CI.
VAR_DIR = Path(env.str("VAR_DIR", default=str(BASE_DIR / "var")))
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'granted.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
    # A file (not :memory:) so that a Celery worker process can share the test database.
    DATABASES["default"]["TEST"] = {
        "NAME": env.str("SQLITE_TEST_NAME", default=str(VAR_DIR / "test.sqlite3"))
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files (attachments, letters) are private: never served under a public URL, only
# through views that check permission.
MEDIA_ROOT = Path(env.str("STORAGE_ROOT", default=str(VAR_DIR / "storage")))
MEDIA_URL = None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or env.bool("TESTING", default=False)
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# E-mail: the console by default; EMAIL_URL=smtp+tls://user:password@host:587 in production.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Granted <noreply@granted.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security. Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
# "preload" in the header only allows submitting the domain to browsers' preload lists; set it
# off for a domain whose subdomains cannot all serve HTTPS.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])

# Django REST framework and the OpenAPI schema.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    "DEFAULT_THROTTLE_RATES": {"anon": "120/minute", "user": "600/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Granted API",
    "DESCRIPTION": "Calls for proposals, applications, review and awards. Errors are JSON with a `detail`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI's assets are served from our own static files (no third-party CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "CallStatusEnum": "applications.models.Call.Status",
        "ApplicationStatusEnum": "applications.models.Application.Status",
        "InvitationStatusEnum": "reviews.models.ReviewerInvitation.Status",
        "AssignmentRunStatusEnum": "reviews.models.AssignmentRun.Status",
        "AssignmentStateEnum": "reviews.models.Assignment.State",
        "ConflictKindEnum": "reviews.models.Conflict.Kind",
        "ConflictSourceEnum": "reviews.models.Conflict.Source",
        "ReviewerKindEnum": "reviews.models.ReviewerProfile.Kind",
        "AttachmentKindEnum": "applications.models.Attachment.Kind",
        "ScoreDirectionEnum": "reviews.models.scoring.Direction",
    },
}

# Celery. No broker configured → tasks run eagerly in-process (the embedded default).
CELERY_TASK_ALWAYS_EAGER = not env.str("CELERY_BROKER_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 30 * 60,  # above the longest task, or an unacked task runs twice
    "socket_timeout": 5,
    "socket_connect_timeout": 3,
    "max_retries": 2,
}
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="granted")
CELERY_TIMEZONE = "UTC"
# Reminders go to the chair about reviewers more than this many days overdue.
REVIEW_OVERDUE_DAYS = env.int("REVIEW_OVERDUE_DAYS", default=7)
# Unsuccessful applications (declined, waitlisted in a decided call, withdrawn, or drafts of a call that
# closed) lose their personal data this many days after the outcome: ``manage.py anonymise_unsuccessful``.
RETENTION_UNSUCCESSFUL_DAYS = env.int("RETENTION_UNSUCCESSFUL_DAYS", default=730)

CELERY_BEAT_SCHEDULE = {
    "switch-review-phases": {
        "task": "reviews.tasks.switch_review_phases",
        "schedule": timedelta(minutes=5),
    },
    "send-review-reminders": {
        "task": "reviews.tasks.send_review_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    "open-and-close-calls": {
        "task": "applications.tasks.open_and_close_calls",
        "schedule": timedelta(minutes=1),
    },
    "sweep-pending-letters": {
        "task": "awards.tasks.sweep_pending_letters",
        "schedule": timedelta(minutes=5),
    },
}

# Portfolio figures are given in one reporting currency. An award is in its call's currency; it is
# converted with the call's own fixed rate when the call has a commitment in the reporting currency
# (``Commitment.rate_to_call_currency``), otherwise with PORTFOLIO_RATES: a table of FIXED, illustrative
# rates giving the value of one unit of each currency in a common base (EUR), so any two currencies
# convert through it. They are not market rates: set them (e.g. PORTFOLIO_RATES=USD=0.92,GBP=1.17)
# to the rates the funders agree to report with. A currency missing from the table is left out of the
# totals and named on the portfolio page.
PORTFOLIO_CURRENCY = env.str("PORTFOLIO_CURRENCY", default="EUR")
PORTFOLIO_RATES = {
    "EUR": "1",
    "USD": "0.92",
    "GBP": "1.17",
    "CAD": "0.68",
    "AUD": "0.61",
    "CHF": "1.05",
    "DKK": "0.134",
    "SEK": "0.088",
    "NOK": "0.086",
    **env.dict("PORTFOLIO_RATES", default={}),
}
# The prefix of grant identifiers in the 360Giving open data (register one at 360Giving).
GRANTED_360_PREFIX = env.str("GRANTED_360_PREFIX", default="360G-granted")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
