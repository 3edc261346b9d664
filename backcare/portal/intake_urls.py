"""The intake at home, under /me/intake/: the overview, one page per step, the review, sending
the answers (POST) and the page after it."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from backcare.portal import intake_views

app_name = "intake"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", intake_views.start, name="start"),
    path("review/", intake_views.review, name="review"),
    path("submit/", intake_views.submit, name="submit"),
    path("done/", intake_views.done, name="done"),
    path("step/<slug:slug>/", intake_views.step, name="step"),
]
