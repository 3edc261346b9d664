"""People who sign in, and the one-time invitations that let a patient set a password.

A user has one role: patient, clinician or clinic administrator, and belongs to one clinic
(``clinic`` is empty only for site staff made with ``createsuperuser``). Writes go through
``backcare.care.actions``; these models hold no workflow.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    class Role(models.TextChoices):
        PATIENT = "patient", "patient"
        CLINICIAN = "clinician", "clinician"
        CLINIC_ADMIN = "clinic_admin", "clinic administrator"

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PATIENT)
    clinic = models.ForeignKey(
        "care.Clinic", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )

    class Meta:
        constraints = (
            models.CheckConstraint(
                condition=models.Q(role__in=["patient", "clinician", "clinic_admin"]),
                name="user_role_known",
            ),
        )

    @property
    def is_patient(self) -> bool:
        return self.role == self.Role.PATIENT

    @property
    def is_clinic_staff(self) -> bool:
        """A clinician or clinic administrator: sees every patient of their clinic."""
        return self.role in (self.Role.CLINICIAN, self.Role.CLINIC_ADMIN)


def new_token() -> tuple[str, str]:
    """A fresh invitation token and its SHA-256 hash: send the first, store only the second."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Invitation(models.Model):
    """A one-time link for a patient to set a password. Only the token's hash is stored, so a
    copy of the database cannot be used to accept an invitation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="invitations_sent"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"invitation for {self.user.username}"

    def is_usable(self, now: dt.datetime) -> bool:
        """Not used yet, and not expired at ``now``."""
        return self.used_at is None and now < self.expires_at
