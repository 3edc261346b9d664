"""Site-wide pages: the home page and the health check."""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from backcare.engine import ENGINE_VERSION

logger = logging.getLogger(__name__)


def content_version() -> str:
    """Return the clinical content release named in ``content/VERSION``."""
    return (settings.BACKCARE_CONTENT_DIR / "VERSION").read_text(encoding="utf-8").strip()


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"library_url": reverse("library:index")})


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer whether the app can reach its database, and which versions it runs.

    The versions are the ones stamped on every result: ``ENGINE_VERSION`` and ``content/VERSION``.

    Status 200 with ``"status": "ok"``, or 503 with ``"status": "error"`` when the query fails.
    """
    status, code = "ok", 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database query failed")
        status, code = "error", 503
    return JsonResponse(
        {
            "status": status,
            "database": connection.vendor,
            "engine_version": ENGINE_VERSION,
            "content_version": content_version(),
        },
        status=code,
    )
