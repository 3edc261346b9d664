"""Read-only admin pages for site staff: every change goes through care/actions.py.

Reading here is not audited (the admin site is for site staff on a support call); the clinic
pages call ``actions.record_read`` instead.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from . import models


class ReadOnly(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(models.Clinic)
class ClinicAdmin(ReadOnly):
    list_display = ("name", "timezone", "is_demo")


@admin.register(models.Patient)
class PatientAdmin(ReadOnly):
    list_display = ("user", "clinic", "clinician", "timezone")
    list_select_related = ("user", "clinic", "clinician")


@admin.register(models.Episode)
class EpisodeAdmin(ReadOnly):
    list_display = ("patient", "opened_on", "closed_on", "status")


@admin.register(models.AssessmentRecord)
class AssessmentRecordAdmin(ReadOnly):
    list_display = ("episode", "kind", "triage_level", "created_at")


@admin.register(models.PlanRecord)
class PlanRecordAdmin(ReadOnly):
    list_display = ("episode", "version", "status", "published_at")


@admin.register(models.AuditEntry)
class AuditEntryAdmin(ReadOnly):
    list_display = ("at", "who_id", "action", "object_type", "object_id", "patient_id")
    list_filter = ("action", "object_type")
