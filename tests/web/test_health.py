"""The health check, the home page and the settings that choose the database."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, connection
from django.db.utils import ConnectionHandler

from backcare.engine import ENGINE_VERSION
from backcare.settings import (
    DEVELOPMENT_SECRET_KEY,
    database_settings,
    env_bool,
    env_int,
    secret_key,
)

ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@pytest.mark.django_db
def test_healthz_runs_one_query_and_names_the_database_in_use(
    client: Any, django_assert_num_queries: Any, content_dir: Path
) -> None:
    with django_assert_num_queries(1):
        r = client.get("/healthz")

    assert r.status_code == 200
    assert r.json() == {
        "status": "ok",
        "database": connection.vendor,
        "engine_version": ENGINE_VERSION,
        "content_version": (content_dir / "VERSION").read_text().strip(),
    }
    assert r.headers["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_fails(client: Any, monkeypatch: Any) -> None:
    def broken_cursor(*args: object, **kwargs: object) -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)

    r = client.get("/healthz")

    assert r.status_code == 503
    assert r.json()["status"] == "error"


def test_content_version_is_a_calendar_release(content_dir: Path) -> None:
    year, month, patch = (content_dir / "VERSION").read_text().strip().split(".")
    assert (len(year), 1 <= int(month) <= 12, int(patch) >= 0) == (4, True, True)


def test_home_page_says_what_backcare_is_in_english(client: Any) -> None:
    r = client.get("/", HTTP_ACCEPT_LANGUAGE="en")

    assert r.status_code == 200
    assert r.headers["Content-Language"] == "en"
    page = r.content.decode()
    assert '<html lang="en">' in page
    assert "Physical therapy for back pain" in page
    assert "Check your back pain" in page
    assert "it does not diagnose" in page


def test_home_page_refuses_post(client: Any) -> None:
    assert client.post("/").status_code == 405


def test_without_database_url_the_database_is_an_sqlite_file_under_var(tmp_path: Path) -> None:
    db = database_settings("", var_dir=tmp_path / "var")

    assert db["ENGINE"] == "backcare.db.sqlite3"  # Django's, with a kernel-queued write lock
    assert db["NAME"] == str(tmp_path / "var" / "backcare.sqlite3")


def test_the_default_sqlite_database_runs_in_wal_mode(
    tmp_path: Path, django_db_blocker: Any
) -> None:
    handler = ConnectionHandler({"default": database_settings("", var_dir=tmp_path)})
    with django_db_blocker.unblock():
        try:
            with handler["default"].cursor() as cursor:
                cursor.execute("PRAGMA journal_mode")
                journal_mode = cursor.fetchone()[0]
                cursor.execute("PRAGMA synchronous")
                synchronous = cursor.fetchone()[0]
        finally:
            handler.close_all()

    assert (journal_mode, synchronous) == ("wal", 1)  # 1 is NORMAL


def test_a_postgresql_database_url_selects_postgresql(tmp_path: Path) -> None:
    db = database_settings("postgresql://care:s3cret@db.internal:5433/backcare", var_dir=tmp_path)

    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "backcare",
        "care",
        "s3cret",
        "db.internal",
        5433,
    )
    assert "init_command" not in db.get("OPTIONS", {})


def test_a_missing_secret_key_fails_with_a_hint_outside_development() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"(?s)SECRET_KEY is not set.*BACKCARE_DEV=1"):
        secret_key("", development=False)


def test_development_may_use_the_marked_development_key() -> None:
    assert secret_key("", development=True) == DEVELOPMENT_SECRET_KEY
    assert "DEVELOPMENT-ONLY" in DEVELOPMENT_SECRET_KEY
    assert secret_key("from-the-environment", development=True) == "from-the-environment"


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("true", True), ("Yes", True), ("0", False), ("off", False)]
)
def test_env_bool_reads_yes_and_no(monkeypatch: Any, raw: str, expected: bool) -> None:
    monkeypatch.setenv("BACKCARE_TEST_FLAG", raw)
    assert env_bool("BACKCARE_TEST_FLAG") is expected


def test_env_bool_rejects_anything_else(monkeypatch: Any) -> None:
    monkeypatch.setenv("BACKCARE_TEST_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="BACKCARE_TEST_FLAG='maybe'"):
        env_bool("BACKCARE_TEST_FLAG")


def test_env_int_uses_the_default_when_unset_and_rejects_words(monkeypatch: Any) -> None:
    monkeypatch.delenv("BACKCARE_TEST_NUMBER", raising=False)
    assert env_int("BACKCARE_TEST_NUMBER", 60) == 60
    monkeypatch.setenv("BACKCARE_TEST_NUMBER", "sixty")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("BACKCARE_TEST_NUMBER", 60)


@pytest.mark.skipif(not ON_POSTGRESQL, reason="runs only when DATABASE_URL names PostgreSQL")
@pytest.mark.django_db
def test_with_a_postgresql_url_the_app_runs_on_postgresql(client: Any) -> None:
    assert connection.vendor == "postgresql"
    assert client.get("/healthz").json()["database"] == "postgresql"


def test_the_site_stylesheet_is_served(client) -> None:
    from django.templatetags.static import static

    response = client.get(static("backcare/site.css"))
    assert response.status_code == 200
    assert b"font" in b"".join(response.streaming_content)
