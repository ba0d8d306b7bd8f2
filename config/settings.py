"""Settings for every environment, read from the environment (twelve-factor).

Defaults give a working development instance on an embedded SQLite database;
production sets DEBUG=false, SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value else default


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "config.admin.QualityAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.forms",
    "axes",
    "crispy_forms",
    "simple_history",
    "csp",
    "dsfr",
    "survey",
    "mystery",
    "reports",
    "reports.audit",  # app label "audit": its tables, migrations and URLs kept their names
    # Background tasks (issue 13, point 6): `background` before django_tasks_db, so that its
    # `db_worker` (the library's, plus a heartbeat) is the one manage.py runs.
    "background",
    "django_tasks",
    "django_tasks_db",
    # The demo's composition and its `load_demo` command, above every app; no models.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Pages compressed on the way out (the dashboard's 90 KiB of HTML are 12 on a tablet's
    # 4G): Django's middleware pads each response with random bytes against BREACH. Static
    # files come precompressed from WhiteNoise, which it leaves as they are.
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Below WhiteNoise: static files go out before these two, without a policy or a
    # Cache-Control of ours (WhiteNoise sets its own).
    "csp.middleware.CSPMiddleware",
    "config.headers.ResponseHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.locale.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before the CSRF check, which reads the form: refuses text no page can store.
    "survey.payloads.RequestTextMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "survey.context_processors.navigation",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
CRISPY_ALLOWED_TEMPLATE_PACKS = ["crispy_dsfr"]
CRISPY_TEMPLATE_PACK = "crispy_dsfr"
# The manifest storage rewrites url() inside the DSFR stylesheet, which would then fail
# django-dsfr's subresource-integrity hash and leave production pages unstyled.
DSFR_USE_INTEGRITY_CHECKSUMS = False

# SQLite is the embedded default so that a new user needs nothing installed;
# production and CI point DATABASE_URL at PostgreSQL (psycopg2).
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=envint("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The browser tests' live server answers in several threads at once (page, service
    # worker, queue). An in-memory test database would be one connection shared by those
    # threads, which hangs; a file gives each thread its own connection.
    # One file per test process, so that two test runs never share it.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"qualiprefs-test-{os.getpid()}.sqlite3")
    }
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login throttling (config/login_throttle.py): five failures lock the (username, IP address)
# pair for 15 minutes, and twenty failures from one address, whatever the usernames, lock the
# address (password spraying). Behind a NAT that many users share, raise the second one.
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = envint("LOGIN_FAILURE_LIMIT_PER_ADDRESS", 20)
if LOGIN_FAILURE_LIMIT_PER_ADDRESS <= AXES_FAILURE_LIMIT:
    raise ImproperlyConfigured(
        "LOGIN_FAILURE_LIMIT_PER_ADDRESS must be higher than AXES_FAILURE_LIMIT, or an address"
        " would be locked before any of its accounts"
    )
AXES_HANDLER = "config.login_throttle.AccountAndAddressHandler"
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = envbool("AXES_ENABLED", True)
AXES_VERBOSE = False

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
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
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"

SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", 12 * 3600)
# How far ahead of the server a device's clock may be: later moments are refused
# (survey.moments).
ENTRY_CLOCK_SKEW_MINUTES = envint("ENTRY_CLOCK_SKEW_MINUTES", 5)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if envbool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    AXES_CLIENT_IP_CALLABLE = "config.client_ip.forwarded_client_ip"

# --- Response headers (issue 13): Content-Security-Policy, Permissions-Policy ---
# No inline script anywhere (every script is a static file; data for scripts travels in
# json_script blocks, which are not executed), no inline style: plotly's own rules come from
# static/vendor/plotly/plotly.css instead of the <style> element it would inject.
# img-src data: for the DSFR's icons (data: URLs in its stylesheet) and the report's charts.
# CSP_REPORT_ONLY=true sends the same policy as Content-Security-Policy-Report-Only, to try a
# change on production traffic first; CSP_REPORT_URI, if set, receives the violations.
_csp = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "frame-src": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "report-uri": os.environ.get("CSP_REPORT_URI") or None,
    }
}
if envbool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _csp
else:
    CONTENT_SECURITY_POLICY = _csp
# Features no page uses, refused to every page and to anything a page might embed.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), "
    "fullscreen=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), "
    "payment=(), picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), "
    "serial=(), usb=(), xr-spatial-tracking=()"
)

# Uploads (issue 13): the application caps request bodies itself, not only the proxy.
# A body declaring more than IMPORT_MAX_BYTES + DATA_UPLOAD_MAX_MEMORY_SIZE is refused
# unread (400, in French); a file growing past IMPORT_MAX_BYTES is no longer stored and
# the import form says it is too large (survey/uploads.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
FILE_UPLOAD_MAX_MEMORY_SIZE = envint("FILE_UPLOAD_MAX_MEMORY_SIZE", 2_621_440)
IMPORT_MAX_BYTES = envint("IMPORT_MAX_BYTES", 10 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "survey.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# --- Background tasks (issue 13, points 6 and 7) -------------------------------------------
# The PDF report, the evidence pack and the large imports run as tasks (django-tasks, the
# backport of Django 6's tasks API). Their queue is a table of the database
# (django-tasks-db): any number of `manage.py db_worker` processes, on any machine that
# reaches the database, share it, each task claimed by one of them (SELECT ... FOR UPDATE
# SKIP LOCKED on PostgreSQL). TASKS_BACKEND=django_tasks.backends.immediate.ImmediateBackend
# runs each task inside the request that asks for it, with no worker (the tests do).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}
# A job (report file, large import) with no sign of life (its start, a step) for this long
# has lost its worker, or none took it (background/jobs.py): it is marked failed, with a
# French message, and may be asked again.
AUDIT_JOB_TIMEOUT_MINUTES = envint("AUDIT_JOB_TIMEOUT_MINUTES", 15)
# Each worker records that it is alive every WORKER_HEARTBEAT_SECONDS; the health check
# (/sante/) wants one seen within WORKER_HEARTBEAT_MAX_AGE_SECONDS.
WORKER_HEARTBEAT_SECONDS = envint("WORKER_HEARTBEAT_SECONDS", 30)
WORKER_HEARTBEAT_MAX_AGE_SECONDS = envint("WORKER_HEARTBEAT_MAX_AGE_SECONDS", 120)
# What each worker does at each heartbeat besides recording it: the lower floor (background)
# knows no app, the apps name their sweeps here.
WORKER_SWEEPS = ["reports.audit.jobs.expire_stale", "survey.services.imports.expire_stale"]
# A responses import whose file would parse this many bytes or more (its size; for an XLSX,
# what it declares it unpacks to) is read and imported by a task, followed on its own page,
# not inside the request (survey/services/imports.py).
IMPORT_BACKGROUND_MIN_BYTES = envint("IMPORT_BACKGROUND_MIN_BYTES", 512 * 1024)
# The load balancer probes the health check over plain HTTP on each application server.
SECURE_REDIRECT_EXEMPT = [r"^sante/$", r"^healthz$"]
