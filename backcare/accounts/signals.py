"""Sessions end at a fixed time after signing in, sooner for clinic staff than for patients.

Clinic staff often share a computer at work, so their session lasts a working day
(``BACKCARE_SESSION_HOURS_STAFF``); a patient signs in on their own phone, so theirs lasts
longer (``BACKCARE_SESSION_HOURS_PATIENT``). The end is a fixed moment, not renewed by use.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from backcare.accounts.models import User


def session_hours(user: User) -> int:
    """How many hours a session of ``user`` lasts: staff (and site staff) less than patients."""
    if user.is_clinic_staff or user.is_superuser or user.is_staff:
        return int(settings.BACKCARE_SESSION_HOURS_STAFF)
    return int(settings.BACKCARE_SESSION_HOURS_PATIENT)


def set_session_length(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """Receiver of ``user_logged_in``: the session ends ``session_hours`` after signing in."""
    if request is None or not hasattr(request, "session"):
        return
    request.session.set_expiry(timezone.now() + dt.timedelta(hours=session_hours(user)))
