"""The SQLite backend queues writers on a file lock (backcare/db/sqlite3/base.py): a write
transaction holds it from BEGIN to COMMIT or ROLLBACK, a single write outside a transaction
holds it for that write, and an in-memory database takes none.

The connections here are not the test database's, so transactions are begun and ended with
the calls ``transaction.atomic`` makes on a connection (``atomic`` looks connections up by
alias in Django's own registry)."""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db.utils import ConnectionHandler

from backcare.settings import database_settings


@pytest.fixture
def handler(tmp_path: Path, django_db_blocker: Any) -> Iterator[ConnectionHandler]:
    handler = ConnectionHandler({"default": database_settings("", var_dir=tmp_path)})
    with django_db_blocker.unblock():
        with handler["default"].cursor() as cursor:
            cursor.execute("CREATE TABLE t (x integer)")
        try:
            yield handler
        finally:
            handler.close_all()


def _taken(path: Path) -> bool:
    """Whether another process (here: another open file) holds the lock now."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def _lock_path(handler: ConnectionHandler) -> Path:
    return Path(f"{handler['default'].settings_dict['NAME']}.write-lock")


def test_a_write_transaction_holds_the_lock_until_it_commits(handler: ConnectionHandler) -> None:
    connection = handler["default"]

    connection._start_transaction_under_autocommit()
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (1)")
    assert _taken(_lock_path(handler))
    connection.commit()

    assert not _taken(_lock_path(handler))


def test_a_rolled_back_transaction_gives_the_lock_up(handler: ConnectionHandler) -> None:
    connection = handler["default"]

    connection._start_transaction_under_autocommit()
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES (1)")
    connection.rollback()

    assert not _taken(_lock_path(handler))
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM t")
        assert cursor.fetchone() == (0,)


def test_a_single_write_holds_the_lock_for_that_write_only(handler: ConnectionHandler) -> None:
    connection = handler["default"]

    with connection.write_lock():
        assert _taken(_lock_path(handler))
        with connection.write_lock():  # held already: no second wait on itself
            pass
        assert _taken(_lock_path(handler))

    assert not _taken(_lock_path(handler))


def test_a_writer_waits_for_the_lock_another_holds(handler: ConnectionHandler) -> None:
    path = _lock_path(handler)
    other = os.open(path, os.O_RDWR | os.O_CREAT)
    fcntl.flock(other, fcntl.LOCK_EX)
    try:
        pid = os.fork()
        if pid == 0:  # the child tries to write while the parent holds the lock
            child = ConnectionHandler({"default": database_settings("", var_dir=path.parent)})
            connection = child["default"]
            connection.ensure_connection()
            connection._start_transaction_under_autocommit()  # waits for the lock
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO t VALUES (2)")
            connection.commit()
            os._exit(0)
        time.sleep(0.3)
        assert os.waitpid(pid, os.WNOHANG) == (0, 0)  # still waiting
    finally:
        fcntl.flock(other, fcntl.LOCK_UN)
        os.close(other)
    assert os.waitpid(pid, 0)[1] == 0  # and wrote once the lock was free
    with handler["default"].cursor() as cursor:
        cursor.execute("SELECT x FROM t")
        assert cursor.fetchall() == [(2,)]


def test_an_in_memory_database_takes_no_lock(tmp_path: Path, django_db_blocker: Any) -> None:
    handler = ConnectionHandler(
        {"default": database_settings("sqlite://:memory:", var_dir=tmp_path)}
    )
    with django_db_blocker.unblock():
        connection = handler["default"]
        assert connection.is_in_memory_db()
        connection.ensure_connection()
        connection._start_transaction_under_autocommit()
        with connection.write_lock():
            assert not connection._lock_held
        connection.commit()
        handler.close_all()


def test_a_process_opens_its_own_lock_file_after_a_fork(handler: ConnectionHandler) -> None:
    connection = handler["default"]
    with connection.write_lock():
        pass
    inherited = connection._lock_file
    connection._lock_pid = -1  # as in a child process after fork

    with connection.write_lock():
        assert connection._lock_file != inherited
        assert _taken(_lock_path(handler))
    os.close(inherited)
