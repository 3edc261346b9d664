"""From an intake to an assessment: triage, scores, stage and classification in one value.

``assess()`` is the engine's front door for step 2 of the pathway. The result is stamped with the
engine and content versions that produced it, and serialises to the ``backcare-assessment/1``
contract (design.md) with ``assessment_to_json()``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from . import ENGINE_VERSION
from .classification import (
    Cause,
    Classification,
    DirectionalPreference,
    Icf,
    Pathway,
    Stage,
    Tbc,
    classify,
    stage_for,
)
from .classification import to_json as classification_to_json
from .intake import Intake, OdiVariant
from .scoring import FabqSubscale, OdiBand, Risk, Scores, Status, score_all, scores_to_json
from .triage import Condition, Level, Triage, triage

ASSESSMENT_FORMAT = "backcare-assessment/1"


@dataclass(frozen=True, slots=True)
class Assessment:
    intake_id: str | None
    assessed_on: dt.date
    engine_version: str
    content_version: str
    triage: Triage
    scores: Scores
    stage: Stage | None
    classification: Classification


def assess(intake: Intake, *, today: dt.date, content_version: str) -> Assessment:
    """Assess one person. ``today`` is used when the intake carries no ``assessed_on``."""
    scores = score_all(intake.questionnaires)
    screened = triage(intake, scores)
    return Assessment(
        intake_id=intake.id,
        assessed_on=intake.assessed_on or today,
        engine_version=ENGINE_VERSION,
        content_version=content_version,
        triage=screened,
        scores=scores,
        stage=stage_for(intake.episode.days_since_onset),
        classification=classify(intake, screened, scores),
    )


def triage_to_json(t: Triage) -> dict[str, Any]:
    out: dict[str, Any] = {
        "level": t.level.value,
        "flags": [
            {
                "id": f.id,
                "condition": f.condition.value,
                "level": f.level.value,
                "reason": f.reason,
                "source": f.source,
            }
            for f in t.flags
        ],
        "unanswered": list(t.unanswered),
        "advice": t.advice,
        "reasons": list(t.reasons),
    }
    if t.incomplete:
        out["incomplete"] = t.incomplete
    return out


def assessment_to_json(a: Assessment) -> dict[str, Any]:
    """The ``backcare-assessment/1`` document for an assessment."""
    out: dict[str, Any] = {"format": ASSESSMENT_FORMAT}
    if a.intake_id is not None:
        out["intake_id"] = a.intake_id
    out.update(
        {
            "assessed_on": a.assessed_on.isoformat(),
            "engine_version": a.engine_version,
            "content_version": a.content_version,
            "triage": triage_to_json(a.triage),
            "scores": scores_to_json(a.scores),
            "stage": a.stage.value if a.stage else None,
            "classification": classification_to_json(a.classification),
        }
    )
    return out


_LEVELS = [level.value for level in Level]
_STRINGS: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
_ITEMS: dict[str, Any] = {
    "type": "array",
    "items": {"type": "integer", "minimum": 1},
    "description": "1-based numbers of the items not answered.",
}


def _values(enum_type: Any) -> list[str]:
    return [member.value for member in enum_type]


def _obj(required: dict[str, Any], optional: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(required),
        "properties": {**required, **(optional or {})},
    }


def _maybe(schema: dict[str, Any]) -> dict[str, Any]:
    return {"anyOf": [schema, {"type": "null"}]}


def _number(low: float, high: float, whole: bool = True) -> dict[str, Any]:
    return {"type": "integer" if whole else "number", "minimum": low, "maximum": high}


def _score(**fields: dict[str, Any]) -> dict[str, Any]:
    """A score object: status, missing items and reason, plus its own fields."""
    return _obj(
        {
            "status": {"enum": _values(Status)},
            "missing": _ITEMS,
            "reason": _maybe({"type": "string"}),
            **fields,
        }
    )


def _scores_schema() -> dict[str, Any]:
    notes = {"notes": _STRINGS}
    return {
        "type": "object",
        "additionalProperties": False,
        "description": "One object per instrument given; an instrument not given is absent.",
        "properties": {
            "nprs": _score(value=_number(0, 10)),
            "odi": _score(
                variant={"enum": _values(OdiVariant)},
                percent=_maybe(_number(0, 100, whole=False)),
                band=_maybe({"enum": _values(OdiBand)}),
                interpretation=_maybe({"type": "string"}),
                raw=_number(0, 50),
                answered=_number(0, 10),
                **notes,
            ),
            "rmdq": _score(total=_maybe(_number(0, 24)), blank=_number(0, 24), **notes),
            "startback": _score(
                total=_maybe(_number(0, 9)),
                psychosocial=_maybe(_number(0, 5)),
                risk=_maybe({"enum": _values(Risk)}),
            ),
            "psfs": _score(
                mean=_maybe(_number(0, 10, whole=False)),
                rated=_number(0, 5),
                activities={
                    "type": "array",
                    "items": _obj(
                        {"activity": {"type": "string"}, "score": _maybe(_number(0, 10))}
                    ),
                },
                **notes,
            ),
            "fabq": _score(
                physical_activity=_maybe(_number(0, 24)),
                work=_maybe(_number(0, 42)),
                from_subscales={"type": "boolean"},
                flags={
                    "type": "array",
                    "items": _obj(
                        {
                            "id": {"type": "string"},
                            "subscale": {"enum": _values(FabqSubscale)},
                            "above": {"type": "integer"},
                            "meaning": {"type": "string"},
                        }
                    ),
                },
            ),
        },
    }


def _classification_schema() -> dict[str, Any]:
    return _obj(
        {
            "pathway": {"enum": _values(Pathway)},
            "icf": {"enum": _values(Icf)},
            "tbc": _maybe({"enum": _values(Tbc)}),
            "directional_preference": {"enum": _values(DirectionalPreference)},
            "radicular": _maybe({"type": "boolean"}),
            "likely_causes": {
                "type": "array",
                "description": "Working hypotheses to check, never a diagnosis.",
                "items": _obj({"cause": {"enum": _values(Cause)}, "reasons": _STRINGS}),
            },
            "reasons": _STRINGS,
            "missing_findings": {
                **_STRINGS,
                "description": "Examination findings not recorded that would decide more.",
            },
        }
    )


def assessment_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of ``backcare-assessment/1``.

    Written here because the assessment is produced, not parsed; the tests validate every
    example's output and hundreds of generated ones against it, so the two cannot drift.
    """
    flag = _obj(
        {
            "id": {"type": "string"},
            "condition": {"enum": _values(Condition)},
            "level": {"enum": _LEVELS},
            "reason": {"type": "string"},
            "source": {"type": "string"},
        }
    )
    triage_schema = _obj(
        {
            "level": {
                "enum": _LEVELS,
                "description": "The most urgent level of the flags that fired; "
                "physio or self_care when none fired.",
            },
            "flags": {"type": "array", "items": flag},
            "unanswered": {
                **_STRINGS,
                "description": "Intake paths of red-flag questions left unanswered.",
            },
            "advice": {"type": "string"},
            "reasons": _STRINGS,
        },
        {
            "incomplete": {
                "type": "string",
                "description": "Present when cauda-equina questions are unanswered: "
                "what to ask before relying on the screen.",
            }
        },
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:backcare:schema:assessment:1",
        "title": "backcare assessment",
        **_obj(
            {
                "format": {"const": ASSESSMENT_FORMAT},
                "assessed_on": {"type": "string", "format": "date"},
                "engine_version": {"type": "string"},
                "content_version": {"type": "string"},
                "triage": triage_schema,
                "scores": _scores_schema(),
                "stage": _maybe({"enum": _values(Stage)}),
                "classification": _classification_schema(),
            },
            {"intake_id": {"type": "string"}},
        ),
    }
