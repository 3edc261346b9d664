"""Properties of red-flag triage over generated intakes.

- Adding a red-flag answer never lowers urgency.
- Any cauda-equina feature, whatever else is known, gives an emergency.
- An unknown answer is never read as "no": it is listed as unanswered and the level is never
  less urgent than the same intake with the answer "no".
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from backcare.engine.intake import (
    Area,
    Bladder,
    Cancer,
    CareResponse,
    CareSoFar,
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
from backcare.engine.triage import INCOMPLETE, RED_FLAG_FIELDS, SCREEN, Level, triage

# Each red-flag field with the answer that means "no" and the answers that add a red flag.
# person.age, person.sex and episode.days_since_onset have no "no": they are left out (older is
# not always more urgent: NG65 needs back pain that began before 45; female and male each add a
# different risk factor). They are still checked to be listed when unknown.
ANSWERS: dict[str, tuple[Any, tuple[Any, ...]]] = {
    "red_flag_screen.saddle_numbness": (False, (True,)),
    "red_flag_screen.bladder": (
        Bladder.NORMAL,
        tuple(b for b in Bladder if b is not Bladder.NORMAL),
    ),
    "red_flag_screen.bowel_incontinence": (False, (True,)),
    "red_flag_screen.new_sexual_dysfunction": (False, (True,)),
    "red_flag_screen.leg_weakness": (
        Weakness.NONE,
        (Weakness.STABLE, Weakness.NEW, Weakness.WORSENING),
    ),
    "red_flag_screen.leg_numbness": (Legs.NONE, (Legs.ONE_LEG, Legs.BOTH_LEGS)),
    "red_flag_screen.walking_difficulty_new": (False, (True,)),
    "red_flag_screen.fever_or_chills": (False, (True,)),
    "red_flag_screen.unexplained_weight_loss": (False, (True,)),
    "red_flag_screen.systemically_unwell": (False, (True,)),
    "red_flag_screen.abdominal_pulsation": (False, (True,)),
    "red_flag_screen.thoracic_pain": (False, (True,)),
    "red_flag_screen.pain_unchanged_by_position_or_movement": (False, (True,)),
    "exam.anal_tone_reduced": (False, (True,)),
    "exam.neuro_deficit": (NeuroDeficit.NONE, (NeuroDeficit.ONE_ROOT, NeuroDeficit.SEVERAL_ROOTS)),
    "exam.upper_motor_neuron_signs": (False, (True,)),
    "exam.bruising_or_abrasion": (False, (True,)),
    "exam.structural_deformity": (False, (True,)),
    "exam.pulsatile_abdominal_mass": (False, (True,)),
    "exam.temperature_c": (36.8, (38.0, 39.5)),
    "exam.heart_rate": (72, (101, 130)),
    "exam.systolic_bp": (125, (89, 70)),
    "episode.leg_symptoms": (Legs.NONE, (Legs.ONE_LEG, Legs.BOTH_LEGS)),
    "episode.onset": (Onset.GRADUAL, (Onset.MINOR_TRAUMA, Onset.AFTER_LIFTING, Onset.MAJOR_TRAUMA)),
    "episode.night_pain": (NightPain.NONE, (NightPain.WITH_MOVEMENT, NightPain.CONSTANT)),
    "episode.pain_areas": ((), tuple((a,) for a in Area)),
    "episode.better_with": ((), ((Factor.MOVEMENT,), (Factor.ANTI_INFLAMMATORIES,))),
    "episode.care_so_far.weeks": (0, (4, 12)),
    "episode.care_so_far.response": (
        CareResponse.IMPROVING,
        (CareResponse.NOT_IMPROVING, CareResponse.WORSE),
    ),
    "history.cancer": (Cancer.NONE, (Cancer.PAST, Cancer.CURRENT)),
    **{
        f"history.{name}": (False, (True,))
        for name in (
            "osteoporosis",
            "long_term_steroids",
            "immunosuppressed",
            "iv_drug_use",
            "diabetes",
            "recent_bacterial_infection",
            "recent_spinal_procedure",
            "smoker",
            "vascular_disease",
            "family_history_spondyloarthritis",
            "psoriasis",
        )
    },
}

# Every cauda-equina feature that alone is an emergency (§2.3 rule 2).
CES_FEATURES: tuple[tuple[str, Any], ...] = (
    ("red_flag_screen.saddle_numbness", True),
    ("red_flag_screen.bladder", Bladder.RETENTION),
    ("red_flag_screen.bladder", Bladder.INCONTINENCE),
    ("red_flag_screen.bladder", Bladder.REDUCED_SENSATION),
    ("red_flag_screen.bladder", Bladder.HESITANCY),
    ("red_flag_screen.bowel_incontinence", True),
    ("red_flag_screen.new_sexual_dysfunction", True),
    ("red_flag_screen.leg_weakness", Weakness.NEW),
    ("red_flag_screen.leg_weakness", Weakness.WORSENING),
    ("red_flag_screen.leg_numbness", Legs.BOTH_LEGS),
    ("red_flag_screen.walking_difficulty_new", True),
    ("exam.anal_tone_reduced", True),
)

EXAMPLES = settings(max_examples=200, deadline=None)


def with_value(intake: Intake, path: str, value: Any) -> Intake:
    """The intake with one dotted field set (a missing care_so_far is created)."""

    def put(obj: Any, names: list[str]) -> Any:
        if len(names) == 1:
            return dataclasses.replace(obj, **{names[0]: value})
        child = getattr(obj, names[0])
        if child is None:
            child = CareSoFar()
        return dataclasses.replace(obj, **{names[0]: put(child, names[1:])})

    return put(intake, path.split("."))


def rank(intake: Intake) -> int:
    return triage(intake).level.rank


@st.composite
def intakes(draw: st.DrawFn) -> Intake:
    """Intakes with any mix of unknown, "no" and red-flag answers in every field triage reads.

    How often an answer is unknown or a red flag is drawn per intake, so that quiet intakes
    (no flag at all, where physio and self-care are decided) are as common as busy ones.
    """
    unknown = draw(st.sampled_from([0, 10, 50]))
    flagged = draw(st.sampled_from([0, 2, 5, 20]))
    result = Intake()
    for path, (no, yes_values) in ANSWERS.items():
        roll = draw(st.integers(0, 99))
        if roll < unknown:
            value = None
        elif roll < unknown + flagged:
            value = draw(st.sampled_from(yes_values))
        else:
            value = no
        result = with_value(result, path, value)
    extra: dict[str, st.SearchStrategy[Any]] = {
        "person.age": st.integers(16, 100),
        "person.sex": st.sampled_from(list(Sex)),
        "episode.days_since_onset": st.integers(0, 4000),
        "episode.trend": st.sampled_from(list(Trend)),
        "episode.previous_episodes": st.integers(0, 5),
        "episode.leg_pain_now": st.integers(0, 10),
        "episode.daily_activities_hard": st.booleans(),
        "preferences.wants_drug_free_care": st.booleans(),
    }
    for path, values in extra.items():
        result = with_value(result, path, draw(st.none() | values))
    if result.episode.care_so_far == CareSoFar() and draw(st.booleans()):
        result = with_value(result, "episode.care_so_far", None)  # care not asked at all
    return result


def test_the_answer_table_covers_every_red_flag_field_but_age_sex_and_duration() -> None:
    assert set(ANSWERS) | {"person.age", "person.sex", "episode.days_since_onset"} == set(
        RED_FLAG_FIELDS
    )


@EXAMPLES
@given(intakes())
def test_adding_a_red_flag_answer_never_lowers_urgency(intake: Intake) -> None:
    # Every field and every red-flag answer, on each generated intake.
    for path, (no, yes_values) in ANSWERS.items():
        with_no = rank(with_value(intake, path, no))
        with_unknown = rank(with_value(intake, path, None))
        for yes in yes_values:
            with_yes = rank(with_value(intake, path, yes))
            assert with_yes <= with_no, (path, yes)
            assert with_yes <= with_unknown, (path, yes)


@EXAMPLES
@given(intakes(), st.sampled_from(CES_FEATURES))
def test_any_cauda_equina_feature_gives_an_emergency_whatever_else_is_known(
    intake: Intake, feature: tuple[str, Any]
) -> None:
    result = triage(with_value(intake, *feature))
    assert result.level is Level.EMERGENCY
    assert any(f.condition == "cauda_equina" for f in result.flags)


@EXAMPLES
@given(intakes())
def test_an_unknown_answer_is_listed_and_never_less_urgent_than_no(intake: Intake) -> None:
    for path, (no, _yes_values) in ANSWERS.items():
        unknown = triage(with_value(intake, path, None))
        assert path in unknown.unanswered
        assert unknown.level.rank <= rank(with_value(intake, path, no)), path


@EXAMPLES
@given(intakes(), st.sampled_from([q for q in SCREEN if q.cauda_equina]))
def test_an_unknown_cauda_equina_answer_makes_the_screen_incomplete_and_says_what_to_ask(
    intake: Intake, question: Any
) -> None:
    result = triage(with_value(intake, question.path, None))
    assert result.incomplete is not None
    assert question.ask in result.incomplete
    assert result.advice.startswith(INCOMPLETE)
    assert result.level is not Level.SELF_CARE


@EXAMPLES
@given(intakes(), st.sampled_from(["person.age", "person.sex", "episode.days_since_onset"]))
def test_unknown_age_sex_and_duration_are_listed(intake: Intake, path: str) -> None:
    assert path in triage(with_value(intake, path, None)).unanswered


@EXAMPLES
@given(intakes())
def test_unanswered_is_exactly_the_unknown_red_flag_fields_and_the_level_is_the_top_flag(
    intake: Intake,
) -> None:
    result = triage(intake)
    care = intake.episode.care_so_far

    def known(path: str) -> bool:
        obj: Any = intake
        for name in path.split("."):
            obj = getattr(obj, name) if obj is not None else None
        return obj is not None

    assert result.unanswered == tuple(p for p in RED_FLAG_FIELDS if not known(p))
    if care is None:
        assert "episode.care_so_far.weeks" in result.unanswered
    if result.flags:
        assert result.level is result.flags[0].level
        assert [f.level.rank for f in result.flags] == sorted(f.level.rank for f in result.flags)
    else:
        assert result.level in (Level.PHYSIO, Level.SELF_CARE)
        assert result.reasons
    assert result.advice == " ".join(result.advice_parts)
