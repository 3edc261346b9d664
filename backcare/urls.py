"""The site's URLs."""

from __future__ import annotations

from django.urls import include, path

from backcare import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("check/", include("backcare.portal.urls")),
    path("library/", include("backcare.portal.library_urls")),
]
