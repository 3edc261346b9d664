"""Fixtures shared by every test category.

Keep this file small, and free of database access: tests/engine runs without a database.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def content_dir() -> Path:
    """The clinical content folder of this checkout."""
    return ROOT / "content"
