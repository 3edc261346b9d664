"""Signing in and out, and accepting an invitation: /account/..."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from backcare.accounts import views

app_name = "accounts"

urlpatterns: list[URLPattern | URLResolver] = [
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("start/", views.after_login, name="after_login"),
    path("invitation/<str:token>/", views.accept_invitation, name="accept_invitation"),
]
