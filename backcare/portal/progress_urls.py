"""URLs of the patient's weekly check-in and progress pages (mounted at /me/)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from backcare.portal import progress_views

app_name = "progress"

urlpatterns: list[URLPattern | URLResolver] = [
    path("check-in/", progress_views.check_in, name="check_in"),
    path("check-in/done/<int:check_in_id>/", progress_views.check_in_done, name="check_in_done"),
    path("progress/", progress_views.progress, name="progress"),
]
