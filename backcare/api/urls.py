"""URLs under /api/: the REST API (/api/v1/..., /api/openapi.json, /api/docs) and the page
where a signed-in person makes and revokes their API tokens (/api/tokens/, "api_tokens:index").
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path

from . import views
from .api import api

token_patterns: list[URLPattern | URLResolver] = [
    path("", views.tokens, name="index"),
    path("<int:token_id>/revoke/", views.revoke, name="revoke"),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("tokens/", include((token_patterns, "api_tokens"))),
    path("", api.urls),
]
