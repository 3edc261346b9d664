"""Browser tests: real Debian Chromium (Playwright) against pytest-django's live server.

Every test that takes ``page`` runs twice, on a phone (360x740, touch) and on a desktop
(1280x800): the ``viewport`` fixture is parametrized and the ``context`` fixture below builds the
browser context from it. One Chromium is launched per session (pytest-playwright's ``browser``).

Data: the live server is another thread, so a test writes its data in committed transactions
(``transactional_db``, asked for by ``server``) through backcare.care.actions, the same way the
web tests do (web/factories.py), and the server sees it.

Helpers (import them from ``browser.helpers``): ``login``, ``check_a11y``, ``screenshot``.
See docs/browser-tests.md.
"""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

# Sync Playwright runs an event loop in the test's thread; without this Django refuses database
# access from it (SynchronousOnlyOperation). Set before Django opens any connection.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Playwright adds --headless and a fresh temporary --user-data-dir itself (passing
# --user-data-dir here is an error). Flags from /work/shared/deps.md, tested with Chromium 156.
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",  # /dev/shm is small in containers; Chromium then uses /tmp
]

# The two sizes every journey runs at. The phone is a small Android phone (360 CSS px wide, as
# the stylesheet's phone-first layout assumes); the desktop a common laptop.
VIEWPORTS: dict[str, dict[str, Any]] = {
    "phone": {
        "viewport": {"width": 360, "height": 740},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {
        "viewport": {"width": 1280, "height": 800},
        "device_scale_factor": 1,
    },
}

TIMEOUT_MS = 10_000  # a page that needs longer than this is a failure, not a slow pass


def chromium_path() -> str | None:
    """Debian's Chromium (``/usr/bin/chromium`` is a shell wrapper Playwright can launch)."""
    found = os.environ.get("BACKCARE_CHROMIUM") or shutil.which("chromium")
    return found if found and Path(found).exists() else None


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


MISSING = (
    "Chromium is not installed, so the browser tests cannot run. Install Debian's browser: "
    "apt-get install -y --no-install-recommends chromium chromium-driver "
    "(or point BACKCARE_CHROMIUM at a Chromium binary)."
)


@pytest.fixture(scope="session", autouse=True)
def require_chromium() -> str:
    """Skip the browser tests on a machine without Chromium; in CI (CI=true) fail instead, so a
    missing browser can never turn the suite into a quiet row of skips."""
    path = chromium_path()
    if path is None:
        if _in_ci():
            pytest.fail(f"CI=true: {MISSING}", pytrace=False)
        pytest.skip(MISSING)
    return path


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], require_chromium: str
) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": require_chromium,
        "args": CHROMIUM_FLAGS,
    }


@pytest.fixture(scope="session")
def base_url() -> None:
    """No base URL: tests build URLs from ``server``. (This also replaces pytest-playwright's own
    ``base_url`` fixture, a session fixture written as an instance method, which pytest 9
    deprecates; with filterwarnings=error that warning would fail every test.)"""
    return None


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    """The name of the viewport this run of the test uses: "phone" or "desktop"."""
    name: str = request.param
    return name


@pytest.fixture
def context_args(viewport: str) -> dict[str, Any]:
    """The keyword arguments of a browser context at this viewport (extend them for a special
    context: ``new_context(**context_args, java_script_enabled=False)``)."""
    return {"locale": "en-GB", **VIEWPORTS[viewport]}


@pytest.fixture
def context(new_context: Any, context_args: dict[str, Any]) -> Iterator[Any]:
    """A fresh browser context at this test's viewport; JavaScript errors fail the test."""
    ctx = new_context(**context_args)
    ctx.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    ctx.on("weberror", lambda error: errors.append(str(error.error)))
    yield ctx
    assert not errors, "JavaScript errors on the page:\n" + "\n".join(errors)


def _audit_triggers(vendor: str) -> tuple[list[str], list[str]]:
    """(create, drop) SQL of the append-only triggers on care_auditentry, from the migration."""
    migration = importlib.import_module("backcare.care.migrations.0002_audit_append_only")
    if vendor == "sqlite":
        return migration.SQLITE, migration.SQLITE_DROP
    return [], []  # PostgreSQL's flush is TRUNCATE, which row triggers do not stop


@pytest.fixture
def server(live_server: Any, transactional_db: Any, settings: Any) -> Iterator[str]:
    """The live server's root URL (no trailing slash), with the database committed per step so
    the server thread sees what the test writes, and fast password hashing (Argon2 is slow on
    purpose; tests/web/conftest.py does the same).

    After the test, ``transactional_db`` empties every table. On SQLite that is a DELETE, which
    the audit log's append-only trigger refuses; so the triggers are dropped just before the
    flush and put back before the next test (they are in force while every test runs)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    create, drop = _audit_triggers(connection.vendor)
    with connection.cursor() as cursor:
        for sql in drop + create:
            cursor.execute(sql)
    url: str = live_server.url
    yield url
    with connection.cursor() as cursor:
        for sql in drop:
            cursor.execute(sql)
