"""Red-flag triage: who needs a doctor first, how urgently, and who should see a physical therapist.

Step 1 of design.md ("Screen"). ``triage(intake, scores)`` runs every rule of ``RULES`` (the
red-flag table, clinical-facts §2) against the intake. The level is the most urgent flag that
fired. When none fired, the "see a physical therapist if..." criteria of ``PHYSIO_CRITERIA``
choose between ``physio`` and ``self_care``.

Unknown is never read as "no". A rule fires only on a known positive answer, so an unknown
answer gives the same flags as "no" would; but every unknown field a rule reads is listed in
``Triage.unanswered``, an unanswered cauda-equina question makes the screen ``incomplete`` (said
first in the advice), and any unanswered screening question rules out ``self_care``.

Levels are the action tiers of clinical-facts §2.2, which are themselves [synthesis]; how
features combine into a level follows §2.3 (weigh fracture, malignancy and infection flags,
any single cauda-equina feature is an emergency) and is marked [synthesis] where it is ours.
The tables are data: ``rules_markdown()`` renders them for clinicians.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from itertools import compress
from operator import attrgetter, is_

from .evidence import Certainty
from .i18n import _
from .intake import (
    Area,
    Bladder,
    Cancer,
    CareResponse,
    Factor,
    Intake,
    Legs,
    NeuroDeficit,
    NightPain,
    Onset,
    Sex,
    Trend,
    Weakness,
)
from .scoring import Risk, Scores


class Level(StrEnum):
    """Triage levels, most urgent first (design.md, "Assessment")."""

    EMERGENCY = "emergency"  # emergency department now
    URGENT = "urgent"  # a doctor today or tomorrow
    SOON = "soon"  # a doctor within about two weeks
    ROUTINE = "routine"  # non-urgent medical referral; physical therapy may go on
    PHYSIO = "physio"  # physical therapy recommended
    SELF_CARE = "self_care"  # advice and a self-management programme

    @property
    def rank(self) -> int:
        """0 for emergency, 5 for self-care: lower is more urgent."""
        return _RANK[self]

    @property
    def needs_doctor(self) -> bool:
        return self.rank <= _RANK[Level.ROUTINE]


_RANK = {level: i for i, level in enumerate(Level)}


class Condition(StrEnum):
    CAUDA_EQUINA = "cauda_equina"
    FRACTURE = "fracture"
    MALIGNANCY = "malignancy"
    INFECTION = "infection"
    SPONDYLOARTHRITIS = "spondyloarthritis"
    VASCULAR = "vascular"
    NEUROLOGICAL = "neurological"  # also spinal cord compression (rule ids "cord.*")
    VISCERAL = "visceral"


@dataclass(frozen=True, slots=True)
class Flag:
    """A red-flag rule that fired for this person."""

    id: str
    condition: Condition
    level: Level
    reason: str
    source: str


@dataclass(frozen=True, slots=True)
class Triage:
    level: Level
    flags: tuple[Flag, ...]  # most urgent first, then in table order
    unanswered: tuple[
        str, ...
    ]  # intake paths of red-flag questions not answered, e.g. "red_flag_screen.bladder"
    advice: str  # " ".join(advice_parts)
    reasons: tuple[str, ...] = ()  # why physio or self_care was chosen when no flag fired
    incomplete: str | None = (
        None  # plain statement when cauda-equina questions are unanswered, with what to ask
    )
    advice_parts: tuple[
        str, ...
    ] = ()  # the advice as separate catalogue messages, to translate one by one


@dataclass(frozen=True, slots=True)
class Rule:
    """One red-flag rule: when ``predicate`` holds, the person gets ``level`` for ``reason``.

    ``predicate`` fires only on known positive answers (None never fires it); ``reads`` names
    every intake field it looks at, so unknown ones can be listed; ``when`` states the rule for
    clinicians, ``reason`` explains it to the person in plain words.
    """

    id: str
    condition: Condition
    level: Level
    when: str
    reason: str
    source: str
    certainty: Certainty
    reads: tuple[str, ...]
    predicate: Callable[[Intake], bool]


@dataclass(frozen=True, slots=True)
class Criterion:
    """A "see a physical therapist if..." criterion, used when no red flag fired."""

    id: str
    when: str
    reason: str
    source: str
    certainty: Certainty
    predicate: Callable[[Intake, Scores | None], bool]


@dataclass(frozen=True, slots=True)
class Question:
    """A red-flag screening question, the answer that means "no", and how to ask it plainly."""

    path: str
    no: object
    ask: str
    cauda_equina: bool


@dataclass(frozen=True, slots=True)
class Advice:
    """What to do at a level (and, where it differs, for a condition)."""

    level: Level
    condition: Condition | None
    text: str
    safety_net: bool  # follow with the emergency safety-net advice (§2.3 rule 4)


# --- Thresholds -------------------------------------------------------------------------------

FRACTURE_AGE = 70  # age > 70: Henschke 2009 [src]; Downie 2013 [src]; clinical-facts §2.1, §2.2
FRAGILE_AGE = 50  # minor trauma at age > 50: clinical-facts §2.2 fracture row ("UK pathway") [sec]
MALIGNANCY_AGE = 50  # age > 50 (some use > 55): clinical-facts §2.2 malignancy row; §2.3 rule 3
CARE_WEEKS_NOT_IMPROVING = 4  # "failure to improve after ~1 month": clinical-facts §2.2 [src/sec]
AAA_AGE = 60  # age > 60–65: RACGP AFP 2013 [src]; clinical-facts §2.2 AAA row
SPA_ONSET_BEFORE = 45  # NICE NG65 rec 1.1.x [src]; clinical-facts §2.2
SPA_EARLY_ONSET_BEFORE = 35  # NICE NG65 feature "onset before 35" [src]
SPA_MIN_DAYS = 90  # "> 3 months" as > 90 days: NG65 [src]; days per 3 months [synthesis]
SPA_REFER_FEATURES = 4  # >= 4 features -> refer: NICE NG65 [src]
SPA_CONSIDER_FEATURES = 3  # exactly 3 -> HLA-B27 test, refer if positive: NICE NG65 [src]
DAYS_PER_YEAR = 365.25
FEVER_C = 38.0  # [synthesis] conventional fever threshold; not in clinical-facts: verify
TACHYCARDIA_BPM = (
    100  # heart rate > 100: [synthesis] conventional adult cut-off; not in clinical-facts
)
HYPOTENSION_SYSTOLIC = (
    90  # systolic < 90 mmHg: [synthesis] conventional shock cut-off; not in clinical-facts
)
FEW_DAYS = 3  # "more than a few days" read as > 3 days: [synthesis] (design.md step 1 wording)
RECURRING_EPISODES = (
    2  # "keeps coming back" read as >= 2 earlier episodes: [synthesis]; Pengel 2003 [src]
)
ODI_PHYSIO_PERCENT = 20  # ODI > 20 % is beyond "minimal": Fairbank & Pynsent 2000 bands [sec]; §1.2
RMDQ_PHYSIO = 4  # RMDQ >= 4: Stratford & Riddle 2016 functional threshold [sec]; §1.3
PSFS_PHYSIO_MEAN = 7.0  # PSFS mean < 7 of 10 counts as activities hard: [synthesis]; §1.5


# --- Shared findings (each reads only the fields named in the rules that use it) --------------

# Enum members as module constants: a class attribute lookup of an enum member costs more than a
# global, and triage runs inside an assessment that must take tens of microseconds.
_HESITANCY = Bladder.HESITANCY
_BOTH_LEGS = Legs.BOTH_LEGS
_SEVERAL_ROOTS = NeuroDeficit.SEVERAL_ROOTS
_MAJOR_TRAUMA = Onset.MAJOR_TRAUMA
_MINOR_TRAUMA = Onset.MINOR_TRAUMA
_AFTER_LIFTING = Onset.AFTER_LIFTING
_CURRENT_CANCER = Cancer.CURRENT
_CONSTANT = NightPain.CONSTANT
_FEMALE = Sex.FEMALE
_MALE = Sex.MALE
_BUTTOCK = Area.BUTTOCK
_MOVEMENT = Factor.MOVEMENT
_NSAIDS = Factor.ANTI_INFLAMMATORIES
_CES_BLADDER = frozenset({Bladder.RETENTION, Bladder.INCONTINENCE, Bladder.REDUCED_SENSATION})
_WEAKNESS_CHANGING = frozenset({Weakness.NEW, Weakness.WORSENING})
_ANY_WEAKNESS = frozenset({Weakness.STABLE, Weakness.NEW, Weakness.WORSENING})
_ANY_LEGS = frozenset({Legs.ONE_LEG, _BOTH_LEGS})
_ANY_DEFICIT = frozenset({NeuroDeficit.ONE_ROOT, _SEVERAL_ROOTS})
_CANCER = frozenset({Cancer.PAST, _CURRENT_CANCER})
_NOT_IMPROVING = frozenset({CareResponse.NOT_IMPROVING, CareResponse.WORSE})
_NO_BETTER = frozenset({Trend.SAME, Trend.WORSENING})
_VISCERAL_AREAS = frozenset({Area.FLANK, Area.ABDOMEN, Area.GROIN})
_LEG_AREAS = frozenset({Area.THIGH, Area.BELOW_KNEE, Area.FOOT})
_ANY_NIGHT_PAIN = frozenset({NightPain.WITH_MOVEMENT, _CONSTANT})
_MEDIUM_OR_HIGH = frozenset({Risk.MEDIUM, Risk.HIGH})

_NEURO_READS = (
    "red_flag_screen.leg_weakness",
    "red_flag_screen.leg_numbness",
    "red_flag_screen.walking_difficulty_new",
    "exam.neuro_deficit",
    "exam.upper_motor_neuron_signs",
)


def _neuro_signs(i: Intake) -> bool:
    """Any nerve symptom or sign in the legs, or of the spinal cord (reads _NEURO_READS)."""
    s, e = i.red_flag_screen, i.exam
    return (
        s.leg_weakness in _ANY_WEAKNESS
        or s.leg_numbness in _ANY_LEGS
        or s.walking_difficulty_new is True
        or e.neuro_deficit in _ANY_DEFICIT
        or e.upper_motor_neuron_signs is True
    )


def _examined_neuro(i: Intake) -> bool:
    """A deficit or cord sign found on examination."""
    return i.exam.neuro_deficit in _ANY_DEFICIT or i.exam.upper_motor_neuron_signs is True


def _over(age: int | None, years: int) -> bool:
    return age is not None and age > years


def _fragile_minor_trauma(i: Intake) -> bool:
    """Minor trauma in an older or osteoporotic person; a lift counts when bones are known weak."""
    onset, h = i.episode.onset, i.history
    weak_bones = h.osteoporosis is True or h.long_term_steroids is True
    if onset is _MINOR_TRAUMA:
        return weak_bones or _over(i.person.age, FRAGILE_AGE)
    return onset is _AFTER_LIFTING and weak_bones


_FRACTURE_READS = (
    "person.age",
    "person.sex",
    "history.long_term_steroids",
    "history.osteoporosis",
    "episode.onset",
    "exam.bruising_or_abrasion",
    "exam.structural_deformity",
)


def _fracture_features(i: Intake) -> int:
    """How many features of the fracture cluster (Henschke 2009; Downie 2013) are present."""
    h, e = i.history, i.exam
    return (
        _over(i.person.age, FRACTURE_AGE)
        + (i.person.sex is _FEMALE)
        + (h.long_term_steroids is True)
        + (h.osteoporosis is True)
        + _fragile_minor_trauma(i)
        + (e.bruising_or_abrasion is True)
        + (e.structural_deformity is True)
    )


def _fracture_suspected(i: Intake) -> bool:
    """Any fracture rule of level soon or above (other than major trauma) would fire."""
    return (
        i.history.long_term_steroids is True
        or i.exam.bruising_or_abrasion is True
        or _fragile_minor_trauma(i)
        or _fracture_features(i) >= 2
    )


def _not_improving_with_care(i: Intake) -> bool:
    care = i.episode.care_so_far
    return (
        care is not None
        and care.weeks is not None
        and care.weeks >= CARE_WEEKS_NOT_IMPROVING
        and care.response in _NOT_IMPROVING
    )


_CARE_READS = ("episode.care_so_far.weeks", "episode.care_so_far.response")
_SUPPORTING_READS = (
    "red_flag_screen.unexplained_weight_loss",
    "episode.night_pain",
    "red_flag_screen.thoracic_pain",
    *_CARE_READS,
)


def _malignancy_supporting(i: Intake) -> int:
    """Supporting features of malignancy (clinical-facts §2.2), history of cancer aside."""
    s = i.red_flag_screen
    return (
        (s.unexplained_weight_loss is True)
        + (i.episode.night_pain is _CONSTANT)
        + (s.thoracic_pain is True)
        + _not_improving_with_care(i)
    )


def _cancer(i: Intake) -> bool:
    return i.history.cancer in _CANCER


_INFECTION_SIGN_READS = (
    "red_flag_screen.fever_or_chills",
    "red_flag_screen.systemically_unwell",
    "exam.temperature_c",
)


def _infection_signs(i: Intake) -> bool:
    s, t = i.red_flag_screen, i.exam.temperature_c
    return (
        s.fever_or_chills is True
        or s.systemically_unwell is True
        or (t is not None and t >= FEVER_C)
    )


_INFECTION_RISK_READS = (
    "history.iv_drug_use",
    "history.immunosuppressed",
    "history.long_term_steroids",
    "history.diabetes",
    "history.recent_bacterial_infection",
    "history.recent_spinal_procedure",
)


def _infection_risk(i: Intake) -> bool:
    """Risk factors for spinal infection (Yusuf 2019 [src]; clinical-facts §2.1, §2.2)."""
    h = i.history
    return (
        h.iv_drug_use is True
        or h.immunosuppressed is True
        or h.long_term_steroids is True  # steroids are immunosuppression: §2.2 infection row
        or h.diabetes is True
        or h.recent_bacterial_infection is True
        or h.recent_spinal_procedure is True
    )


_SHOCK_READS = ("exam.heart_rate", "exam.systolic_bp")


def _shock_signs(i: Intake) -> bool:
    hr, bp = i.exam.heart_rate, i.exam.systolic_bp
    return (hr is not None and hr > TACHYCARDIA_BPM) or (
        bp is not None and bp < HYPOTENSION_SYSTOLIC
    )


_PULSATION_READS = ("red_flag_screen.abdominal_pulsation", "exam.pulsatile_abdominal_mass")


def _pulsation(i: Intake) -> bool:
    return i.red_flag_screen.abdominal_pulsation is True or i.exam.pulsatile_abdominal_mass is True


_AAA_RISK_READS = ("person.age", "person.sex", "history.smoker", "history.vascular_disease")


def _aaa_risk(i: Intake) -> bool:
    """AAA risk factors (RACGP AFP 2013 [src]; clinical-facts §2.2)."""
    h = i.history
    return (
        _over(i.person.age, AAA_AGE)
        or i.person.sex is _MALE
        or h.smoker is True
        or h.vascular_disease is True
    )


def _non_mechanical(i: Intake) -> bool:
    return i.red_flag_screen.pain_unchanged_by_position_or_movement is True


_SPA_READS = (
    "person.age",
    "episode.days_since_onset",
    "episode.night_pain",
    "episode.pain_areas",
    "episode.better_with",
    "history.family_history_spondyloarthritis",
    "history.psoriasis",
)


def _onset_before(i: Intake, years: int) -> bool:
    """The pain began before this age (whole-year age, so a borderline case counts)."""
    age, days = i.person.age, i.episode.days_since_onset
    return age is not None and days is not None and (age - years) * DAYS_PER_YEAR < days


def _ng65_features(i: Intake) -> int:
    """NICE NG65 features the intake can capture; 0 unless the back pain began before 45 and
    has lasted more than 3 months (the NG65 entry condition)."""
    ep, h = i.episode, i.history
    days = ep.days_since_onset
    if days is None or days <= SPA_MIN_DAYS or not _onset_before(i, SPA_ONSET_BEFORE):
        return 0
    areas, better = ep.pain_areas or (), ep.better_with or ()
    return (
        _onset_before(i, SPA_EARLY_ONSET_BEFORE)
        + (
            ep.night_pain in _ANY_NIGHT_PAIN
        )  # approximates "waking in the second half of the night"
        + (_BUTTOCK in areas)
        + (_MOVEMENT in better)
        + (_NSAIDS in better)
        + (h.family_history_spondyloarthritis is True)
        + (h.psoriasis is True)
    )


# --- The red-flag table -----------------------------------------------------------------------

_CES_SOURCE = (
    "AHCPR 1994 [src]; NHS Gloucestershire [src]; Greenhalgh 2018 [sec]; "
    "clinical-facts §2.2 (CES row), §2.3 rule 2"
)
_NG65_GAPS = (
    " Not captured by the intake: current or past arthritis, enthesitis (never counted, so a "
    "clinician should ask). Approximations [synthesis]: 'waking in the second half of the night' "
    "= any night pain; 'first-degree relative' = family history of spondyloarthritis; 'improves "
    "within 48 h of NSAIDs' = better with anti-inflammatories."
)

RULES: tuple[Rule, ...] = (
    # Cauda equina syndrome: any single feature is an emergency (§2.3 rule 2).
    Rule(
        "ces.saddle_numbness",
        Condition.CAUDA_EQUINA,
        Level.EMERGENCY,
        "Saddle (perianal, perineal, genital) numbness or altered sensation.",
        _(
            "Numbness around your bottom or private parts can mean the nerves at the base of your "
            "spine are being squeezed. This needs checking in hospital straight away."
        ),
        _CES_SOURCE,
        Certainty.SRC,
        ("red_flag_screen.saddle_numbness",),
        lambda i: i.red_flag_screen.saddle_numbness is True,
    ),
    Rule(
        "ces.bladder",
        Condition.CAUDA_EQUINA,
        Level.EMERGENCY,
        "Urinary retention, incontinence or reduced bladder sensation.",
        _(
            "A problem with passing urine, such as not being able to go, leaking, or not feeling "
            "when you need to go, can mean the nerves at the base of your spine are being squeezed."
        ),
        _CES_SOURCE,
        Certainty.SRC,
        ("red_flag_screen.bladder",),
        lambda i: i.red_flag_screen.bladder in _CES_BLADDER,
    ),
    Rule(
        "ces.bladder_hesitancy",
        Condition.CAUDA_EQUINA,
        Level.EMERGENCY,
        "Difficulty starting to pass urine (hesitancy). An early, 'suspected CES' bladder change "
        "with control kept; counted as a CES feature because a missed CES is irreversible, at the "
        "cost of over-referring long-standing prostate symptoms: the question should ask about a "
        "NEW change.",
        _(
            "New trouble starting to pass urine can be an early sign that the nerves at the base of "
            "your spine are being squeezed."
        ),
        "Todd & Dickson, Br J Neurosurg 2016 (suspected CES: new bladder change with control "
        "kept, e.g. hesitancy), via secondary summaries [uncertain: not in clinical-facts]; "
        "clinical-facts §2.3 rule 2 [synthesis]",
        Certainty.UNCERTAIN,
        ("red_flag_screen.bladder",),
        lambda i: i.red_flag_screen.bladder is _HESITANCY,
    ),
    Rule(
        "ces.bowel_incontinence",
        Condition.CAUDA_EQUINA,
        Level.EMERGENCY,
        "New faecal incontinence.",
        _(
            "Losing control of your bowels can mean the nerves at the base of your spine are being "
            "squeezed."
        ),
        _CES_SOURCE,
        Certainty.SRC,
        ("red_flag_screen.bowel_incontinence",),
        lambda i: i.red_flag_screen.bowel_incontinence is True,
    ),
    Rule(
        "ces.sexual_dysfunction",
        Condition.CAUDA_EQUINA,
        Level.EMERGENCY,
        "New sexual dysfunction.",
        _(
            "New problems with sex, such as loss of feeling, can mean the nerves at the base of your "
            "spine are being squeezed."
        ),
        _CES_SOURCE,
        Certainty.SRC,
        ("red_flag_screen.new_sexual_dysfunction",),
        lambda i: i.red_flag_screen.new_sexual_dysfunction is True,
    ),
    Rule(
        "ces.anal_tone",
        Condition.CAUDA_EQUINA,
        Level.EMERGENCY,
        "Reduced anal tone on examination.",
        _(
            "The examination found weaker muscle tone around the back passage. This can mean the "
            "nerves at the base of your spine are being squeezed."
        ),
        _CES_SOURCE,
        Certainty.SRC,
        ("exam.anal_tone_reduced",),
        lambda i: i.exam.anal_tone_reduced is True,
    ),
    Rule(
        "ces.leg_weakness",
        Condition.CAUDA_EQUINA,
        Level.EMERGENCY,
        "Leg weakness that is new or getting worse (severe or progressive weakness; a new-onset "
        "item, §2.3 rule 2). Stable weakness alone is not a flag.",
        _(
            "Leg weakness that is new or getting worse can mean a nerve is being squeezed hard. "
            "This needs checking straight away."
        ),
        _CES_SOURCE,
        Certainty.SRC,
        ("red_flag_screen.leg_weakness",),
        lambda i: i.red_flag_screen.leg_weakness in _WEAKNESS_CHANGING,
    ),
    Rule(
        "ces.both_legs_numb",
        Condition.CAUDA_EQUINA,
        Level.EMERGENCY,
        "Numbness in both legs (bilateral leg neurological symptoms).",
        _(
            "Numbness in both legs can mean the nerves at the base of your spine are being squeezed."
        ),
        _CES_SOURCE,
        Certainty.SRC,
        ("red_flag_screen.leg_numbness",),
        lambda i: i.red_flag_screen.leg_numbness is _BOTH_LEGS,
    ),
    Rule(
        "ces.both_legs_with_nerve_signs",
        Condition.CAUDA_EQUINA,
        Level.EMERGENCY,
        "Symptoms in both legs (bilateral sciatica) with any neurological feature: leg weakness, "
        "leg numbness, new walking difficulty, a deficit or upper-motor-neuron signs on "
        "examination. Bilateral leg pain without such features is not flagged (common in "
        "stenosis); it is a reason for physio and gets the safety-net advice.",
        _(
            "Pain in both legs together with numbness, weakness or other nerve signs can mean the "
            "nerves at the base of your spine are being squeezed."
        ),
        _CES_SOURCE,
        Certainty.SRC,
        ("episode.leg_symptoms", *_NEURO_READS),
        lambda i: i.episode.leg_symptoms is _BOTH_LEGS and _neuro_signs(i),
    ),
    Rule(
        "ces.walking_difficulty",
        Condition.CAUDA_EQUINA,
        Level.EMERGENCY,
        "New difficulty walking or unsteadiness (gait disturbance).",
        _(
            "New trouble walking or keeping your balance can mean nerves in your spine are being "
            "squeezed."
        ),
        _CES_SOURCE,
        Certainty.SRC,
        ("red_flag_screen.walking_difficulty_new",),
        lambda i: i.red_flag_screen.walking_difficulty_new is True,
    ),
    # Spinal cord compression (condition "neurological").
    Rule(
        "cord.upper_motor_neuron_signs",
        Condition.NEUROLOGICAL,
        Level.EMERGENCY,
        "Upper-motor-neuron signs (hyper-reflexia, clonus, up-going plantar) on examination.",
        _("The examination found signs that the spinal cord itself may be squeezed."),
        "physiorev summary [sec]; clinical-facts §2.2 (cord compression row) [uncertain: NICE "
        "MSCC timings]",
        Certainty.SEC,
        ("exam.upper_motor_neuron_signs",),
        lambda i: i.exam.upper_motor_neuron_signs is True,
    ),
    Rule(
        "cord.thoracic_pain_with_umn",
        Condition.NEUROLOGICAL,
        Level.EMERGENCY,
        "Thoracic (band) pain with upper-motor-neuron signs.",
        _(
            "Pain in the upper or middle back together with signs from the spinal cord can mean the "
            "cord is being squeezed."
        ),
        "physiorev summary [sec]; clinical-facts §2.2 (cord compression row)",
        Certainty.SEC,
        ("red_flag_screen.thoracic_pain", "exam.upper_motor_neuron_signs"),
        lambda i: (
            i.red_flag_screen.thoracic_pain is True and i.exam.upper_motor_neuron_signs is True
        ),
    ),
    # Progressive or severe neurological deficit.
    Rule(
        "neuro.several_roots",
        Condition.NEUROLOGICAL,
        Level.URGENT,
        "Deficit of several nerve roots on examination (multi-root weakness). With any "
        "cauda-equina feature the CES rules make it an emergency.",
        _(
            "The examination found weakness or loss of feeling from several nerves. A doctor needs "
            "to check this quickly."
        ),
        "AHCPR 1994 [src]; UK pathway [sec]; clinical-facts §2.2 (progressive deficit row)",
        Certainty.SRC,
        ("exam.neuro_deficit",),
        lambda i: i.exam.neuro_deficit is _SEVERAL_ROOTS,
    ),
    # Fracture: weighted (§2.3 rule 3).
    Rule(
        "fracture.major_trauma",
        Condition.FRACTURE,
        Level.EMERGENCY,
        "Onset with major (significant) trauma, any age.",
        _(
            "Your pain started with a serious injury, such as a bad fall or a road accident, so a "
            "broken bone in the spine must be ruled out."
        ),
        "Henschke 2009 [src]; Downie 2013 [src]; clinical-facts §2.2 (fracture row: major trauma "
        "-> emergency)",
        Certainty.SRC,
        ("episode.onset",),
        lambda i: i.episode.onset is _MAJOR_TRAUMA,
    ),
    Rule(
        "fracture.steroids",
        Condition.FRACTURE,
        Level.SOON,
        "Prolonged corticosteroid use (post-test probability of fracture 33 %), alone.",
        _(
            "Taking steroid medicines for a long time can make bones weak, so a doctor should check "
            "for a broken bone in your spine."
        ),
        "Downie 2013 [src]; Henschke 2009 [src]; level: clinical-facts §2.3 rule 3 [synthesis]",
        Certainty.SYNTHESIS,
        ("history.long_term_steroids",),
        lambda i: i.history.long_term_steroids is True,
    ),
    Rule(
        "fracture.bruising",
        Condition.FRACTURE,
        Level.SOON,
        "Contusion or abrasion over the spine (post-test probability of fracture 62 %), alone.",
        _("Bruises or scrapes on your back suggest an injury that could have broken a bone."),
        "Downie 2013 [src]; level: clinical-facts §2.3 rule 3 [synthesis]",
        Certainty.SYNTHESIS,
        ("exam.bruising_or_abrasion",),
        lambda i: i.exam.bruising_or_abrasion is True,
    ),
    Rule(
        "fracture.minor_trauma_fragile",
        Condition.FRACTURE,
        Level.SOON,
        f"Minor trauma at age > {FRAGILE_AGE} or with osteoporosis or long-term steroids; onset "
        "after lifting counts only with osteoporosis or long-term steroids [synthesis].",
        _(
            "A small fall or strain can break a bone in the spine when bones are weaker, as they can "
            "be with age, thin bones or steroid medicines."
        ),
        "clinical-facts §2.2 (fracture row: minor trauma or strenuous lift in an older or "
        "osteoporotic person) [sec]; level: §2.3 rule 3 [synthesis]",
        Certainty.SYNTHESIS,
        ("episode.onset", "person.age", "history.osteoporosis", "history.long_term_steroids"),
        _fragile_minor_trauma,
    ),
    Rule(
        "fracture.two_features",
        Condition.FRACTURE,
        Level.SOON,
        f"Exactly 2 of the fracture cluster: age > {FRACTURE_AGE}, female, long-term steroids, "
        "osteoporosis, minor trauma when fragile, bruising or abrasion, structural deformity.",
        _("Two things that make a broken bone in the spine more likely were found together."),
        "Henschke 2009 4-item rule (AUC 0.83) [src]; Downie 2013 (several flags together: 90 %) "
        "[src]; weighting: clinical-facts §2.3 rule 3 [synthesis]",
        Certainty.SYNTHESIS,
        _FRACTURE_READS,
        lambda i: _fracture_features(i) == 2,
    ),
    Rule(
        "fracture.three_features",
        Condition.FRACTURE,
        Level.URGENT,
        "3 or more of the fracture cluster (as above).",
        _(
            "Three or more things that make a broken bone in the spine more likely were found "
            "together."
        ),
        "Henschke 2009 [src]; Downie 2013 [src]; weighting: clinical-facts §2.3 rule 3 [synthesis]",
        Certainty.SYNTHESIS,
        _FRACTURE_READS,
        lambda i: _fracture_features(i) >= 3,
    ),
    Rule(
        "fracture.with_neuro",
        Condition.FRACTURE,
        Level.EMERGENCY,
        "Suspected fracture (any fracture rule above at soon or higher) with a neurological "
        "deficit or upper-motor-neuron signs on examination.",
        _("Signs of a possible broken bone in your spine come together with nerve problems."),
        "clinical-facts §2.2 (fracture row: neuro signs -> emergency)",
        Certainty.SYNTHESIS,
        (*_FRACTURE_READS, "exam.neuro_deficit", "exam.upper_motor_neuron_signs"),
        lambda i: _examined_neuro(i) and _fracture_suspected(i),
    ),
    # Malignancy: weighted (§2.3 rule 3).
    Rule(
        "malignancy.history",
        Condition.MALIGNANCY,
        Level.SOON,
        "History of cancer (past or current), alone (post-test probability 33 %).",
        _(
            "People who have had cancer should have new back pain checked by a doctor, because "
            "cancer can sometimes spread to the spine."
        ),
        "Downie 2013 [src]; clinical-facts §2.3 rule 3 (history of cancer alone -> soon) "
        "[synthesis]",
        Certainty.SRC,
        ("history.cancer",),
        _cancer,
    ),
    Rule(
        "malignancy.current",
        Condition.MALIGNANCY,
        Level.URGENT,
        "Current (active) cancer.",
        _(
            "When you have cancer now, new back pain should be checked by a doctor quickly, because "
            "cancer can spread to the spine."
        ),
        "clinical-facts §2.2 (malignancy row: urgent/soon) [uncertain: NICE MSCC timings, §8 "
        "item 11]",
        Certainty.UNCERTAIN,
        ("history.cancer",),
        lambda i: i.history.cancer is _CURRENT_CANCER,
    ),
    Rule(
        "malignancy.history_age_weight_loss",
        Condition.MALIGNANCY,
        Level.URGENT,
        f"History of cancer with age > {MALIGNANCY_AGE} and unexplained weight loss.",
        _(
            "Having had cancer, being over 50 and losing weight without trying, all together, mean "
            "your back pain should be checked quickly."
        ),
        "clinical-facts §2.3 rule 3 [synthesis]; Downie 2013 [src]",
        Certainty.SYNTHESIS,
        ("history.cancer", "person.age", "red_flag_screen.unexplained_weight_loss"),
        lambda i: (
            _cancer(i)
            and _over(i.person.age, MALIGNANCY_AGE)
            and i.red_flag_screen.unexplained_weight_loss is True
        ),
    ),
    Rule(
        "malignancy.history_supporting",
        Condition.MALIGNANCY,
        Level.URGENT,
        "History of cancer with 2 or more supporting features: unexplained weight loss, constant "
        f"night pain, thoracic pain, no improvement after {CARE_WEEKS_NOT_IMPROVING} weeks of care.",
        _(
            "Having had cancer together with other warning signs, such as weight loss, constant "
            "pain at night, upper back pain or no improvement after a month of care, means your back "
            "pain should be checked quickly."
        ),
        "clinical-facts §2.2 (malignancy row features) [src/sec]; weighting: §2.3 rule 3 "
        "[synthesis]",
        Certainty.SYNTHESIS,
        ("history.cancer", *_SUPPORTING_READS),
        lambda i: _cancer(i) and _malignancy_supporting(i) >= 2,
    ),
    Rule(
        "malignancy.with_neuro",
        Condition.MALIGNANCY,
        Level.EMERGENCY,
        "History of cancer with any neurological symptom or sign (leg weakness or numbness, new "
        "walking difficulty, deficit or upper-motor-neuron signs): possible cord compression.",
        _(
            "Having had cancer together with nerve problems in your legs can mean something is "
            "pressing on the spinal cord or nerves."
        ),
        "clinical-facts §2.2 (malignancy row: with neurological signs -> emergency) [src/sec]",
        Certainty.SRC,
        ("history.cancer", *_NEURO_READS),
        lambda i: _cancer(i) and _neuro_signs(i),
    ),
    Rule(
        "malignancy.weight_loss",
        Condition.MALIGNANCY,
        Level.SOON,
        "Unexplained weight loss, with or without a history of cancer.",
        _("Losing weight without trying should be checked by a doctor."),
        "Verhagen 2016 (among the most listed red flags) [src]; level [synthesis]",
        Certainty.SYNTHESIS,
        ("red_flag_screen.unexplained_weight_loss",),
        lambda i: i.red_flag_screen.unexplained_weight_loss is True,
    ),
    Rule(
        "malignancy.several_features",
        Condition.MALIGNANCY,
        Level.SOON,
        f"3 or more of: age > {MALIGNANCY_AGE}, unexplained weight loss, constant night pain, "
        f"thoracic pain, no improvement after {CARE_WEEKS_NOT_IMPROVING} weeks of care (no cancer "
        "history needed). Single features are non-specific (Verhagen 2016).",
        _(
            "Several signs together, such as being over 50, constant pain at night, upper back pain "
            "or no improvement after a month of care, mean a doctor should look for a cause other "
            "than strained muscles or joints."
        ),
        "NHS Gloucestershire [src]; UK pathway [sec]; clinical-facts §2.2; combination [synthesis]",
        Certainty.SYNTHESIS,
        ("person.age", *_SUPPORTING_READS),
        lambda i: _over(i.person.age, MALIGNANCY_AGE) + _malignancy_supporting(i) >= 3,
    ),
    # Infection (§2.2: urgent same day; emergency if neuro deficit or septic).
    Rule(
        "infection.signs",
        Condition.INFECTION,
        Level.SOON,
        f"Fever or chills, feeling systemically unwell, or temperature >= {FEVER_C} °C (infection "
        "signs), even without a risk factor.",
        _(
            "A fever, chills or feeling generally unwell together with back pain should be checked "
            "by a doctor for an infection."
        ),
        "Yusuf 2019 (fever in 55 % of cases) [src]; level without risk factors [synthesis]",
        Certainty.SYNTHESIS,
        _INFECTION_SIGN_READS,
        _infection_signs,
    ),
    Rule(
        "infection.signs_with_risk",
        Condition.INFECTION,
        Level.URGENT,
        "Infection signs (as above) with a risk factor: IV drug use, immunosuppression, long-term "
        "steroids, diabetes, recent bacterial infection, recent spinal procedure.",
        _(
            "A fever or feeling unwell, together with something that makes infections more likely, "
            "means a doctor should check for an infection in your spine."
        ),
        "Yusuf 2019 [src]; AHCPR 1994 [src]; UK pathway ('urgent same day') [sec]; "
        "clinical-facts §2.2 (infection row)",
        Certainty.SRC,
        (*_INFECTION_SIGN_READS, *_INFECTION_RISK_READS),
        lambda i: _infection_signs(i) and _infection_risk(i),
    ),
    Rule(
        "infection.with_neuro",
        Condition.INFECTION,
        Level.EMERGENCY,
        "Infection signs with any neurological symptom or sign.",
        _(
            "A fever or feeling unwell together with nerve problems can mean an infection is "
            "pressing on nerves."
        ),
        "clinical-facts §2.2 (infection row: emergency if neuro deficit) [src/sec]",
        Certainty.SRC,
        (*_INFECTION_SIGN_READS, *_NEURO_READS),
        lambda i: _infection_signs(i) and _neuro_signs(i),
    ),
    Rule(
        "infection.septic",
        Condition.INFECTION,
        Level.EMERGENCY,
        f"Infection signs with heart rate > {TACHYCARDIA_BPM}/min or systolic BP < "
        f"{HYPOTENSION_SYSTOLIC} mmHg (septic). Cut-offs are conventional, not from clinical-facts "
        "[synthesis].",
        _(
            "A fever together with a fast heartbeat or low blood pressure can mean a serious "
            "infection."
        ),
        "clinical-facts §2.2 (infection row: emergency if septic); cut-offs [synthesis]",
        Certainty.SYNTHESIS,
        (*_INFECTION_SIGN_READS, *_SHOCK_READS),
        lambda i: _infection_signs(i) and _shock_signs(i),
    ),
    # Axial spondyloarthritis (NICE NG65).
    Rule(
        "spa.ng65_refer",
        Condition.SPONDYLOARTHRITIS,
        Level.ROUTINE,
        f"Back pain that began before age {SPA_ONSET_BEFORE} and has lasted > 3 months "
        f"(> {SPA_MIN_DAYS} days), with >= {SPA_REFER_FEATURES} of: onset before "
        f"{SPA_EARLY_ONSET_BEFORE}; waking in the second half of the night; buttock pain; "
        "improves with movement; improves within 48 h of NSAIDs; first-degree relative with "
        "spondyloarthritis; current/past arthritis; enthesitis; psoriasis. Refer to "
        "rheumatology." + _NG65_GAPS,
        _(
            "Your back pain has several signs of an inflammatory back condition (axial "
            "spondyloarthritis), which a joint specialist (rheumatologist) can check."
        ),
        "NICE NG65 (2017) rec 1.1.x [src]; BJGP summary [src]; clinical-facts §2.2",
        Certainty.SRC,
        _SPA_READS,
        lambda i: _ng65_features(i) >= SPA_REFER_FEATURES,
    ),
    Rule(
        "spa.ng65_consider_hla_b27",
        Condition.SPONDYLOARTHRITIS,
        Level.ROUTINE,
        f"As above with exactly {SPA_CONSIDER_FEATURES} features: consider an HLA-B27 test and "
        "refer if positive." + _NG65_GAPS,
        _(
            "Your back pain has some signs of an inflammatory back condition. A doctor may suggest "
            "a blood test (HLA-B27) and refer you to a joint specialist if it is positive."
        ),
        "NICE NG65 (2017) rec 1.1.x [src]; clinical-facts §2.2",
        Certainty.SRC,
        _SPA_READS,
        lambda i: _ng65_features(i) == SPA_CONSIDER_FEATURES,
    ),
    # Abdominal aortic aneurysm.
    Rule(
        "vascular.pulsation",
        Condition.VASCULAR,
        Level.SOON,
        "Abdominal pulsation (reported) or pulsatile abdominal mass (examined): medical review "
        "with ultrasound.",
        _(
            "A pulsing feeling or lump in your belly should be checked by a doctor, because the "
            "main blood vessel in the belly can sometimes widen."
        ),
        "RACGP AFP 2013 [src]; NAIOMT summary [sec]; clinical-facts §2.2 (AAA row: incidental "
        "suspicion -> soon)",
        Certainty.SRC,
        _PULSATION_READS,
        _pulsation,
    ),
    Rule(
        "vascular.symptomatic",
        Condition.VASCULAR,
        Level.EMERGENCY,
        f"Pulsation or pulsatile mass with pain unchanged by position or movement and a risk "
        f"factor (age > {AAA_AGE}, male, smoker, vascular disease): a symptomatic aneurysm.",
        _(
            "A pulsing feeling in your belly with pain that does not change when you move, in "
            "someone at higher risk, can mean the main blood vessel in the belly is widened and "
            "causing the pain."
        ),
        "RACGP AFP 2013 [src]; Wyngaarden JOSPT 2014 [sec]; clinical-facts §2.2 (AAA row: "
        "symptomatic -> emergency)",
        Certainty.SEC,
        (
            *_PULSATION_READS,
            "red_flag_screen.pain_unchanged_by_position_or_movement",
            *_AAA_RISK_READS,
        ),
        lambda i: _pulsation(i) and _non_mechanical(i) and _aaa_risk(i),
    ),
    Rule(
        "vascular.shock",
        Condition.VASCULAR,
        Level.EMERGENCY,
        f"Pulsation or pulsatile mass with heart rate > {TACHYCARDIA_BPM}/min or systolic BP < "
        f"{HYPOTENSION_SYSTOLIC} mmHg: suspected rupture. Cut-offs [synthesis].",
        _(
            "A pulsing feeling in your belly with a fast heartbeat or low blood pressure can mean "
            "the main blood vessel in the belly is bleeding."
        ),
        "clinical-facts §2.2 (AAA row: suspected rupture -> emergency, possible shock); "
        "cut-offs [synthesis]",
        Certainty.SYNTHESIS,
        (*_PULSATION_READS, *_SHOCK_READS),
        lambda i: _pulsation(i) and _shock_signs(i),
    ),
    # Visceral referral.
    Rule(
        "visceral.non_mechanical",
        Condition.VISCERAL,
        Level.ROUTINE,
        "Pain unchanged by position or movement (non-mechanical), alone.",
        _(
            "Pain that does not change at all with position or movement may not come from the "
            "muscles and joints of the back, so a doctor should check it."
        ),
        "JOSPT 2014 case (about 2 % of back pain is visceral) [sec]; clinical-facts §2.2; level "
        "[synthesis]",
        Certainty.SYNTHESIS,
        ("red_flag_screen.pain_unchanged_by_position_or_movement",),
        _non_mechanical,
    ),
    Rule(
        "visceral.referred_area",
        Condition.VISCERAL,
        Level.SOON,
        "Non-mechanical pain with pain in the flank, abdomen or groin.",
        _(
            "Pain that does not change with movement and is also in your side, belly or groin may "
            "come from an organ such as a kidney."
        ),
        "JOSPT 2014 case [sec]; clinical-facts §2.2 (visceral row: soon/urgent)",
        Certainty.SEC,
        ("red_flag_screen.pain_unchanged_by_position_or_movement", "episode.pain_areas"),
        lambda i: _non_mechanical(i) and not _VISCERAL_AREAS.isdisjoint(i.episode.pain_areas or ()),
    ),
    Rule(
        "visceral.systemic",
        Condition.VISCERAL,
        Level.URGENT,
        "Non-mechanical pain with systemic features (fever or chills, unwell, temperature "
        f">= {FEVER_C} °C, unexplained weight loss).",
        _(
            "Pain that does not change with movement, together with fever, feeling unwell or weight "
            "loss, needs a doctor to look for a cause inside the body."
        ),
        "JOSPT 2014 case [sec]; clinical-facts §2.2 (visceral row: systemic symptoms -> "
        "soon/urgent)",
        Certainty.SEC,
        (
            "red_flag_screen.pain_unchanged_by_position_or_movement",
            *_INFECTION_SIGN_READS,
            "red_flag_screen.unexplained_weight_loss",
        ),
        lambda i: (
            _non_mechanical(i)
            and (_infection_signs(i) or i.red_flag_screen.unexplained_weight_loss is True)
        ),
    ),
)


# --- The screening questions, cauda equina first ----------------------------------------------

SCREEN: tuple[Question, ...] = (
    Question(
        "red_flag_screen.saddle_numbness",
        False,
        _(
            "Is there numbness or a strange feeling around your bottom, between your legs or "
            "around your private parts?"
        ),
        True,
    ),
    Question(
        "red_flag_screen.bladder",
        Bladder.NORMAL,
        _(
            "Has passing urine (peeing) changed: trouble starting, not being able to go, leaking, "
            "or not feeling when you need to go?"
        ),
        True,
    ),
    Question(
        "red_flag_screen.bowel_incontinence",
        False,
        _("Have you lost control of your bowels (poo) without meaning to?"),
        True,
    ),
    Question(
        "red_flag_screen.new_sexual_dysfunction",
        False,
        _("Have you had new problems with sex, such as less feeling?"),
        True,
    ),
    Question(
        "red_flag_screen.leg_weakness",
        Weakness.NONE,
        _("Are your legs weak, and is that new or getting worse?"),
        True,
    ),
    Question(
        "red_flag_screen.leg_numbness",
        Legs.NONE,
        _("Is there numbness in one leg or both legs?"),
        True,
    ),
    Question(
        "red_flag_screen.walking_difficulty_new",
        False,
        _("Do you have new trouble walking or keeping your balance?"),
        True,
    ),
    Question("red_flag_screen.fever_or_chills", False, _("Do you have a fever or chills?"), False),
    Question(
        "red_flag_screen.unexplained_weight_loss",
        False,
        _("Have you lost weight without trying?"),
        False,
    ),
    Question(
        "red_flag_screen.systemically_unwell",
        False,
        _("Do you feel generally unwell?"),
        False,
    ),
    Question(
        "red_flag_screen.abdominal_pulsation",
        False,
        _("Do you feel a throbbing or pulsing in your belly?"),
        False,
    ),
    Question(
        "red_flag_screen.thoracic_pain",
        False,
        _("Do you have pain in your upper or middle back?"),
        False,
    ),
    Question(
        "red_flag_screen.pain_unchanged_by_position_or_movement",
        False,
        _("Does the pain stay the same whatever position you are in or however you move?"),
        False,
    ),
)


def _ordered_fields() -> tuple[str, ...]:
    """Cauda-equina questions first, then every other field in rule-table order; fields inside
    the optional ``episode.care_so_far`` object last (they are read apart)."""
    ces = [q.path for q in SCREEN if q.cauda_equina]
    rest = [path for rule in RULES for path in rule.reads] + [q.path for q in SCREEN]
    fields = dict.fromkeys(ces + rest)
    return tuple([p for p in fields if p.count(".") == 1] + [p for p in fields if p.count(".") > 1])


RED_FLAG_FIELDS: tuple[str, ...] = _ordered_fields()
"""Every intake field a red-flag rule reads, cauda-equina questions first: the order of
``Triage.unanswered``."""

_CARE_FIELDS = tuple(p for p in RED_FLAG_FIELDS if p.count(".") > 1)
if _CARE_FIELDS != _CARE_READS:  # the only nested fields rules may read
    raise AssertionError(f"rules read nested fields other than {_CARE_READS}: {_CARE_FIELDS}")
_NO_CARE = (None,) * len(_CARE_READS)
_NONES = (None,) * len(RED_FLAG_FIELDS)
# One C-level call reads many fields: attrgetter with several (dotted) names returns a tuple.
_read_flat = attrgetter(*RED_FLAG_FIELDS[: -len(_CARE_READS)])
_read_care = attrgetter(*(p.rpartition(".")[2] for p in _CARE_READS))
_read_screen = attrgetter(*(q.path.partition(".")[2] for q in SCREEN))
_SCREEN_NO = tuple(q.no for q in SCREEN)
_CES = tuple(q for q in SCREEN if q.cauda_equina)
_read_ces = attrgetter(*(q.path.partition(".")[2] for q in _CES))
_CES_ASK = tuple(q.ask for q in _CES)
_COMPILED = tuple(
    (r.predicate, Flag(r.id, r.condition, r.level, r.reason, r.source)) for r in RULES
)


# --- Physical therapy or self-care (design.md step 1) -----------------------------------------


def _physio_not_improving(i: Intake, s: Scores | None) -> bool:
    ep = i.episode
    days, care = ep.days_since_onset, ep.care_so_far
    no_better = days is not None and days > FEW_DAYS and ep.trend in _NO_BETTER
    return no_better or (care is not None and care.response in _NOT_IMPROVING)


def _physio_leg(i: Intake, s: Scores | None) -> bool:
    ep = i.episode
    return (
        ep.leg_symptoms in _ANY_LEGS
        or i.red_flag_screen.leg_numbness in _ANY_LEGS
        or not _LEG_AREAS.isdisjoint(ep.pain_areas or ())
        or (ep.leg_pain_now is not None and ep.leg_pain_now > 0)
    )


def _physio_odi(i: Intake, s: Scores | None) -> bool:
    odi = s.odi if s is not None else None
    return odi is not None and odi.percent is not None and odi.percent > ODI_PHYSIO_PERCENT


def _physio_rmdq(i: Intake, s: Scores | None) -> bool:
    rmdq = s.rmdq if s is not None else None
    return rmdq is not None and rmdq.total >= RMDQ_PHYSIO


def _physio_psfs(i: Intake, s: Scores | None) -> bool:
    psfs = s.psfs if s is not None else None
    return psfs is not None and psfs.mean is not None and psfs.mean < PSFS_PHYSIO_MEAN


def _physio_startback(i: Intake, s: Scores | None) -> bool:
    sb = s.startback if s is not None else None
    return sb is not None and sb.risk in _MEDIUM_OR_HIGH


def _physio_warning_answer(i: Intake, s: Scores | None) -> bool:
    """A screening answer other than "no" that fired no rule (e.g. upper back pain, stable leg
    weakness), or constant night pain."""
    if i.episode.night_pain is _CONSTANT:
        return True
    answers = _read_screen(i.red_flag_screen)
    return any(a is not None and a != no for a, no in zip(answers, _SCREEN_NO, strict=True))


def _physio_screen_incomplete(i: Intake, s: Scores | None) -> bool:
    return None in _read_screen(i.red_flag_screen)


PHYSIO_CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "physio.not_improving",
        f"Pain for more than {FEW_DAYS} days that is the same or worse (episode.trend), or care "
        "so far not improving or worse.",
        _("Your pain has lasted more than a few days without getting better."),
        "design.md step 1; 'a few days' as > 3 days [synthesis]",
        Certainty.SYNTHESIS,
        _physio_not_improving,
    ),
    Criterion(
        "physio.recurring",
        f"Pain that keeps coming back: >= {RECURRING_EPISODES} earlier episodes.",
        _("Your back pain keeps coming back."),
        "design.md step 1; Pengel 2003 (73 % recur within a year) [src]; cut-off [synthesis]",
        Certainty.SYNTHESIS,
        lambda i, s: (
            i.episode.previous_episodes is not None
            and i.episode.previous_episodes >= RECURRING_EPISODES
        ),
    ),
    Criterion(
        "physio.daily_activities",
        "The person says everyday activities are hard (episode.daily_activities_hard).",
        _("The pain makes everyday activities hard."),
        "design.md step 1",
        Certainty.SYNTHESIS,
        lambda i, s: i.episode.daily_activities_hard is True,
    ),
    Criterion(
        "physio.odi",
        f"ODI > {ODI_PHYSIO_PERCENT} % (beyond 'minimal disability').",
        _(
            "Your answers to the Oswestry questionnaire show the pain makes everyday activities "
            "hard."
        ),
        "Fairbank & Pynsent 2000 bands [sec]; clinical-facts §0, §1.2; use as a cut-off "
        "[synthesis]",
        Certainty.SYNTHESIS,
        _physio_odi,
    ),
    Criterion(
        "physio.rmdq",
        f"RMDQ >= {RMDQ_PHYSIO} of 24.",
        _(
            "Your answers to the Roland-Morris questionnaire show the pain makes everyday "
            "activities hard."
        ),
        "Stratford & Riddle 2016 (4/24 separated goal attainment) [sec]; clinical-facts §1.3",
        Certainty.SEC,
        _physio_rmdq,
    ),
    Criterion(
        "physio.psfs",
        f"PSFS mean < {PSFS_PHYSIO_MEAN:g} of 10.",
        _("The activities that matter to you are hard to do because of the pain."),
        "Stratford 1995 [sec]; clinical-facts §1.5; cut-off [synthesis]",
        Certainty.SYNTHESIS,
        _physio_psfs,
    ),
    Criterion(
        "physio.leg",
        "Pain spreading into a leg: leg symptoms in one or both legs, numbness in one leg, pain "
        "in the thigh, below the knee or in the foot, or leg pain now > 0.",
        _("Your pain spreads into your leg."),
        "design.md step 1; Kongsted 2012 (leg pain separates radicular presentations) [src]; "
        "clinical-facts §6",
        Certainty.SYNTHESIS,
        _physio_leg,
    ),
    Criterion(
        "physio.drug_free",
        "The person wants a treatment without medicines (preferences.wants_drug_free_care).",
        _("You would like a treatment without medicines."),
        "design.md step 1",
        Certainty.SYNTHESIS,
        lambda i, s: i.preferences.wants_drug_free_care is True,
    ),
    Criterion(
        "physio.startback",
        "STarT Back medium or high risk.",
        _(
            "Your answers show a medium or high risk that the pain will last, and physical therapy "
            "helps with that."
        ),
        "Hill 2011 (STarT Back trial: medium -> physiotherapy, high -> psychologically informed "
        "physiotherapy) [src]; clinical-facts §1.4",
        Certainty.SRC,
        _physio_startback,
    ),
    Criterion(
        "physio.warning_answer",
        "A screening answer other than 'no' that fired no rule by itself (e.g. thoracic pain, "
        "stable leg weakness, numbness in one leg), or constant night pain: a clinician should look.",
        _("Some of your answers should be looked at by a health professional."),
        "clinical-facts §2.2 ('make you think' flags) [sec]; §2.3 rule 1 [synthesis]",
        Certainty.SYNTHESIS,
        _physio_warning_answer,
    ),
    Criterion(
        "physio.screen_incomplete",
        "A screening question (red_flag_screen.*) is unanswered: self-care is not offered until "
        "a clinician has asked it.",
        _("Some safety questions are not answered yet. A physical therapist can ask them."),
        "clinical-facts §2.3 rule 1; unknown is not 'no' (design.md, intake contract) [synthesis]",
        Certainty.SYNTHESIS,
        _physio_screen_incomplete,
    ),
)

_CRITERIA = tuple((c.predicate, c.reason) for c in PHYSIO_CRITERIA)
_SELF_CARE_REASONS = (
    _("None of the answers points to a serious cause."),
    _(
        "None of the reasons to see a physical therapist was found: your pain is not spreading into "
        "a leg, not lasting without getting better, not coming back again and again, and not "
        "making everyday activities hard, as far as your answers tell."
    ),
)


# --- Advice, by level and (where it differs) condition ----------------------------------------

SAFETY_NET = _(
    "Go to an emergency department straight away if you get numbness around your bottom or "
    "private parts, new trouble passing urine or controlling your bladder or bowels, or new "
    "weakness in your legs."
)  # safety-netting advice: Greenhalgh 2020 [sec]; clinical-facts §2.2 (CES risk), §2.3 rule 4

INCOMPLETE = _(
    "The safety check is not finished: some questions about the nerves at the bottom of your "
    "spine were not answered, so we cannot yet rule out a serious problem. Please answer these "
    "questions, or ask a health professional to go through them with you:"
)

ADVICE: tuple[Advice, ...] = (
    Advice(
        Level.EMERGENCY,
        Condition.VASCULAR,
        _(
            "Call an ambulance now. Do not drive yourself and do not wait to see if it gets "
            "better. Tell them you have back or belly pain and a pulsing feeling in your belly."
        ),
        False,
    ),
    Advice(
        Level.EMERGENCY,
        Condition.CAUDA_EQUINA,
        _(
            "Go to a hospital emergency department now. Do not wait to see if it gets better: "
            "quick treatment protects control of your bladder, bowels and legs. Do not drive "
            "yourself, especially if your legs are weak or numb; ask someone to take you, or call "
            "an ambulance. Tell the staff about your back pain and these changes."
        ),
        False,
    ),
    Advice(
        Level.EMERGENCY,
        None,
        _(
            "Go to a hospital emergency department now. Do not wait to see if it gets better. Do "
            "not drive yourself: ask someone to take you, or call an ambulance if you feel very "
            "unwell or your legs are weak or numb. Take this report with you."
        ),
        False,
    ),
    Advice(
        Level.URGENT,
        Condition.INFECTION,
        _(
            "See a doctor today. Phone your doctor's practice or an urgent care service now and say "
            "you have back pain with a fever or feeling unwell. If you feel very ill, shivery or "
            "confused, or your legs get weak, go to an emergency department now."
        ),
        False,
    ),
    Advice(
        Level.URGENT,
        None,
        _(
            "See a doctor today or tomorrow. Phone your doctor's practice or an urgent care service "
            "now and tell them about the signs listed here. Wait for the doctor's check before "
            "starting a new exercise programme. If things get worse before then, go to an "
            "emergency department."
        ),
        False,
    ),
    Advice(
        Level.SOON,
        Condition.INFECTION,
        _(
            "See a doctor in the next few days and tell them about the fever or feeling unwell. Go "
            "today if you feel worse. If you feel very ill or your legs get weak, go to an "
            "emergency department now."
        ),
        False,
    ),
    Advice(
        Level.SOON,
        Condition.VASCULAR,
        _(
            "See a doctor in the next few days and ask them to check the pulsing feeling in your "
            "belly; they may arrange a scan. If you get sudden, very bad pain in your belly or back, "
            "or feel faint, call an ambulance."
        ),
        False,
    ),
    Advice(
        Level.SOON,
        Condition.FRACTURE,
        _(
            "Book an appointment with a doctor within the next two weeks to check your bones; they "
            "may arrange an X-ray. Until then, keep gently moving but avoid heavy lifting and "
            "sudden twisting."
        ),
        True,
    ),
    Advice(
        Level.SOON,
        None,
        _(
            "Book an appointment with a doctor within the next two weeks and tell them about the "
            "signs listed here. Until then, keep gently active as far as the pain allows."
        ),
        True,
    ),
    Advice(
        Level.ROUTINE,
        Condition.SPONDYLOARTHRITIS,
        _(
            "Ask your doctor about a referral to a rheumatologist, a doctor for joints and "
            "inflammation. There is no rush, but do not put it off. Exercise and physical therapy "
            "help with this kind of back pain, so carry on with them."
        ),
        True,
    ),
    Advice(
        Level.ROUTINE,
        None,
        _(
            "Ask your doctor for a routine check about the signs listed here; it is not urgent. "
            "You can carry on with physical therapy and exercise in the meantime."
        ),
        True,
    ),
    Advice(
        Level.PHYSIO,
        None,
        _(
            "A physical therapist can help you. Book an appointment; in many places you can go to "
            "one directly, without seeing a doctor first. Until then, keep moving and carry on with "
            "your usual activities as much as you comfortably can."
        ),
        True,
    ),
    Advice(
        Level.SELF_CARE,
        None,
        _(
            "Back pain like yours usually gets much better within a few weeks. Keep moving and "
            "carry on with your usual activities as much as you can; gentle exercise and heat can "
            "ease the pain. See a physical therapist if the pain is not better within a few days, "
            "keeps coming back, makes everyday activities hard or spreads into your leg."
        ),
        True,
    ),
)  # what to do and how soon: the action tiers of clinical-facts §2.2 [synthesis]; wording ours

_ADVICE_BY_KEY = {(a.level, a.condition): a for a in ADVICE}
_SPECIFIC_ADVICE = tuple(a for a in ADVICE if a.condition is not None)


def _advice_for(level: Level, flags: tuple[Flag, ...]) -> Advice:
    """The condition-specific advice for a condition at the top level, in ADVICE order (so an
    aneurysm's "call an ambulance" wins), else the level's general advice."""
    top = {f.condition for f in flags if f.level is level}
    for advice in _SPECIFIC_ADVICE:
        if advice.level is level and advice.condition in top:
            return advice
    return _ADVICE_BY_KEY[level, None]


# --- Triage -----------------------------------------------------------------------------------


def triage(intake: Intake, scores: Scores | None = None) -> Triage:
    """Screen one intake: red flags first, then physio or self-care.

    ``scores`` (from ``scoring``) adds the questionnaire criteria for physio (ODI, RMDQ, PSFS,
    STarT Back); without it only the intake answers are used.
    """
    fired = [flag for predicate, flag in _COMPILED if predicate(intake)]
    care = intake.episode.care_so_far
    values = _read_flat(intake) + (_NO_CARE if care is None else _read_care(care))
    unanswered = tuple(compress(RED_FLAG_FIELDS, map(is_, values, _NONES)))
    ces = _read_ces(intake.red_flag_screen)
    missing_ces = (
        [ask for a, ask in zip(ces, _CES_ASK, strict=True) if a is None] if None in ces else []
    )
    incomplete = " ".join([INCOMPLETE, *missing_ces]) if missing_ces else None
    parts = [INCOMPLETE, *missing_ces] if missing_ces else []

    reasons: tuple[str, ...] = ()
    if fired:
        fired.sort(key=lambda f: _RANK[f.level])
        flags = tuple(fired)
        level = flags[0].level
    else:
        flags = ()
        reasons = tuple([reason for test, reason in _CRITERIA if test(intake, scores)])
        level = Level.PHYSIO if reasons else Level.SELF_CARE
        reasons = reasons or _SELF_CARE_REASONS

    advice = _advice_for(level, flags)
    parts.append(advice.text)
    if advice.safety_net:
        parts.append(SAFETY_NET)
    return Triage(
        level=level,
        flags=flags,
        unanswered=unanswered,
        advice=" ".join(parts),
        reasons=reasons,
        incomplete=incomplete,
        advice_parts=tuple(parts),
    )


# --- Documentation ----------------------------------------------------------------------------


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _table(header: tuple[str, ...], rows: list[tuple[object, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def rules_markdown() -> str:
    """The red-flag rules, the physio criteria and the advice, as Markdown for clinicians."""
    out = [
        "# Red-flag triage rules",
        "",
        "Generated from `backcare/engine/triage.py`; do not edit by hand.",
        "",
        "Levels are the action tiers of clinical-facts §2.2, which are themselves [synthesis]. "
        "The level is the most urgent rule that fired. A rule fires only on a known positive "
        "answer; every unknown field a rule reads is listed as unanswered, and an unanswered "
        "cauda-equina question marks the screen incomplete. The system flags and routes; it does "
        "not diagnose.",
        "",
        "## Red flags",
        "",
    ]
    out += _table(
        (
            "id",
            "condition",
            "level",
            "when",
            "reason (to the person)",
            "reads",
            "source",
            "certainty",
        ),
        [
            (
                r.id,
                r.condition,
                r.level,
                r.when,
                r.reason,
                ", ".join(f"`{p}`" for p in r.reads),
                r.source,
                r.certainty,
            )
            for r in RULES
        ],
    )
    out += [
        "",
        "## Physical therapy or self-care (when no red flag fired)",
        "",
        "Physio when any criterion holds, otherwise self-care.",
        "",
    ]
    out += _table(
        ("id", "when", "reason (to the person)", "source", "certainty"),
        [(c.id, c.when, c.reason, c.source, c.certainty) for c in PHYSIO_CRITERIA],
    )
    out += ["", "## Advice", ""]
    out += _table(
        ("level", "condition", "advice", "then the safety net"),
        [(a.level, a.condition or "any", a.text, "yes" if a.safety_net else "no") for a in ADVICE],
    )
    out += [
        "",
        f"Safety net: {SAFETY_NET}",
        "",
        f"When a cauda-equina question is unanswered, the advice starts with: {INCOMPLETE} "
        "(followed by each unanswered question).",
        "",
        "## Screening questions, cauda equina first",
        "",
    ]
    out += _table(
        ("field", "answer meaning no", "asked as", "cauda equina"),
        [
            (f"`{q.path}`", str(q.no).lower(), q.ask, "yes" if q.cauda_equina else "no")
            for q in SCREEN
        ],
    )
    return "\n".join(out) + "\n"
