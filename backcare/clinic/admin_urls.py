"""URLs of the 'clinic_admin' pages (filled in by their views)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "clinic_admin"

urlpatterns: list[URLPattern | URLResolver] = []
