"""From an assessment and its intake to a personalised plan (``backcare-plan/1``).

``plan_for(assessment, intake, content, *, today, options)`` is step 3 of the pathway (design.md):

- triage ``emergency``, ``urgent`` or ``soon`` gives a blocked plan that says why and what to do;
  ``routine`` gives a plan with the medical referral at its top;
- the five aims are weighted by AIM_RULES (stage, subgroup, pain, disability, goals);
- the home programme is chosen by a small CP-SAT model (one worker, fixed seed, deterministic
  time limit) over candidates pre-filtered in Python by the hard rules (contraindications, the
  direction that spreads symptoms, positions, equipment, time);
- the course of care, the clinic techniques, the education schedule and the discharge criteria
  come from the tables below.

Every table is data; ``rules_markdown()`` renders them for clinicians (docs/rules/). Every element
of a plan says ``why``, and ``excluded`` lists what was left out and why. The engine is pure: no
clock (``today`` is passed in), no files (``load_content`` is the only reader, for callers).
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ortools.sat.python import cp_model

from . import ENGINE_VERSION
from .assessment import Assessment
from .catalog import Aim, Catalog, Direction, Exercise, PositionGroup, load_catalog
from .classification import Cause, DirectionalPreference, Icf, Pathway, Stage, Tbc
from .education import Technique, Topic, load_techniques, load_topics
from .evidence import Certainty
from .i18n import _
from .intake import (
    Area,
    AvoidPosition,
    Cancer,
    Equipment,
    Factor,
    Intake,
    Legs,
    Onset,
    Weakness,
)
from .intake import Direction as ExamDirection
from .plan import (
    AimWeights,
    Course,
    Criterion,
    Dose,
    EducationItem,
    Evidence,
    Excluded,
    HomeItem,
    Plan,
    TechniqueItem,
)
from .scoring import OdiBand, Risk
from .triage import Condition, Level

# --- inputs -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Content:
    """The content a plan is built from: the exercise library, education topics, techniques."""

    catalog: Catalog
    topics: tuple[Topic, ...]
    techniques: tuple[Technique, ...]

    @property
    def version(self) -> str:
        return self.catalog.version


def load_content(content_dir: Path) -> Content:
    """The content under ``content_dir`` (CatalogError / InvalidDocument list every problem)."""
    return Content(
        load_catalog(content_dir), load_topics(content_dir), load_techniques(content_dir)
    )


# Home exercise time when the intake does not say: 20 minutes a day [synthesis; clinical-facts
# §4.5: the largest motor-control effects came with 20-30 minute sessions].
DEFAULT_MINUTES_PER_DAY = 20
# At most this many home exercises, so the programme stays one a person can remember
# [synthesis; no source gives a number].
MAX_EXERCISES = 6


@dataclass(frozen=True, slots=True)
class PlanOptions:
    """Choices a clinician (or the caller) makes; every one has a sensible default.

    ``conditions`` are tags the intake cannot carry (e.g. ``pregnancy``, ``spondylolisthesis``,
    ``bleeding-disorder-or-anticoagulants``): the plan is checked against them as well.
    """

    start: dt.date | None = None  # the first day of the plan; today when None
    minutes_per_day: int = DEFAULT_MINUTES_PER_DAY  # when the intake does not say
    sessions_per_week: int | None = None  # overrides the course rules and the intake
    weeks: int | None = None  # overrides the course rules
    weekdays_only: bool = True  # clinic visits Monday to Friday
    previous: Plan | None = None  # the plan this one replaces: keep its exercises where fit
    conditions: frozenset[str] = frozenset()
    max_exercises: int = MAX_EXERCISES


# --- the facts the rules read -------------------------------------------------------------------

LEG_AREAS = frozenset({Area.THIGH, Area.BELOW_KNEE, Area.FOOT})
BELOW_KNEE_AREAS = frozenset({Area.BELOW_KNEE, Area.FOOT})


@dataclass(frozen=True, slots=True)
class Facts:
    """What the planning rules read, worked out once from the assessment and the intake."""

    intake: Intake
    level: Level
    stage: Stage | None
    pathway: Pathway
    icf: Icf
    tbc: Tbc | None
    preference: DirectionalPreference
    radicular: bool | None
    causes: frozenset[Cause]
    flags: frozenset[Condition]
    pain: int | None  # NPRS, else the intake's "pain now"
    odi_band: OdiBand | None
    odi_percent: float | None
    rmdq: int | None
    risk: Risk | None
    age: int | None
    worse: frozenset[Factor]
    better: frozenset[Factor]
    leg_symptoms: bool  # symptoms in a leg, by the leg answer or the pain areas
    below_knee: bool
    wishes: str  # goals and PSFS activities, lower case, for the goal rules

    @classmethod
    def of(cls, assessment: Assessment, intake: Intake) -> Facts:
        ep, scores = intake.episode, assessment.scores
        areas = frozenset(ep.pain_areas or ())
        wishes = list(intake.goals or ())
        wishes += [item.activity or "" for item in intake.questionnaires.psfs or ()]
        odi = scores.odi
        return cls(
            intake=intake,
            level=assessment.triage.level,
            stage=assessment.stage,
            pathway=assessment.classification.pathway,
            icf=assessment.classification.icf,
            tbc=assessment.classification.tbc,
            preference=assessment.classification.directional_preference,
            radicular=assessment.classification.radicular,
            causes=frozenset(c.cause for c in assessment.classification.likely_causes),
            flags=frozenset(f.condition for f in assessment.triage.flags),
            pain=scores.nprs.value if scores.nprs is not None else ep.pain_now,
            odi_band=None if odi is None else odi.band,
            odi_percent=None if odi is None else odi.percent,
            rmdq=None if scores.rmdq is None else scores.rmdq.total,
            risk=None if scores.startback is None else scores.startback.risk,
            age=intake.person.age,
            worse=frozenset(ep.worse_with or ()),
            better=frozenset(ep.better_with or ()),
            leg_symptoms=ep.leg_symptoms in (Legs.ONE_LEG, Legs.BOTH_LEGS)
            or bool(areas & LEG_AREAS),
            below_knee=bool(areas & BELOW_KNEE_AREAS),
            wishes=" ".join(wishes).lower(),
        )

    @property
    def peripheralises(self) -> Direction | None:
        return EXAM_DIRECTIONS.get(self.intake.exam.peripheralises_with)  # type: ignore[arg-type]

    @property
    def preferred(self) -> Direction | None:
        """The direction that helps: the directional preference, else the TBC subgroup's."""
        return PREFERENCE_DIRECTIONS.get(self.preference) or SUBGROUP_DIRECTIONS.get(self.tbc)

    @property
    def severe_disability(self) -> bool:
        return self.odi_band in (OdiBand.SEVERE, OdiBand.VERY_SEVERE, OdiBand.EXTREME)


EXAM_DIRECTIONS: Mapping[ExamDirection, Direction] = {
    ExamDirection.EXTENSION: Direction.EXTENSION,
    ExamDirection.FLEXION: Direction.FLEXION,
    ExamDirection.LATERAL_SHIFT: Direction.LATERAL,
}
PREFERENCE_DIRECTIONS: Mapping[DirectionalPreference, Direction] = {
    DirectionalPreference.EXTENSION: Direction.EXTENSION,
    DirectionalPreference.FLEXION: Direction.FLEXION,
    DirectionalPreference.LATERAL_SHIFT: Direction.LATERAL,
}
SUBGROUP_DIRECTIONS: Mapping[Tbc | None, Direction] = {
    Tbc.SPECIFIC_EXERCISE_EXTENSION: Direction.EXTENSION,
    Tbc.SPECIFIC_EXERCISE_FLEXION: Direction.FLEXION,
    Tbc.LATERAL_SHIFT: Direction.LATERAL,
}
# The direction a directional preference works against (MDT: the opposite direction worsens;
# clinical-facts §3.5 [sec]; §4.4 [synthesis]). Lateral shift: shift correction, then extension.
OPPOSITE: Mapping[Direction, Direction] = {
    Direction.EXTENSION: Direction.FLEXION,
    Direction.FLEXION: Direction.EXTENSION,
}
DIRECTION_WORDS: Mapping[Direction, str] = {
    Direction.EXTENSION: _("bending backward"),
    Direction.FLEXION: _("bending forward"),
    Direction.LATERAL: _("moving sideways"),
    Direction.NEUTRAL: _("staying in the middle"),
}


def _has(facts: Facts, *factors: Factor, better: bool = False) -> bool:
    return bool((facts.better if better else facts.worse) & set(factors))


def _older(facts: Facts, age: int) -> bool:
    return facts.age is not None and facts.age >= age


# --- rule tables --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TagRule:
    """When ``applies``, the person has condition ``tag`` (a tag of tags.toml or techniques.toml)."""

    tag: str
    condition: str  # for clinicians
    because: str  # for the person
    source: str
    certainty: Certainty
    applies: Callable[[Facts], bool]


STENOSIS_AGE = 60  # Suri 2010: age under 60 LR 0.40, over 70 LR 2.0; clinical-facts §6 [src]
OLDER_ADULT_AGE = (
    65  # heat precaution "older adults" (Houghton 2010, §5.4); the age is ours [synthesis]
)
HYPERTENSION_SYSTOLIC = (
    140  # cold precaution; a common definition, not in clinical-facts [uncertain]
)
UNCONTROLLED_SYSTOLIC = 160  # exercise precaution; not in clinical-facts [uncertain]
FIRST_EPISODE_AGE = (
    55  # manipulation precaution: first episode after 55 (clinical-facts §5.5 [sec])
)

TAG_RULES: tuple[TagRule, ...] = (
    TagRule(
        "osteoporosis",
        "history.osteoporosis is true",
        _("you told us you have thin, fragile bones (osteoporosis)"),
        "Sinaki & Mikkelsen 1984; clinical-facts §5.6",
        Certainty.SRC,
        lambda f: f.intake.history.osteoporosis is True,
    ),
    TagRule(
        "severe-osteoporosis",
        "history.osteoporosis is true (how severe is not asked, so treated as severe for thrust "
        "manipulation)",
        _("thin bones: how thin is not known, so the strongest hands-on moves are left out"),
        "clinical-facts §5.5 [sec]; treating unknown severity as severe is our synthesis",
        Certainty.SYNTHESIS,
        lambda f: f.intake.history.osteoporosis is True,
    ),
    TagRule(
        "long-term-steroids",
        "history.long_term_steroids is true",
        _("you take steroid tablets long term, which can thin the bones"),
        "clinical-facts §5.5 [sec]",
        Certainty.SEC,
        lambda f: f.intake.history.long_term_steroids is True,
    ),
    TagRule(
        "acute-radiating-pain",
        "pain below the knee, a straight-leg raise that brings on leg pain, or radicular; and the "
        "stage is acute or not known",
        _("new sharp pain runs down your leg, so the nerve is touchy for now"),
        "Delitto 2012 APTA CPG; tags.toml; clinical-facts §3.2, §4.4",
        Certainty.SYNTHESIS,
        lambda f: (
            (f.below_knee or f.intake.exam.slr_reproduces_leg_pain is True or f.radicular is True)
            and f.stage in (Stage.ACUTE, None)
        ),
    ),
    TagRule(
        "flexion-sensitive-disc",
        "exam.peripheralises_with is flexion, or episode.worse_with has bending_forward or "
        "sitting with leg symptoms",
        _("bending forward or sitting makes your pain worse or spread down the leg"),
        "Delitto 2012 APTA CPG; May & Aina 2012; clinical-facts §5.6",
        Certainty.SEC,
        lambda f: (
            f.peripheralises is Direction.FLEXION
            or (_has(f, Factor.BENDING_FORWARD, Factor.SITTING) and f.leg_symptoms)
        ),
    ),
    TagRule(
        "extension-sensitive",
        f"exam.peripheralises_with is extension, or episode.worse_with has bending_backward, or "
        f"age {STENOSIS_AGE} or over with pain worse standing or walking",
        _("bending backward, standing or walking makes your pain worse"),
        "Fritz 2010; Suri 2010; clinical-facts §3.3, §5.6",
        Certainty.SRC,
        lambda f: (
            f.peripheralises is Direction.EXTENSION
            or _has(f, Factor.BENDING_BACKWARD)
            or (_older(f, STENOSIS_AGE) and _has(f, Factor.STANDING, Factor.WALKING))
        ),
    ),
    TagRule(
        "stenosis",
        f"age {STENOSIS_AGE} or over with pain worse standing, walking or bending backward or "
        "eased by sitting or bending forward; or likely cause arthritis with pain eased by sitting "
        "or bending forward",
        _("the signs fit a narrowed spinal canal: sitting or leaning forward eases the pain"),
        "Suri 2010 JAMA (no pain seated LR 7.4, relief bending forward LR 6.4); clinical-facts §6",
        Certainty.SRC,
        lambda f: (
            (
                _older(f, STENOSIS_AGE)
                and (
                    _has(f, Factor.STANDING, Factor.WALKING, Factor.BENDING_BACKWARD)
                    or _has(f, Factor.SITTING, Factor.BENDING_FORWARD, better=True)
                )
            )
            or (
                Cause.ARTHRITIS in f.causes
                and _has(f, Factor.SITTING, Factor.BENDING_FORWARD, better=True)
            )
        ),
    ),
    TagRule(
        "recent-spinal-surgery",
        "history.recent_spinal_procedure is true",
        _("you had a back operation or procedure recently"),
        "George 2021 APTA CPG; clinical-facts §5.6",
        Certainty.SRC,
        lambda f: f.intake.history.recent_spinal_procedure is True,
    ),
    TagRule(
        "uncontrolled-hypertension",
        f"exam.systolic_bp {UNCONTROLLED_SYSTOLIC} or more",
        _("your blood pressure was high when it was measured"),
        "tags.toml; Garber 2011 ACSM [uncertain for this point]",
        Certainty.UNCERTAIN,
        lambda f: (f.intake.exam.systolic_bp or 0) >= UNCONTROLLED_SYSTOLIC,
    ),
    TagRule(
        "hypertension",
        f"exam.systolic_bp {HYPERTENSION_SYSTOLIC} or more",
        _("your blood pressure was raised when it was measured"),
        "Houghton 2010 (cold: precaution); clinical-facts §5.4",
        Certainty.UNCERTAIN,
        lambda f: (f.intake.exam.systolic_bp or 0) >= HYPERTENSION_SYSTOLIC,
    ),
    TagRule(
        "red-flags-unchecked",
        "a triage flag for cauda equina, fracture, cancer or infection fired",
        _("a warning sign needs a doctor's check first"),
        "Finucane 2020 IFOMPT; clinical-facts §2, §5.5",
        Certainty.SEC,
        lambda f: bool(
            f.flags
            & {
                Condition.CAUDA_EQUINA,
                Condition.FRACTURE,
                Condition.MALIGNANCY,
                Condition.INFECTION,
            }
        ),
    ),
    TagRule(
        "cauda-equina-signs",
        "a cauda-equina triage flag fired",
        _("there are signs that the nerves at the bottom of the spine are squeezed"),
        "clinical-facts §2.2, §5.5",
        Certainty.SEC,
        lambda f: Condition.CAUDA_EQUINA in f.flags,
    ),
    TagRule(
        "progressive-neuro-deficit",
        "red_flag_screen.leg_weakness is new or worsening",
        _("your leg weakness is new or getting worse"),
        "clinical-facts §5.5",
        Certainty.SEC,
        lambda f: f.intake.red_flag_screen.leg_weakness in (Weakness.NEW, Weakness.WORSENING),
    ),
    TagRule(
        "bone-tumour",
        "history.cancer is current, or a cancer triage flag fired",
        _("there is a cancer now, or a sign of one"),
        "clinical-facts §5.5",
        Certainty.SEC,
        lambda f: f.intake.history.cancer is Cancer.CURRENT or Condition.MALIGNANCY in f.flags,
    ),
    TagRule(
        "history-of-cancer",
        "history.cancer is past or current",
        _("you have had cancer"),
        "clinical-facts §5.5",
        Certainty.SEC,
        lambda f: f.intake.history.cancer in (Cancer.PAST, Cancer.CURRENT),
    ),
    TagRule(
        "acute-fracture",
        "a fracture triage flag fired",
        _("a broken bone in the spine is possible"),
        "clinical-facts §5.5",
        Certainty.SEC,
        lambda f: Condition.FRACTURE in f.flags,
    ),
    TagRule(
        "spinal-infection",
        "an infection triage flag fired",
        _("an infection is possible"),
        "clinical-facts §5.5",
        Certainty.SEC,
        lambda f: Condition.INFECTION in f.flags,
    ),
    TagRule(
        "unstable-aortic-aneurysm",
        "a vascular triage flag fired",
        _("a problem with the main blood vessel in the belly is possible"),
        "clinical-facts §5.5",
        Certainty.SEC,
        lambda f: Condition.VASCULAR in f.flags,
    ),
    TagRule(
        "inflammatory-disease",
        "a spondyloarthritis triage flag fired",
        _("the signs fit an inflammatory back condition"),
        "clinical-facts §5.5; NICE NG65",
        Certainty.SEC,
        lambda f: Condition.SPONDYLOARTHRITIS in f.flags,
    ),
    TagRule(
        "systemically-unwell",
        "red_flag_screen.systemically_unwell is true",
        _("you feel generally unwell"),
        "clinical-facts §5.5",
        Certainty.SEC,
        lambda f: f.intake.red_flag_screen.systemically_unwell is True,
    ),
    TagRule(
        "no-mechanical-cause",
        "red_flag_screen.pain_unchanged_by_position_or_movement is true",
        _("your pain does not change with position or movement"),
        "clinical-facts §5.5",
        Certainty.SEC,
        lambda f: f.intake.red_flag_screen.pain_unchanged_by_position_or_movement is True,
    ),
    TagRule(
        "age-under-18-or-over-55-first-episode",
        f"first episode (episode.previous_episodes is 0) under 18 or over {FIRST_EPISODE_AGE}",
        _("this is your first back pain, at an age when it needs extra care"),
        "clinical-facts §5.5",
        Certainty.SEC,
        lambda f: (
            f.intake.episode.previous_episodes == 0
            and f.age is not None
            and (f.age < 18 or f.age > FIRST_EPISODE_AGE)
        ),
    ),
    TagRule(
        "impaired-circulation",
        "history.vascular_disease is true",
        _("you have a problem with blood flow"),
        "Houghton 2010; clinical-facts §5.4",
        Certainty.SEC,
        lambda f: f.intake.history.vascular_disease is True,
    ),
    TagRule(
        "impaired-sensation",
        "history.diabetes is true (it can dull skin feeling), or leg numbness is reported",
        _("the feeling in your skin may be dulled"),
        "Houghton 2010; clinical-facts §5.4; diabetes as a marker is our synthesis",
        Certainty.SYNTHESIS,
        lambda f: (
            f.intake.history.diabetes is True
            or f.intake.red_flag_screen.leg_numbness in (Legs.ONE_LEG, Legs.BOTH_LEGS)
        ),
    ),
    TagRule(
        "older-adult",
        f"age {OLDER_ADULT_AGE} or over",
        _("skin needs checking more often with age"),
        "Houghton 2010; clinical-facts §5.4",
        Certainty.SYNTHESIS,
        lambda f: _older(f, OLDER_ADULT_AGE),
    ),
    TagRule(
        "peripheralisation",
        "exam.peripheralises_with is extension, flexion or lateral_shift",
        _("one movement makes your symptoms spread down the leg"),
        "clinical-facts §5.2, §5.6",
        Certainty.SYNTHESIS,
        lambda f: f.peripheralises is not None,
    ),
)
# Tags the intake cannot carry; a clinician adds them with PlanOptions.conditions.
CLINICIAN_TAGS = (
    "pregnancy",
    "spondylolisthesis",
    "hip-replacement-precautions",
    "hypermobility",
    "severe-balance-problem",
    "inflammatory-flare",
    "bleeding-disorder-or-anticoagulants",
    "structural-instability",
)


def person_tags(facts: Facts, extra: Iterable[str] = ()) -> dict[str, str]:
    """The person's conditions: tag -> the plain reason it applies."""
    tags = {rule.tag: rule.because for rule in TAG_RULES if rule.applies(facts)}
    for tag in sorted(extra):
        tags.setdefault(tag, _("your clinician recorded it"))
    return tags


@dataclass(frozen=True, slots=True)
class AimRule:
    """When ``applies``, add ``adds`` to the raw aim weights (normalised to 1 afterwards)."""

    id: str
    condition: str
    adds: Mapping[Aim, int]
    because: str
    source: str
    certainty: Certainty
    applies: Callable[[Facts], bool]


HIGH_PAIN = (
    7  # NPRS 7-10 severe; symptom modulation (Alrwaily 2016, clinical-facts §3.4) [synthesis]
)
LOW_PAIN = 3  # NPRS 0-3: functional optimisation (Alrwaily 2016, clinical-facts §3.4) [synthesis]

STRENGTH_WORDS = ("lift", "carry", "run", "football", "sport", "gym", "load", "pick up", "garden")
POSTURE_WORDS = ("sit", "drive", "desk", "stand", "computer", "film", "straight")
MOBILITY_WORDS = ("bend", "reach", "yoga", "dress", "sock", "shoe", "tie", "turn", "cycle")
PREVENTION_WORDS = ("walk", "swim", "hike", "work", "dog")


def _wants(facts: Facts, words: Sequence[str]) -> bool:
    return any(word in facts.wishes for word in words)


AIM_RULES: tuple[AimRule, ...] = (
    AimRule(
        "aims.prevention-always",
        "every plan",
        {Aim.PREVENTION: 2},
        _("every plan works to keep the pain from coming back"),
        "Pengel 2003 (73 % recur within a year); clinical-facts §4.4, §4.6",
        Certainty.SRC,
        lambda f: True,
    ),
    AimRule(
        "aims.acute",
        "stage acute",
        {Aim.PAIN_REDUCTION: 3, Aim.MOBILITY: 1},
        _("the pain is new, so easing it comes first"),
        "Alrwaily 2016 symptom modulation; clinical-facts §3.4, §4.4",
        Certainty.SYNTHESIS,
        lambda f: f.stage is Stage.ACUTE,
    ),
    AimRule(
        "aims.subacute",
        "stage subacute",
        {Aim.MOBILITY: 2, Aim.STRENGTH: 1},
        _("the pain is settling, so moving freely and building strength come next"),
        "George 2021 APTA CPG; clinical-facts §4.1, §4.4",
        Certainty.SYNTHESIS,
        lambda f: f.stage is Stage.SUBACUTE,
    ),
    AimRule(
        "aims.chronic",
        "stage chronic",
        {Aim.STRENGTH: 3, Aim.MOBILITY: 1},
        _("the pain has lasted a long time: trunk strength and endurance help most"),
        "George 2021 APTA CPG (chronic: trunk strength and endurance 'should'); clinical-facts §4.1",
        Certainty.SEC,
        lambda f: f.stage is Stage.CHRONIC,
    ),
    AimRule(
        "aims.high-pain",
        f"pain {HIGH_PAIN}/10 or more",
        {Aim.PAIN_REDUCTION: 3},
        _("your pain is high, so easing it comes first"),
        "Alrwaily 2016 symptom modulation; clinical-facts §3.4",
        Certainty.SYNTHESIS,
        lambda f: (f.pain or 0) >= HIGH_PAIN,
    ),
    AimRule(
        "aims.low-pain",
        f"pain {LOW_PAIN}/10 or less",
        {Aim.STRENGTH: 2, Aim.PREVENTION: 1},
        _("your pain is low, so building strength for daily life comes first"),
        "Alrwaily 2016 functional optimisation; clinical-facts §3.4",
        Certainty.SYNTHESIS,
        lambda f: f.pain is not None and f.pain <= LOW_PAIN,
    ),
    AimRule(
        "aims.severe-disability",
        "ODI band severe, very severe or extreme",
        {Aim.PAIN_REDUCTION: 2, Aim.MOBILITY: 1},
        _("the pain makes many daily things hard, so easing it and moving more come first"),
        "Alrwaily 2016 (high disability: symptom modulation); clinical-facts §3.4",
        Certainty.SYNTHESIS,
        lambda f: f.severe_disability,
    ),
    AimRule(
        "aims.directional-preference",
        "a directional preference (or a specific-exercise subgroup) is known",
        {Aim.PAIN_REDUCTION: 2},
        _("one direction of movement eases your pain: those exercises come first"),
        "Delitto 2012 (centralisation/DP exercise, A for acute); May 2018; clinical-facts §3.2, §4.4",
        Certainty.SEC,
        lambda f: f.preferred is not None,
    ),
    AimRule(
        "aims.movement-coordination",
        "ICF movement coordination or TBC stabilisation",
        {Aim.STRENGTH: 3, Aim.POSTURE: 1},
        _("the back needs better control and strength: motor-control exercise helps most"),
        "George 2021 APTA CPG ('should' for chronic with movement-control impairment); §4.4",
        Certainty.SEC,
        lambda f: f.icf is Icf.MOVEMENT_COORDINATION or f.tbc is Tbc.STABILIZATION,
    ),
    AimRule(
        "aims.mobility-deficits",
        "ICF mobility deficits or TBC manipulation",
        {Aim.MOBILITY: 2},
        _("the back is stiff: range-of-movement exercise goes with the hands-on treatment"),
        "Fritz 2015 protocol (manipulation, then range of motion); clinical-facts §4.4",
        Certainty.SEC,
        lambda f: f.icf is Icf.MOBILITY_DEFICITS or f.tbc is Tbc.MANIPULATION,
    ),
    AimRule(
        "aims.radiating-pain",
        "ICF radiating pain or radicular",
        {Aim.PAIN_REDUCTION: 1, Aim.MOBILITY: 1},
        _("pain runs down the leg: easing it and gently moving the nerve help"),
        "Delitto 2012 (radiating pain: directional exercise; nerve mobilisation later); §3.2",
        Certainty.SYNTHESIS,
        lambda f: f.icf is Icf.RADIATING_PAIN or f.radicular is True,
    ),
    AimRule(
        "aims.posture",
        "likely cause posture / sitting a lot, or a lateral shift",
        {Aim.POSTURE: 2},
        _("long sitting or a shifted posture plays a part, so posture work is added"),
        "clinical-facts §6 (posture / sedentary); §4.4 (lateral shift)",
        Certainty.SYNTHESIS,
        lambda f: Cause.POSTURE_SEDENTARY in f.causes or f.tbc is Tbc.LATERAL_SHIFT,
    ),
    AimRule(
        "aims.older-adult",
        f"age {OLDER_ADULT_AGE} or over and stage chronic",
        {Aim.STRENGTH: 1, Aim.PREVENTION: 1},
        _("general exercise training helps older adults with long-lasting pain"),
        "George 2021 APTA CPG (older adults: general exercise 'should'); clinical-facts §4.1",
        Certainty.SEC,
        lambda f: _older(f, OLDER_ADULT_AGE) and f.stage is Stage.CHRONIC,
    ),
    AimRule(
        "aims.goal-strength",
        "goals or PSFS activities name lifting, carrying, running or sport",
        {Aim.STRENGTH: 1},
        _("your goals need strength"),
        "goal matching is our synthesis (PSFS, clinical-facts §1.5)",
        Certainty.SYNTHESIS,
        lambda f: _wants(f, STRENGTH_WORDS),
    ),
    AimRule(
        "aims.goal-posture",
        "goals or PSFS activities name sitting, driving, standing or desk work",
        {Aim.POSTURE: 1},
        _("your goals need comfortable sitting or standing"),
        "goal matching is our synthesis (PSFS, clinical-facts §1.5)",
        Certainty.SYNTHESIS,
        lambda f: _wants(f, POSTURE_WORDS),
    ),
    AimRule(
        "aims.goal-mobility",
        "goals or PSFS activities name bending, reaching, dressing or yoga",
        {Aim.MOBILITY: 1},
        _("your goals need free movement"),
        "goal matching is our synthesis (PSFS, clinical-facts §1.5)",
        Certainty.SYNTHESIS,
        lambda f: _wants(f, MOBILITY_WORDS),
    ),
    AimRule(
        "aims.goal-prevention",
        "goals or PSFS activities name walking, swimming or work",
        {Aim.PREVENTION: 1},
        _("your goals need you active every day"),
        "goal matching is our synthesis (PSFS, clinical-facts §1.5)",
        Certainty.SYNTHESIS,
        lambda f: _wants(f, PREVENTION_WORDS),
    ),
)


@dataclass(frozen=True, slots=True)
class LevelRule:
    """The starting level of every exercise: the first rule that applies (top down)."""

    id: str
    condition: str
    level: int
    because: str
    source: str
    certainty: Certainty
    applies: Callable[[Facts], bool]


LEVEL_RULES: tuple[LevelRule, ...] = (
    LevelRule(
        "level.high-pain",
        f"pain {HIGH_PAIN}/10 or more, or not known",
        1,
        _("start gently: the pain is high or not yet rated"),
        "pain-monitoring model (start low, progress when settled); clinical-facts §5.1, §5.2",
        Certainty.SYNTHESIS,
        lambda f: f.pain is None or f.pain >= HIGH_PAIN,
    ),
    LevelRule(
        "level.severe-disability",
        "ODI band severe, very severe or extreme",
        1,
        _("start gently: daily things are hard at the moment"),
        "clinical-facts §1.2 (bands), §5.2",
        Certainty.SYNTHESIS,
        lambda f: f.severe_disability,
    ),
    LevelRule(
        "level.older-adult",
        f"age {OLDER_ADULT_AGE} or over",
        1,
        _("start gently and build up: older muscles need a slower start"),
        "Garber 2011 ACSM (novices and older adults: lighter loads); clinical-facts §4.5",
        Certainty.UNCERTAIN,
        lambda f: _older(f, OLDER_ADULT_AGE),
    ),
    LevelRule(
        "level.low-pain-minimal-disability",
        f"pain {LOW_PAIN}/10 or less and ODI band minimal (20 % or less) or not measured",
        2,
        _("start one step up: the pain is low and daily things are mostly easy"),
        "Alrwaily 2016 functional optimisation; clinical-facts §3.4",
        Certainty.SYNTHESIS,
        lambda f: (f.pain or 0) <= LOW_PAIN and f.odi_band in (OdiBand.MINIMAL, None),
    ),
    LevelRule(
        "level.default",
        "otherwise",
        1,
        _("start at the first step and build up"),
        "clinical-facts §5.2",
        Certainty.SYNTHESIS,
        lambda f: True,
    ),
)


def starting_level(facts: Facts) -> LevelRule:
    return next(rule for rule in LEVEL_RULES if rule.applies(facts))


@dataclass(frozen=True, slots=True)
class CourseRule:
    """Clinic sessions a week and weeks: the first rule that applies (top down)."""

    id: str
    condition: str
    sessions_per_week: int
    weeks: int
    psychologically_informed: bool
    because: str
    source: str
    certainty: Certainty
    applies: Callable[[Facts], bool]


COURSE_RULES: tuple[CourseRule, ...] = (
    CourseRule(
        "course.self-care",
        "pathway self-care, or STarT Back low risk",
        1,
        3,
        False,
        _("advice and self-care: a short course with a check-up, as the risk is low"),
        "Hill 2011 (low risk: advice and self-management); Alrwaily 2016; clinical-facts §1.4",
        Certainty.SRC,
        lambda f: f.pathway is Pathway.SELF_CARE or f.risk is Risk.LOW,
    ),
    CourseRule(
        "course.high-risk",
        "STarT Back high risk",
        2,
        6,
        True,
        _("psychologically informed care: exercise with support for worry and confidence"),
        "Hill 2011 (high risk: psychologically informed physiotherapy); graded activity 2 a week "
        "for 6 weeks (clinical-facts §4.5)",
        Certainty.SRC,
        lambda f: f.risk is Risk.HIGH,
    ),
    CourseRule(
        "course.motor-control",
        "TBC stabilisation or ICF movement coordination",
        3,
        6,
        False,
        _("motor-control training works best about three times a week for about six weeks"),
        "motor-control meta-regression (3.4 a week, 6.4 weeks); clinical-facts §4.5",
        Certainty.SRC,
        lambda f: f.tbc is Tbc.STABILIZATION or f.icf is Icf.MOVEMENT_COORDINATION,
    ),
    CourseRule(
        "course.acute",
        "stage acute",
        2,
        4,
        False,
        _("new pain usually settles well: twice a week for four weeks"),
        "trial protocols, Fritz 2015 (4 visits in 3 weeks); clinical-facts §4.5 [synthesis]",
        Certainty.SYNTHESIS,
        lambda f: f.stage is Stage.ACUTE,
    ),
    CourseRule(
        "course.default",
        "otherwise (subacute, chronic or stage not known)",
        2,
        6,
        False,
        _("twice a week for six weeks, with daily home exercise"),
        "trial protocols (Fritz 2010 traction 12 in 6 weeks; Rabin 2014); clinical-facts §4.5 "
        "[synthesis]",
        Certainty.SYNTHESIS,
        lambda f: True,
    ),
)

# The review against baseline: week 2-3, on the visit nearest day 14 (clinical-facts §4.6
# [synthesis]: reassess formally every 2 weeks; act on no important change at week 2-3).
REASSESS_FROM_DAY, REASSESS_TARGET_DAY, REASSESS_UNTIL_DAY = 7, 14, 20


@dataclass(frozen=True, slots=True)
class TechniqueRule:
    """When ``applies``, offer technique ``technique`` under ``name`` at the visits ``when``."""

    id: str
    technique: str  # a technique id of content/techniques.toml
    name: str
    when: str
    clinician_option: bool
    condition: str
    because: str
    source: str
    certainty: Certainty
    applies: Callable[[Facts], bool]


def _manipulation(f: Facts) -> bool:
    return f.tbc is Tbc.MANIPULATION


TECHNIQUE_RULES: tuple[TechniqueRule, ...] = (
    TechniqueRule(
        "technique.manipulation",
        "manual-manipulation",
        _("Spinal manipulation (thrust)"),
        _("visits 1 and 2, then as needed"),
        False,
        "TBC manipulation subgroup",
        _("you fit the group that does well with manipulation in the first visits"),
        "Flynn 2002 / Childs 2004 CPR; Fritz 2015 protocol; clinical-facts §3.3, §4.4",
        Certainty.SEC,
        _manipulation,
    ),
    TechniqueRule(
        "technique.mobilisation",
        "manual-mobilisation",
        _("Joint mobilisation"),
        _("the first visits, while the back is stiff"),
        False,
        "ICF mobility deficits, or the manipulation subgroup when manipulation is left out",
        _("the back is stiff: gentle joint movement eases it"),
        "Delitto 2012 (mobility deficits: manipulation or mobilisation, A); clinical-facts §3.2, §5.5",
        Certainty.SEC,
        lambda f: f.icf is Icf.MOBILITY_DEFICITS or _manipulation(f),
    ),
    TechniqueRule(
        "technique.directional-preference",
        "exercise-therapy",
        _("Directional-preference procedures (repeated movements)"),
        _("every visit, until the pain stays central"),
        False,
        "a directional preference or a specific-exercise subgroup is known",
        _("repeated movements in the direction that eases the pain"),
        "Delitto 2012 (centralisation procedures, A acute); May 2018; clinical-facts §3.5, §4.4",
        Certainty.SEC,
        lambda f: f.preferred is not None,
    ),
    TechniqueRule(
        "technique.neural-mobilisation",
        "exercise-therapy",
        _("Nerve mobilisation (sliders)"),
        _("from the second week, if the leg pain allows"),
        False,
        "ICF radiating pain or radicular, and the stage is subacute or chronic",
        _("gentle nerve gliding for the pain that runs down the leg"),
        "Delitto 2012 (subacute/chronic radiating pain: nerve mobilisation, C); George 2021 (may)",
        Certainty.UNCERTAIN,
        lambda f: (
            (f.icf is Icf.RADIATING_PAIN or f.radicular is True)
            and f.stage in (Stage.SUBACUTE, Stage.CHRONIC)
        ),
    ),
    TechniqueRule(
        "technique.motor-control",
        "exercise-therapy",
        _("Motor-control and trunk-strength training"),
        _("every visit, building up to everyday tasks"),
        False,
        "TBC stabilisation, ICF movement coordination, or stage chronic",
        _("training the trunk muscles to control and support the back"),
        "George 2021 APTA CPG ('should' for chronic and movement-control impairment); §4.4",
        Certainty.SEC,
        lambda f: (
            f.tbc is Tbc.STABILIZATION
            or f.icf is Icf.MOVEMENT_COORDINATION
            or f.stage is Stage.CHRONIC
        ),
    ),
    TechniqueRule(
        "technique.shift-correction",
        "exercise-therapy",
        _("Lateral shift correction, then extension"),
        _("every visit until the shift is corrected"),
        False,
        "TBC lateral shift",
        _("the body is shifted to one side: correcting it comes first"),
        "Fritz 2007 TBC (lateral shift); clinical-facts §3.3, §4.4",
        Certainty.SEC,
        lambda f: f.tbc is Tbc.LATERAL_SHIFT,
    ),
    TechniqueRule(
        "technique.heat",
        "heat",
        _("Superficial heat"),
        _("at visits before exercise, and at home for pain relief"),
        False,
        "stage acute or subacute",
        _("heat eases new back pain"),
        "ACP 2017 (superficial heat, moderate-quality evidence); clinical-facts §4.3",
        Certainty.SRC,
        lambda f: f.stage in (Stage.ACUTE, Stage.SUBACUTE),
    ),
    TechniqueRule(
        "technique.education",
        "education",
        _("Education: pain science and self-management"),
        _("every visit (see the education schedule)"),
        False,
        "every plan",
        _("understanding back pain and how to manage it is part of every plan"),
        "George 2021 APTA CPG; NICE NG59; clinical-facts §4.1, §4.2",
        Certainty.SRC,
        lambda f: True,
    ),
    TechniqueRule(
        "technique.psychologically-informed",
        "education",
        _("Psychologically informed physical therapy (graded activity)"),
        _("every visit"),
        False,
        "STarT Back high risk",
        _("support for worry and confidence, with activity built up step by step"),
        "Hill 2011; George 2010 (graded activity or exposure); clinical-facts §1.4, §5.3",
        Certainty.SRC,
        lambda f: f.risk is Risk.HIGH,
    ),
    TechniqueRule(
        "technique.traction",
        "traction",
        _("Lumbar traction"),
        _("clinician's option only"),
        True,
        "TBC traction subgroup",
        _("you fit the small group for whom traction with extension exercise was studied"),
        "Fritz 2007 TBC; Fritz 2010 traction trial; clinical-facts §3.3",
        Certainty.SRC,
        lambda f: f.tbc is Tbc.TRACTION,
    ),
    TechniqueRule(
        "technique.tens",
        "tens",
        _("TENS (electrical nerve stimulation)"),
        _("clinician's option only, for short-term relief with exercise"),
        True,
        f"pain {HIGH_PAIN}/10 or more",
        _("pain is high: short-term relief may be asked for"),
        "techniques.toml indications; clinical-facts §5.4",
        Certainty.SYNTHESIS,
        lambda f: (f.pain or 0) >= HIGH_PAIN,
    ),
)
# Techniques never planned by a rule, with the reason shown in ``excluded``.
NOT_PLANNED: Mapping[str, str] = {
    "ultrasound": _(
        "no guideline we follow gives a reason to use it for back pain; NICE advises against it"
    ),
    "taping": _("no guideline we follow recommends it for back pain"),
    "dry-needling": _(
        "weak support only; the clinician may add it to exercise for long-lasting pain"
    ),
}


@dataclass(frozen=True, slots=True)
class TopicRule:
    """When ``applies``, schedule topic ``topic`` in week ``week`` (of a course of ``weeks``)."""

    id: str
    topic: str
    condition: str
    because: str
    week: Callable[[int], int]
    applies: Callable[[Facts], bool]


def _first(weeks: int) -> int:
    return 1


def _second(weeks: int) -> int:
    return min(2, weeks)


def _middle(weeks: int) -> int:
    return max(1, (weeks + 1) // 2)


def _before_last(weeks: int) -> int:
    return max(1, weeks - 1)


def _last(weeks: int) -> int:
    return weeks


CAUSE_TOPICS: Mapping[Cause, str] = {
    Cause.MUSCLE_STRAIN: "cause-strain-or-sprain",
    Cause.HERNIATED_DISC: "cause-herniated-disc",
    Cause.ARTHRITIS: "cause-arthritis",
    Cause.SCIATICA: "cause-sciatica",
    Cause.POSTURE_SEDENTARY: "cause-posture-and-sitting",
}

TOPIC_RULES: tuple[TopicRule, ...] = (
    TopicRule(
        "education.basics",
        "what-is-back-pain",
        "every plan, week 1",
        _("knowing what back pain is and that it usually gets better"),
        _first,
        lambda f: True,
    ),
    TopicRule(
        "education.hurt-not-harm",
        "hurt-is-not-harm",
        "every plan, week 1",
        _("pain during movement does not mean damage"),
        _first,
        lambda f: True,
    ),
    TopicRule(
        "education.warning-signs",
        "warning-signs",
        "every plan, week 1",
        _("what to do if a warning sign appears"),
        _first,
        lambda f: True,
    ),
    TopicRule(
        "education.home-exercises",
        "your-home-exercises",
        "every plan, week 1",
        _("how to get the most from the home programme"),
        _first,
        lambda f: True,
    ),
    TopicRule(
        "education.heat-and-cold",
        "heat-and-cold-at-home",
        "stage acute or subacute, week 1",
        _("heat can ease new back pain at home"),
        _first,
        lambda f: f.stage in (Stage.ACUTE, Stage.SUBACUTE),
    ),
    TopicRule(
        "education.will-it-hurt",
        "will-it-hurt",
        "STarT Back high risk, week 1",
        _("what treatment feels like, to ease worry"),
        _first,
        lambda f: f.risk is Risk.HIGH,
    ),
    TopicRule(
        "education.referral",
        "do-i-need-a-referral",
        "triage routine (a doctor's check alongside), week 1",
        _("how the doctor's check fits with physical therapy"),
        _first,
        lambda f: f.level is Level.ROUTINE,
    ),
    TopicRule(
        "education.cause",
        "(the topic of each likely cause)",
        "each likely cause of the assessment, week 2",
        _("what the likely cause of your pain means"),
        _second,
        lambda f: bool(f.causes),
    ),
    TopicRule(
        "education.pacing",
        "staying-active-and-pacing",
        "every plan, week 2",
        _("keeping active without overdoing it"),
        _second,
        lambda f: True,
    ),
    TopicRule(
        "education.sitting",
        "sitting-standing-sleeping",
        "posture aim or sitting makes it worse, week 2",
        _("comfortable ways to sit, stand and sleep"),
        _second,
        lambda f: Cause.POSTURE_SEDENTARY in f.causes or _has(f, Factor.SITTING),
    ),
    TopicRule(
        "education.workstation",
        "workstation-setup",
        "likely cause posture / sitting a lot, middle of the course",
        _("setting up your desk so sitting is easier"),
        _middle,
        lambda f: Cause.POSTURE_SEDENTARY in f.causes,
    ),
    TopicRule(
        "education.surgery",
        "can-physical-therapy-prevent-surgery",
        "radicular or likely disc cause, middle of the course",
        _("most disc and nerve pain settles without an operation"),
        _middle,
        lambda f: f.radicular is True or Cause.HERNIATED_DISC in f.causes,
    ),
    TopicRule(
        "education.lifting",
        "lifting-safely",
        "onset after lifting, lifting makes it worse, or a lifting goal; middle of the course",
        _("lifting and carrying with confidence"),
        _middle,
        lambda f: (
            _has(f, Factor.LIFTING)
            or f.intake.episode.onset is Onset.AFTER_LIFTING
            or _wants(f, ("lift", "carry", "pick up"))
        ),
    ),
    TopicRule(
        "education.back-to-work",
        "back-to-work-and-sport",
        "every plan, the week before the last",
        _("planning the return to work and sport"),
        _before_last,
        lambda f: True,
    ),
    TopicRule(
        "education.flare-up",
        "flare-up-plan",
        "every plan, the week before the last (before discharge)",
        _("what to do if the pain flares up again"),
        _before_last,
        lambda f: True,
    ),
    TopicRule(
        "education.keeping-it-away",
        "keeping-it-away",
        "every plan, the last week",
        _("keeping back pain away after the course"),
        _last,
        lambda f: True,
    ),
)


@dataclass(frozen=True, slots=True)
class DischargeRule:
    id: str
    text: str
    source: str
    applies: Callable[[Facts], bool]


DISCHARGE_RULES: tuple[DischargeRule, ...] = (
    DischargeRule(
        "discharge.goals",
        _("Your goals are met: the activities you named are at or near how they were before."),
        "clinical-facts §4.7 [synthesis]; PSFS §1.5",
        lambda f: True,
    ),
    DischargeRule(
        "discharge.pain",
        _("Pain is 2/10 or less, or has dropped by 2 points (or 30 %) or more."),
        "clinical-facts §4.7 [synthesis]; NPRS MCID §1.1",
        lambda f: True,
    ),
    DischargeRule(
        "discharge.odi",
        _("Oswestry score 20 % or less, or improved by the important change or by half."),
        "clinical-facts §4.7 [synthesis]; ODI bands and MCID §1.2",
        lambda f: f.odi_percent is not None,
    ),
    DischargeRule(
        "discharge.rmdq",
        _("Roland-Morris score 4 or less."),
        "clinical-facts §4.7 [synthesis]; Stratford & Riddle 2016",
        lambda f: f.rmdq is not None,
    ),
    DischargeRule(
        "discharge.independent",
        _("You do the home programme on your own and have a flare-up plan."),
        "clinical-facts §4.7 [synthesis]",
        lambda f: True,
    ),
    DischargeRule(
        "discharge.plateau",
        _(
            "No important change at two reviews in a row (about 2 to 4 weeks): finish the course "
            "or refer on."
        ),
        "clinical-facts §4.6, §4.7 [synthesis]",
        lambda f: True,
    ),
    DischargeRule(
        "discharge.refer",
        _("A new warning sign, or no response by week 4 to 6: refer to a doctor or specialist."),
        "clinical-facts §4.6, §4.7 [synthesis]",
        lambda f: True,
    ),
)


# The home-programme objective, in whole points (CP-SAT needs integers). Covering an aim that has
# weight outranks everything else together, so every weighted aim is covered when the content
# allows; the rest breaks ties [synthesis: our design, documented in docs/plans.md].
class Weight(StrEnum):
    COVER = "cover"
    COVER_BY_WEIGHT = "cover_by_weight"
    SECOND = "second"
    PREFERRED = "preferred"
    KEEP = "keep"
    GROUP = "group"
    PRECAUTION = "precaution"
    MINUTE = "minute"
    EMPHASIS = "emphasis"


OBJECTIVE: Mapping[Weight, tuple[int, str]] = {
    Weight.COVER: (100_000, "for each aim with weight that at least one exercise serves"),
    Weight.COVER_BY_WEIGHT: (1_000, "times the aim's weight, for the same"),
    Weight.SECOND: (400, "times the aim's weight, for a second exercise serving the aim"),
    Weight.PREFERRED: (300, "for each exercise in the direction that eases the pain"),
    Weight.KEEP: (250, "for each exercise kept from the previous plan"),
    Weight.GROUP: (-150, "for each position group used (lying, kneeling, sitting, standing)"),
    Weight.PRECAUTION: (-60, "for each of the person's conditions an exercise lists as a caution"),
    Weight.EMPHASIS: (300, "for each exercise the person's subgroup calls for (EMPHASIS_RULES)"),
    # Hayden 2005: higher-dose programmes did better (clinical-facts §4.5 [src]); small, so it
    # never outweighs an aim or a change of position.
    Weight.MINUTE: (3, "for each minute a day the programme takes (within the time budget)"),
}


def _points(weight: Weight) -> int:
    return OBJECTIVE[weight][0]


@dataclass(frozen=True, slots=True)
class EmphasisRule:
    """Exercises a subgroup calls for, beyond covering the aims (clinical-facts §4.4)."""

    id: str
    condition: str
    exercises: frozenset[str]
    because: str
    source: str
    certainty: Certainty
    test: Callable[[Facts], bool]


EMPHASIS_RULES: tuple[EmphasisRule, ...] = (
    EmphasisRule(
        "emphasis.motor-control",
        "treatment subgroup stabilization, or ICF movement coordination impairments",
        # §4.4: specific trunk muscle activation and motor control, then endurance (curl-up,
        # side bridge, bird-dog), progressed to functional loading.
        frozenset(
            {
                "abdominal-bracing",
                "bird-dog",
                "bridge",
                "curl-up",
                "dead-bug",
                "side-plank",
                "side-plank-knees",
                "single-leg-bridge",
            }
        ),
        _(
            "it trains the control of your trunk muscles, which helps back pain that comes with "
            "poor movement control"
        ),
        "clinical-facts §4.4 (movement coordination / stabilization); George 2021 APTA CPG "
        "('should' for chronic LBP with movement control impairment) [sec]",
        Certainty.SYNTHESIS,
        lambda f: f.tbc is Tbc.STABILIZATION or f.icf is Icf.MOVEMENT_COORDINATION,
    ),
)


def emphasis_for(facts: Facts) -> tuple[EmphasisRule, ...]:
    """The emphasis rules that apply to this person."""
    return tuple(rule for rule in EMPHASIS_RULES if rule.test(facts))


# When the intake did not ask about equipment: things most homes have [synthesis].
ASSUMED_EQUIPMENT = frozenset(
    {Equipment.MAT, Equipment.CHAIR, Equipment.WALL, Equipment.TOWEL, Equipment.PILLOW}
)
GROUP_ORDER = (
    PositionGroup.LYING,
    PositionGroup.KNEELING,
    PositionGroup.SITTING,
    PositionGroup.STANDING,
)
SOLVER_SEED = 1
SOLVER_DETERMINISTIC_TIME = 2.0  # deterministic work units, not seconds: same answer every run

# --- the plan -----------------------------------------------------------------------------------

BLOCKING_LEVELS = frozenset({Level.EMERGENCY, Level.URGENT, Level.SOON})


@dataclass(frozen=True, slots=True)
class SolveStats:
    """How the CP-SAT model went (for the benchmark)."""

    status: str  # OPTIMAL, FEASIBLE ... or SKIPPED when no model was needed
    objective: float
    bound: float
    candidates: int
    seconds: float


@dataclass(frozen=True, slots=True)
class _Candidate:
    exercise: Exercise
    level: int
    minutes: int
    minutes_a_day: int
    cautions: tuple[str, ...]  # the person's conditions this exercise lists as precautions


def plan_for(
    assessment: Assessment,
    intake: Intake,
    content: Content,
    *,
    today: dt.date,
    options: PlanOptions = PlanOptions(),
) -> Plan:
    """The plan for one person (see the module docstring)."""
    return plan_with_stats(assessment, intake, content, today=today, options=options)[0]


def plan_with_stats(
    assessment: Assessment,
    intake: Intake,
    content: Content,
    *,
    today: dt.date,
    options: PlanOptions = PlanOptions(),
) -> tuple[Plan, SolveStats]:
    """``plan_for``, with the solver's figures."""
    facts = Facts.of(assessment, intake)
    start = options.start or today
    stamp = {
        "engine_version": ENGINE_VERSION,
        "content_version": content.version,
        "intake_id": assessment.intake_id,
        "created_on": today,
        "start": start,
        "triage_level": facts.level,
    }
    triage = assessment.triage
    flag_reasons = tuple(f.reason for f in triage.flags)
    advice = " ".join(
        (triage.advice, *(r for r in dict.fromkeys(flag_reasons) if r not in triage.advice))
    )
    if facts.level in BLOCKING_LEVELS:
        return Plan(
            blocked=True,
            blocked_reason=advice,
            why=(
                _("No exercise plan until a doctor has seen you: triage level {level}.").format(
                    level=facts.level.value
                ),
                *flag_reasons,
            ),
            **stamp,  # type: ignore[arg-type]
        ), SolveStats("SKIPPED", 0.0, 0.0, 0, 0.0)

    tags = person_tags(facts, options.conditions)
    weights, aim_why = aim_weights(facts)
    excluded: list[Excluded] = []
    budget = intake.preferences.minutes_per_day or options.minutes_per_day
    programme, stats = _home_programme(
        facts, content.catalog, tags, weights, budget, options, excluded
    )
    course = plan_course(facts, start, options, intake.preferences.clinic_sessions_per_week)
    techniques = _techniques(facts, content.techniques, tags, excluded)
    weeks = max(course.weeks, 1)
    education = schedule_education(facts, content.topics, weeks)
    criteria = tuple(
        Criterion(rule.id, rule.text, rule.source)
        for rule in DISCHARGE_RULES
        if rule.applies(facts)
    )
    referral = advice if facts.level is Level.ROUTINE else None
    plan = Plan(
        referral=referral,
        aims=weights,
        home_programme=programme,
        minutes_per_day=sum(item.minutes_a_day or 0 for item in programme),
        minutes_budget=budget,
        course=course,
        clinic_techniques=techniques,
        education=education,
        excluded=tuple(excluded),
        discharge_criteria=criteria,
        conditions=tuple(sorted(tags)),
        why=aim_why + tuple(f"{tag}: {because}" for tag, because in sorted(tags.items()))[:10],
        **stamp,  # type: ignore[arg-type]
    )
    return plan, stats


def aim_weights(facts: Facts) -> tuple[AimWeights, tuple[str, ...]]:
    """The five aim weights (adding up to 1, to two decimals) and the rules that set them."""
    raw = dict.fromkeys(Aim, 0)
    why = []
    for rule in AIM_RULES:
        if rule.applies(facts):
            for aim, points in rule.adds.items():
                raw[aim] += points
            why.append(f"{rule.because} ({rule.id})")
    total = sum(raw.values())  # prevention-always fires, so never 0
    shares = {aim: round(points / total, 2) for aim, points in raw.items()}
    top = max(Aim, key=lambda aim: (raw[aim], -list(Aim).index(aim)))
    shares[top] = round(shares[top] + 1 - sum(shares.values()), 2)
    return AimWeights(**{aim.value: shares[aim] for aim in Aim}), tuple(why[:10])


def _why_left_out(
    ex: Exercise,
    facts: Facts,
    tags: Mapping[str, str],
    equipment: frozenset[Equipment],
    avoid: frozenset[AvoidPosition],
    budget: int,
    minutes_a_day: int,
) -> str | None:
    """The first hard rule that rules the exercise out, in plain words; None when it may be used."""
    for tag in ex.contraindications:
        if tag in tags:
            return _("not safe with this condition: {because}").format(because=tags[tag])
    if facts.peripheralises is not None and ex.direction is facts.peripheralises:
        return _("symptoms spread with {direction}").format(direction=DIRECTION_WORDS[ex.direction])
    preferred = facts.preferred
    if preferred in OPPOSITE and ex.direction is OPPOSITE[preferred]:  # type: ignore[index]
        return _("{direction} works against the direction that eases your pain").format(
            direction=DIRECTION_WORDS[ex.direction]
        )
    bones = ("osteoporosis", "long-term-steroids")
    if ex.direction is Direction.FLEXION and any(tag in tags for tag in bones):
        # Sinaki & Mikkelsen 1984: 89 % new fractures with flexion exercise (clinical-facts §5.6).
        return _("bending forward exercise is left out with thin bones")
    if ex.avoid_positions & avoid:
        return _("you asked to avoid this position")
    missing = set(ex.equipment) - equipment
    if missing:
        return _("needs equipment you do not have: {items}").format(
            items=", ".join(sorted(missing))
        )
    if minutes_a_day > budget:
        return _("takes {minutes} minutes a day, more than the {budget} you have").format(
            minutes=minutes_a_day, budget=budget
        )
    return None


def _home_programme(
    facts: Facts,
    catalog: Catalog,
    tags: Mapping[str, str],
    weights: AimWeights,
    budget: int,
    options: PlanOptions,
    excluded: list[Excluded],
) -> tuple[tuple[HomeItem, ...], SolveStats]:
    prefs = facts.intake.preferences
    equipment = frozenset(ASSUMED_EQUIPMENT if prefs.equipment is None else prefs.equipment)
    avoid = frozenset(prefs.avoid_positions or ())
    level_rule = starting_level(facts)
    kept = {item.exercise_id: item.level for item in (options.previous or Plan()).home_programme}
    candidates = []
    for ex in catalog.exercises.values():
        level = min(kept.get(ex.id, level_rule.level), len(ex.levels))
        dose = ex.levels[level - 1]
        per_day = dose.minutes * dose.times_a_day
        reason = _why_left_out(ex, facts, tags, equipment, avoid, budget, per_day)
        if reason is not None:
            excluded.append(Excluded(ex.id, f"{ex.name} " + _("left out") + f": {reason}"))
            continue
        cautions = tuple(tag for tag in ex.precautions if tag in tags)
        candidates.append(_Candidate(ex, level, dose.minutes, per_day, cautions))
    emphasis = emphasis_for(facts)
    called_for = frozenset().union(*(rule.exercises for rule in emphasis))
    chosen, stats = choose(
        candidates, weights, budget, facts.preferred, set(kept), options, called_for
    )
    items = [_home_item(c, weights, facts, level_rule, kept, emphasis) for c in chosen]
    return tuple(items), stats


def choose(
    candidates: Sequence[_Candidate],
    weights: AimWeights,
    budget: int,
    preferred: Direction | None,
    kept: set[str],
    options: PlanOptions,
    called_for: frozenset[str] = frozenset(),
) -> tuple[list[_Candidate], SolveStats]:
    """The CP-SAT model: which candidates make the home programme (see OBJECTIVE)."""
    began = time.perf_counter()
    model = cp_model.CpModel()
    x = [model.new_bool_var(c.exercise.id) for c in candidates]
    model.add(sum(c.minutes_a_day * v for c, v in zip(candidates, x, strict=True)) <= budget)
    model.add(sum(x) <= options.max_exercises)
    index = {c.exercise.id: i for i, c in enumerate(candidates)}
    for i, c in enumerate(candidates):  # one step of a ladder at a time
        for other in c.exercise.progresses_to:
            if other in index:
                model.add(x[i] + x[index[other]] <= 1)
    objective: list[cp_model.LinearExprT] = []
    helps = [v for c, v in zip(candidates, x, strict=True) if c.exercise.direction is preferred]
    if helps:  # the directional-preference exercises come first: at least one (Delitto 2012)
        model.add(sum(helps) >= 1)
        objective += [_points(Weight.PREFERRED) * v for v in helps]
    emphasised = [v for c, v in zip(candidates, x, strict=True) if c.exercise.id in called_for]
    if emphasised:  # at least one exercise the subgroup calls for, when one fits
        model.add(sum(emphasised) >= 1)
        objective += [_points(Weight.EMPHASIS) * v for v in emphasised]
    for aim in Aim:
        weight = round(weights.of(aim) * 100)
        serving = [v for c, v in zip(candidates, x, strict=True) if aim in c.exercise.aims]
        if weight == 0 or not serving:
            continue
        first, second = model.new_bool_var(f"{aim}1"), model.new_bool_var(f"{aim}2")
        model.add(first <= sum(serving))
        model.add(2 * second <= sum(serving))
        cover = _points(Weight.COVER) + _points(Weight.COVER_BY_WEIGHT) * weight // 100
        objective += [cover * first, _points(Weight.SECOND) * weight // 100 * second]
    for group in GROUP_ORDER:
        members = [
            v for c, v in zip(candidates, x, strict=True) if c.exercise.position_group is group
        ]
        if members:
            used = model.new_bool_var(str(group))
            for v in members:
                model.add(v <= used)
            objective.append(_points(Weight.GROUP) * used)
    for c, v in zip(candidates, x, strict=True):
        points = _points(Weight.MINUTE) * c.minutes_a_day
        points += _points(Weight.PRECAUTION) * len(c.cautions)
        points += _points(Weight.KEEP) if c.exercise.id in kept else 0
        objective.append(points * v)
    model.maximize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = SOLVER_SEED
    solver.parameters.max_deterministic_time = SOLVER_DETERMINISTIC_TIME
    status = solver.solve(model)
    solved = status in (cp_model.OPTIMAL, cp_model.FEASIBLE)
    chosen = [c for c, v in zip(candidates, x, strict=True) if solved and solver.boolean_value(v)]
    chosen.sort(
        key=lambda c: (
            c.exercise.direction is not preferred,
            GROUP_ORDER.index(c.exercise.position_group),
            c.exercise.id,
        )
    )
    stats = SolveStats(
        solver.status_name(status),
        solver.objective_value,
        solver.best_objective_bound,
        len(candidates),
        time.perf_counter() - began,
    )
    return chosen, stats


def _home_item(
    c: _Candidate,
    weights: AimWeights,
    facts: Facts,
    level_rule: LevelRule,
    kept: Mapping[str, int],
    emphasis: Sequence[EmphasisRule] = (),
) -> HomeItem:
    ex = c.exercise
    dose = ex.levels[c.level - 1]
    aims = ", ".join(f"{aim.value} ({weights.of(aim):.2f})" for aim in ex.aims)
    why = [_("Serves the aims {aims}.").format(aims=aims)]
    if ex.direction is facts.preferred:
        why.append(
            _("Moves in the direction that eases your pain ({direction}).").format(
                direction=ex.direction.value
            )
        )
    for rule in emphasis:
        if ex.id in rule.exercises:
            why.append(
                _("Chosen because {because} ({id}).").format(because=rule.because, id=rule.id)
            )
    if ex.id in kept:
        why.append(_("Kept from your previous plan, at level {level}.").format(level=c.level))
    else:
        why.append(f"{_('Level')} {c.level}: {level_rule.because} ({level_rule.id}).")
    for tag in c.cautions:
        why.append(_("Take care: {tag} is listed as a caution for this exercise.").format(tag=tag))
    return HomeItem(
        exercise_id=ex.id,
        name=ex.name,
        aims=ex.aims,
        direction=ex.direction,
        position=ex.position,
        level=c.level,
        dose=Dose(
            sets=dose.sets,
            reps=dose.reps,
            hold_seconds=dose.hold_seconds,
            rest_seconds=dose.rest_seconds,
            times_a_day=dose.times_a_day,
            days_a_week=dose.days_a_week,
            per_side=ex.per_side,
        ),
        minutes=c.minutes,
        minutes_a_day=c.minutes_a_day,
        why=tuple(why),
    )


def course_rule(facts: Facts) -> CourseRule:
    return next(rule for rule in COURSE_RULES if rule.applies(facts))


def plan_course(
    facts: Facts, start: dt.date, options: PlanOptions, asked_sessions: int | None
) -> Course:
    """Sessions a week, weeks, the dated visits and the reassessment visit."""
    rule = course_rule(facts)
    why = [f"{rule.because} ({rule.id})"]
    sessions, weeks = rule.sessions_per_week, rule.weeks
    if options.sessions_per_week is not None:
        sessions = options.sessions_per_week
        why.append(_("Sessions a week set by the clinician: {n}.").format(n=sessions))
    elif asked_sessions is not None:
        sessions = asked_sessions
        why.append(_("Sessions a week as you asked: {n}.").format(n=sessions))
    if options.weeks is not None:
        weeks = options.weeks
        why.append(_("Weeks set by the clinician: {n}.").format(n=weeks))
    visits, short = visit_dates(start, sessions, weeks, weekdays_only=options.weekdays_only)
    if short:
        why.append(
            _(
                "Fewer visits than asked in some weeks: visits are never on two days running"
                " and only on weekdays."
            )
        )
    reassess = reassessment(start, visits)
    if visits:
        why.append(_("Review against your first scores at the visit nearest the end of week 2."))
    else:
        why.append(_("No clinic visits: review by phone or message two weeks from the start."))
    return Course(
        sessions_per_week=sessions,
        weeks=weeks,
        visits=visits,
        reassess_on=reassess,
        psychologically_informed=rule.psychologically_informed,
        why=tuple(why),
    )


def visit_dates(
    start: dt.date, sessions: int, weeks: int, *, weekdays_only: bool = True
) -> tuple[tuple[dt.date, ...], bool]:
    """Visits week by week from ``start``: spread out, never two days running, weekdays only
    unless told otherwise. Returns the dates and whether some week got fewer than asked."""
    visits: list[dt.date] = []
    short = False
    for week in range(weeks):
        days = [start + dt.timedelta(days=7 * week + d) for d in range(7)]
        allowed = [d for d in days if not weekdays_only or d.weekday() < 5]
        targets = [7 * week + i * 7 / sessions for i in range(sessions)] if sessions else []
        last = visits[-1] if visits else None
        # As many as fit: none at all always fits, so this always finds a week's visits.
        best = next(
            found
            for count in range(min(sessions, len(allowed)), -1, -1)
            if (found := _spread(start, allowed, count, targets, last)) is not None
        )
        short = short or len(best) < sessions
        visits += best
    return tuple(visits), short


def _spread(
    start: dt.date,
    allowed: Sequence[dt.date],
    count: int,
    targets: Sequence[float],
    last: dt.date | None,
) -> tuple[dt.date, ...] | None:
    """The ``count`` allowed days closest to the targets with no two days running, or None."""
    best: tuple[float, tuple[dt.date, ...]] | None = None
    for combo in itertools.combinations(allowed, count):
        days = ((last,) if last else ()) + combo
        if any((b - a).days < 2 for a, b in itertools.pairwise(days)):
            continue
        cost = sum(abs((d - start).days - t) for d, t in zip(combo, targets, strict=False))
        if best is None or cost < best[0]:
            best = (cost, combo)
    return None if best is None else best[1]


def reassessment(start: dt.date, visits: Sequence[dt.date]) -> dt.date | None:
    """The visit in week 2-3 nearest day 14; with no visit then, day 14 itself (a remote review)
    when there are no visits at all, else the last visit."""
    window = [v for v in visits if REASSESS_FROM_DAY <= (v - start).days <= REASSESS_UNTIL_DAY]
    if window:
        return min(window, key=lambda v: (abs((v - start).days - REASSESS_TARGET_DAY), v))
    if not visits:
        return start + dt.timedelta(days=REASSESS_TARGET_DAY)
    return visits[-1]


def _evidence(technique: Technique) -> Evidence:
    return Evidence(
        apta_2021=technique.status("apta_2021").recommendation,
        nice_ng59=technique.status("nice_ng59").recommendation,
        acp_2017=technique.status("acp_2017").recommendation,
    )


def _techniques(
    facts: Facts,
    techniques: Sequence[Technique],
    tags: Mapping[str, str],
    excluded: list[Excluded],
) -> tuple[TechniqueItem, ...]:
    by_id = {t.id: t for t in techniques}
    items: list[TechniqueItem] = []
    chosen_manual = False
    for rule in TECHNIQUE_RULES:
        technique = by_id.get(rule.technique)
        if technique is None or not rule.applies(facts):
            continue
        if rule.technique == "manual-mobilisation" and chosen_manual:
            continue  # manipulation already covers the manual-therapy slot
        blocked = [item for item in technique.contraindications if item.tag in tags]
        if blocked:
            texts = "; ".join(item.text for item in blocked)
            excluded.append(Excluded(rule.id, f"{rule.name} " + _("left out") + f": {texts}"))
            continue
        chosen_manual = chosen_manual or rule.technique == "manual-manipulation"
        cautions = [item.text for item in technique.precautions if item.tag in tags]
        if rule.clinician_option:
            cautions += [
                f"{entry.guideline}: {entry.recommendation.value}. {entry.note}"
                for entry in technique.guidelines
            ]
        items.append(
            TechniqueItem(
                technique_id=technique.id,
                name=rule.name,
                when=rule.when,
                clinician_option=rule.clinician_option,
                evidence=_evidence(technique),
                cautions=tuple(cautions)[:20],
                why=(f"{rule.because} ({rule.id}: {rule.condition}).", rule.source),
            )
        )
    for technique_id, reason in NOT_PLANNED.items():
        if technique_id in by_id:
            excluded.append(Excluded(technique_id, f"{by_id[technique_id].name}: {reason}"))
    return tuple(items)


def schedule_education(
    facts: Facts, topics: Sequence[Topic], weeks: int
) -> tuple[EducationItem, ...]:
    """Which topic in which week (TOPIC_RULES), only topics the content has, each once."""
    by_id = {t.id: t for t in topics}
    seen: set[str] = set()
    items: list[EducationItem] = []
    for rule in TOPIC_RULES:
        if not rule.applies(facts):
            continue
        ids = (
            [CAUSE_TOPICS[c] for c in sorted(facts.causes)]
            if rule.id == "education.cause"
            else [rule.topic]
        )
        for topic_id in ids:
            topic = by_id.get(topic_id)
            if topic is None or topic_id in seen:
                continue
            seen.add(topic_id)
            items.append(
                EducationItem(
                    rule.week(weeks), topic_id, topic.title, f"{rule.because} ({rule.id})"
                )
            )
    items.sort(key=lambda item: item.week)
    return tuple(items)


# --- the readable report ------------------------------------------------------------------------


def render_plan(plan: Plan) -> str:
    """The plan as plain text for a person and their clinician."""
    lines = [_("backcare plan") + f" ({plan.start.isoformat()})", ""]
    if plan.blocked:
        lines += [_("NO EXERCISE PLAN YET"), f"  {plan.blocked_reason}", ""]
        lines += [f"  - {reason}" for reason in plan.why]
        return "\n".join(lines) + "\n"
    if plan.referral:
        lines += [_("SEE A DOCTOR TOO (routine referral)"), f"  {plan.referral}", ""]
    lines.append(_("Aims"))
    lines += [f"  {aim.value}: {plan.aims.of(aim):.2f}" for aim in Aim if plan.aims.of(aim)]
    lines += [f"  - {reason}" for reason in plan.why]
    lines += [
        "",
        _("Home programme: {minutes} of {budget} minutes a day").format(
            minutes=plan.minutes_per_day, budget=plan.minutes_budget
        ),
    ]
    for item in plan.home_programme:
        d = item.dose
        work = f"{d.sets} x {d.reps}" if d.reps else f"{d.sets} x"
        work += f", hold {d.hold_seconds} s" if d.hold_seconds else ""
        work += _(" each side") if d.per_side else ""
        lines.append(
            f"  {item.name} [{item.position.value}, {item.direction.value}], "
            + _("level {level}: {work}, {times} a day, {days} days a week, {minutes} min").format(
                level=item.level,
                work=work if d.reps or d.hold_seconds else _("{m} min").format(m=item.minutes),
                times=d.times_a_day,
                days=d.days_a_week,
                minutes=item.minutes_a_day,
            )
        )
        lines += [f"      {reason}" for reason in item.why]
    c = plan.course
    lines += ["", _("Course: {n} a week for {w} weeks").format(n=c.sessions_per_week, w=c.weeks)]
    if c.psychologically_informed:
        lines.append("  " + _("psychologically informed care"))
    lines.append("  " + _("visits") + ": " + ", ".join(v.isoformat() for v in c.visits))
    lines.append("  " + _("review on") + f": {c.reassess_on}")
    lines += [f"  - {reason}" for reason in c.why]
    lines += ["", _("Clinic techniques")]
    for t in plan.clinic_techniques:
        option = " " + _("(clinician's option)") if t.clinician_option else ""
        e = t.evidence
        lines.append(f"  {t.name}{option}: {t.when}")
        lines.append(
            f"      APTA 2021 {e.apta_2021.value}; NICE NG59 {e.nice_ng59.value};"
            f" ACP 2017 {e.acp_2017.value}"
        )
        lines += [f"      {_('caution')}: {text}" for text in t.cautions]
    lines += ["", _("Education")]
    lines += [f"  {_('week')} {e.week}: {e.title}" for e in plan.education]
    lines += ["", _("Left out")]
    lines += [f"  - {x.reason}" for x in plan.excluded]
    lines += ["", _("Ready to finish when")]
    lines += [f"  - {cr.text}" for cr in plan.discharge_criteria]
    lines += ["", _("backcare supports clinical decisions; it does not diagnose.")]
    return "\n".join(lines) + "\n"


# --- rules for clinicians -----------------------------------------------------------------------


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return out


def _adds(adds: Mapping[Aim, int]) -> str:
    return ", ".join(f"{aim.value} +{points}" for aim, points in adds.items())


def rules_markdown() -> str:
    """The planning tables as Markdown, generated from the tables above."""
    lines = [
        "# Planning rules",
        "",
        "Triage emergency, urgent or soon: the plan is blocked (no exercises, no visits) and says "
        "why and what to do. Routine: a plan with the medical referral at its top.",
        "",
        "## The person's conditions (checked against every exercise and technique)",
        "",
    ]
    lines += _table(
        ("tag", "condition", "source", "certainty"),
        ((r.tag, r.condition, r.source, r.certainty) for r in TAG_RULES),
    )
    lines += [
        "",
        "Not in the intake, so added by the clinician (`PlanOptions.conditions`): "
        + ", ".join(CLINICIAN_TAGS)
        + ".",
        "",
        "## Aim weights (points added when the condition holds; the sum is scaled to 1)",
        "",
    ]
    lines += _table(
        ("id", "condition", "adds", "source", "certainty"),
        ((r.id, r.condition, _adds(r.adds), r.source, r.certainty) for r in AIM_RULES),
    )
    lines += [
        "",
        "## Home programme: hard rules (in this order; the first names the reason)",
        "",
    ]
    hard = [
        (
            "home.contraindication",
            "the exercise lists one of the person's conditions as a contraindication",
            "content/tags.toml; clinical-facts §5.6",
            Certainty.SEC,
        ),
        (
            "home.peripheralises",
            "the exercise moves in the direction that spreads symptoms (exam.peripheralises_with)",
            "clinical-facts §5.2, §5.6",
            Certainty.SYNTHESIS,
        ),
        (
            "home.opposite-direction",
            "the exercise moves against the directional preference "
            "(flexion for extension, extension for flexion)",
            "clinical-facts §3.5, §4.4",
            Certainty.SYNTHESIS,
        ),
        (
            "home.thin-bones-flexion",
            "flexion exercise with osteoporosis or long-term steroids",
            "Sinaki & Mikkelsen 1984 (89 % new fractures with flexion); clinical-facts §5.6",
            Certainty.SRC,
        ),
        (
            "home.position",
            "the exercise's position is in preferences.avoid_positions ('floor' "
            "rules out every exercise with a mat)",
            "the person's choice",
            Certainty.SYNTHESIS,
        ),
        (
            "home.equipment",
            "the exercise needs equipment the person lacks (not asked: "
            + ", ".join(sorted(ASSUMED_EQUIPMENT))
            + " assumed)",
            "the person's choice",
            Certainty.SYNTHESIS,
        ),
        (
            "home.time",
            "minutes x times a day is more than the daily time (preferences."
            f"minutes_per_day, default {DEFAULT_MINUTES_PER_DAY})",
            "clinical-facts §4.5",
            Certainty.SYNTHESIS,
        ),
        (
            "home.total-time",
            "the programme's minutes a day fit the daily time",
            "the person's choice",
            Certainty.SYNTHESIS,
        ),
        ("home.count", f"at most {MAX_EXERCISES} exercises", "our synthesis", Certainty.SYNTHESIS),
        (
            "home.ladder",
            "never two steps of the same ladder",
            "content/exercises/README.md",
            Certainty.SYNTHESIS,
        ),
        (
            "home.preferred",
            "at least one exercise in the direction that eases the pain, when one fits",
            "Delitto 2012 (A for acute); clinical-facts §4.4",
            Certainty.SEC,
        ),
    ]
    lines += _table(("id", "rule", "source", "certainty"), hard)
    lines += [
        "",
        "## Home programme: exercises a subgroup calls for (at least one, when one fits)",
        "",
    ]
    lines += _table(
        ("id", "condition", "exercises", "source", "certainty"),
        (
            (r.id, r.condition, ", ".join(sorted(r.exercises)), r.source, r.certainty)
            for r in EMPHASIS_RULES
        ),
    )
    lines += ["", "## Home programme: objective (CP-SAT, one worker, fixed seed)", ""]
    lines += _table(
        ("term", "points", "for"), ((w.value, p, text) for w, (p, text) in OBJECTIVE.items())
    )
    lines += ["", "## Starting level (the first rule that applies)", ""]
    lines += _table(
        ("id", "condition", "level", "source", "certainty"),
        ((r.id, r.condition, r.level, r.source, r.certainty) for r in LEVEL_RULES),
    )
    lines += ["", "## Course of care (the first rule that applies; options override)", ""]
    lines += _table(
        ("id", "condition", "a week", "weeks", "psychologically informed", "source", "certainty"),
        (
            (
                r.id,
                r.condition,
                r.sessions_per_week,
                r.weeks,
                r.psychologically_informed,
                r.source,
                r.certainty,
            )
            for r in COURSE_RULES
        ),
    )
    lines += [
        "",
        "Visits fall on weekdays (unless told otherwise), never on two days running, spread "
        f"through each week. The review is the visit between day {REASSESS_FROM_DAY} and day "
        f"{REASSESS_UNTIL_DAY} nearest day {REASSESS_TARGET_DAY} (clinical-facts §4.6, "
        "synthesis).",
        "",
        "## Clinic techniques (contraindications checked against the person's conditions)",
        "",
    ]
    lines += _table(
        ("id", "technique", "condition", "clinician option", "source", "certainty"),
        (
            (r.id, r.technique, r.condition, r.clinician_option, r.source, r.certainty)
            for r in TECHNIQUE_RULES
        ),
    )
    lines += ["", "Never planned: " + "; ".join(f"{k}: {v}" for k, v in NOT_PLANNED.items()), ""]
    lines += ["## Education schedule", ""]
    lines += _table(("id", "topic", "when"), ((r.id, r.topic, r.condition) for r in TOPIC_RULES))
    lines += ["", "## Discharge criteria (clinical-facts §4.7, synthesis)", ""]
    lines += _table(
        ("id", "criterion", "source"), ((r.id, r.text, r.source) for r in DISCHARGE_RULES)
    )
    return "\n".join(lines) + "\n"
