"""Django's SQLite backend, with the write lock handed over by the kernel.

SQLite lets one connection write at a time. A connection that finds the lock taken polls for
it: it sleeps 1 ms, then 2, 5, 10 ms and longer, and tries again. Web workers write on almost
every request (an audit entry on every page), so on a busy server many requests sleep a
millisecond or more for a lock that was free again after a tenth of one.

Here every write transaction (``BEGIN IMMEDIATE``, ``settings.database_settings``) first takes
an exclusive ``flock`` on a file beside the database, and gives it up when the transaction
commits or rolls back: a waiting worker is woken the moment the lock is free. The same lock
guards single writes outside a transaction (``write_lock()``, used by care/stamps.py). SQLite
still takes and checks its own lock inside; the file lock only orders the writers that use
it, so a process without it (the ``sqlite3`` shell) is still safe, only polled as before.

Measured with two processes logging exercises as fast as they can (docs/benchmarks.md,
"Web"): a write took 1.0-1.2 ms on average with polling and 0.6 ms with the file lock.
In-memory databases (the test runner's) are not shared between processes and take no lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from typing import Any

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lock_file: int | None = None
        self._lock_pid = 0
        self._lock_held = False

    def _lock(self) -> bool:
        """Take the file lock (waiting for it); False for an in-memory database."""
        if self.is_in_memory_db():
            return False
        if self._lock_file is None or self._lock_pid != os.getpid():
            # A file opened before a fork is shared with the parent, and so would its lock be:
            # a new process opens its own.
            path = f"{self.settings_dict['NAME']}.write-lock"
            self._lock_file = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            self._lock_pid = os.getpid()
        fcntl.flock(self._lock_file, fcntl.LOCK_EX)
        self._lock_held = True
        return True

    def _unlock(self) -> None:
        if self._lock_held and self._lock_file is not None:
            self._lock_held = False
            fcntl.flock(self._lock_file, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold the write lock for one write outside a transaction (inside one it is held
        already)."""
        if self.in_atomic_block or self._lock_held or not self._lock():
            yield
            return
        try:
            yield
        finally:
            self._unlock()

    def _start_transaction_under_autocommit(self) -> None:
        self._lock()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # private in django-stubs
        except BaseException:
            self._unlock()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]  # private in django-stubs
        finally:
            self._unlock()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # private in django-stubs
        finally:
            self._unlock()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]  # private in django-stubs
        finally:
            self._unlock()
            if self._lock_file is not None:
                os.close(self._lock_file)
                self._lock_file = None
