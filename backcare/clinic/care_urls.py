"""The clinician's care pages under /clinic/ (namespace "clinic_care"): plan review, session
notes, reassessment and discharge (backcare/clinic/care_views.py)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from backcare.clinic import care_views

app_name = "clinic_care"

urlpatterns: list[URLPattern | URLResolver] = [
    path(
        "patients/<int:patient_id>/plans/new/",
        care_views.generate_plan,
        name="generate_plan",
    ),
    path("plans/<int:plan_id>/", care_views.plan, name="plan"),
    path("plans/<int:plan_id>/change/", care_views.override, name="override"),
    path("plans/<int:plan_id>/publish/", care_views.publish, name="publish"),
    path("visits/<int:visit_id>/note/", care_views.session_note, name="session_note"),
    path("visits/<int:visit_id>/status/", care_views.visit_status, name="visit_status"),
    path("patients/<int:patient_id>/reassess/", care_views.reassess, name="reassess"),
    path("patients/<int:patient_id>/reassess/compare/", care_views.compare, name="compare"),
    path("patients/<int:patient_id>/discharge/", care_views.discharge, name="discharge"),
]
