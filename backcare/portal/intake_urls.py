"""URLs of the 'intake' pages (filled in by their views)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "intake"

urlpatterns: list[URLPattern | URLResolver] = []
