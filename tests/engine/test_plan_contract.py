"""The plan document round-trips: what the planner writes, progression reads back unchanged."""

from __future__ import annotations

import datetime as dt
import json

import jsonschema
import pytest

from backcare.engine.catalog import Aim, Direction, Position
from backcare.engine.plan import (
    AimWeights,
    Course,
    Dose,
    HomeItem,
    Plan,
    parse_plan,
    plan_schema,
    plan_to_json,
)
from backcare.engine.validation import InvalidDocument


def a_plan() -> Plan:
    return Plan(
        engine_version="0.1.0",
        content_version="2026.11.0",
        created_on=dt.date(2026, 11, 27),
        start=dt.date(2026, 11, 30),
        aims=AimWeights(
            pain_reduction=0.4, mobility=0.2, strength=0.2, posture=0.05, prevention=0.15
        ),
        home_programme=(
            HomeItem(
                exercise_id="bridge",
                name="Bridge",
                aims=(Aim.STRENGTH,),
                direction=Direction.NEUTRAL,
                position=Position.ON_BACK,
                level=1,
                dose=Dose(sets=2, reps=10),
                minutes=4,
                why=("Strength for a back that keeps coming back.",),
            ),
        ),
        minutes_per_day=4,
        course=Course(
            sessions_per_week=2,
            weeks=6,
            visits=(dt.date(2026, 11, 30), dt.date(2026, 12, 2)),
            reassess_on=dt.date(2026, 12, 14),
        ),
    )


def test_a_plan_survives_json_and_back() -> None:
    plan = a_plan()
    document = json.loads(json.dumps(plan_to_json(plan)))
    assert document["home_programme"][0]["dose"]["reps"] == 10
    assert document["course"]["visits"] == ["2026-11-30", "2026-12-02"]
    assert parse_plan(document) == plan


def test_the_plan_schema_accepts_what_the_planner_writes() -> None:
    schema = plan_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(plan_to_json(a_plan()), schema)


def test_aim_weights_are_read_by_aim() -> None:
    assert a_plan().aims.of(Aim.PAIN_REDUCTION) == 0.4


def test_a_broken_plan_names_the_field() -> None:
    document = plan_to_json(a_plan())
    document["home_programme"][0]["level"] = 0
    with pytest.raises(InvalidDocument) as caught:
        parse_plan(document)
    assert [p.path for p in caught.value.problems] == ["home_programme[0].level"]
