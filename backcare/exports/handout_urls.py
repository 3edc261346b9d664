"""URLs of the 'handout' pages (filled in by their views)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "handouts"

urlpatterns: list[URLPattern | URLResolver] = []
