"""URLs of the calendar pages and feeds (docs/calendars.md), mounted at /calendar/."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, re_path

from . import calendar_views

app_name = "calendars"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", calendar_views.settings_view, name="settings"),
    path("new/", calendar_views.create_view, name="create"),
    path("stop/", calendar_views.revoke_view, name="revoke"),
    path("visits/<int:visit_id>.ics", calendar_views.visit_view, name="visit"),
    # A token of accounts.models.new_token (secrets.token_urlsafe(32): 43 URL-safe characters);
    # anything else is not a feed (404 without a database query).
    re_path(r"^(?P<token>[A-Za-z0-9_-]{20,100})\.ics$", calendar_views.feed_view, name="feed"),
]
