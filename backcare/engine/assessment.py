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
from .classification import Classification, Stage, classify, stage_for
from .classification import to_json as classification_to_json
from .intake import Intake
from .scoring import Scores, score_all, scores_to_json
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
_STRINGS = {"type": "array", "items": {"type": "string"}}


def assessment_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of ``backcare-assessment/1``.

    Written by hand because the assessment is produced, not parsed; tests validate every
    example's output against it so the two cannot drift.
    """
    flag = {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "condition", "level", "reason", "source"],
        "properties": {
            "id": {"type": "string"},
            "condition": {"enum": [c.value for c in Condition]},
            "level": {"enum": _LEVELS},
            "reason": {"type": "string"},
            "source": {"type": "string"},
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:backcare:schema:assessment:1",
        "title": "backcare assessment",
        "type": "object",
        "additionalProperties": False,
        "required": [
            "format",
            "assessed_on",
            "engine_version",
            "content_version",
            "triage",
            "scores",
            "stage",
            "classification",
        ],
        "properties": {
            "format": {"const": ASSESSMENT_FORMAT},
            "intake_id": {"type": "string"},
            "assessed_on": {"type": "string", "format": "date"},
            "engine_version": {"type": "string"},
            "content_version": {"type": "string"},
            "triage": {
                "type": "object",
                "additionalProperties": False,
                "required": ["level", "flags", "unanswered", "advice", "reasons"],
                "properties": {
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
                    "incomplete": {
                        "type": "string",
                        "description": "Present when cauda-equina questions are unanswered.",
                    },
                },
            },
            "scores": {"type": "object"},
            "stage": {"enum": [s.value for s in Stage] + [None]},
            "classification": {"type": "object"},
        },
    }
