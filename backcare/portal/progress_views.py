"""The patient's weekly check-in (journey 4) and progress page (journey 5), under /me/.

Check-in: one page (pain now, the patient's own activities, the red-flag questions again, and
every two weeks the disability questionnaire), stored by ``actions.record_check_in``, which
triages it again with the engine and blocks the plan when a doctor is needed first. The done
page leads with that action, in the self-check's words, or thanks the patient and says what
changed since last week.

Progress: pain and function over time with the starting value and the clinically important
change marked (the engine's MCIDs, ``scoring.CHANGE_RULES``), home-exercise adherence week by
week (``progression.next_step``'s adherence), and past and upcoming visits in the patient's time
zone. Charts are server-side SVG (``backcare.care.charts``) with the numbers in a table too.
A constant number of queries, and one audit entry per page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from backcare.accounts.access import patient_only
from backcare.care import actions, charts
from backcare.care.content import public_topics
from backcare.care.models import AssessmentRecord, CheckIn, Episode, Patient, PlanRecord, Visit
from backcare.engine.intake import (
    Intake,
    OdiAnswers,
    OdiVariant,
    PsfsItem,
    RmdqAnswers,
    parse_intake,
)
from backcare.engine.plan import parse_plan
from backcare.engine.planning import BLOCKING_LEVELS
from backcare.engine.progression import Baseline, baseline_from_intake, check_in_intake, next_step
from backcare.engine.progression import CheckIn as EngineCheckIn
from backcare.engine.progression import ExerciseLog as EngineExerciseLog
from backcare.engine.questionnaires import Questionnaire
from backcare.engine.scoring import (
    Instrument,
    Status,
    Verdict,
    change_rule,
    compare,
    score_odi,
    score_psfs,
    score_rmdq,
)
from backcare.engine.triage import INCOMPLETE, SCREEN, Level, triage
from backcare.engine.validation import InvalidDocument, parse_document
from backcare.portal.progress_forms import RED_FLAG_QUESTIONS, CheckInForm, disability_due
from backcare.portal.views import HEADLINES, TOPICS_BY_LEVEL

# The engine's "the safety check is not finished" sentence and the questions it lists
# (as the self-check's result page splits them from the advice).
_INCOMPLETE_PARTS = frozenset({INCOMPLETE, *(q.ask for q in SCREEN if q.cauda_equina)})


def now() -> dt.datetime:
    """The current time (one place, so tests can move the clock of these pages)."""
    return timezone.now()


def _patient(request: HttpRequest) -> Patient:
    found = Patient.objects.for_user(request.user).select_related("clinic").first()
    if found is None:
        raise Http404("no patient record")
    return found


def _first_intake(episode_id: int) -> AssessmentRecord | None:
    return (
        AssessmentRecord.objects.filter(episode_id=episode_id, kind=AssessmentRecord.Kind.INTAKE)
        .only("id", "intake", "created_at")
        .order_by("id")
        .first()
    )


def _baseline(record: AssessmentRecord | None) -> tuple[Intake | None, Baseline | None]:
    """The episode's first intake and its baseline, as actions.record_check_in uses them."""
    if record is None:
        return None, None
    intake = parse_intake(record.intake)
    return intake, baseline_from_intake(intake, date=record.created_at.date())


# --- scores of stored answers (the engine's scoring) ----------------------------------------


# Each reader takes the stored JSON of a check-in or the engine's object of the baseline.


def _odi_answers(data: Any) -> OdiAnswers | None:
    if not data or isinstance(data, OdiAnswers):
        return data or None
    variant = data.get("variant")
    return OdiAnswers(
        variant=OdiVariant(variant) if variant else None, answers=tuple(data["answers"])
    )


def _odi_percent(data: Any) -> float | None:
    answers = _odi_answers(data)
    if answers is None:
        return None
    result = score_odi(answers)
    return None if result.status is Status.NOT_SCORED else result.percent


def _odi_variant(data: Any) -> OdiVariant | None:
    answers = _odi_answers(data)
    return answers.variant if answers is not None else None


def _rmdq_total(data: Any) -> float | None:
    if not data:
        return None
    answers = data if isinstance(data, RmdqAnswers) else RmdqAnswers(tuple(data["answers"]))
    return float(score_rmdq(answers).total)


def _psfs_mean(data: Any) -> float | None:
    if not data:
        return None
    items = [
        i if isinstance(i, PsfsItem) else PsfsItem(activity=i.get("activity"), score=i.get("score"))
        for i in data
    ]
    return score_psfs(items).mean


def _nprs(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True, slots=True)
class _Measure:
    """One instrument as the pages show it."""

    instrument: Instrument
    field: str  # the CheckIn column (and Questionnaires field) it reads
    read: Callable[[Any], float | None]
    name: Promise  # "Pain", in plain words
    axis: Promise
    unit: str  # "" or " %"


MEASURES: tuple[_Measure, ...] = (
    _Measure(Instrument.NPRS, "nprs", _nprs, _("Pain"), _("Pain, 0 to 10"), ""),
    _Measure(
        Instrument.ODI,
        "odi",
        _odi_percent,
        _("Everyday life (ODI)"),
        _("How much back pain gets in the way, %"),
        " %",
    ),
    _Measure(
        Instrument.RMDQ,
        "rmdq",
        _rmdq_total,
        _("Everyday life (RMDQ)"),
        _("Things back pain makes hard, 0 to 24"),
        "",
    ),
    _Measure(
        Instrument.PSFS,
        "psfs",
        _psfs_mean,
        _("Your own activities (PSFS)"),
        _("How well you can do them, 0 to 10"),
        "",
    ),
)


def _num(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


# --- the weekly check-in -------------------------------------------------------------------


def _disability_questionnaire(patient: Patient, intake: Intake | None) -> Questionnaire | None:
    """The disability questionnaire the intake used: its ODI variant, or the RMDQ when the
    intake had only that; the ODI 2.1a when it had neither (design.md asks ODI or RMDQ)."""
    scores = intake.questionnaires if intake is not None else None
    wanted: tuple[Instrument, OdiVariant | None] = (Instrument.ODI, OdiVariant.V21A)
    if scores is not None and scores.odi is not None:
        wanted = (Instrument.ODI, scores.odi.variant or OdiVariant.V21A)
    elif scores is not None and scores.rmdq is not None:
        wanted = (Instrument.RMDQ, None)
    for questionnaire in actions.clinic_questionnaires(patient.clinic).values():
        if (questionnaire.instrument, questionnaire.variant) == wanted:
            return questionnaire
    return None


@patient_only
@require_http_methods(["GET", "POST"])
def check_in(request: HttpRequest) -> HttpResponse:
    patient = _patient(request)
    episode = patient.episodes.filter(status=Episode.Status.ACTIVE).first()
    if episode is None:
        return render(request, "portal/check_in_unavailable.html", {"patient": patient})
    intake, _base = _baseline(_first_intake(episode.pk))
    moment = now()
    today = patient.today(moment)
    last_asked = CheckIn.objects.filter(
        Q(odi__isnull=False) | Q(rmdq__isnull=False), episode=episode
    ).aggregate(last=Max("day"))["last"]
    due = disability_due(episode.opened_on, today, last_asked)
    disability = _disability_questionnaire(patient, intake) if due else None
    psfs = intake.questionnaires.psfs if intake is not None else None
    activities = [item.activity or "" for item in psfs or ()]
    form = CheckInForm(
        request.POST if request.method == "POST" else None,
        psfs_activities=activities,
        disability=disability,
    )
    if request.method == "POST" and form.is_valid():
        try:
            record = actions.record_check_in(
                patient=patient,
                by=request.user,  # type: ignore[arg-type]
                red_flag_screen=form.red_flag_screen(),
                nprs=form.nprs(),
                psfs=form.psfs(),
                odi=form.odi(),
                rmdq=form.rmdq(),
                day=today,
                now=moment,
            )
        except InvalidDocument:
            # The form checks every answer, so this means a bug, not a typing slip.
            form.add_error(
                None, gettext("We could not save these answers. Please check them and try again.")
            )
        except actions.ActionRefused as error:
            form.add_error(None, str(error))
        else:
            return redirect("progress:check_in_done", check_in_id=record.pk)
    actions.record_read(by=request.user, obj=episode, patient=patient, now=moment)  # type: ignore[arg-type]
    return render(
        request,
        "portal/check_in.html",
        {"form": form, "disability": disability, "today": today},
    )


def _change_words(now: float, before: float, unit: str) -> str:
    if now == before:
        return gettext("the same")
    difference = _num(abs(now - before)) + unit
    if now < before:
        return gettext("down %(difference)s") % {"difference": difference}
    return gettext("up %(difference)s") % {"difference": difference}


@dataclass(frozen=True, slots=True)
class _Row:
    name: str
    now: str
    before: str
    change: str


def _changes_since(
    this: CheckIn, previous: CheckIn | None, baseline: Baseline | None
) -> tuple[list[_Row], bool]:
    """This check-in's scores beside the last check-in's (or the start's, for the first one).
    Returns the rows and whether they compare with the start."""
    rows: list[_Row] = []
    from_start = previous is None
    for measure in MEASURES:
        now = measure.read(getattr(this, measure.field))
        if now is None:
            continue
        if previous is not None:
            before = measure.read(getattr(previous, measure.field))
        else:
            before = measure.read(getattr(baseline, measure.field)) if baseline else None
        if before is None:
            rows.append(_Row(str(measure.name), _num(now) + measure.unit, "–", "–"))
            continue
        rows.append(
            _Row(
                str(measure.name),
                _num(now) + measure.unit,
                _num(before) + measure.unit,
                _change_words(now, before, measure.unit),
            )
        )
    return rows, from_start


@patient_only
@require_GET
def check_in_done(request: HttpRequest, check_in_id: int) -> HttpResponse:
    record = get_object_or_404(
        CheckIn.objects.for_user(request.user).select_related("patient"), pk=check_in_id
    )
    patient = record.patient
    previous = (
        CheckIn.objects.filter(episode_id=record.episode_id, pk__lt=record.pk)
        .order_by("-pk")
        .first()
    )
    _intake, baseline = _baseline(_first_intake(record.episode_id))
    level = Level(record.triage_level)
    # The advice in separate messages, to translate one by one: the engine's triage run again
    # on the stored answers, as record_check_in ran it (same answers, same baseline).
    engine_check_in = parse_document(
        EngineCheckIn,
        {
            "date": record.day.isoformat(),
            "nprs": record.nprs,
            "red_flag_screen": record.red_flag_screen,
        },
    )
    outcome = triage(check_in_intake(engine_check_in, baseline))
    emergency = level is Level.EMERGENCY
    incomplete = (
        [] if emergency else [gettext(p) for p in outcome.advice_parts if p in _INCOMPLETE_PARTS]
    )
    advice = [gettext(p) for p in outcome.advice_parts if p not in _INCOMPLETE_PARTS]
    flags = [gettext(flag["reason"]) for flag in record.triage.get("flags", [])]
    not_sure = [
        str(q.label)
        for q in RED_FLAG_QUESTIONS
        if q.path.split(".", 1)[1] not in record.red_flag_screen
    ]
    rows, from_start = _changes_since(record, previous, baseline)
    # Reading for the doctor levels only (the self-check's list); a routine check-in needs none.
    topics = public_topics() if level.needs_doctor else {}
    actions.record_read(by=request.user, obj=record, patient=patient, now=now())  # type: ignore[arg-type]
    return render(
        request,
        "portal/check_in_done.html",
        {
            "check_in": record,
            "level": level.value,
            "needs_doctor": level.needs_doctor,
            "emergency": emergency,
            "blocks_plan": level in BLOCKING_LEVELS,
            "headline": HEADLINES[level],
            "advice": advice,
            "incomplete": incomplete,
            "flags": flags,
            "not_sure": not_sure,
            "rows": rows,
            "from_start": from_start,
            "topics": [topics[t] for t in TOPICS_BY_LEVEL[level] if t in topics],
        },
    )


# --- progress ------------------------------------------------------------------------------


def important_level(instrument: Instrument, baseline: float, variant: OdiVariant | None) -> float:
    """The score at which the change from ``baseline`` becomes one that matters (the better
    direction), clamped to the scale.

    The engine judges a change as important when it reaches EITHER the instrument's points
    OR its percent of the baseline (scoring.compare; clinical-facts §1.8 [synthesis]), so the
    line sits at the nearer of the two. Thresholds from scoring.CHANGE_RULES: NPRS 2 points or
    30 % (Childs 2005 [src]; Ostelo 2008), ODI 10 points or 30 % (6 for the modified ODI,
    Fritz & Irrgang 2001 [sec]), RMDQ 5 points or 30 % (Ostelo 2008), PSFS 2 points
    [uncertain] (clinical-facts §1.5, §1.8).
    """
    rule = change_rule(instrument, variant)
    size = float(rule.points or 0)
    if rule.percent is not None and baseline > 0:
        size = min(size, baseline * rule.percent / 100)
    if rule.higher_is_better:
        return min(rule.high, baseline + size)
    return max(rule.low, baseline - size)


_SUMMARIES: dict[tuple[Instrument, Verdict], Promise] = {
    (Instrument.NPRS, Verdict.IMPROVED): _(
        "Your pain has come down by %(change)s points since you started, from %(before)s to "
        "%(after)s: that is a change that matters."
    ),
    (Instrument.NPRS, Verdict.NO_IMPORTANT_CHANGE): _(
        "Your pain was %(before)s when you started and is %(after)s now. That is not yet a "
        "change that matters. Keep going, and talk to your physical therapist if it does not "
        "improve."
    ),
    (Instrument.NPRS, Verdict.WORSE): _(
        "Your pain has gone up by %(change)s points since you started, from %(before)s to "
        "%(after)s. Please tell your physical therapist."
    ),
    (Instrument.ODI, Verdict.IMPROVED): _(
        "How much back pain gets in the way of everyday life has come down from %(before)s %% "
        "to %(after)s %%: that is a change that matters."
    ),
    (Instrument.ODI, Verdict.NO_IMPORTANT_CHANGE): _(
        "How much back pain gets in the way of everyday life was %(before)s %% and is "
        "%(after)s %% now. That is not yet a change that matters."
    ),
    (Instrument.ODI, Verdict.WORSE): _(
        "Back pain gets in the way of everyday life more than when you started: %(after)s %% "
        "now, %(before)s %% then. Please tell your physical therapist."
    ),
    (Instrument.RMDQ, Verdict.IMPROVED): _(
        "Back pain now makes %(after)s things hard, down from %(before)s when you started: "
        "that is a change that matters."
    ),
    (Instrument.RMDQ, Verdict.NO_IMPORTANT_CHANGE): _(
        "Back pain made %(before)s things hard when you started and %(after)s now. That is "
        "not yet a change that matters."
    ),
    (Instrument.RMDQ, Verdict.WORSE): _(
        "Back pain now makes %(after)s things hard, up from %(before)s when you started. "
        "Please tell your physical therapist."
    ),
    (Instrument.PSFS, Verdict.IMPROVED): _(
        "You rate your own activities %(after)s out of 10 now, up from %(before)s: that is a "
        "change that matters."
    ),
    (Instrument.PSFS, Verdict.NO_IMPORTANT_CHANGE): _(
        "You rated your own activities %(before)s out of 10 when you started and %(after)s "
        "now. That is not yet a change that matters."
    ),
    (Instrument.PSFS, Verdict.WORSE): _(
        "You rate your own activities %(after)s out of 10 now, down from %(before)s. Please "
        "tell your physical therapist."
    ),
}


@dataclass(frozen=True, slots=True)
class ChartView:
    """A chart as the page shows it: heading, plain-words summary, SVG and the numbers."""

    id: str
    heading: str
    summary: str
    svg: SafeString
    table: SafeString


def _measure_chart(
    measure: _Measure,
    baseline: Baseline | None,
    check_ins: Sequence[CheckIn],
) -> ChartView | None:
    rule = change_rule(measure.instrument)
    start_value = measure.read(getattr(baseline, measure.field)) if baseline else None
    is_odi = measure.instrument is Instrument.ODI
    variant = baseline.odi.variant if is_odi and baseline and baseline.odi else None
    points: list[tuple[dt.date, float]] = []
    if baseline is not None and start_value is not None:
        points.append((baseline.date, start_value))
    for record in check_ins:
        value = measure.read(getattr(record, measure.field))
        if value is not None:
            points.append((record.day, value))
            if is_odi and variant is None:
                variant = _odi_variant(record.odi)
    if not points:
        return None
    bands: list[charts.Band] = []
    references: list[charts.Reference] = []
    name = str(measure.name)
    if start_value is None:
        summary = gettext("There is no score from when you started to compare with.")
    else:
        line = important_level(measure.instrument, start_value, variant)
        references.append(
            charts.Reference(
                start_value,
                gettext("Start: %(value)s") % {"value": _num(start_value) + measure.unit},
            )
        )
        label = gettext("A change that matters")
        if rule.higher_is_better and line > start_value:
            bands.append(charts.Band(line, rule.high, label))
        elif not rule.higher_is_better and line < start_value:
            bands.append(charts.Band(rule.low, line, label))
        latest = points[-1][1] if len(points) > 1 else None
        if latest is None:
            summary = gettext(
                "You started at %(value)s. Check in each week to see how it changes."
            ) % {"value": _num(start_value) + measure.unit}
        else:
            change = compare(measure.instrument, start_value, latest, variant=variant)
            summary = str(_SUMMARIES[measure.instrument, change.verdict]) % {
                "change": _num(abs(change.difference)),
                "before": _num(start_value),
                "after": _num(latest),
            }
    series = [charts.Series(name, points)]
    description = (
        gettext("The shaded area is a change that matters, compared with your start.")
        if bands
        else ""
    )
    svg = charts.line_chart(
        series,
        y_min=rule.low,
        y_max=rule.high,
        y_label=str(measure.axis),
        title=name,
        description=" ".join(t for t in (summary, description) if t),
        bands=bands,
        references=references,
        chart_id=f"chart-{measure.field}",
    )
    table = charts.line_table(series, caption=name, x_label=gettext("Date"))
    return ChartView(f"chart-{measure.field}", name, summary, svg, table)


def _adherence_chart(
    plan_record: PlanRecord | None, patient: Patient, today: dt.date
) -> ChartView | None:
    if plan_record is None:
        return None
    plan = parse_plan(plan_record.plan)
    sessions = [
        EngineExerciseLog(date=day, exercise_id=exercise_id, done=True)
        for day, exercise_id in patient.exercise_logs.filter(plan=plan_record, done=True)
        .values_list("day", "exercise_id")
        .iterator()
    ]
    weeks = next_step(plan, sessions, (), today=today).adherence
    heading = gettext("Home exercises")
    if not weeks:
        return ChartView(
            "chart-adherence",
            heading,
            gettext("Your first full week of home exercises is not over yet."),
            SafeString(""),
            SafeString(""),
        )
    bars = [
        charts.Bar(
            gettext("Week %(n)s") % {"n": week.week},
            week.percent,
            gettext("%(percent)s %%") % {"percent": week.percent},
        )
        for week in weeks
    ]
    last = weeks[-1]
    summary = gettext(
        "In your last full week you did %(done)s of your %(prescribed)s home sessions "
        "(%(percent)s %%)."
    ) % {"done": last.done, "prescribed": last.prescribed, "percent": last.percent}
    svg = charts.bar_chart(
        bars,
        y_max=100,
        y_label=gettext("Sessions done, %"),
        title=heading,
        description=summary,
        chart_id="chart-adherence",
    )
    table_bars = [
        charts.Bar(
            bar.label,
            bar.value,
            gettext("%(done)s of %(prescribed)s (%(percent)s %%)")
            % {"done": week.done, "prescribed": week.prescribed, "percent": week.percent},
        )
        for bar, week in zip(bars, weeks, strict=True)
    ]
    table = charts.bar_table(
        table_bars,
        caption=heading,
        label_header=gettext("Week"),
        value_header=gettext("Sessions done"),
    )
    return ChartView("chart-adherence", heading, summary, svg, table)


@dataclass(frozen=True, slots=True)
class _VisitRow:
    starts: dt.datetime  # aware; the template shows it in the patient's time zone
    clinician: str
    status: str
    pk: int


_VISIT_STATUS: dict[str, Promise] = {
    Visit.Status.PLANNED: _("Booked"),
    Visit.Status.ATTENDED: _("You came"),
    Visit.Status.CANCELLED: _("Cancelled"),
    Visit.Status.MISSED: _("Missed"),
}


@patient_only
@require_GET
def progress(request: HttpRequest) -> HttpResponse:
    patient = _patient(request)
    moment = now()
    today = patient.today(moment)
    episode = patient.episodes.order_by("-opened_on", "-pk").first()
    if episode is None:
        return render(request, "portal/progress_empty.html", {"patient": patient})
    _intake, baseline = _baseline(_first_intake(episode.pk))
    check_ins = list(
        CheckIn.objects.filter(episode=episode)
        .only("id", "day", "nprs", "psfs", "odi", "rmdq", "triage_level")
        .order_by("day", "pk")
    )
    plan_record = (
        PlanRecord.objects.for_user(request.user)
        .filter(episode=episode, status=PlanRecord.Status.PUBLISHED)
        .only("id", "plan")
        .first()
    )
    # One disability questionnaire: the one the check-ins ask (ODI when the intake had it,
    # else the RMDQ; see _disability_questionnaire), not both.
    uses_odi = (baseline is not None and baseline.odi is not None) or any(c.odi for c in check_ins)
    skip = Instrument.RMDQ if uses_odi else Instrument.ODI
    measures = [
        chart
        for measure in MEASURES
        if measure.instrument is not skip
        and (chart := _measure_chart(measure, baseline, check_ins)) is not None
    ]
    adherence = _adherence_chart(plan_record, patient, today)
    past: list[_VisitRow] = []
    upcoming: list[_VisitRow] = []
    for visit in (
        Visit.objects.for_user(request.user).filter(episode=episode).select_related("clinician")
    ):
        row = _VisitRow(
            visit.starts_at,
            visit.clinician.get_full_name() or visit.clinician.username,
            str(_VISIT_STATUS[visit.status]),
            visit.pk,
        )
        if visit.starts_at >= moment and visit.status == Visit.Status.PLANNED:
            upcoming.append(row)
        elif visit.starts_at < moment:
            past.append(row)
    actions.record_read(by=request.user, obj=episode, patient=patient, now=moment)  # type: ignore[arg-type]
    return render(
        request,
        "portal/progress.html",
        {
            "patient": patient,
            "episode": episode,
            "charts": measures,
            "adherence": adherence,
            "past_visits": past[::-1],
            "upcoming_visits": upcoming,
            "check_in_count": len(check_ins),
            "last_check_in": check_ins[-1] if check_ins else None,
            "today": today,
            "time_zone": patient.timezone,
        },
    )
