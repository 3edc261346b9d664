"""Who may open a page, by the kind of account: one decorator for every front end.

Anonymous visitors go to the sign-in page (and come back after it); a signed-in account of the
wrong kind gets 403. Which records someone may see is the QuerySets' ``for_user()`` (a record
of another patient or clinic is a 404), not these decorators.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from backcare.accounts.models import User

V = TypeVar("V", bound=Callable[..., HttpResponse])


def role_required(allowed: Callable[[User], bool]) -> Callable[[V], V]:
    """A view decorator letting in the active accounts for which ``allowed(user)`` is true."""

    def decorator(view: V) -> V:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not (isinstance(user, User) and user.is_active and allowed(user)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


patient_only = role_required(lambda user: user.is_patient)
"""Patients' own pages."""

clinic_staff = role_required(lambda user: user.is_clinic_staff and user.clinic_id is not None)
"""Pages for a clinic's clinicians and administrators."""

clinic_admin = role_required(
    lambda user: user.role == User.Role.CLINIC_ADMIN and user.clinic_id is not None
)
"""Pages for a clinic's administrator only."""
