"""Progression: from a plan and the person's logs and check-ins to the next step.

``next_step(plan, sessions, check_ins, *, today, baseline=None, diary=(), catalog=None)`` reads
a ``backcare-plan/1`` plan and what happened since it started, and returns a :class:`Step`:
one decision per home exercise (progress, continue, hold, regress, stop) and the decisions for
the course (red flags, worse, flare-up, adherence, review against baseline, discharge). Every
decision carries its rule id, a reason in plain words and its source.

The logs come in one document, ``backcare-logs/1`` (:class:`Logs`): the baseline to compare
against, the home-exercise sessions, an optional pain diary and the check-ins. The result is
``backcare-progress/1``. Both are declared with the spec machinery (validation.py), so the
parser, its messages and the JSON Schemas come from the same fields (docs/progression.md).

Rules are data: the module-level tables below are what the code reads, and ``rules_markdown()``
renders them for clinicians. The pain-monitoring model comes from tendinopathy and knee-pain
studies and is recalled rather than read (clinical-facts §5.1 [uncertain]); applying it to back
pain, and most other thresholds here, are our synthesis (clinical-facts §4.6, §4.7, §5.2).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from . import ENGINE_VERSION
from .catalog import Aim, Catalog
from .evidence import Certainty
from .i18n import _
from .intake import (
    Episode,
    History,
    Intake,
    OdiAnswers,
    Person,
    PsfsItem,
    RedFlagScreen,
    RmdqAnswers,
)
from .plan import HomeItem, Plan
from .scoring import (
    Change,
    Instrument,
    Status,
    Verdict,
    compare,
    score_odi,
    score_psfs,
    score_rmdq,
)
from .triage import SAFETY_NET, Level, triage
from .validation import (
    Bool,
    Choice,
    Const,
    Date,
    Int,
    InvalidDocument,
    ListOf,
    Num,
    Obj,
    Problem,
    Text,
    dump_document,
    parse_document,
    schema_for,
    spec,
)

LOGS_FORMAT = "backcare-logs/1"
PROGRESS_FORMAT = "backcare-progress/1"
_DAY0 = dt.date(2000, 1, 1)


def _req(s: Any) -> dict[str, Any]:
    return spec(s, required=True)


# --- the logs document (backcare-logs/1) ------------------------------------------------------


class Difficulty(StrEnum):
    """How hard the session felt to the person."""

    EASY = "easy"
    RIGHT = "right"
    HARD = "hard"


@dataclass(frozen=True)
class ExerciseLog:
    """One home session of one exercise, as the person logged it. Null is not known."""

    date: dt.date = field(default=_DAY0, metadata=_req(Date()))
    exercise_id: str = field(default="", metadata=_req(Text(60, "The plan's exercise_id.")))
    done: bool = field(default=False, metadata=_req(Bool("The session was done.")))
    level: int | None = field(
        default=None, metadata=spec(Int(1, 9, "The level done; the plan's level when absent."))
    )
    sets: int | None = field(default=None, metadata=spec(Int(0, 20, "Sets done.")))
    reps: int | None = field(default=None, metadata=spec(Int(0, 100, "Repetitions per set done.")))
    pain_during: int | None = field(
        default=None, metadata=spec(Int(0, 10, "Worst pain during the exercise, 0 to 10."))
    )
    difficulty: Difficulty | None = field(default=None, metadata=spec(Choice(Difficulty)))
    pain_settled_next_morning: bool | None = field(
        default=None, metadata=spec(Bool("Any pain from it had settled by the next morning."))
    )
    symptoms_spread_down_leg: bool | None = field(
        default=None,
        metadata=spec(Bool("Pain, numbness or pins and needles spread down the leg.")),
    )


@dataclass(frozen=True)
class DiaryEntry:
    """A pain-diary rating on a day between check-ins."""

    date: dt.date = field(default=_DAY0, metadata=_req(Date()))
    nprs: int = field(default=0, metadata=_req(Int(0, 10, "Back pain now, 0 to 10.")))
    note: str | None = field(default=None, metadata=spec(Text(600)))


@dataclass(frozen=True)
class CheckIn:
    """A check-in (weekly): pain, PSFS, ODI or RMDQ (every two weeks) and the red-flag
    questions again. Every red-flag question left null is unanswered, never no."""

    date: dt.date = field(default=_DAY0, metadata=_req(Date()))
    nprs: int | None = field(default=None, metadata=spec(Int(0, 10, "Back pain now, 0 to 10.")))
    psfs: tuple[PsfsItem, ...] | None = field(
        default=None,
        metadata=spec(
            ListOf(
                Obj(PsfsItem),
                min_items=1,
                max_items=5,
                description="The same activities as at baseline, rated again.",
            )
        ),
    )
    odi: OdiAnswers | None = field(default=None, metadata=spec(Obj(OdiAnswers)))
    rmdq: RmdqAnswers | None = field(default=None, metadata=spec(Obj(RmdqAnswers)))
    red_flag_screen: RedFlagScreen = field(
        default_factory=RedFlagScreen, metadata=spec(Obj(RedFlagScreen))
    )
    history: History | None = field(
        default=None,
        metadata=spec(Obj(History), nullable=True),
    )


@dataclass(frozen=True)
class Baseline:
    """What progression compares against: the scores at the start of care, and the person and
    history from the intake, which the red-flag rules read again at every check-in."""

    date: dt.date = field(default=_DAY0, metadata=_req(Date("The day of the baseline scores.")))
    person: Person = field(default_factory=Person, metadata=spec(Obj(Person)))
    history: History = field(default_factory=History, metadata=spec(Obj(History)))
    nprs: int | None = field(default=None, metadata=spec(Int(0, 10)))
    psfs: tuple[PsfsItem, ...] | None = field(
        default=None, metadata=spec(ListOf(Obj(PsfsItem), min_items=1, max_items=5))
    )
    odi: OdiAnswers | None = field(default=None, metadata=spec(Obj(OdiAnswers)))
    rmdq: RmdqAnswers | None = field(default=None, metadata=spec(Obj(RmdqAnswers)))


@dataclass(frozen=True)
class Logs:
    """Home-exercise logs, pain diary and check-ins for one plan, backcare-logs/1."""

    format: str = field(default=LOGS_FORMAT, metadata=_req(Const(LOGS_FORMAT)))
    plan_intake_id: str | None = field(
        default=None, metadata=spec(Text(200, "The plan's intake_id, to catch a mix-up."))
    )
    baseline: Baseline | None = field(default=None, metadata=spec(Obj(Baseline)))
    sessions: tuple[ExerciseLog, ...] = field(
        default=(), metadata=spec(ListOf(Obj(ExerciseLog), max_items=20000))
    )
    diary: tuple[DiaryEntry, ...] = field(
        default=(), metadata=spec(ListOf(Obj(DiaryEntry), max_items=2000))
    )
    check_ins: tuple[CheckIn, ...] = field(
        default=(), metadata=spec(ListOf(Obj(CheckIn), max_items=200))
    )


def baseline_from_intake(intake: Intake, *, date: dt.date) -> Baseline:
    """The baseline of an intake: its person, history and questionnaire answers."""
    q = intake.questionnaires
    return Baseline(
        date=intake.assessed_on or date,
        person=intake.person,
        history=intake.history,
        nprs=q.nprs,
        psfs=q.psfs,
        odi=q.odi,
        rmdq=q.rmdq,
    )


def parse_logs(data: Any) -> Logs:
    """Logs from a decoded backcare-logs/1 document, or InvalidDocument with every problem."""
    return parse_document(Logs, data)


def load_logs(text: str) -> Logs:
    """Decode JSON text and parse it; bad JSON is reported like any other problem."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as err:
        first = text.strip().splitlines()[0][:40] if text.strip() else ""
        raise InvalidDocument([Problem("", first, f"allowed: a JSON document ({err})")]) from None
    return parse_logs(data)


def logs_to_json(logs: Logs) -> dict[str, Any]:
    document: dict[str, Any] = dump_document(logs)
    return document


def logs_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of backcare-logs/1."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:backcare:schema:logs:1",
        "title": "backcare logs and check-ins",
        **schema_for(Logs),
    }


# --- the result (backcare-progress/1) ---------------------------------------------------------


class ExerciseAction(StrEnum):
    PROGRESS = "progress"  # one step up its levels, or along its ladder
    CONTINUE = "continue"  # keep going as it is
    HOLD = "hold"  # do not progress; ease off next session if it hurt
    REGRESS = "regress"  # one step down
    STOP = "stop"  # stop it until the clinician has seen the person


class CourseAction(StrEnum):
    BLOCK = "block"  # a red flag: no exercise plan; see a doctor (the advice says how soon)
    REFER = "refer"  # a routine medical referral; physical therapy may go on
    ASK = "ask_red_flags"  # red-flag questions left unanswered at the latest check-in
    WORSE = "worse"  # worse than baseline at review: flag, and the red flags checked again
    FLARE_UP = "flare_up"  # hold progressions; follow the flare-up plan
    ADHERENCE = "adherence"  # under half the home sessions done last week
    RE_EVALUATE = "re_evaluate"  # no important change at the review
    REVIEW_INCOMPLETE = "review_incomplete"  # review due, but nothing to compare
    IMPROVING = "improving"  # better than baseline at review: continue and progress
    DISCHARGE = "discharge"  # discharge criteria met
    CONTINUE = "continue"  # nothing to change


class AlertKind(StrEnum):
    """What the clinician must look at, most pressing first (the report's order)."""

    RED_FLAG = "red_flag"
    WORSE = "worse"
    FLARE_UP = "flare_up"
    ADHERENCE = "adherence"
    STOPPED_EXERCISE = "stopped_exercise"
    RE_EVALUATE = "re_evaluate"
    REVIEW = "review"


_ALERT_ORDER = {kind: i for i, kind in enumerate(AlertKind)}


@dataclass(frozen=True)
class ExerciseDecision:
    """What to do next with one home exercise."""

    exercise_id: str = field(default="", metadata=_req(Text(60)))
    name: str = field(default="", metadata=_req(Text(80)))
    level: int = field(default=1, metadata=_req(Int(1, 9, "The level in the plan now.")))
    action: ExerciseAction = field(
        default=ExerciseAction.CONTINUE, metadata=_req(Choice(ExerciseAction))
    )
    to_exercise_id: str | None = field(
        default=None, metadata=spec(Text(60, "Progress or regress to this exercise."))
    )
    to_level: int | None = field(default=None, metadata=spec(Int(1, 9, "The level to go to.")))
    rule_id: str = field(default="", metadata=_req(Text(60)))
    reason: str = field(default="", metadata=_req(Text(600, "In plain words, for the person.")))
    source: str = field(default="", metadata=_req(Text(400)))
    certainty: Certainty = field(default=Certainty.SYNTHESIS, metadata=_req(Choice(Certainty)))
    flag_clinician: bool = field(default=False, metadata=_req(Bool()))
    sessions_counted: int = field(
        default=0, metadata=_req(Int(0, 20000, "Sessions of it logged at this level."))
    )


@dataclass(frozen=True)
class CourseDecision:
    """A decision for the course of care."""

    action: CourseAction = field(default=CourseAction.CONTINUE, metadata=_req(Choice(CourseAction)))
    rule_id: str = field(default="", metadata=_req(Text(60)))
    reason: str = field(default="", metadata=_req(Text(3000, "In plain words.")))
    source: str = field(default="", metadata=_req(Text(400)))
    certainty: Certainty = field(default=Certainty.SYNTHESIS, metadata=_req(Choice(Certainty)))
    flag_clinician: bool = field(default=False, metadata=_req(Bool()))
    patient_message: str | None = field(
        default=None, metadata=spec(Text(3000, "A message for the person (a nudge, advice)."))
    )
    suggestions: tuple[str, ...] = field(
        default=(), metadata=_req(ListOf(Text(600), max_items=20, description="For the clinician."))
    )


@dataclass(frozen=True)
class Alert:
    """Something a clinician must look at."""

    kind: AlertKind = field(default=AlertKind.REVIEW, metadata=_req(Choice(AlertKind)))
    rule_id: str = field(default="", metadata=_req(Text(60)))
    text: str = field(default="", metadata=_req(Text(3000)))


@dataclass(frozen=True)
class WeekAdherence:
    """The share of prescribed home sessions done in one complete week of the plan."""

    week: int = field(default=1, metadata=_req(Int(1, 60, "Week 1 starts on the plan's start.")))
    start: dt.date = field(default=_DAY0, metadata=_req(Date()))
    end: dt.date = field(default=_DAY0, metadata=_req(Date()))
    prescribed: int = field(default=0, metadata=_req(Int(0, 2000)))
    done: int = field(default=0, metadata=_req(Int(0, 2000, "Done, at most the prescribed.")))
    percent: int = field(default=0, metadata=_req(Int(0, 100)))


@dataclass(frozen=True)
class ScoreChange:
    """One instrument compared with baseline (scoring.compare)."""

    instrument: Instrument = field(default=Instrument.NPRS, metadata=_req(Choice(Instrument)))
    baseline: float = field(default=0.0, metadata=_req(Num(0, 100)))
    follow_up: float = field(default=0.0, metadata=_req(Num(0, 100)))
    follow_up_on: dt.date = field(default=_DAY0, metadata=_req(Date()))
    difference: float = field(default=0.0, metadata=_req(Num(-100, 100)))
    verdict: Verdict = field(default=Verdict.NO_IMPORTANT_CHANGE, metadata=_req(Choice(Verdict)))


@dataclass(frozen=True)
class CriterionCheck:
    """One discharge criterion and whether it is met (null: not known yet)."""

    id: str = field(default="", metadata=_req(Text(60)))
    met: bool | None = field(default=None, metadata=spec(Bool()))
    text: str = field(default="", metadata=_req(Text(600)))


@dataclass(frozen=True)
class Discharge:
    """The discharge plan: a maintenance programme and the flare-up plan."""

    maintenance: tuple[HomeItem, ...] = field(
        default=(), metadata=_req(ListOf(Obj(HomeItem), max_items=20))
    )
    flare_up_plan: tuple[str, ...] = field(
        default=(), metadata=_req(ListOf(Text(600), max_items=20))
    )
    education_topic: str = field(default="flare-up-plan", metadata=_req(Text(80)))


@dataclass(frozen=True)
class Step:
    """The next step for one plan on one day, backcare-progress/1. Alerts come first."""

    format: str = field(default=PROGRESS_FORMAT, metadata=_req(Const(PROGRESS_FORMAT)))
    engine_version: str = field(default=ENGINE_VERSION, metadata=_req(Text(40)))
    today: dt.date = field(default=_DAY0, metadata=_req(Date()))
    week: int = field(default=0, metadata=_req(Int(0, 60, "Week of the plan; 0 before it.")))
    intake_id: str | None = field(default=None, metadata=spec(Text(200)))
    blocked: bool = field(default=False, metadata=_req(Bool()))
    blocked_reason: str | None = field(default=None, metadata=spec(Text(3000)))
    triage_level: Level | None = field(
        default=None, metadata=spec(Choice(Level, "The most urgent check-in triage so far."))
    )
    alerts: tuple[Alert, ...] = field(default=(), metadata=_req(ListOf(Obj(Alert), max_items=40)))
    exercises: tuple[ExerciseDecision, ...] = field(
        default=(), metadata=_req(ListOf(Obj(ExerciseDecision), max_items=20))
    )
    course: tuple[CourseDecision, ...] = field(
        default=(), metadata=_req(ListOf(Obj(CourseDecision), max_items=20))
    )
    adherence: tuple[WeekAdherence, ...] = field(
        default=(), metadata=_req(ListOf(Obj(WeekAdherence), max_items=60))
    )
    changes: tuple[ScoreChange, ...] = field(
        default=(), metadata=_req(ListOf(Obj(ScoreChange), max_items=4))
    )
    discharge_checks: tuple[CriterionCheck, ...] = field(
        default=(), metadata=_req(ListOf(Obj(CriterionCheck), max_items=10))
    )
    discharge: Discharge | None = field(default=None, metadata=spec(Obj(Discharge)))

    def decision(self, action: CourseAction) -> CourseDecision | None:
        """The course decision with this action, if any."""
        return next((d for d in self.course if d.action is action), None)

    def for_exercise(self, exercise_id: str) -> ExerciseDecision:
        return next(d for d in self.exercises if d.exercise_id == exercise_id)


def step_to_json(step: Step) -> dict[str, Any]:
    """The backcare-progress/1 document."""
    document: dict[str, Any] = dump_document(step)
    return document


def progress_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of backcare-progress/1."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:backcare:schema:progress:1",
        "title": "backcare progress (next step)",
        **schema_for(Step),
    }


# --- thresholds (each with its source) --------------------------------------------------------

_PMM = (
    "Silbernagel 2007 Am J Sports Med 35:897; Thomeé 1997 [uncertain: wording recalled]; "
    "used for back pain by extrapolation [synthesis]; clinical-facts §5.1"
)
_STOP_RULES = "clinical-facts §5.2 [synthesis, from MDT and guideline sources]"
_LADDER_SRC = "catalog levels and progresses_to / regresses_to (content/exercises) [synthesis]"
_TRIAGE = "triage.py red-flag rules, run again at every check-in (clinical-facts §2.3 [synthesis])"
_REVIEW = (
    "clinical-facts §4.6 [synthesis]; clinically important change per scoring.compare "
    "(Ostelo 2008 [src]; clinical-facts §1.8)"
)
_FLARE = (
    "clinical-facts §5.2 (weekly NPRS up 2 or more: hold, review) [synthesis]; NPRS MCID 2 "
    "points (Childs 2005 [src]; §1.1); 7 or more: our synthesis"
)
_ADHERENCE = "clinical-facts §5.2 (missed 50 % or more of home sessions in a week) [synthesis]"
_DISCHARGE = "clinical-facts §4.7 [synthesis]"
_MAINTENANCE = (
    "ACSM 2011 (Garber et al.) resistance 2-3 days a week [src for aerobic, other items "
    "uncertain]; clinical-facts §4.5, §4.7 [synthesis]"
)

PAIN_ACCEPTABLE_MAX = 5  # pain during exercise up to 5/10: clinical-facts §5.1 [uncertain]
PAIN_HIGH_MIN = 6  # above 5/10 is "high risk": clinical-facts §5.1 [uncertain]; §5.2 [synthesis]
EASY_SESSIONS_TO_PROGRESS = 2  # two sessions running: clinical-facts §5.2 [synthesis]
PAINFUL_SESSIONS_TO_REGRESS = 2  # hold after one, regress after two running [synthesis]
EXERCISE_PAIN_RISE = 1.0  # "no rise week to week" (§5.1 [uncertain]); 1 point: [synthesis]
FLARE_PAIN = 7  # pain 7 or more (above baseline): [synthesis]
FLARE_RISE = 2.0  # weekly mean NPRS up 2 or more: clinical-facts §5.2 [synthesis]; MCID §1.1
ADHERENCE_MIN_PERCENT = 50  # under 50 % of sessions in a week: clinical-facts §5.2 [synthesis]
INDEPENDENT_PERCENT = 80  # "independent, adherent": 80 % in the last 2 weeks [synthesis] §4.7
INDEPENDENT_WEEKS = 2
DISCHARGE_NPRS_MAX = 2  # NPRS 2 or less: clinical-facts §4.7 [synthesis]
DISCHARGE_ODI_MAX = 20.0  # ODI minimal-disability band (Fairbank [sec]); §4.7 [synthesis]
DISCHARGE_RMDQ_MAX = 4  # RMDQ 4 or less (Stratford & Riddle 2016 [sec]); §4.7 [synthesis]
DISCHARGE_PSFS_MIN = 8.0  # mean within the PSFS MDC (2, Stratford 1995 [sec]) of 10 [synthesis]
MAINTENANCE_DAYS = 3  # 2-3 days a week: ACSM 2011 resistance [src]; §4.5 [synthesis]
MAINTENANCE_AIMS = frozenset({Aim.STRENGTH, Aim.PREVENTION})  # [synthesis]
BLOCKING_LEVELS = frozenset({Level.EMERGENCY, Level.URGENT, Level.SOON})  # as planning (issue 4)


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of a clinician-facing table: ``reason`` is the person's plain-words text."""

    id: str
    condition: str
    outcome: str
    reason: str
    source: str
    certainty: Certainty


# --- per-exercise facts and the pain-monitoring table -----------------------------------------


@dataclass(frozen=True, slots=True)
class _Facts:
    """What the logs say about one exercise at its current level."""

    blocked: bool
    spread: bool
    painful_running: int
    easy_running: int
    rising: bool
    flare_up: bool
    counted: int


@dataclass(frozen=True, slots=True)
class ExerciseRule:
    rule: Rule
    action: ExerciseAction
    applies: Callable[[_Facts], bool]
    flag_clinician: bool = False


_U = Certainty.UNCERTAIN
_S = Certainty.SYNTHESIS

# First that matches, top down.
EXERCISE_RULES: tuple[ExerciseRule, ...] = (
    ExerciseRule(
        Rule("ex.stop.blocked", "the plan is blocked by a red flag", "stop",
             _("Stop your exercises for now and follow the advice about seeing a doctor."),
             _TRIAGE, _S),
        ExerciseAction.STOP, lambda f: f.blocked),
    ExerciseRule(
        Rule("ex.stop.spread", "symptoms spread down the leg in any session of it", "stop; flag",
             _("Stop this exercise: your symptoms spread down your leg. Your therapist will "
               "check it with you."),
             _STOP_RULES, _S),
        ExerciseAction.STOP, lambda f: f.spread, flag_clinician=True),
    ExerciseRule(
        Rule("ex.regress.pain",
             f"the last {PAINFUL_SESSIONS_TO_REGRESS} sessions running hurt: pain during "
             f">= {PAIN_HIGH_MIN}/10 or not settled by the next morning",
             "regress one step",
             _("Go one step easier: this exercise hurt too much in your last sessions."),
             _PMM + "; " + _STOP_RULES, _U),
        ExerciseAction.REGRESS, lambda f: f.painful_running >= PAINFUL_SESSIONS_TO_REGRESS),
    ExerciseRule(
        Rule("ex.hold.pain",
             f"the last session hurt: pain during >= {PAIN_HIGH_MIN}/10 or not settled by the "
             "next morning",
             "hold; reduce reps, range or hold time next session",
             _("Stay at this level and do a little less next time: it hurt more than it "
               "should."),
             _PMM + "; " + _STOP_RULES, _U),
        ExerciseAction.HOLD, lambda f: f.painful_running >= 1),
    ExerciseRule(
        Rule("ex.hold.flare_up", "a flare-up (course rule flare.*)", "hold progression",
             _("Stay at this level while your flare-up settles."),
             _FLARE, _S),
        ExerciseAction.HOLD, lambda f: f.flare_up),
    ExerciseRule(
        Rule("ex.hold.rising",
             f"mean pain during it rose by >= {EXERCISE_PAIN_RISE:g} point this week against "
             "last week",
             "hold progression",
             _("Stay at this level: it has been hurting a bit more than last week."),
             _PMM, _U),
        ExerciseAction.HOLD, lambda f: f.rising),
    ExerciseRule(
        Rule("ex.progress.easy",
             f"the last {EASY_SESSIONS_TO_PROGRESS} sessions running: easy, pain during "
             f"<= {PAIN_ACCEPTABLE_MAX}/10, settled by the next morning, no spread",
             "progress one step (see the ladder table)",
             _("Well done: this has been easy for you, so you can take the next step."),
             _PMM + "; " + _STOP_RULES, _U),
        ExerciseAction.PROGRESS, lambda f: f.easy_running >= EASY_SESSIONS_TO_PROGRESS),
    ExerciseRule(
        Rule("ex.continue", "none of the above", "continue at this level",
             _("Keep going at this level."),
             _PMM, _U),
        ExerciseAction.CONTINUE, lambda f: True),
)  # fmt: skip

# How a progression or regression moves: a separate table because it reads the catalog.
LADDER_RULES: tuple[Rule, ...] = (
    Rule("ladder.next_level", "progress; the exercise has a higher level", "to the next level",
         _("Move up to level {level}."), _LADDER_SRC, _S),
    Rule("ladder.next_exercise", "progress at its top level; it progresses_to another",
         "to the first progresses_to exercise, level 1",
         _("Move on to {name}, level 1."), _LADDER_SRC, _S),
    Rule("ladder.top", "progress at its top level; nothing to progress to",
         "continue (the top of its ladder)",
         _("You are at the top level of this exercise: keep it up."), _LADDER_SRC, _S),
    Rule("ladder.previous_level", "regress above level 1", "to the level below",
         _("Go back to level {level}."), _LADDER_SRC, _S),
    Rule("ladder.previous_exercise", "regress at level 1; it regresses_to another",
         "to the first regresses_to exercise at its top level",
         _("Switch to {name}, level {level}, for now."), _LADDER_SRC, _S),
    Rule("ladder.clinician", "no catalog, or nowhere to go on its ladder",
         "no target; flag for the clinician",
         _("Your therapist will choose the next step with you."), _LADDER_SRC, _S),
)  # fmt: skip
_LADDER = {rule.id: rule for rule in LADDER_RULES}


def _painful(s: ExerciseLog) -> bool:
    high = s.pain_during is not None and s.pain_during >= PAIN_HIGH_MIN  # §5.1 [uncertain]
    return high or s.pain_settled_next_morning is False


def _easy(s: ExerciseLog) -> bool:
    return (
        s.difficulty is Difficulty.EASY
        and s.pain_during is not None
        and s.pain_during <= PAIN_ACCEPTABLE_MAX  # §5.1 [uncertain]
        and s.pain_settled_next_morning is True  # unknown is not settled
        and s.symptoms_spread_down_leg is not True
    )


def _running(sessions: Sequence[ExerciseLog], test: Callable[[ExerciseLog], bool]) -> int:
    count = 0
    for s in reversed(sessions):
        if not test(s):
            break
        count += 1
    return count


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def _rose(this: Sequence[float], last: Sequence[float], by: float) -> bool:
    now, before = _mean(this), _mean(last)
    return now is not None and before is not None and now - before >= by


def _exercise_facts(
    item: HomeItem,
    sessions: Sequence[ExerciseLog],
    today: dt.date,
    *,
    blocked: bool,
    flare_up: bool,
) -> _Facts:
    mine = [s for s in sessions if s.exercise_id == item.exercise_id]
    at_level = [s for s in mine if s.done and s.level in (None, item.level)]
    week_ago, fortnight_ago = today - dt.timedelta(days=7), today - dt.timedelta(days=14)
    this_week = [float(s.pain_during) for s in at_level if s.pain_during is not None
                 and s.date > week_ago]  # fmt: skip
    last_week = [float(s.pain_during) for s in at_level if s.pain_during is not None
                 and fortnight_ago < s.date <= week_ago]  # fmt: skip
    return _Facts(
        blocked=blocked,
        spread=any(s.symptoms_spread_down_leg is True for s in mine),
        painful_running=_running(at_level, _painful),
        easy_running=_running(at_level, _easy),
        rising=_rose(this_week, last_week, EXERCISE_PAIN_RISE),
        flare_up=flare_up,
        counted=len(at_level),
    )


def _decide_exercise(item: HomeItem, facts: _Facts, catalog: Catalog | None) -> ExerciseDecision:
    chosen = next(r for r in EXERCISE_RULES if r.applies(facts))
    rule, action, flag = chosen.rule, chosen.action, chosen.flag_clinician
    reason, to_id, to_level = rule.reason, None, None
    if action is ExerciseAction.PROGRESS or action is ExerciseAction.REGRESS:
        step, to_id, to_level = _ladder(item, catalog, up=action is ExerciseAction.PROGRESS)
        if step.id == "ladder.top":
            action = ExerciseAction.CONTINUE
        flag = step.id == "ladder.clinician"
        name = catalog.exercises[to_id].name if catalog and to_id else ""
        reason = f"{reason} {step.reason.format(level=to_level, name=name)}"
    return ExerciseDecision(
        exercise_id=item.exercise_id,
        name=item.name,
        level=item.level,
        action=action,
        to_exercise_id=to_id,
        to_level=to_level,
        rule_id=rule.id,
        reason=reason,
        source=rule.source,
        certainty=rule.certainty,
        flag_clinician=flag,
        sessions_counted=facts.counted,
    )


def _ladder(
    item: HomeItem, catalog: Catalog | None, *, up: bool
) -> tuple[Rule, str | None, int | None]:
    """The ladder rule that applies, and the exercise and level to go to."""
    if not up and item.level > 1:
        return _LADDER["ladder.previous_level"], None, item.level - 1
    exercise = catalog.exercises.get(item.exercise_id) if catalog else None
    if catalog is None or exercise is None:
        return _LADDER["ladder.clinician"], None, None
    if up:
        top = max(level.level for level in exercise.levels)
        if item.level < top:
            return _LADDER["ladder.next_level"], None, item.level + 1
        nxt = [e for e in exercise.progresses_to if e in catalog.exercises]
        if nxt:
            return _LADDER["ladder.next_exercise"], nxt[0], 1
        return _LADDER["ladder.top"], None, None
    prev = [e for e in exercise.regresses_to if e in catalog.exercises]
    if prev:
        top = max(level.level for level in catalog.exercises[prev[0]].levels)
        return _LADDER["ladder.previous_exercise"], prev[0], top
    return _LADDER["ladder.clinician"], None, None


# --- course rules -----------------------------------------------------------------------------

COURSE_RULES: tuple[Rule, ...] = (
    Rule("course.plan_blocked", "the plan itself is blocked (triage at assessment)", "block",
         _("There is no exercise plan for now. Please follow the advice about seeing a "
           "doctor."), _TRIAGE, _S),
    Rule("course.red_flag.block",
         "a check-in since the plan started triages emergency, urgent or soon", "block; flag",
         _("Your answers at the check-in on {date} need a doctor's attention. Stop your "
           "exercises for now. {advice}"), _TRIAGE, _S),
    Rule("course.red_flag.refer", "a check-in triages routine (a non-urgent referral)",
         "refer; flag; the plan goes on",
         _("Your answers at the check-in on {date} mean you should see your doctor, but it "
           "is not urgent. You can keep doing your exercises. {advice}"), _TRIAGE, _S),
    Rule("course.red_flag.unanswered",
         "the latest check-in left cauda-equina questions unanswered (unknown is not no)",
         "ask; flag",
         _("Some safety questions were not answered at your last check-in."), _TRIAGE, _S),
    Rule("course.review.worse",
         "at or after the reassessment date, any instrument worse than baseline by its MCID",
         "flag; red flags checked again",
         _("Your scores are worse than when you started. Your therapist will look at this "
           "with you soon."), _REVIEW, _S),
    Rule("flare.high_pain",
         f"an NPRS rating of {FLARE_PAIN} or more in the last 7 days, above the baseline rating",
         "flare-up: hold progressions; the flare-up plan", _("You seem to be having a "
         "flare-up: your pain has gone up a lot. This is common and it settles."), _FLARE, _S),
    Rule("flare.rise",
         f"the mean NPRS of the last 7 days is {FLARE_RISE:g} or more above the 7 days before "
         "(or the baseline rating in week 1)",
         "flare-up: hold progressions; the flare-up plan", _("You seem to be having a "
         "flare-up: your pain has gone up a lot. This is common and it settles."), _FLARE, _S),
    Rule("adherence.low",
         f"under {ADHERENCE_MIN_PERCENT} % of prescribed home sessions done in the last "
         "complete week",
         "nudge the person; flag; consider a simpler programme",
         _("Last week you did {percent} % of your home exercises."), _ADHERENCE, _S),
    Rule("course.review.no_change",
         "at or after the reassessment date, no instrument changed by its MCID (none worse)",
         "re-evaluate; flag with suggestions",
         _("Your scores have not changed much since you started. Your therapist will look "
           "again at your plan with you."), _REVIEW, _S),
    Rule("course.review.no_baseline", "at or after the reassessment date, no baseline",
         "flag: nothing to compare", _("We could not compare your progress with the start."),
         _REVIEW, _S),
    Rule("course.review.no_scores",
         "at or after the reassessment date, no check-in score to compare with baseline",
         "flag: ask for a check-in", _("Please fill in your check-in so we can see how you "
         "are doing."), _REVIEW, _S),
    Rule("course.review.improved",
         "at or after the reassessment date, an instrument improved by its MCID and none worse",
         "continue and progress", _("You are getting better. Keep going with your plan."),
         _REVIEW, _S),
    Rule("discharge.met", "every discharge criterion met (next table)",
         "discharge with a maintenance programme and the flare-up plan",
         _("You have reached your goals. You can move on to a short maintenance programme "
           "and your flare-up plan."), _DISCHARGE, _S),
    Rule("course.continue", "none of the above", "continue",
         _("Keep going with your plan."), _REVIEW, _S),
)  # fmt: skip
_COURSE = {rule.id: rule for rule in COURSE_RULES}

DISCHARGE_RULES: tuple[Rule, ...] = (
    Rule("discharge.pain", f"latest NPRS <= {DISCHARGE_NPRS_MAX}", "required",
         _("Pain is low: 2 out of 10 or less."), _DISCHARGE + "; Kamper 2010 [src]", _S),
    Rule("discharge.function",
         f"latest ODI <= {DISCHARGE_ODI_MAX:g} % or RMDQ <= {DISCHARGE_RMDQ_MAX}, or either "
         "improved from baseline by its MCID", "required",
         _("Everyday activities are much easier."),
         _DISCHARGE + "; Fairbank [sec]; Stratford & Riddle 2016 [sec]; Ostelo 2008 [src]", _S),
    Rule("discharge.goals",
         f"latest PSFS mean >= {DISCHARGE_PSFS_MIN:g} (not applicable when PSFS was never asked)",
         "required when asked", _("The activities you chose are nearly back to normal."),
         _DISCHARGE + "; PSFS MDC 2 (Stratford 1995 [sec])", _S),
    Rule("discharge.independent",
         f">= {INDEPENDENT_PERCENT} % of home sessions done in each of the last "
         f"{INDEPENDENT_WEEKS} complete weeks", "required",
         _("You do your home exercises on your own."), _DISCHARGE, _S),
    Rule("discharge.settled", "no flare-up, no stopped exercise, no red flag, plan not blocked",
         "required", _("Nothing needs your therapist's attention first."), _DISCHARGE, _S),
    Rule("discharge.maintenance",
         "on discharge: the plan's strength and prevention exercises (all when none), once a "
         f"day on at most {MAINTENANCE_DAYS} days a week", "the maintenance programme",
         _("Keep these exercises up a few days a week."), _MAINTENANCE, _S),
)  # fmt: skip
_DISCHARGE_RULE = {rule.id: rule for rule in DISCHARGE_RULES}

RE_EVALUATION_SUGGESTIONS: tuple[str, ...] = (
    _("Check adherence: how many home sessions were done, and what got in the way."),
    _("Screen the red flags again and re-examine the directional preference (repeated "
      "movements)."),
    _("Consider psychosocial factors: run STarT Back and FABQ again; high risk suggests "
      "psychologically informed care."),
    _("Re-classify the subgroup and change the plan if another fits better."),
    _("Consider medical or specialist referral, or a combined physical and psychological "
      "programme, if there is still no change at week 4 to 6."),
)  # clinical-facts §4.6 [synthesis]; Hill 2011 [src] for STarT Back matched care  # fmt: skip

FLARE_UP_PLAN: tuple[str, ...] = (
    _("Stay calm. Flare-ups are common and they settle, most within days to a few weeks."),
    _("Keep moving gently: take short, easy walks often."),
    _("Cut back your exercises, but do not stop: do fewer and easier ones."),
    _("Use the positions and movements that ease your pain."),
    _("Heat or cold for 15 to 20 minutes at a time can help."),
    _("As it settles, build back up to your usual exercises over a few days."),
    _(
        "Call your therapist or doctor if it is not better after one to two weeks, or if pain, "
        "numbness or pins and needles spread down your leg."
    ),
)  # our words; education topic "flare-up-plan"

ADHERENCE_NUDGE = _(
    "Last week you did {percent} % of your home exercises. Even a few minutes a day helps your "
    "back. Try doing them at the same time each day, like after brushing your teeth. If they "
    "are too hard or take too long, tell your therapist: they can make them simpler."
)


# --- next_step --------------------------------------------------------------------------------


def week_of(plan: Plan, day: dt.date) -> int:
    """Week number of ``day`` in the plan: week 1 starts on plan.start; 0 before it."""
    days = (day - plan.start).days
    return days // 7 + 1 if days >= 0 else 0


def next_step(
    plan: Plan,
    sessions: Sequence[ExerciseLog],
    check_ins: Sequence[CheckIn],
    *,
    today: dt.date,
    baseline: Baseline | None = None,
    diary: Sequence[DiaryEntry] = (),
    catalog: Catalog | None = None,
) -> Step:
    """The next step for ``plan`` on ``today`` from the logs and check-ins up to today.

    Only entries dated from plan.start to today count. Every check-in is triaged again with
    the red-flag rules, and a blocking level (emergency, urgent, soon) at any of them blocks the
    plan until a clinician makes a new one. ``baseline`` gives the scores to compare against at
    the reassessment point and the person and history the red-flag rules read; without it the
    review says it cannot compare. ``catalog`` lets progressions follow the exercises' levels
    and ladders; without it anything beyond "one level down" is left to the clinician.
    """

    def in_plan(day: dt.date) -> bool:
        return plan.start <= day <= today

    sessions = sorted((s for s in sessions if in_plan(s.date)), key=lambda s: s.date)
    check_ins = sorted((c for c in check_ins if in_plan(c.date)), key=lambda c: c.date)
    diary = [e for e in diary if in_plan(e.date)]
    base = Step(today=today, week=week_of(plan, today), intake_id=plan.intake_id)
    if plan.blocked:
        rule = _COURSE["course.plan_blocked"]
        reason = plan.blocked_reason or rule.reason
        decision = _course(rule, reason=reason, flag=True)
        return replace(base, blocked=True, blocked_reason=reason, triage_level=plan.triage_level,
                       course=(decision,), alerts=_alerts((decision,), ()))  # fmt: skip

    course: list[CourseDecision] = []
    triage_level, blocked_reason = _red_flags(check_ins, baseline, course)
    blocked = blocked_reason is not None
    flare = not blocked and _flare_up(check_ins, diary, baseline, today, course)
    adherence = _adherence(plan, sessions, today)
    if not blocked and adherence and adherence[-1].percent < ADHERENCE_MIN_PERCENT:
        rule = _COURSE["adherence.low"]
        percent = adherence[-1].percent
        course.append(_course(rule, reason=rule.reason.format(percent=percent), flag=True,
                              message=ADHERENCE_NUDGE.format(percent=percent)))  # fmt: skip
    exercises = tuple(
        _decide_exercise(
            item, _exercise_facts(item, sessions, today, blocked=blocked, flare_up=flare), catalog
        )
        for item in plan.home_programme
    )
    changes = _changes(baseline, check_ins) if baseline is not None else ()
    if not blocked:
        _review(plan, baseline, changes, today, triage_level, course)
    stopped = any(e.action is ExerciseAction.STOP for e in exercises)
    psfs_asked = (baseline is not None and baseline.psfs is not None) or any(
        c.psfs is not None for c in check_ins
    )
    checks = _discharge_checks(changes, adherence, psfs_asked=psfs_asked,
                               settled=not (blocked or flare or stopped))  # fmt: skip
    discharge = None
    if _discharge_met(checks):
        course.append(_course(_COURSE["discharge.met"]))
        discharge = discharge_plan(plan)
    if not course:
        course.append(_course(_COURSE["course.continue"]))
    ordered = tuple(sorted(course, key=lambda d: _COURSE_ORDER[d.rule_id]))
    return replace(
        base,
        blocked=blocked,
        blocked_reason=blocked_reason,
        triage_level=triage_level,
        alerts=_alerts(ordered, exercises),
        exercises=exercises,
        course=ordered,
        adherence=adherence,
        changes=tuple(changes),
        discharge_checks=checks,
        discharge=discharge,
    )


def next_step_from_logs(
    plan: Plan, logs: Logs, *, today: dt.date, catalog: Catalog | None = None
) -> Step:
    """next_step with everything taken from one backcare-logs/1 document."""
    return next_step(plan, logs.sessions, logs.check_ins, today=today, baseline=logs.baseline,
                     diary=logs.diary, catalog=catalog)  # fmt: skip


_ACTIONS = {
    "course.plan_blocked": CourseAction.BLOCK,
    "course.red_flag.block": CourseAction.BLOCK,
    "course.red_flag.refer": CourseAction.REFER,
    "course.red_flag.unanswered": CourseAction.ASK,
    "course.review.worse": CourseAction.WORSE,
    "flare.high_pain": CourseAction.FLARE_UP,
    "flare.rise": CourseAction.FLARE_UP,
    "adherence.low": CourseAction.ADHERENCE,
    "course.review.no_change": CourseAction.RE_EVALUATE,
    "course.review.no_baseline": CourseAction.REVIEW_INCOMPLETE,
    "course.review.no_scores": CourseAction.REVIEW_INCOMPLETE,
    "course.review.improved": CourseAction.IMPROVING,
    "discharge.met": CourseAction.DISCHARGE,
    "course.continue": CourseAction.CONTINUE,
}
_COURSE_ORDER = {rule.id: i for i, rule in enumerate(COURSE_RULES)}


def _course(
    rule: Rule,
    *,
    reason: str | None = None,
    flag: bool = False,
    message: str | None = None,
    suggestions: tuple[str, ...] = (),
) -> CourseDecision:
    return CourseDecision(
        action=_ACTIONS[rule.id],
        rule_id=rule.id,
        reason=rule.reason if reason is None else reason,
        source=rule.source,
        certainty=rule.certainty,
        flag_clinician=flag,
        patient_message=message,
        suggestions=suggestions,
    )


def check_in_intake(check_in: CheckIn, baseline: Baseline | None) -> Intake:
    """The intake the red-flag rules read at a check-in: the baseline person and history (or
    the check-in's updated history) with the check-in's red-flag answers and pain."""
    person = baseline.person if baseline is not None else Person()
    history = check_in.history or (baseline.history if baseline is not None else History())
    return Intake(
        assessed_on=check_in.date,
        person=person,
        episode=Episode(pain_now=check_in.nprs),
        red_flag_screen=check_in.red_flag_screen,
        history=history,
    )


def _red_flags(
    check_ins: Sequence[CheckIn], baseline: Baseline | None, course: list[CourseDecision]
) -> tuple[Level | None, str | None]:
    """Triage every check-in; the most urgent decides. Returns (level, blocked reason)."""
    results = [(c, triage(check_in_intake(c, baseline))) for c in check_ins]
    if not results:
        return None, None
    worst_check, worst = min(results, key=lambda r: r[1].level.rank)
    date = worst_check.date.isoformat()
    flags = tuple(f.reason for f in worst.flags)
    blocked_reason = None
    if worst.level in BLOCKING_LEVELS:
        rule = _COURSE["course.red_flag.block"]
        blocked_reason = rule.reason.format(date=date, advice=worst.advice)
        course.append(_course(rule, reason=blocked_reason, flag=True, suggestions=flags))
    elif worst.level is Level.ROUTINE:
        rule = _COURSE["course.red_flag.refer"]
        reason = rule.reason.format(date=date, advice=worst.advice)
        course.append(_course(rule, reason=reason, flag=True, suggestions=flags))
    latest = results[-1][1]
    if latest.incomplete is not None:
        rule = _COURSE["course.red_flag.unanswered"]
        course.append(_course(rule, reason=f"{rule.reason} {latest.incomplete}", flag=True,
                              message=latest.incomplete, suggestions=latest.unanswered))  # fmt: skip
    return worst.level, blocked_reason


def _flare_up(
    check_ins: Sequence[CheckIn],
    diary: Sequence[DiaryEntry],
    baseline: Baseline | None,
    today: dt.date,
    course: list[CourseDecision],
) -> bool:
    ratings = [(c.date, c.nprs) for c in check_ins if c.nprs is not None]
    ratings += [(e.date, e.nprs) for e in diary]
    week_ago, fortnight_ago = today - dt.timedelta(days=7), today - dt.timedelta(days=14)
    this_week = [float(n) for d, n in ratings if d > week_ago]
    last_week = [float(n) for d, n in ratings if fortnight_ago < d <= week_ago]
    start = baseline.nprs if baseline is not None else None
    if not last_week and start is not None:
        last_week = [float(start)]
    worst = max(this_week, default=None)
    if worst is not None and worst >= FLARE_PAIN and (start is None or worst > start):
        rule = _COURSE["flare.high_pain"]
    elif _rose(this_week, last_week, FLARE_RISE):
        rule = _COURSE["flare.rise"]
    else:
        return False
    course.append(_course(rule, flag=True, message=" ".join(FLARE_UP_PLAN)))
    return True


def _adherence(
    plan: Plan, sessions: Sequence[ExerciseLog], today: dt.date
) -> tuple[WeekAdherence, ...]:
    """Each complete week of the course up to today: prescribed sessions and those done.

    Weeks after the course has ended are not counted: the plan's prescription ends with it.
    """
    per_item = {i.exercise_id: i.dose.days_a_week * i.dose.times_a_day for i in plan.home_programme}
    prescribed = sum(per_item.values())
    complete = max(0, ((today - plan.start).days + 1) // 7)
    if plan.course.weeks:
        complete = min(complete, plan.course.weeks)
    weeks = []
    for n in range(1, complete + 1) if prescribed else ():
        start = plan.start + dt.timedelta(days=7 * (n - 1))
        end = start + dt.timedelta(days=6)
        counts = dict.fromkeys(per_item, 0)
        for s in sessions:
            if s.done and start <= s.date <= end and s.exercise_id in counts:
                counts[s.exercise_id] += 1
        done = sum(min(counts[k], per_item[k]) for k in per_item)
        weeks.append(WeekAdherence(n, start, end, prescribed, done, round(100 * done / prescribed)))
    return tuple(weeks)


def _odi(answers: OdiAnswers | None) -> float | None:
    if answers is None:
        return None
    result = score_odi(answers)
    return None if result.status is Status.NOT_SCORED else result.percent


def _rmdq(answers: RmdqAnswers | None) -> float | None:
    return None if answers is None else float(score_rmdq(answers).total)


def _psfs(items: tuple[PsfsItem, ...] | None) -> float | None:
    return None if items is None else score_psfs(items).mean


def _nprs(value: int | None) -> float | None:
    return None if value is None else float(value)


_READERS: tuple[tuple[Instrument, str, Callable[[Any], float | None]], ...] = (
    (Instrument.NPRS, "nprs", _nprs),
    (Instrument.ODI, "odi", _odi),
    (Instrument.RMDQ, "rmdq", _rmdq),
    (Instrument.PSFS, "psfs", _psfs),
)


def _changes(baseline: Baseline, check_ins: Sequence[CheckIn]) -> list[ScoreChange]:
    """Each instrument's latest check-in score against its baseline (scoring.compare)."""
    out = []
    for instrument, name, read in _READERS:
        before = read(getattr(baseline, name))
        if before is None:
            continue
        latest = next(
            ((c.date, v) for c in reversed(check_ins) if (v := read(getattr(c, name))) is not None),
            None,
        )
        if latest is None:
            continue
        variant = baseline.odi.variant if instrument is Instrument.ODI and baseline.odi else None
        change: Change = compare(instrument, before, latest[1], variant=variant)
        out.append(ScoreChange(instrument, before, latest[1], latest[0], change.difference,
                               change.verdict))  # fmt: skip
    return out


def _review(
    plan: Plan,
    baseline: Baseline | None,
    changes: Sequence[ScoreChange],
    today: dt.date,
    triage_level: Level | None,
    course: list[CourseDecision],
) -> None:
    due = plan.course.reassess_on
    if due is None or today < due:
        return
    if baseline is None:
        course.append(_course(_COURSE["course.review.no_baseline"], flag=True))
        return
    if not changes:
        rule = _COURSE["course.review.no_scores"]
        course.append(_course(rule, flag=True, message=rule.reason))
        return
    verdicts = {c.verdict for c in changes}
    shown = "; ".join(
        f"{c.instrument.value} {c.baseline:g} -> {c.follow_up:g} ({c.verdict.value})"
        for c in changes
    )
    if Verdict.WORSE in verdicts:
        rule = _COURSE["course.review.worse"]
        level = triage_level.value if triage_level is not None else _("no check-in")
        checked = _("red flags at the check-ins: {level}").format(level=level)
        course.append(_course(rule, reason=f"{rule.reason} ({shown}; {checked})", flag=True,
                              suggestions=RE_EVALUATION_SUGGESTIONS))  # fmt: skip
    elif Verdict.IMPROVED in verdicts:
        rule = _COURSE["course.review.improved"]
        course.append(_course(rule, reason=f"{rule.reason} ({shown})"))
    else:
        rule = _COURSE["course.review.no_change"]
        suggestions = RE_EVALUATION_SUGGESTIONS
        if plan.course.psychologically_informed:
            suggestions = (*suggestions, HIGH_RISK_SUGGESTION)
        course.append(_course(rule, reason=f"{rule.reason} ({shown})", flag=True,
                              suggestions=suggestions))  # fmt: skip


HIGH_RISK_SUGGESTION = _(
    "STarT Back was high risk at the start: make sure the care is psychologically informed."
)  # Hill 2011 [src]; clinical-facts §1.4


def _discharge_checks(
    changes: Sequence[ScoreChange],
    adherence: Sequence[WeekAdherence],
    *,
    psfs_asked: bool,
    settled: bool,
) -> tuple[CriterionCheck, ...]:
    """Each discharge criterion: met (True), not met (False) or not known yet (None).
    discharge.goals is None when PSFS was never asked (not applicable)."""
    by = {c.instrument: c for c in changes}
    nprs = by.get(Instrument.NPRS)
    pain = None if nprs is None else nprs.follow_up <= DISCHARGE_NPRS_MAX
    odi, rmdq = by.get(Instrument.ODI), by.get(Instrument.RMDQ)
    function: bool | None = None
    if odi is not None or rmdq is not None:
        odi_ok = odi is not None and (
            odi.follow_up <= DISCHARGE_ODI_MAX or odi.verdict is Verdict.IMPROVED
        )
        rmdq_ok = rmdq is not None and (
            rmdq.follow_up <= DISCHARGE_RMDQ_MAX or rmdq.verdict is Verdict.IMPROVED
        )
        function = odi_ok or rmdq_ok
    psfs = by.get(Instrument.PSFS)
    goals = None if psfs is None else psfs.follow_up >= DISCHARGE_PSFS_MIN
    if psfs_asked and goals is None:
        goals = False  # asked, but not both at baseline and since: not shown to be reached
    recent = adherence[-INDEPENDENT_WEEKS:]
    independent = len(recent) == INDEPENDENT_WEEKS and all(
        w.percent >= INDEPENDENT_PERCENT for w in recent
    )
    met = {
        "discharge.pain": pain,
        "discharge.function": function,
        "discharge.goals": goals,
        "discharge.independent": independent,
        "discharge.settled": settled,
    }
    return tuple(
        CriterionCheck(rule_id, value, _DISCHARGE_RULE[rule_id].reason)
        for rule_id, value in met.items()
    )


def _discharge_met(checks: Sequence[CriterionCheck]) -> bool:
    """Every criterion met; the goals one may be not applicable (None)."""
    return all(c.met is True or (c.id == "discharge.goals" and c.met is None) for c in checks)


def discharge_plan(plan: Plan) -> Discharge:
    """The maintenance programme: the strength and prevention exercises (all when there are
    none), once a day on at most MAINTENANCE_DAYS days a week; and the flare-up plan.

    ``next_step`` gives it when every discharge criterion is met; a clinician may discharge
    earlier, and the pages then ask for it directly."""
    chosen = [i for i in plan.home_programme if MAINTENANCE_AIMS.intersection(i.aims)]
    rule = _DISCHARGE_RULE["discharge.maintenance"]
    maintenance = tuple(
        replace(
            item,
            dose=replace(
                item.dose,
                times_a_day=1,
                days_a_week=min(item.dose.days_a_week, MAINTENANCE_DAYS),
            ),
            why=(f"{rule.id}: {rule.reason}",),
        )
        for item in chosen or plan.home_programme
    )
    return Discharge(maintenance=maintenance, flare_up_plan=(*FLARE_UP_PLAN, SAFETY_NET))


_ALERT_KIND = {
    CourseAction.BLOCK: AlertKind.RED_FLAG,
    CourseAction.REFER: AlertKind.RED_FLAG,
    CourseAction.ASK: AlertKind.RED_FLAG,
    CourseAction.WORSE: AlertKind.WORSE,
    CourseAction.FLARE_UP: AlertKind.FLARE_UP,
    CourseAction.ADHERENCE: AlertKind.ADHERENCE,
    CourseAction.RE_EVALUATE: AlertKind.RE_EVALUATE,
    CourseAction.REVIEW_INCOMPLETE: AlertKind.REVIEW,
}


def _alerts(
    course: Iterable[CourseDecision], exercises: Iterable[ExerciseDecision]
) -> tuple[Alert, ...]:
    """What the clinician must look at: red flags, worse, flare-up, adherence, stopped
    exercises, re-evaluation, then incomplete reviews and exercises left to the clinician."""
    alerts = [Alert(_ALERT_KIND[d.action], d.rule_id, d.reason) for d in course if d.flag_clinician]
    for e in exercises:
        if e.flag_clinician:
            kind = (
                AlertKind.STOPPED_EXERCISE if e.action is ExerciseAction.STOP else AlertKind.REVIEW
            )
            alerts.append(Alert(kind, e.rule_id, f"{e.name}: {e.reason}"))
    return tuple(sorted(alerts, key=lambda a: _ALERT_ORDER[a.kind]))


# --- the readable report ----------------------------------------------------------------------

_ACTION_WORDS = {
    ExerciseAction.PROGRESS: "PROGRESS",
    ExerciseAction.CONTINUE: "continue",
    ExerciseAction.HOLD: "HOLD",
    ExerciseAction.REGRESS: "REGRESS",
    ExerciseAction.STOP: "STOP",
}


def render_progress(step: Step) -> str:
    """The next step as text: alerts first (red flags, worse, flare-up, adherence, ...), then
    each exercise, then the course, the weekly adherence, the scores and discharge."""
    lines = [
        _("backcare next step for {today} (week {week})").format(
            today=step.today.isoformat(), week=step.week
        ),
        "",
    ]
    if step.blocked:
        lines += [_("PLAN BLOCKED"), f"  {step.blocked_reason}", ""]
    lines.append(_("Alerts for the clinician") if step.alerts else _("No alerts."))
    lines += [f"  [{a.kind.value}] {a.text} ({a.rule_id})" for a in step.alerts]
    lines += ["", _("Exercises")] if step.exercises else []
    for e in step.exercises:
        target = ""
        if e.to_exercise_id is not None:
            target = f" -> {e.to_exercise_id} level {e.to_level}"
        elif e.to_level is not None:
            target = f" -> level {e.to_level}"
        lines.append(f"  {e.name} (level {e.level}): {_ACTION_WORDS[e.action]}{target}")
        lines.append(f"    {e.reason} [{e.rule_id}; {e.certainty.value}]")
    lines += ["", _("Course")]
    for d in step.course:
        lines.append(f"  {d.action.value}: {d.reason} [{d.rule_id}; {d.certainty.value}]")
        lines += [f"    - {s}" for s in d.suggestions]
        if d.patient_message and d.patient_message != d.reason:
            lines.append("    " + _("For the person: {message}").format(message=d.patient_message))
    if step.adherence:
        lines += ["", _("Home sessions done")]
        lines += [
            f"  week {w.week} ({w.start.isoformat()} to {w.end.isoformat()}): "
            f"{w.done} of {w.prescribed} ({w.percent} %)"
            for w in step.adherence
        ]
    if step.changes:
        lines += ["", _("Scores against baseline")]
        lines += [
            f"  {c.instrument.value}: {c.baseline:g} -> {c.follow_up:g} on "
            f"{c.follow_up_on.isoformat()} ({c.verdict.value})"
            for c in step.changes
        ]
    if step.discharge_checks:
        lines += ["", _("Discharge criteria")]
        marks = {True: "met", False: "not met", None: "not known / not applicable"}
        lines += [f"  {c.id}: {marks[c.met]}" for c in step.discharge_checks]
    if step.discharge is not None:
        lines += ["", _("Maintenance programme")]
        lines += [
            f"  {i.name} (level {i.level}): {i.dose.times_a_day} a day, "
            f"{i.dose.days_a_week} days a week"
            for i in step.discharge.maintenance
        ]
        lines += ["", _("Flare-up plan (education topic {topic})").format(
            topic=step.discharge.education_topic)]  # fmt: skip
        lines += [f"  {n}. {text}" for n, text in enumerate(step.discharge.flare_up_plan, 1)]
    lines += [
        "",
        _("backcare supports clinical decisions; it does not diagnose. A clinician can "
          "override any recommendation."),
    ]  # fmt: skip
    return "\n".join(lines) + "\n"


# --- rule tables for clinicians ---------------------------------------------------------------


def rules_markdown() -> str:
    """The progression rule tables as Markdown, generated from the tables the code reads."""
    sections = [
        ("Exercise decisions (the first that matches, top down)",
         [r.rule for r in EXERCISE_RULES]),
        ("Ladder: where a progression or regression goes", list(LADDER_RULES)),
        ("Course decisions (all that match; shown in this order)", list(COURSE_RULES)),
        ("Discharge criteria and the maintenance programme", list(DISCHARGE_RULES)),
    ]  # fmt: skip
    lines = [
        "# Progression rules",
        "",
        "The pain-monitoring model (pain during exercise up to 5/10, settled by the next "
        "morning, no rise week to week) was studied in tendon and knee pain; its exact wording "
        "is recalled, not read (clinical-facts §5.1, **uncertain**), and using it for back "
        "pain is our extrapolation. Regression, flare-up, adherence, review and discharge "
        "thresholds are our synthesis of clinical-facts §4.6, §4.7 and §5.2. Clinically "
        "important change is scoring.compare (see scoring.md). A red-flag answer at any "
        "check-in runs the triage rules again (triage.md); unanswered is never taken as no.",
    ]
    for title, rules in sections:
        lines += ["", f"## {title}", "", "| id | condition | level / threshold | source | "
                  "certainty |", "|---|---|---|---|---|"]  # fmt: skip
        lines += [
            f"| {r.id} | {_cell(r.condition)} | {_cell(r.outcome)} | {_cell(r.source)} | "
            f"{r.certainty.value} |"
            for r in rules
        ]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
