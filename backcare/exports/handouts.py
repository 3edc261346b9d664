"""Printable handouts: the patient's home programme and the progress report for a referrer.

One template per handout serves the screen and the printer: ``handout_views.py`` renders the
same HTML as a web page or, through WeasyPrint, as a PDF (print CSS: backcare/static/backcare/
print.css). This module gathers what the handouts show, in a fixed number of queries:

- ``programme(user, patient, now=...)``: the published plan's exercises with their still figures
  (start and end positions, engine/gallery.py), dose in words, steps, what to feel and when to
  stop; the week's schedule; the flare-up plan (engine progression.FLARE_UP_PLAN); when to get
  urgent help (triage.SAFETY_NET and the "warning-signs" education topic); the clinic's contact.
- ``report(user, patient, now=...)``: baseline and latest scores judged by the engine's
  clinically important change rules (scoring.compare, CHANGE_RULES, clinical-facts §1.8),
  charts (care/charts.py), visits attended, techniques used (SessionNote.techniques), the plan
  and the engine's next steps (care/alerts.py -> progression.next_step), clinician and clinic.

Everything is read through ``.for_user(user)``: the caller has already fetched ``patient`` that
way. Clinical rules are the engine's; this module only words and arranges them.
"""

from __future__ import annotations

import datetime as dt
import functools
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.functional import Promise
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from backcare.accounts.models import User
from backcare.care import actions, alerts, charts
from backcare.care.content import figures, public_topics, render_topic
from backcare.care.models import (
    AssessmentRecord,
    CheckIn,
    Clinic,
    Episode,
    Patient,
    PlanRecord,
    SessionNote,
    Visit,
)
from backcare.care.schedule import DAYS_IN_WEEK, dose_words, training_days
from backcare.engine.catalog import Aim, Exercise
from backcare.engine.intake import OdiVariant, Questionnaires
from backcare.engine.plan import HomeItem, Plan, parse_plan
from backcare.engine.progression import FLARE_UP_PLAN, CourseAction
from backcare.engine.scoring import (
    Instrument,
    NoEstablishedMcid,
    Scores,
    Status,
    Verdict,
    change_rule,
    compare,
    score_all,
)
from backcare.engine.triage import SAFETY_NET
from backcare.engine.validation import InvalidDocument, parse_document

# --- paper ---------------------------------------------------------------------------------------


class Paper(StrEnum):
    A4 = "a4"
    LETTER = "letter"


# The CSS @page size of each paper, and its name on the page.
PAGE_SIZE: Mapping[Paper, str] = {Paper.A4: "A4", Paper.LETTER: "letter"}
PAPER_LABEL: Mapping[Paper, Promise] = {
    Paper.A4: gettext_lazy("A4"),
    Paper.LETTER: gettext_lazy("US Letter"),
}

# The countries (ISO 3166 codes) where US Letter is the usual office paper; everywhere else uses
# ISO 216 A4. Not a clinical rule: the list of the Letter size's users (US, Canada, Mexico, the
# Philippines and several Central and South American countries).
LETTER_COUNTRIES = frozenset(
    {"US", "CA", "MX", "PH", "CL", "CO", "VE", "GT", "CR", "PA", "DO", "SV", "NI", "PR"}
)


@functools.cache
def _zone_countries() -> dict[str, str]:
    """IANA time zone -> country code, from the tz database's zone.tab."""
    text = ""
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        for folder in zoneinfo.TZPATH:
            path = Path(folder) / "zone.tab"
            if path.is_file():
                text = path.read_text("utf-8")
                break
    countries: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            fields = line.split("\t")
            if len(fields) >= 3:
                countries[fields[2]] = fields[0]
    return countries


def default_paper(timezone: str) -> Paper:
    """Letter where the time zone's country uses it, A4 everywhere else (and when unknown)."""
    return Paper.LETTER if _zone_countries().get(timezone) in LETTER_COUNTRIES else Paper.A4


def paper_for(value: str | None, timezone: str) -> Paper:
    """The paper asked for (``?paper=a4|letter``); anything else means the default of the place,
    as an unknown filter value is ignored elsewhere on the site."""
    if value in (Paper.A4.value, Paper.LETTER.value):
        return Paper(value)
    return default_paper(timezone)


# --- the week --------------------------------------------------------------------------------

# --- who and where ---------------------------------------------------------------------------


def person_name(user: User) -> str:
    return user.get_full_name() or user.username


@dataclass(frozen=True, slots=True)
class Contact:
    """How to reach the clinic: its name, phone, address and the patient's clinician."""

    clinic: Clinic
    clinician: str

    @property
    def address_lines(self) -> list[str]:
        return [line.strip() for line in self.clinic.address.splitlines() if line.strip()]


# --- the home programme ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HandoutExercise:
    """One exercise of the plan as the handout shows it."""

    number: int
    item: HomeItem
    exercise: Exercise | None
    dose: str
    still: SafeString
    days: frozenset[int]


@dataclass(frozen=True, slots=True)
class ScheduleRow:
    """One exercise over the plan's week: how many times on each of the 7 days (0 = rest)."""

    number: int
    name: str
    times: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Programme:
    patient: Patient
    contact: Contact
    record: PlanRecord | None
    plan: Plan | None
    on_hold: bool
    on_hold_reasons: tuple[str, ...]
    exercises: tuple[HandoutExercise, ...]
    week: tuple[dt.date, ...]
    schedule: tuple[ScheduleRow, ...]
    minutes_per_day: int
    flare_steps: tuple[str, ...]
    easing: tuple[str, ...]
    safety_net: str
    warning_title: str
    warning_body: SafeString | str
    made_on: dt.date
    paper: Paper


WARNING_TOPIC = "warning-signs"  # content/education/warning-signs.md


def published_plan(user: User, patient: Patient) -> PlanRecord | None:
    """The plan the patient follows now: the open episode's published plan, or after discharge
    the last one published (as the patient's own pages choose it). One query."""
    return (
        PlanRecord.objects.for_user(user)
        .published()
        .filter(episode__patient=patient)
        .select_related("blocked_by")
        .order_by("-published_at", "-id")
        .first()
    )


def _on_hold(record: PlanRecord, plan: Plan) -> tuple[bool, tuple[str, ...]]:
    """A plan blocked by the engine or by a later check-in's red flags: no exercises."""
    check_in = record.blocked_by
    if check_in is not None:
        advice = str((check_in.triage or {}).get("advice") or "")
        return True, (_(advice),) if advice else ()
    if plan.blocked:
        return True, (_(plan.blocked_reason),) if plan.blocked_reason else ()
    return False, ()


def _exercises(plan: Plan) -> tuple[HandoutExercise, ...]:
    library = actions.content().catalog.exercises
    shown = []
    for number, item in enumerate(plan.home_programme, start=1):
        exercise = library.get(item.exercise_id)
        still = figures(exercise)[0] if exercise is not None else SafeString("")
        days = training_days(item.dose.days_a_week)
        shown.append(HandoutExercise(number, item, exercise, dose_words(item), still, days))
    return tuple(shown)


def programme(user: User, patient: Patient, *, now: dt.datetime, paper: Paper) -> Programme:
    """Everything the home-programme handout shows (one query: the plan)."""
    record = published_plan(user, patient)
    plan = parse_plan(record.plan) if record is not None else None
    on_hold, reasons = _on_hold(record, plan) if record and plan else (False, ())
    exercises = _exercises(plan) if plan is not None and not on_hold else ()
    start = plan.start if plan is not None else patient.today(now)
    week = tuple(start + dt.timedelta(days=i) for i in range(DAYS_IN_WEEK))
    schedule = tuple(
        ScheduleRow(
            e.number,
            e.item.name,
            tuple(e.item.dose.times_a_day if i in e.days else 0 for i in range(DAYS_IN_WEEK)),
        )
        for e in exercises
    )
    topic = public_topics().get(WARNING_TOPIC)
    return Programme(
        patient=patient,
        contact=Contact(patient.clinic, person_name(patient.clinician)),
        record=record,
        plan=plan,
        on_hold=on_hold,
        on_hold_reasons=reasons,
        exercises=exercises,
        week=week,
        schedule=schedule,
        minutes_per_day=plan.minutes_per_day if plan is not None and not on_hold else 0,
        flare_steps=tuple(_(step) for step in FLARE_UP_PLAN),
        easing=tuple(e.item.name for e in exercises if Aim.PAIN_REDUCTION in e.item.aims),
        safety_net=_(SAFETY_NET),
        warning_title=topic.title if topic is not None else _("Warning signs"),
        warning_body=render_topic(topic) if topic is not None else "",
        made_on=patient.today(now),
        paper=paper,
    )


# --- the progress report ---------------------------------------------------------------------

NAMES: Mapping[Instrument, str] = {
    Instrument.NPRS: "NPRS",
    Instrument.ODI: "ODI",
    Instrument.RMDQ: "RMDQ",
    Instrument.PSFS: "PSFS",
    Instrument.STARTBACK: "STarT Back",
    Instrument.FABQ: "FABQ",
}
DESCRIPTIONS: Mapping[Instrument, Promise] = {
    Instrument.NPRS: gettext_lazy("Pain now, 0-10 (lower is better)"),
    Instrument.ODI: gettext_lazy("Oswestry Disability Index, % (lower is better)"),
    Instrument.RMDQ: gettext_lazy("Roland-Morris Disability Questionnaire, 0-24 (lower is better)"),
    Instrument.PSFS: gettext_lazy(
        "Patient-Specific Functional Scale, mean 0-10 (higher is better)"
    ),
    Instrument.STARTBACK: gettext_lazy("STarT Back Screening Tool: risk group"),
    Instrument.FABQ: gettext_lazy("Fear-Avoidance Beliefs Questionnaire"),
}
VERDICT_LABELS: Mapping[Verdict, Promise] = {
    Verdict.IMPROVED: gettext_lazy("Improved (clinically important)"),
    Verdict.NO_IMPORTANT_CHANGE: gettext_lazy("No clinically important change"),
    Verdict.WORSE: gettext_lazy("Worse (clinically important)"),
}
# A text mark beside the verdict, so it never rests on colour alone.
VERDICT_MARKS: Mapping[Verdict, str] = {
    Verdict.IMPROVED: "▲",
    Verdict.NO_IMPORTANT_CHANGE: "■",
    Verdict.WORSE: "▼",
}
NOT_RECORDED = gettext_lazy("not recorded")  # a planned visit whose time has passed
VISIT_LABELS: Mapping[str, Promise] = {
    Visit.Status.PLANNED: gettext_lazy("planned"),
    Visit.Status.ATTENDED: gettext_lazy("attended"),
    Visit.Status.MISSED: gettext_lazy("missed"),
    Visit.Status.CANCELLED: gettext_lazy("cancelled"),
}


@dataclass(frozen=True, slots=True)
class ScoreLine:
    """One instrument at baseline and latest. ``verdict`` is None when the engine does not judge
    change for it (STarT Back, FABQ: no established MCID) or a score is missing."""

    instrument: Instrument
    name: str
    description: str
    baseline: str
    latest: str
    difference: str
    verdict: Verdict | None
    verdict_label: str
    mark: str
    threshold: str
    note: str


def _fmt(value: float | None, suffix: str = "") -> str:
    return "" if value is None else f"{value:g}{suffix}"


def _signed(value: float) -> str:
    return f"{value:+g}"


def _threshold(instrument: Instrument, variant: OdiVariant | None) -> str:
    rule = change_rule(instrument, variant)
    if rule.points is None:
        return ""
    if rule.percent is None:
        return _("%(points)s points") % {"points": f"{rule.points:g}"}
    return _("%(points)s points or %(percent)s %% of baseline") % {
        "points": f"{rule.points:g}",
        "percent": f"{rule.percent:g}",
    }


def _judged(
    instrument: Instrument,
    before: float | None,
    after: float | None,
    suffix: str = "",
    variant: OdiVariant | None = None,
) -> ScoreLine:
    """A line judged by the engine's scoring.compare (clinical-facts §1.8)."""
    shown = (_fmt(before, suffix), _fmt(after, suffix))
    threshold = _threshold(instrument, variant)
    name, description = NAMES[instrument], str(DESCRIPTIONS[instrument])
    if before is None or after is None:
        missing = _("Not measured at both times.")
        return ScoreLine(
            instrument, name, description, *shown, "", None, missing, "", threshold, ""
        )
    change = compare(instrument, before, after, variant=variant)
    difference = _signed(change.difference)  # scale points (ODI: percentage points)
    if change.percent_change is not None:
        difference += f" ({change.percent_change:+g} %)"
    return ScoreLine(
        instrument,
        name,
        description,
        *shown,
        difference,
        change.verdict,
        str(VERDICT_LABELS[change.verdict]),
        VERDICT_MARKS[change.verdict],
        threshold,
        "",
    )


def _unjudged(instrument: Instrument, before: str, after: str) -> ScoreLine:
    """STarT Back and FABQ: side by side, with the engine's note on why they are not judged."""
    rule = change_rule(instrument)
    note = rule.note
    try:
        compare(instrument, rule.low, rule.low)
    except NoEstablishedMcid as none:
        note = str(none)
    return ScoreLine(
        instrument,
        NAMES[instrument],
        str(DESCRIPTIONS[instrument]),
        before,
        after,
        "",
        None,
        _("Not judged"),
        "",
        "",
        _(note),
    )


def _risk(scores: Scores) -> str:
    sb = scores.startback
    if sb is None or sb.status is Status.NOT_SCORED or sb.risk is None:
        return ""
    return _("%(risk)s risk (%(total)d)") % {"risk": sb.risk.value, "total": sb.total}


def _fabq(scores: Scores) -> str:
    fabq = scores.fabq
    if fabq is None:
        return ""
    parts = []
    if fabq.physical_activity is not None:
        parts.append(_("physical activity %(n)d") % {"n": fabq.physical_activity})
    if fabq.work is not None:
        parts.append(_("work %(n)d") % {"n": fabq.work})
    return ", ".join(parts)


def _odi(scores: Scores) -> float | None:
    odi = scores.odi
    return odi.percent if odi is not None and odi.status is not Status.NOT_SCORED else None


def score_lines(baseline: Scores, latest: Scores) -> tuple[ScoreLine, ...]:
    """Each instrument measured at baseline or later, judged with scoring.compare. The ODI is
    judged with the baseline's variant (2.1a: 10 points; modified: 6; clinical-facts §1.2,
    §1.8)."""
    b, f = baseline, latest
    lines: list[ScoreLine] = []
    if b.nprs is not None or f.nprs is not None:
        before = None if b.nprs is None else float(b.nprs.value)
        after = None if f.nprs is None else float(f.nprs.value)
        lines.append(_judged(Instrument.NPRS, before, after))
    if b.odi is not None or f.odi is not None:
        variant = (b.odi or f.odi).variant  # type: ignore[union-attr]
        lines.append(_judged(Instrument.ODI, _odi(b), _odi(f), " %", variant))
    if b.rmdq is not None or f.rmdq is not None:
        before = None if b.rmdq is None else float(b.rmdq.total)
        after = None if f.rmdq is None else float(f.rmdq.total)
        lines.append(_judged(Instrument.RMDQ, before, after))
    if b.psfs is not None or f.psfs is not None:
        lines.append(
            _judged(
                Instrument.PSFS, b.psfs.mean if b.psfs else None, f.psfs.mean if f.psfs else None
            )
        )
    for instrument, shown in ((Instrument.STARTBACK, _risk), (Instrument.FABQ, _fabq)):
        said = (shown(b), shown(f))
        if any(said):
            lines.append(_unjudged(instrument, *said))
    return tuple(lines)


def _scores(questionnaires: Mapping[str, Any]) -> Scores:
    return score_all(parse_document(Questionnaires, dict(questionnaires)))


def latest_questionnaires(latest: AssessmentRecord, check_ins: Sequence[CheckIn]) -> dict[str, Any]:
    """The latest assessment's questionnaires, with each instrument a later check-in measured
    taken from the latest such check-in (as the clinician's discharge page merges them)."""
    questionnaires = dict(latest.intake.get("questionnaires") or {})
    for check_in in check_ins:  # oldest first: the latest value wins
        if check_in.created_at <= latest.created_at:
            continue
        for name in ("nprs", "psfs", "odi", "rmdq"):
            value = getattr(check_in, name)
            if value is not None:
                questionnaires[name] = value
    return questionnaires


@dataclass(frozen=True, slots=True)
class Chart:
    id: str
    title: str
    svg: SafeString
    table: SafeString


@dataclass(frozen=True, slots=True)
class VisitLine:
    at: dt.datetime
    status: str
    clinician: str
    techniques: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TechniqueUse:
    name: str
    sessions: int
    responses: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PlanLine:
    name: str
    level: int
    dose: str


@dataclass(frozen=True, slots=True)
class Report:
    patient: Patient
    contact: Contact
    episode: Episode | None
    baseline: AssessmentRecord | None
    latest: AssessmentRecord | None
    baseline_on: dt.date | None
    latest_on: dt.date | None
    lines: tuple[ScoreLine, ...]
    charts: tuple[Chart, ...]
    visits: tuple[VisitLine, ...]
    attended: int
    missed: int
    cancelled: int
    upcoming: int
    next_visit: dt.datetime | None
    techniques: tuple[TechniqueUse, ...]
    record: PlanRecord | None
    plan: Plan | None
    home: tuple[PlanLine, ...]
    next_steps: tuple[str, ...]
    clinician_plan: str
    adherence: str
    made_on: dt.date
    paper: Paper
    triage_level: str

    @property
    def has_scores(self) -> bool:
        return bool(self.lines)


def _episode(patient: Patient) -> Episode | None:
    """The open episode, else the latest closed one."""
    episodes = list(Episode.objects.filter(patient=patient).order_by("-opened_on", "-id"))
    active = [e for e in episodes if e.status == Episode.Status.ACTIVE]
    chosen = active or episodes
    return chosen[0] if chosen else None


def _check_in_values(check_in: CheckIn) -> dict[str, float | None]:
    """A check-in's scores as the charts draw them (the engine's scoring)."""
    scores = _scores(
        {
            name: getattr(check_in, name)
            for name in ("nprs", "psfs", "odi", "rmdq")
            if getattr(check_in, name) is not None
        }
    )
    return {
        "nprs": float(scores.nprs.value) if scores.nprs else None,
        "odi": _odi(scores),
        "psfs": scores.psfs.mean if scores.psfs else None,
    }


def _assessment_values(record: AssessmentRecord) -> dict[str, float | None]:
    stored = record.assessment.get("scores", {})

    def value(key: str, field: str) -> float | None:
        score = stored.get(key)
        if not score or score.get("status") == "not_scored" or score.get(field) is None:
            return None
        return float(score[field])

    return {"nprs": value("nprs", "value"), "odi": value("odi", "percent"),
            "psfs": value("psfs", "mean")}  # fmt: skip


def _charts(
    points: Sequence[tuple[dt.date, Mapping[str, float | None]]], baseline: float | None
) -> tuple[Chart, ...]:
    pain = charts.Series(
        _("Pain (NPRS)"), [(day, v["nprs"]) for day, v in points if v["nprs"] is not None]
    )
    bands, references = [], []
    if baseline is not None:
        references.append(charts.Reference(baseline, _("baseline %(n)s") % {"n": f"{baseline:g}"}))
        # The NPRS minimal clinically important change: Childs 2005 [src]; clinical-facts §1.1.
        mcid = change_rule(Instrument.NPRS).points or 0
        if baseline - mcid >= 0:
            bands.append(charts.Band(0, baseline - mcid, _("improved by 2 or more")))
    odi = charts.Series(_("ODI %"), [(day, v["odi"]) for day, v in points if v["odi"] is not None])
    psfs = charts.Series(
        _("PSFS mean x10"),
        [(day, v["psfs"] * 10) for day, v in points if v["psfs"] is not None],
    )
    out = [
        Chart(
            "report-pain",
            _("Pain over time"),
            charts.line_chart(
                [pain], y_min=0, y_max=10, y_label=_("NPRS 0-10"), title=_("Pain over time"),
                description=_("Pain at each assessment and check-in; lower is better. The "
                              "shaded band is a change from baseline that matters (2 points)."),
                bands=bands, references=references, chart_id="report-pain"),
            charts.line_table([pain], caption=_("Pain over time"), x_label=_("Day")),
        ),
        Chart(
            "report-function",
            _("Function over time"),
            charts.line_chart(
                [odi, psfs], y_min=0, y_max=100, y_label=_("0-100"),
                title=_("Function over time"),
                description=_("ODI disability percent (lower is better) and the PSFS mean times "
                              "ten (higher is better) at each assessment and check-in."),
                chart_id="report-function"),
            charts.line_table([odi, psfs], caption=_("Function over time"), x_label=_("Day")),
        ),
    ]  # fmt: skip
    return tuple(out)


def _techniques(notes: Iterable[SessionNote]) -> dict[int, tuple[str, ...]]:
    """Visit id -> the names of the techniques used at it."""
    names = {t.id: t.name for t in actions.content().techniques}
    return {
        note.visit_id: tuple(
            names.get(t["technique_id"], t["technique_id"]) for t in note.techniques
        )
        for note in notes
    }


def _technique_uses(notes: Sequence[SessionNote]) -> tuple[TechniqueUse, ...]:
    names = {t.id: t.name for t in actions.content().techniques}
    sessions: dict[str, int] = {}
    responses: dict[str, list[str]] = {}
    for note in notes:
        for used in note.techniques:
            key = used["technique_id"]
            sessions[key] = sessions.get(key, 0) + 1
            if used.get("response"):
                responses.setdefault(key, []).append(str(used["response"]))
    return tuple(
        TechniqueUse(names.get(key, key), count, tuple(responses.get(key, ())))
        for key, count in sorted(sessions.items(), key=lambda kv: (-kv[1], names.get(kv[0], "")))
    )


NEXT_STEP_SHOWN = frozenset({CourseAction.IMPROVING, CourseAction.DISCHARGE})


def report(user: User, patient: Patient, *, now: dt.datetime, paper: Paper) -> Report:
    """Everything the progress report shows, in a fixed number of queries (the episode, its
    assessments, check-ins, visits with their notes, the plan, and the caseload status)."""
    zone = ZoneInfo(patient.clinic.timezone)
    episode = _episode(patient)
    records: list[AssessmentRecord] = []
    check_ins: list[CheckIn] = []
    visits: list[Visit] = []
    record: PlanRecord | None = None
    if episode is not None:
        records = list(
            AssessmentRecord.objects.for_user(user)
            .filter(episode=episode)
            .order_by("created_at", "id")
        )
        check_ins = list(
            CheckIn.objects.for_user(user).filter(episode=episode).order_by("created_at", "id")
        )
        visits = list(
            Visit.objects.for_user(user)
            .filter(episode=episode)
            .select_related("clinician", "note")
            .order_by("starts_at", "id")
        )
        record = (
            PlanRecord.objects.for_user(user)
            .filter(episode=episode)
            .exclude(status=PlanRecord.Status.DRAFT)
            .order_by("-version")
            .first()
        )
    baseline = next((r for r in records if r.kind == AssessmentRecord.Kind.INTAKE), None)
    baseline = baseline or (records[0] if records else None)
    latest = records[-1] if records else None
    lines: tuple[ScoreLine, ...] = ()
    latest_on: dt.date | None = None
    if baseline is not None and latest is not None:
        merged = latest_questionnaires(latest, check_ins)
        try:
            lines = score_lines(
                _scores(baseline.intake.get("questionnaires") or {}), _scores(merged)
            )
        except InvalidDocument:  # stored before a format change: show no comparison
            lines = ()
        later = [c.created_at for c in check_ins if c.created_at > latest.created_at]
        latest_on = max([latest.created_at, *later]).astimezone(zone).date()
    points: list[tuple[dt.date, Mapping[str, float | None]]] = [
        (r.created_at.astimezone(zone).date(), _assessment_values(r)) for r in records
    ]
    points += [(c.day, _check_in_values(c)) for c in check_ins]
    base_nprs = _assessment_values(baseline)["nprs"] if baseline is not None else None
    notes = [v.note for v in visits if hasattr(v, "note")]
    used = _techniques(notes)
    past = [v for v in visits if v.starts_at <= now or v.status != Visit.Status.PLANNED]
    upcoming = [v for v in visits if v.starts_at > now and v.status == Visit.Status.PLANNED]
    plan = parse_plan(record.plan) if record is not None else None
    status = alerts.caseload(
        [patient], now=now, catalog=actions.content().catalog, all_sessions=True
    )[0]
    # What needs the clinician (the caseload's alerts, most pressing first), then the engine's
    # course decisions that are not alerts (improving, discharge criteria met).
    steps = [f"{alert.label}: {alert.text}" for alert in status.alerts]
    if status.step is not None:
        steps += [_(d.reason) for d in status.step.course if d.action in NEXT_STEP_SHOWN]
    weeks = status.step.adherence if status.step else ()
    adherence = ""
    if weeks:
        done = sum(w.done for w in weeks)
        prescribed = sum(w.prescribed for w in weeks)
        adherence = ngettext(
            "%(done)d of %(prescribed)d prescribed home sessions done over %(n)d complete week.",
            "%(done)d of %(prescribed)d prescribed home sessions done over %(n)d complete weeks.",
            len(weeks),
        ) % {"done": done, "prescribed": prescribed, "n": len(weeks)}
    latest_note = next((n for n in reversed(notes) if n.plan.strip()), None)
    return Report(
        patient=patient,
        contact=Contact(patient.clinic, person_name(patient.clinician)),
        episode=episode,
        baseline=baseline,
        latest=latest,
        baseline_on=baseline.created_at.astimezone(zone).date() if baseline else None,
        latest_on=latest_on,
        lines=lines,
        charts=_charts(sorted(points, key=lambda p: p[0]), base_nprs) if points else (),
        visits=tuple(
            VisitLine(
                v.starts_at.astimezone(zone),
                str(NOT_RECORDED if v.status == Visit.Status.PLANNED else VISIT_LABELS[v.status]),
                person_name(v.clinician),
                used.get(v.pk, ()),
            )
            for v in past
        ),
        attended=sum(1 for v in visits if v.status == Visit.Status.ATTENDED),
        missed=sum(1 for v in visits if v.status == Visit.Status.MISSED),
        cancelled=sum(1 for v in visits if v.status == Visit.Status.CANCELLED),
        upcoming=len(upcoming),
        next_visit=upcoming[0].starts_at.astimezone(zone) if upcoming else None,
        techniques=_technique_uses(notes),
        record=record,
        plan=plan,
        home=tuple(PlanLine(i.name, i.level, dose_words(i)) for i in plan.home_programme)
        if plan is not None
        else (),
        next_steps=tuple(steps),
        clinician_plan=latest_note.plan if latest_note is not None else "",
        adherence=adherence,
        made_on=now.astimezone(zone).date(),
        paper=paper,
        triage_level=latest.triage_level if latest is not None else "",
    )
