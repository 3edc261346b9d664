"""The patient's own pages under /me/: Today, logging, the next-morning answer, my exercises and
my flare-up plan (backcare/portal/today_views.py). Only for signed-in patients."""

from __future__ import annotations

from django.urls import path

from backcare.portal import today_views

app_name = "me"

urlpatterns = [
    path("", today_views.today_view, name="today"),
    path("log/<slug:exercise_id>/", today_views.log_view, name="log"),
    path("settled/", today_views.settled_view, name="settled"),
    path("exercises/", today_views.exercises_view, name="exercises"),
    path("exercises/<slug:exercise_id>/", today_views.exercise_view, name="exercise"),
    path("exercises/<slug:exercise_id>/figure.svg", today_views.figure_view, name="figure"),
    path("flare-up/", today_views.flare_up_view, name="flare_up"),
]
