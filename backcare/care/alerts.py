"""Caseload alerts: what needs a clinician's attention, for many patients at once.

``caseload(patients, now=...)`` reads everything it needs for all the patients in a CONSTANT
number of queries (one query per table for all the patients, grouped in Python; never a query
per patient), builds the engine's inputs from the rows (backcare-logs/1: the plan, exercise
sessions, check-ins and the baseline) and calls the engine's ``next_step`` once per patient in
Python. The clinical rules are the engine's (backcare/engine/progression.py: red flags re-triaged
at every check-in, worse or no important change at the review, flare-up, adherence, stopped
exercises); this module adds only what the engine cannot see from one plan's logs:

- the stored triage levels of the latest check-in and session note, and a plan blocked by a
  check-in (``PlanRecord.blocked_by``), which a clinician must clear;
- "review due": the plan's review date (planning.reassessment) has come and no reassessment
  has been recorded since the plan started;
- "nothing logged for 7 days" (issue 5).

The rules are data (``RULES``): their order is the severity order, and ``rules_markdown()``
renders them for docs/guides/caseload.md. Parsed plans, baselines and check-ins are cached by
primary key: a published plan, an assessment and a check-in are never changed once stored
(actions.py changes only drafts), so the cache cannot go stale.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Generic, TypeVar

from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache
from django.db.models import Exists, Min, OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backcare.engine.intake import parse_intake
from backcare.engine.plan import Plan, parse_plan
from backcare.engine.progression import (
    ADHERENCE_MIN_PERCENT,
    FLARE_PAIN,
    FLARE_RISE,
    AlertKind,
    Baseline,
    Difficulty,
    Step,
    baseline_from_intake,
    next_step,
)
from backcare.engine.progression import CheckIn as EngineCheckIn
from backcare.engine.progression import ExerciseLog as EngineExerciseLog
from backcare.engine.scoring import Verdict
from backcare.engine.triage import Level
from backcare.engine.validation import parse_document

from .models import (
    AssessmentRecord,
    AuditEntry,
    CheckIn,
    Episode,
    ExerciseLog,
    Patient,
    PlanRecord,
    SessionNote,
    Visit,
)

__all__ = [
    "NOTHING_LOGGED_DAYS",
    "RULES",
    "Alert",
    "Kind",
    "LruCache",
    "PatientStatus",
    "caseload",
    "clear_caches",
    "needs_doctor",
    "rules_markdown",
    "sort_key",
]

# "nothing logged for 7 days": issue 5 (clinician journey 1) names the alert and its 7 days; it
# is a prompt to get in touch, not a clinical threshold (no source beyond the issue).
NOTHING_LOGGED_DAYS = 7

# The engine's adherence needs the last complete week of sessions (up to 13 days back); 15 days
# leaves room for the patients' time zones. Older sessions matter only when their symptoms
# spread down the leg (the engine's ex.stop.spread rule), and those are fetched as well.
_LOG_WINDOW_DAYS = 15


class Kind(StrEnum):
    """The alerts of issue 5, most pressing first (the engine's AlertKind order, then ours)."""

    RED_FLAG = "red_flag"
    WORSE = "worse"
    FLARE_UP = "flare_up"
    ADHERENCE = "adherence"
    STOPPED_EXERCISE = "stopped_exercise"
    NOT_IMPROVING = "not_improving"
    REVIEW_DUE = "review_due"
    NOTHING_LOGGED = "nothing_logged"


@dataclass(frozen=True, slots=True)
class Rule:
    """One alert rule as clinicians read it: ``label`` is the badge's text."""

    kind: Kind
    label: Any  # a lazily translated string
    condition: str
    source: str
    certainty: str


_TRIAGE_SRC = (
    "triage.py red-flag rules, run again at every check-in and session note "
    "(clinical-facts §2.3 [synthesis]); progression.py course.red_flag.*"
)
_REVIEW_SRC = (
    "progression.py course.review.* (clinical-facts §4.6 [synthesis]; clinically important "
    "change per scoring.compare, Ostelo 2008 [src]; clinical-facts §1.8)"
)

# The order of this table is the severity order (red flag first).
RULES: tuple[Rule, ...] = (
    Rule(Kind.RED_FLAG, gettext_lazy("Red flag"),
         "the latest check-in or session note triages emergency, urgent, soon or routine (needs "
         "a doctor); or a check-in blocked the published plan; or the engine's red-flag course "
         "rules fire (any check-in since the plan started needs a doctor, or the latest left "
         "cauda-equina questions unanswered); or the latest assessment needs a doctor and no "
         "plan has been published since",
         _TRIAGE_SRC, "synthesis"),
    Rule(Kind.WORSE, gettext_lazy("Worse"),
         "at or after the review date, any instrument worse than baseline by its clinically "
         "important change (engine rule course.review.worse)",
         _REVIEW_SRC, "synthesis"),
    Rule(Kind.FLARE_UP, gettext_lazy("Flare-up"),
         f"an NPRS rating of {FLARE_PAIN} or more in the last 7 days above baseline, or the "
         f"mean NPRS of the last 7 days {FLARE_RISE:g} or more above the 7 days before (engine "
         "rules flare.high_pain, flare.rise)",
         "progression.py FLARE_PAIN, FLARE_RISE: clinical-facts §5.2 [synthesis]; NPRS MCID 2 "
         "points (Childs 2005 [src]; §1.1)", "synthesis"),
    Rule(Kind.ADHERENCE, gettext_lazy("Adherence under 50 %"),
         f"under {ADHERENCE_MIN_PERCENT} % of the prescribed home sessions done in the last "
         "complete week of the plan (engine rule adherence.low)",
         "progression.py ADHERENCE_MIN_PERCENT: clinical-facts §5.2 [synthesis]", "synthesis"),
    Rule(Kind.STOPPED_EXERCISE, gettext_lazy("Exercise stopped"),
         "symptoms spread down the leg in a session of an exercise (engine rule ex.stop.spread)",
         "progression.py ex.stop.spread: clinical-facts §5.2 [synthesis]", "synthesis"),
    Rule(Kind.NOT_IMPROVING, gettext_lazy("Not improving"),
         "at or after the review date, no instrument changed by its clinically important "
         "change (engine rule course.review.no_change)",
         _REVIEW_SRC, "synthesis"),
    Rule(Kind.REVIEW_DUE, gettext_lazy("Review due"),
         "the plan's review date has come (planning.reassessment: the visit nearest day 14) "
         "and no reassessment has been recorded since the plan started; or the engine cannot "
         "compare with baseline (course.review.no_scores, no_baseline) or leaves an exercise's "
         "next step to the clinician (ladder.clinician)",
         "planning.py REASSESS_*: clinical-facts §4.6 [synthesis]", "synthesis"),
    Rule(Kind.NOTHING_LOGGED, gettext_lazy("Nothing logged"),
         f"a published plan running for {NOTHING_LOGGED_DAYS} days or more, and no exercise "
         f"session and no check-in logged in the last {NOTHING_LOGGED_DAYS} days",
         "issue 5 (clinician journey 1); not a clinical threshold", "product rule"),
)  # fmt: skip
RULE_BY_KIND: dict[Kind, Rule] = {rule.kind: rule for rule in RULES}
_SEVERITY = {rule.kind: i for i, rule in enumerate(RULES)}

_FROM_ENGINE = {
    AlertKind.RED_FLAG: Kind.RED_FLAG,
    AlertKind.WORSE: Kind.WORSE,
    AlertKind.FLARE_UP: Kind.FLARE_UP,
    AlertKind.ADHERENCE: Kind.ADHERENCE,
    AlertKind.STOPPED_EXERCISE: Kind.STOPPED_EXERCISE,
    AlertKind.RE_EVALUATE: Kind.NOT_IMPROVING,
    AlertKind.REVIEW: Kind.REVIEW_DUE,
}


@dataclass(frozen=True, slots=True)
class Alert:
    """One alert: its kind, a plain clinical text, and the day since when it holds."""

    kind: Kind
    text: str
    since: dt.date

    @property
    def severity(self) -> int:
        """0 for a red flag; a higher number is less pressing."""
        return _SEVERITY[self.kind]

    @property
    def label(self) -> str:
        return str(RULE_BY_KIND[self.kind].label)


@dataclass(slots=True)
class PatientStatus:
    """What the caseload shows of one patient."""

    patient: Patient
    today: dt.date
    alerts: list[Alert] = field(default_factory=list)
    stage: str = "invited"  # invited, waiting, assessed, on_plan, discharged
    episode_id: int | None = None
    plan_id: int | None = None
    triage_level: str | None = None
    last_check_in: dt.date | None = None
    last_nprs: int | None = None
    adherence: int | None = None  # percent of the last complete week
    adherence_week: int | None = None
    last_logged: dt.date | None = None
    next_visit: dt.datetime | None = None
    step: Step | None = None

    @property
    def kinds(self) -> set[Kind]:
        return {alert.kind for alert in self.alerts}


def sort_key(status: PatientStatus) -> tuple[int, dt.date, str, str, int]:
    """What needs attention first: the most severe alert, then the oldest such alert, then the
    name. Patients without alerts come last, by name."""
    name = str(status.patient).casefold()
    if not status.alerts:
        return (len(RULES), dt.date.max, name, status.patient.user.username, status.patient.pk)
    worst = min(a.severity for a in status.alerts)
    oldest = min(a.since for a in status.alerts if a.severity == worst)
    return (worst, oldest, name, status.patient.user.username, status.patient.pk)


# --- caches of parsed documents (immutable once stored) ---------------------------------------

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


_ALL_CACHES: list[LruCache[Any, Any]] = []  # every cache made, so tests can start cold


class LruCache(Generic[K, V]):
    """A small least-recently-used cache."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.data: OrderedDict[K, V] = OrderedDict()
        _ALL_CACHES.append(self)

    def get(self, key: K) -> V | None:
        value = self.data.get(key)
        if value is not None:
            self.data.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self.data[key] = value
        self.data.move_to_end(key)
        while len(self.data) > self.size:
            self.data.popitem(last=False)

    def clear(self) -> None:
        self.data.clear()


_PLANS: LruCache[int, Plan] = LruCache(20000)
_BASELINES: LruCache[int, Baseline] = LruCache(20000)
_CHECK_INS: LruCache[int, EngineCheckIn] = LruCache(100000)
# Each patient's evaluated status (alerts, stage, figures; next_step's result), by
# (patient, change stamp, the patient's today, the log window's day, password set, catalog):
# the key changes whenever anything the status reads may have changed, so an entry is never
# stale, only unused (see _stamps).
_STATUSES: LruCache[Hashable, PatientStatus] = LruCache(20000)


def caching() -> bool:
    """Whether the per-process caches of statuses and rendered pages are on: off when the
    "pages" cache is Django's dummy cache (settings.CACHES, under the test runner)."""
    return not isinstance(caches["pages"], DummyCache)


def plan_document(record: PlanRecord) -> Plan:
    """The record's plan document, parsed once per worker. A plan that is not a draft never
    changes in place (care/actions.py edits only drafts; a new version is a new row), so its
    parsed copy is kept by primary key, and the document (about 15 KB of JSON) need not be read
    when it is cached (``defer("plan")``)."""
    if not caching() or record.status == PlanRecord.Status.DRAFT:
        return parse_plan(record.plan)
    plan = _PLANS.get(record.pk)
    if plan is None:
        plan = parse_plan(record.plan)
        _PLANS.put(record.pk, plan)
    return plan


def clear_caches(*, documents: bool = True) -> None:
    """Forget the evaluated statuses and (unless ``documents`` is false) everything else cached:
    the parsed plans, baselines and check-ins and the rendered pages (tests measure cold
    queries)."""
    _STATUSES.clear()
    if documents:
        for cache in _ALL_CACHES:
            cache.clear()


def _fill(cache: LruCache[int, V], pks: Iterable[int], fetch: Callable[[list[int]], Any],
          parse: Callable[[Any], V]) -> dict[int, V]:  # fmt: skip
    """The parsed value of each pk, fetching (one query) and parsing only those not cached."""
    out: dict[int, V] = {}
    missing = []
    for pk in pks:
        value = cache.get(pk)
        if value is None:
            missing.append(pk)
        else:
            out[pk] = value
    if missing:
        for pk, raw in fetch(missing):
            value = parse(raw)
            cache.put(pk, value)
            out[pk] = value
    return out


def _baseline(row: tuple[dt.datetime, Any]) -> Baseline:
    created_at, intake = row
    return baseline_from_intake(parse_intake(intake), date=created_at.date())


def _check_in(row: Mapping[str, Any]) -> EngineCheckIn:
    document = {
        "date": row["day"].isoformat(),
        "nprs": row["nprs"],
        "psfs": row["psfs"],
        "odi": row["odi"],
        "rmdq": row["rmdq"],
        "red_flag_screen": row["red_flag_screen"],
    }
    parsed: EngineCheckIn = parse_document(EngineCheckIn, document)
    return parsed


def _session(row: Mapping[str, Any]) -> EngineExerciseLog:
    return EngineExerciseLog(
        date=row["day"],
        exercise_id=row["exercise_id"],
        done=row["done"],
        level=row["level"],
        sets=row["sets"],
        reps=row["reps"],
        pain_during=row["pain_during"],
        difficulty=Difficulty(row["difficulty"]) if row["difficulty"] else None,
        pain_settled_next_morning=row["pain_settled_next_morning"],
        symptoms_spread_down_leg=row["symptoms_spread"],
    )


def needs_doctor(level: str | None) -> bool:
    return level is not None and Level(level).needs_doctor


# --- the caseload -----------------------------------------------------------------------------

_CHECK_IN_FIELDS = ("id", "episode_id", "day", "nprs", "triage_level", "created_at")
_LOG_FIELDS = (
    "patient_id", "exercise_id", "day", "done", "level", "sets", "reps", "pain_during",
    "difficulty", "pain_settled_next_morning", "symptoms_spread",
)  # fmt: skip


def caseload(
    patients: Sequence[Patient],
    *,
    now: dt.datetime,
    catalog: Any = None,
    all_sessions: bool = False,
) -> list[PatientStatus]:
    """The status and alerts of each patient, sorted by what needs attention (``sort_key``).

    ``patients`` should come with ``select_related("user")``. The number of queries does not
    grow with the number of patients: two when every patient's status is cached (what changed
    per patient, and the next visits), ten at most when none is (seven when the parsed
    documents are cached). ``catalog`` (the content's exercise catalog) lets the engine follow
    exercise ladders. ``all_sessions`` reads every session of the plan (a patient's page:
    adherence of every week) instead of the recent window the alerts need; it is not cached.

    A status is cached per (patient, change stamp, the patient's today, ...): the change stamp
    is the id of the patient's latest audit entry that is not a read. Every write of care data
    goes through backcare.care.actions, which writes one audit entry naming the patient in the
    same transaction (web.md), so any change gives a new key; the day is in the key because
    the rules read it (review dates, 7 quiet days, the week of adherence).
    """
    if not patients:
        return []
    pks = [p.pk for p in patients]

    # 1. What changed last, and the last day anything was logged, of each patient (one query).
    stamps: dict[int, int | None] = {}
    last_logged: dict[int, dt.date | None] = {}
    discharged: set[int] = set()
    for pk, stamp, last, closed in (
        Patient.objects.filter(pk__in=pks)
        .annotate(
            stamp=Subquery(
                AuditEntry.objects.filter(patient_id=OuterRef("pk"))
                .exclude(action=AuditEntry.Action.READ)
                .order_by("-id")
                .values("id")[:1]
            ),
            last=Subquery(
                ExerciseLog.objects.filter(patient_id=OuterRef("pk"))
                .order_by("-day")
                .values("day")[:1]
            ),
            closed=Exists(
                Episode.objects.filter(patient_id=OuterRef("pk"), status=Episode.Status.DISCHARGED)
            ),
        )
        .values_list("pk", "stamp", "last", "closed")
    ):
        stamps[pk] = stamp
        last_logged[pk] = last
        if closed:
            discharged.add(pk)

    statuses: dict[int, PatientStatus] = {}
    keys: dict[int, Hashable] = {}
    use_cache = caching()
    for patient in patients:
        today = patient.today(now)
        key = (patient.pk, stamps.get(patient.pk), today, now.date(),
               patient.user.has_usable_password(), id(catalog))  # fmt: skip
        cached = None if all_sessions or not use_cache else _STATUSES.get(key)
        if cached is None:
            keys[patient.pk] = key
            statuses[patient.pk] = PatientStatus(patient=patient, today=today)
        else:
            statuses[patient.pk] = dataclasses.replace(cached, patient=patient)
    if keys:
        _evaluate_all(
            {pk: statuses[pk] for pk in keys},
            now=now,
            catalog=catalog,
            all_sessions=all_sessions,
            last_logged=last_logged,
            discharged=discharged,
        )
        if use_cache and not all_sessions:
            for pk, fresh_key in keys.items():
                _STATUSES.put(fresh_key, dataclasses.replace(statuses[pk]))

    # The next planned visit of each active episode (one query): it changes with the time of
    # day, so it is never cached.
    episodes = {s.episode_id for s in statuses.values() if s.episode_id is not None}
    if episodes:
        next_visits = dict(
            Visit.objects.filter(
                episode_id__in=episodes, status=Visit.Status.PLANNED, starts_at__gte=now
            )
            .values("episode_id")
            .annotate(first=Min("starts_at"))
            .values_list("episode_id", "first")
        )
        for status in statuses.values():
            if status.episode_id is not None:
                status.next_visit = next_visits.get(status.episode_id)
    return sorted(statuses.values(), key=sort_key)


def _evaluate_all(
    by_pk: dict[int, PatientStatus],
    *,
    now: dt.datetime,
    catalog: Any,
    all_sessions: bool,
    last_logged: Mapping[int, dt.date | None],
    discharged: set[int],
) -> None:
    """Fill in the statuses of ``by_pk`` (patient pk -> a new status) from their rows, one
    query per table for all of them."""
    pks = list(by_pk)

    # 1. Assessments of the active episodes (no documents): stage, triage, baseline, review.
    episode_of: dict[int, int] = {}
    first_intake: dict[int, int] = {}
    latest_assessment: dict[int, Mapping[str, Any]] = {}
    reassessed_at: dict[int, list[dt.datetime]] = defaultdict(list)
    for a_row in (
        AssessmentRecord.objects.filter(
            episode__patient_id__in=pks, episode__status=Episode.Status.ACTIVE
        )
        .order_by("created_at", "id")
        .values("id", "episode_id", "episode__patient_id", "kind", "triage_level", "created_at")
    ):
        patient_id = a_row["episode__patient_id"]
        episode_of[patient_id] = a_row["episode_id"]
        if a_row["kind"] == AssessmentRecord.Kind.INTAKE:
            first_intake.setdefault(patient_id, a_row["id"])
        else:
            reassessed_at[patient_id].append(a_row["created_at"])
        latest_assessment[patient_id] = a_row

    # 2. Published plans of the active episodes (the documents come from the cache or 4.).
    plans: dict[int, Mapping[str, Any]] = {}
    for p_row in PlanRecord.objects.filter(
        episode__patient_id__in=pks,
        episode__status=Episode.Status.ACTIVE,
        status=PlanRecord.Status.PUBLISHED,
    ).values("id", "episode__patient_id", "published_at", "blocked_by_id",
             "blocked_by__created_at", "blocked_by__triage_level"):  # fmt: skip
        plans[p_row["episode__patient_id"]] = p_row

    # 3. Check-ins of the active episodes (the engine re-triages every one since the plan).
    episodes = set(episode_of.values())
    check_ins: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for c_row in (
        CheckIn.objects.filter(episode_id__in=episodes)
        .order_by("day", "created_at", "id")
        .values(*_CHECK_IN_FIELDS)
    ):
        check_ins[c_row["episode_id"]].append(c_row)
    parsed_check_ins = _fill(
        _CHECK_INS,
        [row["id"] for rows in check_ins.values() for row in rows],
        lambda missing: (
            (row["id"], row)
            for row in CheckIn.objects.filter(pk__in=missing).values(
                "id", "day", "nprs", "psfs", "odi", "rmdq", "red_flag_screen"
            )
        ),
        _check_in,
    )

    # 4./5. The plan and baseline documents not cached yet (one query each, only when needed).
    parsed_plans = _fill(
        _PLANS,
        [row["id"] for row in plans.values()],
        lambda missing: PlanRecord.objects.filter(pk__in=missing).values_list("id", "plan"),
        parse_plan,
    )
    baselines = _fill(
        _BASELINES,
        first_intake.values(),
        lambda missing: (
            (pk, (created_at, intake))
            for pk, created_at, intake in AssessmentRecord.objects.filter(
                pk__in=missing
            ).values_list("id", "created_at", "intake")
        ),
        _baseline,
    )

    # 6. Exercise sessions: the recent window, plus any whose symptoms spread (the last day
    # anything was logged came with the change stamps).
    since = now.date() - dt.timedelta(days=_LOG_WINDOW_DAYS)
    sessions: dict[int, list[EngineExerciseLog]] = defaultdict(list)
    on_plan = [pk for pk in pks if pk in plans]
    if on_plan:
        for row in (
            ExerciseLog.objects.filter(plan_id__in=[plans[pk]["id"] for pk in on_plan])
            .filter(Q() if all_sessions else Q(day__gte=since) | Q(symptoms_spread=True))
            .order_by("day", "id")
            .values(*_LOG_FIELDS)
        ):
            sessions[row["patient_id"]].append(_session(row))

    # 7. The latest session note of each active episode.
    notes: dict[int, Mapping[str, Any]] = {}
    for n_row in (
        SessionNote.objects.filter(visit__episode_id__in=episodes)
        .order_by("created_at", "id")
        .values("visit__episode_id", "triage_level", "created_at")
    ):
        notes[n_row["visit__episode_id"]] = n_row

    for pk, status in by_pk.items():
        episode_id = episode_of.get(pk)
        status.last_logged = last_logged.get(pk)
        if episode_id is None:
            has_password = status.patient.user.has_usable_password()
            status.stage = "discharged" if pk in discharged else (
                "waiting" if has_password else "invited")  # fmt: skip
            continue
        status.episode_id = episode_id
        status.stage = "assessed"
        rows = check_ins.get(episode_id, [])
        plan_row = plans.get(pk)
        _evaluate(
            status,
            assessment=latest_assessment[pk],
            plan_row=plan_row,
            plan=parsed_plans.get(plan_row["id"]) if plan_row else None,
            baseline=baselines.get(first_intake[pk]) if pk in first_intake else None,
            check_in_rows=rows,
            check_ins=[parsed_check_ins[row["id"]] for row in rows],
            sessions=sessions.get(pk, []),
            note=notes.get(episode_id),
            reassessed=reassessed_at.get(pk, []),
            catalog=catalog,
        )


def _evaluate(
    status: PatientStatus,
    *,
    assessment: Mapping[str, Any],
    plan_row: Mapping[str, Any] | None,
    plan: Plan | None,
    baseline: Baseline | None,
    check_in_rows: Sequence[Mapping[str, Any]],
    check_ins: Sequence[EngineCheckIn],
    sessions: Sequence[EngineExerciseLog],
    note: Mapping[str, Any] | None,
    reassessed: Sequence[dt.datetime],
    catalog: Any,
) -> None:
    """Fill in one patient's status and alerts from their rows (no query)."""
    today = status.today
    found: dict[Kind, list[Alert]] = defaultdict(list)

    def add(kind: Kind, text: str, since: dt.date) -> None:
        found[kind].append(Alert(kind, text, since))

    # The triage shown: the most recent of the assessment, check-in and session note.
    latest_check_in = check_in_rows[-1] if check_in_rows else None
    dated = [(assessment["created_at"], assessment["triage_level"])]
    if latest_check_in is not None:
        dated.append((latest_check_in["created_at"], latest_check_in["triage_level"]))
        status.last_check_in = latest_check_in["day"]
        status.last_nprs = next(
            (row["nprs"] for row in reversed(check_in_rows) if row["nprs"] is not None), None
        )
    if note is not None:
        dated.append((note["created_at"], note["triage_level"]))
    status.triage_level = max(dated, key=lambda d: d[0])[1]

    # Red flags from the stored triage levels (triage.py; clinical-facts §2.3).
    if latest_check_in is not None and needs_doctor(latest_check_in["triage_level"]):
        add(Kind.RED_FLAG, _("Check-in on %(day)s: triage %(level)s (needs a doctor).")
            % {"day": latest_check_in["day"], "level": _level(latest_check_in["triage_level"])},
            latest_check_in["day"])  # fmt: skip
    if note is not None and needs_doctor(note["triage_level"]):
        day = note["created_at"].date()
        add(Kind.RED_FLAG, _("Session note on %(day)s: red-flag re-screen %(level)s (needs a "
                             "doctor).") % {"day": day, "level": _level(note["triage_level"])},
            day)  # fmt: skip
    if plan_row is not None and plan_row["blocked_by_id"] is not None:
        day = plan_row["blocked_by__created_at"].date()
        add(Kind.RED_FLAG, _("The plan is blocked by the check-in of %(day)s (%(level)s): make "
                             "a new plan once a doctor has seen the patient.")
            % {"day": day, "level": _level(plan_row["blocked_by__triage_level"])}, day)  # fmt: skip
    published_at = plan_row["published_at"] if plan_row else None
    if needs_doctor(assessment["triage_level"]) and (
        published_at is None or published_at < assessment["created_at"]
    ):
        day = assessment["created_at"].date()
        add(Kind.RED_FLAG, _("The %(kind)s of %(day)s triaged %(level)s (needs a doctor).")
            % {"kind": _kind(assessment["kind"]), "day": day,
               "level": _level(assessment["triage_level"])}, day)  # fmt: skip

    if plan is not None and plan_row is not None:
        status.stage = "on_plan"
        status.plan_id = plan_row["id"]
        step = next_step(plan, sessions, check_ins, today=today, baseline=baseline,
                         catalog=catalog)  # fmt: skip
        status.step = step
        if step.adherence:
            status.adherence = step.adherence[-1].percent
            status.adherence_week = step.adherence[-1].week
        _engine_alerts(step, plan, sessions, check_in_rows, found, today)
        # Review due: the review date has come and no reassessment since the plan started.
        due = plan.course.reassess_on
        if (
            due is not None
            and today >= due
            and not any(at.date() >= plan.start for at in reassessed)
        ):
            add(Kind.REVIEW_DUE, _("Review against baseline due on %(day)s: no reassessment "
                                   "recorded yet.") % {"day": due}, due)  # fmt: skip
        # Nothing logged for 7 days: issue 5 (clinician journey 1), not a clinical threshold.
        if not plan.blocked and plan_row["blocked_by_id"] is None:
            last = max(
                [d for d in (status.last_logged, status.last_check_in) if d is not None],
                default=None,
            )
            quiet_since = max(last, plan.start) if last is not None else plan.start
            if (today - quiet_since).days >= NOTHING_LOGGED_DAYS:
                text = (
                    _("Nothing logged since %(day)s (%(days)s days).")
                    % {"day": last, "days": (today - last).days}
                    if last is not None
                    else _("Nothing logged since the plan started on %(day)s.")
                    % {"day": plan.start}
                )
                add(Kind.NOTHING_LOGGED, text, quiet_since)

    status.alerts = sorted(
        (
            Alert(kind, " ".join(dict.fromkeys(a.text for a in alerts)),
                  min(a.since for a in alerts))
            for kind, alerts in found.items()
        ),
        key=lambda a: (a.severity, a.since),
    )  # fmt: skip


def _engine_alerts(
    step: Step,
    plan: Plan,
    sessions: Sequence[EngineExerciseLog],
    check_in_rows: Sequence[Mapping[str, Any]],
    found: dict[Kind, list[Alert]],
    today: dt.date,
) -> None:
    """The engine's alerts (progression.next_step), in clinical words, with their dates."""
    in_plan = [row for row in check_in_rows if plan.start <= row["day"] <= today]
    for alert in step.alerts:
        kind = _FROM_ENGINE[alert.kind]
        since = today
        if kind is Kind.RED_FLAG:
            flagged = [r["day"] for r in in_plan if needs_doctor(r["triage_level"])]
            since = flagged[0] if flagged else (in_plan[-1]["day"] if in_plan else today)
            if alert.rule_id == "course.red_flag.unanswered":
                text = _("Red-flag questions left unanswered at the check-in of %(day)s "
                         "(cauda equina: unknown is not no).") % {"day": since}  # fmt: skip
            elif alert.rule_id == "course.plan_blocked":
                since = plan.start
                text = _("The plan is blocked: triage %(level)s at the assessment.") % {
                    "level": _level(plan.triage_level.value)
                }
            else:
                level = step.triage_level.value if step.triage_level else ""
                text = _("A check-in since the plan started triaged %(level)s (re-screened by "
                         "the engine).") % {"level": _level(level)}  # fmt: skip
        elif kind in (Kind.WORSE, Kind.NOT_IMPROVING):
            verdict = Verdict.WORSE if kind is Kind.WORSE else Verdict.NO_IMPORTANT_CHANGE
            changes = [
                c for c in step.changes if kind is Kind.NOT_IMPROVING or c.verdict is verdict
            ]
            since = max((c.follow_up_on for c in changes), default=today)
            shown = "; ".join(
                f"{c.instrument.value.upper()} {c.baseline:g} → {c.follow_up:g}" for c in changes
            )
            text = (
                _("Worse than baseline at the review: %(changes)s.")
                if kind is Kind.WORSE
                else _("No clinically important change at the review: %(changes)s.")
            ) % {"changes": shown}
        elif kind is Kind.FLARE_UP:
            week_ago = today - dt.timedelta(days=7)
            recent = [r for r in in_plan if r["day"] > week_ago and r["nprs"] is not None]
            worst = max((r["nprs"] for r in recent), default=None)
            since = recent[0]["day"] if recent else today
            text = (
                _("Flare-up: pain %(nprs)s/10 in the last 7 days.") % {"nprs": worst}
                if alert.rule_id == "flare.high_pain"
                else _("Flare-up: weekly pain up by %(rise)s points or more.")
                % {"rise": f"{FLARE_RISE:g}"}
            )
        elif kind is Kind.ADHERENCE:
            week = step.adherence[-1]
            since = week.start
            text = _("%(percent)s %% of home sessions done in week %(week)s (%(done)s of "
                     "%(prescribed)s).") % {"percent": week.percent, "week": week.week,
                                            "done": week.done, "prescribed": week.prescribed}  # fmt: skip
        elif kind is Kind.STOPPED_EXERCISE:
            name, _sep, _rest = alert.text.partition(":")
            exercise = next((e for e in step.exercises if e.name == name), None)
            spread = [
                s.date
                for s in sessions
                if s.symptoms_spread_down_leg and exercise and s.exercise_id == exercise.exercise_id
            ]
            since = spread[0] if spread else today
            text = _("%(name)s stopped: symptoms spread down the leg on %(day)s.") % {
                "name": name,
                "day": since,
            }
        else:  # Kind.REVIEW_DUE: the engine cannot compare, or leaves a step to the clinician
            since = plan.course.reassess_on or today
            if alert.rule_id.startswith("course.review"):
                text = _("Review due: no check-in score to compare with baseline.")
            else:
                since = today
                text = _("Choose the next step of an exercise: %(text)s") % {"text": alert.text}
        found[kind].append(Alert(kind, text, min(since, today)))


_LEVEL_WORDS = {
    "emergency": gettext_lazy("emergency"),
    "urgent": gettext_lazy("urgent"),
    "soon": gettext_lazy("soon"),
    "routine": gettext_lazy("routine referral"),
    "physio": gettext_lazy("physical therapy"),
    "self_care": gettext_lazy("self-care"),
}


def _level(level: str) -> str:
    return str(_LEVEL_WORDS.get(level, level))


def _kind(kind: str) -> str:
    return _("reassessment") if kind == AssessmentRecord.Kind.REASSESSMENT else _("assessment")


def rules_markdown() -> str:
    """The alert rules as a Markdown table, most pressing first (generated from ``RULES``)."""
    lines = [
        "| order | alert | kind | condition | source | certainty |",
        "|---|---|---|---|---|---|",
    ]
    for i, rule in enumerate(RULES, 1):
        cells = (str(i), str(rule.label), f"`{rule.kind.value}`", rule.condition, rule.source,
                 rule.certainty)  # fmt: skip
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"
