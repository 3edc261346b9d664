"""Fixtures of the exports tests (FHIR, handouts, calendars): the web tests' cast, re-declared
here because tests/web/conftest.py applies to tests/web only. Keep this file small and shared."""

from __future__ import annotations

from typing import Any

import pytest
from web.factories import NOW, PASSWORD, Cast, invited

from backcare.accounts.models import User
from backcare.care import actions


@pytest.fixture
def cast(db: Any) -> Cast:
    """Riverside (alice clinician, carol admin, patient pat) and Harbour (bob, patient quinn),
    as in tests/web/conftest.py."""
    riverside = actions.create_clinic(name="Riverside", timezone="Europe/London", now=NOW)
    harbour = actions.create_clinic(name="Harbour", timezone="Pacific/Auckland", now=NOW)
    alice = actions.add_clinician(clinic=riverside, username="alice", password=PASSWORD, now=NOW)
    carol = actions.add_clinician(
        clinic=riverside,
        username="carol",
        password=PASSWORD,
        role=User.Role.CLINIC_ADMIN,
        now=NOW,
    )
    bob = actions.add_clinician(clinic=harbour, username="bob", password=PASSWORD, now=NOW)
    pat = invited(alice, "pat@example.org", "Europe/London")
    quinn = invited(bob, "quinn@example.org", "Pacific/Auckland")
    return Cast(riverside, harbour, alice, carol, bob, pat, quinn)


@pytest.fixture(autouse=True)
def fast_password_hasher(settings: Any) -> None:
    """Argon2 is deliberately slow; the tests hash several passwords."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
