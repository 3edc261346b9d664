"""The clinic administrator's pages: /clinic/admin/..."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from backcare.clinic import admin_views as views

app_name = "clinic_admin"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.home, name="home"),
    path("details/", views.details, name="details"),
    path("staff/", views.staff, name="staff"),
    path("staff/add/", views.add_staff, name="add_staff"),
    path("staff/<int:user_id>/active/", views.staff_active, name="staff_active"),
    path("staff/<int:user_id>/link/", views.staff_link, name="staff_link"),
    path("wording/", views.wording, name="wording"),
    path("wording/remove/", views.wording_remove, name="wording_remove"),
    path("audit/", views.audit, name="audit"),
]
