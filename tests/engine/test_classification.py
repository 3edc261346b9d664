"""Classification: stage, pathway, ICF category, treatment subgroup, directional preference,
radicular pain, likely causes and the findings that would decide them (clinical-facts §3, §6)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backcare.engine import classification
from backcare.engine.classification import (
    CAUSE_RULES,
    ICF_DEFAULT,
    ICF_RULES,
    MANIPULATION_PRAGMATIC,
    PATHWAY_REHABILITATION,
    PATHWAY_SELF_CARE,
    RADICULAR_SIGNS,
    TBC_RULES,
    Cause,
    Classification,
    Criterion,
    DirectionalPreference,
    Icf,
    Pathway,
    Rule,
    Stage,
    Tbc,
    classify,
    rule_results,
    rules_markdown,
    stage_for,
    to_json,
)
from backcare.engine.intake import INTAKE_FORMAT, Intake, OdiVariant, load_intake, parse_intake
from backcare.engine.scoring import (
    FabqScore,
    NprsScore,
    OdiScore,
    PsfsScore,
    Risk,
    RmdqScore,
    Scores,
    StartBackScore,
    Status,
    score_all,
)
from backcare.engine.triage import Level, Triage

EXAMPLES = Path(__file__).parents[2] / "docs" / "examples"

PHYSIO = Triage(level=Level.PHYSIO, flags=(), unanswered=(), advice="")

NEGATIVE_SCREEN: dict[str, Any] = {
    "saddle_numbness": False,
    "bladder": "normal",
    "bowel_incontinence": False,
    "new_sexual_dysfunction": False,
    "leg_weakness": "none",
    "leg_numbness": "none",
    "walking_difficulty_new": False,
    "fever_or_chills": False,
    "unexplained_weight_loss": False,
    "systemically_unwell": False,
    "abdominal_pulsation": False,
    "thoracic_pain": False,
    "pain_unchanged_by_position_or_movement": False,
}

# Every classification finding examined and negative: nothing fits unless a test says so.
NEGATIVE_EXAM: dict[str, Any] = {
    "centralises_with": "none",
    "peripheralises_with": "none",
    "visible_lateral_shift": False,
    "slr_angle": 70,
    "slr_reproduces_leg_pain": False,
    "crossed_slr": False,
    "neuro_deficit": "none",
    "hypomobile_lumbar_segment": False,
    "hip_internal_rotation_over_35": False,
    "aberrant_movement": False,
    "prone_instability_test": False,
}

BACK_ONLY: dict[str, Any] = {
    "days_since_onset": 30,
    "previous_episodes": 0,
    "pain_areas": ["low_back"],
    "leg_symptoms": "none",
}

# STarT Back answered, every item disagreed: no sign of low mood or catastrophising.
CALM = {"startback": {"answers": [False] * 8 + ["slightly"]}}


def make(
    *,
    age: int | None = 45,
    episode: dict[str, Any] | None = None,
    exam: dict[str, Any] | None = None,
    exam_base: dict[str, Any] | None = None,
    screen: dict[str, Any] | None = None,
    questionnaires: dict[str, Any] | None = None,
) -> Intake:
    """An intake: a 45-year-old with back-only pain for 30 days, a negative screen, a fully
    negative examination and calm STarT Back answers, changed by the parts given."""
    base = NEGATIVE_EXAM if exam_base is None else exam_base
    return parse_intake(
        {
            "format": INTAKE_FORMAT,
            "person": {"age": age},
            "episode": BACK_ONLY if episode is None else episode,
            "red_flag_screen": NEGATIVE_SCREEN | (screen or {}),
            "exam": base | (exam or {}),
            "questionnaires": CALM if questionnaires is None else questionnaires,
        }
    )


def scores(
    *,
    risk: Risk | None = None,
    odi: float | None = None,
    rmdq: int | None = None,
    nprs: int | None = None,
    psfs: float | None = None,
    fabq_w: int | None = None,
    fabq_pa: int | None = None,
) -> Scores:
    return Scores(
        nprs=None if nprs is None else NprsScore(nprs),
        odi=None
        if odi is None
        else OdiScore(OdiVariant.V21A, Status.SCORED, odi, None, int(odi / 2), 10, ()),
        rmdq=None if rmdq is None else RmdqScore(rmdq, 0),
        startback=None if risk is None else StartBackScore(Status.SCORED, None, None, risk),
        psfs=None if psfs is None else PsfsScore(psfs, ()),
        fabq=None if fabq_w is None and fabq_pa is None else FabqScore(fabq_pa, fabq_w),
    )


def run(intake: Intake, s: Scores | None = None, level: Level = Level.PHYSIO) -> Classification:
    triage = Triage(level=level, flags=(), unanswered=(), advice="")
    return classify(intake, triage, s if s is not None else scores())


# --- stage ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "stage"),
    [
        (0, Stage.ACUTE),
        (41, Stage.ACUTE),
        (42, Stage.SUBACUTE),
        (83, Stage.SUBACUTE),
        (84, Stage.CHRONIC),
        (400, Stage.CHRONIC),
        (None, None),
    ],
)
def test_stage_is_acute_before_6_weeks_and_chronic_from_12(days: int | None, stage: Stage) -> None:
    assert stage_for(days) is stage


def test_a_negative_time_since_onset_is_refused() -> None:
    with pytest.raises(ValueError, match="0 or more"):
        stage_for(-1)


# --- manipulation (Flynn CPR) -----------------------------------------------------------------

FLYNN_EXAM = {"hypomobile_lumbar_segment": True, "hip_internal_rotation_over_35": True}


def acute(days: int = 6, areas: tuple[str, ...] = ("low_back", "buttock")) -> dict[str, Any]:
    legs = "one_leg" if set(areas) & {"thigh", "below_knee", "foot"} else "none"
    return {
        "days_since_onset": days,
        "previous_episodes": 0,
        "pain_areas": list(areas),
        "leg_symptoms": legs,
    }


def test_all_five_flynn_criteria_give_manipulation() -> None:
    c = run(make(episode=acute(), exam=FLYNN_EXAM), scores(fabq_w=10, risk=Risk.MEDIUM))
    assert c.tbc is Tbc.MANIPULATION
    assert c.icf is Icf.MOBILITY_DEFICITS
    assert any("Subgroup: manipulation" in r for r in c.reasons)
    assert c.missing_findings == ()


@pytest.mark.parametrize(("days", "tbc"), [(15, Tbc.MANIPULATION), (16, None)])
def test_flynn_duration_counts_below_16_days(days: int, tbc: Tbc | None) -> None:
    # duration, no pain below the knee, FABQ-W < 19, hypomobility; hip rotation not over 35°.
    exam = {"hypomobile_lumbar_segment": True}
    assert run(make(episode=acute(days), exam=exam), scores(fabq_w=10)).tbc is tbc


@pytest.mark.parametrize(("fabq_w", "tbc"), [(18, Tbc.MANIPULATION), (19, None)])
def test_flynn_fabq_work_counts_below_19(fabq_w: int, tbc: Tbc | None) -> None:
    # pain for 20 days: the duration criterion fails, so FABQ-W decides 4 of 5.
    c = run(make(episode=acute(20), exam=FLYNN_EXAM), scores(fabq_w=fabq_w))
    assert c.tbc is tbc


def test_pain_below_the_knee_fails_the_flynn_criterion() -> None:
    episode = acute(6, ("low_back", "below_knee"))
    c = run(make(episode=episode, exam={"hypomobile_lumbar_segment": True}), scores(fabq_w=10))
    assert c.tbc is None  # duration, FABQ-W, hypomobility: 3 of 5


def test_three_flynn_criteria_and_two_unknown_could_qualify() -> None:
    exam = {"hypomobile_lumbar_segment": None, "hip_internal_rotation_over_35": None}
    c = run(make(episode=acute(), exam=exam), scores(fabq_w=10))
    assert c.tbc is None
    assert (
        "Could qualify for manipulation (3 of 5 signs found, 4 needed): record lumbar spring "
        "testing (segment mobility) and hip internal rotation." in c.missing_findings
    )


def test_a_rule_out_of_reach_is_not_reported() -> None:
    # duration met, below-knee pain and FABQ-W 25 fail: even both unknowns give only 3 of 5.
    exam = {"hypomobile_lumbar_segment": None, "hip_internal_rotation_over_35": None}
    c = run(
        make(episode=acute(6, ("low_back", "below_knee")), exam=exam), scores(fabq_w=25, nprs=6)
    )
    assert not any("manipulation" in m for m in c.missing_findings)


def test_the_pragmatic_two_item_rule_is_reported_when_the_full_rule_is_not_met() -> None:
    c = run(make(episode=acute()), scores(fabq_w=25))
    assert c.tbc is None
    assert any("short two-sign check for manipulation is met" in r for r in c.reasons)
    pragmatic = {r.rule: r for r in rule_results(make(episode=acute()), scores(fabq_w=25))}
    assert pragmatic["manipulation_pragmatic_2_item"].positive
    assert not pragmatic["tbc_manipulation_flynn"].positive


def test_rule_results_count_met_and_unknown_criteria() -> None:
    exam = {"hypomobile_lumbar_segment": True, "hip_internal_rotation_over_35": None}
    results = {r.rule: r for r in rule_results(make(episode=acute(), exam=exam), scores())}
    flynn = results["tbc_manipulation_flynn"]
    assert flynn.met == ("flynn_duration", "flynn_no_symptoms_below_knee", "flynn_hypomobility")
    assert flynn.unknown == ("flynn_fabq_work", "flynn_hip_ir")
    assert not flynn.positive
    assert [r.rule for r in results.values()][:6] == [rule.id for rule in TBC_RULES]


# --- stabilization (Hicks CPR) ----------------------------------------------------------------

HICKS_EXAM = {"slr_angle": 95, "aberrant_movement": True, "prone_instability_test": True}


def test_all_four_hicks_criteria_give_stabilization() -> None:
    c = run(make(age=29, exam=HICKS_EXAM))
    assert c.tbc is Tbc.STABILIZATION
    assert c.icf is Icf.MOVEMENT_COORDINATION


@pytest.mark.parametrize(("slr", "tbc"), [(91, None), (92, Tbc.STABILIZATION)])
def test_hicks_slr_counts_above_91_degrees(slr: int, tbc: Tbc | None) -> None:
    exam = {"slr_angle": slr, "aberrant_movement": True}  # prone instability negative
    assert run(make(age=29, exam=exam)).tbc is tbc


@pytest.mark.parametrize(("age", "tbc"), [(39, Tbc.STABILIZATION), (40, None)])
def test_hicks_age_counts_below_40(age: int, tbc: Tbc | None) -> None:
    exam = {"slr_angle": 80, "aberrant_movement": True, "prone_instability_test": True}
    assert run(make(age=age, exam=exam)).tbc is tbc


def test_a_prone_instability_test_not_done_is_named() -> None:
    exam = {"slr_angle": 95, "prone_instability_test": None}
    c = run(make(age=29, exam=exam))
    assert c.tbc is None
    assert (
        "Could qualify for stabilization exercise (2 of 4 signs found, 3 needed) or back pain "
        "with poor movement control: record the prone instability test." in c.missing_findings
    )


# --- traction, lateral shift, extension, flexion ----------------------------------------------

SCIATICA_EPISODE = {
    "days_since_onset": 35,
    "previous_episodes": 0,
    "pain_areas": ["low_back", "buttock", "thigh", "below_knee"],
    "leg_symptoms": "one_leg",
    "pain_now": 4,
    "leg_pain_now": 7,
}


def test_peripheralising_with_extension_and_a_nerve_sign_gives_traction() -> None:
    exam = {"peripheralises_with": "extension", "slr_reproduces_leg_pain": True}
    c = run(make(episode=SCIATICA_EPISODE, exam=exam))
    assert c.tbc is Tbc.TRACTION
    assert c.radicular is True
    assert c.icf is Icf.RADIATING_PAIN


def test_a_crossed_straight_leg_raise_alone_gives_traction() -> None:
    c = run(make(episode=SCIATICA_EPISODE, exam={"crossed_slr": True}))
    assert c.tbc is Tbc.TRACTION


def test_traction_comes_before_extension() -> None:
    exam = {"crossed_slr": True, "centralises_with": "extension"}
    c = run(make(episode=SCIATICA_EPISODE, exam=exam))
    assert c.tbc is Tbc.TRACTION
    assert c.directional_preference is DirectionalPreference.EXTENSION
    assert (
        "The findings also fit extension exercise; traction comes first in the order of the rules."
        in c.reasons
    )


def test_without_leg_symptoms_there_is_no_traction() -> None:
    exam = {"peripheralises_with": "extension", "slr_reproduces_leg_pain": True}
    assert run(make(exam=exam)).tbc is None


THIGH_EPISODE = {
    "days_since_onset": 21,
    "previous_episodes": 0,
    "pain_areas": ["low_back", "buttock", "thigh"],
    "leg_symptoms": "one_leg",
}


def test_a_visible_shift_gives_lateral_shift_before_extension() -> None:
    exam = {"visible_lateral_shift": True, "centralises_with": "extension"}
    c = run(make(episode=THIGH_EPISODE, exam=exam))
    assert c.tbc is Tbc.LATERAL_SHIFT
    assert c.directional_preference is DirectionalPreference.EXTENSION
    assert any("also fit extension exercise" in r for r in c.reasons)


def test_centralising_with_shift_correction_gives_lateral_shift() -> None:
    c = run(make(episode=THIGH_EPISODE, exam={"centralises_with": "lateral_shift"}))
    assert c.tbc is Tbc.LATERAL_SHIFT
    assert c.directional_preference is DirectionalPreference.LATERAL_SHIFT


def test_centralising_with_extension_gives_extension_exercise() -> None:
    exam = {"centralises_with": "extension", "peripheralises_with": "flexion"}
    c = run(make(episode=THIGH_EPISODE, exam=exam))
    assert c.tbc is Tbc.SPECIFIC_EXERCISE_EXTENSION
    assert c.icf is Icf.REFERRED_LEG_PAIN
    assert c.radicular is False


def test_directional_preference_comes_before_manipulation() -> None:
    exam = {**FLYNN_EXAM, "centralises_with": "extension"}
    c = run(make(episode=acute(), exam=exam), scores(fabq_w=5))
    assert c.tbc is Tbc.SPECIFIC_EXERCISE_EXTENSION
    assert any("also fit manipulation" in r for r in c.reasons)


def test_manipulation_comes_before_stabilization() -> None:
    exam = {**FLYNN_EXAM, **HICKS_EXAM}
    c = run(make(age=29, episode=acute(), exam=exam), scores(fabq_w=5))
    assert c.tbc is Tbc.MANIPULATION
    assert any("also fit stabilization exercise" in r for r in c.reasons)
    assert c.icf is Icf.MOBILITY_DEFICITS


def test_centralising_with_flexion_gives_flexion_exercise() -> None:
    episode = {**THIGH_EPISODE, "days_since_onset": 150, "better_with": ["sitting"]}
    exam = {"centralises_with": "flexion", "peripheralises_with": "extension"}
    c = run(make(age=66, episode=episode, exam=exam))
    assert c.tbc is Tbc.SPECIFIC_EXERCISE_FLEXION
    assert c.directional_preference is DirectionalPreference.FLEXION
    reason = next(r for r in c.reasons if r.startswith("Subgroup"))
    assert "older than 50" in reason and "sitting or bending forward eases the pain" in reason


def test_nothing_fits_when_every_finding_is_negative() -> None:
    c = run(make(), scores(risk=Risk.MEDIUM))
    assert c.tbc is None
    assert "No treatment subgroup fits the findings recorded so far." in c.reasons
    assert c.missing_findings == ()


# --- directional preference and missing examination -------------------------------------------


@pytest.mark.parametrize(
    ("exam", "dp"),
    [
        ({"centralises_with": "extension"}, DirectionalPreference.EXTENSION),
        ({"centralises_with": "flexion"}, DirectionalPreference.FLEXION),
        ({"centralises_with": "lateral_shift"}, DirectionalPreference.LATERAL_SHIFT),
        ({"centralises_with": "none"}, DirectionalPreference.NONE),
        (
            {"centralises_with": "extension", "peripheralises_with": "extension"},
            DirectionalPreference.NONE,
        ),
        (
            {"centralises_with": None, "visible_lateral_shift": True},
            DirectionalPreference.LATERAL_SHIFT,
        ),
        ({"centralises_with": None, "peripheralises_with": None}, DirectionalPreference.UNKNOWN),
    ],
)
def test_directional_preference_from_repeated_movements(
    exam: dict[str, Any], dp: DirectionalPreference
) -> None:
    assert run(make(exam=exam)).directional_preference is dp


def test_repeated_movement_testing_not_recorded_is_named() -> None:
    exam = {"centralises_with": None, "peripheralises_with": None}
    c = run(make(episode=THIGH_EPISODE, exam=exam))
    assert c.directional_preference is DirectionalPreference.UNKNOWN
    assert c.missing_findings[0].startswith("Repeated-movement testing not recorded")
    # Every rule that waits on the same finding shares one line.
    assert (
        "Could qualify for lateral shift correction, extension exercise, flexion exercise or back "
        "pain with pain spreading to the leg: record repeated-movement testing."
        in c.missing_findings
    )


def test_no_examination_gives_one_line_instead_of_every_rule() -> None:
    c = run(make(episode=acute(), exam_base={}), scores(fabq_w=10, risk=Risk.LOW, odi=10))
    assert c.tbc is None
    assert c.missing_findings == (
        "No examination findings recorded yet: a physical therapist's examination decides the "
        "treatment subgroup.",
        "Repeated-movement testing not recorded: it shows whether one direction of movement "
        "eases the pain.",
    )
    assert any("short two-sign check" in r for r in c.reasons)


def test_the_same_missing_findings_give_the_same_words_each_time() -> None:
    exam = {"hypomobile_lumbar_segment": None, "hip_internal_rotation_over_35": None}
    first = run(make(episode=acute(), exam=exam), scores(fabq_w=10))
    second = run(make(episode=acute(), exam=exam), scores(fabq_w=10))
    assert first == second


# --- radicular pain ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("episode", "exam", "screen", "radicular"),
    [
        (SCIATICA_EPISODE, {}, {}, True),  # pain below the knee
        (THIGH_EPISODE, {"slr_reproduces_leg_pain": True}, {}, True),
        (THIGH_EPISODE, {"neuro_deficit": "one_root"}, {}, True),
        (THIGH_EPISODE, {}, {"leg_numbness": "one_leg"}, True),
        (THIGH_EPISODE, {}, {"leg_weakness": "stable"}, True),
        (THIGH_EPISODE, {}, {}, False),  # every sign known absent
        (BACK_ONLY, {"slr_reproduces_leg_pain": None}, {}, False),  # no leg symptoms at all
        (THIGH_EPISODE, {"slr_reproduces_leg_pain": None}, {}, None),
        ({"days_since_onset": 30}, {}, {}, None),  # where the pain goes is not known
    ],
)
def test_radicular_pain_from_symptoms_and_nerve_tests(
    episode: dict[str, Any], exam: dict[str, Any], screen: dict[str, Any], radicular: bool | None
) -> None:
    assert run(make(episode=episode, exam=exam, screen=screen)).radicular is radicular


def test_unknown_nerve_involvement_is_named() -> None:
    c = run(make(episode=THIGH_EPISODE, exam={"slr_reproduces_leg_pain": None}))
    assert any(m.startswith("Not known whether a nerve is involved") for m in c.missing_findings)


def test_leg_symptoms_answer_alone_counts_as_leg_symptoms() -> None:
    episode = {"days_since_onset": 30, "leg_symptoms": "one_leg"}
    exam = {"peripheralises_with": "extension", "slr_reproduces_leg_pain": True}
    assert run(make(episode=episode, exam=exam)).tbc is Tbc.TRACTION


# --- pathway (Alrwaily 2016 Level 1) ----------------------------------------------------------


@pytest.mark.parametrize("level", [Level.EMERGENCY, Level.URGENT, Level.SOON])
def test_a_doctor_first_when_triage_needs_one(level: Level) -> None:
    c = run(make(), scores(risk=Risk.LOW, odi=4), level)
    assert c.pathway is Pathway.MEDICAL
    assert (
        c.reasons[0] == "A doctor should check some of your answers first, before physical therapy."
    )


def test_a_routine_referral_lets_physical_therapy_go_on() -> None:
    c = run(make(), scores(risk=Risk.LOW), Level.ROUTINE)
    assert c.pathway is Pathway.MEDICAL
    assert c.reasons[0] == "A doctor should see you; physical therapy can go on meanwhile."


def test_the_subgroup_is_still_given_when_a_doctor_is_needed_first() -> None:
    c = run(make(age=29, exam=HICKS_EXAM), scores(), Level.SOON)
    assert (c.pathway, c.tbc) == (Pathway.MEDICAL, Tbc.STABILIZATION)


@pytest.mark.parametrize(
    ("s", "pathway"),
    [
        (scores(risk=Risk.LOW, odi=20.0, nprs=3), Pathway.SELF_CARE),
        (scores(risk=Risk.LOW, odi=20.5, nprs=3), Pathway.REHABILITATION),
        (scores(risk=Risk.LOW, rmdq=3), Pathway.SELF_CARE),
        (scores(risk=Risk.LOW, rmdq=4), Pathway.REHABILITATION),
        (scores(risk=Risk.LOW, odi=10, nprs=4), Pathway.SELF_CARE),
        (scores(risk=Risk.LOW, odi=10, nprs=5), Pathway.REHABILITATION),
        (scores(risk=Risk.LOW, odi=10, psfs=7.0), Pathway.SELF_CARE),
        (scores(risk=Risk.LOW, odi=10, psfs=6.9), Pathway.REHABILITATION),
        (scores(risk=Risk.MEDIUM, odi=10), Pathway.REHABILITATION),
        (scores(risk=Risk.HIGH, odi=10), Pathway.REHABILITATION),
    ],
)
def test_rehabilitation_for_risk_or_disability_and_self_care_when_both_are_low(
    s: Scores, pathway: Pathway
) -> None:
    assert run(make(), s).pathway is pathway


def test_self_care_reason_says_why_and_when_to_see_a_therapist() -> None:
    c = run(make(), scores(risk=Risk.LOW, odi=8))
    assert c.reasons[0] == (
        "Advice and your own exercise programme should be enough for now, because the STarT "
        "Back answers show a low risk that the pain will last and daily life is only a little "
        "affected. See a physical therapist if the pain is not clearly better within a few days."
    )


def test_saying_daily_activities_are_not_hard_counts_as_low_disability() -> None:
    episode = {**BACK_ONLY, "daily_activities_hard": False, "pain_now": 2}
    assert run(make(episode=episode), scores(risk=Risk.LOW)).pathway is Pathway.SELF_CARE
    episode = {**BACK_ONLY, "daily_activities_hard": True}
    assert run(make(episode=episode), scores(risk=Risk.LOW)).pathway is Pathway.REHABILITATION


def test_pain_now_is_used_when_no_pain_score_was_given() -> None:
    episode = {**BACK_ONLY, "pain_now": 7}
    c = run(make(episode=episode), scores(risk=Risk.LOW, odi=10))
    assert c.pathway is Pathway.REHABILITATION
    assert "the pain is strong (5 out of 10 or more)" in c.reasons[0]


def test_radicular_pain_is_a_reason_for_rehabilitation() -> None:
    c = run(make(episode=SCIATICA_EPISODE), scores(risk=Risk.LOW, odi=10, nprs=2))
    assert c.pathway is Pathway.REHABILITATION
    assert "a nerve in the back may be irritated" in c.reasons[0]


def test_without_the_questionnaires_rehabilitation_and_what_to_ask() -> None:
    c = run(make(), scores(nprs=2))
    assert c.pathway is Pathway.REHABILITATION
    assert c.reasons[0].startswith("Working with a physical therapist is advised until")
    assert (
        "Could qualify for self-care: record the STarT Back questionnaire and the Oswestry or "
        "Roland-Morris questionnaire." in c.missing_findings
    )


def test_a_missing_startback_alone_is_named() -> None:
    c = run(make(), scores(odi=10, nprs=2))
    assert "Could qualify for self-care: record the STarT Back questionnaire." in (
        c.missing_findings
    )


# --- ICF category -----------------------------------------------------------------------------

SAD_AND_HOPELESS = {
    "startback": {"answers": [False, False, False, False, False, True, True, True, "very_much"]}
}


def test_long_lasting_widespread_pain_is_generalized_pain() -> None:
    episode = {"days_since_onset": 200, "pain_areas": ["low_back", "widespread"]}
    assert run(make(episode=episode)).icf is Icf.GENERALIZED_PAIN


def test_two_psychosocial_signs_give_cognitive_affective() -> None:
    c = run(make(questionnaires=SAD_AND_HOPELESS))
    assert c.icf is Icf.COGNITIVE_AFFECTIVE
    assert "Category: back pain with worry or low mood." in c.reasons[1]


def test_high_fear_avoidance_counts_as_a_psychosocial_sign() -> None:
    one_item = {"startback": {"answers": [False] * 6 + [True, False, "slightly"]}}
    s = scores(fabq_pa=15)
    assert run(make(questionnaires=one_item), s).icf is Icf.COGNITIVE_AFFECTIVE
    assert run(make(questionnaires=one_item), scores(fabq_pa=14)).icf is Icf.MOBILITY_DEFICITS
    assert run(make(questionnaires=one_item), scores(fabq_w=30)).icf is Icf.COGNITIVE_AFFECTIVE


def test_unanswered_startback_items_count_as_not_known() -> None:
    partial = {"startback": {"answers": [False] * 6 + [None, None, "slightly"]}}
    c = run(make(questionnaires=partial), scores(fabq_pa=20))
    assert c.icf is Icf.MOBILITY_DEFICITS
    assert (
        "Could qualify for back pain with worry or low mood (1 of 3 signs found, 2 needed): "
        "record the STarT Back questionnaire." in c.missing_findings
    )


def test_nerve_signs_without_a_directional_preference_give_radiating_pain() -> None:
    assert run(make(episode=SCIATICA_EPISODE)).icf is Icf.RADIATING_PAIN


def test_aberrant_movement_alone_gives_movement_coordination() -> None:
    assert run(make(exam={"aberrant_movement": True})).icf is Icf.MOVEMENT_COORDINATION


def test_a_stiff_segment_gives_mobility_deficits() -> None:
    c = run(make(exam={"hypomobile_lumbar_segment": True}))
    assert c.icf is Icf.MOBILITY_DEFICITS
    assert c.reasons[1] == "Category: back pain with stiffness. The low back is stiff."


def test_recurrent_pain_without_other_signs_gives_movement_coordination() -> None:
    episode = {**BACK_ONLY, "previous_episodes": 3}
    assert run(make(episode=episode)).icf is Icf.MOVEMENT_COORDINATION


def test_otherwise_mobility_deficits() -> None:
    c = run(make(episode={**BACK_ONLY, "previous_episodes": 0}))
    assert c.icf is Icf.MOBILITY_DEFICITS
    assert c.reasons[1].endswith("No other pattern fits better; this is the usual starting point.")


def test_an_icf_category_that_could_still_fit_is_named_once() -> None:
    exam = {"aberrant_movement": None, "prone_instability_test": None}
    episode = {"days_since_onset": 30, "pain_areas": ["low_back"], "leg_symptoms": "none"}
    c = run(make(age=50, episode=episode, exam=exam))
    poor_control = [m for m in c.missing_findings if "poor movement control" in m]
    assert poor_control == [
        "Could qualify for back pain with poor movement control: record aberrant movements on "
        "forward bending and the prone instability test."
    ]


def test_a_rule_for_the_chosen_category_is_not_named() -> None:
    # hypomobility unknown could give mobility deficits, which is already the answer.
    c = run(
        make(
            exam={"hypomobile_lumbar_segment": None}, episode={**BACK_ONLY, "previous_episodes": 0}
        )
    )
    assert c.icf is Icf.MOBILITY_DEFICITS
    assert not any("stiffness" in m for m in c.missing_findings)


# --- likely causes ----------------------------------------------------------------------------


def causes_of(c: Classification) -> dict[Cause, tuple[str, ...]]:
    return {lc.cause: lc.reasons for lc in c.likely_causes}


def test_a_lifting_strain_points_to_muscle_strain() -> None:
    episode = {
        **acute(3),
        "onset": "after_lifting",
        "worse_with": ["lifting", "movement"],
        "better_with": ["rest"],
    }
    found = causes_of(run(make(episode=episode)))
    assert found == {
        Cause.MUSCLE_STRAIN: (
            "The pain started after lifting or a sudden movement.",
            "The pain stays in the back, buttock or thigh and does not go below the knee.",
            "There are no signs of an irritated nerve.",
            "Moving makes it worse, and rest or lying down eases it.",
        )
    }


def test_leg_pain_worse_with_sitting_points_to_a_disc_and_sciatica_first() -> None:
    episode = {
        **SCIATICA_EPISODE,
        "worse_with": ["sitting", "coughing_sneezing"],
        "better_with": ["walking"],
    }
    c = run(make(age=38, episode=episode, exam={"slr_reproduces_leg_pain": True}))
    found = causes_of(c)
    assert [lc.cause for lc in c.likely_causes][:2] == [Cause.HERNIATED_DISC, Cause.SCIATICA]
    assert "Lifting the straight leg brings on the leg pain." in found[Cause.HERNIATED_DISC]
    assert "The leg hurts more than the back." in found[Cause.SCIATICA]


def test_older_age_and_relief_bending_forward_point_to_arthritis() -> None:
    episode = {
        "days_since_onset": 400,
        "previous_episodes": 6,
        "pain_areas": ["low_back", "buttock", "thigh"],
        "leg_symptoms": "both_legs",
        "worse_with": ["walking", "standing"],
        "better_with": ["sitting", "bending_forward"],
        "morning_stiffness_minutes": 15,
    }
    found = causes_of(run(make(age=71, episode=episode, exam={"centralises_with": "flexion"})))
    assert found[Cause.ARTHRITIS] == (
        "Wear-related changes in the back are more common from about 50 years of age.",
        "The pain has lasted a long time or has come back before.",
        "Leaning back, standing or walking makes it worse.",
        "Sitting or bending forward eases it.",
        "Stiffness in the morning wears off within half an hour.",
        "Both legs are affected.",
        "Bending forward again and again eases the pain.",
    )


def test_nerve_signs_point_to_sciatica() -> None:
    screen = {"leg_numbness": "one_leg", "leg_weakness": "stable"}
    exam = {"neuro_deficit": "one_root", "crossed_slr": True}
    found = causes_of(run(make(age=60, episode=THIGH_EPISODE, exam=exam, screen=screen)))
    assert found[Cause.SCIATICA] == (
        "A leg feels numb or tingly.",
        "A leg feels weak.",
        "The examination found changes in leg strength, feeling or reflexes.",
        "Lifting the other leg brings on the pain in the sore leg.",
    )


def test_sitting_all_day_points_to_posture() -> None:
    episode = {
        **BACK_ONLY,
        "onset": "gradual",
        "previous_episodes": 3,
        "worse_with": ["sitting"],
        "better_with": ["walking"],
    }
    found = causes_of(run(make(episode=episode), scores(fabq_pa=18)))
    assert found[Cause.POSTURE_SEDENTARY] == (
        "Sitting or standing for a long time makes it worse.",
        "Moving about eases it.",
        "The pain came on slowly, without an injury.",
        "The back pain has come back before.",
        "Worry that activity will harm the back may be keeping you less active.",
    )


def test_no_causes_are_guessed_from_nothing() -> None:
    c = run(parse_intake({"format": INTAKE_FORMAT}))
    assert c.likely_causes == ()
    assert not any("not a diagnosis" in r for r in c.reasons)


def test_causes_are_offered_as_ideas_never_as_a_diagnosis() -> None:
    c = run(make(episode={**acute(), "onset": "after_lifting"}))
    assert "The possible causes listed are ideas to check, not a diagnosis." in c.reasons
    texts = [*c.reasons, *c.missing_findings, *(r for lc in c.likely_causes for r in lc.reasons)]
    for rule in CAUSE_RULES:
        texts += [f.plain for f in rule.features]
    for text in texts:
        lowered = text.lower()
        assert "you have" not in lowered
        assert "diagnos" not in lowered or "not a diagnosis" in lowered


# --- worked examples and the contract ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "tbc", "icf"),
    [
        ("manipulation", Tbc.MANIPULATION, Icf.MOBILITY_DEFICITS),
        ("stabilization", Tbc.STABILIZATION, Icf.MOVEMENT_COORDINATION),
        ("extension", Tbc.SPECIFIC_EXERCISE_EXTENSION, Icf.REFERRED_LEG_PAIN),
        ("flexion", Tbc.SPECIFIC_EXERCISE_FLEXION, Icf.REFERRED_LEG_PAIN),
        ("lateral-shift", Tbc.LATERAL_SHIFT, Icf.REFERRED_LEG_PAIN),
        ("traction", Tbc.TRACTION, Icf.RADIATING_PAIN),
    ],
)
def test_each_subgroup_example_lands_in_its_subgroup(name: str, tbc: Tbc, icf: Icf) -> None:
    intake = load_intake((EXAMPLES / f"subgroup-{name}.json").read_text())
    c = classify(intake, PHYSIO, score_all(intake.questionnaires))
    assert (c.tbc, c.icf, c.pathway) == (tbc, icf, Pathway.REHABILITATION)
    assert c.missing_findings == ()


def test_to_json_follows_the_assessment_contract() -> None:
    c = run(make(episode=SCIATICA_EPISODE, exam={"crossed_slr": True}), scores(risk=Risk.HIGH))
    out = to_json(c)
    assert list(out) == [
        "pathway",
        "icf",
        "tbc",
        "directional_preference",
        "radicular",
        "likely_causes",
        "reasons",
        "missing_findings",
    ]
    assert out["pathway"] == "rehabilitation"
    assert out["tbc"] == "traction"
    assert out["directional_preference"] == "none"
    assert out["radicular"] is True
    assert {"cause": "sciatica", "reasons": list(causes_of(c)[Cause.SCIATICA])} in out[
        "likely_causes"
    ]
    assert json.loads(json.dumps(out)) == out


def test_to_json_writes_no_subgroup_as_null() -> None:
    assert to_json(run(make()))["tbc"] is None


ALL_RULES: tuple[Rule[Any], ...] = (*TBC_RULES, *ICF_RULES, ICF_DEFAULT)


# --- rule tables ------------------------------------------------------------------------------


def test_rules_markdown_renders_every_rule_table_with_sources_and_certainty() -> None:
    md = rules_markdown()
    for rule in ALL_RULES:
        assert f"Rule `{rule.id}`" in md
        for criterion in rule.criteria:
            assert f"`{criterion.id}` | {criterion.label} | {criterion.source}" in md
    for cause in CAUSE_RULES:
        assert f"### {cause.cause}" in md
    assert "positive when at least 4 of 5 criteria met" in md  # Flynn
    assert "positive when at least 3 of 4 criteria met" in md  # Hicks
    assert "positive when `extension_preference` met" in md
    assert "positive when all criteria met" in md
    assert "positive when any criterion met" in md
    assert "positive when the criterion is met" in md
    assert "positive when no earlier rule fits" in md
    assert "| `chronic` | days since onset | ≥ 84 (12 weeks)" in md
    assert "| `dp_extension` | centralises with extension" in md
    assert "| `dp_none` |" in md
    assert "uncertain" in md and "synthesis" in md
    assert md.endswith("\n")


def test_rule_ids_are_unique() -> None:
    ids = [r.id for r in ALL_RULES]
    assert len(ids) == len(set(ids))
    assert len({c.cause for c in CAUSE_RULES}) == len(Cause)


# --- properties -------------------------------------------------------------------------------

EXAM_FLAGS = (
    "visible_lateral_shift",
    "slr_reproduces_leg_pain",
    "crossed_slr",
    "hypomobile_lumbar_segment",
    "hip_internal_rotation_over_35",
    "aberrant_movement",
    "prone_instability_test",
)
DIRECTIONS = st.sampled_from([None, "extension", "flexion", "lateral_shift", "none"])
MAYBE = st.sampled_from([None, True, False])


@settings(max_examples=300, deadline=None)
@given(
    flags=st.fixed_dictionaries({name: MAYBE for name in EXAM_FLAGS}),
    central=DIRECTIONS,
    peripheral=DIRECTIONS,
    areas=st.sampled_from([None, ["low_back"], ["low_back", "thigh"], ["low_back", "below_knee"]]),
    days=st.sampled_from([None, 5, 15, 16, 60, 200]),
    age=st.sampled_from([None, 25, 39, 40, 55]),
    slr=st.sampled_from([None, 60, 91, 92]),
    fabq_w=st.sampled_from([None, 10, 18, 19, 30]),
)
def test_an_unknown_finding_that_could_change_the_subgroup_is_always_named(
    flags: dict[str, bool | None],
    central: str | None,
    peripheral: str | None,
    areas: list[str] | None,
    days: int | None,
    age: int | None,
    slr: int | None,
    fabq_w: int | None,
) -> None:
    """Recording every unknown yes/no finding as positive can only move the subgroup to a rule
    that the missing findings already named (or leave it where it was)."""
    episode = {"days_since_onset": days, "pain_areas": areas, "previous_episodes": 0}
    exam: dict[str, Any] = {**flags, "centralises_with": central, "peripheralises_with": peripheral}
    exam |= {"slr_angle": slr, "neuro_deficit": "none"}  # one finding recorded: an examination
    s = scores(fabq_w=fabq_w, risk=Risk.MEDIUM)
    before = run(make(age=age, episode=episode, exam=exam, exam_base={}), s)
    filled = {name: True if value is None else value for name, value in flags.items()}
    after = run(make(age=age, episode=episode, exam={**exam, **filled}, exam_base={}), s)

    if after.tbc != before.tbc:
        rule = next(r for r in TBC_RULES if r.result is after.tbc)
        assert any(
            line.startswith("Could qualify for") and rule.name in line
            for line in before.missing_findings
        )


def test_a_criterion_id_names_one_criterion_across_all_rules() -> None:
    # Reason wording is remembered by criterion id, so an id must not be reused for other words.
    rules = (*ALL_RULES, MANIPULATION_PRAGMATIC, PATHWAY_REHABILITATION, PATHWAY_SELF_CARE)
    by_id: dict[str, Criterion] = {}
    for rule in (*rules, RADICULAR_SIGNS):
        for criterion in rule.criteria:
            assert by_id.setdefault(criterion.id, criterion) is criterion, criterion.id


def test_a_full_memo_starts_again_and_gives_the_same_answers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Answers are remembered per distinct finding; the memory is bounded, and starting it again
    # must not change any result.
    intakes = [make(age=age, episode=acute(days=age % 40)) for age in range(16, 121)]
    monkeypatch.setattr(classification, "MEMO_LIMIT", 1)
    bounded = [to_json(run(i, scores(fabq_w=i.person.age))) for i in intakes]
    monkeypatch.undo()
    assert [to_json(run(i, scores(fabq_w=i.person.age))) for i in intakes] == bounded
