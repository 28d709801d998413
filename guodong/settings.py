"""Guodong settings, driven by the environment.

GUODONG_ENV=production turns on the hardened settings checked by `manage.py check --deploy`.
DATABASE_URL chooses the database (SQLite in var/ by default, PostgreSQL in production).
GUODONG_NODE_ID names this office node in the event log.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GUODONG_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

PRODUCTION = os.environ.get("GUODONG_ENV") == "production"
# Off unless asked for (GUODONG_DEBUG=1, `DEBUG=1 make run`): Django's debug pages are in English
# and show the URL patterns and tracebacks, so users get the Chinese error pages instead.
DEBUG = not PRODUCTION and os.environ.get("GUODONG_DEBUG", "0") == "1"


def _secret_key() -> str:
    """The key comes from the environment or a local file made on first run, never the repo."""
    if key := os.environ.get("GUODONG_SECRET_KEY"):
        return key
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
NODE_ID = os.environ.get("GUODONG_NODE_ID", "node-330400")
# The Ed25519 key that signs event-chain checkpoints, and the append-only file they go to (ADR 8).
NODE_KEY_FILE = Path(os.environ.get("GUODONG_NODE_KEY_FILE", VAR_DIR / "node_key.pem"))
CHECKPOINT_FILE = Path(os.environ.get("GUODONG_CHECKPOINT_FILE", VAR_DIR / "checkpoints.jsonl"))
ALLOWED_HOSTS = [h for h in os.environ.get("GUODONG_ALLOWED_HOSTS", "").split(",") if h] or (
    [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"]
)

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "axes",
    "guodong.core",
    "guodong.accounts",
    "guodong.divisions",
    "guodong.orgs",
    "guodong.registry",
    "guodong.maps",
    "guodong.demands",
    "guodong.missions",
    "guodong.matching",
    # Demo data for `make run` and the tests; a production deployment has no demo commands.
    *([] if PRODUCTION else ["guodong.demo"]),
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "guodong.core.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "guodong.urls"
CSRF_FAILURE_VIEW = "guodong.core.errors.csrf_failure"
WSGI_APPLICATION = "guodong.wsgi.application"

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
                "django.template.context_processors.i18n",
                "guodong.core.context_processors.menu",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'guodong.sqlite3'}"),
        conn_max_age=0 if not PRODUCTION else 60,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while a writer commits; IMMEDIATE avoids upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Covering indexes (INCLUDE) speed up PostgreSQL; SQLite just builds the plain index.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
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

# django-axes: lock a username+address pair after 5 failures for 30 minutes.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.5
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "guodong.accounts.lockout.lockout_response"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("GUODONG_MEDIA_DIR", VAR_DIR / "media"))
# Uploads above this size are streamed to a temporary file, never held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Background work (imports): the database backend works on SQLite and PostgreSQL alike;
# `make run` starts a worker beside the server. Tests run tasks immediately.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("GUODONG_TASK_BACKEND", "django_tasks_db.DatabaseBackend")
    }
}

# Progress of background jobs, shared between the worker and the web processes.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "progress": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": str(VAR_DIR / "progress"),
    },
}

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "guodong.core.rest.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["guodong.core.filters.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "guodong.core.rest.exception_handler",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Guodong API",
    "DESCRIPTION": "数智国动一体化平台 API",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "guodong.core.rest.document_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "FacilityStatusEnum": "guodong.registry.models.facilities.FacilityStatus",
        "ImportStatusEnum": "guodong.registry.models.surveys.ImportStatus",
        "CapabilityLevelEnum": "guodong.registry.choices.CapabilityLevel",
        "DemandStatusEnum": "guodong.demands.choices.DemandStatus",
        "MissionStatusEnum": "guodong.missions.choices.MissionStatus",
        "AllocationStateEnum": "guodong.missions.choices.AllocationState",
        "CampaignStatusEnum": "guodong.registry.models.surveys.CampaignStatus",
        "AssignmentStatusEnum": "guodong.registry.models.surveys.AssignmentStatus",
        "TaskStatusEnum": "guodong.registry.models.verification.TaskStatus",
    },
}

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("GUODONG_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "axes": {"handlers": ["console"], "level": "WARNING"},
        # With DEBUG off Django's own console handler is silent: a 500's traceback still
        # reaches the server's log (the user sees the Chinese 500 page).
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
    },
}
