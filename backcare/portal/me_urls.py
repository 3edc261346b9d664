"""URLs of the 'me' pages (filled in by their views)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "me"

urlpatterns: list[URLPattern | URLResolver] = []
