"""Timestamps are UTC; a patient's "today" is the day where the patient lives."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from web.factories import NOW, Cast, published_plan

from backcare.care import actions
from backcare.care.models import local_day, validate_timezone

# 11:30 UTC on 27 November is 00:30 on 28 November in Auckland (NZDT, UTC+13).
LATE_MORNING_UTC = dt.datetime(2026, 11, 27, 11, 30, tzinfo=dt.UTC)


def test_today_in_auckland_is_already_tomorrow_in_utc() -> None:
    assert local_day(LATE_MORNING_UTC, "Pacific/Auckland") == dt.date(2026, 11, 28)
    assert local_day(LATE_MORNING_UTC, "UTC") == dt.date(2026, 11, 27)


def test_a_log_falls_on_the_patients_own_day(cast: Cast) -> None:
    plan = published_plan(cast.quinn, cast.bob)
    exercise_id = plan.plan["home_programme"][0]["exercise_id"]

    log = actions.log_exercise(
        patient=cast.quinn,
        by=cast.quinn.user,
        exercise_id=exercise_id,
        done=True,
        now=LATE_MORNING_UTC,
    )

    assert log.day == dt.date(2026, 11, 28)
    assert log.logged_at == LATE_MORNING_UTC


def test_the_patients_tomorrow_is_still_refused(cast: Cast) -> None:
    plan = published_plan(cast.pat, cast.alice)
    with pytest.raises(actions.ActionRefused, match="not come yet"):
        actions.log_exercise(
            patient=cast.pat,
            by=cast.pat.user,
            exercise_id=plan.plan["home_programme"][0]["exercise_id"],
            done=True,
            day=dt.date(2026, 11, 28),
            now=LATE_MORNING_UTC,
        )


def test_visits_are_booked_at_nine_in_the_clinics_zone(cast: Cast) -> None:
    plan = published_plan(cast.quinn, cast.bob)
    visit = plan.visits.first()
    assert visit is not None
    assert visit.starts_at.hour == 20  # 09:00 NZDT is 20:00 UTC the day before
    assert visit.starts_at.utcoffset() == dt.timedelta(0)


@pytest.mark.parametrize("name", ["", "Mars/Olympus", "../etc/passwd", "Europe/"])
def test_a_time_zone_must_be_an_iana_name(name: str) -> None:
    with pytest.raises(ValidationError):
        validate_timezone(name)


def test_naive_now_is_refused(cast: Cast) -> None:
    with pytest.raises(ValueError, match="aware"):
        actions.create_clinic(name="x", timezone="UTC", now=NOW.replace(tzinfo=None))
