"""URLs of the 'progress' pages (filled in by their views)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "progress"

urlpatterns: list[URLPattern | URLResolver] = []
