"""Scoring of the outcome instruments (clinical-facts §1) and clinically important change (§1.8).

One ``score_<instrument>()`` per questionnaire takes the answers as ``parse_intake`` gives them
(intake.py) and returns a frozen score that says whether it was scored (``Status``), why not,
and which items were missing. ``compare()`` judges the change between two scores against the
MCID table. Every threshold and rule lives in a module-level table below, with its source from
clinical-facts.md; ``rules_markdown()`` renders those tables for clinicians.

Scoring reads answers by position (item 1 is ``answers[0]``), so it works the same whether the
person saw the licensed wording or backcare's short summaries (questionnaires.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from operator import itemgetter
from typing import Any

from .evidence import Certainty
from .i18n import _
from .intake import (
    Bothersome,
    FabqAnswers,
    OdiAnswers,
    OdiVariant,
    PsfsItem,
    Questionnaires,
    RmdqAnswers,
    StartBackAnswers,
)


class Instrument(StrEnum):
    NPRS = "nprs"
    ODI = "odi"
    RMDQ = "rmdq"
    STARTBACK = "startback"
    PSFS = "psfs"
    FABQ = "fabq"


class Risk(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Status(StrEnum):
    SCORED = "scored"
    REVIEW = "scored_review"  # scored, but a clinician should check (e.g. two ODI sections missing)
    NOT_SCORED = "not_scored"


class Verdict(StrEnum):
    IMPROVED = "improved"
    NO_IMPORTANT_CHANGE = "no_important_change"
    WORSE = "worse"


# Items (answer positions) per instrument; PSFS takes 1 to 5 activities.
# clinical-facts §1.1-1.6 (NPRS single item; ODI 10 sections; RMDQ 24; SBST 9; PSFS up to 5;
# FABQ 16).
ITEM_COUNT: dict[Instrument, int] = {
    Instrument.NPRS: 1,
    Instrument.ODI: 10,
    Instrument.RMDQ: 24,
    Instrument.STARTBACK: 9,
    Instrument.PSFS: 5,
    Instrument.FABQ: 16,
}

_FAIRBANK = "Fairbank & Pynsent 2000, Spine 25:2940, via scoring guides [sec]; clinical-facts §1.2"
_ODI_POLICY = (
    "clinical-facts §1.2 default [synthesis] (awell-score refuses with more than one missing "
    "[sec]); confirm against the licensed ODI user manual"
)
_KEELE = "Keele SBST 'Using & scoring' page [src]; LOINC 91352-5 [src]; clinical-facts §1.4"
_DELITTO = "Delitto 2012 CPG FABQ table [src]; clinical-facts §1.6"
_OSTELO = "Ostelo et al. 2008, Spine 33:90 [src]; clinical-facts §1.8"


@dataclass(frozen=True, slots=True)
class Rule:
    """One row of a clinician-facing rule table."""

    id: str
    condition: str
    outcome: str
    source: str
    certainty: Certainty


# --- NPRS ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NprsScore:
    value: int  # 0 no pain .. 10 worst pain imaginable
    status: Status = Status.SCORED


_NPRS_SCORES = tuple(NprsScore(value) for value in range(11))  # 0-10: clinical-facts §1.1


def score_nprs(value: int) -> NprsScore:
    """The pain rating itself (0-10); ValueError for anything else."""
    if type(value) is not int or not 0 <= value <= 10:  # 0-10 integer: clinical-facts §1.1
        raise ValueError(f"NPRS must be a whole number from 0 to 10, not {value!r}")
    return _NPRS_SCORES[value]


# --- ODI ----------------------------------------------------------------------------------


class OdiBand(StrEnum):
    """Fairbank's interpretation bands, named plainly (Fairbank's own labels in ODI_BANDS)."""

    MINIMAL = "minimal"
    MODERATE = "moderate"
    SEVERE = "severe"
    VERY_SEVERE = "very_severe"
    EXTREME = "extreme"


@dataclass(frozen=True, slots=True)
class OdiBandRule:
    band: OdiBand
    upper: float  # the band holds percents above the previous band's upper, up to this one
    fairbank_label: str
    meaning: str
    source: str
    certainty: Certainty


# Fairbank bands 0-20, 21-40, 41-60, 61-80, 81-100 % (clinical-facts §1.2 [sec]). A prorated
# percent can have a decimal (35.6); we put it in the band whose upper bound it does not
# exceed, so 20.5 is moderate [synthesis]. Not the LOINC 97909-6 raw-score bands (§1.2).
ODI_BANDS: tuple[OdiBandRule, ...] = (
    OdiBandRule(
        band=OdiBand.MINIMAL,
        upper=20,
        fairbank_label="minimal disability",
        meaning=_(
            "Back pain has little effect on daily life. Advice on lifting, sitting, exercise."
        ),
        source=_FAIRBANK,
        certainty=Certainty.SEC,
    ),
    OdiBandRule(
        band=OdiBand.MODERATE,
        upper=40,
        fairbank_label="moderate disability",
        meaning=_("Sitting, lifting and standing are harder. Usually treated without surgery."),
        source=_FAIRBANK,
        certainty=Certainty.SEC,
    ),
    OdiBandRule(
        band=OdiBand.SEVERE,
        upper=60,
        fairbank_label="severe disability",
        meaning=_("Pain is the main problem in daily life. It needs a closer look."),
        source=_FAIRBANK,
        certainty=Certainty.SEC,
    ),
    OdiBandRule(
        band=OdiBand.VERY_SEVERE,
        upper=80,
        fairbank_label="crippled",
        meaning=_("Back pain affects every part of life. Active treatment is needed."),
        source=_FAIRBANK,
        certainty=Certainty.SEC,
    ),
    OdiBandRule(
        band=OdiBand.EXTREME,
        upper=100,
        fairbank_label="bed-bound or exaggerating",
        meaning=_(
            "The person may be stuck in bed, or the answers may overstate the problem. Talk it "
            "through with them."
        ),
        source=_FAIRBANK,
        certainty=Certainty.SEC,
    ),
)
_ODI_BAND = {rule.band: rule for rule in ODI_BANDS}


@dataclass(frozen=True, slots=True)
class MissingRule:
    id: str
    most_missing: int  # the first rule whose most_missing is not exceeded applies
    condition: str
    status: Status
    action: str
    source: str
    certainty: Certainty


# How many unanswered ODI sections still give a score. Not uniform between sources
# (clinical-facts §1.2): the 1-missing proration is in the scoring guides [sec]; the 2 -> review,
# 3+ -> refuse split is clinical-facts' own default [synthesis].
ODI_MISSING: tuple[MissingRule, ...] = (
    MissingRule(
        id="odi.missing.up_to_one",
        most_missing=1,
        condition="0 or 1 section not answered",
        status=Status.SCORED,
        action="score over the sections answered (one missing: out of 45)",
        source=_FAIRBANK,
        certainty=Certainty.SEC,
    ),
    MissingRule(
        id="odi.missing.two",
        most_missing=2,
        condition="2 sections not answered",
        status=Status.REVIEW,
        action="score over the 8 answered, and mark it for a clinician to review",
        source=_ODI_POLICY,
        certainty=Certainty.SYNTHESIS,
    ),
    MissingRule(
        id="odi.missing.three_or_more",
        most_missing=10,
        condition="3 or more sections not answered",
        status=Status.NOT_SCORED,
        action="no score; ask for the missing sections",
        source=_ODI_POLICY,
        certainty=Certainty.SYNTHESIS,
    ),
)

_ODI_VALUES = frozenset({None, 0, 1, 2, 3, 4, 5})  # each section scores 0-5: clinical-facts §1.2


@dataclass(frozen=True, slots=True)
class OdiScore:
    variant: OdiVariant
    status: Status
    percent: float | None  # 0-100, one decimal; None when not scored
    band: OdiBand | None
    raw: int  # sum of the answered sections
    answered: int
    missing: tuple[int, ...]  # 1-based section numbers not answered
    reason: str | None = None  # why it is for review or not scored
    notes: tuple[str, ...] = ()

    @property
    def interpretation(self) -> str | None:
        return None if self.band is None else _ODI_BAND[self.band].meaning


def score_odi(answers: OdiAnswers) -> OdiScore:
    """Oswestry Disability Index (v2.1a or modified): percent = sum / (5 x answered) x 100.

    Unanswered sections follow ODI_MISSING. ValueError when the answers are not ten entries
    of 0-5 or null.
    """
    items = answers.answers
    if items is None or len(items) != 10 or not _ODI_VALUES.issuperset(items):
        raise ValueError(f"ODI needs 10 answers, each 0-5 or None, not {items!r}")
    variant = answers.variant or OdiVariant.V21A  # 2.1a unless given (intake contract)
    raw = sum(filter(None, items))  # the answered sections (None and 0 add nothing)
    if None not in items:
        return _odi_score(variant, (), raw)
    missing = _blank_positions(items)
    if _ODI_MISSING_RULE[len(missing)].status is Status.NOT_SCORED:
        refused = _(
            "Sections {sections} were not answered. With three or more missing the score would "
            "not be reliable, so there is none. Ask the person to answer them."
        ).format(sections=_numbers(missing))
        return OdiScore(
            variant, Status.NOT_SCORED, None, None, raw, 10 - len(missing), missing, refused
        )
    return _odi_score(variant, missing, raw)


@cache  # few keys: 2 variants x the 56 ways to leave 0-2 sections out x sums 0-50
def _odi_score(variant: OdiVariant, missing: tuple[int, ...], raw: int) -> OdiScore:
    """The score for answers that ODI_MISSING allows to be scored, worked out once."""
    answered = 10 - len(missing)
    status = _ODI_MISSING_RULE[len(missing)].status
    # sum / (5 x answered) x 100 written as sum x 20 / answered: the same number with one
    # rounding. 16/50 -> 32.0; 16/45 -> 35.6 (clinical-facts §1.2 [sec]). With 8-10 sections
    # answered no exact .x5 tie can occur, so round() needs no tie rule.
    percent = round(raw * 20 / answered, 1)
    band = next(b.band for b in ODI_BANDS if percent <= b.upper)
    reason: str | None = None
    notes: tuple[str, ...] = ()
    if status is Status.REVIEW:
        reason = _(
            "Sections {sections} were not answered, so the score comes from the other eight. "
            "A clinician should check it."
        ).format(sections=_numbers(missing))
    elif missing:
        notes = (
            _("Section {section} was not answered; the score comes from the other nine.").format(
                section=missing[0]
            ),
        )
    return OdiScore(variant, status, percent, band, raw, answered, missing, reason, notes)


# The ODI_MISSING row for 0-10 unanswered sections.
_ODI_MISSING_RULE = tuple(
    next(r for r in ODI_MISSING if missing <= r.most_missing) for missing in range(11)
)


# --- RMDQ ---------------------------------------------------------------------------------

_RMDQ_VALUES = frozenset({None, True, False})


@dataclass(frozen=True, slots=True)
class RmdqScore:
    total: int  # 0-24 statements ticked
    blank: int  # statements left blank, counted as not ticked
    status: Status = Status.SCORED
    missing: tuple[int, ...] = ()  # 1-based numbers of the blank statements
    reason: str | None = None
    notes: tuple[str, ...] = ()


def score_rmdq(answers: RmdqAnswers) -> RmdqScore:
    """Roland-Morris: the number of statements ticked (0-24).

    A blank statement counts as not ticked (clinical-facts §1.3 [sec]) and is reported. When
    every statement is blank the total of 0 is marked for review [synthesis]: the form may
    simply not have been filled in.
    """
    items = answers.answers
    refusal = "RMDQ needs 24 answers, each True, False or None, not {!r}"
    if items is None or len(items) != 24:
        raise ValueError(refusal.format(items))
    total = items.count(True)  # count of ticked items: Roland & Morris 1983; §1.3
    if total + items.count(False) == 24:  # every statement ticked or not: none blank
        return _RMDQ_COMPLETE[total]
    if not _RMDQ_VALUES.issuperset(items):
        raise ValueError(refusal.format(items))
    missing = _blank_positions(items)  # blank = 0: §1.3 [sec]
    if len(missing) == 24:  # nothing answered at all [synthesis]
        reason = _(
            "Every statement was left blank, so the score of 0 may only mean the form was not "
            "filled in. Check with the person."
        )
        return RmdqScore(0, 24, Status.REVIEW, missing, reason)
    note = _("Left blank, so counted as not ticked: {which}.").format(
        which=_which(missing, _("statement"), _("statements"))
    )
    return RmdqScore(total, len(missing), Status.SCORED, missing, None, (note,))


_RMDQ_COMPLETE = tuple(RmdqScore(total, 0) for total in range(25))  # no blanks, total 0-24


# --- STarT Back ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RiskRule:
    risk: Risk
    min_total: int
    min_psychosocial: int
    condition: str
    source: str
    certainty: Certainty


# Keele risk groups, checked in this order; the first that matches applies. total 0-3 low;
# total >= 4 and subscale <= 3 medium; subscale >= 4 high (clinical-facts §1.4 [src]).
STARTBACK_RISK: tuple[RiskRule, ...] = (
    RiskRule(
        risk=Risk.HIGH,
        min_total=0,  # a subscale of 4 or more implies a total of 4 or more
        min_psychosocial=4,
        condition="distress subscale (items 5-9) 4 or more",
        source=_KEELE,
        certainty=Certainty.SRC,
    ),
    RiskRule(
        risk=Risk.MEDIUM,
        min_total=4,
        min_psychosocial=0,  # the high row above has taken every subscale of 4 or more
        condition="total 4 or more, subscale 3 or less",
        source=_KEELE,
        certainty=Certainty.SRC,
    ),
    RiskRule(
        risk=Risk.LOW,
        min_total=0,
        min_psychosocial=0,
        condition="total 3 or less",
        source=_KEELE,
        certainty=Certainty.SRC,
    ),
)
STARTBACK_PSYCHOSOCIAL_ITEMS = (5, 6, 7, 8, 9)  # distress subscale: clinical-facts §1.4 [src]
# Item 9 scores 1 only for "very much" or "extremely"; "moderately" scores 0 (§1.4 [src]).
STARTBACK_ITEM9_SCORING = frozenset({Bothersome.VERY_MUCH, Bothersome.EXTREMELY})
_BOTHERSOME = frozenset(Bothersome)
_EIGHT_BOOLS = (bool,) * 8  # items 1-8 are agree (True) / disagree (False)
_FIRST_DISTRESS_INDEX = STARTBACK_PSYCHOSOCIAL_ITEMS[0] - 1  # item 5 is answers[4]


def startback_risk(total: int, psychosocial: int) -> Risk:
    """The Keele risk group for a total (0-9) and distress subscale (0-5)."""
    for rule in STARTBACK_RISK[:-1]:
        if total >= rule.min_total and psychosocial >= rule.min_psychosocial:
            return rule.risk
    return STARTBACK_RISK[-1].risk


@dataclass(frozen=True, slots=True)
class StartBackScore:
    status: Status
    total: int | None  # 0-9; with items missing, the answered items only
    psychosocial: int | None  # distress subscale 0-5, likewise
    risk: Risk | None
    reason: str | None = None
    missing: tuple[int, ...] = ()  # 1-based item numbers not answered


def score_startback(answers: StartBackAnswers) -> StartBackScore:
    """Keele STarT Back (9 items): total, distress subscale and risk group.

    Unanswered items [synthesis]: the risk group can only rise when an item gains a point
    (every STARTBACK_RISK row needs *at least* some total or subscale), so the group is the
    same for every way the missing items could be answered exactly when it is the same for
    "all disagree" and "all agree". Then the score stands, marked for review, with the totals of
    the answered items; otherwise there is no score and the reason names the possible groups.
    tests/engine/test_scoring.py checks this against every possible completion.
    """
    items = answers.answers
    if items is None or len(items) != 9:
        raise ValueError(f"STarT Back needs 9 answers, not {items!r}")
    first_eight = items[:8]
    nine = items[8]
    if tuple(map(type, first_eight)) == _EIGHT_BOOLS and nine in _BOTHERSOME:  # all answered
        point = nine in STARTBACK_ITEM9_SCORING  # item 9 as in the loop below (§1.4 [src])
        total = first_eight.count(True) + point
        psychosocial = first_eight[_FIRST_DISTRESS_INDEX:].count(True) + point
        return _STARTBACK_COMPLETE[total][psychosocial]
    total = psychosocial = 0
    missing: list[int] = []
    for number, answer in enumerate(first_eight, 1):  # items 1-8: agree = 1 (§1.4 [src])
        if answer is True:
            total += 1
            if number > _FIRST_DISTRESS_INDEX:  # items 5-8 (§1.4 [src])
                psychosocial += 1
        elif answer is None:
            missing.append(number)
        elif answer is not False:
            raise ValueError(f"STarT Back item {number} must be True, False or None")
    if nine in STARTBACK_ITEM9_SCORING:
        total += 1
        psychosocial += 1
    elif nine is None:
        missing.append(9)
    elif nine not in _BOTHERSOME:
        raise ValueError(f"STarT Back item 9 must be one of {sorted(_BOTHERSOME)} or None")
    risk = startback_risk(total, psychosocial)  # some item is missing (else scored above)
    missing_psychosocial = sum(1 for n in missing if n >= 5)
    highest = startback_risk(total + len(missing), psychosocial + missing_psychosocial)
    listed = _which(missing, _("item"), _("items"))
    if highest is risk:
        reason = _(
            "Not answered: {which}. The risk group is {risk} whatever the answers, but the total "
            "and the distress score count only the answered items."
        ).format(which=listed, risk=risk.value)
        return StartBackScore(Status.REVIEW, total, psychosocial, risk, reason, tuple(missing))
    reason = _(
        "Not answered: {which}. The answers could change the risk group (from {low} to {high}), "
        "so there is no score yet. Ask those questions."
    ).format(which=listed, low=risk.value, high=highest.value)
    return StartBackScore(Status.NOT_SCORED, None, None, None, reason, tuple(missing))


# The score of every fully answered STarT Back, by total (0-9) and distress subscale (0-5).
_STARTBACK_COMPLETE = tuple(
    tuple(
        StartBackScore(Status.SCORED, total, psychosocial, startback_risk(total, psychosocial))
        for psychosocial in range(6)
    )
    for total in range(10)
)


# --- PSFS ---------------------------------------------------------------------------------

PSFS_MIN_ACTIVITIES = 3  # 3 (up to 5) activities: Stratford 1995 [sec]; clinical-facts §1.5
_PSFS_VALUES = frozenset({None, *range(11)})  # each rated 0-10: clinical-facts §1.5


@dataclass(frozen=True, slots=True)
class PsfsScore:
    mean: float | None  # 0-10, higher is better, two decimals; None when nothing was rated
    items: tuple[tuple[str, int | None], ...]  # (activity, rating) as given
    status: Status = Status.SCORED
    rated: int = 0
    missing: tuple[int, ...] = ()  # 1-based positions of activities without a rating
    reason: str | None = None
    notes: tuple[str, ...] = ()


def score_psfs(items: Sequence[PsfsItem]) -> PsfsScore:
    """Patient-Specific Functional Scale: the mean of the rated activities (0-10).

    Activities without a rating are left out of the mean and listed [synthesis]; fewer than 3
    rated activities gives a note (the scale asks for 3 to 5).
    """
    if len(items) > _PSFS_MOST:
        raise ValueError(f"PSFS takes at most 5 activities, not {len(items)}")
    pairs = tuple([(item.activity or "", item.score) for item in items])
    scores = [item.score for item in items]
    if not _PSFS_VALUES.issuperset(scores):
        raise ValueError("PSFS ratings must be whole numbers 0-10 or None")
    missing = _blank_positions(scores) if None in scores else ()
    rated = len(scores) - len(missing)
    if not rated:
        reason = _("No activity was rated from 0 to 10, so there is no score.")
        return PsfsScore(None, pairs, Status.NOT_SCORED, 0, missing, reason)
    mean = _PSFS_MEAN[rated, sum(filter(None, scores))]
    notes = _PSFS_FEW_NOTES[rated]
    if missing:
        left_out = _("No rating, so left out of the average: {which}.").format(
            which=_which(missing, _("activity"), _("activities"))
        )
        notes = (left_out, *notes)
    return PsfsScore(mean, pairs, Status.SCORED, rated, missing, None, notes)


_PSFS_MOST = ITEM_COUNT[Instrument.PSFS]
# The mean for every (activities rated, sum of ratings): score = sum of ratings / number of
# activities (Stratford 1995 [sec]); two decimals, which hold every mean of up to 5 whole
# numbers without a rounding tie.
_PSFS_MEAN = {
    (rated, total): round(total / rated, 2)
    for rated in range(1, _PSFS_MOST + 1)
    for total in range(10 * rated + 1)
}
# The note for too few rated activities, by the number rated (none from 3 up).
_PSFS_FEW_NOTES: tuple[tuple[str, ...], ...] = tuple(
    ()
    if rated >= PSFS_MIN_ACTIVITIES
    else (
        _(
            "Only {count} rated. The scale asks for 3 to 5 activities; re-rate the same "
            "ones at each visit."
        ).format(count=rated),
    )
    for rated in range(_PSFS_MOST + 1)
)


# --- FABQ ---------------------------------------------------------------------------------


class FabqSubscale(StrEnum):
    PHYSICAL_ACTIVITY = "physical_activity"
    WORK = "work"


@dataclass(frozen=True, slots=True)
class FabqSubscaleRule:
    subscale: FabqSubscale
    items: tuple[int, ...]  # 1-based item numbers summed
    maximum: int
    name: str  # plain words
    source: str
    certainty: Certainty


# PA = items 2-5 (0-24); Work = items 6, 7, 9, 10, 11, 12, 15 (0-42); items 1, 8, 13, 14, 16
# count in neither (clinical-facts §1.6, Delitto 2012 [src]).
FABQ_SUBSCALES: tuple[FabqSubscaleRule, ...] = (
    FabqSubscaleRule(
        subscale=FabqSubscale.PHYSICAL_ACTIVITY,
        items=(2, 3, 4, 5),
        maximum=24,
        name=_("physical activity"),
        source=_DELITTO,
        certainty=Certainty.SRC,
    ),
    FabqSubscaleRule(
        subscale=FabqSubscale.WORK,
        items=(6, 7, 9, 10, 11, 12, 15),
        maximum=42,
        name=_("work"),
        source=_DELITTO,
        certainty=Certainty.SRC,
    ),
)
# Each subscale with a getter that picks its items from the 16 answers (as a tuple).
_FABQ_INDEX = tuple((rule, itemgetter(*(n - 1 for n in rule.items))) for rule in FABQ_SUBSCALES)
_FABQ_VALUES = frozenset({None, *range(7)})  # each item 0-6: clinical-facts §1.6


@dataclass(frozen=True, slots=True)
class FabqCutoff:
    id: str
    subscale: FabqSubscale
    above: int  # flag when the subscale score is greater than this
    meaning: str
    source: str
    certainty: Certainty


FABQ_CUTOFFS: tuple[FabqCutoff, ...] = (
    FabqCutoff(
        id="fabq.work_over_34",
        subscale=FabqSubscale.WORK,
        above=34,
        meaning=_("High chance that work will stay limited for longer (work score above 34)."),
        source="Fritz & George 2002, Phys Ther 82 [src]: +LR 3.33 for work restriction at 4 "
        "weeks; clinical-facts §1.6",
        certainty=Certainty.SRC,
    ),
    FabqCutoff(
        id="fabq.physical_activity_over_14",
        subscale=FabqSubscale.PHYSICAL_ACTIVITY,
        above=14,
        meaning=_("Strong belief that activity harms the back (activity score above 14)."),
        source="George et al. (various) [uncertain] (some use > 15); clinical-facts §1.6",
        certainty=Certainty.UNCERTAIN,
    ),
)


@dataclass(frozen=True, slots=True)
class FabqScore:
    physical_activity: int | None  # 0-24; None when not scored or not given
    work: int | None  # 0-42; likewise
    status: Status = Status.SCORED
    flags: tuple[FabqCutoff, ...] = ()  # the cut-offs exceeded
    missing: tuple[int, ...] = ()  # 1-based item numbers not answered
    from_subscales: bool = False  # True when only the subscale scores were given
    reason: str | None = None


def score_fabq(answers: FabqAnswers) -> FabqScore:
    """Fear-Avoidance Beliefs: the physical-activity and work subscales, and cut-off flags.

    Missing items [synthesis; clinical-facts §1.6 gives no rule]: a subscale with any
    unanswered item of its own is not scored (we do not guess answers); the other subscale
    still is, and the score is marked for review. Missing items outside both subscales do not
    matter. Subscale scores given directly (no answers) are taken as they are.
    """
    items = answers.answers
    if items is None:
        return _fabq_from_subscales(answers.physical_activity, answers.work)
    if answers.physical_activity is not None or answers.work is not None:
        raise ValueError("FABQ takes the 16 answers or the subscale scores, not both")
    if len(items) != 16 or not _FABQ_VALUES.issuperset(items):
        raise ValueError(f"FABQ needs 16 answers, each 0-6 or None, not {items!r}")
    if None not in items:  # every item answered: the score for these subscale sums
        physical_activity: int = sum(_PICK_PHYSICAL_ACTIVITY(items))
        work: int = sum(_PICK_WORK(items))
        return _FABQ_COMPLETE[physical_activity][work]
    values: list[int | None] = []
    reasons: list[str] = []
    for rule, pick in _FABQ_INDEX:
        picked = pick(items)
        if None in picked:
            values.append(None)
            gaps = [n for n, a in zip(rule.items, picked, strict=True) if a is None]
            reasons.append(
                _(
                    "The {subscale} score was not worked out because of unanswered {which}; "
                    "backcare does not guess answers."
                ).format(subscale=rule.name, which=_which(gaps, _("item"), _("items")))
            )
        else:
            values.append(sum(picked))
    missing = _blank_positions(items)
    status = (Status.SCORED, Status.REVIEW, Status.NOT_SCORED)[len(reasons)]
    reason = " ".join(reasons) or None
    return FabqScore(values[0], values[1], status, _fabq_flags(*values), missing, False, reason)


def _fabq_from_subscales(physical_activity: int | None, work: int | None) -> FabqScore:
    if physical_activity is not None and not 0 <= physical_activity <= 24:
        raise ValueError(f"FABQ physical-activity score must be 0-24, not {physical_activity}")
    if work is not None and not 0 <= work <= 42:
        raise ValueError(f"FABQ work score must be 0-42, not {work}")
    if physical_activity is None and work is None:
        reason = _("Neither the answers nor the subscale scores were given.")
        return FabqScore(None, None, Status.NOT_SCORED, from_subscales=True, reason=reason)
    flags = _fabq_flags(physical_activity, work)
    return FabqScore(physical_activity, work, Status.SCORED, flags, (), True)


def _fabq_flags(physical_activity: int | None, work: int | None) -> tuple[FabqCutoff, ...]:
    scores = {FabqSubscale.PHYSICAL_ACTIVITY: physical_activity, FabqSubscale.WORK: work}
    return tuple(
        cut
        for cut in FABQ_CUTOFFS
        if (value := scores[cut.subscale]) is not None and value > cut.above
    )


_PICK_PHYSICAL_ACTIVITY, _PICK_WORK = (pick for _rule, pick in _FABQ_INDEX)
# The score of every fully answered FABQ, by physical-activity (0-24) and work (0-42) sum.
_FABQ_COMPLETE = tuple(
    tuple(
        FabqScore(physical_activity, work, Status.SCORED, _fabq_flags(physical_activity, work))
        for work in range(FABQ_SUBSCALES[1].maximum + 1)
    )
    for physical_activity in range(FABQ_SUBSCALES[0].maximum + 1)
)


# --- all instruments ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scores:
    nprs: NprsScore | None = None
    odi: OdiScore | None = None
    rmdq: RmdqScore | None = None
    startback: StartBackScore | None = None
    psfs: PsfsScore | None = None
    fabq: FabqScore | None = None


def score_all(q: Questionnaires) -> Scores:
    """Score every questionnaire that was given; the others stay None."""
    return Scores(
        None if (nprs := q.nprs) is None else score_nprs(nprs),
        None if (odi := q.odi) is None else score_odi(odi),
        None if (rmdq := q.rmdq) is None else score_rmdq(rmdq),
        None if (startback := q.startback) is None else score_startback(startback),
        None if (psfs := q.psfs) is None else score_psfs(psfs),
        None if (fabq := q.fabq) is None else score_fabq(fabq),
    )


def scores_to_json(scores: Scores) -> dict[str, Any]:
    """The "scores" object of backcare-assessment/1: one key per instrument given.

    Every object has ``status``, ``missing`` (1-based item numbers) and ``reason`` (null unless
    for review or not scored); bands, interpretations, flags and notes where they exist.
    """
    text = _JSON_TEXT
    out: dict[str, Any] = {}
    if (nprs := scores.nprs) is not None:
        out["nprs"] = {
            "status": text[nprs.status],
            "value": nprs.value,
            "missing": [],
            "reason": None,
        }
    if (odi := scores.odi) is not None:
        out["odi"] = {
            "status": text[odi.status],
            "variant": str(odi.variant),
            "percent": odi.percent,
            "band": text[odi.band],
            "interpretation": _ODI_MEANING[odi.band],
            "raw": odi.raw,
            "answered": odi.answered,
            "missing": [*odi.missing],
            "reason": odi.reason,
            "notes": [*odi.notes],
        }
    if (rmdq := scores.rmdq) is not None:
        out["rmdq"] = {
            "status": text[rmdq.status],
            "total": rmdq.total,
            "blank": rmdq.blank,
            "missing": [*rmdq.missing],
            "reason": rmdq.reason,
            "notes": [*rmdq.notes],
        }
    if (sb := scores.startback) is not None:
        out["startback"] = {
            "status": text[sb.status],
            "total": sb.total,
            "psychosocial": sb.psychosocial,
            "risk": text[sb.risk],
            "missing": [*sb.missing],
            "reason": sb.reason,
        }
    if (psfs := scores.psfs) is not None:
        out["psfs"] = {
            "status": text[psfs.status],
            "mean": psfs.mean,
            "rated": psfs.rated,
            "activities": [{"activity": a, "score": s} for a, s in psfs.items],
            "missing": [*psfs.missing],
            "reason": psfs.reason,
            "notes": [*psfs.notes],
        }
    if (fabq := scores.fabq) is not None:
        out["fabq"] = {
            "status": text[fabq.status],
            "physical_activity": fabq.physical_activity,
            "work": fabq.work,
            "from_subscales": fabq.from_subscales,
            "flags": [
                {"id": f.id, "subscale": text[f.subscale], "above": f.above, "meaning": f.meaning}
                for f in fabq.flags
            ],
            "missing": [*fabq.missing],
            "reason": fabq.reason,
        }
    return out


# The JSON text of each enumeration member in the scores (a plain str), and null for None.
_JSON_TEXT: dict[StrEnum | None, str | None] = {
    None: None,
    **{member: str(member) for enum in (Status, OdiBand, Risk, FabqSubscale) for member in enum},
}
_ODI_MEANING: dict[OdiBand | None, str | None] = {
    None: None,
    **{rule.band: rule.meaning for rule in ODI_BANDS},
}


# --- clinically important change -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChangeRule:
    """The smallest change that matters for one instrument (clinical-facts §1.8)."""

    id: str
    instrument: Instrument
    variant: OdiVariant | None  # ODI only: 2.1a or modified
    points: float | None  # absolute MCID in scale points; None when none is established
    percent: float | None  # relative threshold, percent of the baseline; None when not used
    higher_is_better: bool
    low: float  # scale range
    high: float
    source: str
    certainty: Certainty
    note: str = ""


CHANGE_RULES: tuple[ChangeRule, ...] = (
    ChangeRule(
        id="change.nprs",
        instrument=Instrument.NPRS,
        variant=None,
        points=2,
        percent=30,
        higher_is_better=False,
        low=0,
        high=10,
        source="Childs 2005 (MCID 2, MDC 2) [src]; " + _OSTELO,
        certainty=Certainty.SRC,
    ),
    ChangeRule(
        id="change.odi",
        instrument=Instrument.ODI,
        variant=OdiVariant.V21A,
        points=10,
        percent=30,
        higher_is_better=False,
        low=0,
        high=100,
        source=_OSTELO + " (consensus for LBP)",
        certainty=Certainty.SRC,
    ),
    ChangeRule(
        id="change.odi_modified",
        instrument=Instrument.ODI,
        variant=OdiVariant.MODIFIED,
        points=6,
        percent=30,
        higher_is_better=False,
        low=0,
        high=100,
        source="Fritz & Irrgang 2001, Phys Ther 81:776 [sec] (6 points, PT population); Fritz "
        "2015 JAMA [src]; the 30 % rule is Ostelo 2008's for the ODI, applied to the modified "
        "ODI [synthesis]; clinical-facts §1.2, §1.8",
        certainty=Certainty.SEC,
    ),
    ChangeRule(
        id="change.rmdq",
        instrument=Instrument.RMDQ,
        variant=None,
        points=5,
        percent=30,
        higher_is_better=False,
        low=0,
        high=24,
        source=_OSTELO,
        certainty=Certainty.SRC,
    ),
    ChangeRule(
        id="change.psfs",
        instrument=Instrument.PSFS,
        variant=None,
        points=2,
        percent=None,
        higher_is_better=True,
        low=0,
        high=10,
        source="estimates differ: 1.4 (Maughan & Lewis 2010, chronic LBP [src]); 2 often quoted "
        "[uncertain]. We use 2, also the MDC of the mean (Stratford 1995 [sec]), so a smaller "
        "change may be measurement error. No 30 % rule (Ostelo 2008 covers pain and disability "
        "scales); clinical-facts §1.5, §1.8",
        certainty=Certainty.UNCERTAIN,
    ),
    ChangeRule(
        id="change.startback",
        instrument=Instrument.STARTBACK,
        variant=None,
        points=None,
        percent=None,
        higher_is_better=False,
        low=0,
        high=9,
        source="none in clinical-facts §1.8; a screening tool, not a change measure [synthesis]",
        certainty=Certainty.SYNTHESIS,
        note=_(
            "STarT Back sorts people into risk groups; it has no established clinically "
            "important change. Compare the risk groups instead."
        ),
    ),
    ChangeRule(
        id="change.fabq",
        instrument=Instrument.FABQ,
        variant=None,
        points=None,
        percent=None,
        higher_is_better=False,
        low=0,
        high=42,
        source="not established: clinical-facts §1.6, §1.8 (gap)",
        certainty=Certainty.SRC,
        note=_(
            "The FABQ has no established clinically important change, so backcare does not "
            "judge FABQ changes. Show both scores instead."
        ),
    ),
)
_CHANGE_RULE = {(rule.instrument, rule.variant): rule for rule in CHANGE_RULES}


class NoEstablishedMcid(ValueError):
    """compare() was asked about an instrument without an established MCID (FABQ, STarT Back)."""


@dataclass(frozen=True, slots=True)
class Change:
    instrument: Instrument
    variant: OdiVariant | None
    baseline: float
    follow_up: float
    difference: float  # follow_up - baseline, in scale points (negative = lower score)
    percent_change: float | None  # difference as a percent of baseline; None when baseline is 0
    verdict: Verdict
    meets_points: bool  # the size of the change reaches threshold.points
    meets_percent: bool  # the size of the change reaches threshold.percent of the baseline
    threshold: ChangeRule  # the MCID used, with its source


def change_rule(instrument: Instrument, variant: OdiVariant | None = None) -> ChangeRule:
    """The row of CHANGE_RULES for an instrument (ODI: 2.1a unless the variant is modified)."""
    if instrument is Instrument.ODI and variant is None:
        variant = OdiVariant.V21A
    rule = _CHANGE_RULE.get((instrument, variant))
    if rule is None:
        raise ValueError(f"{instrument.value} has no variant {variant!r}")
    return rule


def compare(
    instrument: Instrument,
    baseline: float,
    follow_up: float,
    *,
    variant: OdiVariant | None = None,
) -> Change:
    """Judge the change from baseline to follow-up against the instrument's MCID.

    Improved or worse when the change (in the better or worse direction) reaches EITHER the
    absolute MCID or the percent-of-baseline threshold (clinical-facts §1.8 [synthesis]).
    Differences are rounded to 2 decimals and percents to 1 before they are compared, so what
    the clinician sees is what is judged. Raises NoEstablishedMcid (a ValueError) for FABQ and
    STarT Back, and ValueError for a value outside the scale.
    """
    rule = change_rule(instrument, variant)
    if rule.points is None:
        raise NoEstablishedMcid(rule.note)
    for value in (baseline, follow_up):
        if not (isinstance(value, int | float) and rule.low <= value <= rule.high):
            raise ValueError(
                f"{instrument.value} scores run from {rule.low:g} to {rule.high:g}, not {value!r}"
            )
    difference = round(follow_up - baseline, 2)
    percent = None if baseline == 0 else round(difference / baseline * 100, 1)
    meets_points = abs(difference) >= rule.points
    meets_percent = (
        rule.percent is not None and percent is not None and abs(percent) >= rule.percent
    )
    better = difference > 0 if rule.higher_is_better else difference < 0
    if not (meets_points or meets_percent):
        verdict = Verdict.NO_IMPORTANT_CHANGE
    elif better:
        verdict = Verdict.IMPROVED
    else:
        verdict = Verdict.WORSE
    return Change(
        instrument,
        rule.variant,
        baseline,
        follow_up,
        difference,
        percent,
        verdict,
        meets_points,
        meets_percent,
        rule,
    )


# --- rules not held in a numeric table ------------------------------------------------------


SCORING_RULES: tuple[Rule, ...] = (
    Rule("nprs.scale", "one rating", "0 no pain to 10 worst imaginable; no bands",
         "clinical-facts §1.1 [sec]", Certainty.SEC),
    Rule("odi.formula", "sections answered",
         "percent = sum / (5 x sections answered) x 100, one decimal (16 of 50 = 32.0; "
         "16 of 45 = 35.6)", _FAIRBANK, Certainty.SEC),
    Rule("odi.band_decimals", "a prorated percent with a decimal, e.g. 20.5",
         "goes in the band whose upper bound it does not pass (20.5 is moderate)",
         "backcare [synthesis]; Fairbank's bands are whole percents", Certainty.SYNTHESIS),
    Rule("odi.modified", "modified ODI (Fritz & Irrgang)",
         "section 8 is employment/homemaking instead of sex life; scored the same way",
         "Fritz & Irrgang 2001, Phys Ther 81:776 [sec]; clinical-facts §1.2", Certainty.SEC),
    Rule("rmdq.total", "statements ticked", "total = count ticked, 0-24",
         "Roland & Morris 1983 [sec]; clinical-facts §1.3", Certainty.SEC),
    Rule("rmdq.blank", "a statement left blank",
         "counts as not ticked (0); the number of blanks is reported",
         "clinical-facts §1.3 (scientificspine summary) [sec]", Certainty.SEC),
    Rule("rmdq.all_blank", "all 24 statements blank", "total 0, marked for review",
         "backcare [synthesis]", Certainty.SYNTHESIS),
    Rule("startback.items", "items 1-8 agree; item 9 very much or extremely",
         "1 point each (item 9 moderately or less: 0); total 0-9; distress subscale = items 5-9",
         _KEELE, Certainty.SRC),
    Rule("startback.missing", "items not answered",
         "marked for review when every possible answer gives the same risk group (the totals "
         "count answered items only); otherwise not scored", "backcare [synthesis]",
         Certainty.SYNTHESIS),
    Rule("psfs.mean", "activities rated 0-10",
         "score = mean of the rated activities, two decimals; unrated activities left out",
         "Stratford 1995 [sec]; clinical-facts §1.5; leaving unrated out [synthesis]",
         Certainty.SEC),
    Rule("psfs.few_activities", f"fewer than {PSFS_MIN_ACTIVITIES} rated",
         "scored, with a note (the scale asks for 3 to 5)",
         "Stratford 1995 [sec]; clinical-facts §1.5", Certainty.SEC),
    Rule("fabq.missing", "an item of a subscale not answered",
         "that subscale is not scored (no guessing); the other still is, marked for review",
         "backcare [synthesis]; clinical-facts §1.6 gives no rule", Certainty.SYNTHESIS),
    Rule("fabq.other_items", "items 1, 8, 13, 14, 16", "count in neither subscale", _DELITTO,
         Certainty.SRC),
    Rule("fabq.cutoffs", "a subscale above a cut-off", "flagged (see the cut-off table)",
         "clinical-facts §1.6", Certainty.SEC),
    Rule("change.either", "any change (NPRS, ODI, RMDQ)",
         "important when EITHER the points OR the percent-of-baseline threshold is reached; "
         "worsening judged the same way", "clinical-facts §1.8 [synthesis]",
         Certainty.SYNTHESIS),
)  # fmt: skip


def rules_markdown() -> str:
    """The scoring, missing-data, band, cut-off and MCID tables as Markdown for clinicians."""
    bands = []
    low = None
    for b in ODI_BANDS:
        span = f"{low:g} < percent <= {b.upper:g}" if low is not None else f"percent <= {b.upper:g}"
        label = f"{b.band.value} (Fairbank: {b.fairbank_label}); {b.meaning}"
        bands.append((f"odi.band.{b.band.value}", span, label, b.source, b.certainty))
        low = b.upper
    fabq = [
        (
            f"fabq.{s.subscale.value}",
            "items " + ", ".join(map(str, s.items)),
            f"sum, 0-{s.maximum}",
            s.source,
            s.certainty,
        )
        for s in FABQ_SUBSCALES
    ] + [
        (c.id, f"{c.subscale.value} > {c.above}", c.meaning, c.source, c.certainty)
        for c in FABQ_CUTOFFS
    ]
    sections: list[tuple[str, list[tuple[str, str, str, str, Certainty]]]] = [
        ("Scoring rules",
         [(r.id, r.condition, r.outcome, r.source, r.certainty) for r in SCORING_RULES]),
        ("ODI missing sections",
         [(r.id, r.condition, f"{r.status.value}: {r.action}", r.source, r.certainty)
          for r in ODI_MISSING]),
        ("ODI bands (Fairbank)", bands),
        ("STarT Back risk groups (the first that matches, top down)",
         [(f"startback.risk.{r.risk.value}", r.condition, r.risk.value, r.source, r.certainty)
          for r in STARTBACK_RISK]),
        ("FABQ subscales and cut-offs", fabq),
        ("Clinically important change",
         [(c.id, _change_condition(c), _change_threshold(c), c.source, c.certainty)
          for c in CHANGE_RULES]),
    ]  # fmt: skip
    lines = [
        "Scores are read from the answers by item position, so the licensed wording and "
        "backcare's short summaries score alike. Missing answers follow the rules below; no "
        "answer is guessed. `scored_review` means scored, but a clinician should check it."
    ]
    for title, rows in sections:
        lines += [
            "",
            f"## {title}",
            "",
            "| id | condition | level / threshold | source | certainty |",
        ]
        lines.append("|---|---|---|---|---|")
        lines += [f"| {a} | {b} | {c} | {d} | {e.value} |" for a, b, c, d, e in rows]
    return "\n".join(lines) + "\n"


def _change_condition(rule: ChangeRule) -> str:
    name = rule.instrument.value + (f" {rule.variant.value}" if rule.variant else "")
    direction = "higher is better" if rule.higher_is_better else "lower is better"
    return f"{name}, {rule.low:g}-{rule.high:g}, {direction}"


def _change_threshold(rule: ChangeRule) -> str:
    if rule.points is None:
        return "no established MCID: not judged"
    text = f"{rule.points:g} points"
    return text + (f" or {rule.percent:g} % of baseline" if rule.percent is not None else "")


def _blank_positions(items: Sequence[object]) -> tuple[int, ...]:
    """1-based positions of the unanswered (None) items: (2, None, 0, None) -> (2, 4)."""
    return tuple([i for i, a in enumerate(items, 1) if a is None])


def _which(numbers: Sequence[int], one: str, many: str) -> str:
    """(3,), "item", "items" -> "item 3"; (3, 8) -> "items 3 and 8"."""
    return f"{one if len(numbers) == 1 else many} {_numbers(numbers)}"


def _numbers(numbers: Sequence[int]) -> str:
    """1 -> "1"; (3, 8) -> "3 and 8"; (2, 5, 7) -> "2, 5 and 7"."""
    if len(numbers) == 1:
        return str(numbers[0])
    return _("{first} and {last}").format(
        first=", ".join(str(n) for n in numbers[:-1]), last=numbers[-1]
    )
