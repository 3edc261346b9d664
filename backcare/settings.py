"""Django settings for backcare: one module, read from the environment.

Every value a deployment may change comes from an environment variable (see .env.example).
With nothing set, backcare runs for development on an SQLite file under ``./var/``.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent  # the checkout: content/ and manage.py live here
PACKAGE_DIR = BASE_DIR / "backcare"

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    """Return the environment variable ``name``, or ``default`` when it is unset."""
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    """Return the environment variable ``name`` read as a yes/no value (1/0, true/false...)."""
    value = os.environ.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: use 1 or 0 (or true/false, yes/no, on/off).")


def env_int(name: str, default: int) -> int:
    """Return the environment variable ``name`` read as a whole number."""
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number.") from None


def env_list(name: str, default: str = "") -> list[str]:
    """Return the environment variable ``name`` split on commas, without blanks."""
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


DEVELOPMENT_SECRET_KEY = "django-insecure-DEVELOPMENT-ONLY-never-use-this-key-in-production"


def secret_key(configured: str, *, development: bool) -> str:
    """Return the key to sign sessions and tokens with.

    The development key is used only when ``development`` is true; otherwise a missing key is an
    error that says how to set one.
    """
    if configured:
        return configured
    if development:
        return DEVELOPMENT_SECRET_KEY
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set it to a long random value, for example the output of\n"
        '  python -c "import secrets; print(secrets.token_urlsafe(50))"\n'
        "or, on a development machine only, set DEBUG=1 or BACKCARE_DEV=1 to use a "
        "development key."
    )


def database_settings(url: str, *, var_dir: Path, conn_max_age: int = 60) -> dict[str, Any]:
    """Return Django's settings for the default database.

    An empty ``url`` means an SQLite file, ``var_dir/backcare.sqlite3``. Any other value is a
    database URL (``postgresql://user:password@host:5432/name``, ``sqlite:////path/file``).
    SQLite runs in WAL mode so that readers do not wait for the one writer.
    """
    if not url:
        url = f"sqlite:///{var_dir / 'backcare.sqlite3'}"
    config: dict[str, Any] = dict(
        dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Django's backend, with writers queued on a file lock instead of polling for SQLite's
        # (backcare/db/sqlite3/base.py).
        config["ENGINE"] = "backcare.db.sqlite3"
        config["OPTIONS"] = {
            # WAL: readers and one writer at once; NORMAL is safe with WAL (SQLite docs, "WAL").
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            # Take the write lock at BEGIN, so a read-then-write never fails with "locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            **config.get("OPTIONS", {}),
        }
    return config


# --- Core ------------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)
# The test runner and mypy's Django plugin import these settings but never serve a request, so
# they may use the development key too.
_NEVER_SERVES = any(tool in sys.modules for tool in ("pytest", "mypy"))
DEVELOPMENT = DEBUG or env_bool("BACKCARE_DEV", False) or _NEVER_SERVES
SECRET_KEY = secret_key(env_str("SECRET_KEY"), development=DEVELOPMENT)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# Files backcare writes (the SQLite database, collected static files) go under ./var/.
VAR_DIR = Path(env_str("BACKCARE_VAR_DIR") or Path.cwd() / "var").resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

BACKCARE_CONTENT_DIR = Path(env_str("BACKCARE_CONTENT_DIR") or BASE_DIR / "content")

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.admin",
    "django_htmx",
    "axes",
    "backcare.accounts",
    "backcare.care",
    "backcare.portal",
    "backcare.clinic",
    "ninja",  # serves the API docs page from its own static files, no outside network
    "backcare.api",
    "backcare.exports",
]

# A custom user from the first migration on (Django's advice): it carries the role and clinic.
AUTH_USER_MODEL = "accounts.User"

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
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "backcare.urls"
WSGI_APPLICATION = "backcare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "backcare.navigation.navigation",
            ],
        },
    },
]

# --- Database --------------------------------------------------------------------------------

DATABASES = {
    "default": database_settings(
        env_str("DATABASE_URL"),
        var_dir=VAR_DIR,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Caches ----------------------------------------------------------------------------------
# "pages" switches on the per-process caches of caseload statuses, parsed plans and rendered
# pages (backcare.care.alerts.caching()); they live in each worker's memory, keyed by what they
# show, so they need no invalidation. Off under the test runner: a test database reuses primary
# keys after every rollback (the tests that measure the caches switch them on and clear them).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "django.core.cache.backends.dummy.DummyCache"
        if _NEVER_SERVES
        else "django.core.cache.backends.locmem.LocMemCache"
    },
}

# --- Passwords -------------------------------------------------------------------------------

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes checks every login first and refuses one that is locked out.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:after_login"
LOGOUT_REDIRECT_URL = "accounts:login"

# --- Sessions and login throttling -----------------------------------------------------------
# Sessions live in the database and are not rewritten on every request (a write per request
# is what caps a busy server). They end at a fixed age from login, shorter for clinic staff
# (a working day, on a shared computer) than for patients (their own phone); accounts.signals
# sets the age at login. SESSION_COOKIE_AGE is the longest one.
BACKCARE_SESSION_HOURS_STAFF = env_int("BACKCARE_SESSION_HOURS_STAFF", 10)
BACKCARE_SESSION_HOURS_PATIENT = env_int("BACKCARE_SESSION_HOURS_PATIENT", 14 * 24)
SESSION_COOKIE_AGE = 3600 * max(BACKCARE_SESSION_HOURS_STAFF, BACKCARE_SESSION_HOURS_PATIENT)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEVELOPMENT)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Five failed logins for one username from one address lock that pair out for 15 minutes.
AXES_FAILURE_LIMIT = env_int("BACKCARE_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("BACKCARE_LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # failures are kept; successful logins are not logged twice
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

# A patient's invitation link works for this many days.
BACKCARE_INVITATION_DAYS = env_int("BACKCARE_INVITATION_DAYS", 7)

# --- Language and time -----------------------------------------------------------------------

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# --- Static files (served by WhiteNoise) -----------------------------------------------------

STATICFILES_DIRS = [PACKAGE_DIR / "static"]  # site-wide assets: backcare/static/
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns when the folder is missing
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve files straight from the apps as well, so `backcare serve` works before collectstatic.
WHITENOISE_USE_FINDERS = True

# --- Logging ---------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
