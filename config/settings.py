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
    # The admin site asks for the second factor (two-factor authentication): accounts.admin_site.
    "accounts.apps.GrantedAdminConfig",
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
    "axes",  # login throttling (security block below)
    "csp",  # content security policy (security block below)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
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
    "csp.middleware.CSPMiddleware",
    "core.headers.PermissionsPolicyMiddleware",
    # Errors under /api/ that Django answers itself (no route: 404) are JSON like DRF's (core.api_middleware).
    "core.api_middleware.ApiErrorsAsJsonMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lockout page (core.security).
    "axes.middleware.AxesMiddleware",
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
# django-axes first: it refuses a locked-out sign-in before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3
AUTH_PASSWORD_VALIDATORS = [
    {
        # Our users have an e-mail address and a full name (Django's default list names neither field).
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("email", "full_name")},
    },
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
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_SAMESITE = "Lax"
SILENCED_SYSTEM_CHECKS = env.list("SILENCED_SYSTEM_CHECKS", default=[])

# --- Security: login throttling (django-axes; see core/security.py) ---------------------------
# A sign-in is refused for AXES_COOLOFF_MINUTES after AXES_FAILURE_LIMIT failures of one e-mail
# address from one client address (the combination: an attacker cannot lock a whole institution's
# shared address out, nor one person out from everywhere). Success resets the count.
AXES_ENABLED = True
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Tries during a lockout are refused unchecked and do not push the end of the lockout further out,
# so the time the lockout page gives stays true.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Every login form (portal, admin, API token) posts the e-mail address as "username".
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "core.security.axes_username"
# The client address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT reverse proxies (the same proxy
# trusted for X-Forwarded-Proto above) the address the outermost of them appended to X-Forwarded-For.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0 if DEBUG else 1)
AXES_CLIENT_IP_CALLABLE = "core.security.client_ip"
AXES_LOCKOUT_CALLABLE = "core.security.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# Failed sign-ins are kept (admin: Axes); successful ones are not logged a second time.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # no start-up banner; failures and lockouts are still logged (logger "axes")

# --- Security: content security policy (django-csp 4) and Permissions-Policy ----------------------
# No inline script or style anywhere: scripts and stylesheets are files under /static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # Only the API documentation adds data: (Swagger UI's stylesheet draws its icons so; core.api_auth).
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features no page of Granted uses (core.headers.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "payment",
        "usb",
    )
}

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
    "DEFAULT_SCHEMA_CLASS": "core.openapi.AutoSchema",
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
    # Request bodies are documented as JSON (file uploads say multipart themselves); the API still reads
    # form data, as the browsable API and Django's test client send it.
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    # Swagger UI's assets are served from our own static files (no third-party CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # No badge from the public validator (an image from another site, and our schema's URL sent there).
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
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

# The shared cache: Redis in production (CACHE_URL, e.g. redis://redis:6379/1), else one in memory per
# process. Short socket timeouts: a frozen Redis delays a page by at most about a second.
CACHE_URL = env.str("CACHE_URL", default="")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="granted"),
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
# The most read pages (a reviewer's assignments, an application, the ranking) are served from the
# shared cache while nothing they read has changed, for at most this many seconds (core.page_cache).
# It needs the shared cache: off (0) without CACHE_URL.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=60 if CACHE_URL else 0)
PAGE_CACHE_RELEASE = env.str("PAGE_CACHE_RELEASE", default="")  # else a digest of the code (core.page_cache)
# The X-Page-Cache response header (hit/miss): for development and the load benchmark only.
PAGE_CACHE_HEADER = env.bool("PAGE_CACHE_HEADER", default=DEBUG)

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
    # Above the longest task, or an unacked task runs twice. A task whose worker was killed (kill -9,
    # OOM) comes back after it; the letters' sweep usually delivers such a letter first.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=30 * 60),
    "socket_timeout": 5,
    "socket_connect_timeout": 3,
    "max_retries": 2,
}
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_QUEUE", default="granted")
# Letters: the sweep (beat, every 5 minutes) queues again those pending longer than this; a letter is
# failed once this many attempts did not render it (also attempts that stopped their worker).
LETTERS_SWEEP_AFTER_SECONDS = env.int("LETTERS_SWEEP_AFTER_SECONDS", default=10 * 60)
LETTERS_MAX_ATTEMPTS = env.int("LETTERS_MAX_ATTEMPTS", default=6)  # the render task's 1 + 5 retries
# Other tasks (receipts, invitations, assignment runs) go through an outbox (core.tasks); the sweep,
# every minute, sends again those whose own send after the commit has not gone through for this long.
OUTBOX_SWEEP_AFTER_SECONDS = env.int("OUTBOX_SWEEP_AFTER_SECONDS", default=60)
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
    "sweep-outbox": {
        "task": "core.tasks.sweep_outbox",
        "schedule": timedelta(minutes=1),
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

# Two-factor authentication (django-otp: an authenticator app plus single-use backup codes), offered to
# staff and committee chairs; see docs/operations.md. With GRANTED_REQUIRE_2FA_FOR_STAFF on, staff
# without a confirmed device are sent to set it up before any other page.
GRANTED_REQUIRE_2FA_FOR_STAFF = env.bool("GRANTED_REQUIRE_2FA_FOR_STAFF", default=False)
OTP_TOTP_ISSUER = SITE_NAME
# Wrong codes make the next check wait 1, 2, 4, 8 … seconds (per device, across sessions).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

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
        "axes": {"level": "WARNING"},  # failed sign-ins and lockouts, not every successful one
    },
}
