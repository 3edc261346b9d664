"""Calendar pages (docs/calendars.md), mounted at /calendar/ (namespace ``calendars``).

- ``settings`` (GET /calendar/): a signed-in patient or clinician sees whether they have a
  calendar link, makes a new one (``create``, POST: the link is shown once, on the answer to
  that POST, never again) or stops it (``revoke``, POST, then back to the page).
- ``feed`` (GET /calendar/<token>.ics): no sign-in, the secret token is the credential; unknown
  or stopped -> 404. Each fetch is audited as a read by the feed's owner (one INSERT).
- ``visit`` (GET /calendar/visits/<id>.ics, sign-in): one visit as a file, for the patient of
  the visit or their clinic's staff (others 404); audited as a read.

Writes go through ``feeds.py``; the documents are built by ``calendars.py``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST, require_safe
from icalendar import Calendar

from backcare.accounts.models import User
from backcare.care import actions
from backcare.care.models import Clinic, Episode, Patient, PlanRecord, Visit
from backcare.engine.plan import Plan, parse_plan
from backcare.engine.validation import InvalidDocument

from . import calendars, feeds
from .models import CalendarFeed

log = logging.getLogger(__name__)

View = Callable[..., HttpResponse]


def now() -> dt.datetime:
    """The current time (one place, so tests can move the clock of these pages)."""
    return timezone.now()


def _host(request: HttpRequest) -> str:
    """The host name that makes event UIDs unique (``visit-12@clinic.example``), no port."""
    domain, _port = split_domain_port(request.get_host())
    return domain or "backcare"


def _url_maker(request: HttpRequest) -> calendars.Url:
    def url(name: str, kwargs: dict[str, Any]) -> str:
        try:
            return request.build_absolute_uri(reverse(name, kwargs=kwargs))
        except NoReverseMatch:  # a page of another app not mounted: link to the site
            return request.build_absolute_uri("/")

    return url


def _ics(calendar: Calendar, *, filename: str | None = None) -> HttpResponse:
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Health data: no shared cache keeps a copy; search engines never list a secret link.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


# --- the settings page -------------------------------------------------------------------------


def feed_owner_only(view: View) -> View:
    """Anonymous -> sign in; a signed-in account that cannot have a feed -> 403."""

    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not (isinstance(user, User) and feeds.feed_kind(user) is not None):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return login_required(wrapper)


def _page(request: HttpRequest, *, token: str | None = None, status: int = 200) -> HttpResponse:
    user = _user(request)
    feed = CalendarFeed.objects.active().filter(user=user).first()
    kind = feeds.feed_kind(user)
    is_patient = kind is CalendarFeed.Kind.PATIENT
    zones = (
        Patient.objects.filter(user=user)
        if is_patient
        else Clinic.objects.filter(users=user)  # staff: their clinic's time zone
    )
    zone = zones.values_list("timezone", flat=True).first()
    context: dict[str, Any] = {
        "feed": feed,
        "is_patient": is_patient,
        "zone": zone or timezone.get_current_timezone_name(),
        "reminder_time": calendars.REMINDER_TIME,
        "feed_url": None,
        "webcal_url": None,
    }
    if token is not None:
        url = request.build_absolute_uri(reverse("calendars:feed", kwargs={"token": token}))
        context["feed_url"] = url
        context["webcal_url"] = "webcal://" + url.split("://", 1)[1]
    response = render(request, "exports/calendar.html", context, status=status)
    if token is not None:
        response["Cache-Control"] = "private, no-store"
    return response


@feed_owner_only
@require_GET
def settings_view(request: HttpRequest) -> HttpResponse:
    """The calendar link page: state, make a new link, stop it, phone instructions."""
    return _page(request)


@feed_owner_only
@require_POST
@never_cache
def create_view(request: HttpRequest) -> HttpResponse:
    """Make a new link (stopping the old one) and show it, this once."""
    user = _user(request)
    try:
        _feed, token = feeds.create_feed(user=user, by=user, now=now())
    except actions.ActionRefused as refused:
        messages.error(request, str(refused))
        return redirect("calendars:settings")
    return _page(request, token=token)


@feed_owner_only
@require_POST
def revoke_view(request: HttpRequest) -> HttpResponse:
    """Stop the person's active link; back to the page with a message."""
    user = _user(request)
    feed = CalendarFeed.objects.active().filter(user=user).select_related("user").first()
    if feed is None:
        messages.info(request, _("You have no calendar link to stop."))
        return redirect("calendars:settings")
    try:
        feeds.revoke_feed(feed=feed, by=user, now=now())
    except actions.ActionRefused as refused:  # stopped meanwhile (another tab)
        messages.error(request, str(refused))
    else:
        messages.success(
            request, _("Your calendar link is stopped. Calendars using it get no new updates.")
        )
    return redirect("calendars:settings")


# --- the feed ------------------------------------------------------------------------------------


def _published_plan(user: User, patient: Patient) -> tuple[Plan | None, int | None]:
    """The published plan of the patient's open episode, unless a check-in blocks it."""
    record = (
        PlanRecord.objects.for_user(user)
        .published()
        .filter(
            episode__patient=patient,
            episode__status=Episode.Status.ACTIVE,
            blocked_by__isnull=True,
        )
        .only("pk", "plan")
        .first()
    )
    if record is None:
        return None, None
    try:
        return parse_plan(record.plan), record.pk
    except InvalidDocument:
        log.warning("calendar feed: plan %s does not parse; reminders left out", record.pk)
        return None, None


def _patient_feed(
    request: HttpRequest, feed: CalendarFeed, moment: dt.datetime
) -> tuple[Calendar, Patient]:
    user = feed.user
    patient = Patient.objects.select_related("clinic").filter(user=user).first()
    if patient is None:
        raise Http404("no patient record")
    patient.user = user
    visits = list(
        Visit.objects.for_user(user)
        .filter(
            episode__patient=patient,
            starts_at__gte=moment - dt.timedelta(days=calendars.FEED_PAST_DAYS),
        )
        .select_related("clinician")
        .order_by("starts_at", "pk")
    )
    plan, plan_pk = _published_plan(user, patient)
    with translation.override(patient.language):
        calendar = calendars.patient_calendar(
            patient=patient,
            clinic=patient.clinic,
            visits=visits,
            plan=plan,
            plan_pk=plan_pk,
            host=_host(request),
            url=_url_maker(request),
            now=moment,
        )
    return calendar, patient


def _clinician_feed(request: HttpRequest, feed: CalendarFeed, moment: dt.datetime) -> Calendar:
    user = feed.user
    clinic = user.clinic
    if clinic is None:  # feed_kind() already refused staff without a clinic
        raise Http404("no clinic")
    visits = list(
        Visit.objects.for_user(user)
        .filter(
            clinician=user,
            starts_at__gte=moment - dt.timedelta(days=calendars.FEED_PAST_DAYS),
        )
        .select_related("episode__patient__user")
        .order_by("starts_at", "pk")
    )
    return calendars.clinician_calendar(
        user=user, clinic=clinic, visits=visits, host=_host(request), url=_url_maker(request),
        now=moment,
    )  # fmt: skip


@require_safe
def feed_view(request: HttpRequest, token: str) -> HttpResponse:
    """The feed of a secret link: a patient's visits and reminders, or a clinician's visits."""
    moment = now()
    feed = feeds.find_feed(token)
    if feed is None:
        raise Http404("no such calendar link")
    patient: Patient | None = None
    if feed.kind == CalendarFeed.Kind.PATIENT:
        calendar, patient = _patient_feed(request, feed, moment)
    else:
        calendar = _clinician_feed(request, feed, moment)
    actions.record_read(by=feed.user, obj=feed, patient=patient,
                        detail={"calendar": feed.kind}, now=moment)  # fmt: skip
    feeds.note_fetch(feed, moment)
    return _ics(calendar)


# --- one visit -----------------------------------------------------------------------------------


@login_required
@require_safe
def visit_view(request: HttpRequest, visit_id: int) -> HttpResponse:
    """One visit as a calendar file: the visit's patient, or staff of the patient's clinic."""
    user = _user(request)
    visit = get_object_or_404(
        Visit.objects.for_user(user).select_related(
            "clinician", "episode__patient__user", "episode__patient__clinic"
        ),
        pk=visit_id,
    )
    patient = visit.episode.patient
    moment = now()
    language = (
        translation.override(patient.language) if user.is_patient else contextlib.nullcontext()
    )
    with language:
        calendar = calendars.visit_calendar(
            visit=visit,
            for_patient=user.is_patient,
            host=_host(request),
            url=_url_maker(request),
            now=moment,
        )
    actions.record_read(by=user, obj=visit, patient=patient, detail={"calendar": "visit"},
                        now=moment)  # fmt: skip
    return _ics(calendar, filename=f"visit-{visit.pk}.ics")
