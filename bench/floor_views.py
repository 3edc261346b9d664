"""The floors bench/web.py measures each page against, on the same server.

Each floor does what any page must and nothing else: the same middleware (sessions from the
database, CSRF, authentication, messages, htmx), the same sign-in check (anonymous -> login,
wrong role -> 403), and then
- for pages: renders nothing (an empty 200);
- for logging: commits one row (one audit INSERT, in its own transaction), then an empty 200.
A page at 50 % of its floor spends as much on its own work as the framework does on every request.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from backcare.accounts.models import User
from backcare.care import actions

View = Callable[..., HttpResponse]


def _signed_in(check: Callable[[User], bool]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not isinstance(user, User) or not check(user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


@require_GET
@never_cache
@_signed_in(lambda user: user.is_patient)
def patient_floor(request: HttpRequest) -> HttpResponse:
    """A patient's page that renders nothing: the floor of Today."""
    return HttpResponse(b"")


@require_GET
@never_cache
@_signed_in(lambda user: user.is_clinic_staff)
def staff_floor(request: HttpRequest) -> HttpResponse:
    """A clinician's page that renders nothing: the floor of the dashboard."""
    return HttpResponse(b"")


@require_POST
@_signed_in(lambda user: user.is_patient)
def write_floor(request: HttpRequest) -> HttpResponse:
    """A patient's POST that commits one row: the floor of logging an exercise."""
    assert isinstance(request.user, User)
    with transaction.atomic():
        actions.record_read(by=request.user, obj=request.user, patient=None)
    return HttpResponse(b"")
