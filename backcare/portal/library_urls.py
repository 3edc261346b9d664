"""The public library: /library/, /library/topics/<id>/, /library/exercises/[<id>/]."""

from __future__ import annotations

from django.urls import path

from backcare.portal import library

app_name = "library"

urlpatterns = [
    path("", library.index, name="index"),
    path("topics/<slug:topic_id>/", library.topic, name="topic"),
    path("exercises/", library.exercises, name="exercises"),
    path("exercises/<slug:exercise_id>/", library.exercise, name="exercise"),
    path("exercises/<slug:exercise_id>/still.svg", library.still, name="still"),
]
