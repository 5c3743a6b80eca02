"""Settings for the pension certification portal.

Everything an operator may change comes from an environment variable. The defaults are safe for a
developer's machine (local PostgreSQL and Redis); production (`PORTAL_ENV=production`) refuses to start
without a `SECRET_KEY` or with `DEBUG` on, so a forgotten variable cannot ship an insecure portal.
"""

import os
from datetime import time, timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


PORTAL_ENV = os.environ.get("PORTAL_ENV", "development").strip().lower()
IS_PRODUCTION = PORTAL_ENV == "production"

DEBUG = env_flag("DEBUG", default=not IS_PRODUCTION)
SECRET_KEY = os.environ.get("SECRET_KEY", "")

if IS_PRODUCTION or not DEBUG:
    if not SECRET_KEY:
        raise ImproperlyConfigured(
            "The SECRET_KEY environment variable is required when DEBUG is off or PORTAL_ENV=production."
        )
if IS_PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production: unset DEBUG or set DEBUG=0.")
# Django's own deploy-check rule for a weak key (security.W009), made a refusal in production: a key
# anyone could guess signs every session and password-reset link.
if IS_PRODUCTION and (
    len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH
    or len(set(SECRET_KEY)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
    or SECRET_KEY.startswith(SECRET_KEY_INSECURE_PREFIX)
):
    raise ImproperlyConfigured(
        "SECRET_KEY is too weak for production: it must be at least 50 characters long, with at least 5 "
        "different characters, and must not start with 'django-insecure-'. Generate one with: python -c "
        '"from django.core.management.utils import get_random_secret_key; print(get_random_secret_key())"'
    )
if not SECRET_KEY:
    # Development only: a fixed key keeps sessions alive across restarts of `make run`.
    SECRET_KEY = "development-only-key-not-for-production-use-4d1f0c8e9b"

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")
    if host.strip()
]
CSRF_TRUSTED_ORIGINS = [
    origin.strip() for origin in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if origin.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tables2",
    "django_filters",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "axes",
    # django-ninja: the channel API; listed for its Swagger UI page and static files (no CDN).
    "ninja",
    "portal",
    "pensioners",
    "certification",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # django-csp's CSPMiddleware, except that a PDF opened in the browser keeps only frame-ancestors.
    "portal.middleware.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Nothing with personal data is kept in a browser's or a proxy's cache (static files are served above).
    "portal.middleware.NoStoreMiddleware",
    "portal.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "portal.middleware.RequestSizeLimitMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.middleware.ScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After messages: it logs an idle session out with a message, and sends a user who must change their
    # password or confirm a second factor to that page first.
    "portal.staff.middleware.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pension_portal"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
# PostgreSQL's JIT compiles any statement whose estimated cost passes jit_above_cost: a staff page over
# 20,000 overdue people spent 1.6 s of 2 s compiling (bench/results/decisions.md). The portal's statements
# are short; none gains from it. DATABASE_JIT=on gives it back.
if os.environ.get("DATABASE_JIT", "off") != "on":
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    # GB/T 22239 level 3 practice (portal/staff/rules.py): 10 or more characters, 3 character classes,
    # not the login, not one of the last 5.
    {"NAME": "portal.staff.validators.StaffPasswordValidator"},
    {"NAME": "portal.staff.validators.PasswordHistoryValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)  # one working day
# The absolute limit: a session ends this long after its login, however busy (portal/staff/middleware.py;
# the cookie's own age slides with every save, so it cannot hold the line alone).
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", SESSION_COOKIE_AGE)
# Counter PCs are shared: a session idle this long ends, and the page warns this long before.
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_IDLE_WARNING_SECONDS = env_int("SESSION_IDLE_WARNING_SECONDS", 60)

# Login lockout (django-axes): 5 failures for one login, from any address, lock it for 15 minutes. An
# address is locked too once it has failed LOGIN_ADDRESS_FAILURE_LIMIT times over any logins (a street
# office shares one address, so its limit is higher than one person's). Administrators clear locks on the
# staff screens. The lock says the same whether or not the login exists.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCK_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = "portal.staff.lockout.lockout_parameters"
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 20)
AXES_CLIENT_IP_CALLABLE = "portal.middleware.client_address"
AXES_LOCKOUT_CALLABLE = "portal.staff.lockout.locked_out_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

# The second factor (django-otp: TOTP apps and one-time recovery codes). Supervisors and administrators
# must use one in production; the demo leaves it optional (README).
SECOND_FACTOR_REQUIRED = env_flag("SECOND_FACTOR_REQUIRED", IS_PRODUCTION)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "重庆养老认证")

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "/media/"  # never served publicly: evidence files go through a scoped view
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Security headers. HTTPS is terminated in front of the portal in production.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Content-Security-Policy (django-csp): everything comes from the portal itself, and no inline script or
# style runs (behaviour lives in static/portal/*.js behind data attributes, looks in static/portal/portal.css).
# data: images are Bootstrap's own icons in its CSS and the 2FA QR code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Permissions-Policy: the portal uses none of these browser features. The home-visit photo comes through
# <input type=file capture>, which hands over to the phone's camera app and is not governed by "camera".
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "interest-cohort",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# Celery: Redis is the broker; results are not needed (every task records its outcome in the database).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ALWAYS_EAGER = env_flag("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE = {
    # The audit log's hash chain (portal/audit_chain.py); `manage.py verify_audit` checks it.
    "seal-audit-log": {"task": "portal.tasks.seal_audit_log", "schedule": 300.0},
    # Jobs whose worker died are marked failed; jobs that waited for the broker are sent (portal/jobs.py).
    "recover-jobs": {"task": "portal.tasks.recover_jobs", "schedule": 60.0},
    # Plan the day's reminders before the sending hours open (dispatch also catches up a missed plan).
    "plan-reminders": {"task": "certification.tasks.plan_reminders", "schedule": crontab(hour=7, minute=30)},
    # Send what is queued, a minute's worth at a time (the per-minute cap holds across runs).
    "dispatch-reminders": {"task": "certification.tasks.dispatch_reminders", "schedule": 60.0},
    # The city's report figures, recomputed before the working day (supervisors can refresh on demand).
    "refresh-city-report": {
        "task": "certification.tasks.refresh_city_report",
        "schedule": crontab(hour=6, minute=0),
    },
}

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5-responsive.html"
DJANGO_TABLES2_TABLE_ATTRS = {"class": "table table-sm table-hover align-middle"}

# ---------------------------------------------------------------------------------------------
# Business rules that are our decisions, not published rules (domain.md): they live here.
# ---------------------------------------------------------------------------------------------
# How a certification date turns into the next deadline: "days_365" (the published rule) or
# "calendar_year" (same date next year, 29 Feb clamping to 28 Feb).
CERTIFICATION_RULE = os.environ.get("CERTIFICATION_RULE", "days_365")
if CERTIFICATION_RULE not in {"days_365", "calendar_year"}:
    raise ImproperlyConfigured("CERTIFICATION_RULE must be 'days_365' or 'calendar_year'.")
# A deadline this many days away or fewer (and not passed) is "due soon".
DUE_SOON_DAYS = env_int("DUE_SOON_DAYS", 30)
# Overdue longer than this (and unreachable) makes someone a suspension candidate.
SUSPENSION_GRACE_DAYS = env_int("SUSPENSION_GRACE_DAYS", 90)
# The longest a supervisor may extend deadlines by in one decision (a flood, an epidemic, an outage).
DEADLINE_EXTENSION_MAX_DAYS = env_int("DEADLINE_EXTENSION_MAX_DAYS", 180)
# Consular forms: after this many consecutive proxy years, the next form must be in person.
CONSULAR_PROXY_YEARS_LIMIT = env_int("CONSULAR_PROXY_YEARS_LIMIT", 3)
# Broad searches stop counting here and say "more than N: type more or add a filter". A search finds a
# person: 200 matches are eight pages, and a surname alone matches thousands in a district. Each search
# reads at most N + 1 index entries per reading of the text, so N is also its cost (at 8M pensioners a
# district's "刘" took 13 ms to list 1,001 people; 200 take 3 ms). Working lists are the queues.
SEARCH_COUNT_CAP = env_int("SEARCH_COUNT_CAP", 200)
# A list page (a queue, a list of visits or decisions) counts its rows up to this many, then says
# "10,000+" and offers its pages that far (portal/counting.py); exports always hold every row.
LIST_COUNT_CAP = env_int("LIST_COUNT_CAP", 10_000)
# "Recompute now" on a report runs in the request up to this many people (seconds), by the task beyond.
SNAPSHOT_INLINE_MAX_PEOPLE = env_int("SNAPSHOT_INLINE_MAX_PEOPLE", 500_000)
# Evidence uploads.
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_BYTES", 5 * 1024 * 1024)
# The types evidence is stored as (a photo is judged by decoding it, a PDF by scanning it: recording/forms.py).
EVIDENCE_CONTENT_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})
# Imports: biggest file accepted through the upload page.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 512 * 1024 * 1024)
# Looking a person up by exact ID number (the counter, registering someone new): at most this many
# lookups per staff member in ten minutes, so nobody can walk the city's ID numbers.
ID_LOOKUPS_PER_10_MINUTES = env_int("ID_LOOKUPS_PER_10_MINUTES", 60)
# The reverse proxies whose X-Real-IP header names the client (comma-separated addresses). Empty: the
# audit log records the connecting address and ignores the header, which anybody can send.
TRUSTED_PROXY_ADDRESSES = [
    address.strip() for address in os.environ.get("TRUSTED_PROXY_ADDRESSES", "").split(",") if address.strip()
]
# Any request body that is not an import or a photo of evidence (the login page, every form).
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", 2 * 1024 * 1024)

# The inbound channel API (certification/api/). Requests per client, counted in Redis ("throttle" cache)
# so every web worker shares the count; over the rate a client gets 429 with Retry-After.
CHANNEL_API_RATES = {
    "certifications": os.environ.get("CHANNEL_API_RATE_CERTIFICATIONS", "600/m"),
    "status": os.environ.get("CHANNEL_API_RATE_STATUS", "1200/m"),
}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("THROTTLE_REDIS_URL", "redis://127.0.0.1:6379/2"),
        "KEY_PREFIX": "portal",
    },
}
# An XLSX is a zip: what it may unpack to, and how many rows it may hold (a bomb is refused unread).
IMPORT_MAX_UNPACKED_BYTES = env_int("IMPORT_MAX_UNPACKED_BYTES", 1536 * 1024 * 1024)
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 2_000_000)
# Processes that check a big roster's rows from the command line (pensioners/roster_import.py).
IMPORT_CHECK_PROCESSES = env_int("IMPORT_CHECK_PROCESSES", os.cpu_count() or 1)
# Lists: the most rows one page shows (?per_page= above it falls back to the page's default). Whole
# lists leave only through the audited export.
TABLE_PER_PAGE_MAX = env_int("TABLE_PER_PAGE_MAX", 100)
# Exports of more rows than this are written by a background job, with a download link when done.
EXPORT_INLINE_MAX_ROWS = env_int("EXPORT_INLINE_MAX_ROWS", 20000)
# Files of background exports are deleted this many days after they were written.
EXPORT_KEEP_DAYS = env_int("EXPORT_KEEP_DAYS", 7)

# Reminders (SMS).
REMINDER_FIRST_DAYS_BEFORE = env_int("REMINDER_FIRST_DAYS_BEFORE", 30)
REMINDER_FINAL_DAYS_BEFORE = env_int("REMINDER_FINAL_DAYS_BEFORE", 7)
REMINDER_OVERDUE_DAYS_AFTER = env_int("REMINDER_OVERDUE_DAYS_AFTER", 1)
SMS_SEND_FROM = time(env_int("SMS_SEND_FROM_HOUR", 8), 0)
SMS_SEND_UNTIL = time(env_int("SMS_SEND_UNTIL_HOUR", 20), 0)
SMS_RATE_PER_MINUTE = env_int("SMS_RATE_PER_MINUTE", 15000)
SMS_DAILY_CAP = env_int("SMS_DAILY_CAP", 500000)
SMS_SIGNATURE = os.environ.get("SMS_SIGNATURE", "【重庆市12333】")
SMS_BACKEND = os.environ.get("SMS_BACKEND", "console")
SMS_FILE_PATH = os.environ.get("SMS_FILE_PATH", str(BASE_DIR / ".run" / "sms.jsonl"))
SMS_HTTP_URL = os.environ.get("SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = os.environ.get("SMS_HTTP_TOKEN", "")
SMS_HTTP_TIMEOUT_SECONDS = env_int("SMS_HTTP_TIMEOUT_SECONDS", 10)
# The dashboard warns when the daily reminder run is older than this.
REMINDER_RUN_STALE_HOURS = env_int("REMINDER_RUN_STALE_HOURS", 26)

PORTAL_TITLE = _("Pension certification portal")
# Evidence: the biggest phone photo accepted before it is shrunk to a JPEG (phones take 3-8 MB photos).
EVIDENCE_PHOTO_MAX_BYTES = env_int("EVIDENCE_PHOTO_MAX_BYTES", 25 * 1024 * 1024)
