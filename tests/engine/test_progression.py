"""Each progression rule and its boundaries: pain 5 vs 6, settled or not, two easy sessions
running or not, adherence at 50 %, flare-up at 7 and a rise of 2, the review, discharge."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest

from backcare.engine import progression
from backcare.engine.catalog import Aim, Catalog, Direction, Position, load_catalog
from backcare.engine.intake import (
    Bladder,
    History,
    Intake,
    Legs,
    OdiAnswers,
    Person,
    PsfsItem,
    Questionnaires,
    RedFlagScreen,
    RmdqAnswers,
    Weakness,
)
from backcare.engine.plan import AimWeights, Course, Dose, HomeItem, Plan
from backcare.engine.progression import (
    AlertKind,
    Baseline,
    CheckIn,
    CourseAction,
    DiaryEntry,
    Difficulty,
    ExerciseAction,
    ExerciseLog,
    Logs,
    Step,
    baseline_from_intake,
    check_in_intake,
    load_logs,
    logs_schema,
    logs_to_json,
    next_step,
    next_step_from_logs,
    parse_logs,
    progress_schema,
    render_progress,
    rules_markdown,
    step_to_json,
    week_of,
)
from backcare.engine.triage import Level, Triage
from backcare.engine.validation import InvalidDocument

ROOT = Path(__file__).resolve().parents[2]
START = dt.date(2026, 3, 2)
D = dt.timedelta


@pytest.fixture(scope="module")
def catalog(content_dir: Path) -> Catalog:
    return load_catalog(content_dir)


def item(exercise_id: str = "bird-dog", level: int = 1, *, days: int = 7, times: int = 1,
         aims: tuple[Aim, ...] = (Aim.STRENGTH,)) -> HomeItem:  # fmt: skip
    dose = Dose(2, 8, 0, 30, times, days, False)
    return HomeItem(exercise_id, exercise_id, aims, Direction.NEUTRAL, Position.HANDS_AND_KNEES,
                    level, dose, 5, ())  # fmt: skip


def plan(*items: HomeItem, reassess_on: dt.date | None = None, **course: object) -> Plan:
    return Plan(
        engine_version="0.1.0",
        content_version="test",
        intake_id="unit",
        created_on=START,
        start=START,
        aims=AimWeights(strength=1.0),
        home_programme=items or (item(),),
        course=Course(2, 6, (), reassess_on, **course),  # type: ignore[arg-type]
    )


def log(day: int, pain: int | None = 2, difficulty: Difficulty | None = Difficulty.EASY,
        settled: bool | None = True, *, exercise_id: str = "bird-dog", done: bool = True,
        spread: bool | None = False, level: int | None = None) -> ExerciseLog:  # fmt: skip
    return ExerciseLog(START + D(days=day), exercise_id, done, level, 2, 8, pain, difficulty,
                       settled, spread)  # fmt: skip


def step(*logs: ExerciseLog, p: Plan | None = None, today: int = 6, **kw: object) -> Step:
    return next_step(p or plan(), logs, kw.pop("check_ins", ()), today=START + D(days=today),  # type: ignore[arg-type]
                     **kw)  # type: ignore[arg-type]  # fmt: skip


def action(s: Step, exercise_id: str = "bird-dog") -> ExerciseAction:
    return s.for_exercise(exercise_id).action


# --- the pain-monitoring model ------------------------------------------------------------------


def test_two_easy_sessions_running_at_pain_5_settled_progress_the_exercise() -> None:
    s = step(log(4, pain=5), log(5, pain=5))
    d = s.for_exercise("bird-dog")
    assert d.action is ExerciseAction.PROGRESS
    assert d.rule_id == "ex.progress.easy"
    assert d.certainty == "uncertain"
    assert d.to_level is None and d.flag_clinician  # no catalog: the clinician chooses


def test_pain_6_in_the_last_session_holds_instead_of_progressing() -> None:
    s = step(log(3), log(4), log(5, pain=6))
    assert action(s) is ExerciseAction.HOLD
    assert s.for_exercise("bird-dog").rule_id == "ex.hold.pain"


def test_pain_not_settled_by_next_morning_holds() -> None:
    s = step(log(4), log(5, pain=3, settled=False))
    assert action(s) is ExerciseAction.HOLD


def test_settling_not_reported_is_not_taken_as_settled() -> None:
    assert action(step(log(4), log(5, settled=None))) is ExerciseAction.CONTINUE


def test_one_easy_session_is_not_enough_to_progress() -> None:
    assert action(step(log(4, difficulty=Difficulty.RIGHT), log(5))) is ExerciseAction.CONTINUE


def test_easy_sessions_must_run_one_after_the_other() -> None:
    logs = (log(3), log(4, difficulty=Difficulty.RIGHT), log(5))
    assert action(step(*logs)) is ExerciseAction.CONTINUE


def test_sessions_not_done_do_not_break_the_run() -> None:
    logs = (log(3), log(4, pain=None, difficulty=None, settled=None, done=False), log(5))
    assert action(step(*logs)) is ExerciseAction.PROGRESS


def test_sessions_at_an_earlier_level_do_not_count() -> None:
    p = plan(item(level=2))
    assert action(step(log(4, level=1), log(5, level=1), p=p)) is ExerciseAction.CONTINUE
    assert action(step(log(4, level=2), log(5), p=p)) is ExerciseAction.PROGRESS


def test_two_painful_sessions_running_regress_one_level() -> None:
    s = step(log(4, pain=6), log(5, pain=2, settled=False), p=plan(item(level=2)))
    d = s.for_exercise("bird-dog")
    assert (d.action, d.to_level, d.rule_id) == (ExerciseAction.REGRESS, 1, "ex.regress.pain")
    assert "level 1" in d.reason


def test_regressing_from_level_1_goes_down_the_ladder_to_the_top_of_the_easier_exercise(
    catalog: Catalog,
) -> None:
    d = step(log(4, pain=7), log(5, pain=7), catalog=catalog).for_exercise("bird-dog")
    assert d.to_exercise_id == "abdominal-bracing"
    assert d.to_level == 2  # abdominal bracing has two levels
    assert "Tummy bracing" in d.reason


def test_regressing_with_nowhere_to_go_is_left_to_the_clinician(catalog: Catalog) -> None:
    p = plan(item("side-plank-knees"))
    logs = (log(4, pain=7, exercise_id="side-plank-knees"),
            log(5, pain=8, exercise_id="side-plank-knees"))  # fmt: skip
    d = step(*logs, p=p, catalog=catalog).for_exercise("side-plank-knees")
    assert d.action is ExerciseAction.REGRESS
    assert d.to_exercise_id is None and d.to_level is None and d.flag_clinician
    assert step(*logs, p=p).for_exercise("side-plank-knees").flag_clinician  # no catalog


def test_progress_goes_to_the_next_level_then_along_the_ladder_then_stays_at_the_top(
    catalog: Catalog,
) -> None:
    easy = (log(4), log(5))
    d = step(*easy, catalog=catalog).for_exercise("bird-dog")
    assert (d.action, d.to_level) == (ExerciseAction.PROGRESS, 2)
    top = step(*easy, p=plan(item(level=3)), catalog=catalog).for_exercise("bird-dog")
    assert top.action is ExerciseAction.CONTINUE and "top level" in top.reason
    p = plan(item("side-plank-knees", level=2))
    along = [log(4, exercise_id="side-plank-knees"), log(5, exercise_id="side-plank-knees")]
    d = step(*along, p=p, catalog=catalog).for_exercise("side-plank-knees")
    assert (d.to_exercise_id, d.to_level) == ("side-plank", 1)


def test_an_exercise_missing_from_the_catalog_is_left_to_the_clinician(catalog: Catalog) -> None:
    p = plan(item("not-in-catalog"))
    logs = (log(4, exercise_id="not-in-catalog"), log(5, exercise_id="not-in-catalog"))
    assert step(*logs, p=p, catalog=catalog).for_exercise("not-in-catalog").flag_clinician


def test_symptoms_spreading_down_the_leg_stop_the_exercise_and_flag_it() -> None:
    s = step(log(2, spread=True), log(4), log(5), today=5)
    d = s.for_exercise("bird-dog")
    assert (d.action, d.rule_id, d.flag_clinician) == (ExerciseAction.STOP, "ex.stop.spread", True)
    assert s.alerts[0].kind is AlertKind.STOPPED_EXERCISE


def test_pain_rising_week_to_week_holds_progression() -> None:
    logs = (log(0, pain=1), log(1, pain=1), log(8, pain=2), log(9, pain=2))
    assert step(*logs, today=9).for_exercise("bird-dog").rule_id == "ex.hold.rising"
    steady = (log(0, pain=2), log(1, pain=2), log(8, pain=2), log(9, pain=2))
    assert action(step(*steady, today=9)) is ExerciseAction.PROGRESS


# --- flare-up -----------------------------------------------------------------------------------


NO_EXERCISES = replace(plan(), home_programme=())
BASE = Baseline(date=START - D(days=1), person=Person(age=40), nprs=6)


def diary(day: int, nprs: int) -> DiaryEntry:
    return DiaryEntry(START + D(days=day), nprs)


def test_pain_7_above_baseline_is_a_flare_up_that_holds_easy_exercises() -> None:
    s = step(log(4), log(5), diary=[diary(5, 7)], baseline=BASE)
    assert s.decision(CourseAction.FLARE_UP) is not None
    assert s.course[0].rule_id == "flare.high_pain"
    assert s.for_exercise("bird-dog").rule_id == "ex.hold.flare_up"


def test_pain_6_or_pain_no_higher_than_baseline_is_not_a_flare_up() -> None:
    assert not step(diary=[diary(5, 6)]).decision(CourseAction.FLARE_UP)
    assert step(diary=[diary(5, 7)]).decision(CourseAction.FLARE_UP)  # no baseline known
    high_start = replace(BASE, nprs=8)
    assert not step(diary=[diary(5, 8)], baseline=high_start).decision(CourseAction.FLARE_UP)


def test_a_weekly_rise_of_2_is_a_flare_up_and_of_1_point_5_is_not() -> None:
    rise = [diary(1, 2), diary(2, 2), diary(8, 4), diary(9, 4)]
    s = step(diary=rise, today=9, p=NO_EXERCISES)
    assert [d.rule_id for d in s.course] == ["flare.rise"]
    small = [diary(1, 2), diary(2, 3), diary(8, 4), diary(9, 4)]
    assert not step(diary=small, today=9).decision(CourseAction.FLARE_UP)


def test_week_1_rises_are_measured_from_the_baseline_rating() -> None:
    low_start = replace(BASE, nprs=2)
    assert step(diary=[diary(3, 4)], baseline=low_start).course[0].rule_id == "flare.rise"


# --- adherence ----------------------------------------------------------------------------------


def test_half_the_sessions_is_enough_and_one_fewer_is_a_nudge_and_a_flag() -> None:
    p = plan(item(times=2))  # 14 sessions a week
    half = [log(d % 7, pain=2) for d in range(7)]  # 7 of 14
    s = step(*half, p=p)
    assert s.adherence[0].percent == 50
    assert not s.decision(CourseAction.ADHERENCE)
    s = step(*half[:6], p=p)
    assert s.adherence[0].percent == 43
    decision = s.decision(CourseAction.ADHERENCE)
    assert decision is not None and decision.flag_clinician
    assert "43 %" in (decision.patient_message or "")


def test_sessions_beyond_the_prescription_do_not_count_and_weeks_must_be_complete() -> None:
    p = plan(item(days=3))
    s = step(*[log(d) for d in range(7)], p=p, today=12)
    assert [(w.week, w.done, w.prescribed, w.percent) for w in s.adherence] == [(1, 3, 3, 100)]
    assert step(p=plan(), today=5).adherence == ()
    assert step(p=replace(plan(), home_programme=())).adherence == ()


def test_adherence_is_counted_for_the_weeks_of_the_course_only() -> None:
    course_of_two_weeks = replace(plan(), course=Course(2, 2, (), None))
    s = step(*[log(d) for d in range(14)], p=course_of_two_weeks, today=60)
    assert [w.week for w in s.adherence] == [1, 2]
    assert not s.decision(CourseAction.ADHERENCE)
    home_only = replace(plan(), course=Course(0, 0, (), None))  # self-care: no clinic course
    assert len(step(*[log(d) for d in range(14)], p=home_only, today=27).adherence) == 4


# --- red flags ----------------------------------------------------------------------------------


NO_RED_FLAGS = RedFlagScreen(
    **{name: False for name in RedFlagScreen.__dataclass_fields__},  # type: ignore[arg-type]
)
NO_RED_FLAGS = replace(NO_RED_FLAGS, bladder=Bladder.NORMAL, leg_weakness=Weakness.NONE,
                       leg_numbness=Legs.NONE)  # fmt: skip


def check_in(day: int, **kw: object) -> CheckIn:
    return CheckIn(date=START + D(days=day), red_flag_screen=NO_RED_FLAGS, **kw)  # type: ignore[arg-type]


def test_a_new_red_flag_at_a_check_in_blocks_the_plan_and_stops_every_exercise() -> None:
    steroids = check_in(6, history=History(long_term_steroids=True))
    s = step(log(4), log(5), check_ins=[steroids], baseline=BASE)
    assert s.blocked and s.triage_level is Level.SOON
    assert s.course[0].rule_id == "course.red_flag.block"
    assert s.course[0].suggestions  # the flags' reasons
    assert action(s) is ExerciseAction.STOP
    assert not s.decision(CourseAction.ADHERENCE)  # no nudge to exercise while blocked


def test_unanswered_red_flag_questions_are_asked_again_not_taken_as_no() -> None:
    s = step(check_ins=[CheckIn(date=START + D(days=6))])
    ask = s.decision(CourseAction.ASK)
    assert ask is not None and ask.flag_clinician
    assert "red_flag_screen.saddle_numbness" in ask.suggestions
    assert not s.blocked


def test_a_routine_referral_at_a_check_in_is_flagged_but_the_plan_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    routine = Triage(level=Level.ROUTINE, flags=(), unanswered=(), advice="See your doctor.")
    monkeypatch.setattr(progression, "triage", lambda intake: routine)
    s = step(check_ins=[check_in(6)])
    refer = s.decision(CourseAction.REFER)
    assert refer is not None and "See your doctor." in refer.reason and not s.blocked


def test_the_check_in_intake_reads_the_baseline_person_and_the_latest_history() -> None:
    c = check_in(6, nprs=3)
    intake = check_in_intake(c, BASE)
    assert intake.person.age == 40 and intake.episode.pain_now == 3
    assert check_in_intake(c, None).person == Person()
    assert check_in_intake(c, None).history == History()


def test_a_blocked_plan_stays_blocked() -> None:
    blocked = replace(plan(), blocked=True, blocked_reason="See a doctor today.",
                      triage_level=Level.URGENT, home_programme=())  # fmt: skip
    s = step(p=blocked)
    assert s.blocked and s.blocked_reason == "See a doctor today."
    assert s.alerts[0].kind is AlertKind.RED_FLAG
    no_reason = step(p=replace(blocked, blocked_reason=None))
    assert no_reason.course[0].rule_id == "course.plan_blocked"


# --- review and discharge -----------------------------------------------------------------------


def odi(percent: int) -> OdiAnswers:
    total = percent // 2
    return OdiAnswers(answers=tuple(min(5, max(0, total - 5 * i)) for i in range(10)))


REVIEW = START + D(days=13)


def test_nothing_is_reviewed_before_the_reassessment_date() -> None:
    p = replace(NO_EXERCISES, course=plan(reassess_on=REVIEW).course)
    s = step(p=p, check_ins=[check_in(6, nprs=6)], baseline=BASE)
    assert [d.action for d in s.course] == [CourseAction.CONTINUE]
    assert not step(p=plan(), today=30, baseline=BASE).decision(CourseAction.REVIEW_INCOMPLETE)


def test_a_review_without_baseline_or_scores_says_it_cannot_compare() -> None:
    p = replace(NO_EXERCISES, course=plan(reassess_on=REVIEW).course)
    assert step(p=p, today=13).course[0].rule_id == "course.review.no_baseline"
    s = step(p=p, today=13, baseline=BASE, check_ins=[check_in(13)])
    assert s.course[-1].rule_id == "course.review.no_scores"
    assert s.alerts[-1].kind is AlertKind.REVIEW


def test_worse_at_review_is_flagged_with_the_red_flag_check() -> None:
    s = step(p=plan(reassess_on=REVIEW), today=13, baseline=BASE,
             check_ins=[check_in(13, nprs=8)])  # fmt: skip
    worse = s.decision(CourseAction.WORSE)
    assert worse is not None and "nprs 6 -> 8 (worse)" in worse.reason
    assert "physio" in worse.reason or "self_care" in worse.reason
    assert s.alerts[0].kind is AlertKind.WORSE
    no_check = step(p=plan(reassess_on=REVIEW), today=13, baseline=BASE,
                    diary=[diary(12, 9)])  # fmt: skip
    assert not no_check.decision(CourseAction.WORSE)


def test_no_change_with_high_start_back_risk_suggests_psychologically_informed_care() -> None:
    p = plan(reassess_on=REVIEW, psychologically_informed=True)
    s = step(p=p, today=13, baseline=BASE, check_ins=[check_in(13, nprs=5)])
    review = s.decision(CourseAction.RE_EVALUATE)
    assert review is not None
    assert review.suggestions[-1] == progression.HIGH_RISK_SUGGESTION


def good_weeks(weeks: int = 2) -> list[ExerciseLog]:
    return [log(d, difficulty=Difficulty.RIGHT) for d in range(7 * weeks)]


def test_discharge_needs_low_pain_better_function_and_an_independent_programme() -> None:
    base = replace(BASE, odi=odi(40))
    done = good_weeks()
    good = check_in(13, nprs=2, odi=odi(30))
    s = step(*done, today=13, baseline=base, check_ins=[good])
    assert s.decision(CourseAction.DISCHARGE) is not None
    assert {c.id: c.met for c in s.discharge_checks}["discharge.goals"] is None  # never asked
    assert s.discharge is not None and s.discharge.maintenance[0].dose.days_a_week == 3
    pain_3 = step(*done, today=13, baseline=base, check_ins=[replace(good, nprs=3)])
    assert not pain_3.decision(CourseAction.DISCHARGE)
    one_week = step(*done[:7], today=13, baseline=base, check_ins=[good])
    assert not one_week.decision(CourseAction.DISCHARGE)
    no_function = step(*done, today=13, baseline=BASE, check_ins=[good])
    assert {c.id: c.met for c in no_function.discharge_checks}["discharge.function"] is None
    assert not no_function.decision(CourseAction.DISCHARGE)


def test_rmdq_4_or_less_counts_as_function_regained() -> None:
    def rmdq(ticked: int) -> RmdqAnswers:
        return RmdqAnswers(answers=tuple(i < ticked for i in range(24)))

    base = replace(BASE, rmdq=rmdq(6))
    for ticked, met in ((4, True), (5, False)):
        s = step(*good_weeks(), today=13, baseline=base,
                 check_ins=[check_in(13, nprs=1, rmdq=rmdq(ticked))])  # fmt: skip
        assert {c.id: c.met for c in s.discharge_checks}["discharge.function"] is met


def test_psfs_goals_must_be_reached_once_asked() -> None:
    items = tuple(PsfsItem(a, 8) for a in ("walking", "sitting", "lifting"))
    base = replace(BASE, odi=odi(40), psfs=tuple(replace(i, score=3) for i in items))
    reached = check_in(13, nprs=1, odi=odi(10), psfs=items)
    assert step(*good_weeks(), today=13, baseline=base,
                check_ins=[reached]).decision(CourseAction.DISCHARGE)  # fmt: skip
    unrated = replace(reached, psfs=None)
    s = step(*good_weeks(), today=13, baseline=base, check_ins=[unrated])
    assert {c.id: c.met for c in s.discharge_checks}["discharge.goals"] is False


def test_a_maintenance_programme_keeps_everything_when_nothing_is_for_strength() -> None:
    p = plan(item(aims=(Aim.MOBILITY,)))
    base = replace(BASE, odi=odi(40))
    s = step(*good_weeks(), p=p, today=13, baseline=base,
             check_ins=[check_in(13, nprs=1, odi=odi(10))])  # fmt: skip
    assert s.discharge is not None and len(s.discharge.maintenance) == 1
    assert "Flare-ups" in s.discharge.flare_up_plan[0]


def test_an_odi_that_cannot_be_scored_is_left_out() -> None:
    blank = OdiAnswers(answers=(None,) * 10)
    s = step(today=13, baseline=replace(BASE, odi=blank), check_ins=[check_in(13, odi=blank)])
    assert s.changes == ()


# --- documents ----------------------------------------------------------------------------------


def example_logs() -> dict[str, object]:
    path = ROOT / "docs" / "examples" / "progress" / "progress-logs-week-3.json"
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_the_example_logs_parse_validate_and_round_trip() -> None:
    data = example_logs()
    jsonschema.validate(data, logs_schema())
    logs = parse_logs(data)
    assert logs.baseline is not None and logs.check_ins
    assert parse_logs(logs_to_json(logs)) == logs
    assert load_logs(json.dumps(data)) == logs


def test_bad_logs_list_every_problem_with_its_field() -> None:
    with pytest.raises(InvalidDocument) as err:
        parse_logs({"format": LOGS, "sessions": [{"date": "2026-13-01", "exercise_id": "x",
                    "done": True, "pain_during": 11, "difficulty": "tough"}]})  # fmt: skip
    paths = [p.path for p in err.value.problems]
    assert paths == ["sessions[0].date", "sessions[0].pain_during", "sessions[0].difficulty"]
    with pytest.raises(InvalidDocument, match="a JSON document"):
        load_logs("{not json")
    with pytest.raises(InvalidDocument):
        load_logs("")


LOGS = progression.LOGS_FORMAT


def test_the_progress_document_matches_its_schema(catalog: Catalog) -> None:
    logs = parse_logs(example_logs())
    p = plan(item("bird-dog"), item("prone-on-elbows"), reassess_on=START + D(days=20))
    s = next_step_from_logs(replace(p, start=dt.date(2026, 1, 5)), logs,
                            today=dt.date(2026, 1, 25), catalog=catalog)  # fmt: skip
    document = step_to_json(s)
    jsonschema.validate(document, progress_schema())
    assert document["format"] == "backcare-progress/1"


def test_a_baseline_comes_from_an_intake() -> None:
    intake = Intake(person=Person(age=50), questionnaires=Questionnaires(nprs=7))
    b = baseline_from_intake(intake, date=START)
    assert (b.date, b.person.age, b.nprs) == (START, 50, 7)


def test_weeks_count_from_the_plan_start() -> None:
    p = plan()
    assert [week_of(p, START + D(days=n)) for n in (-1, 0, 6, 7)] == [0, 1, 1, 2]


def test_the_report_puts_alerts_first_and_lists_each_decision(catalog: Catalog) -> None:
    p = plan(item("bird-dog", level=2), item("side-plank-knees", level=2),
             item("prone-on-elbows", level=2))  # fmt: skip
    logs = [log(d, exercise_id=e) for d in (4, 5) for e in ("bird-dog", "side-plank-knees")]
    logs += [log(d, pain=7, exercise_id="prone-on-elbows") for d in (4, 5)]
    s = step(*logs, p=p, today=5, catalog=catalog, check_ins=[CheckIn(date=START + D(days=5))])
    text = render_progress(s)
    assert text.index("Alerts") < text.index("Exercises") < text.index("Course")
    assert "-> level 3" in text and "-> side-plank level 1" in text and "-> level 1" in text
    assert "For the person:" in text
    assert "does not diagnose" in text
    blocked = render_progress(step(p=replace(p, blocked=True, blocked_reason="Go now.")))
    assert "PLAN BLOCKED" in blocked and "No alerts" not in blocked
    quiet = render_progress(step(p=NO_EXERCISES))
    assert "No alerts." in quiet and "Exercises" not in quiet


def test_the_report_shows_adherence_scores_and_the_discharge_plan() -> None:
    base = replace(BASE, odi=odi(40))
    s = step(*good_weeks(), today=13, baseline=base,
             check_ins=[check_in(13, nprs=1, odi=odi(10))])  # fmt: skip
    text = render_progress(s)
    assert "week 2 (2026-03-09 to 2026-03-15): 7 of 7 (100 %)" in text
    assert "nprs: 6 -> 1" in text
    assert "Maintenance programme" in text and "Discharge criteria" in text
    assert "flare-up-plan" in text


def test_the_rule_tables_render_every_rule() -> None:
    text = rules_markdown()
    for rule in progression.COURSE_RULES + progression.DISCHARGE_RULES:
        assert f"| {rule.id} |" in text
    for exercise_rule in progression.EXERCISE_RULES:
        assert f"| {exercise_rule.rule.id} |" in text
    assert "uncertain" in text and "synthesis" in text
    assert isinstance(Logs(), Logs)
