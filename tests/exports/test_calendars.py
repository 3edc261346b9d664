"""Calendar feeds and visit downloads (backcare/exports/calendars.py, feeds.py,
calendar_views.py; docs/calendars.md).

Kiri is a Riverside patient (clinic in Europe/London) who lives in Pacific/Auckland: her visits
are in the clinic's zone, her exercise reminders at 18:00 in her own. Every document the tests
fetch is parsed back with icalendar and checked against the RFC 5545 rules in ``rfc5545``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar, Component
from web.factories import NOW, PASSWORD, Cast, invited, published_plan

from backcare.accounts.models import User, token_hash
from backcare.care import actions
from backcare.care.models import AuditEntry, Clinic, Patient, PlanRecord, Visit
from backcare.care.schedule import is_exercise_day
from backcare.engine.plan import Course, Dose, HomeItem, Plan, parse_plan
from backcare.exports import calendar_views, calendars, feeds
from backcare.exports.calendars import REMINDER_TIME, patient_calendar, reminders
from backcare.exports.fhir import VISIT_SLOT_MINUTES
from backcare.exports.models import CalendarFeed

LONDON = ZoneInfo("Europe/London")
AUCKLAND = ZoneInfo("Pacific/Auckland")
HOUR = dt.timedelta(hours=1)


# --- fixtures and helpers --------------------------------------------------------------------


@pytest.fixture(autouse=True)
def frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """The calendar views run at NOW (a Friday, 27 Nov 2026, 10:00 UTC)."""
    monkeypatch.setattr(calendar_views, "now", lambda: NOW)


@pytest.fixture
def kiri(cast: Cast) -> Patient:
    """Alice's patient at Riverside (Europe/London) who lives in Pacific/Auckland."""
    patient = invited(cast.alice, "kiri@example.org", "Pacific/Auckland")
    user = patient.user
    user.first_name, user.last_name = "Kiri", "Tane"
    user.save(update_fields=["first_name", "last_name"])
    return patient


@pytest.fixture
def kiri_plan(kiri: Patient, cast: Cast) -> PlanRecord:
    plan: PlanRecord = published_plan(kiri, cast.alice)
    return plan


def rfc5545(raw: bytes) -> Calendar:
    """Parse ``raw`` back and check the RFC 5545 rules a calendar app relies on; the calendar."""
    assert raw.endswith(b"\r\n")
    for line in raw.split(b"\r\n"):
        assert len(line) <= 75, line  # 3.1: content lines are folded at 75 octets
    calendar = Calendar.from_ical(raw)
    assert isinstance(calendar, Calendar)
    assert calendar.name == "VCALENDAR"
    calendar.validate()
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]).startswith("-//backcare//")
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["X-WR-CALNAME"])
    tzids = set()
    for zone in calendar.walk("VTIMEZONE"):
        tzids.add(str(zone["TZID"]))
        assert zone.subcomponents, "a VTIMEZONE has STANDARD or DAYLIGHT parts"
        for part in zone.subcomponents:
            assert part.name in {"STANDARD", "DAYLIGHT"}
            assert {"DTSTART", "TZOFFSETFROM", "TZOFFSETTO"} <= set(part)
    uids = set()
    for event in calendar.walk("VEVENT"):
        for name in ("UID", "DTSTAMP", "DTSTART", "SUMMARY", "STATUS", "SEQUENCE"):
            assert name in event, name
        assert str(event["UID"]) not in uids, "UIDs are unique"
        uids.add(str(event["UID"]))
        assert event["DTSTAMP"].to_ical().endswith(b"Z")  # 3.8.7.2: UTC
        assert ("DTEND" in event) != ("DURATION" in event), "DTEND or DURATION, not both"
        tzid = event["DTSTART"].params.get("TZID")
        assert tzid in tzids, "every TZID has its VTIMEZONE"
        if "DTEND" in event:
            assert event["DTEND"].params.get("TZID") == tzid
            assert event.decoded("DTEND") > event.decoded("DTSTART")
        assert str(event["STATUS"]) in {"TENTATIVE", "CONFIRMED", "CANCELLED"}
        if "RRULE" in event:
            for until in event["RRULE"].get("UNTIL", []):
                assert until.tzinfo is not None and until.utcoffset() == dt.timedelta(0)
        for alarm in event.walk("VALARM"):
            assert {"ACTION", "TRIGGER", "DESCRIPTION"} <= set(alarm)
    return calendar


def fetch(client: Client, token: str) -> Calendar:
    response = client.get(reverse("calendars:feed", kwargs={"token": token}))
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    return rfc5545(response.content)


def visits_of(calendar: Calendar) -> dict[str, Component]:
    return {str(e["UID"]): e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("visit-")}


def reminders_of(calendar: Calendar) -> list[Component]:
    return [e for e in calendar.walk("VEVENT") if str(e["UID"]).startswith("exercises-")]


def feed_of(user: User) -> str:
    _feed, token = feeds.create_feed(user=user, by=user, now=NOW)
    return token


def url(name: str, kwargs: dict[str, Any]) -> str:
    return "https://clinic.example" + reverse(name, kwargs=kwargs)


# --- the patient's feed: visits ----------------------------------------------------------------


def test_a_patients_visits_are_in_the_clinics_time_zone(
    client: Client, kiri: Patient, kiri_plan: PlanRecord
) -> None:
    calendar = fetch(client, feed_of(kiri.user))
    events = visits_of(calendar)
    visits = list(Visit.objects.filter(episode__patient=kiri))
    assert visits and set(events) == {f"visit-{v.pk}@testserver" for v in visits}
    for visit in visits:
        event = events[f"visit-{visit.pk}@testserver"]
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert event["DTSTART"].params["TZID"] == "Europe/London"
        assert start.tzinfo.key == "Europe/London"
        assert start.time() == dt.time(9, 0)  # Riverside's visit time, London time
        assert start == visit.starts_at
        assert end - start == dt.timedelta(minutes=VISIT_SLOT_MINUTES)
        assert str(event["STATUS"]) == "CONFIRMED"
        assert int(event["SEQUENCE"]) == 0
        assert str(event["SUMMARY"]) == "Physio visit at Riverside"
        assert str(event["LOCATION"]).startswith("Riverside")
        assert str(event["CLASS"]) == "PRIVATE"
    zones = {str(z["TZID"]) for z in calendar.walk("VTIMEZONE")}
    assert zones == {"Europe/London", "Pacific/Auckland"}


def test_a_visit_in_british_summer_time_keeps_its_london_wall_clock_time(
    client: Client, kiri: Patient, kiri_plan: PlanRecord, cast: Cast
) -> None:
    summer = dt.datetime(2027, 1, 4, 9, 30, tzinfo=LONDON) + dt.timedelta(days=180)  # July
    visit = Visit.objects.create(
        episode=kiri_plan.episode, clinician=cast.alice, starts_at=summer.astimezone(dt.UTC)
    )
    event = visits_of(fetch(client, feed_of(kiri.user)))[f"visit-{visit.pk}@testserver"]
    start = event.decoded("DTSTART")
    assert (start.hour, start.minute) == (9, 30)
    assert start.utcoffset() == HOUR  # BST
    assert start.astimezone(AUCKLAND).hour == 20  # 09:30 BST is 20:30 NZST in July


def test_a_cancelled_visit_stays_in_the_feed_as_cancelled_with_a_new_sequence(
    client: Client, kiri: Patient, kiri_plan: PlanRecord, cast: Cast
) -> None:
    upcoming = Visit.objects.filter(episode__patient=kiri, starts_at__gt=NOW).order_by("starts_at")
    cancelled, kept = upcoming[0], upcoming[1]
    actions.set_visit_status(visit=cancelled, by=cast.alice, status="cancelled", now=NOW)
    events = visits_of(fetch(client, feed_of(kiri.user)))
    gone = events[f"visit-{cancelled.pk}@testserver"]
    assert str(gone["STATUS"]) == "CANCELLED"
    assert int(gone["SEQUENCE"]) == 1
    assert "cancelled" in str(gone["DESCRIPTION"])
    assert str(events[f"visit-{kept.pk}@testserver"]["STATUS"]) == "CONFIRMED"


def test_visits_long_past_are_left_out(
    client: Client, kiri: Patient, kiri_plan: PlanRecord, cast: Cast
) -> None:
    old = Visit.objects.create(
        episode=kiri_plan.episode,
        clinician=cast.alice,
        starts_at=NOW - dt.timedelta(days=calendars.FEED_PAST_DAYS + 1),
        status=Visit.Status.ATTENDED,
    )
    assert f"visit-{old.pk}@testserver" not in visits_of(fetch(client, feed_of(kiri.user)))


def test_a_new_patients_feed_is_valid_without_any_event(client: Client, kiri: Patient) -> None:
    calendar = fetch(client, feed_of(kiri.user))
    assert calendar.walk("VEVENT") == []
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Pacific/Auckland"]
    assert str(calendar["X-WR-TIMEZONE"]) == "Pacific/Auckland"
    assert str(calendar["REFRESH-INTERVAL"].to_ical().decode()) == "PT1H"


# --- the patient's feed: exercise reminders ----------------------------------------------------


def test_reminders_are_at_six_in_the_evening_in_the_patients_time_zone(
    client: Client, kiri: Patient, kiri_plan: PlanRecord
) -> None:
    plan = parse_plan(kiri_plan.plan)
    events = reminders_of(fetch(client, feed_of(kiri.user)))
    assert events
    last_day = plan.start + dt.timedelta(days=7 * plan.course.weeks - 1)
    for event in events:
        start = event.decoded("DTSTART")
        assert event["DTSTART"].params["TZID"] == "Pacific/Auckland"
        assert start.time() == REMINDER_TIME == dt.time(18, 0)
        assert start.utcoffset() == 13 * HOUR  # New Zealand summer time in November
        (until,) = event["RRULE"]["UNTIL"]
        assert until == dt.datetime.combine(last_day, REMINDER_TIME, AUCKLAND)
        assert until.utcoffset() == dt.timedelta(0)  # 3.3.10: UTC with a TZID start
        assert str(event["SUMMARY"]) == "Home exercises"
        assert str(event["TRANSP"]) == "TRANSPARENT"
        assert [a["ACTION"] for a in event.walk("VALARM")] == ["DISPLAY"]


def test_reminders_fall_on_exactly_the_days_today_shows_with_those_exercises(
    client: Client, kiri: Patient, kiri_plan: PlanRecord
) -> None:
    """Expand every RRULE and compare day by day with Today's rule (portal/today.py)."""
    plan = parse_plan(kiri_plan.plan)
    expected: dict[dt.date, list[str]] = {}
    for n in range(7 * plan.course.weeks):
        day = plan.start + dt.timedelta(days=n)
        names = [i.name for i in plan.home_programme if is_exercise_day(i, plan.start, day)]
        if names:
            expected[day] = names
    seen: dict[dt.date, list[str]] = {}
    for event in reminders_of(fetch(client, feed_of(kiri.user))):
        start = event.decoded("DTSTART")
        rule = rrulestr(event["RRULE"].to_ical().decode(), dtstart=start)
        description = str(event["DESCRIPTION"])
        names = [i.name for i in plan.home_programme if f"- {i.name}: " in description]
        for occurrence in rule:
            assert occurrence.time() == dt.time(18, 0)
            assert occurrence.date() not in seen, "one reminder a day"
            seen[occurrence.date()] = names
    assert seen == expected
    # the example plan has exercises on 7 and on 3 days a week: two reminders
    assert len({tuple(v) for v in expected.values()}) == 2


def _item(exercise_id: str, days_a_week: int, minutes: int = 3) -> HomeItem:
    return HomeItem(
        exercise_id=exercise_id,
        name=exercise_id.title(),
        minutes=minutes,
        dose=Dose(reps=10, days_a_week=days_a_week),
    )


def _calendar_of(plan: Plan) -> Calendar:
    patient = Patient(pk=1, timezone="Pacific/Auckland")
    clinic = Clinic(name="Riverside", timezone="Europe/London")
    calendar = patient_calendar(patient=patient, clinic=clinic, visits=[], plan=plan,
                                plan_pk=7, host="clinic.example", url=url, now=NOW)  # fmt: skip
    return rfc5545(calendar.to_ical())


def test_a_plan_with_exercises_on_different_days_gets_a_weekly_rule_per_group() -> None:
    friday = dt.date(2026, 11, 27)
    plan = Plan(
        start=friday,
        home_programme=(_item("walk", 7), _item("bridge", 3), _item("plank", 2)),
        course=Course(weeks=6),
    )
    events = {str(e["UID"]): e for e in _calendar_of(plan).walk("VEVENT")}
    # plan days 0..6 are Fri..Thu; bridge on days 0, 2, 4 (Fri, Sun, Tue), plank on 0, 3 (Fri, Mon)
    expected = {
        "exercises-7-fr@clinic.example": ["WALK", "BRIDGE", "PLANK"],
        "exercises-7-tu-su@clinic.example": ["WALK", "BRIDGE"],
        "exercises-7-mo@clinic.example": ["WALK", "PLANK"],
        "exercises-7-we-th-sa@clinic.example": ["WALK"],
    }
    assert set(events) == set(expected)
    for uid, days in {
        "exercises-7-fr@clinic.example": ["FR"],
        "exercises-7-tu-su@clinic.example": ["TU", "SU"],
        "exercises-7-mo@clinic.example": ["MO"],
        "exercises-7-we-th-sa@clinic.example": ["WE", "TH", "SA"],
    }.items():
        rule = events[uid]["RRULE"]
        assert rule["FREQ"] == ["WEEKLY"] and rule["BYDAY"] == days
        (until,) = rule["UNTIL"]
        assert until == dt.datetime(2027, 1, 7, 18, 0, tzinfo=AUCKLAND)  # 6 weeks, last day
        names = str(events[uid]["DESCRIPTION"])
        assert [n for n in ("Walk", "Bridge", "Plank") if f"- {n}: " in names] == [
            n.title() for n in expected[uid]
        ]
    first = {uid: e.decoded("DTSTART").date() for uid, e in events.items()}
    assert first["exercises-7-fr@clinic.example"] == friday
    assert first["exercises-7-mo@clinic.example"] == dt.date(2026, 11, 30)
    assert first["exercises-7-tu-su@clinic.example"] == dt.date(2026, 11, 29)  # a Sunday


def test_a_daily_programme_is_one_daily_rule_and_no_course_means_no_end() -> None:
    plan = Plan(start=dt.date(2026, 11, 27), home_programme=(_item("walk", 7, minutes=25),))
    (event,) = _calendar_of(plan).walk("VEVENT")
    assert dict(event["RRULE"]) == {"FREQ": ["DAILY"]}
    assert event.decoded("DURATION") == dt.timedelta(minutes=25)


def test_a_blocked_plan_or_an_empty_programme_has_no_reminders() -> None:
    start = dt.date(2026, 11, 27)
    assert reminders(Plan(start=start, blocked=True, home_programme=(_item("walk", 7),))) == ()
    assert reminders(Plan(start=start)) == ()


def test_a_discharged_patient_gets_no_more_reminders_and_visits_are_cancelled(
    client: Client, kiri: Patient, kiri_plan: PlanRecord, cast: Cast
) -> None:
    token = feed_of(kiri.user)
    assert reminders_of(fetch(client, token))
    actions.discharge_episode(episode=kiri_plan.episode, by=cast.alice, now=NOW)
    calendar = fetch(client, token)
    assert reminders_of(calendar) == []
    future = Visit.objects.filter(episode__patient=kiri, starts_at__gte=NOW)
    events = visits_of(calendar)
    assert all(str(events[f"visit-{v.pk}@testserver"]["STATUS"]) == "CANCELLED" for v in future)


# --- the clinician's feed ----------------------------------------------------------------------


def test_a_clinicians_feed_has_their_visits_with_first_name_and_initial_only(
    client: Client, cast: Cast, kiri: Patient, kiri_plan: PlanRecord
) -> None:
    published_plan(cast.quinn, cast.bob)  # Harbour: never in Alice's feed
    response = client.get(reverse("calendars:feed", kwargs={"token": feed_of(cast.alice)}))
    calendar = rfc5545(response.content)
    events = visits_of(calendar)
    mine = Visit.objects.filter(clinician=cast.alice)
    assert set(events) == {f"visit-{v.pk}@testserver" for v in mine}
    assert not Visit.objects.filter(clinician=cast.bob, pk__in=[v.pk for v in mine]).exists()
    for event in events.values():
        assert str(event["SUMMARY"]) == "Visit: Kiri T."
        assert event.decoded("DTSTART").tzinfo.key == "Europe/London"
        assert "/clinic/" in str(event["URL"])
    assert reminders_of(calendar) == []
    assert b"Tane" not in response.content and b"kiri@example.org" not in response.content
    assert "Riverside" in str(calendar["X-WR-CALNAME"])


def test_a_patient_without_a_first_name_is_named_by_number(client: Client, cast: Cast) -> None:
    published_plan(cast.pat, cast.alice)
    events = visits_of(fetch(client, feed_of(cast.alice)))
    assert {str(e["SUMMARY"]) for e in events.values()} == {f"Visit: Patient {cast.pat.pk}"}


def test_a_deactivated_clinicians_feed_stops(client: Client, cast: Cast) -> None:
    token = feed_of(cast.alice)
    actions.set_staff_active(user=cast.alice, by=cast.carol, active=False, now=NOW)
    assert client.get(reverse("calendars:feed", kwargs={"token": token})).status_code == 404


# --- tokens ----------------------------------------------------------------------------------


def test_only_the_tokens_hash_is_stored(kiri: Patient) -> None:
    feed, token = feeds.create_feed(user=kiri.user, by=kiri.user, now=NOW)
    assert feed.token_hash == token_hash(token) and token not in feed.token_hash
    assert feed.kind == CalendarFeed.Kind.PATIENT and feed.created_at == NOW


def test_unknown_and_malformed_tokens_are_404(client: Client, kiri: Patient) -> None:
    feed_of(kiri.user)
    assert client.get("/calendar/" + "A" * 43 + ".ics").status_code == 404
    assert client.get("/calendar/short.ics").status_code == 404
    assert client.get("/calendar/" + "A" * 43 + "%00.ics").status_code == 404
    assert client.get("/calendar/" + "A" * 43).status_code == 404


def test_a_revoked_link_is_404(client: Client, kiri: Patient) -> None:
    feed, token = feeds.create_feed(user=kiri.user, by=kiri.user, now=NOW)
    fetch(client, token)
    feeds.revoke_feed(feed=feed, by=kiri.user, now=NOW)
    assert client.get(reverse("calendars:feed", kwargs={"token": token})).status_code == 404


def test_a_new_link_revokes_the_old_one(client: Client, kiri: Patient) -> None:
    old, old_token = feeds.create_feed(user=kiri.user, by=kiri.user, now=NOW)
    new, new_token = feeds.create_feed(user=kiri.user, by=kiri.user, now=NOW + HOUR)
    old.refresh_from_db()
    assert old.revoked_at == NOW + HOUR and new.revoked_at is None
    assert CalendarFeed.objects.active().filter(user=kiri.user).get() == new
    assert client.get(reverse("calendars:feed", kwargs={"token": old_token})).status_code == 404
    fetch(client, new_token)


def test_the_feed_answers_only_get_and_head(client: Client, kiri: Patient) -> None:
    path = reverse("calendars:feed", kwargs={"token": feed_of(kiri.user)})
    assert client.head(path).status_code == 200
    assert client.post(path).status_code == 405


def test_nobody_makes_a_link_for_someone_else(cast: Cast, kiri: Patient) -> None:
    with pytest.raises(actions.NotAllowed):
        feeds.create_feed(user=kiri.user, by=cast.alice, now=NOW)
    assert not CalendarFeed.objects.exists()


def test_the_owner_or_their_clinics_administrator_may_stop_a_link(cast: Cast) -> None:
    feed, _token = feeds.create_feed(user=cast.alice, by=cast.alice, now=NOW)
    with pytest.raises(actions.NotAllowed):
        feeds.revoke_feed(feed=feed, by=cast.bob, now=NOW)
    feeds.revoke_feed(feed=feed, by=cast.carol, now=NOW)
    with pytest.raises(actions.ActionRefused):
        feeds.revoke_feed(feed=feed, by=cast.alice, now=NOW)


def test_an_account_without_a_patient_record_or_clinic_gets_no_link(db: Any) -> None:
    stray = User.objects.create_user(username="stray", password=PASSWORD)  # patient role
    with pytest.raises(actions.ActionRefused):
        feeds.create_feed(user=stray, by=stray, now=NOW)
    staff = User.objects.create_user(username="root", role=User.Role.CLINIC_ADMIN)
    with pytest.raises(actions.NotAllowed):
        feeds.create_feed(user=staff, by=staff, now=NOW)


# --- audit ----------------------------------------------------------------------------------


def test_making_stopping_and_reading_a_feed_are_audited(
    client: Client, kiri: Patient, kiri_plan: PlanRecord
) -> None:
    feed, token = feeds.create_feed(user=kiri.user, by=kiri.user, now=NOW)
    fetch(client, token)
    fetch(client, token)
    feeds.revoke_feed(feed=feed, by=kiri.user, now=NOW)
    entries = AuditEntry.objects.filter(object_type="calendarfeed").order_by("id")
    assert [(e.action, e.who_id, e.patient_id, e.clinic_id) for e in entries] == [
        (action, kiri.user.pk, kiri.pk, kiri.clinic_id)
        for action in ("create", "read", "read", "update")
    ]
    assert entries[1].object_id == str(feed.pk) and entries[1].detail == {"calendar": "patient"}


def test_a_clinicians_fetch_is_audited_without_a_patient(client: Client, cast: Cast) -> None:
    fetch(client, feed_of(cast.alice))
    entry = AuditEntry.objects.filter(action="read").get()
    assert (entry.who_id, entry.patient_id, entry.clinic_id) == (
        cast.alice.pk,
        None,
        cast.riverside.pk,
    )


def test_last_fetched_is_written_at_most_hourly(
    client: Client, kiri: Patient, monkeypatch: pytest.MonkeyPatch
) -> None:
    feed, token = feeds.create_feed(user=kiri.user, by=kiri.user, now=NOW)
    path = reverse("calendars:feed", kwargs={"token": token})
    for minutes, expected in ((0, NOW), (59, NOW), (60, NOW + HOUR), (61, NOW + HOUR)):
        monkeypatch.setattr(calendar_views, "now", lambda m=minutes: NOW + dt.timedelta(minutes=m))
        assert client.get(path).status_code == 200
        feed.refresh_from_db()
        assert feed.last_fetched_at == expected


# --- query counts ------------------------------------------------------------------------------


def _count(client: Client, token: str) -> int:
    path = reverse("calendars:feed", kwargs={"token": token})
    client.get(path)  # last_fetched_at written: the next fetches write nothing but the audit
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_a_feed_costs_the_same_queries_with_many_visits(
    client: Client, kiri: Patient, kiri_plan: PlanRecord, cast: Cast
) -> None:
    patient_token, clinician_token = feed_of(kiri.user), feed_of(cast.alice)
    few = _count(client, patient_token), _count(client, clinician_token)
    Visit.objects.bulk_create(
        Visit(episode=kiri_plan.episode, clinician=cast.alice, starts_at=NOW + dt.timedelta(days=d))
        for d in range(1, 41)
    )
    published_plan(cast.pat, cast.alice)
    many = _count(client, patient_token), _count(client, clinician_token)
    assert few == many
    # patient: feed (with owner and clinic), patient, visits, published plan, one audit INSERT;
    # clinician: feed, visits, one audit INSERT
    assert few == (5, 3)


# --- one visit as a file ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("kiri", 200),
        ("alice", 200),
        ("carol", 200),
        ("bob", 404),
        ("quinn", 404),
        ("pat", 404),
    ],
)
def test_a_visit_file_is_for_the_patient_and_their_clinics_staff(
    client: Client, cast: Cast, kiri: Patient, kiri_plan: PlanRecord, who: str, status: int
) -> None:
    visit = Visit.objects.filter(episode__patient=kiri).first()
    assert visit is not None
    users = {"kiri": kiri.user, "alice": cast.alice, "carol": cast.carol, "bob": cast.bob,
             "quinn": cast.quinn.user, "pat": cast.pat.user}  # fmt: skip
    client.force_login(users[who])
    response = client.get(reverse("calendars:visit", kwargs={"visit_id": visit.pk}))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Disposition"] == f'attachment; filename="visit-{visit.pk}.ics"'
        (event,) = rfc5545(response.content).walk("VEVENT")
        assert str(event["UID"]) == f"visit-{visit.pk}@testserver"
        assert event.decoded("DTSTART") == visit.starts_at
        assert event["DTSTART"].params["TZID"] == "Europe/London"
        summary = "Physio visit at Riverside" if who == "kiri" else "Visit: Kiri T."
        assert str(event["SUMMARY"]) == summary
        entry = AuditEntry.objects.filter(action="read", object_type="visit").get()
        assert (entry.who_id, entry.patient_id) == (users[who].pk, kiri.pk)


def test_a_visit_file_asks_anonymous_people_to_sign_in(client: Client, kiri_plan: Any) -> None:
    visit = Visit.objects.first()
    assert visit is not None
    response = client.get(reverse("calendars:visit", kwargs={"visit_id": visit.pk}))
    assert response.status_code == 302 and "/account/login" in response["Location"]
    assert client.get("/calendar/visits/99999.ics").status_code == 302


# --- the settings page ---------------------------------------------------------------------------


def test_the_calendar_page_asks_anonymous_people_to_sign_in(client: Client, db: Any) -> None:
    response = client.get(reverse("calendars:settings"))
    assert response.status_code == 302 and "/account/login" in response["Location"]
    assert client.post(reverse("calendars:create")).status_code == 302
    assert not CalendarFeed.objects.exists()


def test_a_patient_makes_sees_once_replaces_and_stops_a_link(client: Client, kiri: Patient) -> None:
    client.force_login(kiri.user)
    page = client.get(reverse("calendars:settings"))
    assert page.status_code == 200
    assert "You have no calendar link." in page.content.decode()
    assert "at 18:00 your time" in page.content.decode()

    made = client.post(reverse("calendars:create"))
    assert made.status_code == 200 and "no-store" in made["Cache-Control"]
    html = made.content.decode()
    feed = CalendarFeed.objects.active().get(user=kiri.user)
    token = next(w for w in html.split('"') if w.startswith("http://testserver/calendar/"))
    token = token.removeprefix("http://testserver/calendar/").removesuffix(".ics")
    assert token_hash(token) == feed.token_hash
    assert f'href="webcal://testserver/calendar/{token}.ics"' in html
    assert "shown only this once" in html

    again = client.get(reverse("calendars:settings")).content.decode()
    assert token not in again
    assert "Active since 27 November 2026, 23:00" in again  # NOW in Auckland
    assert "No calendar has read it yet." in again

    client.post(reverse("calendars:create"))
    feed.refresh_from_db()
    assert feed.revoked_at is not None
    assert CalendarFeed.objects.active().filter(user=kiri.user).count() == 1

    stopped = client.post(reverse("calendars:revoke"), follow=True)
    assert stopped.redirect_chain == [(reverse("calendars:settings"), 302)]
    assert "Your calendar link is stopped." in stopped.content.decode()
    assert "You have no calendar link." in stopped.content.decode()
    assert not CalendarFeed.objects.active().exists()

    nothing = client.post(reverse("calendars:revoke"), follow=True)
    assert "You have no calendar link to stop." in nothing.content.decode()


def test_a_clinician_sees_the_privacy_note_and_times_in_the_clinics_zone(
    client: Client, cast: Cast
) -> None:
    feed_of(cast.alice)
    client.force_login(cast.alice)
    html = client.get(reverse("calendars:settings")).content.decode()
    assert "first letter of the last name" in html
    assert "Active since 27 November 2026, 10:00" in html  # London is UTC in November
    assert "iPhone" in html and "Google" in html and "Outlook" in html


def test_the_pages_refuse_get_for_writes_and_accounts_without_a_feed(
    client: Client, db: Any
) -> None:
    client.force_login(User.objects.create_user(username="root", role=User.Role.CLINIC_ADMIN))
    assert client.get(reverse("calendars:settings")).status_code == 403


def test_a_patient_account_without_a_record_is_told_why(client: Client, db: Any) -> None:
    client.force_login(User.objects.create_user(username="stray"))
    page = client.post(reverse("calendars:create"), follow=True)
    assert "no patient record" in page.content.decode()
    assert not CalendarFeed.objects.exists()


def test_making_a_link_needs_a_post(client: Client, kiri: Patient) -> None:
    client.force_login(kiri.user)
    assert client.get(reverse("calendars:create")).status_code == 405
    assert client.get(reverse("calendars:revoke")).status_code == 405


# --- links from the visit pages ----------------------------------------------------------------


def test_the_visit_pages_link_to_the_calendar(
    client: Client, cast: Cast, kiri: Patient, kiri_plan: PlanRecord
) -> None:
    visit = Visit.objects.filter(episode__patient=kiri, starts_at__gt=NOW).first()
    assert visit is not None
    link = reverse("calendars:visit", kwargs={"visit_id": visit.pk})
    client.force_login(cast.alice)
    patient_page = client.get(reverse("clinic:patient", kwargs={"patient_id": kiri.pk}))
    assert link in patient_page.content.decode()
    note_page = client.get(reverse("clinic_care:session_note", kwargs={"visit_id": visit.pk}))
    assert link in note_page.content.decode()
    client.force_login(kiri.user)
    progress = client.get(reverse("progress:progress"))
    assert reverse("calendars:settings") in progress.content.decode()
