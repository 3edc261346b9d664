"""Red-flag triage: each rule, the weighted combinations, physio or self-care, unknown answers."""

from __future__ import annotations

from operator import attrgetter
from types import SimpleNamespace
from typing import Any

import pytest

from backcare.engine.intake import INTAKE_FORMAT, Intake, parse_intake
from backcare.engine.scoring import Risk
from backcare.engine.triage import (
    ADVICE,
    INCOMPLETE,
    PHYSIO_CRITERIA,
    RED_FLAG_FIELDS,
    RULES,
    SAFETY_NET,
    SCREEN,
    Condition,
    Level,
    Triage,
    rules_markdown,
    triage,
)

# Every screening question answered "no": a feature added to this is "alone".
NO_SCREEN: dict[str, Any] = {
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


def intake(screen: dict[str, Any] | None = None, **sections: Any) -> Intake:
    """An intake whose screen is all "no" except ``screen``; other sections as given."""
    return parse_intake(
        {"format": INTAKE_FORMAT, "red_flag_screen": {**NO_SCREEN, **(screen or {})}, **sections}
    )


def ids(result: Triage) -> set[str]:
    return {f.id for f in result.flags}


def scores(**fields: Any) -> Any:
    """A stand-in for scoring.Scores that relies only on its field names."""
    base = dict(nprs=None, odi=None, rmdq=None, startback=None, psfs=None, fabq=None)
    return SimpleNamespace(**{**base, **fields})


# --- Nothing found ----------------------------------------------------------------------------


def test_self_care_when_no_flag_and_no_physio_criterion() -> None:
    result = triage(intake())
    assert result.level is Level.SELF_CARE
    assert result.flags == ()
    assert "None of the answers points to a serious cause." in result.reasons
    assert result.incomplete is None
    assert result.advice.endswith(SAFETY_NET)  # safety-netting is always given (§2.3 rule 4)


def test_a_complete_mechanical_intake_has_nothing_unanswered_but_history_and_exam() -> None:
    result = triage(
        intake(
            person={"age": 47, "sex": "female"},
            episode={"days_since_onset": 2, "trend": "improving", "pain_areas": ["low_back"]},
        )
    )
    assert result.level is Level.SELF_CARE
    assert not any(p.startswith("red_flag_screen.") for p in result.unanswered)
    assert "person.age" not in result.unanswered


# --- Cauda equina: every feature alone is an emergency ------------------------------------------


def test_saddle_numbness_alone_is_an_emergency() -> None:
    result = triage(intake({"saddle_numbness": True}))
    assert result.level is Level.EMERGENCY
    assert ids(result) == {"ces.saddle_numbness"}
    assert result.flags[0].condition is Condition.CAUDA_EQUINA
    assert "emergency department now" in result.advice
    assert "Do not drive yourself" in result.advice


@pytest.mark.parametrize("bladder", ["retention", "incontinence", "reduced_sensation"])
def test_bladder_retention_incontinence_or_lost_sensation_alone_is_an_emergency(
    bladder: str,
) -> None:
    result = triage(intake({"bladder": bladder}))
    assert result.level is Level.EMERGENCY
    assert ids(result) == {"ces.bladder"}


def test_bladder_hesitancy_alone_is_an_emergency() -> None:
    # Decided: hesitancy is an early (suspected-CES) bladder change; see the rule's note.
    result = triage(intake({"bladder": "hesitancy"}))
    assert result.level is Level.EMERGENCY
    assert ids(result) == {"ces.bladder_hesitancy"}


def test_bowel_incontinence_alone_is_an_emergency() -> None:
    assert triage(intake({"bowel_incontinence": True})).level is Level.EMERGENCY


def test_new_sexual_dysfunction_alone_is_an_emergency() -> None:
    assert triage(intake({"new_sexual_dysfunction": True})).level is Level.EMERGENCY


def test_reduced_anal_tone_alone_is_an_emergency() -> None:
    result = triage(intake(exam={"anal_tone_reduced": True}))
    assert result.level is Level.EMERGENCY
    assert ids(result) == {"ces.anal_tone"}


@pytest.mark.parametrize("weakness", ["new", "worsening"])
def test_new_or_worsening_leg_weakness_alone_is_an_emergency(weakness: str) -> None:
    result = triage(intake({"leg_weakness": weakness}))
    assert result.level is Level.EMERGENCY
    assert ids(result) == {"ces.leg_weakness"}


def test_stable_leg_weakness_alone_is_not_a_red_flag_but_needs_a_physio() -> None:
    result = triage(intake({"leg_weakness": "stable"}))
    assert result.level is Level.PHYSIO
    assert "Some of your answers should be looked at by a health professional." in result.reasons


def test_numbness_in_both_legs_alone_is_an_emergency() -> None:
    result = triage(intake({"leg_numbness": "both_legs"}))
    assert result.level is Level.EMERGENCY
    assert "ces.both_legs_numb" in ids(result)


def test_pain_in_both_legs_with_a_nerve_sign_is_an_emergency() -> None:
    result = triage(intake({"leg_weakness": "stable"}, episode={"leg_symptoms": "both_legs"}))
    assert result.level is Level.EMERGENCY
    assert ids(result) == {"ces.both_legs_with_nerve_signs"}


def test_pain_in_both_legs_without_nerve_signs_is_physio_with_the_safety_net() -> None:
    result = triage(intake(episode={"leg_symptoms": "both_legs"}))
    assert result.level is Level.PHYSIO
    assert "Your pain spreads into your leg." in result.reasons
    assert SAFETY_NET in result.advice


def test_new_walking_difficulty_alone_is_an_emergency() -> None:
    assert triage(intake({"walking_difficulty_new": True})).level is Level.EMERGENCY


# --- Cord compression and neurological deficit -------------------------------------------------


def test_upper_motor_neuron_signs_alone_are_an_emergency() -> None:
    result = triage(intake(exam={"upper_motor_neuron_signs": True}))
    assert result.level is Level.EMERGENCY
    assert ids(result) == {"cord.upper_motor_neuron_signs"}


def test_thoracic_pain_with_upper_motor_neuron_signs_is_an_emergency() -> None:
    result = triage(intake({"thoracic_pain": True}, exam={"upper_motor_neuron_signs": True}))
    assert result.level is Level.EMERGENCY
    assert "cord.thoracic_pain_with_umn" in ids(result)


def test_thoracic_pain_alone_is_physio_not_a_red_flag() -> None:
    result = triage(intake({"thoracic_pain": True}))
    assert result.level is Level.PHYSIO
    assert result.flags == ()


def test_deficit_of_several_roots_alone_is_urgent() -> None:
    result = triage(intake(exam={"neuro_deficit": "several_roots"}))
    assert result.level is Level.URGENT
    assert ids(result) == {"neuro.several_roots"}


def test_deficit_of_one_root_alone_is_not_a_red_flag() -> None:
    assert triage(intake(exam={"neuro_deficit": "one_root"})).flags == ()


# --- Fracture: weighted ------------------------------------------------------------------------


def test_major_trauma_alone_is_an_emergency() -> None:
    result = triage(intake(episode={"onset": "major_trauma"}))
    assert result.level is Level.EMERGENCY
    assert ids(result) == {"fracture.major_trauma"}


def test_long_term_steroids_alone_is_soon() -> None:
    result = triage(intake(history={"long_term_steroids": True}))
    assert result.level is Level.SOON
    assert ids(result) == {"fracture.steroids"}
    assert "X-ray" in result.advice


def test_bruising_or_abrasion_alone_is_soon() -> None:
    assert triage(intake(exam={"bruising_or_abrasion": True})).level is Level.SOON


def test_minor_trauma_over_50_is_soon() -> None:
    result = triage(intake(person={"age": 60}, episode={"onset": "minor_trauma"}))
    assert result.level is Level.SOON
    assert ids(result) == {"fracture.minor_trauma_fragile"}


def test_minor_trauma_at_40_is_not_a_red_flag() -> None:
    assert triage(intake(person={"age": 40}, episode={"onset": "minor_trauma"})).flags == ()


def test_a_lift_counts_as_minor_trauma_only_with_weak_bones() -> None:
    lifted = {"onset": "after_lifting"}
    assert triage(intake(person={"age": 65}, episode=lifted)).flags == ()
    osteoporotic = triage(intake(history={"osteoporosis": True}, episode=lifted))
    # minor trauma when fragile + osteoporosis: two cluster features
    assert ids(osteoporotic) == {"fracture.minor_trauma_fragile", "fracture.two_features"}


@pytest.mark.parametrize(
    "sections",
    [{"person": {"sex": "female"}}, {"person": {"age": 75}}, {"history": {"osteoporosis": True}}],
)
def test_a_single_weak_fracture_feature_is_not_a_red_flag(sections: dict[str, Any]) -> None:
    assert triage(intake(**sections)).flags == ()


def test_woman_over_70_is_soon() -> None:
    result = triage(intake(person={"age": 75, "sex": "female"}))
    assert result.level is Level.SOON
    assert ids(result) == {"fracture.two_features"}


def test_woman_over_70_on_long_term_steroids_is_urgent() -> None:
    # Three of the Henschke 2009 four-item rule together.
    result = triage(
        intake(person={"age": 75, "sex": "female"}, history={"long_term_steroids": True})
    )
    assert result.level is Level.URGENT
    assert "fracture.three_features" in ids(result)
    assert "fracture.two_features" not in ids(result)


def test_suspected_fracture_with_a_deficit_on_examination_is_an_emergency() -> None:
    result = triage(
        intake(history={"long_term_steroids": True}, exam={"neuro_deficit": "one_root"})
    )
    assert result.level is Level.EMERGENCY
    assert "fracture.with_neuro" in ids(result)


def test_a_deficit_without_fracture_features_is_not_a_fracture_flag() -> None:
    result = triage(intake(person={"age": 75}, exam={"upper_motor_neuron_signs": True}))
    assert "fracture.with_neuro" not in ids(result)


# --- Malignancy: weighted ----------------------------------------------------------------------


def test_history_of_cancer_alone_is_soon() -> None:
    result = triage(intake(history={"cancer": "past"}))
    assert result.level is Level.SOON
    assert ids(result) == {"malignancy.history"}


def test_current_cancer_is_urgent() -> None:
    result = triage(intake(history={"cancer": "current"}))
    assert result.level is Level.URGENT
    assert "malignancy.current" in ids(result)


def test_cancer_with_age_over_50_and_weight_loss_is_urgent() -> None:
    result = triage(
        intake({"unexplained_weight_loss": True}, person={"age": 62}, history={"cancer": "past"})
    )
    assert result.level is Level.URGENT
    assert "malignancy.history_age_weight_loss" in ids(result)


def test_cancer_with_age_over_50_but_no_weight_loss_stays_soon() -> None:
    assert triage(intake(person={"age": 62}, history={"cancer": "past"})).level is Level.SOON


def test_cancer_with_two_supporting_features_is_urgent() -> None:
    result = triage(
        intake(
            {"thoracic_pain": True},
            history={"cancer": "past"},
            episode={"care_so_far": {"weeks": 5, "response": "not_improving"}},
        )
    )
    assert result.level is Level.URGENT
    assert "malignancy.history_supporting" in ids(result)


def test_cancer_with_a_nerve_symptom_is_an_emergency() -> None:
    result = triage(intake({"leg_numbness": "one_leg"}, history={"cancer": "past"}))
    assert result.level is Level.EMERGENCY
    assert "malignancy.with_neuro" in ids(result)


def test_unexplained_weight_loss_alone_is_soon() -> None:
    result = triage(intake({"unexplained_weight_loss": True}))
    assert result.level is Level.SOON
    assert ids(result) == {"malignancy.weight_loss"}


def test_three_supporting_features_without_cancer_are_soon() -> None:
    result = triage(
        intake({"thoracic_pain": True}, person={"age": 58}, episode={"night_pain": "constant"})
    )
    assert result.level is Level.SOON
    assert ids(result) == {"malignancy.several_features"}


def test_constant_night_pain_alone_is_physio_not_a_red_flag() -> None:
    result = triage(intake(episode={"night_pain": "constant"}))
    assert result.level is Level.PHYSIO
    assert result.flags == ()


# --- Infection ---------------------------------------------------------------------------------


def test_fever_alone_is_soon() -> None:
    result = triage(intake({"fever_or_chills": True}))
    assert result.level is Level.SOON
    assert ids(result) == {"infection.signs"}
    assert "fever" in result.advice


def test_feeling_unwell_with_diabetes_is_urgent() -> None:
    result = triage(intake({"systemically_unwell": True}, history={"diabetes": True}))
    assert result.level is Level.URGENT
    assert "infection.signs_with_risk" in ids(result)
    assert result.advice.startswith("See a doctor today.")


def test_measured_temperature_of_38_5_with_iv_drug_use_is_urgent() -> None:
    result = triage(intake(exam={"temperature_c": 38.5}, history={"iv_drug_use": True}))
    assert result.level is Level.URGENT


def test_temperature_below_38_is_not_fever() -> None:
    assert triage(intake(exam={"temperature_c": 37.6}, history={"iv_drug_use": True})).flags == ()


def test_fever_with_a_nerve_sign_is_an_emergency() -> None:
    result = triage(intake({"fever_or_chills": True}, exam={"neuro_deficit": "one_root"}))
    assert result.level is Level.EMERGENCY
    assert "infection.with_neuro" in ids(result)


@pytest.mark.parametrize("vitals", [{"heart_rate": 120}, {"systolic_bp": 85}])
def test_fever_with_a_fast_heart_or_low_blood_pressure_is_an_emergency(
    vitals: dict[str, int],
) -> None:
    result = triage(intake({"fever_or_chills": True}, exam=vitals))
    assert result.level is Level.EMERGENCY
    assert "infection.septic" in ids(result)


def test_normal_vital_signs_with_fever_are_not_septic() -> None:
    result = triage(intake({"fever_or_chills": True}, exam={"heart_rate": 80, "systolic_bp": 125}))
    assert result.level is Level.SOON


# --- Axial spondyloarthritis (NICE NG65) -------------------------------------------------------

# Age 40 with 200 days of pain: began at about 39.5, before 45 but not before 35.
NG65_EPISODE = {"days_since_onset": 200, "pain_areas": ["low_back", "buttock"]}


def test_ng65_with_four_features_is_a_routine_rheumatology_referral() -> None:
    result = triage(
        intake(
            person={"age": 40},
            episode={**NG65_EPISODE, "better_with": ["movement", "anti_inflammatories"]},
            history={"psoriasis": True},
        )
    )
    assert result.level is Level.ROUTINE
    assert ids(result) == {"spa.ng65_refer"}
    assert "rheumatologist" in result.advice


def test_ng65_with_three_features_suggests_an_hla_b27_test() -> None:
    result = triage(
        intake(
            person={"age": 40},
            episode={**NG65_EPISODE, "better_with": ["movement", "anti_inflammatories"]},
        )
    )
    assert result.level is Level.ROUTINE
    assert ids(result) == {"spa.ng65_consider_hla_b27"}
    assert "HLA-B27" in result.flags[0].reason


def test_ng65_with_two_features_is_not_a_flag() -> None:
    result = triage(
        intake(person={"age": 40}, episode={**NG65_EPISODE, "better_with": ["movement"]})
    )
    assert result.flags == ()


def test_ng65_counts_onset_before_35_and_night_pain() -> None:
    result = triage(
        intake(
            person={"age": 33},
            episode={"days_since_onset": 120, "night_pain": "with_movement"},
            history={"family_history_spondyloarthritis": True},
        )
    )
    assert ids(result) == {"spa.ng65_consider_hla_b27"}


@pytest.mark.parametrize(
    ("age", "days"), [(47, 200), (40, 80)], ids=["began after 45", "not yet 3 months"]
)
def test_ng65_needs_onset_before_45_and_more_than_3_months(age: int, days: int) -> None:
    result = triage(
        intake(
            person={"age": age},
            episode={
                "days_since_onset": days,
                "pain_areas": ["buttock"],
                "better_with": ["movement", "anti_inflammatories"],
            },
            history={"psoriasis": True},
        )
    )
    assert result.flags == ()


# --- Abdominal aortic aneurysm -----------------------------------------------------------------


def test_abdominal_pulsation_alone_is_soon() -> None:
    result = triage(intake({"abdominal_pulsation": True}))
    assert result.level is Level.SOON
    assert ids(result) == {"vascular.pulsation"}
    assert "scan" in result.advice


def test_pulsatile_mass_with_non_mechanical_pain_in_an_older_man_is_an_ambulance_emergency() -> (
    None
):
    result = triage(
        intake(
            {"pain_unchanged_by_position_or_movement": True},
            person={"age": 68, "sex": "male"},
            exam={"pulsatile_abdominal_mass": True},
        )
    )
    assert result.level is Level.EMERGENCY
    assert "vascular.symptomatic" in ids(result)
    assert result.advice.startswith("Call an ambulance now.")


def test_pulsation_with_non_mechanical_pain_but_no_risk_factor_is_soon() -> None:
    result = triage(
        intake(
            {"abdominal_pulsation": True, "pain_unchanged_by_position_or_movement": True},
            person={"age": 40, "sex": "female"},
        )
    )
    assert result.level is Level.SOON


@pytest.mark.parametrize("vitals", [{"systolic_bp": 80}, {"heart_rate": 115}])
def test_pulsation_with_signs_of_shock_is_an_emergency(vitals: dict[str, int]) -> None:
    result = triage(intake({"abdominal_pulsation": True}, exam=vitals))
    assert result.level is Level.EMERGENCY
    assert "vascular.shock" in ids(result)


def test_the_ambulance_advice_wins_when_an_aneurysm_and_cauda_equina_both_fire() -> None:
    result = triage(
        intake({"abdominal_pulsation": True, "saddle_numbness": True}, exam={"systolic_bp": 80})
    )
    assert result.advice.startswith("Call an ambulance now.")


# --- Visceral ----------------------------------------------------------------------------------


def test_pain_unchanged_by_movement_alone_is_routine() -> None:
    result = triage(intake({"pain_unchanged_by_position_or_movement": True}))
    assert result.level is Level.ROUTINE
    assert ids(result) == {"visceral.non_mechanical"}


def test_non_mechanical_pain_in_the_flank_is_soon() -> None:
    result = triage(
        intake(
            {"pain_unchanged_by_position_or_movement": True},
            episode={"pain_areas": ["low_back", "flank"]},
        )
    )
    assert result.level is Level.SOON
    assert "visceral.referred_area" in ids(result)


def test_non_mechanical_pain_with_weight_loss_is_urgent() -> None:
    result = triage(
        intake({"pain_unchanged_by_position_or_movement": True, "unexplained_weight_loss": True})
    )
    assert result.level is Level.URGENT
    assert "visceral.systemic" in ids(result)


# --- Levels and flags --------------------------------------------------------------------------


def test_the_level_is_the_most_urgent_flag_and_flags_are_listed_most_urgent_first() -> None:
    result = triage(intake({"saddle_numbness": True}, history={"cancer": "past"}))
    assert result.level is Level.EMERGENCY
    assert [f.level for f in result.flags] == sorted(
        (f.level for f in result.flags), key=lambda lv: lv.rank
    )
    assert {f.id for f in result.flags} >= {"ces.saddle_numbness", "malignancy.history"}


def test_levels_rank_most_urgent_first_and_only_flag_levels_need_a_doctor() -> None:
    assert [lv.rank for lv in Level] == list(range(6))
    assert [lv for lv in Level if lv.needs_doctor] == [
        Level.EMERGENCY,
        Level.URGENT,
        Level.SOON,
        Level.ROUTINE,
    ]
    assert all(rule.level.needs_doctor for rule in RULES)


# --- Physio criteria, each alone ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("sections", "reason"),
    [
        (
            {"episode": {"days_since_onset": 10, "trend": "same"}},
            "Your pain has lasted more than a few days without getting better.",
        ),
        (
            {"episode": {"care_so_far": {"weeks": 1, "response": "worse"}}},
            "Your pain has lasted more than a few days without getting better.",
        ),
        ({"episode": {"previous_episodes": 2}}, "Your back pain keeps coming back."),
        ({"episode": {"daily_activities_hard": True}}, "The pain makes everyday activities hard."),
        ({"episode": {"leg_symptoms": "one_leg"}}, "Your pain spreads into your leg."),
        (
            {"episode": {"pain_areas": ["low_back", "below_knee"]}},
            "Your pain spreads into your leg.",
        ),
        ({"episode": {"leg_pain_now": 3}}, "Your pain spreads into your leg."),
        (
            {"preferences": {"wants_drug_free_care": True}},
            "You would like a treatment without medicines.",
        ),
    ],
    ids=[
        "not improving",
        "care not working",
        "keeps coming back",
        "daily activities hard",
        "leg symptoms",
        "pain below the knee",
        "leg pain now",
        "drug-free",
    ],
)
def test_each_physio_criterion_alone_chooses_physio(sections: dict[str, Any], reason: str) -> None:
    result = triage(intake(**sections))
    assert result.level is Level.PHYSIO
    assert result.reasons == (reason,)
    assert "physical therapist can help" in result.advice


@pytest.mark.parametrize(
    "episode",
    [
        {"days_since_onset": 2, "trend": "same"},
        {"days_since_onset": 10, "trend": "improving"},
        {"previous_episodes": 1},
        {"leg_pain_now": 0, "leg_symptoms": "none"},
        {"care_so_far": {"weeks": 3, "response": "improving"}},
    ],
    ids=["only 2 days", "improving", "one earlier episode", "no leg pain", "care helping"],
)
def test_just_below_a_physio_criterion_is_self_care(episode: dict[str, Any]) -> None:
    assert triage(intake(episode=episode)).level is Level.SELF_CARE


@pytest.mark.parametrize(
    ("given", "reason_start"),
    [
        (scores(odi=SimpleNamespace(percent=30.0)), "Your answers to the Oswestry"),
        (scores(rmdq=SimpleNamespace(total=4)), "Your answers to the Roland-Morris"),
        (scores(psfs=SimpleNamespace(mean=4.0)), "The activities that matter to you"),
        (scores(startback=SimpleNamespace(risk=Risk.MEDIUM)), "Your answers show a medium or high"),
        (scores(startback=SimpleNamespace(risk=Risk.HIGH)), "Your answers show a medium or high"),
    ],
    ids=["ODI 30 %", "RMDQ 4", "PSFS 4", "STarT medium", "STarT high"],
)
def test_each_questionnaire_criterion_alone_chooses_physio(given: Any, reason_start: str) -> None:
    result = triage(intake(), given)
    assert result.level is Level.PHYSIO
    assert len(result.reasons) == 1
    assert result.reasons[0].startswith(reason_start)


@pytest.mark.parametrize(
    "given",
    [
        scores(),
        scores(odi=SimpleNamespace(percent=20.0)),
        scores(odi=SimpleNamespace(percent=None)),
        scores(rmdq=SimpleNamespace(total=3)),
        scores(psfs=SimpleNamespace(mean=7.0)),
        scores(psfs=SimpleNamespace(mean=None)),
        scores(startback=SimpleNamespace(risk=Risk.LOW)),
        scores(startback=SimpleNamespace(risk=None)),
    ],
    ids=[
        "none",
        "ODI 20 %",
        "ODI not scored",
        "RMDQ 3",
        "PSFS 7",
        "PSFS none",
        "STarT low",
        "STarT not scored",
    ],
)
def test_questionnaires_below_the_cut_offs_leave_self_care(given: Any) -> None:
    assert triage(intake(), given).level is Level.SELF_CARE


def test_an_unanswered_screening_question_rules_out_self_care() -> None:
    result = triage(intake({"thoracic_pain": None}))
    assert result.level is Level.PHYSIO
    assert result.reasons == (
        "Some safety questions are not answered yet. A physical therapist can ask them.",
    )
    assert result.incomplete is None  # not a cauda-equina question


# --- Unanswered and the incomplete cauda-equina screen ------------------------------------------


def test_an_empty_intake_lists_every_red_flag_field_as_unanswered_cauda_equina_first() -> None:
    result = triage(parse_intake({"format": INTAKE_FORMAT}))
    assert result.unanswered == RED_FLAG_FIELDS
    ces = [q.path for q in SCREEN if q.cauda_equina]
    assert list(result.unanswered[: len(ces)]) == ces
    assert result.level is Level.PHYSIO


def test_unanswered_lists_exactly_the_unknown_fields_in_a_stable_order() -> None:
    result = triage(
        intake(
            {"bladder": None, "fever_or_chills": None},
            person={"age": 50, "sex": "male"},
            episode={"care_so_far": {"weeks": 2}},
        )
    )
    assert result.unanswered[:2] == ("red_flag_screen.bladder", "exam.anal_tone_reduced")
    assert "red_flag_screen.fever_or_chills" in result.unanswered
    assert "episode.care_so_far.response" in result.unanswered
    assert "episode.care_so_far.weeks" not in result.unanswered
    assert "person.age" not in result.unanswered
    assert result.unanswered == tuple(p for p in RED_FLAG_FIELDS if p in result.unanswered)


def test_the_red_flag_fields_are_every_field_the_rules_read() -> None:
    read = {path for rule in RULES for path in rule.reads}
    assert set(RED_FLAG_FIELDS) == read | {q.path for q in SCREEN}
    assert len(RED_FLAG_FIELDS) == len(set(RED_FLAG_FIELDS))
    full = parse_intake({"format": INTAKE_FORMAT, "episode": {"care_so_far": {}}})
    for path in RED_FLAG_FIELDS:
        assert attrgetter(path)(full) is None  # every path names a real intake field


def test_an_unanswered_cauda_equina_question_makes_the_screen_incomplete_and_leads_the_advice() -> (
    None
):
    result = triage(intake({"saddle_numbness": None, "leg_weakness": None}))
    assert result.incomplete is not None
    assert result.incomplete.startswith(INCOMPLETE)
    assert "around your bottom" in result.incomplete
    assert "Are your legs weak" in result.incomplete
    assert "lost control of your bowels" not in result.incomplete
    assert result.advice.startswith(result.incomplete)
    assert result.advice_parts[:3] == (INCOMPLETE, SCREEN[0].ask, SCREEN[4].ask)
    assert result.advice == " ".join(result.advice_parts)


def test_the_incomplete_screen_still_leads_the_advice_when_a_flag_fired() -> None:
    result = triage(intake({"bladder": None, "fever_or_chills": True}, history={"diabetes": True}))
    assert result.level is Level.URGENT
    assert result.advice.startswith(INCOMPLETE)
    assert "See a doctor today." in result.advice


def test_a_complete_cauda_equina_screen_is_not_incomplete() -> None:
    assert triage(intake({"fever_or_chills": None})).incomplete is None


# --- Tables and documentation ------------------------------------------------------------------


def test_every_rule_has_a_unique_id_a_reason_a_source_and_reads_what_it_needs() -> None:
    assert len({r.id for r in RULES}) == len(RULES)
    for rule in RULES:
        assert rule.id.split(".")[0] in {
            "ces",
            "cord",
            "neuro",
            "fracture",
            "malignancy",
            "infection",
            "spa",
            "vascular",
            "visceral",
        }
        assert rule.reason and rule.source and rule.reads and rule.when


def test_every_level_has_general_advice() -> None:
    assert {a.level for a in ADVICE if a.condition is None} == set(Level)


def test_rules_markdown_lists_every_rule_criterion_and_advice() -> None:
    text = rules_markdown()
    for rule in RULES:
        assert f"| {rule.id} | {rule.condition} | {rule.level} |" in text
    for criterion in PHYSIO_CRITERIA:
        assert f"| {criterion.id} |" in text
    assert "| synthesis |" in text and "| uncertain |" in text and "| src |" in text
    assert "`red_flag_screen.saddle_numbness`" in text
    assert SAFETY_NET in text
