"""The web tests' fixtures; the cast itself is described in factories.py."""

from __future__ import annotations

from typing import Any

import pytest
from web.factories import NOW, PASSWORD, Cast, invited

from backcare.accounts.models import User
from backcare.care import actions


@pytest.fixture
def cast(db: Any) -> Cast:
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
    """Argon2 is deliberately slow; the tests hash many passwords (healthchecks does the same)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
