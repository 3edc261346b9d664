"""iCalendar (RFC 5545) documents: calendar feeds and single-visit downloads (docs/calendars.md).

Pure builders: they take the rows already fetched (no query here) and return an
``icalendar.Calendar``. The views fetch, audit and send them.

- A visit is a VEVENT with a stable UID (``visit-<pk>@<host>``) in the clinic's time zone
  (TZID with its VTIMEZONE), lasting the nominal slot of the FHIR export
  (``fhir.VISIT_SLOT_MINUTES``). A cancelled visit stays in the feed as STATUS:CANCELLED so that
  calendars remove it; SEQUENCE is 0 while planned and 1 once its status changed (a visit
  changes status once: planned -> attended, missed or cancelled, ``care.actions``).
- A patient's home programme is one recurring reminder per group of plan days that share the
  same exercises, at ``REMINDER_TIME`` in the patient's own time zone, from the plan's start to
  the end of its course (open-ended when the plan has no course length), with the exercise names
  and doses in the description.
- In a clinician's feed a patient is named by first name and the initial of the last name
  (``short_name``): a phone calendar is synced to other companies' servers and shown on lock
  screens, so the feed carries the least that identifies the visit, and no clinical detail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event, Timezone, vDuration, vRecur

from backcare.accounts.models import User
from backcare.care.models import Clinic, Patient, Visit
from backcare.care.schedule import DAYS_IN_WEEK, dose_words, training_days
from backcare.engine.plan import HomeItem, Plan

from .fhir import VISIT_SLOT_MINUTES

__all__ = [
    "FEED_PAST_DAYS",
    "PRODID",
    "REMINDER_TIME",
    "Reminder",
    "clinician_calendar",
    "patient_calendar",
    "reminders",
    "short_name",
    "visit_calendar",
]

PRODID = "-//backcare//Calendar feeds 1//EN"
# When the daily home-exercise reminder is, in the patient's own time zone: early evening, when
# most people are home. Not a clinical rule (the plan says how many days, not what time); a
# patient can move or silence the reminder in their calendar.
REMINDER_TIME = dt.time(18, 0)
# How many minutes a reminder event lasts when its exercises say nothing longer.
REMINDER_MIN_MINUTES = 10
# Visits that started more than this many days ago are left out of feeds: calendars keep the
# events they already have, and a long caseload stays a small download.
FEED_PAST_DAYS = 92
# How often calendars should fetch the feed again (RFC 7986 REFRESH-INTERVAL; many apps poll on
# their own schedule anyway).
REFRESH = dt.timedelta(hours=1)

BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

Url = Callable[[str, dict[str, Any]], str]


def short_name(user: User, patient_pk: int) -> str:
    """How a clinician's calendar names a patient: "Pat Q." (first name, initial of the last
    name), or "Patient 12" when the account has no first name (never the e-mail address)."""
    first = user.first_name.strip()
    last = user.last_name.strip()
    if not first:
        return _("Patient %(number)s") % {"number": patient_pk}
    return f"{first} {last[0]}." if last else first


def _location(clinic: Clinic) -> str:
    lines = [clinic.name, *(line.strip() for line in clinic.address.splitlines())]
    return ", ".join(line for line in lines if line)


def _calendar(name: str, timezone: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", timezone)
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH))
    return calendar


def _finish(
    calendar: Calendar, timezone: str, moments: Iterable[dt.datetime], now: dt.datetime
) -> Calendar:
    """Add the VTIMEZONEs the events use, covering the years they span (and a year around),
    and always the calendar's own zone: RFC 5545 wants at least one component, and a new
    patient's feed may have no event yet."""
    days = [m.date() for m in moments] or [now.date()]
    first = min(days) - dt.timedelta(days=366)
    last = max(max(days), now.date()) + dt.timedelta(days=2 * 366)
    calendar.add_missing_timezones(first_date=first, last_date=last)
    if timezone not in {str(zone["TZID"]) for zone in calendar.timezones}:
        calendar.add_component(Timezone.from_tzid(timezone, first_date=first, last_date=last))
    return calendar


# --- visits ----------------------------------------------------------------------------------


_STATUS: dict[str, str] = {
    Visit.Status.PLANNED: "CONFIRMED",
    Visit.Status.ATTENDED: "CONFIRMED",
    Visit.Status.MISSED: "CONFIRMED",
    Visit.Status.CANCELLED: "CANCELLED",
}


def visit_uid(visit: Visit, host: str) -> str:
    return f"visit-{visit.pk}@{host}"


def _visit_event(
    visit: Visit,
    *,
    clinic: Clinic,
    summary: str,
    description: str,
    url: str,
    host: str,
    now: dt.datetime,
) -> Event:
    start = visit.starts_at.astimezone(ZoneInfo(clinic.timezone))
    event = Event()
    event.add("uid", visit_uid(visit, host))
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("dtstart", start)
    event.add("dtend", start + dt.timedelta(minutes=VISIT_SLOT_MINUTES))
    event.add("sequence", 0 if visit.status == Visit.Status.PLANNED else 1)
    event.add("status", _STATUS.get(visit.status, "CONFIRMED"))
    event.add("summary", summary)
    event.add("description", description)
    event.add("location", _location(clinic))
    event.add("url", url)
    event.add("class", "PRIVATE")
    event.add("transp", "OPAQUE")
    return event


def _patient_visit_words(visit: Visit, clinic: Clinic) -> tuple[str, str]:
    summary = _("Physio visit at %(clinic)s") % {"clinic": clinic.name}
    clinician = visit.clinician.get_full_name() or visit.clinician.username
    lines = [_("With %(name)s.") % {"name": clinician}]
    if visit.status == Visit.Status.CANCELLED:
        lines.insert(0, _("This visit is cancelled."))
    elif visit.status == Visit.Status.MISSED:
        lines.insert(0, _("This visit was marked as missed."))
    if clinic.phone:
        lines.append(_("To change it, call the clinic: %(phone)s.") % {"phone": clinic.phone})
    return summary, "\n".join(lines)


def _clinician_visit_words(visit: Visit, patient: Patient) -> tuple[str, str]:
    name = short_name(patient.user, patient.pk)
    summary = _("Visit: %(name)s") % {"name": name}
    lines = [_("Patient: %(name)s.") % {"name": name}]
    if visit.status != Visit.Status.PLANNED:
        lines.insert(0, _("Status: %(status)s.") % {"status": visit.get_status_display()})
    lines.append(_("Details are in backcare (sign in)."))
    return summary, "\n".join(lines)


# --- home-exercise reminders -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reminder:
    """A recurring reminder: the plan days (0-6 from its start) that share ``items``."""

    offsets: tuple[int, ...]
    items: tuple[HomeItem, ...]
    first_day: dt.date
    last_day: dt.date | None  # None: until the plan is replaced

    @property
    def weekdays(self) -> tuple[str, ...]:
        """The BYDAY codes of the days, Monday first."""
        days = {
            (self.first_day + dt.timedelta(days=o - self.offsets[0])).weekday()
            for o in self.offsets
        }
        return tuple(BYDAY[d] for d in sorted(days))

    @property
    def key(self) -> str:
        return "-".join(self.weekdays).lower()

    @property
    def minutes(self) -> int:
        return max(REMINDER_MIN_MINUTES, sum(item.minutes for item in self.items))


def last_plan_day(plan: Plan) -> dt.date | None:
    """The last day of the plan's course (``course.weeks`` weeks from its start), or None."""
    if plan.course.weeks <= 0:
        return None
    return plan.start + dt.timedelta(days=DAYS_IN_WEEK * plan.course.weeks - 1)


def reminders(plan: Plan) -> tuple[Reminder, ...]:
    """The plan's home-exercise reminders: the seven days of the plan's week grouped by the
    exercises due on them (same rule as Today), one reminder per group. None for a plan without
    a home programme or a blocked one."""
    if plan.blocked or not plan.home_programme:
        return ()
    groups: dict[tuple[str, ...], list[int]] = {}
    due_on: dict[tuple[str, ...], tuple[HomeItem, ...]] = {}
    for offset in range(DAYS_IN_WEEK):
        items = tuple(
            item for item in plan.home_programme if offset in training_days(item.dose.days_a_week)
        )
        if items:
            key = tuple(item.exercise_id for item in items)
            groups.setdefault(key, []).append(offset)
            due_on[key] = items
    last = last_plan_day(plan)
    return tuple(
        Reminder(
            offsets=tuple(offsets),
            items=due_on[key],
            first_day=plan.start + dt.timedelta(days=offsets[0]),
            last_day=last,
        )
        for key, offsets in sorted(groups.items(), key=lambda kv: kv[1][0])
    )


def _reminder_event(
    reminder: Reminder, *, plan_pk: int, zone: ZoneInfo, url: str, host: str, now: dt.datetime
) -> Event:
    start = dt.datetime.combine(reminder.first_day, REMINDER_TIME, zone)
    rule: dict[str, Any] = (
        {"FREQ": "DAILY"}
        if len(reminder.weekdays) == DAYS_IN_WEEK
        else {"FREQ": "WEEKLY", "BYDAY": list(reminder.weekdays)}
    )
    if reminder.last_day is not None:
        # RFC 5545 3.3.10: with a TZID start, UNTIL is given in UTC.
        until = dt.datetime.combine(reminder.last_day, REMINDER_TIME, zone)
        rule["UNTIL"] = until.astimezone(dt.UTC)
    names = [
        _("%(name)s: %(dose)s") % {"name": item.name, "dose": dose_words(item)}
        for item in reminder.items
    ]
    description = "\n".join(
        [_("Your home exercises today:"), *(f"- {n}" for n in names), "",
         _("Open backcare to tick them off: %(url)s") % {"url": url}]
    )  # fmt: skip
    event = Event()
    event.add("uid", f"exercises-{plan_pk}-{reminder.key}@{host}")
    event.add("dtstamp", now.astimezone(dt.UTC))
    event.add("dtstart", start)
    event.add("duration", dt.timedelta(minutes=reminder.minutes))
    event.add("rrule", vRecur(rule))
    event.add("sequence", 0)
    event.add("status", "CONFIRMED")
    event.add("summary", _("Home exercises"))
    event.add("description", description)
    event.add("url", url)
    event.add("class", "PRIVATE")
    event.add("transp", "TRANSPARENT")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", dt.timedelta(0))
    alarm.add("description", _("Time for your home exercises"))
    event.add_component(alarm)
    return event


# --- whole calendars ---------------------------------------------------------------------------


def patient_calendar(
    *,
    patient: Patient,
    clinic: Clinic,
    visits: Sequence[Visit],
    plan: Plan | None,
    plan_pk: int | None,
    host: str,
    url: Url,
    now: dt.datetime,
) -> Calendar:
    """A patient's feed: their visits (clinician's name select_related) and, for a published
    plan that is not blocked, their home-exercise reminders."""
    calendar = _calendar(_("backcare: my visits and exercises"), patient.timezone)
    progress = url("progress:progress", {})
    moments: list[dt.datetime] = []
    for visit in visits:
        summary, description = _patient_visit_words(visit, clinic)
        calendar.add_component(
            _visit_event(visit, clinic=clinic, summary=summary, description=description,
                         url=progress, host=host, now=now)
        )  # fmt: skip
        moments.append(visit.starts_at)
    if plan is not None and plan_pk is not None:
        zone = ZoneInfo(patient.timezone)
        today_url = url("me:today", {})
        for reminder in reminders(plan):
            calendar.add_component(
                _reminder_event(reminder, plan_pk=plan_pk, zone=zone, url=today_url, host=host,
                                now=now)
            )  # fmt: skip
            moments.append(dt.datetime.combine(reminder.first_day, REMINDER_TIME, zone))
            if reminder.last_day is not None:
                moments.append(dt.datetime.combine(reminder.last_day, REMINDER_TIME, zone))
    return _finish(calendar, patient.timezone, moments, now)


def clinician_calendar(
    *, user: User, clinic: Clinic, visits: Sequence[Visit], host: str, url: Url, now: dt.datetime
) -> Calendar:
    """A clinician's feed: their visits (``episode__patient__user`` select_related), patients
    named by ``short_name``."""
    name = user.get_full_name() or user.username
    title = _("backcare: %(clinic)s visits of %(name)s") % {"clinic": clinic.name, "name": name}
    calendar = _calendar(title, clinic.timezone)
    for visit in visits:
        summary, description = _clinician_visit_words(visit, visit.episode.patient)
        link = url("clinic_care:session_note", {"visit_id": visit.pk})
        calendar.add_component(
            _visit_event(visit, clinic=clinic, summary=summary, description=description,
                         url=link, host=host, now=now)
        )  # fmt: skip
    return _finish(calendar, clinic.timezone, [v.starts_at for v in visits], now)


def visit_calendar(
    *, visit: Visit, for_patient: bool, host: str, url: Url, now: dt.datetime
) -> Calendar:
    """One visit as a calendar file to download (``episode__patient__user``,
    ``episode__patient__clinic`` and ``clinician`` select_related)."""
    patient = visit.episode.patient
    clinic = patient.clinic
    if for_patient:
        summary, description = _patient_visit_words(visit, clinic)
        link = url("progress:progress", {})
    else:
        summary, description = _clinician_visit_words(visit, patient)
        link = url("clinic_care:session_note", {"visit_id": visit.pk})
    calendar = _calendar(summary, clinic.timezone)
    calendar.add_component(
        _visit_event(visit, clinic=clinic, summary=summary, description=description, url=link,
                     host=host, now=now)
    )  # fmt: skip
    return _finish(calendar, clinic.timezone, [visit.starts_at], now)
