"""The intake document (``backcare-intake/1``) as frozen dataclasses, and its parser.

Every field is optional except ``format``. ``None`` means *unknown*, never *no*: the engine
must treat an unknown red-flag answer as unanswered and say so. A list that is present is
complete (``pain_areas = ("low_back",)`` means no pain elsewhere); an absent list was not asked.
The contract is design.md's "Intake document"; the JSON Schema is written from these specs.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from .validation import (
    Bool,
    Choice,
    Const,
    Date,
    Described,
    Int,
    InvalidDocument,
    ListOf,
    Num,
    Obj,
    Positional,
    Problem,
    Text,
    parse_document,
    schema_for,
    spec,
)

INTAKE_FORMAT = "backcare-intake/1"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"


class Onset(StrEnum):
    GRADUAL = "gradual"
    SUDDEN = "sudden"
    AFTER_LIFTING = "after_lifting"
    MINOR_TRAUMA = "minor_trauma"
    MAJOR_TRAUMA = "major_trauma"


class Trend(StrEnum):
    IMPROVING = "improving"
    SAME = "same"
    WORSENING = "worsening"


class CareResponse(StrEnum):
    IMPROVING = "improving"
    NOT_IMPROVING = "not_improving"
    WORSE = "worse"


class Area(StrEnum):
    LOW_BACK = "low_back"
    BUTTOCK = "buttock"
    THIGH = "thigh"
    BELOW_KNEE = "below_knee"
    FOOT = "foot"
    THORACIC = "thoracic"
    GROIN = "groin"
    FLANK = "flank"
    ABDOMEN = "abdomen"
    WIDESPREAD = "widespread"


class Legs(StrEnum):
    NONE = "none"
    ONE_LEG = "one_leg"
    BOTH_LEGS = "both_legs"


class Factor(StrEnum):
    """What makes the pain worse or better."""

    BENDING_FORWARD = "bending_forward"
    BENDING_BACKWARD = "bending_backward"
    SITTING = "sitting"
    STANDING = "standing"
    WALKING = "walking"
    LYING_DOWN = "lying_down"
    LIFTING = "lifting"
    COUGHING_SNEEZING = "coughing_sneezing"
    MORNING = "morning"
    REST = "rest"
    MOVEMENT = "movement"
    ANTI_INFLAMMATORIES = "anti_inflammatories"


class NightPain(StrEnum):
    NONE = "none"
    WITH_MOVEMENT = "with_movement"
    CONSTANT = "constant"


class Bladder(StrEnum):
    NORMAL = "normal"
    RETENTION = "retention"
    INCONTINENCE = "incontinence"
    REDUCED_SENSATION = "reduced_sensation"
    HESITANCY = "hesitancy"


class Weakness(StrEnum):
    NONE = "none"
    STABLE = "stable"
    NEW = "new"
    WORSENING = "worsening"


class Cancer(StrEnum):
    NONE = "none"
    PAST = "past"
    CURRENT = "current"


class Direction(StrEnum):
    EXTENSION = "extension"
    FLEXION = "flexion"
    LATERAL_SHIFT = "lateral_shift"
    NONE = "none"


class NeuroDeficit(StrEnum):
    NONE = "none"
    ONE_ROOT = "one_root"
    SEVERAL_ROOTS = "several_roots"


class OdiVariant(StrEnum):
    V21A = "2.1a"
    MODIFIED = "modified"


class Bothersome(StrEnum):
    """STarT Back item 9: how bothersome the back pain has been in the last two weeks."""

    NOT_AT_ALL = "not_at_all"
    SLIGHTLY = "slightly"
    MODERATELY = "moderately"
    VERY_MUCH = "very_much"
    EXTREMELY = "extremely"


class Equipment(StrEnum):
    MAT = "mat"
    CHAIR = "chair"
    WALL = "wall"
    STEP = "step"
    BAND = "band"
    TOWEL = "towel"
    PILLOW = "pillow"
    BALL = "ball"
    WEIGHTS = "weights"
    BIKE = "bike"  # an exercise bike or a bicycle
    POOL = "pool"  # access to a swimming pool


class AvoidPosition(StrEnum):
    FLOOR = "floor"
    ON_BACK = "on_back"
    FACE_DOWN = "face_down"
    HANDS_AND_KNEES = "hands_and_knees"
    SIDE = "side"
    KNEELING = "kneeling"
    SITTING = "sitting"
    STANDING = "standing"


def _opt(s: Any) -> Any:
    return field(default=None, metadata=spec(s))


@dataclass(frozen=True)
class Person:
    """Who the intake is about."""

    age: int | None = _opt(Int(16, 120, "Age in whole years; backcare is for adults (16 or over)."))
    sex: Sex | None = _opt(Choice(Sex))


@dataclass(frozen=True)
class CareSoFar:
    """Care already received for this episode and how it has gone."""

    weeks: int | None = _opt(Int(0, 520, "Weeks of care so far."))
    response: CareResponse | None = _opt(Choice(CareResponse))


@dataclass(frozen=True)
class Episode:
    """This episode of back pain."""

    days_since_onset: int | None = _opt(Int(0, 36500, "Days since this episode began."))
    onset: Onset | None = _opt(Choice(Onset))
    previous_episodes: int | None = _opt(Int(0, 100, "Earlier episodes of back pain."))
    trend: Trend | None = _opt(Choice(Trend))
    pain_now: int | None = _opt(Int(0, 10, "Back pain now, 0 to 10."))
    pain_worst_24h: int | None = _opt(Int(0, 10, "Worst pain in the last 24 hours, 0 to 10."))
    pain_best_24h: int | None = _opt(Int(0, 10, "Least pain in the last 24 hours, 0 to 10."))
    leg_pain_now: int | None = _opt(Int(0, 10, "Leg pain now, 0 to 10."))
    care_so_far: CareSoFar | None = _opt(Obj(CareSoFar))
    pain_areas: tuple[Area, ...] | None = _opt(ListOf(Choice(Area), max_items=10, unique=True))
    leg_symptoms: Legs | None = _opt(Choice(Legs))
    worse_with: tuple[Factor, ...] | None = _opt(ListOf(Choice(Factor), max_items=12, unique=True))
    better_with: tuple[Factor, ...] | None = _opt(ListOf(Choice(Factor), max_items=12, unique=True))
    night_pain: NightPain | None = _opt(Choice(NightPain))
    morning_stiffness_minutes: int | None = _opt(Int(0, 1440))
    daily_activities_hard: bool | None = _opt(Bool("The pain makes everyday activities hard."))


@dataclass(frozen=True)
class RedFlagScreen:
    """The red-flag questions, asked at intake and at every check-in. Null is unanswered."""

    saddle_numbness: bool | None = _opt(
        Bool("Numbness or altered feeling around the back passage or genitals.")
    )
    bladder: Bladder | None = _opt(Choice(Bladder))
    bowel_incontinence: bool | None = _opt(Bool("New loss of bowel control."))
    new_sexual_dysfunction: bool | None = _opt(Bool())
    leg_weakness: Weakness | None = _opt(Choice(Weakness))
    leg_numbness: Legs | None = _opt(Choice(Legs))
    walking_difficulty_new: bool | None = _opt(Bool("New difficulty walking or unsteadiness."))
    fever_or_chills: bool | None = _opt(Bool())
    unexplained_weight_loss: bool | None = _opt(Bool())
    systemically_unwell: bool | None = _opt(Bool())
    abdominal_pulsation: bool | None = _opt(Bool("A throbbing or pulsing feeling in the belly."))
    thoracic_pain: bool | None = _opt(Bool("Pain in the upper or middle back."))
    pain_unchanged_by_position_or_movement: bool | None = _opt(Bool())


@dataclass(frozen=True)
class History:
    """Medical history relevant to screening."""

    cancer: Cancer | None = _opt(Choice(Cancer))
    osteoporosis: bool | None = _opt(Bool())
    long_term_steroids: bool | None = _opt(Bool())
    immunosuppressed: bool | None = _opt(Bool())
    iv_drug_use: bool | None = _opt(Bool())
    diabetes: bool | None = _opt(Bool())
    recent_bacterial_infection: bool | None = _opt(Bool())
    recent_spinal_procedure: bool | None = _opt(Bool())
    previous_spinal_surgery: bool | None = _opt(Bool())
    smoker: bool | None = _opt(Bool())
    vascular_disease: bool | None = _opt(Bool())
    family_history_spondyloarthritis: bool | None = _opt(Bool())
    psoriasis: bool | None = _opt(Bool())
    inflammatory_bowel_disease: bool | None = _opt(Bool())
    uveitis: bool | None = _opt(Bool())


@dataclass(frozen=True)
class Exam:
    """Findings of a clinician's physical examination."""

    centralises_with: Direction | None = _opt(Choice(Direction))
    peripheralises_with: Direction | None = _opt(Choice(Direction))
    visible_lateral_shift: bool | None = _opt(Bool())
    slr_angle: int | None = _opt(Int(0, 120, "Straight-leg raise angle in degrees."))
    slr_reproduces_leg_pain: bool | None = _opt(Bool())
    crossed_slr: bool | None = _opt(Bool())
    neuro_deficit: NeuroDeficit | None = _opt(Choice(NeuroDeficit))
    upper_motor_neuron_signs: bool | None = _opt(Bool())
    hypomobile_lumbar_segment: bool | None = _opt(Bool())
    hip_internal_rotation_over_35: bool | None = _opt(Bool())
    aberrant_movement: bool | None = _opt(Bool())
    prone_instability_test: bool | None = _opt(Bool())
    structural_deformity: bool | None = _opt(Bool())
    bruising_or_abrasion: bool | None = _opt(Bool())
    midline_tenderness: bool | None = _opt(Bool())
    anal_tone_reduced: bool | None = _opt(Bool())
    pulsatile_abdominal_mass: bool | None = _opt(Bool())
    temperature_c: float | None = _opt(Num(30, 45, "Body temperature in degrees Celsius."))
    heart_rate: int | None = _opt(Int(20, 250, "Beats per minute."))
    systolic_bp: int | None = _opt(Int(50, 300, "Systolic blood pressure, mmHg."))


@dataclass(frozen=True)
class OdiAnswers:
    """Oswestry Disability Index: ten sections scored 0-5; null for a section not answered."""

    variant: OdiVariant | None = _opt(Choice(OdiVariant, "2.1a unless given."))
    answers: tuple[int | None, ...] | None = field(
        default=None,
        metadata=spec(
            ListOf(Int(0, 5), min_items=10, max_items=10, nullable_items=True), required=True
        ),
    )


@dataclass(frozen=True)
class RmdqAnswers:
    """Roland-Morris: 24 statements, true when the person ticks it; null when left blank."""

    answers: tuple[bool | None, ...] | None = field(
        default=None,
        metadata=spec(
            ListOf(Bool(), min_items=24, max_items=24, nullable_items=True), required=True
        ),
    )


@dataclass(frozen=True)
class StartBackAnswers:
    """Keele STarT Back: items 1-8 agree (true) or disagree (false); item 9 a five-point scale."""

    answers: tuple[bool | Bothersome | None, ...] | None = field(
        default=None,
        metadata=spec(Positional([Bool()] * 8 + [Choice(Bothersome)]), required=True),
    )


@dataclass(frozen=True)
class PsfsItem:
    """One activity the person finds hard, rated 0 (unable) to 10 (as before the problem)."""

    activity: str | None = field(default=None, metadata=spec(Text(120), required=True))
    score: int | None = _opt(Int(0, 10))


@dataclass(frozen=True)
class FabqAnswers:
    """Fear-Avoidance Beliefs: either the 16 answers (0-6) or, when only they are known, the
    two subscale scores. Not both."""

    answers: tuple[int | None, ...] | None = _opt(
        ListOf(Int(0, 6), min_items=16, max_items=16, nullable_items=True)
    )
    physical_activity: int | None = _opt(Int(0, 24, "FABQ physical-activity subscale, 0 to 24."))
    work: int | None = _opt(Int(0, 42, "FABQ work subscale, 0 to 42."))

    # The same rule for the JSON Schema (null counts as absent, as in the parser).
    _schema_extra: ClassVar[dict[str, Any]] = {
        "not": {
            "anyOf": [
                {
                    "required": ["answers", subscale],
                    "properties": {"answers": {"type": "array"}, subscale: {"type": "integer"}},
                }
                for subscale in ("physical_activity", "work")
            ]
        }
    }

    def _check(self, path: str, problems: list[Problem]) -> None:
        has_subscales = self.physical_activity is not None or self.work is not None
        if self.answers is not None and has_subscales:
            problems.append(
                Problem(
                    path,
                    Described("answers and subscale scores"),
                    "allowed: the answers or the subscale scores, not both",
                )
            )


@dataclass(frozen=True)
class Questionnaires:
    """Answers to the validated questionnaires, each optional."""

    nprs: int | None = _opt(
        Int(0, 10, "Numeric pain rating, 0 (no pain) to 10 (worst imaginable).")
    )
    odi: OdiAnswers | None = _opt(Obj(OdiAnswers))
    rmdq: RmdqAnswers | None = _opt(Obj(RmdqAnswers))
    startback: StartBackAnswers | None = _opt(Obj(StartBackAnswers))
    psfs: tuple[PsfsItem, ...] | None = _opt(ListOf(Obj(PsfsItem), min_items=1, max_items=5))
    fabq: FabqAnswers | None = _opt(Obj(FabqAnswers))


@dataclass(frozen=True)
class Preferences:
    """What the person can and wants to do at home and in clinic."""

    minutes_per_day: int | None = _opt(Int(5, 120, "Time for home exercise each day."))
    equipment: tuple[Equipment, ...] | None = _opt(
        ListOf(Choice(Equipment), max_items=11, unique=True)
    )
    avoid_positions: tuple[AvoidPosition, ...] | None = _opt(
        ListOf(Choice(AvoidPosition), max_items=8, unique=True)
    )
    clinic_sessions_per_week: int | None = _opt(Int(0, 7))
    wants_drug_free_care: bool | None = _opt(
        Bool("The person would like a treatment without medicines.")
    )


@dataclass(frozen=True)
class Intake:
    """An intake document, backcare-intake/1. Every field but format is optional; null or
    absent means unknown, never no."""

    format: str = field(default=INTAKE_FORMAT, metadata=spec(Const(INTAKE_FORMAT), required=True))
    id: str | None = _opt(Text(200, "Any identifier the sender chooses."))
    assessed_on: dt.date | None = _opt(Date("The day of the assessment; today when absent."))
    person: Person = field(default_factory=Person, metadata=spec(Obj(Person)))
    episode: Episode = field(default_factory=Episode, metadata=spec(Obj(Episode)))
    red_flag_screen: RedFlagScreen = field(
        default_factory=RedFlagScreen, metadata=spec(Obj(RedFlagScreen))
    )
    history: History = field(default_factory=History, metadata=spec(Obj(History)))
    exam: Exam = field(default_factory=Exam, metadata=spec(Obj(Exam)))
    questionnaires: Questionnaires = field(
        default_factory=Questionnaires, metadata=spec(Obj(Questionnaires))
    )
    goals: tuple[str, ...] | None = _opt(ListOf(Text(200), max_items=10))
    preferences: Preferences = field(default_factory=Preferences, metadata=spec(Obj(Preferences)))


def parse_intake(data: Any) -> Intake:
    """An Intake from decoded JSON, or InvalidDocument listing every problem.

    A nested object given as null is the same as one left out: nothing in it is known.
    """
    return parse_document(Intake, data)


def load_intake(text: str | bytes) -> Intake:
    """Decode JSON text and parse it; bad JSON is reported like any other problem."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise InvalidDocument(
            [Problem("", _first_line(text), f"allowed: a JSON document ({err})")]
        ) from None
    return parse_intake(data)


def _first_line(text: str | bytes) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return text.strip().splitlines()[0][:40] if text.strip() else ""


def intake_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of backcare-intake/1."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:backcare:schema:intake:1",
        "title": "backcare intake document",
        **schema_for(Intake),
    }
