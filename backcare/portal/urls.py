"""The self-check: /check/ (start), /check/<step>/, /check/result/, /check/learn/<topic>/."""

from __future__ import annotations

from django.urls import path

from backcare.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.start, name="start"),
    path("result/", views.result, name="result"),
    path("restart/", views.restart, name="restart"),
    path("learn/<slug:topic_id>/", views.topic, name="topic"),
    path("<slug:slug>/", views.step, name="step"),
]
