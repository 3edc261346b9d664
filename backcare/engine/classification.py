"""Classification: stage, first-contact pathway, APTA ICF category, treatment-based subgroup,
directional preference, radicular pain and the likely causes to consider (clinical-facts §3, §6).

Everything here is a working hypothesis that routes care and explains itself; nothing here is a
diagnosis. Every rule is a table entry (named criteria, each with its source and certainty) so
that ``rules_markdown()`` renders the same rules for clinicians that the code runs.

Unknown findings (``None``) count as "not met" when a rule counts its criteria, but when they
could change the result they are listed in ``missing_findings`` with what to record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from itertools import repeat
from operator import and_, attrgetter, call, getitem, itemgetter
from typing import Any, Generic, TypeVar

from .evidence import Certainty
from .i18n import _
from .intake import Area, Direction, Factor, Intake, Legs, NeuroDeficit, Onset, Weakness
from .scoring import Risk, Scores
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

# Each criterion names the facts it reads (``reads``) and its test receives their values. A fact
# is an intake field ("episode.onset"), a value from the scores (SCORE_FACTS) or a result worked
# out earlier in ``classify`` (LATE_FACTS). Because a test sees nothing else, its answer depends
# only on those values: it is worked out once per distinct value and remembered ("evaluation").
SCORE_FACTS = (
    "episode.daily_activities_hard",  # an intake field, read together with the scores
    "fabq_work",  # FABQ work subscale
    "fabq_activity",  # FABQ physical-activity subscale
    "startback_risk",
    "startback_answers",  # the nine STarT Back answers as given
    "odi_percent",
    "rmdq_total",
    "psfs_mean",
    "pain_score",  # NPRS, else the intake's "pain now"
)
LATE_FACTS = ("radicular", "tbc")


def _score_facts(intake: Intake, scores: Scores) -> tuple[Any, ...]:
    """The values of SCORE_FACTS, in that order."""
    fabq, sb, odi, rmdq, psfs, nprs = (
        scores.fabq,
        scores.startback,
        scores.odi,
        scores.rmdq,
        scores.psfs,
        scores.nprs,
    )
    answers = intake.questionnaires.startback
    return (
        intake.episode.daily_activities_hard,
        None if fabq is None else fabq.work,
        None if fabq is None else fabq.physical_activity,
        None if sb is None else sb.risk,
        None if answers is None else answers.answers,
        None if odi is None else odi.percent,
        None if rmdq is None else rmdq.total,
        None if psfs is None else psfs.mean,
        intake.episode.pain_now if nprs is None else nprs.value,
    )


Test = Callable[..., bool | None]  # called with the values of the facts the criterion reads

K = TypeVar("K")
V = TypeVar("V")
MEMO_LIMIT = 10_000  # entries per memo; a full memo starts again, so memory stays bounded


class _Memo(dict[K, V]):
    """A dict that works out a missing value with ``fill`` and remembers it."""

    __slots__ = ("fill",)

    def __init__(self, fill: Callable[[K], V]) -> None:
        super().__init__()
        self.fill = fill

    def __missing__(self, key: K) -> V:
        if len(self) >= MEMO_LIMIT:
            self.clear()
        value = self[key] = self.fill(key)
        return value


_AREAS_LEGS = ("episode.pain_areas", "episode.leg_symptoms")
_BELOW_KNEE = frozenset({Area.BELOW_KNEE, Area.FOOT})
_DISTAL_TO_BUTTOCK = frozenset({Area.THIGH, Area.BELOW_KNEE, Area.FOOT})
_LEG_OR_BUTTOCK = frozenset({Area.BUTTOCK, Area.THIGH, Area.BELOW_KNEE, Area.FOOT})
_WIDESPREAD = frozenset({Area.WIDESPREAD})
_DEFICIT = frozenset({NeuroDeficit.ONE_ROOT, NeuroDeficit.SEVERAL_ROOTS})
_FLEXED = frozenset({Factor.BENDING_FORWARD, Factor.SITTING})


def _pain_below_knee(areas: tuple[Area, ...] | None, legs: Legs | None) -> bool | None:
    if areas is not None:  # a present list is complete
        return not _BELOW_KNEE.isdisjoint(areas)
    return False if legs is Legs.NONE else None


def _leg_symptoms(areas: tuple[Area, ...] | None, legs: Legs | None) -> bool | None:
    """Symptoms distal to the buttock (thigh, below the knee, foot), from either answer."""
    if (legs is not None and legs is not Legs.NONE) or (
        areas is not None and not _DISTAL_TO_BUTTOCK.isdisjoint(areas)
    ):
        return True
    return None if legs is None and areas is None else False


def _not(value: bool | None) -> bool | None:
    return None if value is None else not value


def _as_is(value: bool | None) -> bool | None:
    return value


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


def _startback_item(items: tuple[Any, ...] | None, number: int) -> bool | None:
    """STarT Back item 1-8 agreed (True), disagreed (False) or not answered (None)."""
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


def _chronic(days_since_onset: int | None) -> bool | None:
    stage = stage_for(days_since_onset)
    return None if stage is None else stage is Stage.CHRONIC


# --- directional preference -------------------------------------------------------------------


Movement = tuple[Direction | None, Direction | None, bool | None]
_MOVEMENT = ("exam.centralises_with", "exam.peripheralises_with", "exam.visible_lateral_shift")


@dataclass(frozen=True, slots=True)
class DpRule:
    """One row of the directional-preference table: the first row whose test holds decides.

    ``test`` reads (centralises with, peripheralises with, visible lateral shift)."""

    id: str
    condition: str
    test: Callable[[Direction | None, Direction | None, bool | None], bool]
    result: DirectionalPreference


DP_RULES: tuple[DpRule, ...] = (
    DpRule(
        "dp_shift",
        "centralises with lateral shift correction",
        lambda central, _peripheral, _shift: central is Direction.LATERAL_SHIFT,
        DirectionalPreference.LATERAL_SHIFT,
    ),
    DpRule(
        "dp_extension",
        "centralises with extension and does not peripheralise with it",
        lambda central, peripheral, _shift: (
            central is Direction.EXTENSION and peripheral is not Direction.EXTENSION
        ),
        DirectionalPreference.EXTENSION,
    ),
    DpRule(
        "dp_flexion",
        "centralises with flexion and does not peripheralise with it",
        lambda central, peripheral, _shift: (
            central is Direction.FLEXION and peripheral is not Direction.FLEXION
        ),
        DirectionalPreference.FLEXION,
    ),
    DpRule(
        "dp_visible_shift",
        "visible lateral shift, no sagittal preference",
        lambda _central, _peripheral, shift: shift is True,
        DirectionalPreference.LATERAL_SHIFT,
    ),
    DpRule(
        "dp_unknown",
        "centralisation not recorded",
        lambda central, _peripheral, _shift: central is None,
        DirectionalPreference.UNKNOWN,
    ),
)
DP_OTHERWISE = DirectionalPreference.NONE  # tested: nothing centralises, or the findings disagree


def _directional_preference(movement: Movement) -> DirectionalPreference:
    """From repeated-movement testing (MDT; clinical-facts §3.5): the direction that centralises
    the symptoms, unless the same direction also peripheralises them (inconsistent: none)."""
    for rule in DP_RULES:
        if rule.test(*movement):
            return rule.result
    return DP_OTHERWISE


_DP: _Memo[Movement, DirectionalPreference] = _Memo(_directional_preference)
_movement = attrgetter(*(name.removeprefix("exam.") for name in _MOVEMENT))


_DP_SOURCE = "McKenzie MDT; May & Aina 2012; May, Runge & Aina 2018; clinical-facts §3.5"


# --- rules as data ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Criterion:
    """One named test of a rule. ``test`` answers True, False or None (not recorded)."""

    id: str
    label: str  # clinician wording, for the rule tables
    plain: str  # plain words shown when it is met
    finding: str  # what to record when it is unknown
    reads: tuple[str, ...]  # the facts ``test`` is called with, in order
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
    reads: str | tuple[str, ...],
    test: Test,
    source: str,
    certainty: Certainty,
    *,
    exam: bool = False,
) -> Criterion:
    reads = (reads,) if isinstance(reads, str) else reads
    return Criterion(id, label, plain, finding, reads, test, source, certainty, exam)


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
    "episode.days_since_onset",
    lambda days: _lt(days, FLYNN_DURATION_BELOW_DAYS),
    _FLYNN,
    Certainty.SEC,
)
FLYNN_NOT_BELOW_KNEE = _c(
    "flynn_no_symptoms_below_knee",
    "No symptoms distal to the knee",
    _("the pain does not go below the knee"),
    _("whether the pain goes below the knee"),
    _AREAS_LEGS,
    lambda areas, legs: _not(_pain_below_knee(areas, legs)),
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
            "fabq_work",
            lambda work: _lt(work, FABQ_W_BELOW),
            _FLYNN,
            Certainty.SEC,
        ),
        _c(
            "flynn_hypomobility",
            "≥1 hypomobile lumbar segment on PA spring testing",
            _("a stiff joint was found in the low back"),
            _("lumbar spring testing (segment mobility)"),
            "exam.hypomobile_lumbar_segment",
            _as_is,
            _FLYNN,
            Certainty.SEC,
            exam=True,
        ),
        _c(
            "flynn_hip_ir",
            "Hip internal rotation > 35° on at least one side",
            _("at least one hip turns inward more than 35 degrees"),
            _("hip internal rotation"),
            "exam.hip_internal_rotation_over_35",
            _as_is,
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
            "person.age",
            lambda age: _lt(age, HICKS_AGE_BELOW),
            _HICKS,
            Certainty.SRC,
        ),
        _c(
            "hicks_slr",
            f"Straight-leg raise > {HICKS_SLR_OVER}°",
            _("the straight leg lifts higher than 91 degrees"),
            _("straight-leg raise angle"),
            "exam.slr_angle",
            lambda angle: _gt(angle, HICKS_SLR_OVER),
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
            "exam.aberrant_movement",
            _as_is,
            _HICKS,
            Certainty.SRC,
            exam=True,
        ),
        _c(
            "hicks_prone_instability",
            "Positive prone instability test",
            _("the prone instability test was positive"),
            _("the prone instability test"),
            "exam.prone_instability_test",
            _as_is,
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
    _AREAS_LEGS,
    _leg_symptoms,
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
            ("exam.neuro_deficit", "exam.slr_reproduces_leg_pain", "exam.crossed_slr"),
            lambda deficit, slr, crossed: _any(_in(deficit, _DEFICIT), slr, crossed),
            _TRACTION,
            Certainty.SRC,
            exam=True,
        ),
        _c(
            "traction_peripheralises_or_crossed_slr",
            "Peripheralisation with extension OR positive crossed SLR (protocol: at ≤70°)",
            _("bending backward, or lifting the other leg, spreads the pain further down the leg"),
            _("repeated-movement testing and the crossed straight-leg raise"),
            ("exam.peripheralises_with", "exam.crossed_slr"),
            lambda peripheral, crossed: _any(_eq(peripheral, Direction.EXTENSION), crossed),
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
    """A test of the directional preference; it reads _MOVEMENT."""

    def test(*movement: Any) -> bool | None:
        dp = _DP[movement]
        if dp is DirectionalPreference.UNKNOWN:
            return None
        return dp is direction

    return test


def _centralises_or_shift(*movement: Any) -> bool | None:
    dp = _DP[movement]
    return None if dp is DirectionalPreference.UNKNOWN else dp is not DirectionalPreference.NONE


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
            "exam.visible_lateral_shift",
            _as_is,
            _FRITZ_2007,
            Certainty.SRC,
            exam=True,
        ),
        _c(
            "shift_centralises",
            "Directional preference for lateral translation",
            _("moving the hips sideways eases the pain"),
            _REPEATED_MOVEMENTS,
            "exam.centralises_with",
            lambda central: _eq(central, Direction.LATERAL_SHIFT),
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
            _MOVEMENT,
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
            "exam.peripheralises_with",
            lambda peripheral: _eq(peripheral, Direction.FLEXION),
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
            _MOVEMENT,
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
            "person.age",
            lambda age: _gt(age, FLEXION_AGE_OVER),
            _FRITZ_2007,
            Certainty.UNCERTAIN,
        ),
        _c(
            "flexion_eased_sitting",
            "Eased by sitting or bending forward (stenosis pattern: LR 7.4 / 6.4, Suri 2010) "
            "(favouring)",
            _("sitting or bending forward eases the pain"),
            _("what eases the pain"),
            "episode.better_with",
            lambda better: _has(better, _FLEXED),
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
    _AREAS_LEGS,
    _pain_below_knee,
    _RADICULAR,
    Certainty.SRC,
)
_NUMB_SIGN = _c(
    "leg_numbness",
    "Numbness or pins and needles in a leg",
    _("a leg feels numb or tingly"),
    _("leg numbness"),
    "red_flag_screen.leg_numbness",
    lambda numb: _in(numb, _LEG_NUMB),
    _RADICULAR,
    Certainty.UNCERTAIN,
)
_WEAK_SIGN = _c(
    "leg_weakness",
    "Leg weakness reported",
    _("a leg feels weak"),
    _("leg weakness"),
    "red_flag_screen.leg_weakness",
    lambda weak: _in(weak, _LEG_WEAK),
    _RADICULAR,
    Certainty.UNCERTAIN,
)
_DEFICIT_SIGN = _c(
    "neuro_deficit",
    "Nerve-root deficit on examination (dermatomal sensation, myotomal strength, reflex)",
    _("the examination found changes in leg strength, feeling or reflexes"),
    _("strength, feeling and reflexes in the legs"),
    "exam.neuro_deficit",
    lambda deficit: _in(deficit, _DEFICIT),
    _RADICULAR,
    Certainty.UNCERTAIN,
    exam=True,
)
_SLR_SIGN = _c(
    "slr_reproduces_leg_pain",
    "Straight-leg raise reproduces leg pain (Sn 0.92, Sp 0.28)",
    _("lifting the straight leg brings on the leg pain"),
    _("the straight-leg raise"),
    "exam.slr_reproduces_leg_pain",
    _as_is,
    _RADICULAR,
    Certainty.SRC,
    exam=True,
)
_CROSSED_SIGN = _c(
    "crossed_slr",
    "Crossed straight-leg raise positive (Sn 0.28, Sp 0.90)",
    _("lifting the other leg brings on the pain in the sore leg"),
    _("the crossed straight-leg raise"),
    "exam.crossed_slr",
    _as_is,
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
            "startback_risk",
            lambda risk: _in(risk, _MEDIUM_HIGH),
            "Keele SBST; Hill 2011; " + _ALRWAILY,
            Certainty.SRC,
        ),
        _c(
            "odi_significant",
            f"ODI > {ODI_SIGNIFICANT_OVER} % (moderate disability or worse)",
            _("the Oswestry answers show the pain gets in the way of daily life"),
            _DISABILITY_FINDING,
            "odi_percent",
            lambda odi: _gt(odi, ODI_SIGNIFICANT_OVER),
            "Fairbank & Pynsent 2000 bands [sec]; " + _ALRWAILY,
            Certainty.SYNTHESIS,
        ),
        _c(
            "rmdq_significant",
            f"RMDQ ≥ {RMDQ_SIGNIFICANT_FROM}",
            _("the Roland-Morris answers show the pain gets in the way of daily life"),
            _DISABILITY_FINDING,
            "rmdq_total",
            lambda rmdq: _gt(rmdq, RMDQ_SIGNIFICANT_FROM - 1),
            "Stratford & Riddle 2016 [sec]; " + _ALRWAILY,
            Certainty.SYNTHESIS,
        ),
        _c(
            "psfs_limited",
            f"PSFS mean < {PSFS_LIMITED_BELOW:g}",
            _("the activities you chose are hard to do"),
            _("the Patient-Specific Functional Scale"),
            "psfs_mean",
            lambda psfs: _lt(psfs, PSFS_LIMITED_BELOW),
            "Stratford 1995 [sec]; " + _ALRWAILY,
            Certainty.SYNTHESIS,
        ),
        _c(
            "nprs_significant",
            f"Pain ≥ {NPRS_SIGNIFICANT_FROM}/10",
            _("the pain is strong (5 out of 10 or more)"),
            _("a pain score"),
            "pain_score",
            lambda pain: _gt(pain, NPRS_SIGNIFICANT_FROM - 1),
            _ALRWAILY,
            Certainty.SYNTHESIS,
        ),
        _c(
            "radicular_pain",
            "Radicular pain (any radicular sign)",
            _("a nerve in the back may be irritated"),
            "",  # reported on its own line when unknown
            "radicular",
            _as_is,
            "design.md screen criteria: pain spreading into a leg",
            Certainty.SYNTHESIS,
        ),
        _c(
            "daily_activities_hard",
            "Person reports that daily activities are hard",
            _("the pain makes everyday activities hard"),
            _("whether the pain makes everyday activities hard"),
            "episode.daily_activities_hard",
            _as_is,
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
            "startback_risk",
            lambda risk: _eq(risk, Risk.LOW),
            "Keele SBST; Hill 2011 (low risk: advice and self-management) [src]; " + _ALRWAILY,
            Certainty.SRC,
        ),
        _c(
            "disability_low",
            f"ODI ≤ {ODI_SIGNIFICANT_OVER} %, or RMDQ < {RMDQ_SIGNIFICANT_FROM}, or the person "
            "reports that daily activities are not hard",
            _("daily life is only a little affected"),
            _DISABILITY_FINDING,
            ("odi_percent", "rmdq_total", "episode.daily_activities_hard"),
            lambda odi, rmdq, hard: _any(
                _le(odi, ODI_SIGNIFICANT_OVER),
                _lt(rmdq, RMDQ_SIGNIFICANT_FROM),
                _eq(hard, False),
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
    "episode.days_since_onset",
    _chronic,
    _STAGE_SOURCE,
    Certainty.UNCERTAIN,
)
_RECURRENT = _c(
    "recurrent",
    "Earlier episodes of back pain",
    _("the back pain has come back before"),
    _("earlier episodes of back pain"),
    "episode.previous_episodes",
    lambda episodes: _gt(episodes, 0),
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
                "episode.pain_areas",
                lambda areas: _has(areas, _WIDESPREAD),
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
                "startback_answers",
                lambda answers: _startback_item(answers, 8),
                _PSYCHOSOCIAL,
                Certainty.UNCERTAIN,
            ),
            _c(
                "catastrophising",
                "High catastrophising (proxy: STarT Back item 7 agreed; CPG uses the PCS)",
                _("you feel the pain will never get better"),
                _("the STarT Back questionnaire"),
                "startback_answers",
                lambda answers: _startback_item(answers, 7),
                _PSYCHOSOCIAL,
                Certainty.UNCERTAIN,
            ),
            _c(
                "fear_avoidance",
                f"High fear-avoidance: FABQ-PA > {FABQ_PA_HIGH_OVER} [uncertain] or FABQ-W > "
                f"{FABQ_W_HIGH_OVER}",
                _("you worry a lot that activity or work will harm your back"),
                _("the FABQ questionnaire"),
                ("fabq_activity", "fabq_work"),
                lambda activity, work: _any(
                    _gt(activity, FABQ_PA_HIGH_OVER), _gt(work, FABQ_W_HIGH_OVER)
                ),
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
                _AREAS_LEGS,
                lambda areas, legs: _any(_leg_symptoms(areas, legs), _has(areas, _LEG_OR_BUTTOCK)),
                _DELITTO,
                Certainty.SRC,
            ),
            _c(
                "centralises_or_shift",
                "Centralises with a direction of movement, or lateral trunk shift",
                _("one direction of movement eases the pain or moves it back toward the spine"),
                _REPEATED_MOVEMENTS,
                _MOVEMENT,
                _centralises_or_shift,
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
                "radicular",
                _as_is,
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
                "tbc",
                lambda tbc: tbc is Tbc.MANIPULATION,
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
                "tbc",
                lambda tbc: tbc is Tbc.STABILIZATION,
                _DELITTO,
                Certainty.SYNTHESIS,
            ),
            _c(
                "aberrant_movement",
                "Aberrant movement",
                _("the back moves in an unusual way when bending forward"),
                _("aberrant movements on forward bending"),
                "exam.aberrant_movement",
                _as_is,
                _DELITTO,
                Certainty.SRC,
                exam=True,
            ),
            _c(
                "prone_instability",
                "Positive prone instability test (segmental hypermobility)",
                _("the prone instability test was positive"),
                _("the prone instability test"),
                "exam.prone_instability_test",
                _as_is,
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
                "exam.hypomobile_lumbar_segment",
                _as_is,
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
    id: str,
    label: str,
    plain: str,
    reads: str | tuple[str, ...],
    test: Test,
    certainty: Certainty = Certainty.SEC,
) -> Criterion:
    return _c(id, label, plain, "", reads, test, _CAUSES, certainty)


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


def _leg_worse_than_back(leg: int | None, back: int | None) -> bool | None:
    return None if leg is None or back is None else leg > back


def _short_stiffness(minutes: int | None) -> bool | None:
    return None if minutes is None else 0 < minutes <= SHORT_STIFFNESS_MAX_MINUTES


def _age_between(age: int | None, low: int, high: int) -> bool | None:
    return None if age is None else low <= age <= high


_F_BELOW_KNEE = _f(
    "below_knee",
    "Pain below the knee",
    _("The pain goes below the knee."),
    _AREAS_LEGS,
    _pain_below_knee,
)
_F_LEG_WORSE = _f(
    "leg_worse_than_back",
    "Leg pain worse than back pain",
    _("The leg hurts more than the back."),
    ("episode.leg_pain_now", "episode.pain_now"),
    _leg_worse_than_back,
)
_F_SLR = _f(
    "slr",
    "SLR reproduces leg pain",
    _("Lifting the straight leg brings on the leg pain."),
    "exam.slr_reproduces_leg_pain",
    _as_is,
    Certainty.SRC,
)
_F_CROSSED = _f(
    "crossed_slr",
    "Crossed SLR positive",
    _("Lifting the other leg brings on the pain in the sore leg."),
    "exam.crossed_slr",
    _as_is,
    Certainty.SRC,
)
_F_RECURRENT = _f(
    "recurrent",
    "Earlier episodes",
    _("The back pain has come back before."),
    "episode.previous_episodes",
    lambda episodes: _gt(episodes, 0),
)

CAUSE_RULES: tuple[CauseRule, ...] = (
    CauseRule(
        Cause.MUSCLE_STRAIN,
        (
            _f(
                "lifting_onset",
                "Onset after lifting or a sudden movement",
                _("The pain started after lifting or a sudden movement."),
                "episode.onset",
                lambda onset: _in(onset, _LIFTING_ONSET),
            ),
            _f(
                "not_below_knee",
                "Pain localised to back ± buttock/thigh, not below the knee",
                _("The pain stays in the back, buttock or thigh and does not go below the knee."),
                _AREAS_LEGS,
                lambda areas, legs: _not(_pain_below_knee(areas, legs)),
            ),
            _f(
                "no_nerve_signs",
                "No neurological signs",
                _("There are no signs of an irritated nerve."),
                "radicular",
                _not,
            ),
            _f(
                "movement_related",
                "Movement-related pain that eases with rest or a change of position",
                _("Moving makes it worse, and rest or lying down eases it."),
                ("episode.worse_with", "episode.better_with"),
                lambda worse, better: _any(
                    _has(worse, _WORSE_MOVING), _has(better, _EASED_BY_REST)
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
                "person.age",
                lambda age: _age_between(age, *DISC_AGE),
                Certainty.UNCERTAIN,
            ),
            _f(
                "leg_symptoms",
                "Symptoms into the leg",
                _("The pain reaches into the leg."),
                _AREAS_LEGS,
                _leg_symptoms,
            ),
            _F_BELOW_KNEE,
            _F_LEG_WORSE,
            _f(
                "worse_flexion_sitting",
                "Worse with flexion, sitting, cough/sneeze",
                _("Bending forward, sitting, coughing or sneezing makes it worse."),
                "episode.worse_with",
                lambda worse: _has(worse, _DISC_AGGRAVATING),
            ),
            _f(
                "eased_upright",
                "Better standing or walking",
                _("Standing or walking eases it."),
                "episode.better_with",
                lambda better: _has(better, _UPRIGHT),
            ),
            _f(
                "centralises_extension",
                "Centralises with extension",
                _("Bending backward again and again moves the pain back toward the spine."),
                "exam.centralises_with",
                lambda central: _eq(central, Direction.EXTENSION),
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
                "person.age",
                lambda age: _age_between(age, ARTHRITIS_AGE_FROM, 200),
                Certainty.SYNTHESIS,
            ),
            _f(
                "long_lasting",
                "Chronic or recurrent",
                _("The pain has lasted a long time or has come back before."),
                ("episode.days_since_onset", "episode.previous_episodes"),
                lambda days, episodes: _any(_chronic(days), _gt(episodes, 0)),
            ),
            _f(
                "worse_extension_standing",
                "Worse with extension, standing or walking",
                _("Leaning back, standing or walking makes it worse."),
                "episode.worse_with",
                lambda worse: _has(worse, _FACET_AGGRAVATING),
            ),
            _f(
                "eased_flexion_sitting",
                "Eased by sitting or bending forward (LR 7.4 / 6.4)",
                _("Sitting or bending forward eases it."),
                "episode.better_with",
                lambda better: _has(better, _FLEXED),
                Certainty.SRC,
            ),
            _f(
                "short_morning_stiffness",
                f"Morning stiffness ≤ {SHORT_STIFFNESS_MAX_MINUTES} min",
                _("Stiffness in the morning wears off within half an hour."),
                "episode.morning_stiffness_minutes",
                _short_stiffness,
                Certainty.UNCERTAIN,
            ),
            _f(
                "both_legs",
                "Bilateral buttock/leg symptoms (stenosis LR 6.3)",
                _("Both legs are affected."),
                "episode.leg_symptoms",
                lambda legs: _eq(legs, Legs.BOTH_LEGS),
                Certainty.SRC,
            ),
            _f(
                "flexion_preference",
                "Directional preference for flexion",
                _("Bending forward again and again eases the pain."),
                "exam.centralises_with",
                lambda central: _eq(central, Direction.FLEXION),
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
                "red_flag_screen.leg_numbness",
                lambda numb: _in(numb, _LEG_NUMB),
            ),
            _f(
                "leg_weakness",
                "Leg weakness",
                _("A leg feels weak."),
                "red_flag_screen.leg_weakness",
                lambda weak: _in(weak, _LEG_WEAK),
            ),
            _f(
                "neuro_deficit",
                "Dermatomal / myotomal / reflex deficit on examination",
                _("The examination found changes in leg strength, feeling or reflexes."),
                "exam.neuro_deficit",
                lambda deficit: _in(deficit, _DEFICIT),
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
                "episode.worse_with",
                lambda worse: _has(worse, _SUSTAINED),
            ),
            _f(
                "eased_moving",
                "Eased by moving about",
                _("Moving about eases it."),
                "episode.better_with",
                lambda better: _has(better, _MOVING),
            ),
            _f(
                "gradual_onset",
                "Gradual onset, no injury",
                _("The pain came on slowly, without an injury."),
                "episode.onset",
                lambda onset: _eq(onset, Onset.GRADUAL),
            ),
            _F_RECURRENT,
            _f(
                "fear_avoidance",
                f"FABQ-PA > {FABQ_PA_HIGH_OVER}",
                _("Worry that activity will harm the back may be keeping you less active."),
                "fabq_activity",
                lambda activity: _gt(activity, FABQ_PA_HIGH_OVER),
                Certainty.UNCERTAIN,
            ),
        ),
        frozenset({"worse_sustained", "eased_moving"}),
        2,
        _CAUSES,
    ),
)

# --- evaluation -------------------------------------------------------------------------------
#
# Built once at import from the tables above. Every criterion has two bits in one integer: "met"
# at its own position and "unknown" WIDTH positions higher (neither set: not met). The bits of the
# criteria that read a fact are worked out once per distinct value of that fact and remembered,
# so a call looks up one small integer per fact and ORs them together. A rule's outcome depends
# only on the bits of its criteria, so it too is worked out once per combination and remembered.

_ALL_RULES: tuple[Rule[Any], ...] = (
    RADICULAR_SIGNS,
    *_REPORTED_RULES,
    PATHWAY_REHABILITATION,
    PATHWAY_SELF_CARE,
    *ICF_RULES,
)
_CRITERIA = tuple(
    {
        id(c): c
        for c in (
            *(c for rule in _ALL_RULES for c in rule.criteria),
            *(c for cause in CAUSE_RULES for c in cause.features),
        )
    }.values()
)
WIDTH = len(_CRITERIA)
_BIT = {id(c): 1 << i for i, c in enumerate(_CRITERIA)}


def _met_mask(criteria: Iterable[Criterion]) -> int:
    bits = 0
    for c in criteria:
        bits |= _BIT[id(c)]
    return bits


def _both_mask(criteria: Iterable[Criterion]) -> int:
    """The "met" and "unknown" bits of the criteria."""
    met = _met_mask(criteria)
    return met | met << WIDTH


# Facts looked up together, as one key: fewer, larger lookups. Each group has few distinct values
# in practice (the memos are bounded anyway). A criterion is worked out with the first group that
# holds every fact it reads; criteria that no group covers get a group of their own.
FACT_GROUPS: tuple[tuple[str, ...], ...] = (
    (*_MOVEMENT, "exam.crossed_slr"),
    (
        "exam.slr_reproduces_leg_pain",
        "exam.crossed_slr",
        "exam.neuro_deficit",
        "exam.hypomobile_lumbar_segment",
        "exam.hip_internal_rotation_over_35",
        "exam.aberrant_movement",
        "exam.prone_instability_test",
    ),
    _AREAS_LEGS,
    ("episode.worse_with", "episode.better_with"),
    ("episode.days_since_onset", "episode.previous_episodes"),
    ("episode.onset", "episode.morning_stiffness_minutes"),
    ("person.age", "red_flag_screen.leg_numbness", "red_flag_screen.leg_weakness"),
    ("fabq_activity", "fabq_work"),
    ("startback_risk", "startback_answers"),
    ("odi_percent", "rmdq_total", "episode.daily_activities_hard"),
    ("psfs_mean", "pain_score"),
)


def _group_memo(group: tuple[str, ...], criteria: Iterable[Criterion]) -> _Memo[Any, int]:
    """The bits of ``criteria`` for each value of the facts in ``group`` (a tuple of their values
    when there are several)."""
    tests = tuple(
        (c.test, tuple([group.index(name) for name in c.reads]), _BIT[id(c)]) for c in criteria
    )

    def fill(value: Any) -> int:
        values = value if len(group) > 1 else (value,)
        bits = 0
        for test, positions, bit in tests:
            answer = test(*[values[i] for i in positions])
            if answer:
                bits |= bit
            elif answer is None:
                bits |= bit << WIDTH
        return bits

    return _Memo(fill)


_BY_GROUP: dict[tuple[str, ...], list[Criterion]] = {}
for _criterion in _CRITERIA:
    _group = next((g for g in FACT_GROUPS if set(_criterion.reads) <= set(g)), _criterion.reads)
    _BY_GROUP.setdefault(_group, []).append(_criterion)
_LATE = {name: _group_memo((name,), _BY_GROUP.pop((name,))) for name in LATE_FACTS}
_RADICULAR_BITS, _TBC_BITS = _LATE["radicular"], _LATE["tbc"]
_SCORE_GROUPS = {g: c for g, c in _BY_GROUP.items() if set(g) <= set(SCORE_FACTS)}
_FIELD_GROUPS = {g: c for g, c in _BY_GROUP.items() if g not in _SCORE_GROUPS}
# Per group: a getter of its key (from the intake, or from the score facts) and a memo.
_FIELD_KEYS = tuple(attrgetter(*group) for group in _FIELD_GROUPS)
_FIELD_MEMOS = tuple(_group_memo(group, criteria) for group, criteria in _FIELD_GROUPS.items())
_SCORE_KEYS = tuple(itemgetter(*map(SCORE_FACTS.index, group)) for group in _SCORE_GROUPS)
_SCORE_MEMOS = tuple(_group_memo(group, criteria) for group, criteria in _SCORE_GROUPS.items())


def _bits(intake: Intake, scores: Scores) -> int:
    """The bits of every criterion that reads no late fact (the groups' bits do not overlap)."""
    facts = _score_facts(intake, scores)
    return sum(map(getitem, _FIELD_MEMOS, map(call, _FIELD_KEYS, repeat(intake)))) + sum(
        map(getitem, _SCORE_MEMOS, map(call, _SCORE_KEYS, repeat(facts)))
    )


_Entry = tuple[tuple[str, ...], str]  # (findings to record, rule name as shown)


@dataclass(frozen=True, slots=True)
class _Outcome:
    """How a rule came out for one combination of met, unknown and unmet criteria."""

    rule: Rule[Any]
    met: tuple[Criterion, ...]
    unknown: tuple[Criterion, ...]
    positive: bool
    could: bool  # not positive, but could be with the unknown findings
    text: str  # the reason shown when it is positive
    missing: tuple[tuple[_Entry, ...], tuple[_Entry, ...]]  # to report, by "no examination"


def _outcome(rule: Rule[Any], bits: int, text: Callable[[Rule[Any], str], str]) -> _Outcome:
    met = tuple([c for c in rule.criteria if bits & _BIT[id(c)]])
    unknown = tuple([c for c in rule.criteria if bits & _BIT[id(c)] << WIDTH])
    required = rule.required
    required_met = sum(1 for c in met if c.id in required)
    required_failed = any(c.id in required for c in rule.criteria if not bits & _both_mask((c,)))
    positive = required_met == len(required) and len(met) >= rule.needed
    could = (
        not positive
        and not required_failed
        and bool(unknown)
        and len(met) + len(unknown) >= rule.needed
    )
    entries = tuple(_entry(rule, len(met), unknown, no_exam) for no_exam in (False, True))
    return _Outcome(
        rule,
        met,
        unknown,
        positive,
        could,
        text(rule, _join(c.plain for c in met)) if positive else "",
        ((entries[0],) if entries[0][0] else (), (entries[1],) if entries[1][0] else ()),
    )


class _Compiled:
    """Rules with the bits each reads and, per combination of those bits, its outcome."""

    __slots__ = ("masks", "memos")

    def __init__(
        self, rules: Iterable[Rule[Any]], text: Callable[[Rule[Any], str], str] = lambda r, s: ""
    ) -> None:
        self.masks = tuple([_both_mask(rule.criteria) for rule in rules])
        self.memos = tuple([_memo_outcomes(rule, text) for rule in rules])

    def outcomes(self, bits: int) -> Iterator[_Outcome]:
        """The rules' outcomes, in order (lazily)."""
        return map(getitem, self.memos, map(and_, repeat(bits), self.masks))


def _memo_outcomes(rule: Rule[Any], text: Callable[[Rule[Any], str], str]) -> _Memo[int, _Outcome]:
    return _Memo(lambda bits: _outcome(rule, bits, text))


def _subgroup_text(rule: Rule[Any], signs: str) -> str:
    return _("Subgroup: {name}. {why} Signs found: {signs}.").format(
        name=rule.name, why=rule.reason, signs=signs
    )


def _pragmatic_text(_rule: Rule[Any], signs: str) -> str:
    return _(
        "The short two-sign check for manipulation is met ({signs}); a clinician may "
        "consider manipulation."
    ).format(signs=signs)


def _pathway_text(rule: Rule[Any], signs: str) -> str:
    return rule.reason.format(signs=signs)


def _category_text(rule: Rule[Any], _signs: str = "") -> str:
    return _("Category: {name}. {why}").format(name=rule.name, why=rule.reason)


_TBC = _Compiled(TBC_RULES, _subgroup_text)
_REPORTED = _Compiled(_REPORTED_RULES)
_ICF = _Compiled(ICF_RULES, _category_text)
# Rules evaluated on their own: (the bits it reads, its outcome per combination of those bits).
_RADICULAR_MASK = _both_mask(RADICULAR_SIGNS.criteria)
_RADICULAR_OUTCOMES = _memo_outcomes(RADICULAR_SIGNS, lambda r, s: "")
_PRAGMATIC_MASK = _both_mask(MANIPULATION_PRAGMATIC.criteria)
_PRAGMATIC_OUTCOMES = _memo_outcomes(MANIPULATION_PRAGMATIC, _pragmatic_text)
_REHABILITATION_MASK = _both_mask(PATHWAY_REHABILITATION.criteria)
_REHABILITATION_OUTCOMES = _memo_outcomes(PATHWAY_REHABILITATION, _pathway_text)
_SELF_CARE_MASK = _both_mask(PATHWAY_SELF_CARE.criteria)
_SELF_CARE_OUTCOMES = _memo_outcomes(PATHWAY_SELF_CARE, _pathway_text)
_ICF_DEFAULT_TEXT = _category_text(ICF_DEFAULT)
_LEG_NOT_FALSE = _both_mask((_LEG_SYMPTOMS,))  # leg symptoms present or unknown


def _cause_memo(
    order: int, rule: CauseRule
) -> tuple[int, _Memo[int, tuple[int, int, LikelyCause] | None]]:
    """(the bits it reads, per combination: (-features met, table order, cause) or None)."""

    def fill(bits: int) -> tuple[int, int, LikelyCause] | None:
        met = [c for c in rule.features if bits & _BIT[id(c)]]
        if len(met) >= rule.needed and any(c.id in rule.key for c in met):
            return -len(met), order, LikelyCause(rule.cause, tuple([c.plain for c in met]))
        return None

    return _met_mask(rule.features), _Memo(fill)


_RANK = itemgetter(0, 1)  # (-features met, table order)
_CAUSE_MASKS, _CAUSE_MEMOS = zip(
    *[_cause_memo(order, rule) for order, rule in enumerate(CAUSE_RULES)], strict=True
)


def _join(items: Iterable[str], last: str = _("{first} and {last}")) -> str:
    """Join words as "a", "a and b" or "a, b and c" (or another pattern), without repeats."""
    words = list(dict.fromkeys(items))  # unique, in order
    if len(words) == 1:
        return words[0]
    return last.format(first=", ".join(words[:-1]), last=words[-1])


def _entry(rule: Rule[Any], met: int, unknown: tuple[Criterion, ...], no_exam: bool) -> _Entry:
    """(findings to record, rule name as shown); no findings when nothing is to be reported."""
    if rule.required:  # favouring findings cannot change the result
        unknown = tuple([c for c in unknown if c.id in rule.required])
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


def _missing_lines(entries: tuple[_Entry, ...]) -> tuple[str, ...]:
    """ "Could qualify" lines, merging rules that wait on the same findings."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for findings, name in entries:
        groups.setdefault(findings, []).append(name)
    return tuple(
        [
            _("Could qualify for {names}: record {findings}.").format(
                names=_join(names, _("{first} or {last}")), findings=_join(findings)
            )
            for findings, names in groups.items()
        ]
    )


_MISSING_LINES: _Memo[tuple[_Entry, ...], tuple[str, ...]] = _Memo(_missing_lines)


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

_NO_EXAM = _(
    "No examination findings recorded yet: a physical therapist's examination decides the "
    "treatment subgroup."
)
_NO_REPEATED_MOVEMENTS = _(
    "Repeated-movement testing not recorded: it shows whether one direction of movement eases "
    "the pain."
)
_NERVE_UNKNOWN = _(
    "Not known whether a nerve is involved: record where the pain goes and the nerve tests "
    "(straight-leg raise, strength, feeling, reflexes)."
)
_CAUSES_ARE_IDEAS = _("The possible causes listed are ideas to check, not a diagnosis.")


def classify(intake: Intake, triage: Triage, scores: Scores) -> Classification:
    """Pathway, ICF category, treatment subgroup, directional preference, radicular pain and the
    causes worth considering, each explained; unknown findings that could change the result are
    listed in ``missing_findings``. Hypotheses to support a clinician, never a diagnosis."""
    bits = _bits(intake, scores)
    exam = intake.exam
    no_exam = _exam_findings(exam) == _NOTHING_RECORDED
    missing: list[_Entry] = []

    # Radicular: any sign; not radicular when every sign is known absent or there are no leg
    # symptoms at all; otherwise unknown.
    signs = _RADICULAR_OUTCOMES[bits & _RADICULAR_MASK]
    radicular = signs.positive or (None if signs.unknown and bits & _LEG_NOT_FALSE else False)
    bits |= _RADICULAR_BITS[radicular]

    chosen, subgroup_reasons = _subgroup(bits, no_exam, missing)
    bits |= _TBC_BITS[chosen]
    pathway, pathway_reason = _pathway(bits, triage, no_exam, missing)
    icf, icf_reason = _icf(bits, no_exam, missing)
    causes = _likely_causes(bits)

    reasons = [pathway_reason, icf_reason, *subgroup_reasons]
    if causes:
        reasons.append(_CAUSES_ARE_IDEAS)
    dp = _DP[_movement(exam)]
    lines: list[str] = []
    if no_exam:
        lines.append(_NO_EXAM)
    if dp is DirectionalPreference.UNKNOWN:
        lines.append(_NO_REPEATED_MOVEMENTS)
    if radicular is None:
        lines.append(_NERVE_UNKNOWN)
    if missing:
        lines += _MISSING_LINES[tuple(missing)]
    return Classification(pathway, icf, chosen, dp, radicular, causes, tuple(reasons), tuple(lines))


def rule_results(intake: Intake, scores: Scores) -> tuple[RuleResult, ...]:
    """Every treatment-subgroup rule (precedence order, then the pragmatic manipulation rule)
    with the criteria met and unknown, for a clinician who wants to see the counts."""
    return tuple(
        [
            RuleResult(
                outcome.rule.id,
                tuple([c.id for c in outcome.met]),
                tuple([c.id for c in outcome.unknown]),
                outcome.positive,
            )
            for outcome in _REPORTED.outcomes(_bits(intake, scores))
        ]
    )


def _subgroup(bits: int, no_exam: bool, missing: list[_Entry]) -> tuple[Tbc | None, list[str]]:
    """The first positive subgroup rule in precedence order, and the reasons."""
    chosen: _Outcome | None = None
    also: list[str] = []
    for outcome in _TBC.outcomes(bits):
        if outcome.positive:
            if chosen is None:
                chosen = outcome
            else:
                also.append(outcome.rule.name)
        elif outcome.could and chosen is None:  # only an earlier rule could change the result
            missing += outcome.missing[no_exam]
    pragmatic = _PRAGMATIC_OUTCOMES[bits & _PRAGMATIC_MASK]

    if chosen is None:
        reasons = [_NO_SUBGROUP]
        tbc = None
    else:
        reasons = [chosen.text]
        tbc = chosen.rule.result
        if also:
            reasons.append(_ALSO_FITS[chosen.rule.name, tuple(also)])
    if pragmatic.positive and tbc is not Tbc.MANIPULATION:
        reasons.append(pragmatic.text)
    return tbc, reasons


_NO_SUBGROUP = _("No treatment subgroup fits the findings recorded so far.")
_ALSO_FITS: _Memo[tuple[str, tuple[str, ...]], str] = _Memo(
    lambda key: _(
        "The findings also fit {others}; {name} comes first in the order of the rules."
    ).format(others=_join(key[1]), name=key[0])
)
# Triage levels that need a doctor, and why the pathway is medical.
_MEDICAL = {
    level: _("A doctor should see you; physical therapy can go on meanwhile.")
    if level is Level.ROUTINE
    else _("A doctor should check some of your answers first, before physical therapy.")
    for level in Level
    if level.needs_doctor
}
_REHABILITATION_UNTIL = _(
    "Working with a physical therapist is advised until the answers show that self-care alone "
    "will do."
)


def _pathway(
    bits: int, triage: Triage, no_exam: bool, missing: list[_Entry]
) -> tuple[Pathway, str]:
    """Alrwaily 2016 Level 1: medical, rehabilitation or self-care, with the reason."""
    medical = _MEDICAL.get(triage.level)
    if medical is not None:
        return Pathway.MEDICAL, medical
    outcome = _REHABILITATION_OUTCOMES[bits & _REHABILITATION_MASK]
    if outcome.positive:
        return Pathway.REHABILITATION, outcome.text
    outcome = _SELF_CARE_OUTCOMES[bits & _SELF_CARE_MASK]
    if outcome.positive:
        return Pathway.SELF_CARE, outcome.text
    # Without a rehabilitation signal, self-care fails only for want of answers: list them.
    missing += outcome.missing[no_exam]
    return Pathway.REHABILITATION, _REHABILITATION_UNTIL


def _icf(bits: int, no_exam: bool, missing: list[_Entry]) -> tuple[Icf, str]:
    """The first ICF rule that fits, and its reason; earlier rules that could still fit with the
    missing findings are reported unless they would give the same category."""
    chosen, text = ICF_DEFAULT.result, _ICF_DEFAULT_TEXT
    pending: list[_Outcome] = []
    for outcome in _ICF.outcomes(bits):
        if outcome.positive:
            chosen, text = outcome.rule.result, outcome.text
            break
        if outcome.could:
            pending.append(outcome)
    if pending:
        reported = {chosen}
        for outcome in pending:
            if outcome.rule.result not in reported:  # one line per category that could still fit
                reported.add(outcome.rule.result)
                missing += outcome.missing[no_exam]
    return chosen, text


def _likely_causes(bits: int) -> tuple[LikelyCause, ...]:
    """Causes with enough fitting features, most features first (table order on ties)."""
    found = list(filter(None, map(getitem, _CAUSE_MEMOS, map(and_, repeat(bits), _CAUSE_MASKS))))
    if not found:
        return ()
    found.sort(key=_RANK)  # most features met, then table order
    return tuple([item[2] for item in found])


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
