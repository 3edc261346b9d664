"""URLs of the 'clinic_care' pages (filled in by their views)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "clinic_care"

urlpatterns: list[URLPattern | URLResolver] = []
