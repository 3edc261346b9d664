from __future__ import annotations

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The REST API under /api/v1 (django-ninja), with its per-user tokens."""

    name = "backcare.api"
    label = "api"
