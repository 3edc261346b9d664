"""The planner: plans for the documented example intakes, and each planning rule."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from backcare.engine.assessment import Assessment, assess
from backcare.engine.catalog import Aim, Direction
from backcare.engine.intake import Intake, load_intake, parse_intake
from backcare.engine.plan import Plan, parse_plan, plan_schema, plan_to_json
from backcare.engine.planning import (
    AIM_RULES,
    COURSE_RULES,
    LEVEL_RULES,
    TAG_RULES,
    Content,
    Facts,
    PlanOptions,
    load_content,
    person_tags,
    plan_for,
    plan_with_stats,
    reassessment,
    render_plan,
    rules_markdown,
    visit_dates,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "docs" / "examples"
TODAY = dt.date(2026, 11, 27)  # a Friday
CONTENT = load_content(ROOT / "content")


def example(name: str) -> Intake:
    return load_intake((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def changed(intake: Intake, **parts: dict[str, Any]) -> Intake:
    """The intake with some of its sections' fields replaced."""
    updates = {
        section: dataclasses.replace(getattr(intake, section), **fields)
        for section, fields in parts.items()
    }
    return dataclasses.replace(intake, **updates)


def plan(intake: Intake, content: Content = CONTENT, **options: Any) -> Plan:
    assessment = assess(intake, today=TODAY, content_version=content.version)
    return plan_for(assessment, intake, content, today=TODAY, options=PlanOptions(**options))


def assessed(intake: Intake) -> Assessment:
    return assess(intake, today=TODAY, content_version=CONTENT.version)


def facts(intake: Intake) -> Facts:
    return Facts.of(assessed(intake), intake)


def exercises(p: Plan) -> dict[str, Any]:
    return {
        item.exercise_id: CONTENT.catalog.exercises[item.exercise_id] for item in p.home_programme
    }


ALL_EXAMPLES = sorted(
    path.stem for path in EXAMPLES.glob("*.json") if path.stem.startswith(("example-", "subgroup-"))
)


# --- the examples ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["example-emergency-cauda-equina", "example-urgent-infection", "example-soon-cancer-history"],
)
def test_emergency_urgent_and_soon_give_a_blocked_plan_with_what_to_do(name: str) -> None:
    p = plan(example(name))
    assert p.blocked
    reason = (p.blocked_reason or "").lower()
    assert "doctor" in reason or "emergency" in reason
    assert p.home_programme == () and p.course.visits == () and p.clinic_techniques == ()
    assert p.triage_level.value in p.why[0]


def test_routine_gives_a_plan_with_the_referral_at_its_top() -> None:
    p = plan(example("example-routine-axial-spondyloarthritis"))
    assert not p.blocked
    assert p.referral and p.home_programme
    report = render_plan(p)
    assert report.index("SEE A DOCTOR") < report.index("Home programme")


def test_the_extension_subgroup_gets_extension_exercises_and_no_flexion_ones() -> None:
    p = plan(example("subgroup-extension"))
    chosen = exercises(p)
    assert any(ex.direction is Direction.EXTENSION for ex in chosen.values())
    assert all(ex.direction is not Direction.FLEXION for ex in chosen.values())
    assert p.home_programme[0].direction is Direction.EXTENSION  # the preference comes first


def test_the_flexion_subgroup_gets_flexion_exercises_and_no_extension_ones() -> None:
    p = plan(example("subgroup-flexion"))
    chosen = exercises(p)
    assert any(ex.direction is Direction.FLEXION for ex in chosen.values())
    assert all(ex.direction is not Direction.EXTENSION for ex in chosen.values())
    assert any("works against" in x.reason or "spread" in x.reason for x in p.excluded)


def test_the_press_up_left_out_says_symptoms_spread_with_extension() -> None:
    intake = changed(example("subgroup-flexion"), exam={"peripheralises_with": "extension"})
    p = plan(intake)
    reasons = {x.id: x.reason for x in p.excluded}
    assert "prone-press-up" in reasons
    assert reasons["prone-press-up"].startswith("Press-up lying face down left out")


def test_osteoporosis_never_gets_flexion_even_in_the_flexion_subgroup() -> None:
    intake = changed(
        example("subgroup-flexion"),
        history={"osteoporosis": True},
        preferences={"minutes_per_day": 60, "equipment": None, "avoid_positions": None},
    )
    p = plan(intake)
    assert not p.blocked and p.home_programme
    assert all(item.direction is not Direction.FLEXION for item in p.home_programme)
    reasons = {x.id: x.reason for x in p.excluded}
    assert "not safe" in reasons["curl-up"]
    assert "thin bones" in reasons["counter-forward-lean"]


def test_avoiding_the_floor_leaves_out_every_mat_exercise() -> None:
    p = plan(example("subgroup-flexion"))
    assert all(not ex.on_floor for ex in exercises(p).values())
    assert any("avoid this position" in x.reason for x in p.excluded)


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_every_example_plan_fits_its_time_and_is_a_valid_document(name: str) -> None:
    intake = example(name)
    p = plan(intake)
    budget = intake.preferences.minutes_per_day or PlanOptions().minutes_per_day
    assert p.minutes_per_day == sum(item.minutes_a_day or 0 for item in p.home_programme)
    assert p.minutes_per_day <= budget
    document = json.loads(json.dumps(plan_to_json(p)))
    jsonschema.Draft202012Validator(plan_schema()).validate(document)
    assert parse_plan(document) == p


@pytest.mark.parametrize("name", ALL_EXAMPLES)
def test_visits_are_weekdays_never_two_days_running_and_reviewed_in_week_2_or_3(name: str) -> None:
    p = plan(example(name), start=dt.date(2026, 11, 30))
    visits = p.course.visits
    assert all(v.weekday() < 5 for v in visits)
    assert all((b - a).days >= 2 for a, b in itertools.pairwise(visits))
    if visits:
        assert p.course.reassess_on in visits
        assert 7 <= (p.course.reassess_on - p.start).days <= 20  # type: ignore[operator]


def test_every_plan_includes_prevention_and_education() -> None:
    for name in ALL_EXAMPLES:
        p = plan(example(name))
        if p.blocked:
            continue
        assert p.aims.prevention > 0
        assert {"what-is-back-pain", "flare-up-plan", "keeping-it-away"} <= {
            e.topic_id for e in p.education
        }
        assert "education" in {t.technique_id for t in p.clinic_techniques}


def test_aim_weights_add_up_to_one() -> None:
    for name in ALL_EXAMPLES:
        p = plan(example(name))
        if not p.blocked:
            assert sum(p.aims.of(aim) for aim in Aim) == pytest.approx(1.0)


def test_acute_painful_puts_pain_reduction_first() -> None:
    intake = changed(example("subgroup-extension"), questionnaires={"nprs": 8})
    p = plan(intake)
    assert max(Aim, key=p.aims.of) is Aim.PAIN_REDUCTION
    assert p.home_programme[0].direction is Direction.EXTENSION
    assert all(item.level == 1 for item in p.home_programme)


def test_chronic_with_movement_coordination_problems_weights_strength() -> None:
    p = plan(example("subgroup-stabilization"))
    assert max(Aim, key=p.aims.of) is Aim.STRENGTH
    names = {t.name for t in p.clinic_techniques}
    assert "Motor-control and trunk-strength training" in names


def test_the_same_input_gives_the_same_plan() -> None:
    intake = example("example-physio")
    assert plan(intake) == plan(intake)


def test_the_content_bundle_carries_the_catalog_version() -> None:
    assert CONTENT.version == CONTENT.catalog.version
    assert plan(example("example-physio")).content_version == CONTENT.version


# --- techniques -------------------------------------------------------------------------------


def test_the_manipulation_subgroup_gets_manipulation_with_its_evidence() -> None:
    p = plan(example("subgroup-manipulation"))
    manipulation = next(t for t in p.clinic_techniques if t.technique_id == "manual-manipulation")
    assert manipulation.evidence.apta_2021.value == "recommended"
    assert not manipulation.clinician_option
    assert "manual-mobilisation" not in {t.technique_id for t in p.clinic_techniques}


def test_manipulation_is_left_out_with_anticoagulants_and_mobilisation_offered() -> None:
    conditions = frozenset({"bleeding-disorder-or-anticoagulants", "hypermobility"})
    p = plan(example("subgroup-manipulation"), conditions=conditions)
    ids = {t.technique_id for t in p.clinic_techniques}
    assert "manual-manipulation" not in ids and "manual-mobilisation" in ids
    assert any(x.id == "technique.manipulation" for x in p.excluded)
    mobilisation = next(t for t in p.clinic_techniques if t.technique_id == "manual-mobilisation")
    assert any("bendy joints" in c for c in mobilisation.cautions)


def test_traction_is_only_a_clinician_option_with_the_guidelines_advice() -> None:
    p = plan(example("subgroup-traction"))
    traction = next(t for t in p.clinic_techniques if t.technique_id == "traction")
    assert traction.clinician_option
    assert any(c.startswith("nice_ng59: not_recommended") for c in traction.cautions)


def test_tens_is_only_a_clinician_option_and_ultrasound_is_never_planned() -> None:
    intake = changed(example("subgroup-extension"), questionnaires={"nprs": 8})
    p = plan(intake)
    tens = next(t for t in p.clinic_techniques if t.technique_id == "tens")
    assert tens.clinician_option
    assert "ultrasound" in {x.id for x in p.excluded}


def test_pregnancy_from_the_clinician_rules_out_heat_and_lying_flat_cautions() -> None:
    p = plan(example("subgroup-extension"), conditions=frozenset({"pregnancy"}))
    assert "heat" not in {t.technique_id for t in p.clinic_techniques}
    assert "pregnancy" in (p.conditions or ())


def test_neural_mobilisation_waits_for_the_subacute_stage() -> None:
    acute = example("subgroup-traction")
    later = changed(acute, episode={"days_since_onset": 60})
    assert "Nerve mobilisation (sliders)" not in {t.name for t in plan(acute).clinic_techniques}
    assert "Nerve mobilisation (sliders)" in {t.name for t in plan(later).clinic_techniques}


def test_a_missing_technique_or_topic_in_the_content_is_skipped() -> None:
    thin = Content(CONTENT.catalog, CONTENT.topics[:3], ())
    p = plan(example("subgroup-extension"), content=thin)
    assert p.clinic_techniques == ()
    assert {e.topic_id for e in p.education} <= {t.id for t in CONTENT.topics[:3]}


# --- course -----------------------------------------------------------------------------------


def test_self_care_and_low_risk_get_a_short_course() -> None:
    p = plan(example("example-self-care"))
    assert (p.course.sessions_per_week, p.course.weeks) == (1, 3)
    assert not p.course.psychologically_informed


def test_high_startback_risk_gets_psychologically_informed_care() -> None:
    intake = changed(
        example("subgroup-extension"),
        questionnaires={"startback": {"answers": [True] * 8 + ["extremely"]}},
        preferences={"clinic_sessions_per_week": None},
    )
    intake = parse_intake(json.loads(json.dumps(_as_json(intake))))
    p = plan(intake)
    assert p.course.psychologically_informed
    assert (p.course.sessions_per_week, p.course.weeks) == (2, 6)
    assert "will-it-hurt" in {e.topic_id for e in p.education}


def _as_json(intake: Intake) -> dict[str, Any]:
    raw = json.loads((EXAMPLES / "subgroup-extension.json").read_text(encoding="utf-8"))
    raw["questionnaires"]["startback"] = {"answers": [True] * 8 + ["extremely"]}
    raw["preferences"].pop("clinic_sessions_per_week", None)
    return dict(raw)


def test_options_override_the_course_and_the_intake() -> None:
    p = plan(example("subgroup-extension"), sessions_per_week=3, weeks=5)
    assert (p.course.sessions_per_week, p.course.weeks) == (3, 5)
    assert len(p.course.visits) == 15
    assert any("clinician" in w for w in p.course.why)


def test_the_intake_asks_for_sessions_a_week() -> None:
    p = plan(example("subgroup-lateral-shift"))
    assert p.course.sessions_per_week == 3


def test_no_sessions_means_no_visits_and_a_review_on_day_14() -> None:
    start = dt.date(2026, 11, 30)
    p = plan(example("subgroup-extension"), sessions_per_week=0, start=start)
    assert p.course.visits == ()
    assert p.course.reassess_on == start + dt.timedelta(days=14)


def test_more_sessions_than_weekdays_allow_are_cut_and_said() -> None:
    visits, short = visit_dates(dt.date(2026, 11, 30), 5, 2)
    assert short and len(visits) == 6
    every_day, short = visit_dates(dt.date(2026, 11, 30), 4, 1, weekdays_only=False)
    assert not short and [d.day for d in every_day] == [30, 2, 4, 6]
    p = plan(example("subgroup-extension"), sessions_per_week=5)
    assert any("Fewer visits" in w for w in p.course.why)


def test_a_short_course_is_reviewed_at_its_last_visit() -> None:
    start = dt.date(2026, 11, 30)
    visits, _ = visit_dates(start, 2, 1)
    assert reassessment(start, visits) == visits[-1]


def test_the_start_date_is_the_first_visit_when_it_is_a_weekday() -> None:
    p = plan(example("subgroup-extension"), start=dt.date(2026, 11, 30))
    assert p.course.visits[0] == dt.date(2026, 11, 30)
    saturday = plan(example("subgroup-extension"), start=dt.date(2026, 11, 28))
    assert saturday.course.visits[0] == dt.date(2026, 11, 30)


# --- home programme ---------------------------------------------------------------------------


def test_only_equipment_the_person_has_is_used() -> None:
    p = plan(example("subgroup-extension"))  # a mat only
    for ex in exercises(p).values():
        assert set(ex.equipment) <= {"mat"}
    assert any("equipment you do not have" in x.reason for x in p.excluded)


def test_equipment_not_asked_assumes_household_things_only() -> None:
    intake = changed(example("subgroup-stabilization"), preferences={"equipment": None})
    for ex in exercises(plan(intake)).values():
        assert set(ex.equipment) <= {"mat", "chair", "wall", "towel", "pillow"}


def test_an_exercise_longer_than_the_daily_time_is_left_out() -> None:
    intake = changed(example("subgroup-flexion"), preferences={"minutes_per_day": 5})
    p = plan(intake)
    assert p.minutes_per_day <= 5
    assert any("more than the 5 you have" in x.reason for x in p.excluded)


def test_a_previous_plan_keeps_its_exercises_and_levels() -> None:
    intake = example("subgroup-stabilization")
    first = plan(intake)
    ids = [i.exercise_id for i in first.home_programme]
    assert [i.exercise_id for i in plan(intake, previous=first).home_programme] == ids
    kept = dataclasses.replace(first.home_programme[0], level=2)
    previous = dataclasses.replace(first, home_programme=(kept,))
    again = next(
        i
        for i in plan(intake, previous=previous).home_programme
        if i.exercise_id == kept.exercise_id
    )
    assert again.level == 2
    assert any("previous plan" in w for w in again.why)


def test_continuity_keeps_an_exercise_that_would_not_be_chosen_afresh() -> None:
    intake = example("subgroup-stabilization")
    first = plan(intake)
    fresh = {i.exercise_id for i in first.home_programme}
    left_out = {x.id for x in first.excluded}
    other = next(
        ex
        for ex in CONTENT.catalog.exercises.values()
        if ex.id not in fresh | left_out
        and ex.levels[0].minutes * ex.levels[0].times_a_day <= 5
        and not fresh & {*ex.progresses_to, *ex.regresses_to}  # not a step of a chosen ladder
    )
    item = dataclasses.replace(first.home_programme[0], exercise_id=other.id, level=1)
    second = plan(intake, previous=dataclasses.replace(first, home_programme=(item,)))
    assert other.id in {i.exercise_id for i in second.home_programme}


def test_cautions_for_the_person_are_shown_on_the_exercise() -> None:
    p = plan(example("subgroup-flexion"))
    assert any("Take care" in w for item in p.home_programme for w in item.why)


def test_never_two_steps_of_one_ladder() -> None:
    for name in ALL_EXAMPLES:
        chosen = exercises(plan(example(name)))
        for ex in chosen.values():
            assert not set(ex.progresses_to) & set(chosen)


def test_stats_report_an_optimal_solve() -> None:
    intake = example("example-physio")
    _, stats = plan_with_stats(assessed(intake), intake, CONTENT, today=TODAY)
    assert stats.status == "OPTIMAL" and stats.objective == stats.bound and stats.candidates > 0


# --- the person's conditions and the rule tables ------------------------------------------------


@pytest.mark.parametrize(
    ("parts", "tag"),
    [
        ({"history": {"long_term_steroids": True}}, "long-term-steroids"),
        ({"history": {"recent_spinal_procedure": True}}, "recent-spinal-surgery"),
        ({"exam": {"systolic_bp": 165}}, "uncontrolled-hypertension"),
        ({"exam": {"systolic_bp": 145}}, "hypertension"),
        ({"red_flag_screen": {"leg_weakness": "worsening"}}, "progressive-neuro-deficit"),
        ({"history": {"cancer": "current"}}, "bone-tumour"),
        ({"history": {"cancer": "past"}}, "history-of-cancer"),
        ({"red_flag_screen": {"systemically_unwell": True}}, "systemically-unwell"),
        (
            {"red_flag_screen": {"pain_unchanged_by_position_or_movement": True}},
            "no-mechanical-cause",
        ),
        (
            {"person": {"age": 60}, "episode": {"previous_episodes": 0}},
            "age-under-18-or-over-55-first-episode",
        ),
        ({"history": {"vascular_disease": True}}, "impaired-circulation"),
        ({"history": {"diabetes": True}}, "impaired-sensation"),
        ({"person": {"age": 70}}, "older-adult"),
        ({"episode": {"worse_with": ("bending_backward",)}}, "extension-sensitive"),
        ({"person": {"age": 66}, "episode": {"worse_with": ("walking",)}}, "stenosis"),
        ({"exam": {"peripheralises_with": "flexion"}}, "flexion-sensitive-disc"),
        ({"exam": {"slr_reproduces_leg_pain": True}}, "acute-radiating-pain"),
    ],
)
def test_intake_facts_give_the_person_their_conditions(
    parts: dict[str, dict[str, Any]], tag: str
) -> None:
    base = example("example-physio")
    assert tag in person_tags(facts(changed(base, **parts)))


@pytest.mark.parametrize(
    ("name", "tags"),
    [
        ("example-emergency-cauda-equina", {"cauda-equina-signs", "red-flags-unchecked"}),
        ("example-urgent-infection", {"spinal-infection", "red-flags-unchecked"}),
        ("example-routine-axial-spondyloarthritis", {"inflammatory-disease"}),
    ],
)
def test_triage_flags_give_the_person_their_conditions(name: str, tags: set[str]) -> None:
    assert tags <= set(person_tags(facts(example(name))))


def test_a_fracture_a_cancer_or_a_vascular_flag_is_a_condition() -> None:
    from backcare.engine.triage import Condition, Flag, Level

    base = example("example-physio")
    a = assessed(base)
    for condition, tag in [
        (Condition.FRACTURE, "acute-fracture"),
        (Condition.MALIGNANCY, "bone-tumour"),
        (Condition.VASCULAR, "unstable-aortic-aneurysm"),
    ]:
        flag = Flag("x", condition, Level.ROUTINE, "r", "s")
        triage = dataclasses.replace(a.triage, flags=(flag,))
        assert tag in person_tags(Facts.of(dataclasses.replace(a, triage=triage), base))


def test_clinician_conditions_are_added_with_their_reason() -> None:
    tags = person_tags(facts(example("example-physio")), {"pregnancy"})
    assert tags["pregnancy"] == "your clinician recorded it"


def test_pain_not_known_starts_at_level_one_and_low_pain_one_step_up() -> None:
    unknown = changed(
        example("subgroup-stabilization"), questionnaires={"nprs": None}, episode={"pain_now": None}
    )
    assert {i.level for i in plan(unknown).home_programme} == {1}
    easy = changed(
        example("subgroup-stabilization"),
        questionnaires={"nprs": 2, "odi": None},
        person={"age": 30},
    )
    assert 2 in {i.level for i in plan(easy).home_programme}


def test_severe_disability_and_older_age_start_at_level_one() -> None:
    base = example("subgroup-stabilization")
    rules = {r.id: r for r in LEVEL_RULES}
    odi = {"variant": None, "answers": (5,) * 10}
    severe = changed(base, questionnaires={"nprs": 2, "odi": type(base.questionnaires.odi)(**odi)})
    assert rules["level.severe-disability"].applies(facts(severe))
    older = changed(base, questionnaires={"nprs": 2}, person={"age": 70})
    assert not rules["level.severe-disability"].applies(facts(older))
    assert rules["level.older-adult"].applies(facts(older))
    assert {i.level for i in plan(severe).home_programme} == {1}
    assert {i.level for i in plan(older).home_programme} == {1}


def test_the_middle_pain_band_and_more_disability_start_at_the_default() -> None:
    base = example("subgroup-stabilization")
    mid = changed(base, questionnaires={"nprs": 5})
    first = next(r for r in LEVEL_RULES if r.applies(facts(mid)))
    assert first.id == "level.default"


def test_every_rule_table_has_unique_ids_and_a_source() -> None:
    for table, key in [
        (TAG_RULES, "tag"),
        (AIM_RULES, "id"),
        (LEVEL_RULES, "id"),
        (COURSE_RULES, "id"),
    ]:
        ids = [getattr(rule, key) for rule in table]
        assert len(ids) == len(set(ids))
        assert all(rule.source for rule in table)


def test_the_rules_markdown_lists_every_table() -> None:
    text = rules_markdown()
    for rule in (*TAG_RULES, *AIM_RULES):
        assert (getattr(rule, "id", None) or rule.tag) in text  # type: ignore[attr-defined]
    for heading in (
        "Aim weights",
        "Starting level",
        "Course of care",
        "Clinic techniques",
        "Education schedule",
        "Discharge criteria",
        "objective",
    ):
        assert heading in text
    assert "synthesis" in text


def test_the_report_shows_every_part_of_the_plan() -> None:
    text = render_plan(plan(example("example-physio"), start=dt.date(2026, 11, 30)))
    for part in (
        "Aims",
        "Home programme",
        "Course",
        "visits",
        "review on",
        "Clinic techniques",
        "Education",
        "Left out",
        "Ready to finish when",
        "does not diagnose",
    ):
        assert part in text
    assert "each side" in text or "hold" in text


def test_the_report_of_a_high_risk_plan_says_psychologically_informed() -> None:
    intake = parse_intake(_as_json(example("subgroup-extension")))
    assert "psychologically informed care" in render_plan(plan(intake))


def test_the_report_of_minutes_only_exercises_shows_minutes() -> None:
    intake = changed(example("subgroup-flexion"))
    text = render_plan(plan(intake))
    assert "5 min" in text


def test_exercises_against_the_directional_preference_are_left_out_and_said() -> None:
    intake = changed(
        example("subgroup-extension"),
        exam={"peripheralises_with": None},
        episode={"worse_with": (), "leg_symptoms": "none", "pain_areas": ("low_back",)},
    )
    p = plan(intake)
    reasons = {x.id: x.reason for x in p.excluded}
    assert "works against the direction that eases your pain" in reasons["pelvic-tilt"]


def test_the_report_of_a_blocked_plan_says_no_exercise_plan_yet() -> None:
    text = render_plan(plan(example("example-emergency-cauda-equina")))
    assert "NO EXERCISE PLAN YET" in text and "Home programme" not in text


def test_a_course_without_visits_says_how_the_review_happens() -> None:
    p = plan(example("subgroup-extension"), sessions_per_week=0)
    assert any("phone or message" in w for w in p.course.why)


def test_the_stabilization_subgroup_gets_trunk_control_exercises() -> None:
    from backcare.engine.planning import EMPHASIS_RULES

    plan_ = plan(example("subgroup-stabilization"))
    called_for = EMPHASIS_RULES[0].exercises
    chosen = [item for item in plan_.home_programme if item.exercise_id in called_for]
    assert chosen, [item.exercise_id for item in plan_.home_programme]
    assert any("emphasis.motor-control" in why for why in chosen[0].why)


def test_every_exercise_a_subgroup_calls_for_is_in_the_library() -> None:
    from backcare.engine.planning import EMPHASIS_RULES

    for rule in EMPHASIS_RULES:
        assert rule.exercises <= set(CONTENT.catalog.exercises), rule.id
