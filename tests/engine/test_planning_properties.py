"""Properties of every plan, over generated intakes (any answers) and plausible ones (bench)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import random
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ortools.sat.python import cp_model
from strategies import documents

from backcare.engine.assessment import assess
from backcare.engine.catalog import Aim
from backcare.engine.intake import Intake, parse_intake
from backcare.engine.plan import Plan
from backcare.engine.planning import (
    EXAM_DIRECTIONS,
    Facts,
    PlanOptions,
    load_content,
    plan_for,
    starting_level,
)

ROOT = Path(__file__).resolve().parents[2]
CONTENT = load_content(ROOT / "content")
TODAY = dt.date(2026, 11, 27)

_spec = importlib.util.spec_from_file_location("bench_engine", ROOT / "bench" / "engine.py")
assert _spec is not None and _spec.loader is not None
bench_engine = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_engine)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def plausible() -> st.SearchStrategy[dict[str, Any]]:
    """Intakes like bench/engine.py's, with red flags common enough to block some plans."""
    return st.integers(0, 2**32 - 1).map(
        lambda seed: bench_engine.generate(random.Random(seed), rare=0.02)
    )


def intakes() -> st.SearchStrategy[Intake]:
    return st.one_of(documents(), plausible()).map(parse_intake)


def make(intake: Intake) -> Plan:
    assessment = assess(intake, today=TODAY, content_version=CONTENT.version)
    return plan_for(assessment, intake, CONTENT, today=TODAY)


@SETTINGS
@given(intakes())
def test_no_plan_has_a_contraindicated_or_peripheralising_exercise(intake: Intake) -> None:
    p = make(intake)
    spreads = EXAM_DIRECTIONS.get(intake.exam.peripheralises_with)  # type: ignore[arg-type]
    conditions = set(p.conditions or ())
    for item in p.home_programme:
        exercise = CONTENT.catalog.exercises[item.exercise_id]
        assert not set(exercise.contraindications) & conditions
        assert exercise.direction is not spreads
        assert not exercise.avoid_positions & set(intake.preferences.avoid_positions or ())
    if p.blocked:
        assert p.home_programme == () and p.course.visits == ()


@SETTINGS
@given(intakes())
def test_the_programme_fits_the_time_budget(intake: Intake) -> None:
    p = make(intake)
    budget = intake.preferences.minutes_per_day or PlanOptions().minutes_per_day
    assert sum(item.minutes_a_day or 0 for item in p.home_programme) == p.minutes_per_day
    assert p.minutes_per_day <= budget


@SETTINGS
@given(intakes())
def test_the_same_input_gives_the_same_plan(intake: Intake) -> None:
    assert make(intake) == make(intake)


def _coverable(p: Plan, intake: Intake, aims: list[Aim]) -> bool:
    """Whether some programme obeying the hard rules serves every aim in ``aims``."""
    left_out = {x.id for x in p.excluded}
    candidates = [ex for ex in CONTENT.catalog.exercises.values() if ex.id not in left_out]
    budget = intake.preferences.minutes_per_day or PlanOptions().minutes_per_day
    model = cp_model.CpModel()
    x = {ex.id: model.new_bool_var(ex.id) for ex in candidates}
    assessment = assess(intake, today=TODAY, content_version=CONTENT.version)
    facts = Facts.of(assessment, intake)
    level = starting_level(facts).level
    minutes = {}
    for ex in candidates:
        dose = ex.levels[min(level, len(ex.levels)) - 1]
        minutes[ex.id] = dose.minutes * dose.times_a_day
    model.add(sum(minutes[i] * v for i, v in x.items()) <= budget)
    model.add(sum(x.values()) <= PlanOptions().max_exercises)
    for ex in candidates:
        for other in ex.progresses_to:
            if other in x:
                model.add(x[ex.id] + x[other] <= 1)
    preferred = facts.preferred
    helps = [x[ex.id] for ex in candidates if ex.direction is preferred]
    if helps:
        model.add(sum(helps) >= 1)
    for aim in aims:
        model.add(sum(x[ex.id] for ex in candidates if aim in ex.aims) >= 1)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    return solver.solve(model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)


@SETTINGS
@given(plausible().map(parse_intake))
def test_every_aim_with_weight_is_covered_when_the_content_allows(intake: Intake) -> None:
    p = make(intake)
    if p.blocked:
        return
    weighted = [aim for aim in Aim if round(p.aims.of(aim) * 100) > 0]
    served = {aim for item in p.home_programme for aim in item.aims}
    missing = [aim for aim in weighted if aim not in served]
    if missing:
        assert not _coverable(p, intake, weighted)
