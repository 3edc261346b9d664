from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    """Pages for patients and the public, starting with the self-check (no account needed)."""

    name = "backcare.portal"
    verbose_name = "Portal"
