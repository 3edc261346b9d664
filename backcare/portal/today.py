"""What the patient's own pages read: Today, my exercises and my flare-up plan.

Patient journeys 3 and 6 (issue 5). The pages are thin: this module fetches the published plan
and the few rows a page needs in a fixed number of queries (never one per exercise), and works
out the pure parts, which exercises fall on which day, the dose in plain words, the day's
reading, from the plan document (backcare-plan/1) and the content. Clinical decisions are the
engine's: whether the person is in a flare-up comes from ``progression.next_step``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Sum,
    Value,
    When,
    Window,
)
from django.http import Http404
from django.utils.translation import gettext

from backcare.accounts.models import User
from backcare.care import stamps
from backcare.care.alerts import LruCache, caching, plan_document
from backcare.care.content import catalog, public_topics
from backcare.care.models import (
    AssessmentRecord,
    CheckIn,
    Clinic,
    ExerciseLog,
    Patient,
    PlanRecord,
)
from backcare.care.schedule import DAYS_IN_WEEK, dose_words, is_exercise_day
from backcare.engine.catalog import Exercise
from backcare.engine.education import Topic
from backcare.engine.intake import RedFlagScreen, parse_intake
from backcare.engine.plan import EducationItem, HomeItem, Plan
from backcare.engine.progression import (
    Baseline,
    CourseAction,
    CourseDecision,
    baseline_from_intake,
    next_step,
    week_of,
)
from backcare.engine.progression import CheckIn as EngineCheckIn
from backcare.engine.triage import Level
from backcare.engine.validation import InvalidDocument, parse_document
from backcare.portal.today_forms import DIFFICULTY_LABELS, LogForm, SettledForm, log_prefix
from backcare.portal.views import HEADLINES

# The engine's flare-up rules compare the last 7 days' pain ratings with the 7 days before
# (progression.py, rules flare.high_pain and flare.rise: clinical-facts §5.2 [synthesis]), so
# the check-ins of the last 14 days are all they read.
FLARE_WINDOW_DAYS = 14

# --- the day's reading ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Reading:
    """An education item of the plan, with its public topic (None: not in the library)."""

    item: EducationItem
    topic: Topic | None


@dataclass(frozen=True, slots=True)
class DayReading:
    today: tuple[Reading, ...]
    this_week: tuple[Reading, ...]
    week: int


def reading_for(plan: Plan, day: dt.date) -> DayReading:
    """The plan's reading for ``day``: the week's topics spread over its seven days in order
    (one a day, or two on some days when the week has more than seven), and the whole week's
    list. Nothing before the plan starts or after its last education week."""
    week = week_of(plan, day)
    topics = public_topics()
    items = [Reading(e, topics.get(e.topic_id)) for e in plan.education if week and e.week == week]
    if not items:
        return DayReading((), (), week)
    index = (day - plan.start).days % DAYS_IN_WEEK
    count = len(items)
    if count >= DAYS_IN_WEEK:
        todays = items[index * count // DAYS_IN_WEEK : (index + 1) * count // DAYS_IN_WEEK]
    else:
        todays = items[index : index + 1]
    return DayReading(tuple(todays), tuple(items), week)


# --- caches ------------------------------------------------------------------------------------

# An assessment never changes: its parsed form is cached by primary key (alerts.clear_caches
# forgets these with every other cache).
_BASELINES: LruCache[int, Baseline | None] = LruCache(5000)
_FLARES: LruCache[tuple[Any, ...], CourseDecision | None] = LruCache(5000)


plan_of = plan_document  # the record's plan document, parsed once per worker


# --- fetching --------------------------------------------------------------------------------


def patient_of(user: User, *, with_plan: bool = False) -> Patient:
    """The signed-in patient's own record with its clinic and ``change_stamp`` (the id of the
    patient's latest change: every write goes through care/actions.py, which audits it naming
    the patient), in one query (``care.stamps``); 404 for an account without one.
    ``with_plan``: ``active_plan()`` is read in the same query."""
    patient = (
        # Logging (with_plan) needs the clinic only when the plan is on hold: read then.
        stamps.patient_of_user(user.pk, with_clinic=not with_plan, with_plan=with_plan)
        if user.is_active and user.is_patient
        else None
    )
    if patient is None:
        raise Http404("no patient record")
    patient.user = user  # already in hand: no query when a template or action reads it
    return patient


def active_plan(user: User, patient: Patient) -> PlanRecord | None:
    """The signed-in patient's published plan of their open episode, with its episode, in one query
    (``care.stamps``); the document is read only when its parsed copy is not cached
    (alerts.plan_document). The check-in that blocks it, if any, is read when asked for."""
    if not (user.is_active and patient.user_id == user.pk):  # the patient's own pages only
        return None
    if hasattr(patient, "active_plan"):  # read with the patient: patient_of(with_plan=True)
        return patient.active_plan  # type: ignore[no-any-return]
    return stamps.active_plan_of(patient.pk, with_document=not caching())


def latest_plan(user: User, patient: Patient) -> PlanRecord | None:
    """The plan the patient follows now: the open episode's, or after discharge the last one."""
    return (
        PlanRecord.objects.for_user(user)
        .published()
        .filter(episode__patient=patient)
        .select_related("blocked_by", "episode")
        .order_by("-published_at", "-id")
        .first()
    )


def has_assessment(user: User, patient: Patient) -> bool:
    return AssessmentRecord.objects.for_user(user).filter(episode__patient=patient).exists()


def baseline_for(episode_id: int) -> Baseline | None:
    """The episode's baseline (its first intake), as the actions compute it for check-ins.
    Cached per episode once found: the first intake of an episode never changes."""
    cached = _BASELINES.get(episode_id) if caching() else None
    if cached is not None:
        return cached
    first = (
        AssessmentRecord.objects.filter(episode_id=episode_id, kind=AssessmentRecord.Kind.INTAKE)
        .order_by("id")
        .values_list("intake", "created_at")
        .first()
    )
    if first is None:
        return None
    intake, created_at = first
    baseline = baseline_from_intake(parse_intake(intake), date=created_at.date())
    _BASELINES.put(episode_id, baseline)
    return baseline


def _engine_check_in(day: dt.date, nprs: int | None, screen: Any) -> EngineCheckIn:
    try:
        parsed = parse_document(RedFlagScreen, screen)
    except InvalidDocument:  # stored before a format change: the pain rating still counts
        parsed = RedFlagScreen()
    return EngineCheckIn(date=day, nprs=nprs, red_flag_screen=parsed)


def recent_check_ins(record: PlanRecord, today: dt.date) -> list[tuple[Any, ...]]:
    """(id, day, nprs, red_flag_screen) of the episode's check-ins of the last
    FLARE_WINDOW_DAYS days, oldest first (one query)."""
    return list(
        CheckIn.objects.filter(
            episode_id=record.episode_id,
            day__gt=today - dt.timedelta(days=FLARE_WINDOW_DAYS),
            day__lte=today,
        )
        .order_by("day", "id")
        .values_list("id", "day", "nprs", "red_flag_screen")
    )


def flare_up(
    record: PlanRecord,
    plan: Plan,
    today: dt.date,
    rows: Sequence[tuple[Any, ...]] | None = None,
) -> CourseDecision | None:
    """The engine's flare-up decision for today, if its rules say the person is in one.

    Reads the episode's check-ins of the last FLARE_WINDOW_DAYS days (one query, unless
    ``rows`` from ``recent_check_ins`` are given) and, when there are any, the baseline (one
    more, cached). Pain diary entries are not stored by the web application, so only check-ins
    count. The decision is cached per (plan, check-ins, day): check-ins never change.
    """
    if plan.blocked or record.blocked_by_id is not None:
        return None
    if rows is None:
        rows = recent_check_ins(record, today)
    if not any(nprs is not None for _id, _day, nprs, _screen in rows):
        return None
    key = (record.pk, today, tuple(row[0] for row in rows))
    if caching() and key in _FLARES.data:
        return _FLARES.data[key]
    check_ins = [_engine_check_in(day, nprs, screen) for _id, day, nprs, screen in rows]
    step = next_step(plan, (), check_ins, today=today, baseline=baseline_for(record.episode_id))
    decision = step.decision(CourseAction.FLARE_UP)
    _FLARES.put(key, decision)
    return decision


# --- what a blocked plan says --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Blocked:
    """Why the exercises are on hold, and what to do: from the check-in's triage, or from the
    engine's blocked plan."""

    level: Level
    headline: str
    advice: tuple[str, ...]
    reasons: tuple[str, ...]
    clinic: Clinic


def blocked_by(record: PlanRecord, plan: Plan, patient: Patient) -> Blocked | None:
    """Why the plan is on hold (a red flag at a check-in, or the plan itself blocked), with the
    patient's clinic to call; None when it is not (the clinic is then not read)."""
    check_in = record.blocked_by
    if check_in is not None:
        result: Mapping[str, Any] = check_in.triage or {}
        text = str(result.get("advice") or "")
        reasons = tuple(
            gettext(str(flag.get("reason", ""))) for flag in result.get("flags", []) if flag
        )
        level = Level(check_in.triage_level)
        return Blocked(level, str(HEADLINES[level]), (gettext(text),), reasons, patient.clinic)
    if plan.blocked:
        reason = plan.blocked_reason or ""
        level = plan.triage_level
        said = (gettext(reason),) if reason else ()
        return Blocked(level, str(HEADLINES[level]), said, (), patient.clinic)
    return None


# --- the cards ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Card:
    """One exercise of the plan on one day: the plan item, its library entry, the dose in words,
    whether the day is one of its days, the day's logs of it (oldest first) and its form."""

    item: HomeItem
    exercise: Exercise | None
    dose: str
    scheduled: bool
    logs: tuple[ExerciseLog, ...]
    bound_form: LogForm | None = None  # the person's answers with their messages, if any
    # When ``logs`` holds only the latest log of the day (``card_counts``): the day's numbers.
    counted: tuple[int, int] | None = None  # (sessions logged, sessions done)

    @property
    def exercise_id(self) -> str:
        return self.item.exercise_id

    @property
    def form(self) -> LogForm:
        """The card's form: the person's answers, or an empty one made when the card is drawn
        (a card served from the page cache needs none)."""
        if self.bound_form is not None:
            return self.bound_form
        return LogForm(prefix=log_prefix(self.item.exercise_id))

    @property
    def latest(self) -> ExerciseLog | None:
        return self.logs[-1] if self.logs else None

    @property
    def latest_difficulty(self) -> str:
        latest = self.latest
        if latest is None or not latest.difficulty:
            return ""
        return str(DIFFICULTY_LABELS[ExerciseLog.Difficulty(latest.difficulty)])

    @property
    def done_count(self) -> int:
        if self.counted is not None:
            return self.counted[1]
        return sum(1 for log in self.logs if log.done)

    @property
    def render_key(self) -> tuple[Any, ...] | None:
        """What the card template shows, as a key for rendering it once (None: a bound form,
        always rendered). "Done N times" is shown only below the day's times, so the count
        beyond it is not part of the key."""
        if self.bound_form is not None and self.bound_form.is_bound:
            return None
        latest = self.latest
        done = self.done_count
        return (
            self.item, self.exercise is not None, self.dose, self.scheduled, bool(self.logs),
            done if done < self.times_a_day else -1,
            (latest.done, latest.pain_during, latest.difficulty) if latest else None,
        )  # fmt: skip

    @property
    def times_a_day(self) -> int:
        return self.item.dose.times_a_day

    @property
    def has_timer(self) -> bool:
        return bool(self.item.dose.hold_seconds or self.item.dose.rest_seconds)


def card_for(
    item: HomeItem,
    *,
    start: dt.date,
    day: dt.date,
    logs: Sequence[ExerciseLog] = (),
    form: LogForm | None = None,
    counted: tuple[int, int] | None = None,
) -> Card:
    return Card(
        item=item,
        exercise=catalog().exercises.get(item.exercise_id),
        dose=dose_words(item),
        scheduled=is_exercise_day(item, start, day),
        logs=tuple(logs),
        bound_form=form,
        counted=counted,
    )


_DONE_AS_ONE = Case(When(done=True, then=Value(1)), default=Value(0), output_field=IntegerField())


def card_logs(
    user: User,
    patient: Patient,
    day: dt.date,
    exercise_id: str,
    *,
    written: ExerciseLog | None = None,
) -> tuple[list[ExerciseLog], tuple[int, int]]:
    """The latest log of the exercise on ``day`` and the day's (sessions, done) numbers, in one
    query whatever the number of logs. ``written``: the log just saved, which is the latest
    (only the numbers are read)."""
    if written is not None:
        return [written], stamps.sessions_on(patient.pk, day, exercise_id)
    latest = (
        ExerciseLog.objects.for_user(user)
        .filter(patient=patient, day=day, exercise_id=exercise_id)
        .annotate(
            sessions=Window(Count("id")),
            sessions_done=Window(Sum(_DONE_AS_ONE)),
        )
        .order_by("-logged_at", "-id")
        .first()
    )
    if latest is None:
        return [], (0, 0)
    return [latest], (latest.sessions, latest.sessions_done)  # type: ignore[attr-defined]


def logs_by_exercise(logs: Iterable[ExerciseLog]) -> dict[str, list[ExerciseLog]]:
    grouped: dict[str, list[ExerciseLog]] = defaultdict(list)
    for log in logs:
        grouped[log.exercise_id].append(log)
    return grouped


def day_logs(
    user: User, patient: Patient, days: Sequence[dt.date], exercise_id: str | None = None
) -> list[ExerciseLog]:
    """The patient's logs of ``days`` (one query), oldest first."""
    qs = ExerciseLog.objects.for_user(user).filter(patient=patient, day__in=list(days))
    if exercise_id is not None:
        qs = qs.filter(exercise_id=exercise_id)
    return list(qs.order_by("logged_at", "id"))


def item_of(plan: Plan, exercise_id: str) -> HomeItem:
    """The plan's item for ``exercise_id``, or 404: only the plan's own exercises are shown."""
    for item in plan.home_programme:
        if item.exercise_id == exercise_id:
            return item
    raise Http404(exercise_id)


# --- Today ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FormError:
    """One line of the error summary: the field's id, its label and the message."""

    field_id: str
    label: str
    message: str


@dataclass(frozen=True, slots=True)
class TodayPage:
    patient: Patient
    day: dt.date
    record: PlanRecord | None = None
    plan: Plan | None = None
    intake_done: bool = False
    blocked: Blocked | None = None
    starts_on: dt.date | None = None
    cards: tuple[Card, ...] = ()
    other_cards: tuple[Card, ...] = ()
    reading: DayReading | None = None
    pending: tuple[ExerciseLog, ...] = ()
    settled_form: SettledForm | None = None
    flare: CourseDecision | None = None
    errors: tuple[FormError, ...] = field(default=())


def pending_settled(logs: Iterable[ExerciseLog], yesterday: dt.date) -> tuple[ExerciseLog, ...]:
    """Yesterday's sessions done whose next-morning answer is not given yet."""
    return tuple(
        log
        for log in logs
        if log.day == yesterday and log.done and log.pain_settled_next_morning is None
    )


def form_errors(forms: Iterable[Any]) -> tuple[FormError, ...]:
    errors: list[FormError] = []
    for form in forms:
        if form is None or not form.is_bound or not form.errors:
            continue
        errors += [FormError("", "", str(e)) for e in form.non_field_errors()]
        for bound in form:
            errors += [FormError(bound.auto_id, str(bound.label), str(e)) for e in bound.errors]
    return tuple(errors)


@dataclass(frozen=True, slots=True)
class TodayInputs:
    """The rows Today is made from (three queries): the plan, the logs of today and yesterday,
    the recent check-ins. ``key`` names what the page shows, for rendering it once."""

    record: PlanRecord | None
    logs: tuple[ExerciseLog, ...] = ()
    check_ins: tuple[tuple[Any, ...], ...] = ()

    def key(self, user: User, patient: Patient, day: dt.date) -> tuple[Any, ...] | None:
        record = self.record
        if record is None:
            return None  # a page without a plan: rare, rendered every time
        clinic = patient.clinic
        return (
            user.pk, patient.pk, day, record.pk, record.blocked_by_id,
            clinic.pk, clinic.name, clinic.phone,
            tuple((log.id, log.day, log.exercise_id, log.done, log.pain_during, log.difficulty,
                   log.pain_settled_next_morning) for log in self.logs),
            tuple(row[0] for row in self.check_ins),
        )  # fmt: skip


def today_inputs(user: User, patient: Patient, day: dt.date) -> TodayInputs:
    record = active_plan(user, patient)
    if record is None:
        return TodayInputs(None)
    if record.blocked_by_id is not None or plan_of(record).blocked:
        return TodayInputs(record)
    logs = day_logs(user, patient, (day - dt.timedelta(days=1), day))
    return TodayInputs(record, tuple(logs), tuple(recent_check_ins(record, day)))


def today_page(
    user: User,
    patient: Patient,
    day: dt.date,
    *,
    bound: Mapping[str, LogForm] | None = None,
    settled_form: SettledForm | None = None,
    inputs: TodayInputs | None = None,
) -> TodayPage:
    """Everything Today shows, in a fixed number of queries whatever the number of exercises:
    the plan (1), the logs of today and yesterday (1), the recent check-ins (1) and, when there
    are any, the baseline (1, cached). Without a plan: whether the intake is done (1).
    ``inputs`` (``today_inputs``) saves the first three."""
    bound = bound or {}
    if inputs is None:
        inputs = today_inputs(user, patient, day)
    record = inputs.record
    if record is None:
        return TodayPage(patient, day, intake_done=has_assessment(user, patient))
    plan = plan_of(record)
    blocked = blocked_by(record, plan, patient)
    if blocked is not None:
        return TodayPage(patient, day, record, plan, intake_done=True, blocked=blocked)
    yesterday = day - dt.timedelta(days=1)
    logs = inputs.logs
    today_logs = logs_by_exercise(log for log in logs if log.day == day)
    cards = [
        card_for(
            item,
            start=plan.start,
            day=day,
            logs=today_logs.get(item.exercise_id, ()),
            form=bound.get(item.exercise_id),
        )
        for item in plan.home_programme
    ]
    pending = pending_settled(logs, yesterday)
    if pending and settled_form is None:
        settled_form = SettledForm()
    return TodayPage(
        patient,
        day,
        record,
        plan,
        intake_done=True,
        starts_on=plan.start if day < plan.start else None,
        cards=tuple(c for c in cards if c.scheduled),
        other_cards=tuple(c for c in cards if not c.scheduled),
        reading=reading_for(plan, day),
        pending=pending,
        settled_form=settled_form if pending else None,
        flare=flare_up(record, plan, day, inputs.check_ins),
        errors=form_errors([*bound.values(), settled_form]),
    )


# --- my exercises and the flare-up plan ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MyExercise:
    item: HomeItem
    exercise: Exercise | None
    dose: str


def my_exercises(plan: Plan) -> tuple[MyExercise, ...]:
    exercises = catalog().exercises
    return tuple(
        MyExercise(item, exercises.get(item.exercise_id), dose_words(item))
        for item in plan.home_programme
    )
