"""The API's request and response shapes (pydantic, for django-ninja's OpenAPI 3.1 schema).

Ranges and enumerations are in the schema itself (``Field(ge=, le=)``, ``Literal``). Numbers
and yes/no values are checked as JSON types: ``true`` is not a number and ``1`` is not ``true``
(pydantic's lax mode would convert them), while ``9.0`` is a whole number as JSON Schema says.

Documents the engine owns (the intake, the assessment, the plan, a check-in's answers and its
triage) are described by the engine's own JSON Schemas (``intake_schema()`` ...), so the API's
schema and the engine's checks cannot drift apart.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field, WithJsonSchema

from backcare.engine.assessment import assessment_schema
from backcare.engine.intake import intake_schema
from backcare.engine.plan import plan_schema
from backcare.engine.progression import CheckIn as EngineCheckIn
from backcare.engine.triage import Level
from backcare.engine.validation import schema_for

MAX_ID = 2**63 - 1  # BigAutoField
MAX_LIMIT = 100
DEFAULT_LIMIT = 20
MAX_OFFSET = 1_000_000_000


# A real date from 1900-01-01 to 2999-12-31 written YYYY-MM-DD: what the engine's Date accepts
# (validation.Date), as a pattern, because JSON Schema's "format": "date" allows any year.
# Months of 28, 30 and 31 days; 29 February in leap years only (1900, 2100 ... are not).
DATE_PATTERN = (
    r"^(?:(?:19|2[0-9])[0-9]{2}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])"
    r"|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
    r"|(?:(?:19|2[0-9])(?:0[48]|[2468][048]|[13579][26])|(?:20|24|28)00)-02-29)$"
)


# The engine's Text strips spaces and refuses text that is only spaces (validation.Text).
NOT_BLANK = r"\S"


def _as_the_engine_checks(node: Any) -> None:
    """Say in an engine schema, in place, what its parser checks beyond JSON Schema's words:
    a date's years (DATE_PATTERN) and that text is not blank (NOT_BLANK)."""
    if isinstance(node, dict):
        if node.get("type") == "string" and "pattern" not in node:
            if node.get("format") == "date":
                node["pattern"] = DATE_PATTERN
            elif "minLength" in node and "enum" not in node:
                node["pattern"] = NOT_BLANK
        for value in node.values():
            _as_the_engine_checks(value)
    elif isinstance(node, list):
        for value in node:
            _as_the_engine_checks(value)


def _embedded(schema: dict[str, Any]) -> dict[str, Any]:
    """An engine JSON Schema for use inside the OpenAPI document (no $schema/$id), saying
    what the engine's parser checks (_as_the_engine_checks)."""
    out = copy.deepcopy(schema)
    out.pop("$schema", None)
    out.pop("$id", None)
    _as_the_engine_checks(out)
    return out


INTAKE_SCHEMA = _embedded(intake_schema())
ASSESSMENT_SCHEMA = _embedded(assessment_schema())
PLAN_SCHEMA = _embedded(plan_schema())
TRIAGE_SCHEMA = copy.deepcopy(ASSESSMENT_SCHEMA["properties"]["triage"])
_CHECK_IN = _embedded(schema_for(EngineCheckIn))["properties"]
CHECK_IN_FIELDS = ("nprs", "psfs", "odi", "rmdq", "red_flag_screen")

# The body of POST .../check-ins: the engine's check-in fields, and the day.
CHECK_IN_BODY_SCHEMA: dict[str, Any] = {
    "title": "CheckInIn",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "day": {
            "anyOf": [
                {"type": "string", "format": "date", "pattern": DATE_PATTERN},
                {"type": "null"},
            ],
            "description": "The patient's own day (YYYY-MM-DD); today in their time zone when "
            "absent. Not in the future.",
        },
        **{name: copy.deepcopy(_CHECK_IN[name]) for name in CHECK_IN_FIELDS},
    },
}


def _doc(schema: dict[str, Any]) -> Any:
    return WithJsonSchema(copy.deepcopy(schema))


AssessmentDocument = Annotated[dict[str, Any], _doc(ASSESSMENT_SCHEMA)]
IntakeDocument = Annotated[dict[str, Any], _doc(INTAKE_SCHEMA)]
PlanDocument = Annotated[dict[str, Any], _doc(PLAN_SCHEMA)]
TriageDocument = Annotated[dict[str, Any], _doc(TRIAGE_SCHEMA)]


def _stored(name: str) -> Any:
    return Annotated[Any, _doc(_CHECK_IN[name])]


# --- JSON types, checked as JSON -------------------------------------------------------------


def _whole(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("allowed: a whole number")
    return value


def _yes_no(value: Any) -> Any:
    if not isinstance(value, bool):
        raise ValueError("allowed: true or false")
    return value


def _day(value: Any) -> Any:
    if not isinstance(value, str) or not re.match(DATE_PATTERN, value):
        raise ValueError("allowed: a date written YYYY-MM-DD, from 1900-01-01 to 2999-12-31")
    return value


def _query_day(value: Any) -> Any:
    if not isinstance(value, str) or len(value) != 10:
        raise ValueError("allowed: a date written YYYY-MM-DD")
    return value


Whole = Annotated[int, BeforeValidator(_whole)]


# Whole numbers with their range in the schema. The range is inside the type, not on the field:
# pydantic cannot put ge/le on an optional field's union (it would write "ge" into the schema).
Sets = Annotated[int, Field(ge=0, le=20), BeforeValidator(_whole)]
Reps = Annotated[int, Field(ge=0, le=100), BeforeValidator(_whole)]
Rating = Annotated[int, Field(ge=0, le=10), BeforeValidator(_whole)]
LogLevel = Annotated[int, Field(ge=1, le=9), BeforeValidator(_whole)]
YesNo = Annotated[bool, BeforeValidator(_yes_no)]
Day = Annotated[
    dt.date,
    BeforeValidator(_day),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DATE_PATTERN}),
]
QueryDay = Annotated[dt.date, BeforeValidator(_query_day)]

TriageLevel = Literal["emergency", "urgent", "soon", "routine", "physio", "self_care"]
assert set(TriageLevel.__args__) == {level.value for level in Level}  # type: ignore[attr-defined]


# --- problems --------------------------------------------------------------------------------


class ProblemError(Schema):
    location: Literal["body", "query", "path", "header"]
    path: str = Field(description="The field, e.g. red_flag_screen.bladder or psfs[0].score.")
    message: str
    value: Any = Field(None, description="The value given (engine-checked documents).")
    allowed: str | None = Field(None, description="What is allowed (engine-checked documents).")


class ProblemOut(Schema):
    """RFC 9457 problem details, sent as application/problem+json."""

    type: str = Field(description="A URN naming the kind of problem (docs/api.md).")
    title: str
    status: int = Field(ge=400, le=599)
    detail: str
    instance: str = Field(description="The path that was asked for.")
    errors: list[ProblemError] | None = Field(
        None, description="Every problem with the input, when the input is not valid."
    )


# --- the token's owner -------------------------------------------------------------------------


class TokenOut(Schema):
    name: str
    scope: Literal["read", "read-write"]


class MeOut(Schema):
    user_id: int
    username: str
    name: str
    role: Literal["patient", "clinician", "clinic_admin"]
    clinic_id: int | None
    patient_id: int | None = Field(description="For a patient: their own patient id.")
    token: TokenOut


# --- patients and their records --------------------------------------------------------------


class PatientOut(Schema):
    id: int
    name: str = Field(description="Full name, or the user name when no name is known.")
    email: str
    date_of_birth: dt.date | None
    timezone: str
    language: str
    clinic_id: int
    clinician_id: int
    clinician_name: str
    active_episode_id: int | None


class Page(Schema):
    count: int = Field(ge=0, description="How many match, over all pages.")
    limit: int = Field(ge=1, le=MAX_LIMIT)
    offset: int = Field(ge=0)


class PatientPage(Page):
    items: list[PatientOut]


class AssessmentOut(Schema):
    id: int
    episode_id: int
    kind: Literal["intake", "reassessment"]
    triage_level: TriageLevel
    created_at: dt.datetime
    engine_version: str
    content_version: str
    intake: IntakeDocument
    assessment: AssessmentDocument


class AssessmentPage(Page):
    items: list[AssessmentOut]


class PlanSummary(Schema):
    id: int
    episode_id: int
    assessment_id: int
    version: int = Field(ge=1)
    status: Literal["draft", "published", "superseded"]
    created_at: dt.datetime
    published_at: dt.datetime | None
    blocked_by_check_in_id: int | None = Field(
        description="A check-in whose red flags block this plan until a clinician acts."
    )
    engine_version: str
    content_version: str


class PlanOut(PlanSummary):
    plan: PlanDocument


class PlanPage(Page):
    items: list[PlanSummary]


Difficulty = Literal["easy", "right", "hard"]


class ExerciseLogIn(Schema):
    """One home session of one exercise of the published plan (backcare-logs/1 ranges)."""

    model_config = ConfigDict(extra="forbid")

    exercise_id: str = Field(
        min_length=1, max_length=60, pattern=NOT_BLANK, description="The plan's exercise_id."
    )
    done: YesNo = Field(description="The session was done.")
    day: Day | None = Field(
        None, description="The patient's own day; today in their time zone when absent."
    )
    sets: Sets | None = None
    reps: Reps | None = Field(None, description="Repetitions per set.")
    pain_during: Rating | None = Field(None, description="Worst pain, 0 to 10.")
    difficulty: Difficulty | None = None
    pain_settled_next_morning: YesNo | None = None
    symptoms_spread: YesNo | None = Field(
        None, description="Pain, numbness or pins and needles spread down the leg."
    )
    level: LogLevel | None = Field(None, description="The plan's level when absent.")


class ExerciseLogOut(Schema):
    id: int
    plan_id: int
    exercise_id: str
    day: dt.date
    done: bool
    sets: Sets | None
    reps: Reps | None
    pain_during: Rating | None
    difficulty: Difficulty | None
    pain_settled_next_morning: bool | None
    symptoms_spread: bool | None
    level: LogLevel | None
    logged_at: dt.datetime


class ExerciseLogPage(Page):
    items: list[ExerciseLogOut]


class CheckInOut(Schema):
    id: int
    episode_id: int
    day: dt.date
    nprs: Rating | None
    psfs: _stored("psfs")  # type: ignore[valid-type]
    odi: _stored("odi")  # type: ignore[valid-type]
    rmdq: _stored("rmdq")  # type: ignore[valid-type]
    red_flag_screen: _stored("red_flag_screen")  # type: ignore[valid-type]
    triage_level: TriageLevel
    triage: TriageDocument
    created_at: dt.datetime


class CheckInPage(Page):
    items: list[CheckInOut]


class OutcomePoint(Schema):
    day: dt.date
    source: Literal["assessment", "check_in"]
    source_id: int
    nprs: Rating | None = Field(description="Pain now, 0 to 10.")
    odi_percent: Annotated[float, Field(ge=0, le=100)] | None = Field(
        description="Oswestry Disability Index, %."
    )
    psfs_mean: Annotated[float, Field(ge=0, le=10)] | None = Field(
        description="Mean PSFS activity score, 0 to 10."
    )


class Outcomes(Schema):
    patient_id: int
    items: list[OutcomePoint]


class VisitOut(Schema):
    id: int
    episode_id: int
    plan_id: int | None
    starts_at: dt.datetime
    status: Literal["planned", "attended", "cancelled", "missed"]
    clinician_id: int
    clinician_name: str
    has_note: bool


class VisitPage(Page):
    items: list[VisitOut]


class FhirBundle(Schema):
    """A FHIR R4 Bundle of type collection (docs/fhir.md), sent as application/fhir+json."""

    model_config = ConfigDict(extra="allow")

    resourceType: Literal["Bundle"]  # FHIR's own name
    type: Literal["collection"]
    entry: list[dict[str, Any]]
