"""URLs of the 'clinic' pages: the caseload dashboard, a patient's page and inviting a patient
(docs/guides/caseload.md)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

import backcare.clinic.views as views

app_name = "clinic"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="dashboard"),
    path("patients/new/", views.invite, name="invite"),
    path("patients/<int:patient_id>/", views.patient, name="patient"),
    path("patients/<int:patient_id>/invitation/", views.invited, name="invited"),
    path(
        "patients/<int:patient_id>/invitation/renew/",
        views.renew_invitation,
        name="renew_invitation",
    ),
]
