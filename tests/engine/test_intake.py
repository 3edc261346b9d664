"""The intake document: what is accepted, what is refused, and how problems are named."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from backcare.engine.intake import (
    INTAKE_FORMAT,
    Area,
    Bladder,
    Bothersome,
    OdiVariant,
    intake_schema,
    load_intake,
    parse_intake,
)
from backcare.engine.validation import Int, InvalidDocument, Problem, parse_document, spec

EXAMPLES = sorted((Path(__file__).parents[2] / "docs" / "examples").glob("*.json"))


def problems_of(doc: Any) -> list[str]:
    with pytest.raises(InvalidDocument) as caught:
        parse_intake(doc)
    return [str(p) for p in caught.value.problems]


def doc(**fields: Any) -> dict[str, Any]:
    return {"format": INTAKE_FORMAT, **fields}


def test_format_alone_is_a_valid_intake_with_everything_unknown() -> None:
    intake = parse_intake(doc())
    assert intake.person.age is None
    assert intake.red_flag_screen.saddle_numbness is None
    assert intake.episode.pain_areas is None
    assert intake.questionnaires.odi is None


def test_format_is_required() -> None:
    assert problems_of({}) == ["format: nothing is not allowed; this field is required"]


def test_format_may_not_be_null_or_another_version() -> None:
    assert problems_of({"format": None}) == ["format: null is not allowed; this field is required"]
    assert problems_of({"format": "backcare-intake/2"}) == [
        'format: "backcare-intake/2" is not allowed; allowed: "backcare-intake/1" '
        "(this is a different kind of document)"
    ]


def test_another_kind_of_document_is_named_once_without_its_fields() -> None:
    plan_like = {"format": "backcare-plan/1", "aims": {}, "course": {}, "why": []}
    assert problems_of(plan_like) == [
        'format: "backcare-plan/1" is not allowed; allowed: "backcare-intake/1" '
        "(this is a different kind of document)"
    ]


def test_a_document_must_be_an_object() -> None:
    assert problems_of([1, 2]) == [
        "(document): [1, 2] is not allowed; allowed: an object with named fields"
    ]


def test_null_means_unknown_not_no() -> None:
    intake = parse_intake(doc(red_flag_screen={"saddle_numbness": None, "bladder": "normal"}))
    assert intake.red_flag_screen.saddle_numbness is None
    assert intake.red_flag_screen.bladder is Bladder.NORMAL


def test_a_null_section_is_the_same_as_an_absent_one() -> None:
    assert parse_intake(doc(person=None)) == parse_intake(doc())


def test_a_present_list_is_complete_and_kept_in_order() -> None:
    intake = parse_intake(doc(episode={"pain_areas": ["low_back", "thigh"]}))
    assert intake.episode.pain_areas == (Area.LOW_BACK, Area.THIGH)


def test_unknown_fields_are_named_with_the_allowed_ones() -> None:
    [line] = problems_of(doc(person={"age": 40, "height": 180}))
    assert line == "person.height: 180 is not allowed; unknown field; allowed: age, sex"


def test_out_of_range_answers_name_the_range() -> None:
    assert problems_of(doc(episode={"pain_now": 11})) == [
        "episode.pain_now: 11 is not allowed; allowed: a whole number from 0 to 10"
    ]


def test_true_is_not_a_number_and_a_number_is_not_true() -> None:
    assert problems_of(doc(questionnaires={"nprs": True})) == [
        "questionnaires.nprs: true is not allowed; allowed: a whole number from 0 to 10"
    ]
    assert problems_of(doc(red_flag_screen={"saddle_numbness": 1})) == [
        "red_flag_screen.saddle_numbness: 1 is not allowed; "
        "allowed: true or false (or null when not known)"
    ]


def test_a_whole_number_written_with_a_decimal_point_is_accepted() -> None:
    assert parse_intake(doc(questionnaires={"nprs": 6.0})).questionnaires.nprs == 6
    assert problems_of(doc(questionnaires={"nprs": 6.5})) == [
        "questionnaires.nprs: 6.5 is not allowed; allowed: a whole number from 0 to 10"
    ]


def test_decimal_fields_accept_whole_numbers_and_refuse_nan_and_text() -> None:
    assert parse_intake(doc(exam={"temperature_c": 38})).exam.temperature_c == 38.0
    assert problems_of(doc(exam={"temperature_c": "38"})) == [
        'exam.temperature_c: "38" is not allowed; allowed: a number from 30 to 45'
    ]
    assert problems_of(doc(exam={"temperature_c": float("nan")})) == [
        "exam.temperature_c: NaN is not allowed; allowed: a number from 30 to 45"
    ]


def test_enumerations_list_what_is_allowed() -> None:
    [line] = problems_of(doc(red_flag_screen={"bladder": "leaking"}))
    assert line == (
        'red_flag_screen.bladder: "leaking" is not allowed; '
        "allowed: normal, retention, incontinence, reduced_sensation, hesitancy"
    )
    [line] = problems_of(doc(person={"sex": 1}))
    assert line.startswith("person.sex: 1 is not allowed; allowed: female, male, other")


def test_list_items_are_named_by_position() -> None:
    assert problems_of(doc(episode={"pain_areas": ["low_back", "knee"]}))[0].startswith(
        'episode.pain_areas[1]: "knee" is not allowed'
    )


def test_a_list_may_not_repeat_an_entry_or_hold_null() -> None:
    assert problems_of(doc(episode={"worse_with": ["sitting", "sitting"]})) == [
        'episode.worse_with: ["sitting", "sitting"] is not allowed; allowed: each entry at most once'
    ]
    assert problems_of(doc(goals=["walk", None])) == [
        "goals[1]: null is not allowed; this list may not hold null"
    ]


def test_wrong_answer_counts_are_reported() -> None:
    assert problems_of(doc(questionnaires={"odi": {"answers": [1, 2, 3]}})) == [
        "questionnaires.odi.answers: a list of 3 entries is not allowed; "
        "allowed: a list of exactly 10 entries"
    ]
    assert problems_of(doc(questionnaires={"rmdq": {"answers": "yes"}})) == [
        'questionnaires.rmdq.answers: "yes" is not allowed; allowed: a list of exactly 24 entries'
    ]


def test_odi_sections_may_be_unanswered_but_not_out_of_range() -> None:
    answers = [2, 1, 3, 2, 2, 1, 1, None, 2, 1]
    odi = parse_intake(doc(questionnaires={"odi": {"variant": "2.1a", "answers": answers}}))
    assert odi.questionnaires.odi is not None
    assert odi.questionnaires.odi.variant is OdiVariant.V21A
    assert odi.questionnaires.odi.answers == tuple(answers)
    assert problems_of(doc(questionnaires={"odi": {"answers": [6] + [0] * 9}})) == [
        "questionnaires.odi.answers[0]: 6 is not allowed; allowed: a whole number from 0 to 5"
    ]


def test_an_unanswered_section_beside_a_wrong_one_reports_only_the_wrong_one() -> None:
    answers = [None, 7, 1, 1, 1, 1, 1, 1, 1, 1]
    assert problems_of(doc(questionnaires={"odi": {"answers": answers}})) == [
        "questionnaires.odi.answers[1]: 7 is not allowed; allowed: a whole number from 0 to 5"
    ]


def test_only_dataclasses_without_slots_can_be_parsed() -> None:
    @dataclasses.dataclass(frozen=True, slots=True)
    class Slotted:
        n: int | None = dataclasses.field(default=None, metadata=spec(Int(0, 1)))

    with pytest.raises(TypeError, match="without slots"):
        parse_document(Slotted, {"n": 1})


def test_a_field_declared_not_nullable_refuses_null() -> None:
    @dataclasses.dataclass(frozen=True)
    class Strict:
        n: int = dataclasses.field(default=0, metadata=spec(Int(0, 1), nullable=False))

    assert parse_document(Strict, {}).n == 0
    with pytest.raises(InvalidDocument) as caught:
        parse_document(Strict, {"n": None})
    assert [str(p) for p in caught.value.problems] == [
        "n: null is not allowed; this field may not be null"
    ]


def test_odi_answers_are_required_when_the_odi_is_given() -> None:
    assert problems_of(doc(questionnaires={"odi": {"variant": "modified"}})) == [
        "questionnaires.odi.answers: nothing is not allowed; this field is required"
    ]


def test_start_back_takes_eight_yes_no_answers_and_a_bothersomeness_scale() -> None:
    answers = [True, False, True, True, False, False, True, None, "moderately"]
    intake = parse_intake(doc(questionnaires={"startback": {"answers": answers}}))
    assert intake.questionnaires.startback is not None
    assert intake.questionnaires.startback.answers == (
        True, False, True, True, False, False, True, None, Bothersome.MODERATELY,
    )  # fmt: skip
    assert problems_of(doc(questionnaires={"startback": {"answers": [True] * 9}})) == [
        "questionnaires.startback.answers[8]: true is not allowed; "
        "allowed: not_at_all, slightly, moderately, very_much, extremely"
    ]
    assert problems_of(doc(questionnaires={"startback": {"answers": [True] * 8}}))[0].endswith(
        "allowed: a list of exactly 9 entries"
    )
    assert problems_of(doc(questionnaires={"startback": {"answers": 3}}))[0].endswith(
        "allowed: a list of exactly 9 entries"
    )


def test_psfs_activities_need_a_name_and_a_score_in_range() -> None:
    problems = problems_of(
        doc(questionnaires={"psfs": [{"score": 3}, {"activity": " ", "score": 11}]})
    )
    assert problems == [
        "questionnaires.psfs[0].activity: nothing is not allowed; this field is required",
        'questionnaires.psfs[1].activity: " " is not allowed; allowed: text of 1 to 120 characters, without control characters',
        "questionnaires.psfs[1].score: 11 is not allowed; allowed: a whole number from 0 to 10",
    ]
    assert problems_of(doc(questionnaires={"psfs": []})) == [
        "questionnaires.psfs: a list of 0 entries is not allowed; allowed: a list of 1 to 5 entries"
    ]


def test_fabq_takes_answers_or_subscales_but_not_both() -> None:
    assert parse_intake(doc(questionnaires={"fabq": {"physical_activity": 15, "work": 12}}))
    assert problems_of(doc(questionnaires={"fabq": {"answers": [0] * 16, "work": 12}})) == [
        "questionnaires.fabq: answers and subscale scores is not allowed; "
        "allowed: the answers or the subscale scores, not both"
    ]


def test_dates_must_be_real_iso_dates() -> None:
    assert parse_intake(doc(assessed_on="2026-11-27")).assessed_on == dt.date(2026, 11, 27)
    for bad in ("2026-02-30", "27/11/2026", "1850-01-01", 20261127):
        assert problems_of(doc(assessed_on=bad)) == [
            f"assessed_on: {json.dumps(bad)} is not allowed; "
            "allowed: a date written YYYY-MM-DD, from 1900-01-01 to 2999-12-31"
        ]


def test_every_problem_is_reported_at_once() -> None:
    problems = problems_of(
        doc(person={"age": 7}, episode={"pain_now": -1}, exam={"heart_rate": "fast"}, extra=1)
    )
    assert [p.split(":")[0] for p in problems] == [
        "person.age",
        "episode.pain_now",
        "exam.heart_rate",
        "extra",
    ]


def test_long_values_are_shortened_in_messages() -> None:
    [line] = problems_of(doc(id="x" * 300))
    assert '..."' not in line
    assert "..." in line
    assert len(line) < 160


def test_bad_json_is_a_problem_not_a_crash() -> None:
    with pytest.raises(InvalidDocument) as caught:
        load_intake('{"format": ')
    [problem] = caught.value.problems
    assert problem.path == ""
    assert problem.allowed.startswith("allowed: a JSON document")
    with pytest.raises(InvalidDocument):
        load_intake(b"")
    with pytest.raises(InvalidDocument):
        load_intake(b"\xff\xfe not json")


def test_a_problem_reads_as_one_line() -> None:
    assert str(Problem("a.b", 3, "allowed: 1")) == "a.b: 3 is not allowed; allowed: 1"


def test_the_schema_describes_the_same_document_the_parser_reads() -> None:
    schema = intake_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    good = doc(
        person={"age": 47, "sex": "female"},
        questionnaires={
            "odi": {"answers": [1, None, 2, 3, 0, 1, 2, 3, 4, 5]},
            "startback": {"answers": [True] * 8 + ["very_much"]},
            "fabq": {"physical_activity": 15, "work": 12},
        },
    )
    assert list(validator.iter_errors(good)) == []
    parse_intake(good)
    for bad in (
        doc(person={"age": 121}),
        doc(questionnaires={"startback": {"answers": [True] * 9}}),
        doc(episode={"pain_areas": ["low_back", "low_back"]}),
        doc(unknown=1),
        doc(questionnaires={"fabq": {"answers": [1] * 16, "work": 3}}),
        {"format": "backcare-intake/9"},
    ):
        assert list(validator.iter_errors(bad)), bad
        with pytest.raises(InvalidDocument):
            parse_intake(bad)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_bundled_example_is_valid(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    jsonschema.validate(json.loads(text), intake_schema())
    assert load_intake(text).format == INTAKE_FORMAT


def test_text_with_a_control_character_or_a_lone_surrogate_is_refused_by_name() -> None:
    """A NUL cannot be stored (PostgreSQL refuses it) and a lone surrogate is not a character:
    schemathesis found both reaching the database through the API."""
    for bad in ("Lift\x00ing", "Lift\ud800ing", "\x1b[31mred"):
        document = {
            "format": "backcare-intake/1",
            "questionnaires": {"psfs": [{"activity": bad, "score": 4}]},
        }
        with pytest.raises(InvalidDocument) as refused:
            parse_intake(document)
        assert "questionnaires.psfs[0].activity" in str(refused.value)
        assert "without control characters" in str(refused.value)
    fine = parse_intake(
        {
            "format": "backcare-intake/1",
            "questionnaires": {"psfs": [{"activity": "Tying\tshoes 😀", "score": 4}]},
        }
    )
    assert fine.questionnaires.psfs[0].activity == "Tying\tshoes 😀"
