"""Six-week courses, simulated day by day, reach the expected decisions in the expected week.

A small simulator writes each day's home-exercise logs and pain-diary rating, a check-in at the
end of every week (ODI every two weeks), runs next_step at the end of the week and applies the
exercise decisions to the plan, as the clinic would. Plans are built straight from the plan
contract (plan.py), not through the planner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from backcare.engine.catalog import Aim, Catalog, Direction, Position, load_catalog
from backcare.engine.intake import (
    Bladder,
    History,
    Legs,
    OdiAnswers,
    Person,
    PsfsItem,
    RedFlagScreen,
    Weakness,
)
from backcare.engine.plan import AimWeights, Course, Dose, HomeItem, Plan
from backcare.engine.progression import (
    Baseline,
    CheckIn,
    CourseAction,
    DiaryEntry,
    Difficulty,
    ExerciseAction,
    ExerciseLog,
    Step,
    next_step,
)
from backcare.engine.triage import Level

START = dt.date(2026, 1, 5)  # a Monday
WEEKS = 6


@pytest.fixture(scope="module")
def catalog(content_dir: Path) -> Catalog:
    return load_catalog(content_dir)


def _item(exercise_id: str, name: str, aims: tuple[Aim, ...], direction: Direction,
          position: Position) -> HomeItem:  # fmt: skip
    dose = Dose(sets=2, reps=10, hold_seconds=0, rest_seconds=30, times_a_day=1, days_a_week=7)
    return HomeItem(exercise_id, name, aims, direction, position, 1, dose, 5, ("test plan",))


def make_plan() -> Plan:
    items = (
        _item("prone-on-elbows", "Lying face down on your elbows",
              (Aim.PAIN_REDUCTION, Aim.MOBILITY), Direction.EXTENSION, Position.FACE_DOWN),
        _item("bird-dog", "Bird dog", (Aim.STRENGTH, Aim.PREVENTION), Direction.NEUTRAL,
              Position.HANDS_AND_KNEES),
        _item("side-plank-knees", "Side plank on your knees", (Aim.STRENGTH,), Direction.LATERAL,
              Position.SIDE),
    )  # fmt: skip
    return Plan(
        engine_version="0.1.0",
        content_version="test",
        intake_id="simulated",
        created_on=START,
        start=START,
        triage_level=Level.PHYSIO,
        aims=AimWeights(0.3, 0.2, 0.3, 0.0, 0.2),
        home_programme=items,
        minutes_per_day=15,
        course=Course(
            sessions_per_week=2,
            weeks=WEEKS,
            visits=(),
            reassess_on=START + dt.timedelta(days=20),  # the last day of week 3
        ),
    )


NO_RED_FLAGS = RedFlagScreen(
    saddle_numbness=False,
    bladder=Bladder.NORMAL,
    bowel_incontinence=False,
    new_sexual_dysfunction=False,
    leg_weakness=Weakness.NONE,
    leg_numbness=Legs.NONE,
    walking_difficulty_new=False,
    fever_or_chills=False,
    unexplained_weight_loss=False,
    systemically_unwell=False,
    abdominal_pulsation=False,
    thoracic_pain=False,
    pain_unchanged_by_position_or_movement=False,
)
NO_HISTORY = History(**{name: False for name in History.__dataclass_fields__})  # type: ignore[arg-type]


def odi(percent: int) -> OdiAnswers:
    """Ten answered sections adding up to percent / 2."""
    total = percent // 2
    answers = [min(5, max(0, total - 5 * i)) for i in range(10)]
    return OdiAnswers(answers=tuple(answers))


def psfs(score: int) -> tuple[PsfsItem, ...]:
    return tuple(PsfsItem(activity, score) for activity in ("sitting", "lifting", "gardening"))


BASELINE = Baseline(
    date=START - dt.timedelta(days=1),
    person=Person(age=42),
    history=NO_HISTORY,
    nprs=6,
    psfs=psfs(3),
    odi=odi(40),
)


@dataclass(frozen=True)
class Day:
    """What the simulated person reports for one day."""

    done: bool = True
    pain_during: int = 2
    difficulty: Difficulty = Difficulty.EASY
    settled: bool = True
    spread: bool = False


@dataclass(frozen=True)
class Patient:
    day: Callable[[int], Day]  # day of the course (0-41) -> the sessions that day
    nprs: Callable[[int], int]  # week (1-6) -> pain rating that week
    odi: Callable[[int], int]  # week -> ODI percent (asked in weeks 2, 4, 6)
    psfs: Callable[[int], int]  # week -> each PSFS activity rating
    red_flags: Callable[[int], RedFlagScreen] = lambda week: NO_RED_FLAGS


def simulate(patient: Patient, catalog: Catalog) -> list[Step]:
    """The Step at the end of each week, the plan updated from each week's decisions."""
    plan = make_plan()
    sessions: list[ExerciseLog] = []
    diary: list[DiaryEntry] = []
    check_ins: list[CheckIn] = []
    steps = []
    for week in range(1, WEEKS + 1):
        for d in range(7 * (week - 1), 7 * week):
            date = START + dt.timedelta(days=d)
            today = patient.day(d)
            for item in plan.home_programme:
                sessions.append(
                    ExerciseLog(date, item.exercise_id, today.done, item.level, 2, 10,
                                today.pain_during if today.done else None,
                                today.difficulty if today.done else None,
                                today.settled if today.done else None,
                                today.spread if today.done else None)
                )  # fmt: skip
            diary.append(DiaryEntry(date, patient.nprs(week)))
        end = START + dt.timedelta(days=7 * week - 1)
        check_ins.append(
            CheckIn(
                date=end,
                nprs=patient.nprs(week),
                psfs=psfs(patient.psfs(week)),
                odi=odi(patient.odi(week)) if week % 2 == 0 else None,
                red_flag_screen=patient.red_flags(week),
            )
        )
        step = next_step(plan, sessions, check_ins, today=end, baseline=BASELINE, diary=diary,
                         catalog=catalog)  # fmt: skip
        steps.append(step)
        plan = _apply(plan, step)
    return steps


def _apply(plan: Plan, step: Step) -> Plan:
    items = []
    for item in plan.home_programme:
        decision = step.for_exercise(item.exercise_id)
        if decision.action in (ExerciseAction.PROGRESS, ExerciseAction.REGRESS):
            if decision.to_exercise_id is not None:
                item = replace(item, exercise_id=decision.to_exercise_id,
                               name=decision.to_exercise_id)  # fmt: skip
            if decision.to_level is not None:
                item = replace(item, level=decision.to_level)
        items.append(item)
    return replace(plan, home_programme=tuple(items))


def actions(step: Step) -> set[CourseAction]:
    return {d.action for d in step.course}


def weeks_with(steps: list[Step], action: CourseAction) -> list[int]:
    return [s.week for s in steps if action in actions(s)]


def test_an_improving_patient_progresses_improves_at_review_and_is_discharged_by_week_5(
    catalog: Catalog,
) -> None:
    patient = Patient(
        day=lambda d: Day(),
        nprs=lambda w: {1: 5, 2: 4, 3: 3, 4: 3, 5: 2, 6: 1}[w],
        odi=lambda w: {2: 30, 4: 20, 6: 12}.get(w, 0),
        psfs=lambda w: {1: 4, 2: 5, 3: 6, 4: 7, 5: 8, 6: 9}[w],
    )
    steps = simulate(patient, catalog)
    first, second = steps[0], steps[1]
    assert first.for_exercise("bird-dog").action is ExerciseAction.PROGRESS
    assert first.for_exercise("bird-dog").to_level == 2
    assert second.for_exercise("bird-dog").to_level == 3
    # side plank on knees has two levels, then moves along its ladder to the side plank
    assert second.for_exercise("side-plank-knees").to_exercise_id == "side-plank"
    assert weeks_with(steps, CourseAction.IMPROVING) == [3, 4, 5, 6]
    assert weeks_with(steps, CourseAction.DISCHARGE) == [5, 6]
    assert weeks_with(steps, CourseAction.RE_EVALUATE) == []
    assert not any(s.alerts for s in steps)
    discharge = steps[4].discharge
    assert discharge is not None
    kept = {i.exercise_id for i in discharge.maintenance}
    assert "prone-on-elbows" not in kept  # pain relief only: not in the maintenance programme
    assert kept and all(i.dose.days_a_week <= 3 and i.dose.times_a_day == 1
                        for i in discharge.maintenance)  # fmt: skip
    assert discharge.education_topic == "flare-up-plan"


def test_a_plateau_is_flagged_for_re_evaluation_at_the_week_3_review(catalog: Catalog) -> None:
    patient = Patient(
        day=lambda d: Day(difficulty=Difficulty.RIGHT, pain_during=4),
        nprs=lambda w: 6,
        odi=lambda w: 38,
        psfs=lambda w: 3,
    )
    steps = simulate(patient, catalog)
    assert weeks_with(steps, CourseAction.RE_EVALUATE)[0] == 3
    review = steps[2].decision(CourseAction.RE_EVALUATE)
    assert review is not None and review.flag_clinician
    assert any("adherence" in s for s in review.suggestions)
    assert any("directional preference" in s for s in review.suggestions)
    assert any("STarT Back" in s for s in review.suggestions)
    assert any("referral" in s for s in review.suggestions)
    assert [s.week for s in steps if s.decision(CourseAction.CONTINUE)] == [1, 2]
    assert weeks_with(steps, CourseAction.DISCHARGE) == []
    assert all(e.action is ExerciseAction.CONTINUE for s in steps for e in s.exercises)


def test_a_flare_up_in_week_3_holds_progress_and_regresses_painful_exercises(
    catalog: Catalog,
) -> None:
    def day(d: int) -> Day:
        if 16 <= d < 21:  # from Wednesday of week 3
            return Day(pain_during=7, difficulty=Difficulty.HARD, settled=False)
        return Day(difficulty=Difficulty.RIGHT, pain_during=3)

    patient = Patient(
        day=day,
        nprs=lambda w: 8 if w == 3 else 5,
        odi=lambda w: 36,
        psfs=lambda w: 4,
    )
    steps = simulate(patient, catalog)
    assert weeks_with(steps, CourseAction.FLARE_UP)[0] == 3
    week3 = steps[2]
    # pain 8 against 6 at baseline is also worse by the MCID at the week-3 review
    assert [a.kind for a in week3.alerts][:2] == ["worse", "flare_up"]
    regressed = week3.for_exercise("prone-on-elbows")
    assert regressed.action is ExerciseAction.REGRESS
    assert regressed.to_exercise_id == "prone-lying"  # level 1: down its ladder
    assert week3.for_exercise("bird-dog").to_exercise_id == "abdominal-bracing"
    assert week3.for_exercise("side-plank-knees").flag_clinician  # nowhere easier to go
    flare = week3.decision(CourseAction.FLARE_UP)
    assert flare is not None and "flare-ups are common" in (flare.patient_message or "").lower()
    assert all(not s.decision(CourseAction.FLARE_UP) for s in steps[:2])


def test_saddle_numbness_at_the_week_4_check_in_blocks_the_plan_that_week(
    catalog: Catalog,
) -> None:
    patient = Patient(
        day=lambda d: Day(difficulty=Difficulty.RIGHT),
        nprs=lambda w: 4,
        odi=lambda w: 30,
        psfs=lambda w: 5,
        red_flags=lambda w: replace(NO_RED_FLAGS, saddle_numbness=True) if w == 4 else NO_RED_FLAGS,
    )
    steps = simulate(patient, catalog)
    assert [s.week for s in steps if s.blocked] == [4, 5, 6]  # blocked until a new plan
    week4 = steps[3]
    assert week4.triage_level is Level.EMERGENCY
    assert week4.alerts[0].kind == "red_flag"
    assert "emergency" in (week4.blocked_reason or "").lower()
    assert all(e.action is ExerciseAction.STOP for e in week4.exercises)
    assert all(s.triage_level is not Level.EMERGENCY for s in steps[:3])


def test_a_patient_not_doing_the_exercises_gets_a_nudge_and_a_flag_in_week_1(
    catalog: Catalog,
) -> None:
    patient = Patient(
        day=lambda d: Day(done=d % 7 in (0, 3), difficulty=Difficulty.RIGHT),
        nprs=lambda w: 6,
        odi=lambda w: 40,
        psfs=lambda w: 3,
    )
    steps = simulate(patient, catalog)
    assert weeks_with(steps, CourseAction.ADHERENCE)[0] == 1
    decision = steps[0].decision(CourseAction.ADHERENCE)
    assert decision is not None and decision.flag_clinician
    assert "29 %" in (decision.patient_message or "")
    assert steps[0].adherence[0].percent == 29  # 6 of 21 sessions
    assert steps[0].alerts[0].kind == "adherence"
