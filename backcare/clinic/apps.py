from __future__ import annotations

from django.apps import AppConfig


class ClinicConfig(AppConfig):
    """The clinicians' and clinic administrators' pages."""

    name = "backcare.clinic"
    label = "clinic"
