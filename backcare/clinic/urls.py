"""URLs of the 'clinic' pages (filled in by their views)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "clinic"

urlpatterns: list[URLPattern | URLResolver] = []
