"""Classification: stage, first-contact pathway, APTA ICF category, treatment-based subgroup,
directional preference, radicular pain and the likely causes to consider (clinical-facts §3, §6).

Everything here is a working hypothesis that routes care and explains itself; nothing here is a
diagnosis. Every rule is a table entry (named criteria, each with its source and certainty) so
that ``rules_markdown()`` renders the same rules for clinicians that the code runs.

Unknown findings (``None``) count as "not met" when a rule counts its criteria, but when they
could change the result they are listed in ``missing_findings`` with what to record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from operator import attrgetter
from typing import Any, Generic, TypeVar

from .i18n import _
from .intake import Area, Direction, Exam, Factor, Intake, Legs, NeuroDeficit, Onset, Weakness
from .scoring import Certainty, Risk, Scores
from .triage import Level, Triage


class Stage(StrEnum):
    ACUTE = "acute"
    SUBACUTE = "subacute"
    CHRONIC = "chronic"


class Pathway(StrEnum):
    """Alrwaily et al. 2016 TBC revision, Level 1 (clinical-facts §3.4)."""

    MEDICAL = "medical"
    REHABILITATION = "rehabilitation"
    SELF_CARE = "self_care"


class Icf(StrEnum):
    """APTA 2012 ICF-based categories (Delitto et al. 2012; clinical-facts §3.2)."""

    MOBILITY_DEFICITS = "mobility_deficits"
    MOVEMENT_COORDINATION = "movement_coordination"
    REFERRED_LEG_PAIN = "referred_leg_pain"
    RADIATING_PAIN = "radiating_pain"
    COGNITIVE_AFFECTIVE = "cognitive_affective"
    GENERALIZED_PAIN = "generalized_pain"


class Tbc(StrEnum):
    """Treatment-based classification (Fritz, Cleland, Childs 2007; clinical-facts §3.3)."""

    MANIPULATION = "manipulation"
    STABILIZATION = "stabilization"
    SPECIFIC_EXERCISE_EXTENSION = "specific_exercise_extension"
    SPECIFIC_EXERCISE_FLEXION = "specific_exercise_flexion"
    LATERAL_SHIFT = "lateral_shift"
    TRACTION = "traction"


class DirectionalPreference(StrEnum):
    EXTENSION = "extension"
    FLEXION = "flexion"
    LATERAL_SHIFT = "lateral_shift"
    NONE = "none"
    UNKNOWN = "unknown"  # repeated-movement testing not recorded


class Cause(StrEnum):
    """The five common causes named in the brief (clinical-facts §6). Hypotheses, not diagnoses."""

    MUSCLE_STRAIN = "muscle_strain"
    HERNIATED_DISC = "herniated_disc"
    ARTHRITIS = "arthritis"
    SCIATICA = "sciatica"
    POSTURE_SEDENTARY = "posture_sedentary"


# --- results ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LikelyCause:
    """A cause worth considering, with the features that point to it, in plain words."""

    cause: Cause
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RuleResult:
    """How one treatment-subgroup rule came out, for the clinician's view (``rule_results``)."""

    rule: str  # rule id, e.g. "tbc_manipulation_flynn"
    met: tuple[str, ...]  # ids of criteria met
    unknown: tuple[str, ...]  # ids of criteria not recorded
    positive: bool


@dataclass(frozen=True, slots=True)
class Classification:
    pathway: Pathway
    icf: Icf
    tbc: Tbc | None
    directional_preference: DirectionalPreference
    radicular: bool | None  # None: not known
    likely_causes: tuple[LikelyCause, ...]
    reasons: tuple[str, ...]  # why this pathway, ICF category and subgroup, in plain words
    missing_findings: tuple[str, ...]  # findings not recorded that could change the result


# --- the facts the rules read -----------------------------------------------------------------


class _Facts:
    """What the criteria read: the intake and scores plus a few values derived once per call."""

    __slots__ = (
        "below_knee",
        "dp",
        "ep",
        "exam",
        "fabq_pa",
        "fabq_w",
        "intake",
        "leg",
        "radicular",
        "scores",
        "stage",
        "startback_items",
        "tbc",
    )

    def __init__(self, intake: Intake, scores: Scores) -> None:
        self.intake = intake
        self.ep = intake.episode
        self.exam = intake.exam
        self.scores = scores
        self.stage = stage_for(intake.episode.days_since_onset)
        fabq = scores.fabq
        self.fabq_w = fabq.work if fabq is not None else None
        self.fabq_pa = fabq.physical_activity if fabq is not None else None
        sb = intake.questionnaires.startback
        self.startback_items = sb.answers if sb is not None and sb.answers is not None else None
        self.below_knee = _pain_below_knee(intake)
        self.leg = _leg_symptoms(intake)
        self.dp = _directional_preference(intake)
        self.radicular: bool | None = None
        self.tbc: Tbc | None = None


Test = Callable[[_Facts], bool | None]

_BELOW_KNEE = frozenset({Area.BELOW_KNEE, Area.FOOT})
_DISTAL_TO_BUTTOCK = frozenset({Area.THIGH, Area.BELOW_KNEE, Area.FOOT})
_LEG_OR_BUTTOCK = frozenset({Area.BUTTOCK, Area.THIGH, Area.BELOW_KNEE, Area.FOOT})
_WIDESPREAD = frozenset({Area.WIDESPREAD})
_DEFICIT = frozenset({NeuroDeficit.ONE_ROOT, NeuroDeficit.SEVERAL_ROOTS})
_FLEXED = frozenset({Factor.BENDING_FORWARD, Factor.SITTING})


def _pain_below_knee(intake: Intake) -> bool | None:
    areas = intake.episode.pain_areas
    if areas is not None:  # a present list is complete
        return not _BELOW_KNEE.isdisjoint(areas)
    return False if intake.episode.leg_symptoms is Legs.NONE else None


def _leg_symptoms(intake: Intake) -> bool | None:
    """Symptoms distal to the buttock (thigh, below the knee, foot), from either answer."""
    legs, areas = intake.episode.leg_symptoms, intake.episode.pain_areas
    if (legs is not None and legs is not Legs.NONE) or (
        areas is not None and not _DISTAL_TO_BUTTOCK.isdisjoint(areas)
    ):
        return True
    return None if legs is None and areas is None else False


def _any(*values: bool | None) -> bool | None:
    """True if any is true; False if all are known false; otherwise unknown."""
    unknown = False
    for value in values:
        if value:
            return True
        unknown = unknown or value is None
    return None if unknown else False


def _eq(value: object, target: object) -> bool | None:
    return None if value is None else value == target


def _in(value: object, targets: frozenset[Any]) -> bool | None:
    return None if value is None else value in targets


def _has(items: tuple[Any, ...] | None, wanted: frozenset[Any]) -> bool | None:
    return None if items is None else not wanted.isdisjoint(items)


def _lt(value: float | None, limit: float) -> bool | None:
    return None if value is None else value < limit


def _le(value: float | None, limit: float) -> bool | None:
    return None if value is None else value <= limit


def _gt(value: float | None, limit: float) -> bool | None:
    return None if value is None else value > limit


def _startback_item(f: _Facts, number: int) -> bool | None:
    """STarT Back item 1-8 agreed (True), disagreed (False) or not answered (None)."""
    items = f.startback_items
    if items is None:
        return None
    answer = items[number - 1]
    return answer if isinstance(answer, bool) else None


# --- stage ------------------------------------------------------------------------------------

# Convention used in most guidelines and trials, [uncertain as to a single authoritative source];
# NIH Task Force defines chronic as >= 3 months [src]. clinical-facts §0, §3.1.
ACUTE_BEFORE_DAYS = 42  # acute: < 6 weeks
CHRONIC_FROM_DAYS = 84  # chronic: >= 12 weeks; subacute in between (6-12 weeks)
_STAGE_SOURCE = "Convention; NIH Task Force (chronic ≥ 3 months) [src]; clinical-facts §3.1"
STAGE_TABLE: tuple[tuple[Stage, str], ...] = (
    (Stage.ACUTE, f"< {ACUTE_BEFORE_DAYS} (6 weeks)"),
    (Stage.SUBACUTE, f"{ACUTE_BEFORE_DAYS}-{CHRONIC_FROM_DAYS - 1}"),
    (Stage.CHRONIC, f"≥ {CHRONIC_FROM_DAYS} (12 weeks)"),
)


def stage_for(days_since_onset: int | None) -> Stage | None:
    """The stage by time since onset, or None when the onset is not known.

    The boundaries are a widespread convention, not a single authoritative source
    (clinical-facts §3.1 [uncertain]); TBC prefers staging by status over time (Alrwaily 2016).
    """
    if days_since_onset is None:
        return None
    if days_since_onset < 0:
        raise ValueError(f"days_since_onset must be 0 or more, not {days_since_onset}")
    if days_since_onset < ACUTE_BEFORE_DAYS:
        return Stage.ACUTE
    if days_since_onset < CHRONIC_FROM_DAYS:
        return Stage.SUBACUTE
    return Stage.CHRONIC


# --- directional preference -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DpRule:
    """One row of the directional-preference table: the first row whose test holds decides."""

    id: str
    condition: str
    test: Callable[[Exam], bool]
    result: DirectionalPreference


DP_RULES: tuple[DpRule, ...] = (
    DpRule(
        "dp_shift",
        "centralises with lateral shift correction",
        lambda e: e.centralises_with is Direction.LATERAL_SHIFT,
        DirectionalPreference.LATERAL_SHIFT,
    ),
    DpRule(
        "dp_extension",
        "centralises with extension and does not peripheralise with it",
        lambda e: (
            e.centralises_with is Direction.EXTENSION
            and e.peripheralises_with is not Direction.EXTENSION
        ),
        DirectionalPreference.EXTENSION,
    ),
    DpRule(
        "dp_flexion",
        "centralises with flexion and does not peripheralise with it",
        lambda e: (
            e.centralises_with is Direction.FLEXION
            and e.peripheralises_with is not Direction.FLEXION
        ),
        DirectionalPreference.FLEXION,
    ),
    DpRule(
        "dp_visible_shift",
        "visible lateral shift, no sagittal preference",
        lambda e: e.visible_lateral_shift is True,
        DirectionalPreference.LATERAL_SHIFT,
    ),
    DpRule(
        "dp_unknown",
        "centralisation not recorded",
        lambda e: e.centralises_with is None,
        DirectionalPreference.UNKNOWN,
    ),
)
DP_OTHERWISE = DirectionalPreference.NONE  # tested: nothing centralises, or the findings disagree


def _directional_preference(intake: Intake) -> DirectionalPreference:
    """From repeated-movement testing (MDT; clinical-facts §3.5): the direction that centralises
    the symptoms, unless the same direction also peripheralises them (inconsistent: none)."""
    exam = intake.exam
    for rule in DP_RULES:
        if rule.test(exam):
            return rule.result
    return DP_OTHERWISE


_DP_SOURCE = "McKenzie MDT; May & Aina 2012; May, Runge & Aina 2018; clinical-facts §3.5"


# --- rules as data ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Criterion:
    """One named test of a rule. ``test`` answers True, False or None (not recorded)."""

    id: str
    label: str  # clinician wording, for the rule tables
    plain: str  # plain words shown when it is met
    finding: str  # what to record when it is unknown
    test: Test
    source: str
    certainty: Certainty
    exam: bool = False  # the finding comes from a clinician's physical examination


R = TypeVar("R", Tbc, Icf, Pathway, None)


@dataclass(frozen=True, slots=True)
class Rule(Generic[R]):
    """Positive when every ``required`` criterion is met and at least ``needed`` are met."""

    id: str
    name: str  # plain name, e.g. "manipulation"
    result: R  # the subgroup, category or pathway it gives; None when it is only reported
    criteria: tuple[Criterion, ...]
    needed: int
    source: str
    certainty: Certainty
    reason: str  # plain words when positive
    required: frozenset[str] = frozenset()


def _c(
    id: str,
    label: str,
    plain: str,
    finding: str,
    test: Test,
    source: str,
    certainty: Certainty,
    *,
    exam: bool = False,
) -> Criterion:
    return Criterion(id, label, plain, finding, test, source, certainty, exam)


_FLYNN = "Flynn 2002; Childs 2004 [sec]; clinical-facts §0, §3.3"
_HICKS = "Hicks, Fritz, Delitto, McGill 2005 [src]; clinical-facts §3.3"
_FRITZ_2007 = "Fritz, Cleland, Childs 2007; Sports Health 2011 appendix [src]; clinical-facts §3.3"
_TRACTION = "Fritz 2007; Fritz et al. 2010 traction RCT protocol [src]; clinical-facts §3.3"
_DELITTO = "Delitto et al. 2012 APTA CPG; clinical-facts §3.2 (table partly reconstructed)"
_ALRWAILY = "Alrwaily et al. 2016 TBC revision, Level 1; clinical-facts §3.4"
_CAUSES = "clinical-facts §6 (working hypotheses for routing, not diagnoses)"

# Duration < 16 days (Flynn 2002 [sec]). clinical-facts §3.3's TBC table writes "≤16"; the CPR
# text and §0 say "<16"; we follow Flynn's "<16".
FLYNN_DURATION_BELOW_DAYS = 16
FABQ_W_BELOW = 19  # FABQ-W < 19, Flynn 2002 [sec]; clinical-facts §1.6
HICKS_AGE_BELOW = 40  # age < 40, Hicks 2005 [src]
HICKS_SLR_OVER = 91  # SLR > 91°, Hicks 2005 [src]

FLYNN_DURATION = _c(
    "flynn_duration",
    f"Symptoms began < {FLYNN_DURATION_BELOW_DAYS} days ago",
    _("the pain began less than 16 days ago"),
    _("how many days ago the pain began"),
    lambda f: _lt(f.ep.days_since_onset, FLYNN_DURATION_BELOW_DAYS),
    _FLYNN,
    Certainty.SEC,
)
FLYNN_NOT_BELOW_KNEE = _c(
    "flynn_no_symptoms_below_knee",
    "No symptoms distal to the knee",
    _("the pain does not go below the knee"),
    _("whether the pain goes below the knee"),
    lambda f: None if f.below_knee is None else not f.below_knee,
    _FLYNN,
    Certainty.SEC,
)

TBC_MANIPULATION = Rule(
    "tbc_manipulation_flynn",
    _("manipulation"),
    Tbc.MANIPULATION,
    (
        FLYNN_DURATION,
        FLYNN_NOT_BELOW_KNEE,
        _c(
            "flynn_fabq_work",
            f"FABQ work subscale < {FABQ_W_BELOW}",
            _("worry that work will harm the back is low"),
            _("the FABQ questionnaire (work part)"),
            lambda f: _lt(f.fabq_w, FABQ_W_BELOW),
            _FLYNN,
            Certainty.SEC,
        ),
        _c(
            "flynn_hypomobility",
            "≥1 hypomobile lumbar segment on PA spring testing",
            _("a stiff joint was found in the low back"),
            _("lumbar spring testing (segment mobility)"),
            lambda f: f.exam.hypomobile_lumbar_segment,
            _FLYNN,
            Certainty.SEC,
            exam=True,
        ),
        _c(
            "flynn_hip_ir",
            "Hip internal rotation > 35° on at least one side",
            _("at least one hip turns inward more than 35 degrees"),
            _("hip internal rotation"),
            lambda f: f.exam.hip_internal_rotation_over_35,
            _FLYNN,
            Certainty.SEC,
            exam=True,
        ),
    ),
    4,  # ≥ 4 of 5: +LR 24.4 derivation, 13.2 validation (Flynn 2002; Childs 2004 [sec])
    _FLYNN,
    Certainty.SEC,
    _(
        "Hands-on treatment that moves the low back joints (manipulation), with movement "
        "exercises, often helps people with these signs quickly."
    ),
)

# Pragmatic 2-item rule: Sn 0.56, Sp 0.92, +LR 7.2 (Fritz et al. BMC Fam Pract 2005 [src]).
# Reported alongside the full rule; it does not choose the subgroup on its own.
MANIPULATION_PRAGMATIC = Rule(
    "manipulation_pragmatic_2_item",
    _("manipulation (short two-sign check)"),
    None,
    (FLYNN_DURATION, FLYNN_NOT_BELOW_KNEE),
    2,
    "Fritz et al. BMC Fam Pract 2005 [src]; clinical-facts §3.3",
    Certainty.SRC,
    _("The short two-sign check for manipulation is met."),
)

TBC_STABILIZATION = Rule(
    "tbc_stabilization_hicks",
    _("stabilization exercise"),
    Tbc.STABILIZATION,
    (
        _c(
            "hicks_age",
            f"Age < {HICKS_AGE_BELOW} years",
            _("younger than 40"),
            _("age"),
            lambda f: _lt(f.intake.person.age, HICKS_AGE_BELOW),
            _HICKS,
            Certainty.SRC,
        ),
        _c(
            "hicks_slr",
            f"Straight-leg raise > {HICKS_SLR_OVER}°",
            _("the straight leg lifts higher than 91 degrees"),
            _("straight-leg raise angle"),
            lambda f: _gt(f.exam.slr_angle, HICKS_SLR_OVER),
            _HICKS,
            Certainty.SRC,
            exam=True,
        ),
        _c(
            "hicks_aberrant_movement",
            "Aberrant movement (painful arc, instability catch, thigh climbing, reversal of "
            "lumbopelvic rhythm)",
            _("the back moves in an unusual way when bending forward"),
            _("aberrant movements on forward bending"),
            lambda f: f.exam.aberrant_movement,
            _HICKS,
            Certainty.SRC,
            exam=True,
        ),
        _c(
            "hicks_prone_instability",
            "Positive prone instability test",
            _("the prone instability test was positive"),
            _("the prone instability test"),
            lambda f: f.exam.prone_instability_test,
            _HICKS,
            Certainty.SRC,
            exam=True,
        ),
    ),
    3,  # ≥ 3 of 4: +LR 4.0 (Hicks 2005 [src]); not validated by Rabin 2014 [src]
    _HICKS,
    Certainty.SRC,
    _(
        "Exercises that train the deep trunk muscles to control movement (stabilization) often "
        "help people with these signs."
    ),
)

_LEG_SYMPTOMS = _c(
    "leg_symptoms_distal_to_buttock",
    "Symptoms distal to the buttock",
    _("the symptoms reach into the leg"),
    _("where the pain goes (pain areas)"),
    lambda f: f.leg,
    _FRITZ_2007,
    Certainty.SRC,
)

TBC_TRACTION = Rule(
    "tbc_traction",
    _("traction"),
    Tbc.TRACTION,
    (
        _LEG_SYMPTOMS,
        _c(
            "traction_nerve_root_sign",
            "Sign of nerve-root compression (neuro deficit, SLR or crossed SLR reproducing leg "
            "symptoms)",
            _("a test shows that a nerve is irritated"),
            _("nerve tests (straight-leg raise, strength, feeling, reflexes)"),
            lambda f: _any(
                _in(f.exam.neuro_deficit, _DEFICIT),
                f.exam.slr_reproduces_leg_pain,
                f.exam.crossed_slr,
            ),
            _TRACTION,
            Certainty.SRC,
            exam=True,
        ),
        _c(
            "traction_peripheralises_or_crossed_slr",
            "Peripheralisation with extension OR positive crossed SLR (protocol: at ≤70°)",
            _("bending backward, or lifting the other leg, spreads the pain further down the leg"),
            _("repeated-movement testing and the crossed straight-leg raise"),
            lambda f: _any(
                _eq(f.exam.peripheralises_with, Direction.EXTENSION), f.exam.crossed_slr
            ),
            _TRACTION,
            Certainty.SRC,
            exam=True,
        ),
    ),
    3,
    _TRACTION,
    Certainty.SRC,
    _(
        "Traction with exercise may help, because a nerve seems irritated and bending backward "
        "or lifting the other leg spreads the leg pain."
    ),
)


def _prefers(direction: DirectionalPreference) -> Test:
    def test(f: _Facts) -> bool | None:
        if f.dp is DirectionalPreference.UNKNOWN:
            return None
        return f.dp is direction

    return test


_REPEATED_MOVEMENTS = _("repeated-movement testing")

TBC_LATERAL_SHIFT = Rule(
    "tbc_lateral_shift",
    _("lateral shift correction"),
    Tbc.LATERAL_SHIFT,
    (
        _c(
            "shift_visible",
            "Visible frontal-plane deviation (lateral shift)",
            _("the body leans to one side"),
            _("whether the body leans to one side (lateral shift)"),
            lambda f: f.exam.visible_lateral_shift,
            _FRITZ_2007,
            Certainty.SRC,
            exam=True,
        ),
        _c(
            "shift_centralises",
            "Directional preference for lateral translation",
            _("moving the hips sideways eases the pain"),
            _REPEATED_MOVEMENTS,
            lambda f: _eq(f.exam.centralises_with, Direction.LATERAL_SHIFT),
            _FRITZ_2007,
            Certainty.SRC,
            exam=True,
        ),
    ),
    1,  # either finding
    _FRITZ_2007,
    Certainty.SRC,
    _(
        "The body leans to one side; correcting this shift comes first, then exercises that bend "
        "the back backward."
    ),
)

TBC_EXTENSION = Rule(
    "tbc_specific_exercise_extension",
    _("extension exercise"),
    Tbc.SPECIFIC_EXERCISE_EXTENSION,
    (
        _c(
            "extension_preference",
            "Centralisation with extension (directional preference for extension)",
            _("bending backward again and again moves the pain back toward the spine"),
            _REPEATED_MOVEMENTS,
            _prefers(DirectionalPreference.EXTENSION),
            _FRITZ_2007,
            Certainty.SRC,
            exam=True,
        ),
        _c(
            "extension_peripheralises_flexion",
            "Peripheralisation with flexion (favouring)",
            _("bending forward spreads the pain further down"),
            _REPEATED_MOVEMENTS,
            lambda f: _eq(f.exam.peripheralises_with, Direction.FLEXION),
            _FRITZ_2007,
            Certainty.SRC,
            exam=True,
        ),
        _LEG_SYMPTOMS,
    ),
    1,
    _FRITZ_2007,
    Certainty.SRC,
    _(
        "Bending backward again and again moves the pain back toward the spine, so exercises "
        "that bend the back backward are suggested."
    ),
    frozenset({"extension_preference"}),
)

FLEXION_AGE_OVER = (
    50  # "older age (>50)", Fritz 2007 [uncertain - not retrieved]; clinical-facts §3.3
)

TBC_FLEXION = Rule(
    "tbc_specific_exercise_flexion",
    _("flexion exercise"),
    Tbc.SPECIFIC_EXERCISE_FLEXION,
    (
        _c(
            "flexion_preference",
            "Directional preference for flexion",
            _("bending forward again and again eases the pain"),
            _REPEATED_MOVEMENTS,
            _prefers(DirectionalPreference.FLEXION),
            _FRITZ_2007,
            Certainty.UNCERTAIN,
            exam=True,
        ),
        _c(
            "flexion_older",
            f"Age > {FLEXION_AGE_OVER} years (favouring)",
            _("older than 50"),
            _("age"),
            lambda f: _gt(f.intake.person.age, FLEXION_AGE_OVER),
            _FRITZ_2007,
            Certainty.UNCERTAIN,
        ),
        _c(
            "flexion_eased_sitting",
            "Eased by sitting or bending forward (stenosis pattern: LR 7.4 / 6.4, Suri 2010) "
            "(favouring)",
            _("sitting or bending forward eases the pain"),
            _("what eases the pain"),
            lambda f: _has(f.ep.better_with, _FLEXED),
            "Suri et al. JAMA 2010 [src]; clinical-facts §6",
            Certainty.SRC,
        ),
    ),
    1,
    _FRITZ_2007,
    Certainty.UNCERTAIN,
    _(
        "Bending forward again and again eases the pain, so exercises that bend the back forward "
        "are suggested."
    ),
    frozenset({"flexion_preference"}),
)

# Precedence when several rules fit [synthesis]: first the rules for leg symptoms that spread
# (traction: peripheralisation and nerve-root signs call for care before loading into extension),
# then a visible lateral shift (corrected before extension, Fritz 2007 [src]), then directional
# preference (centralisation is the strongest favourable prognostic sign, May 2018 [src], and MDT
# did as well as manipulation in CPR-positive patients, PMC3267446 [src]), then manipulation
# before stabilization (Fritz 2015 JAMA protocol: manipulation first, stabilization after [src]).
TBC_RULES: tuple[Rule[Tbc], ...] = (
    TBC_TRACTION,
    TBC_LATERAL_SHIFT,
    TBC_EXTENSION,
    TBC_FLEXION,
    TBC_MANIPULATION,
    TBC_STABILIZATION,
)

_REPORTED_RULES: tuple[Rule[Any], ...] = (*TBC_RULES, MANIPULATION_PRAGMATIC)

# --- radicular pain ---------------------------------------------------------------------------

_RADICULAR = (
    "Delitto 2012; Quebec Task Force / Kongsted 2012; van der Windt 2010; clinical-facts §3.2, §6"
)
_LEG_NUMB = frozenset({Legs.ONE_LEG, Legs.BOTH_LEGS})
_LEG_WEAK = frozenset({Weakness.STABLE, Weakness.NEW, Weakness.WORSENING})

_BELOW_KNEE_SIGN = _c(
    "pain_below_knee",
    "Pain below the knee",
    _("the pain goes below the knee"),
    _("whether the pain goes below the knee"),
    lambda f: f.below_knee,
    _RADICULAR,
    Certainty.SRC,
)
_NUMB_SIGN = _c(
    "leg_numbness",
    "Numbness or pins and needles in a leg",
    _("a leg feels numb or tingly"),
    _("leg numbness"),
    lambda f: _in(f.intake.red_flag_screen.leg_numbness, _LEG_NUMB),
    _RADICULAR,
    Certainty.UNCERTAIN,
)
_WEAK_SIGN = _c(
    "leg_weakness",
    "Leg weakness reported",
    _("a leg feels weak"),
    _("leg weakness"),
    lambda f: _in(f.intake.red_flag_screen.leg_weakness, _LEG_WEAK),
    _RADICULAR,
    Certainty.UNCERTAIN,
)
_DEFICIT_SIGN = _c(
    "neuro_deficit",
    "Nerve-root deficit on examination (dermatomal sensation, myotomal strength, reflex)",
    _("the examination found changes in leg strength, feeling or reflexes"),
    _("strength, feeling and reflexes in the legs"),
    lambda f: _in(f.exam.neuro_deficit, _DEFICIT),
    _RADICULAR,
    Certainty.UNCERTAIN,
    exam=True,
)
_SLR_SIGN = _c(
    "slr_reproduces_leg_pain",
    "Straight-leg raise reproduces leg pain (Sn 0.92, Sp 0.28)",
    _("lifting the straight leg brings on the leg pain"),
    _("the straight-leg raise"),
    lambda f: f.exam.slr_reproduces_leg_pain,
    _RADICULAR,
    Certainty.SRC,
    exam=True,
)
_CROSSED_SIGN = _c(
    "crossed_slr",
    "Crossed straight-leg raise positive (Sn 0.28, Sp 0.90)",
    _("lifting the other leg brings on the pain in the sore leg"),
    _("the crossed straight-leg raise"),
    lambda f: f.exam.crossed_slr,
    _RADICULAR,
    Certainty.SRC,
    exam=True,
)

# Radicular when any sign is present; not radicular when every sign is known absent, or when
# there are no leg symptoms at all [synthesis].
RADICULAR_SIGNS = Rule(
    "radicular",
    _("nerve pain down the leg"),
    None,
    (_BELOW_KNEE_SIGN, _NUMB_SIGN, _WEAK_SIGN, _DEFICIT_SIGN, _SLR_SIGN, _CROSSED_SIGN),
    1,
    _RADICULAR,
    Certainty.SYNTHESIS,
    _("A nerve in the back may be irritated."),
)

# --- pathway (Alrwaily 2016 Level 1) ----------------------------------------------------------

# Thresholds for "significant pain or disability" [synthesis]; Alrwaily gives no numbers. ODI,
# RMDQ and PSFS match triage's "see a physical therapist" thresholds so the two agree.
ODI_SIGNIFICANT_OVER = 20  # ODI > 20 %: beyond Fairbank's "minimal disability" band [sec]
RMDQ_SIGNIFICANT_FROM = 4  # RMDQ ≥ 4: 4/24 functional threshold (Stratford & Riddle 2016 [sec])
PSFS_LIMITED_BELOW = 7.0  # PSFS mean < 7 of 10: activities hard [synthesis]
NPRS_SIGNIFICANT_FROM = 5  # NPRS ≥ 5 [synthesis: no cut-off in clinical-facts]
_MEDIUM_HIGH = frozenset({Risk.MEDIUM, Risk.HIGH})


def _startback_risk(f: _Facts) -> Risk | None:
    sb = f.scores.startback
    return None if sb is None else sb.risk


def _odi(f: _Facts) -> float | None:
    odi = f.scores.odi
    return None if odi is None else odi.percent


def _rmdq(f: _Facts) -> int | None:
    rmdq = f.scores.rmdq
    return None if rmdq is None else rmdq.total


def _psfs(f: _Facts) -> float | None:
    psfs = f.scores.psfs
    return None if psfs is None else psfs.mean


def _nprs(f: _Facts) -> int | None:
    return f.scores.nprs.value if f.scores.nprs is not None else f.ep.pain_now


_STARTBACK_FINDING = _("the STarT Back questionnaire")
_DISABILITY_FINDING = _("the Oswestry or Roland-Morris questionnaire")

PATHWAY_REHABILITATION = Rule(
    "pathway_rehabilitation",
    _("rehabilitation"),
    Pathway.REHABILITATION,
    (
        _c(
            "startback_medium_or_high",
            "STarT Back risk medium or high",
            _("the STarT Back answers show a medium or high risk that the pain will last"),
            _STARTBACK_FINDING,
            lambda f: _in(_startback_risk(f), _MEDIUM_HIGH),
            "Keele SBST; Hill 2011; " + _ALRWAILY,
            Certainty.SRC,
        ),
        _c(
            "odi_significant",
            f"ODI > {ODI_SIGNIFICANT_OVER} % (moderate disability or worse)",
            _("the Oswestry answers show the pain gets in the way of daily life"),
            _DISABILITY_FINDING,
            lambda f: _gt(_odi(f), ODI_SIGNIFICANT_OVER),
            "Fairbank & Pynsent 2000 bands [sec]; " + _ALRWAILY,
            Certainty.SYNTHESIS,
        ),
        _c(
            "rmdq_significant",
            f"RMDQ ≥ {RMDQ_SIGNIFICANT_FROM}",
            _("the Roland-Morris answers show the pain gets in the way of daily life"),
            _DISABILITY_FINDING,
            lambda f: _gt(_rmdq(f), RMDQ_SIGNIFICANT_FROM - 1),
            "Stratford & Riddle 2016 [sec]; " + _ALRWAILY,
            Certainty.SYNTHESIS,
        ),
        _c(
            "psfs_limited",
            f"PSFS mean < {PSFS_LIMITED_BELOW:g}",
            _("the activities you chose are hard to do"),
            _("the Patient-Specific Functional Scale"),
            lambda f: _lt(_psfs(f), PSFS_LIMITED_BELOW),
            "Stratford 1995 [sec]; " + _ALRWAILY,
            Certainty.SYNTHESIS,
        ),
        _c(
            "nprs_significant",
            f"Pain ≥ {NPRS_SIGNIFICANT_FROM}/10",
            _("the pain is strong (5 out of 10 or more)"),
            _("a pain score"),
            lambda f: _gt(_nprs(f), NPRS_SIGNIFICANT_FROM - 1),
            _ALRWAILY,
            Certainty.SYNTHESIS,
        ),
        _c(
            "radicular_pain",
            "Radicular pain (any radicular sign)",
            _("a nerve in the back may be irritated"),
            "",  # reported on its own line when unknown
            lambda f: f.radicular,
            "design.md screen criteria: pain spreading into a leg",
            Certainty.SYNTHESIS,
        ),
        _c(
            "daily_activities_hard",
            "Person reports that daily activities are hard",
            _("the pain makes everyday activities hard"),
            _("whether the pain makes everyday activities hard"),
            lambda f: f.ep.daily_activities_hard,
            "design.md screen criteria: daily activities hard",
            Certainty.SYNTHESIS,
        ),
    ),
    1,  # any one
    _ALRWAILY,
    Certainty.SYNTHESIS,
    _("Working with a physical therapist is advised because {signs}."),
)

PATHWAY_SELF_CARE = Rule(
    "pathway_self_care",
    _("self-care"),
    Pathway.SELF_CARE,
    (
        _c(
            "startback_low",
            "STarT Back risk low",
            _("the STarT Back answers show a low risk that the pain will last"),
            _STARTBACK_FINDING,
            lambda f: _eq(_startback_risk(f), Risk.LOW),
            "Keele SBST; Hill 2011 (low risk: advice and self-management) [src]; " + _ALRWAILY,
            Certainty.SRC,
        ),
        _c(
            "disability_low",
            f"ODI ≤ {ODI_SIGNIFICANT_OVER} %, or RMDQ < {RMDQ_SIGNIFICANT_FROM}, or the person "
            "reports that daily activities are not hard",
            _("daily life is only a little affected"),
            _DISABILITY_FINDING,
            lambda f: _any(
                _le(_odi(f), ODI_SIGNIFICANT_OVER),
                _lt(_rmdq(f), RMDQ_SIGNIFICANT_FROM),
                _eq(f.ep.daily_activities_hard, False),
            ),
            "Fairbank & Pynsent 2000 [sec]; Stratford & Riddle 2016 [sec]; " + _ALRWAILY,
            Certainty.SYNTHESIS,
        ),
    ),
    2,  # both, and no rehabilitation signal
    _ALRWAILY,
    Certainty.SYNTHESIS,
    _(
        "Advice and your own exercise programme should be enough for now, because {signs}. See "
        "a physical therapist if the pain is not clearly better within a few days."
    ),
)

# --- ICF category (first match wins) ----------------------------------------------------------

FABQ_PA_HIGH_OVER = 14  # FABQ-PA > 14 "high", George et al. [uncertain]; clinical-facts §1.6
FABQ_W_HIGH_OVER = 29  # FABQ-W > 29, Fritz et al. 2001 [src]; clinical-facts §1.6
_PSYCHOSOCIAL = _DELITTO + "; STarT Back items as proxies [synthesis]"

_CHRONIC = _c(
    "chronic",
    "Symptoms ≥ 12 weeks",
    _("the pain has lasted more than 3 months"),
    _("how many days ago the pain began"),
    lambda f: None if f.stage is None else f.stage is Stage.CHRONIC,
    _STAGE_SOURCE,
    Certainty.UNCERTAIN,
)
_RECURRENT = _c(
    "recurrent",
    "Earlier episodes of back pain",
    _("the back pain has come back before"),
    _("earlier episodes of back pain"),
    lambda f: _gt(f.ep.previous_episodes, 0),
    _DELITTO,
    Certainty.UNCERTAIN,
)

ICF_RULES: tuple[Rule[Icf], ...] = (
    Rule(
        "icf_generalized_pain",
        _("long-lasting pain spread over the body"),
        Icf.GENERALIZED_PAIN,
        (
            _CHRONIC,
            _c(
                "widespread_pain",
                "Generalised (widespread) pain",
                _("pain is felt in many parts of the body"),
                _("where the pain is felt (pain areas)"),
                lambda f: _has(f.ep.pain_areas, _WIDESPREAD),
                _DELITTO,
                Certainty.UNCERTAIN,
            ),
        ),
        2,
        _DELITTO,
        Certainty.UNCERTAIN,
        _("The pain has lasted more than 3 months and is felt in many parts of the body."),
    ),
    Rule(
        "icf_cognitive_affective",
        _("back pain with worry or low mood"),
        Icf.COGNITIVE_AFFECTIVE,
        (
            _c(
                "low_mood",
                "Depressive symptoms (proxy: STarT Back item 8 agreed; CPG uses a two-question "
                "screen)",
                _("you have enjoyed things less lately"),
                _("the STarT Back questionnaire"),
                lambda f: _startback_item(f, 8),
                _PSYCHOSOCIAL,
                Certainty.UNCERTAIN,
            ),
            _c(
                "catastrophising",
                "High catastrophising (proxy: STarT Back item 7 agreed; CPG uses the PCS)",
                _("you feel the pain will never get better"),
                _("the STarT Back questionnaire"),
                lambda f: _startback_item(f, 7),
                _PSYCHOSOCIAL,
                Certainty.UNCERTAIN,
            ),
            _c(
                "fear_avoidance",
                f"High fear-avoidance: FABQ-PA > {FABQ_PA_HIGH_OVER} [uncertain] or FABQ-W > "
                f"{FABQ_W_HIGH_OVER}",
                _("you worry a lot that activity or work will harm your back"),
                _("the FABQ questionnaire"),
                lambda f: _any(_gt(f.fabq_pa, FABQ_PA_HIGH_OVER), _gt(f.fabq_w, FABQ_W_HIGH_OVER)),
                "George et al. [uncertain]; Fritz et al. 2001 [src]; clinical-facts §1.6",
                Certainty.UNCERTAIN,
            ),
        ),
        2,
        _PSYCHOSOCIAL,
        Certainty.UNCERTAIN,
        _("Worry or low mood seem to be making the pain harder to live with."),
    ),
    Rule(
        "icf_referred_leg_pain",
        _("back pain with pain spreading to the leg"),
        Icf.REFERRED_LEG_PAIN,
        (
            _c(
                "buttock_or_leg_pain",
                "Buttock, thigh or leg symptoms",
                _("the pain spreads to the buttock or leg"),
                _("where the pain goes (pain areas)"),
                lambda f: _any(f.leg, _has(f.ep.pain_areas, _LEG_OR_BUTTOCK)),
                _DELITTO,
                Certainty.SRC,
            ),
            _c(
                "centralises_or_shift",
                "Centralises with a direction of movement, or lateral trunk shift",
                _("one direction of movement eases the pain or moves it back toward the spine"),
                _REPEATED_MOVEMENTS,
                lambda f: (
                    None
                    if f.dp is DirectionalPreference.UNKNOWN
                    else f.dp is not DirectionalPreference.NONE
                ),
                _DELITTO,
                Certainty.SRC,
                exam=True,
            ),
        ),
        2,
        _DELITTO,
        Certainty.SRC,
        _("The pain spreads to the buttock or leg and one direction of movement eases it."),
    ),
    Rule(
        "icf_radiating_pain",
        _("back pain with nerve pain down the leg"),
        Icf.RADIATING_PAIN,
        (
            _c(
                "radicular",
                "Radicular signs (see the radicular table)",
                _("a nerve in the back may be irritated"),
                "",  # reported on its own line when unknown
                lambda f: f.radicular,
                _DELITTO,
                Certainty.UNCERTAIN,
            ),
        ),
        1,
        _DELITTO,
        Certainty.UNCERTAIN,
        _("Pain runs down the leg and a nerve may be irritated."),
    ),
    Rule(
        "icf_mobility_deficits_manipulation",
        _("back pain with stiffness"),
        Icf.MOBILITY_DEFICITS,
        (
            _c(
                "manipulation_subgroup",
                "Manipulation subgroup chosen (the category matches the treatment)",
                _("the signs fit manipulation"),
                "",
                lambda f: f.tbc is Tbc.MANIPULATION,
                _DELITTO,
                Certainty.SYNTHESIS,
            ),
        ),
        1,
        _DELITTO,
        Certainty.SYNTHESIS,
        _("The low back is stiff, and the signs fit manipulation."),
    ),
    Rule(
        "icf_movement_coordination_signs",
        _("back pain with poor movement control"),
        Icf.MOVEMENT_COORDINATION,
        (
            _c(
                "stabilization_subgroup",
                "Stabilization subgroup chosen",
                _("the signs fit stabilization exercise"),
                "",
                lambda f: f.tbc is Tbc.STABILIZATION,
                _DELITTO,
                Certainty.SYNTHESIS,
            ),
            _c(
                "aberrant_movement",
                "Aberrant movement",
                _("the back moves in an unusual way when bending forward"),
                _("aberrant movements on forward bending"),
                lambda f: f.exam.aberrant_movement,
                _DELITTO,
                Certainty.SRC,
                exam=True,
            ),
            _c(
                "prone_instability",
                "Positive prone instability test (segmental hypermobility)",
                _("the prone instability test was positive"),
                _("the prone instability test"),
                lambda f: f.exam.prone_instability_test,
                _DELITTO,
                Certainty.SRC,
                exam=True,
            ),
        ),
        1,
        _DELITTO,
        Certainty.SRC,
        _("The back does not control movement well."),
    ),
    Rule(
        "icf_mobility_deficits_signs",
        _("back pain with stiffness"),
        Icf.MOBILITY_DEFICITS,
        (
            _c(
                "hypomobility",
                "Restricted segmental mobility",
                _("a stiff joint was found in the low back"),
                _("lumbar spring testing (segment mobility)"),
                lambda f: f.exam.hypomobile_lumbar_segment,
                _DELITTO,
                Certainty.UNCERTAIN,
                exam=True,
            ),
        ),
        1,
        _DELITTO,
        Certainty.UNCERTAIN,
        _("The low back is stiff."),
    ),
    Rule(
        "icf_movement_coordination_recurrent",
        _("back pain with poor movement control"),
        Icf.MOVEMENT_COORDINATION,
        (_CHRONIC, _RECURRENT),
        1,
        _DELITTO,
        Certainty.UNCERTAIN,
        _("The pain has lasted a long time or keeps coming back."),
    ),
)
ICF_DEFAULT = Rule(
    "icf_mobility_deficits_default",
    _("back pain with stiffness"),
    Icf.MOBILITY_DEFICITS,
    (),
    0,  # otherwise
    _DELITTO,
    Certainty.SYNTHESIS,
    _("No other pattern fits better; this is the usual starting point."),
)

# --- likely causes ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CauseRule:
    """A cause is listed when at least ``needed`` features fit, one of them a ``key`` feature."""

    cause: Cause
    features: tuple[Criterion, ...]
    key: frozenset[str]
    needed: int
    source: str


def _f(
    id: str, label: str, plain: str, test: Test, certainty: Certainty = Certainty.SEC
) -> Criterion:
    return Criterion(id, label, plain, "", test, _CAUSES, certainty)


_LIFTING_ONSET = frozenset({Onset.AFTER_LIFTING, Onset.SUDDEN})
_EASED_BY_REST = frozenset({Factor.REST, Factor.LYING_DOWN})
_WORSE_MOVING = frozenset({Factor.MOVEMENT, Factor.LIFTING, Factor.BENDING_FORWARD})
_DISC_AGGRAVATING = frozenset({Factor.BENDING_FORWARD, Factor.SITTING, Factor.COUGHING_SNEEZING})
_UPRIGHT = frozenset({Factor.STANDING, Factor.WALKING})
_FACET_AGGRAVATING = frozenset({Factor.BENDING_BACKWARD, Factor.STANDING, Factor.WALKING})
_SUSTAINED = frozenset({Factor.SITTING, Factor.STANDING})
_MOVING = frozenset({Factor.MOVEMENT, Factor.WALKING})
DISC_AGE = (20, 50)  # "typically 20-50 years" [uncertain]; clinical-facts §6
ARTHRITIS_AGE_FROM = 50  # "usually older" [synthesis: 50]; stenosis age >60-70 (Suri 2010)
SHORT_STIFFNESS_MAX_MINUTES = 30  # short-lived stiffness vs inflammatory >30 min [uncertain]


def _leg_worse_than_back(f: _Facts) -> bool | None:
    leg, back = f.ep.leg_pain_now, f.ep.pain_now
    return None if leg is None or back is None else leg > back


def _short_stiffness(f: _Facts) -> bool | None:
    minutes = f.ep.morning_stiffness_minutes
    return None if minutes is None else 0 < minutes <= SHORT_STIFFNESS_MAX_MINUTES


def _age_between(f: _Facts, low: int, high: int) -> bool | None:
    age = f.intake.person.age
    return None if age is None else low <= age <= high


_F_BELOW_KNEE = _f(
    "below_knee", "Pain below the knee", _("The pain goes below the knee."), lambda f: f.below_knee
)
_F_LEG_WORSE = _f(
    "leg_worse_than_back",
    "Leg pain worse than back pain",
    _("The leg hurts more than the back."),
    _leg_worse_than_back,
)
_F_SLR = _f(
    "slr",
    "SLR reproduces leg pain",
    _("Lifting the straight leg brings on the leg pain."),
    lambda f: f.exam.slr_reproduces_leg_pain,
    Certainty.SRC,
)
_F_CROSSED = _f(
    "crossed_slr",
    "Crossed SLR positive",
    _("Lifting the other leg brings on the pain in the sore leg."),
    lambda f: f.exam.crossed_slr,
    Certainty.SRC,
)
_F_RECURRENT = _f(
    "recurrent",
    "Earlier episodes",
    _("The back pain has come back before."),
    lambda f: _gt(f.ep.previous_episodes, 0),
)

CAUSE_RULES: tuple[CauseRule, ...] = (
    CauseRule(
        Cause.MUSCLE_STRAIN,
        (
            _f(
                "lifting_onset",
                "Onset after lifting or a sudden movement",
                _("The pain started after lifting or a sudden movement."),
                lambda f: _in(f.ep.onset, _LIFTING_ONSET),
            ),
            _f(
                "not_below_knee",
                "Pain localised to back ± buttock/thigh, not below the knee",
                _("The pain stays in the back, buttock or thigh and does not go below the knee."),
                lambda f: None if f.below_knee is None else not f.below_knee,
            ),
            _f(
                "no_nerve_signs",
                "No neurological signs",
                _("There are no signs of an irritated nerve."),
                lambda f: None if f.radicular is None else not f.radicular,
            ),
            _f(
                "movement_related",
                "Movement-related pain that eases with rest or a change of position",
                _("Moving makes it worse, and rest or lying down eases it."),
                lambda f: _any(
                    _has(f.ep.worse_with, _WORSE_MOVING), _has(f.ep.better_with, _EASED_BY_REST)
                ),
            ),
        ),
        frozenset({"lifting_onset", "not_below_knee"}),
        2,
        "Non-specific LBP, diagnosis of exclusion; Oliveira 2018 [sec]; " + _CAUSES,
    ),
    CauseRule(
        Cause.HERNIATED_DISC,
        (
            _f(
                "disc_age",
                f"Age {DISC_AGE[0]}-{DISC_AGE[1]}",
                _("Disc problems are most common between 20 and 50 years of age."),
                lambda f: _age_between(f, *DISC_AGE),
                Certainty.UNCERTAIN,
            ),
            _f(
                "leg_symptoms",
                "Symptoms into the leg",
                _("The pain reaches into the leg."),
                lambda f: f.leg,
            ),
            _F_BELOW_KNEE,
            _F_LEG_WORSE,
            _f(
                "worse_flexion_sitting",
                "Worse with flexion, sitting, cough/sneeze",
                _("Bending forward, sitting, coughing or sneezing makes it worse."),
                lambda f: _has(f.ep.worse_with, _DISC_AGGRAVATING),
            ),
            _f(
                "eased_upright",
                "Better standing or walking",
                _("Standing or walking eases it."),
                lambda f: _has(f.ep.better_with, _UPRIGHT),
            ),
            _f(
                "centralises_extension",
                "Centralises with extension",
                _("Bending backward again and again moves the pain back toward the spine."),
                lambda f: _eq(f.exam.centralises_with, Direction.EXTENSION),
            ),
            _F_SLR,
            _F_CROSSED,
        ),
        frozenset(
            {
                "below_knee",
                "leg_worse_than_back",
                "worse_flexion_sitting",
                "centralises_extension",
                "slr",
                "crossed_slr",
            }
        ),
        3,
        "van der Windt et al. Cochrane 2010 [src]; " + _CAUSES,
    ),
    CauseRule(
        Cause.ARTHRITIS,
        (
            _f(
                "older",
                f"Age ≥ {ARTHRITIS_AGE_FROM}",
                _("Wear-related changes in the back are more common from about 50 years of age."),
                lambda f: _age_between(f, ARTHRITIS_AGE_FROM, 200),
                Certainty.SYNTHESIS,
            ),
            _f(
                "long_lasting",
                "Chronic or recurrent",
                _("The pain has lasted a long time or has come back before."),
                lambda f: _any(
                    None if f.stage is None else f.stage is Stage.CHRONIC,
                    _gt(f.ep.previous_episodes, 0),
                ),
            ),
            _f(
                "worse_extension_standing",
                "Worse with extension, standing or walking",
                _("Leaning back, standing or walking makes it worse."),
                lambda f: _has(f.ep.worse_with, _FACET_AGGRAVATING),
            ),
            _f(
                "eased_flexion_sitting",
                "Eased by sitting or bending forward (LR 7.4 / 6.4)",
                _("Sitting or bending forward eases it."),
                lambda f: _has(f.ep.better_with, _FLEXED),
                Certainty.SRC,
            ),
            _f(
                "short_morning_stiffness",
                f"Morning stiffness ≤ {SHORT_STIFFNESS_MAX_MINUTES} min",
                _("Stiffness in the morning wears off within half an hour."),
                _short_stiffness,
                Certainty.UNCERTAIN,
            ),
            _f(
                "both_legs",
                "Bilateral buttock/leg symptoms (stenosis LR 6.3)",
                _("Both legs are affected."),
                lambda f: _eq(f.ep.leg_symptoms, Legs.BOTH_LEGS),
                Certainty.SRC,
            ),
            _f(
                "flexion_preference",
                "Directional preference for flexion",
                _("Bending forward again and again eases the pain."),
                lambda f: _eq(f.exam.centralises_with, Direction.FLEXION),
            ),
        ),
        frozenset({"older", "eased_flexion_sitting", "flexion_preference"}),
        3,
        "Facet / degenerative / stenosis; Suri et al. JAMA 2010 [src]; Vining 2019 [src]; "
        + _CAUSES,
    ),
    CauseRule(
        Cause.SCIATICA,
        (
            _F_BELOW_KNEE,
            _f(
                "leg_numbness",
                "Numbness / paraesthesia in a leg",
                _("A leg feels numb or tingly."),
                lambda f: _in(f.intake.red_flag_screen.leg_numbness, _LEG_NUMB),
            ),
            _f(
                "leg_weakness",
                "Leg weakness",
                _("A leg feels weak."),
                lambda f: _in(f.intake.red_flag_screen.leg_weakness, _LEG_WEAK),
            ),
            _f(
                "neuro_deficit",
                "Dermatomal / myotomal / reflex deficit on examination",
                _("The examination found changes in leg strength, feeling or reflexes."),
                lambda f: _in(f.exam.neuro_deficit, _DEFICIT),
            ),
            _F_SLR,
            _F_CROSSED,
            _F_LEG_WORSE,
        ),
        frozenset(
            {"below_knee", "leg_numbness", "leg_weakness", "neuro_deficit", "slr", "crossed_slr"}
        ),
        1,
        "Iversen 2013 [src]; Kongsted 2012 [src]; " + _CAUSES,
    ),
    CauseRule(
        Cause.POSTURE_SEDENTARY,
        (
            _f(
                "worse_sustained",
                "Worse with sustained sitting or standing",
                _("Sitting or standing for a long time makes it worse."),
                lambda f: _has(f.ep.worse_with, _SUSTAINED),
            ),
            _f(
                "eased_moving",
                "Eased by moving about",
                _("Moving about eases it."),
                lambda f: _has(f.ep.better_with, _MOVING),
            ),
            _f(
                "gradual_onset",
                "Gradual onset, no injury",
                _("The pain came on slowly, without an injury."),
                lambda f: _eq(f.ep.onset, Onset.GRADUAL),
            ),
            _F_RECURRENT,
            _f(
                "fear_avoidance",
                f"FABQ-PA > {FABQ_PA_HIGH_OVER}",
                _("Worry that activity will harm the back may be keeping you less active."),
                lambda f: _gt(f.fabq_pa, FABQ_PA_HIGH_OVER),
                Certainty.UNCERTAIN,
            ),
        ),
        frozenset({"worse_sustained", "eased_moving"}),
        2,
        _CAUSES,
    ),
)

# --- evaluation -------------------------------------------------------------------------------


def _evaluate(rule: Rule[Any], f: _Facts) -> tuple[list[Criterion], list[Criterion], bool, bool]:
    """(met, unknown, positive, could_qualify) for one rule."""
    met: list[Criterion] = []
    unknown: list[Criterion] = []
    required = rule.required
    required_met = 0
    required_failed = False
    for criterion in rule.criteria:
        value = criterion.test(f)
        if value:
            met.append(criterion)
            if required and criterion.id in required:
                required_met += 1
        elif value is None:
            unknown.append(criterion)
        elif required and criterion.id in required:
            required_failed = True
    positive = required_met == len(required) and len(met) >= rule.needed
    could = (
        not positive
        and not required_failed
        and bool(unknown)
        and len(met) + len(unknown) >= rule.needed
    )
    return met, unknown, positive, could


def _join(items: Iterable[str], last: str = _("{first} and {last}")) -> str:
    """Join words as "a", "a and b" or "a, b and c" (or another pattern), without repeats."""
    words = list(dict.fromkeys(items))  # unique, in order
    if len(words) == 1:
        return words[0]
    return last.format(first=", ".join(words[:-1]), last=words[-1])


class _Missing:
    """Collects "could qualify" lines, merging rules that wait on the same findings.

    The wording depends only on the rule, how many criteria were met and which were unknown, so
    it is built once per combination and remembered (the combinations are few and fixed).
    """

    __slots__ = ("groups", "no_exam")

    def __init__(self, no_exam: bool) -> None:
        self.groups: dict[tuple[str, ...], list[str]] = {}
        self.no_exam = no_exam

    def add(self, rule: Rule[Any], met: list[Criterion], unknown: list[Criterion]) -> None:
        key = (rule.id, self.no_exam, len(met), *[c.id for c in unknown])
        entry = _ENTRIES.get(key)
        if entry is None:
            entry = _ENTRIES[key] = _entry(rule, len(met), unknown, self.no_exam)
        if entry[0]:
            self.groups.setdefault(entry[0], []).append(entry[1])

    def lines(self) -> list[str]:
        out = []
        for findings, names in self.groups.items():
            key = (findings, *names)
            line = _LINES.get(key)
            if line is None:
                line = _LINES[key] = _("Could qualify for {names}: record {findings}.").format(
                    names=_join(names, _("{first} or {last}")), findings=_join(findings)
                )
            out.append(line)
        return out


_ENTRIES: dict[tuple[Any, ...], tuple[tuple[str, ...], str]] = {}
_LINES: dict[tuple[Any, ...], str] = {}


def _entry(
    rule: Rule[Any], met: int, unknown: list[Criterion], no_exam: bool
) -> tuple[tuple[str, ...], str]:
    """(findings to record, rule name as shown); no findings when nothing is to be reported."""
    if rule.required:  # favouring findings cannot change the result
        unknown = [c for c in unknown if c.id in rule.required]
    if no_exam and any(c.exam for c in unknown):
        return (), ""  # one line covers a missing examination
    # An empty finding is reported on its own line (nerve involvement).
    findings = tuple(dict.fromkeys(c.finding for c in unknown if c.finding))
    name = rule.name
    if 1 < rule.needed < len(rule.criteria) and not rule.required:  # "k of n" rules
        name = _("{name} ({met} of {total} signs found, {needed} needed)").format(
            name=rule.name, met=met, total=len(rule.criteria), needed=rule.needed
        )
    return findings, name


_EXAM_FINDINGS = (
    "centralises_with",
    "peripheralises_with",
    "visible_lateral_shift",
    "slr_angle",
    "slr_reproduces_leg_pain",
    "crossed_slr",
    "neuro_deficit",
    "hypomobile_lumbar_segment",
    "hip_internal_rotation_over_35",
    "aberrant_movement",
    "prone_instability_test",
)


_exam_findings = attrgetter(*_EXAM_FINDINGS)
_NOTHING_RECORDED = (None,) * len(_EXAM_FINDINGS)


def _no_exam(intake: Intake) -> bool:
    return _exam_findings(intake.exam) == _NOTHING_RECORDED


_SIGNS: dict[tuple[str, ...], str] = {}


def _signs(met: list[Criterion]) -> str:
    """The plain words of the criteria met, joined; remembered per combination."""
    key = tuple([c.id for c in met])
    text = _SIGNS.get(key)
    if text is None:
        text = _SIGNS[key] = _join(c.plain for c in met)
    return text


def classify(intake: Intake, triage: Triage, scores: Scores) -> Classification:
    """Pathway, ICF category, treatment subgroup, directional preference, radicular pain and the
    causes worth considering, each explained; unknown findings that could change the result are
    listed in ``missing_findings``. Hypotheses to support a clinician, never a diagnosis."""
    f = _Facts(intake, scores)
    missing = _Missing(_no_exam(intake))

    # Radicular: any sign; not radicular when every sign is known absent or there are no leg
    # symptoms at all; otherwise unknown.
    _signs_met, unknown_signs, radicular, _could = _evaluate(RADICULAR_SIGNS, f)
    f.radicular = radicular or (None if unknown_signs and f.leg is not False else False)

    chosen, subgroup_reasons = _subgroup(f, missing)
    f.tbc = chosen
    pathway, pathway_reason = _pathway(f, triage, missing)
    icf_rule = _icf(f, missing)
    causes = _likely_causes(f)

    reasons = [
        pathway_reason,
        _("Category: {name}. {why}").format(name=icf_rule.name, why=icf_rule.reason),
        *subgroup_reasons,
    ]
    if causes:
        reasons.append(_("The possible causes listed are ideas to check, not a diagnosis."))
    return Classification(
        pathway=pathway,
        icf=icf_rule.result,
        tbc=chosen,
        directional_preference=f.dp,
        radicular=f.radicular,
        likely_causes=causes,
        reasons=tuple(reasons),
        missing_findings=tuple(_open_questions(f, missing)),
    )


def rule_results(intake: Intake, scores: Scores) -> tuple[RuleResult, ...]:
    """Every treatment-subgroup rule (precedence order, then the pragmatic manipulation rule)
    with the criteria met and unknown, for a clinician who wants to see the counts."""
    f = _Facts(intake, scores)
    out = []
    for rule in _REPORTED_RULES:
        met, unknown, positive, _could = _evaluate(rule, f)
        out.append(
            RuleResult(
                rule.id, tuple([c.id for c in met]), tuple([c.id for c in unknown]), positive
            )
        )
    return tuple(out)


def _subgroup(f: _Facts, missing: _Missing) -> tuple[Tbc | None, list[str]]:
    """The first positive subgroup rule in precedence order, and the reasons."""
    chosen: Rule[Tbc] | None = None
    chosen_met: list[Criterion] = []
    also: list[str] = []
    for rule in TBC_RULES:
        met, unknown, positive, could = _evaluate(rule, f)
        if positive and chosen is None:
            chosen, chosen_met = rule, met
        elif positive:
            also.append(rule.name)
        elif could and chosen is None:  # only an earlier rule could change the result
            missing.add(rule, met, unknown)
    met, _unknown, pragmatic, _could = _evaluate(MANIPULATION_PRAGMATIC, f)

    reasons: list[str] = []
    if chosen is None:
        reasons.append(_("No treatment subgroup fits the findings recorded so far."))
    else:
        reasons.append(
            _("Subgroup: {name}. {why} Signs found: {signs}.").format(
                name=chosen.name, why=chosen.reason, signs=_signs(chosen_met)
            )
        )
        if also:
            reasons.append(
                _(
                    "The findings also fit {others}; {name} comes first in the order of the rules."
                ).format(others=_join(also), name=chosen.name)
            )
    if pragmatic and (chosen is None or chosen.result is not Tbc.MANIPULATION):
        reasons.append(
            _(
                "The short two-sign check for manipulation is met ({signs}); a clinician may "
                "consider manipulation."
            ).format(signs=_signs(met))
        )
    return (chosen.result if chosen is not None else None), reasons


def _pathway(f: _Facts, triage: Triage, missing: _Missing) -> tuple[Pathway, str]:
    """Alrwaily 2016 Level 1: medical, rehabilitation or self-care, with the reason."""
    if triage.level.needs_doctor:
        if triage.level is Level.ROUTINE:
            return Pathway.MEDICAL, _(
                "A doctor should see you; physical therapy can go on meanwhile."
            )
        return Pathway.MEDICAL, _(
            "A doctor should check some of your answers first, before physical therapy."
        )
    met, _unknown, positive, _could = _evaluate(PATHWAY_REHABILITATION, f)
    if positive:
        return Pathway.REHABILITATION, PATHWAY_REHABILITATION.reason.format(signs=_signs(met))
    met, unknown, positive, _could = _evaluate(PATHWAY_SELF_CARE, f)
    if positive:
        return Pathway.SELF_CARE, PATHWAY_SELF_CARE.reason.format(signs=_signs(met))
    # Without a rehabilitation signal, self-care fails only for want of answers: list them.
    missing.add(PATHWAY_SELF_CARE, met, unknown)
    return Pathway.REHABILITATION, _(
        "Working with a physical therapist is advised until the answers show that self-care "
        "alone will do."
    )


def _icf(f: _Facts, missing: _Missing) -> Rule[Icf]:
    """The first ICF rule that fits; earlier rules that could still fit with the missing findings
    are reported unless they would give the same category."""
    chosen = ICF_DEFAULT
    pending: list[tuple[Rule[Icf], list[Criterion], list[Criterion]]] = []
    for rule in ICF_RULES:
        met, unknown, positive, could = _evaluate(rule, f)
        if positive:
            chosen = rule
            break
        if could:
            pending.append((rule, met, unknown))
    reported = {chosen.result}
    for rule, met, unknown in pending:
        if rule.result not in reported:  # one line per category that could still fit
            reported.add(rule.result)
            missing.add(rule, met, unknown)
    return chosen


def _open_questions(f: _Facts, missing: _Missing) -> list[str]:
    """Missing findings: the examination, direction, nerve involvement, then rule by rule."""
    lines: list[str] = []
    if missing.no_exam:
        lines.append(
            _(
                "No examination findings recorded yet: a physical therapist's examination decides "
                "the treatment subgroup."
            )
        )
    if f.dp is DirectionalPreference.UNKNOWN:
        lines.append(
            _(
                "Repeated-movement testing not recorded: it shows whether one direction of "
                "movement eases the pain."
            )
        )
    if f.radicular is None:
        lines.append(
            _(
                "Not known whether a nerve is involved: record where the pain goes and the nerve "
                "tests (straight-leg raise, strength, feeling, reflexes)."
            )
        )
    return lines + missing.lines()


# Built once at import: (cause, needed, ((test, plain words, is key), ...)) per cause.
_CAUSE_TABLE = tuple(
    (rule.cause, rule.needed, tuple((c.test, c.plain, c.id in rule.key) for c in rule.features))
    for rule in CAUSE_RULES
)


def _likely_causes(f: _Facts) -> tuple[LikelyCause, ...]:
    """Causes with enough fitting features, most features first (table order on ties)."""
    found: list[tuple[int, int, LikelyCause]] = []
    for order, (cause, needed, features) in enumerate(_CAUSE_TABLE):
        reasons = []
        key = False
        for test, plain, is_key in features:
            if test(f):
                reasons.append(plain)
                key = key or is_key
        if key and len(reasons) >= needed:
            found.append((-len(reasons), order, LikelyCause(cause, tuple(reasons))))
    found.sort(key=_rank)
    return tuple(item[2] for item in found)


def _rank(item: tuple[int, int, LikelyCause]) -> tuple[int, int]:
    return item[0], item[1]


def to_json(c: Classification) -> dict[str, Any]:
    """The ``classification`` object of ``backcare-assessment/1``."""
    return {
        "pathway": c.pathway.value,
        "icf": c.icf.value,
        "tbc": c.tbc.value if c.tbc is not None else None,
        "directional_preference": c.directional_preference.value,
        "radicular": c.radicular,
        "likely_causes": [
            {"cause": lc.cause.value, "reasons": list(lc.reasons)} for lc in c.likely_causes
        ],
        "reasons": list(c.reasons),
        "missing_findings": list(c.missing_findings),
    }


# --- clinician-facing tables ------------------------------------------------------------------


def _when(rule: Rule[Any]) -> str:
    n = len(rule.criteria)
    if not rule.criteria:
        return "no earlier rule fits"
    if rule.required:
        names = ", ".join(f"`{r}`" for r in sorted(rule.required))
        return f"{names} met (the others are favouring findings)"
    if rule.needed == n:
        return "all criteria met" if n > 1 else "the criterion is met"
    if rule.needed == 1:
        return "any criterion met"
    return f"at least {rule.needed} of {n} criteria met"


def _rule_table(rule: Rule[Any], heading: str) -> list[str]:
    out = [
        f"### {heading}",
        "",
        f"Rule `{rule.id}`: positive when {_when(rule)}. Source: {rule.source} [{rule.certainty}].",
        "",
    ]
    if rule.criteria:
        out += ["| id | criterion | source | certainty |", "|---|---|---|---|"]
        out += [f"| `{c.id}` | {c.label} | {c.source} | {c.certainty} |" for c in rule.criteria]
        out.append("")
    return out


def rules_markdown() -> str:
    """The classification rules as Markdown tables, generated from the tables above."""
    out = [
        "Every rule counts a finding that was not recorded (unknown) as not met. When recording "
        "it could change the result, the classification lists it under missing findings.",
        "",
        "## Stage",
        "",
        "| id | condition | threshold | source | certainty |",
        "|---|---|---|---|---|",
        *(
            f"| `{stage}` | days since onset | {days} | {_STAGE_SOURCE} | uncertain |"
            for stage, days in STAGE_TABLE
        ),
        "",
        "The boundaries are a common convention without a single authoritative source; TBC "
        "(Alrwaily 2016) prefers staging by pain and disability over time since onset.",
        "",
        "## Pathway (first contact, Alrwaily 2016 Level 1)",
        "",
        "1. **medical** when triage needs a doctor (emergency, urgent, soon or routine).",
        "2. **rehabilitation** when any rehabilitation signal is present.",
        "3. **self_care** when STarT Back risk is low and disability is low.",
        "4. otherwise **rehabilitation** until the answers show that self-care will do "
        "(the missing questionnaires are listed) [synthesis].",
        "",
        "The thresholds for significant pain and disability are our own [synthesis]: Alrwaily "
        "gives none.",
        "",
    ]
    out += _rule_table(PATHWAY_REHABILITATION, "Rehabilitation signals")
    out += _rule_table(PATHWAY_SELF_CARE, "Self-care")
    out += [
        "## Treatment-based subgroup (Fritz 2007), in precedence order",
        "",
        "The first positive rule gives the subgroup [synthesis]: traction (spreading leg "
        "symptoms with nerve-root signs call for care before loading into extension), lateral "
        "shift (corrected before extension), extension and flexion (directional preference, the "
        "strongest favourable sign, May 2018; MDT did as well as manipulation in CPR-positive "
        "patients), manipulation, then stabilization (manipulation first and stabilization after, "
        "Fritz 2015 protocol). Later rules that also fit are named in the reasons.",
        "",
        "The duration criterion of the manipulation rule is '< 16 days' as in Flynn 2002 and the "
        "clinical facts' quick reference; the TBC table in clinical-facts §3.3 writes '≤ 16'.",
        "",
    ]
    for i, rule in enumerate(TBC_RULES, 1):
        out += _rule_table(rule, f"{i}. {rule.result}")
    out += _rule_table(MANIPULATION_PRAGMATIC, "Manipulation, pragmatic two-item rule (reported)")
    out += [
        "## Directional preference (first match wins)",
        "",
        "| id | condition | result | source | certainty |",
        "|---|---|---|---|---|",
    ]
    out += [f"| `{r.id}` | {r.condition} | {r.result} | {_DP_SOURCE} | sec |" for r in DP_RULES]
    otherwise = "otherwise: tested, nothing centralises"
    out.append(f"| `dp_none` | {otherwise} | {DP_OTHERWISE} | {_DP_SOURCE} | sec |")
    out += ["", "## Radicular pain", ""]
    out += _rule_table(RADICULAR_SIGNS, "Radicular signs")
    out += [
        "Not radicular when every sign is known absent, or when there are no leg symptoms at "
        "all; otherwise unknown [synthesis].",
        "",
        "## ICF category (APTA 2012), first match wins",
        "",
        "The CPG's category table is partly reconstructed and marked [uncertain] in the clinical "
        "facts; the order of the rules is our own [synthesis].",
        "",
    ]
    for i, icf_rule in enumerate((*ICF_RULES, ICF_DEFAULT), 1):
        out += _rule_table(icf_rule, f"{i}. {icf_rule.result} ({icf_rule.id})")
    out += [
        "## Likely causes (working hypotheses, not diagnoses)",
        "",
        "A cause is listed when enough features fit and at least one is a key feature; causes "
        "with more fitting features come first.",
        "",
    ]
    for cause in CAUSE_RULES:
        out += [
            f"### {cause.cause}",
            "",
            f"Listed when at least {cause.needed} feature(s) fit, one of them a key feature. "
            f"Source: {cause.source}.",
            "",
            "| id | feature | key | certainty |",
            "|---|---|---|---|",
        ]
        out += [
            f"| `{c.id}` | {c.label} | {'yes' if c.id in cause.key else ''} | {c.certainty} |"
            for c in cause.features
        ]
        out.append("")
    return "\n".join(out).rstrip() + "\n"
