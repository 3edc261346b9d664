"""Accounts: the custom user, and invitations a patient accepts once to set a password."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from web.factories import NOW, PASSWORD, Cast

from backcare import settings as project_settings
from backcare.accounts.models import Invitation, User, token_hash
from backcare.care import actions
from backcare.care.models import Patient


def test_the_user_model_is_ours_and_argon2_hashes_passwords() -> None:
    assert settings.AUTH_USER_MODEL == "accounts.User"
    # The module's value: the tests swap in a fast hasher (conftest.py).
    assert project_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


def test_an_invitation_stores_only_the_hash_of_its_token(cast: Cast) -> None:
    invitation, token = actions.invite_patient(
        by=cast.alice, email="New@Example.org", timezone="Europe/London", now=NOW
    )

    assert invitation.token_hash == token_hash(token) != token
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert invitation.expires_at == NOW + dt.timedelta(days=7)
    patient = Patient.objects.get(user=invitation.user)
    assert (patient.user.username, patient.user.role, patient.clinician) == (
        "new@example.org",
        User.Role.PATIENT,
        cast.alice,
    )
    assert not patient.user.has_usable_password()


def test_accepting_sets_the_password_and_uses_up_the_invitation(cast: Cast) -> None:
    invitation, token = actions.invite_patient(
        by=cast.alice, email="sam@example.org", timezone="Europe/London", now=NOW
    )
    later = NOW + dt.timedelta(days=6, hours=23)

    user = actions.accept_invitation(token=token, password=PASSWORD, now=later)

    invitation.refresh_from_db()
    assert invitation.used_at == later
    request = RequestFactory().post("/account/login/")
    assert authenticate(request, username="sam@example.org", password=PASSWORD) == user


def test_a_used_invitation_is_refused(cast: Cast) -> None:
    _, token = actions.invite_patient(
        by=cast.alice, email="sam@example.org", timezone="Europe/London", now=NOW
    )
    actions.accept_invitation(token=token, password=PASSWORD, now=NOW)

    with pytest.raises(actions.ActionRefused, match="already been used"):
        actions.accept_invitation(token=token, password="another-long-passphrase", now=NOW)


def test_an_expired_invitation_is_refused_and_sets_nothing(cast: Cast) -> None:
    invitation, token = actions.invite_patient(
        by=cast.alice, email="sam@example.org", timezone="Europe/London", now=NOW
    )

    with pytest.raises(actions.ActionRefused, match="expired"):
        actions.accept_invitation(token=token, password=PASSWORD, now=NOW + dt.timedelta(days=7))

    invitation.refresh_from_db()
    assert invitation.used_at is None
    assert not invitation.user.has_usable_password()


def test_the_expiry_comes_from_settings(cast: Cast, settings: Any) -> None:
    settings.BACKCARE_INVITATION_DAYS = 2
    invitation, _ = actions.invite_patient(
        by=cast.alice, email="sam@example.org", timezone="Europe/London", now=NOW
    )
    assert invitation.expires_at == NOW + dt.timedelta(days=2)


def test_an_unknown_token_is_refused(cast: Cast) -> None:
    with pytest.raises(actions.ActionRefused, match="not valid"):
        actions.accept_invitation(token="made-up", password=PASSWORD, now=NOW)


def test_a_weak_password_is_refused_by_djangos_validators(cast: Cast) -> None:
    invitation, token = actions.invite_patient(
        by=cast.alice, email="sam@example.org", timezone="Europe/London", now=NOW
    )

    with pytest.raises(ValidationError):
        actions.accept_invitation(token=token, password="12345678", now=NOW)

    invitation.refresh_from_db()
    assert invitation.used_at is None


def test_a_renewed_invitation_replaces_the_old_link(cast: Cast) -> None:
    invitation, old = actions.invite_patient(
        by=cast.alice, email="sam@example.org", timezone="Europe/London", now=NOW
    )
    patient = Patient.objects.get(user=invitation.user)

    _, new = actions.renew_invitation(patient=patient, by=cast.alice, now=NOW)

    with pytest.raises(actions.ActionRefused, match="expired"):
        actions.accept_invitation(token=old, password=PASSWORD, now=NOW + dt.timedelta(seconds=1))
    actions.accept_invitation(token=new, password=PASSWORD, now=NOW + dt.timedelta(seconds=1))


def test_only_a_clinician_of_the_same_clinic_can_invite_or_be_the_clinician(cast: Cast) -> None:
    with pytest.raises(actions.NotAllowed):
        actions.invite_patient(
            by=cast.pat.user, email="x@example.org", timezone="Europe/London", now=NOW
        )
    with pytest.raises(actions.ActionRefused, match="same clinic"):
        actions.invite_patient(
            by=cast.alice,
            clinician=cast.bob,
            email="x@example.org",
            timezone="Europe/London",
            now=NOW,
        )


def test_an_invitation_needs_a_real_time_zone_and_a_new_email(cast: Cast) -> None:
    with pytest.raises(ValidationError, match="not a time zone"):
        actions.invite_patient(by=cast.alice, email="x@example.org", timezone="Mars/Olympus")
    with pytest.raises(actions.ActionRefused, match="already an account"):
        actions.invite_patient(by=cast.alice, email="PAT@example.org", timezone="Europe/London")


def test_only_the_clinic_administrator_adds_clinicians(cast: Cast) -> None:
    added = actions.add_clinician(clinic=cast.riverside, username="dan", by=cast.carol, now=NOW)
    assert (added.role, added.clinic, added.has_usable_password()) == (
        User.Role.CLINICIAN,
        cast.riverside,
        False,
    )
    with pytest.raises(actions.NotAllowed):
        actions.add_clinician(clinic=cast.riverside, username="eve", by=cast.alice, now=NOW)
    with pytest.raises(actions.NotAllowed):
        actions.add_clinician(clinic=cast.harbour, username="eve", by=cast.carol, now=NOW)
