"""The plan document (``backcare-plan/1``) as frozen dataclasses: what the planner returns, what
``backcare plan --json`` prints, and what ``backcare progress`` reads back.

The fields carry specs (validation.py), so one declaration gives the parser, its messages and
the JSON Schema, as for the intake. ``planning.py`` makes plans; ``progression.py`` reads them.
Every element says ``why``: the rule and the assessment facts that chose it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .catalog import Aim, Direction, Position
from .education import Recommendation
from .triage import Level
from .validation import (
    Bool,
    Choice,
    Const,
    Date,
    Int,
    ListOf,
    Num,
    Obj,
    Text,
    dump_document,
    parse_document,
    schema_for,
    spec,
)

PLAN_FORMAT = "backcare-plan/1"


def _req(s: Any, default: Any) -> Any:
    return field(default=default, metadata=spec(s, required=True))


def _opt(s: Any, default: Any = None) -> Any:
    return field(default=default, metadata=spec(s))


def _texts(max_items: int = 20) -> ListOf:
    return ListOf(Text(600), max_items=max_items)


@dataclass(frozen=True)
class Dose:
    """How much of one exercise, at its level (from the exercise's content)."""

    sets: int = _req(Int(1, 6), 1)
    reps: int = _req(Int(0, 30, "Per set; per side when per_side."), 0)
    hold_seconds: int = _req(Int(0, 600), 0)
    rest_seconds: int = _req(Int(0, 300), 0)
    times_a_day: int = _req(Int(1, 8), 1)
    days_a_week: int = _req(Int(1, 7), 7)
    per_side: bool = _req(Bool(), False)


@dataclass(frozen=True)
class HomeItem:
    """One exercise of the home programme."""

    exercise_id: str = _req(Text(60), "")
    name: str = _req(Text(80), "")
    aims: tuple[Aim, ...] = _req(ListOf(Choice(Aim), min_items=1, max_items=5, unique=True), ())
    direction: Direction = _req(
        Choice(Direction, "The exercise's directional bias."), Direction.NEUTRAL
    )
    position: Position = _req(Choice(Position), Position.STANDING)
    level: int = _req(Int(1, 9), 1)
    dose: Dose = field(default_factory=Dose, metadata=spec(Obj(Dose), required=True))
    minutes: int = _req(Int(1, 60, "Minutes one session of it takes."), 1)
    why: tuple[str, ...] = _req(_texts(), ())
    minutes_a_day: int | None = _opt(
        Int(1, 480, "Minutes a day: one session's minutes times the sessions a day.")
    )


@dataclass(frozen=True)
class AimWeights:
    """How much each of the five aims counts in this plan; the weights add up to 1."""

    pain_reduction: float = _req(Num(0, 1), 0.0)
    mobility: float = _req(Num(0, 1), 0.0)
    strength: float = _req(Num(0, 1), 0.0)
    posture: float = _req(Num(0, 1), 0.0)
    prevention: float = _req(Num(0, 1), 0.0)

    def of(self, aim: Aim) -> float:
        value: float = getattr(self, aim.value)
        return value


@dataclass(frozen=True)
class Course:
    """Clinic sessions: how often, how long, the dated visits and the reassessment point."""

    sessions_per_week: int = _req(Int(0, 7), 0)
    weeks: int = _req(Int(0, 26), 0)
    visits: tuple[dt.date, ...] = _req(ListOf(Date(), max_items=182), ())
    reassess_on: dt.date | None = _opt(Date("The review against baseline (week 2-3)."))
    psychologically_informed: bool = _req(Bool("High STarT Back risk (Hill 2011)."), False)
    why: tuple[str, ...] = _req(_texts(), ())


@dataclass(frozen=True)
class Evidence:
    """What each guideline says of a technique (content/techniques.toml)."""

    apta_2021: Recommendation = _req(Choice(Recommendation), Recommendation.NO_RECOMMENDATION)
    nice_ng59: Recommendation = _req(Choice(Recommendation), Recommendation.NO_RECOMMENDATION)
    acp_2017: Recommendation = _req(Choice(Recommendation), Recommendation.NO_RECOMMENDATION)


@dataclass(frozen=True)
class TechniqueItem:
    """A clinic technique for the visits, with its evidence status and cautions."""

    technique_id: str = _req(Text(60), "")
    name: str = _req(Text(100), "")
    when: str = _req(Text(200, "Which visits, in plain words."), "")
    clinician_option: bool = _req(
        Bool("Offered only as an option for the clinician to decide (TENS, ultrasound, traction)."),
        False,
    )
    evidence: Evidence = field(
        default_factory=Evidence, metadata=spec(Obj(Evidence), required=True)
    )
    cautions: tuple[str, ...] = _req(_texts(), ())
    why: tuple[str, ...] = _req(_texts(), ())


@dataclass(frozen=True)
class EducationItem:
    """An education topic and the week of the course it belongs to."""

    week: int = _req(Int(1, 26), 1)
    topic_id: str = _req(Text(80), "")
    title: str = _req(Text(120), "")
    why: str = _req(Text(600), "")


@dataclass(frozen=True)
class Excluded:
    """Something the plan left out, and why ("press-ups left out: symptoms spread with extension")."""

    id: str = _req(Text(80), "")
    reason: str = _req(Text(600), "")


@dataclass(frozen=True)
class Criterion:
    """A discharge criterion (clinical-facts §4.7, a synthesis)."""

    id: str = _req(Text(60), "")
    text: str = _req(Text(600), "")
    source: str = _req(Text(300), "")


@dataclass(frozen=True)
class Plan:
    """A personalised plan, backcare-plan/1. A blocked plan (triage emergency, urgent or soon)
    has no exercises or visits and says why and what to do instead."""

    format: str = _req(Const(PLAN_FORMAT), PLAN_FORMAT)
    engine_version: str = _req(Text(40), "")
    content_version: str = _req(Text(40), "")
    intake_id: str | None = _opt(Text(200))
    created_on: dt.date = _req(Date(), dt.date(2000, 1, 1))
    start: dt.date = _req(Date("The first day of the plan."), dt.date(2000, 1, 1))
    triage_level: Level = _req(Choice(Level), Level.PHYSIO)
    blocked: bool = _req(Bool(), False)
    blocked_reason: str | None = _opt(Text(2000))
    referral: str | None = _opt(Text(2000, "For a routine referral: shown at the top of the plan."))
    aims: AimWeights = field(
        default_factory=AimWeights, metadata=spec(Obj(AimWeights), required=True)
    )
    home_programme: tuple[HomeItem, ...] = _req(ListOf(Obj(HomeItem), max_items=20), ())
    minutes_per_day: int = _req(Int(0, 240), 0)
    course: Course = field(default_factory=Course, metadata=spec(Obj(Course), required=True))
    clinic_techniques: tuple[TechniqueItem, ...] = _req(
        ListOf(Obj(TechniqueItem), max_items=20), ()
    )
    education: tuple[EducationItem, ...] = _req(ListOf(Obj(EducationItem), max_items=40), ())
    excluded: tuple[Excluded, ...] = _req(ListOf(Obj(Excluded), max_items=200), ())
    discharge_criteria: tuple[Criterion, ...] = _req(ListOf(Obj(Criterion), max_items=20), ())
    why: tuple[str, ...] = _req(_texts(), ())
    minutes_budget: int | None = _opt(
        Int(0, 240, "The time a day the person has for home exercise; minutes_per_day fits it.")
    )
    conditions: tuple[str, ...] | None = _opt(
        ListOf(
            Text(60, "A tag of content/tags.toml or techniques.toml."),
            max_items=60,
            unique=True,
            description="The person's conditions the plan was checked against.",
        )
    )


def plan_to_json(plan: Plan) -> dict[str, Any]:
    """The backcare-plan/1 document."""
    document: dict[str, Any] = dump_document(plan)
    return document


def parse_plan(data: Any) -> Plan:
    """A Plan from a decoded backcare-plan/1 document, or InvalidDocument with every problem."""
    return parse_document(Plan, data)


def plan_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of backcare-plan/1."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:backcare:schema:plan:1",
        "title": "backcare plan",
        **schema_for(Plan),
    }
