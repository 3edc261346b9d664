from __future__ import annotations

from django.apps import AppConfig


class ExportsConfig(AppConfig):
    """What leaves backcare: FHIR bundles, printable handouts and calendar feeds."""

    name = "backcare.exports"
    label = "exports"
