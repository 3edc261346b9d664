"""backcare's URLs plus the floor views of bench/web.py, under /bench-floor/."""

from __future__ import annotations

from django.urls import include, path

from bench import floor_views

urlpatterns = [
    path("bench-floor/patient/", floor_views.patient_floor, name="bench_patient_floor"),
    path("bench-floor/staff/", floor_views.staff_floor, name="bench_staff_floor"),
    path("bench-floor/write/", floor_views.write_floor, name="bench_write_floor"),
    path("", include("backcare.urls")),
]
