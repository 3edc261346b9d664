"""When a plan's home exercises fall in the week, and their doses in words: one rule shared by
Today, the calendar reminders and the printable handout."""

from __future__ import annotations

import datetime as dt

from backcare.care.content import dose_sentence
from backcare.engine.catalog import Level as DoseLevel
from backcare.engine.plan import HomeItem

# The plan gives how many days a week an exercise is done, not which days. We spread them evenly
# over the plan's week (day 0 is the weekday the plan started), so that exercises done 2 or 3
# days a week get rest days in between: resistance work 2-3 days a week (ACSM 2011, Garber et al.
# [src for aerobic, other items uncertain]; clinical-facts §4.5). Spreading them evenly is our
# synthesis [synthesis].
DAYS_IN_WEEK = 7


def training_days(days_a_week: int) -> frozenset[int]:
    """The days of the plan's week (0-6) an exercise done ``days_a_week`` days falls on, spread
    evenly: 7 -> every day, 3 -> 0, 2, 4; 2 -> 0, 3; 1 -> 0."""
    days = max(1, min(DAYS_IN_WEEK, days_a_week))
    return frozenset(i * DAYS_IN_WEEK // days for i in range(days))


def is_exercise_day(item: HomeItem, start: dt.date, day: dt.date) -> bool:
    """Whether ``day`` is one of the item's days; none before the plan starts."""
    if day < start:
        return False
    return (day - start).days % DAYS_IN_WEEK in training_days(item.dose.days_a_week)


def dose_words(item: HomeItem) -> str:
    """The plan item's dose in plain words, as the library words a level's dose."""
    dose = item.dose
    level = DoseLevel(
        level=item.level,
        sets=dose.sets,
        reps=dose.reps,
        hold_seconds=dose.hold_seconds,
        rest_seconds=dose.rest_seconds,
        times_a_day=dose.times_a_day,
        days_a_week=dose.days_a_week,
        minutes=item.minutes,
    )
    return dose_sentence(level, per_side=dose.per_side)
