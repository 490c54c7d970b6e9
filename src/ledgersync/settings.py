"""Django settings, read from the environment (see README "Configuration")."""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

import dj_database_url

from ledgersync.env import (
    ConfigError,
    env_bool,
    env_email,
    env_int,
    env_list,
    env_networks,
    env_str,
    env_url,
    origin_of,
)

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env_str("LEDGERSYNC_VAR_DIR", "var")).resolve()

# A placeholder lets `migrate`, tests and `demo` start; `serve` refuses to run with it.
PLACEHOLDER_SECRET_KEY = "ledgersync-insecure-placeholder-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY") or PLACEHOLDER_SECRET_KEY
if len(SECRET_KEY) < 32:
    raise ConfigError("SECRET_KEY must be at least 32 characters long")

DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
# LEDGERSYNC_PUBLIC_URL is the one place the public address is written: the OAuth redirect
# URIs, the links in e-mails, the CSRF trusted origin and (when it is https) Secure cookies,
# HSTS and the https redirect all follow from it. Unset, ledgersync is on one machine and the
# redirect URI follows the address the browser used.
PUBLIC_URL_CONFIGURED = bool(env_str("LEDGERSYNC_PUBLIC_URL"))
PUBLIC_URL = env_url("LEDGERSYNC_PUBLIC_URL", "http://127.0.0.1:8000")
PUBLIC_HTTPS = PUBLIC_URL.startswith("https://")
CSRF_TRUSTED_ORIGINS = [origin_of(PUBLIC_URL)] if PUBLIC_URL_CONFIGURED else []
CSRF_TRUSTED_ORIGINS += env_list("LEDGERSYNC_CSRF_TRUSTED_ORIGINS")
# The reverse proxies whose X-Forwarded-Proto/For/Host are believed (addresses or CIDRs);
# from any other peer those headers are dropped. See ledgersync.web.proxies.
TRUSTED_PROXIES = env_networks("LEDGERSYNC_TRUSTED_PROXIES")

# Fernet keys for tokens at rest, newest first; older keys still decrypt (rotation).
# Without them a key is derived from SECRET_KEY.
ENCRYPTION_KEYS = env_list("LEDGERSYNC_ENCRYPTION_KEYS")

# The bearer token GET /metrics asks for (Prometheus); unset, /metrics is off (404).
METRICS_TOKEN = env_str("LEDGERSYNC_METRICS_TOKEN").strip()
if METRICS_TOKEN and (len(METRICS_TOKEN) < 16 or any(c.isspace() for c in METRICS_TOKEN)):
    raise ConfigError(
        "LEDGERSYNC_METRICS_TOKEN must be at least 16 characters without spaces "
        "(for example: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "template_partials",
    "ninja",  # serves the API docs page's Swagger UI from the package, not a CDN
    "huey.contrib.djhuey",
    "ledgersync.records",
    "ledgersync.sync",
    "ledgersync.web",
    "ledgersync.api",
    "ledgersync.alerts",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "ledgersync.web.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "ledgersync.web.access.ActingUser",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "ledgersync.web.outage.OutageMiddleware",
    # Last, as django-axes asks: it answers a locked-out login with ledgersync.web.lockout.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ledgersync.urls"
WSGI_APPLICATION = "ledgersync.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ledgersync.web.context.navigation",
                "ledgersync.web.context.status_names",
            ],
        },
    },
]

try:
    DATABASES = {
        "default": dj_database_url.parse(
            env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'ledgersync.sqlite3'}",
            conn_max_age=60,
        )
    }
except (ValueError, KeyError):  # an unknown scheme or a malformed URL
    raise ConfigError(
        f"DATABASE_URL={env_str('DATABASE_URL').split(':', 1)[0] + ':…'!r} is not a database "
        "URL ledgersync knows: use "
        "postgres://USER:PASSWORD@HOST:5432/NAME or sqlite:////path/to/file.sqlite3"
    ) from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    # WAL lets the web server read while the worker writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "records.User"
# django-axes first: it refuses a locked-out username/address before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "ledgersync.records.auth.RoleBackend",
]
# Login throttling per username and client address (REMOTE_ADDR, which waitress sets from
# X-Forwarded-For only when the peer is in LEDGERSYNC_TRUSTED_PROXIES).
AXES_ENABLED = env_bool("LEDGERSYNC_LOGIN_THROTTLING", True)
# LEDGERSYNC_LOGIN_FAILURE_LIMIT wrong passwords are answered as wrong; the next one locks.
AXES_FAILURE_LIMIT = env_int("LEDGERSYNC_LOGIN_FAILURE_LIMIT", 5, minimum=1) + 1
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LEDGERSYNC_LOGIN_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "ledgersync.web.lockout.locked_out"
AXES_VERBOSE = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Static files are served from the installed package by WhiteNoise's finders; a
# collectstatic target is only needed behind a separate web server.
STATIC_ROOT = env_str("LEDGERSYNC_STATIC_ROOT") or None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Real mail through SMTP when LEDGERSYNC_EMAIL_URL or LEDGERSYNC_EMAIL_HOST is set; otherwise
# each message is a file under var/outbox (the demo's default).
SMTP = env_email("LEDGERSYNC_EMAIL_URL", "LEDGERSYNC_EMAIL")
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if SMTP
    else "django.core.mail.backends.filebased.EmailBackend",
)
if SMTP:
    EMAIL_HOST = SMTP["EMAIL_HOST"]
    EMAIL_PORT = SMTP["EMAIL_PORT"]
    EMAIL_HOST_USER = SMTP["EMAIL_HOST_USER"]
    EMAIL_HOST_PASSWORD = SMTP["EMAIL_HOST_PASSWORD"]
    EMAIL_USE_TLS = SMTP["EMAIL_USE_TLS"]
    EMAIL_USE_SSL = SMTP["EMAIL_USE_SSL"]
    EMAIL_TIMEOUT = 20
EMAIL_FILE_PATH = VAR_DIR / "outbox"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "accounts@ledgersync.invalid")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("LEDGERSYNC_SECURE_COOKIES", PUBLIC_HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("LEDGERSYNC_SSL_REDIRECT", PUBLIC_HTTPS)
# Monitoring probes often speak plain http on the private side of the proxy.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$", r"^readyz/?$", r"^metrics/?$"]
SECURE_HSTS_SECONDS = env_int(
    "LEDGERSYNC_HSTS_SECONDS", 31_536_000 if PUBLIC_HTTPS else 0, minimum=0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("LEDGERSYNC_HSTS_INCLUDE_SUBDOMAINS", PUBLIC_HTTPS)
SECURE_HSTS_PRELOAD = env_bool("LEDGERSYNC_HSTS_PRELOAD", False)
# Joining the browsers' HSTS preload list binds every subdomain of the owner's domain for
# months; that is the domain owner's decision (LEDGERSYNC_HSTS_PRELOAD), not a default.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# The background queue: SQLite file by default, Redis when LEDGERSYNC_QUEUE_URL says so.
QUEUE_URL = env_url(
    "LEDGERSYNC_QUEUE_URL",
    f"sqlite:///{VAR_DIR / 'queue.sqlite3'}",
    schemes=("sqlite", "redis", "rediss"),
)
TESTING = "pytest" in sys.modules
if QUEUE_URL.startswith("redis"):
    HUEY = {
        "huey_class": "huey.RedisHuey",
        "name": "ledgersync",
        "url": QUEUE_URL,
        "immediate": False,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)  # the embedded default keeps its files here
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "ledgersync",
        "filename": "/" + QUEUE_URL.removeprefix("sqlite://").lstrip("/"),
        "immediate": TESTING,
        "consumer": {"workers": 2, "worker_type": "thread"},
    }

# Sync defaults; each organisation can change its own in Settings.
SYNC_BATCH_SIZE = env_int("LEDGERSYNC_BATCH_SIZE", 5, minimum=1)
AUTO_SYNC_MINUTES = env_int("LEDGERSYNC_AUTO_SYNC_MINUTES", 20, minimum=1)
# How often each connection's payments are pulled back from the package (sync/payments.py).
PAYMENTS_EVERY_MINUTES = env_int("LEDGERSYNC_PAYMENTS_EVERY_MINUTES", 15, minimum=1)
# Webhooks nudge that pull (sync/webhooks.py); unset, the provider's endpoint is off (404).
QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN = env_str("QUICKBOOKS_WEBHOOK_VERIFIER_TOKEN").strip()
XERO_WEBHOOK_KEY = env_str("XERO_WEBHOOK_KEY").strip()

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # An outage error (database or queue unreachable) is logged as one line per logger and
    # kind per minute, without its traceback: see ledgersync.outage.OutageLogFilter.
    "filters": {"outage": {"()": "ledgersync.outage.OutageLogFilter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["outage"]}
    },
    "root": {"handlers": ["console"], "level": env_str("LEDGERSYNC_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # httpx logs every request line at INFO; the provider layer logs its own, redacted.
        "httpx": {"level": "WARNING"},
        "httpcore": {"level": "WARNING"},
        # Huey's consumer adds its own handler only to a "huey" logger that has none; giving it
        # ours keeps one format and the outage filter (no traceback per failed queue read).
        "huey": {"level": "INFO", "handlers": ["console"], "propagate": False},
    },
}
