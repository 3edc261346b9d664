"""The one rule for which days of the week a home exercise falls on (Today, the calendar
reminders and the handout all use it)."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from backcare.care.schedule import training_days


@pytest.mark.parametrize(
    ("days_a_week", "days"),
    [
        (7, {0, 1, 2, 3, 4, 5, 6}),
        (3, {0, 2, 4}),  # rest days between sessions of resistance work (ACSM 2011)
        (2, {0, 3}),
        (1, {0}),
        (0, {0}),  # a plan never asks for none: at least the first day
        (9, {0, 1, 2, 3, 4, 5, 6}),
    ],
)
def test_sessions_are_spread_evenly_over_the_plans_week(days_a_week: int, days: set[int]) -> None:
    assert training_days(days_a_week) == days


def test_three_days_a_week_never_fall_on_two_days_running() -> None:
    start = dt.date(2026, 11, 23)
    on = [start + dt.timedelta(days=d) for d in range(21) if d % 7 in training_days(3)]
    assert all((b - a).days >= 2 for a, b in itertools.pairwise(on))
