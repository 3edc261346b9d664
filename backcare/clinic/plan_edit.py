"""Pure helpers for the clinician's plan, reassessment and discharge pages (no database, no clock).

- ``suitable_alternatives``: the exercises a home-programme item may be swapped for. The engine
  has no public "candidates" function, so this reuses the planner's own hard filter
  (``planning._why_left_out``: the person's conditions, the directions that spread or work against
  the symptoms, thin bones and bending forward, positions to avoid, equipment, the time budget)
  and its facts and tags (``Facts.of``, ``person_tags``), so a swap can never pick an exercise the
  planner would have left out. On top: the alternative serves at least one aim of the exercise it
  replaces, is not already in the programme, and is not a step of the same ladder as another
  exercise of the programme (the planner's "one step of a ladder at a time" rule).
- ``compare_scores``: baseline against follow-up for each instrument, judged by the engine's
  clinically important change rules (``scoring.compare``, CHANGE_RULES, clinical-facts §1.8).
- ``discharge_plan``: the maintenance programme and flare-up plan (``progression``'s discharge
  rule, clinical-facts §4.7 [synthesis]).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from backcare.engine.assessment import Assessment
from backcare.engine.catalog import Catalog, Exercise
from backcare.engine.intake import Intake, OdiVariant
from backcare.engine.plan import Plan
from backcare.engine.planning import (
    ASSUMED_EQUIPMENT,
    DEFAULT_MINUTES_PER_DAY,
    Facts,
    _why_left_out,
    person_tags,
)
from backcare.engine.progression import Discharge
from backcare.engine.progression import discharge_plan as _engine_discharge_plan
from backcare.engine.scoring import (
    Change,
    Instrument,
    NoEstablishedMcid,
    Scores,
    Status,
    Verdict,
    change_rule,
    compare,
)

__all__ = [
    "Alternative",
    "ScoreRow",
    "compare_scores",
    "discharge_plan",
    "reassessment_document",
    "suitable_alternatives",
    "why_unsuitable",
]


@dataclass(frozen=True, slots=True)
class Alternative:
    """An exercise the item at ``index`` may be swapped for, at level 1 (override_plan's level)."""

    exercise: Exercise
    minutes_a_day: int
    shared_aims: tuple[str, ...]


def _budget(plan: Plan, intake: Intake) -> int:
    """The plan's home-exercise minutes a day (the planner's budget)."""
    return plan.minutes_budget or intake.preferences.minutes_per_day or DEFAULT_MINUTES_PER_DAY


def _ladder(exercise: Exercise) -> frozenset[str]:
    return frozenset({*exercise.progresses_to, *exercise.regresses_to})


def why_unsuitable(
    exercise: Exercise,
    index: int,
    plan: Plan,
    intake: Intake,
    assessment: Assessment,
    catalog: Catalog,
) -> str | None:
    """Why ``exercise`` may not replace home_programme[index] of ``plan``, in plain words; None
    when it may. The planner's hard rules first (planning._why_left_out), then the swap rules."""
    facts = Facts.of(assessment, intake)
    return _unsuitable(exercise, index, plan, facts, _tags(facts, plan), intake, catalog)


def _tags(facts: Facts, plan: Plan) -> dict[str, str]:
    # plan.conditions holds the tags the plan was checked against, including any a clinician
    # added (PlanOptions.conditions); person_tags keeps the engine's own reasons first.
    return person_tags(facts, plan.conditions or ())


def _unsuitable(
    exercise: Exercise,
    index: int,
    plan: Plan,
    facts: Facts,
    tags: dict[str, str],
    intake: Intake,
    catalog: Catalog,
) -> str | None:
    prefs = intake.preferences
    equipment = frozenset(ASSUMED_EQUIPMENT if prefs.equipment is None else prefs.equipment)
    avoid = frozenset(prefs.avoid_positions or ())
    step = exercise.levels[0]
    per_day = step.minutes * step.times_a_day
    reason = _why_left_out(exercise, facts, tags, equipment, avoid, _budget(plan, intake), per_day)
    if reason is not None:
        return reason
    item = plan.home_programme[index]
    if not set(item.aims) & set(exercise.aims):
        return _("it serves none of the aims of the exercise it would replace")
    others = [other for i, other in enumerate(plan.home_programme) if i != index]
    if any(other.exercise_id == exercise.id for other in others) or exercise.id == item.exercise_id:
        return _("it is already in the programme")
    for other in others:
        known = catalog.exercises.get(other.exercise_id)
        if exercise.id in (_ladder(known) if known else ()) or other.exercise_id in _ladder(
            exercise
        ):
            return _("it is another step of the same ladder as %(name)s") % {"name": other.name}
    return None


def suitable_alternatives(
    plan: Plan, intake: Intake, assessment: Assessment, catalog: Catalog
) -> dict[int, tuple[Alternative, ...]]:
    """For each home-programme index, the exercises it may be swapped for, by name."""
    facts = Facts.of(assessment, intake)
    tags = _tags(facts, plan)
    out: dict[int, tuple[Alternative, ...]] = {}
    exercises = sorted(catalog.exercises.values(), key=lambda ex: ex.name)
    for index, item in enumerate(plan.home_programme):
        found = []
        for exercise in exercises:
            if _unsuitable(exercise, index, plan, facts, tags, intake, catalog) is None:
                step = exercise.levels[0]
                shared = tuple(aim.value for aim in exercise.aims if aim in item.aims)
                found.append(Alternative(exercise, step.minutes * step.times_a_day, shared))
        out[index] = tuple(found)
    return out


# --- reassessment -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ScoreRow:
    """One instrument at baseline and now. ``verdict`` is None when the engine does not judge
    change for the instrument (STarT Back, FABQ: no established MCID) or a score is missing."""

    instrument: Instrument
    name: str  # the instrument's short name: NPRS, ODI, RMDQ, PSFS, STarT Back, FABQ
    baseline: str  # as shown: "40.0 %", "6", "medium risk (4)"; "" when not measured
    now: str
    difference: float | None
    percent_change: float | None
    verdict: Verdict | None
    threshold: str  # the MCID used, e.g. "10 points or 30 % of baseline"
    source: str
    note: str = ""


NAMES: dict[Instrument, str] = {
    Instrument.NPRS: "NPRS",
    Instrument.ODI: "ODI",
    Instrument.RMDQ: "RMDQ",
    Instrument.PSFS: "PSFS",
    Instrument.STARTBACK: "STarT Back",
    Instrument.FABQ: "FABQ",
}


def _threshold(change: Change) -> str:
    rule = change.threshold
    if rule.percent is None:
        return _("%(points)s points") % {"points": f"{rule.points:g}"}
    return _("%(points)s points or %(percent)s %% of baseline") % {
        "points": f"{rule.points:g}",
        "percent": f"{rule.percent:g}",
    }


def _row(
    instrument: Instrument,
    before: float | None,
    after: float | None,
    shown: tuple[str, str],
    variant: OdiVariant | None = None,
) -> ScoreRow:
    rule = change_rule(instrument, variant)
    if before is None or after is None:
        return ScoreRow(instrument, NAMES[instrument], *shown, None, None, None, "", rule.source)
    change = compare(instrument, before, after, variant=variant)
    return ScoreRow(
        instrument,
        NAMES[instrument],
        *shown,
        change.difference,
        change.percent_change,
        change.verdict,
        _threshold(change),
        rule.source,
    )


def _fmt(value: float | None, suffix: str = "") -> str:
    return "" if value is None else f"{value:g}{suffix}"


def compare_scores(baseline: Scores, follow_up: Scores) -> list[ScoreRow]:
    """Each instrument measured at baseline or follow-up, compared with scoring.compare.

    A score the engine did not score (status not_scored) counts as not measured. The ODI is
    judged with the baseline's variant (2.1a: 10 points; modified: 6 points; clinical-facts
    §1.2, §1.8)."""
    rows: list[ScoreRow] = []
    b, f = baseline, follow_up
    if b.nprs is not None or f.nprs is not None:
        before = None if b.nprs is None else float(b.nprs.value)
        after = None if f.nprs is None else float(f.nprs.value)
        rows.append(_row(Instrument.NPRS, before, after, (_fmt(before), _fmt(after))))
    if b.odi is not None or f.odi is not None:
        odi_before = b.odi.percent if b.odi and b.odi.status is not Status.NOT_SCORED else None
        odi_after = f.odi.percent if f.odi and f.odi.status is not Status.NOT_SCORED else None
        variant = (b.odi or f.odi).variant  # type: ignore[union-attr]
        shown = (_fmt(odi_before, " %"), _fmt(odi_after, " %"))
        rows.append(_row(Instrument.ODI, odi_before, odi_after, shown, variant))
    if b.rmdq is not None or f.rmdq is not None:
        before = None if b.rmdq is None else float(b.rmdq.total)
        after = None if f.rmdq is None else float(f.rmdq.total)
        rows.append(_row(Instrument.RMDQ, before, after, (_fmt(before), _fmt(after))))
    if b.psfs is not None or f.psfs is not None:
        before = None if b.psfs is None else b.psfs.mean
        after = None if f.psfs is None else f.psfs.mean
        rows.append(_row(Instrument.PSFS, before, after, (_fmt(before), _fmt(after))))
    if b.startback is not None or f.startback is not None:
        rows.append(_unjudged(Instrument.STARTBACK, _risk(b), _risk(f)))
    if b.fabq is not None or f.fabq is not None:
        rows.append(_unjudged(Instrument.FABQ, _fabq(b), _fabq(f)))
    return rows


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


def _unjudged(instrument: Instrument, before: str, after: str) -> ScoreRow:
    """STarT Back and FABQ: shown side by side, with the engine's note on why not judged."""
    rule = change_rule(instrument)
    try:
        compare(instrument, rule.low, rule.low)
    except NoEstablishedMcid as none:
        note = str(none)
    return ScoreRow(
        instrument, NAMES[instrument], before, after, None, None, None, "", rule.source, note
    )


# --- discharge ------------------------------------------------------------------------------------


def discharge_plan(plan: Plan) -> Discharge:
    """The maintenance programme (the plan's strength and prevention exercises, all when none,
    once a day on at most 3 days a week) and the flare-up plan: progression's discharge rule
    (ACSM 2011 [src]; clinical-facts §4.5, §4.7 [synthesis]). The engine only exposes it through
    next_step when every discharge criterion is met; a clinician may discharge earlier."""
    return _engine_discharge_plan(plan)


# --- the reassessment document ----------------------------------------------------------------


def reassessment_document(
    previous: Mapping[str, Any],
    *,
    questionnaires: Mapping[str, Any],
    red_flag_screen: Mapping[str, Any],
    today: dt.date,
) -> dict[str, Any]:
    """A reassessment intake (backcare-intake/1, decoded JSON) from the latest intake document.

    Kept: the person, history, exam, goals and preferences (still true unless re-examined).
    Replaced: the questionnaires (only those answered now: a present list is complete, an absent
    one was not asked) and the red-flag screen (unsure answers left out: unknown, never no).
    Moved on: ``assessed_on`` is today and ``days_since_onset`` grows by the days since the last
    assessment; ``pain_now`` is the new NPRS when one was given (the same 0-10 rating).
    """
    document = copy.deepcopy(dict(previous))
    last = document.get("assessed_on")
    episode = dict(document.get("episode") or {})
    if last and episode.get("days_since_onset") is not None:
        elapsed = (today - dt.date.fromisoformat(last)).days
        episode["days_since_onset"] = episode["days_since_onset"] + max(elapsed, 0)
    if questionnaires.get("nprs") is not None:
        episode["pain_now"] = questionnaires["nprs"]
    document["episode"] = episode
    document["assessed_on"] = today.isoformat()
    document["id"] = f"reassessment-{today.isoformat()}"
    document["questionnaires"] = dict(questionnaires)
    document["red_flag_screen"] = dict(red_flag_screen)
    return document
