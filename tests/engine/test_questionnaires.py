"""Questionnaire content files and the clinic's licensed-wording overlay."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from backcare.engine.intake import Bothersome, OdiVariant
from backcare.engine.questionnaires import (
    LICENSED_FORMAT,
    SUMMARY_LABEL,
    AnswerOption,
    QuestionnaireError,
    Wording,
    load_questionnaires,
)
from backcare.engine.scoring import ITEM_COUNT, Instrument

CONTENT = Path(__file__).parents[2] / "content" / "questionnaires"
ALL_IDS = {"nprs", "odi", "odi_modified", "rmdq", "startback", "psfs", "fabq"}


def problems(content: Path, licensed: Path | None = None) -> list[str]:
    with pytest.raises(QuestionnaireError) as caught:
        load_questionnaires(content, licensed)
    return [str(p) for p in caught.value.problems]


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """A copy of the real content folder that a test may break."""
    folder = tmp_path / "questionnaires"
    shutil.copytree(CONTENT, folder)
    return folder


def licensed_odi(items: str = "", extra: str = "", options: bool = True) -> str:
    """A licensed-wording file for the ODI with placeholder (not real) official texts."""
    lines = [
        f'format = "{LICENSED_FORMAT}"',
        'licensee = "Riverside Physio"',
        "",
        "[odi]",
        'licence_holder = "Mapi Research Trust"',
        'licence_reference = "ODI-2026-0042"',
        'title = "Official ODI title"',
        'instructions = "Official instructions."',
        extra,
    ]
    for n in range(1, 11):
        lines += ["", f'[odi.items."odi.{n}"]', f'text = "Official heading {n}"']
        if options:
            lines.append("options = [" + ", ".join(f'"Official {n}.{v}"' for v in range(6)) + "]")
    return "\n".join(lines) + "\n" + items


# --- our content ----------------------------------------------------------------------------


def test_every_instrument_loads_with_our_summaries_labelled_as_ours() -> None:
    found = load_questionnaires(CONTENT)
    assert set(found) == ALL_IDS
    for q in found.values():
        assert q.wording is Wording.SUMMARY and q.licence is None
        assert "not the validated wording" in q.wording_note
        assert q.licence_holder and q.licence_note and q.recall_period
        assert len(q.items) == ITEM_COUNT[q.instrument]
        for item in q.items:
            assert item.wording is Wording.SUMMARY
            assert item.label == SUMMARY_LABEL
            assert q.options_for(item)


def test_item_ids_follow_the_positions_that_scoring_reads() -> None:
    odi = load_questionnaires(CONTENT)["odi"]
    assert [item.id for item in odi.items] == [f"odi.{n}" for n in range(1, 11)]
    assert [item.number for item in odi.items] == list(range(1, 11))


def test_odi_sections_carry_six_answer_summaries_scored_0_to_5() -> None:
    found = load_questionnaires(CONTENT)
    for key, variant in (("odi", OdiVariant.V21A), ("odi_modified", OdiVariant.MODIFIED)):
        q = found[key]
        assert q.instrument is Instrument.ODI and q.variant is variant
        for item in q.items:
            assert [o.value for o in item.options] == [0, 1, 2, 3, 4, 5]
    assert "Sex life" in found["odi"].items[7].text
    assert "Work" in found["odi_modified"].items[7].text


def test_licence_holders_are_named_from_clinical_facts() -> None:
    found = load_questionnaires(CONTENT)
    assert "Fairbank" in found["odi"].licence_holder
    assert "Mapi Research Trust" in found["odi_modified"].licence_holder
    assert "Keele University" in found["startback"].licence_holder


def test_startback_item_9_offers_the_five_point_scale_of_the_intake() -> None:
    startback = load_questionnaires(CONTENT)["startback"]
    nine = startback.items[8]
    assert [o.value for o in startback.options_for(nine)] == [b.value for b in Bothersome]
    assert [o.value for o in startback.options_for(startback.items[0])] == [False, True]


# --- the licensed wording --------------------------------------------------------------------


def test_licensed_wording_replaces_our_summaries_and_is_labelled_official(tmp_path: Path) -> None:
    licensed = tmp_path / "licensed.toml"
    licensed.write_text(licensed_odi(), encoding="utf-8")
    found = load_questionnaires(CONTENT, licensed)
    odi = found["odi"]
    assert odi.wording is Wording.LICENSED
    assert odi.name == "Official ODI title" and odi.instructions == "Official instructions."
    assert odi.licence is not None
    assert (odi.licence.holder, odi.licence.reference) == ("Mapi Research Trust", "ODI-2026-0042")
    assert odi.licence.licensee == "Riverside Physio" and odi.licence.file == str(licensed)
    first = odi.items[0]
    assert first.text == "Official heading 1" and first.wording is Wording.LICENSED
    assert (
        first.label == "official wording, licensed from Mapi Research Trust (licence ODI-2026-0042)"
    )
    assert first.options[2] == AnswerOption(2, "Official 1.2")
    # Scoring reads positions and values, which the overlay keeps.
    summary = load_questionnaires(CONTENT)["odi"]
    assert [(i.id, i.number) for i in odi.items] == [(i.id, i.number) for i in summary.items]
    assert [[o.value for o in i.options] for i in odi.items] == [
        [o.value for o in i.options] for i in summary.items
    ]
    # Instruments the file does not cover keep our summaries.
    assert found["rmdq"].wording is Wording.SUMMARY


def test_licensed_wording_for_shared_answer_options(tmp_path: Path) -> None:
    texts = ", ".join(f'"Official {v}"' for v in range(7))
    items = "\n".join(f'[fabq.items."fabq.{n}"]\ntext = "Official {n}"' for n in range(1, 17))
    licensed = tmp_path / "licensed.toml"
    licensed.write_text(
        f'format = "{LICENSED_FORMAT}"\nlicensee = "Clinic"\n\n[fabq]\n'
        f'licence_holder = "Authors"\nlicence_reference = "free"\nversion = "16-item"\n'
        f"options = [{texts}]\n\n{items}\n",
        encoding="utf-8",
    )
    fabq = load_questionnaires(CONTENT, licensed)["fabq"]
    assert fabq.options[6] == AnswerOption(6, "Official 6")
    assert fabq.name == "Fear-Avoidance Beliefs Questionnaire (FABQ)"  # no title given
    assert fabq.instructions is None


# --- problems are named by file, field and what is allowed -----------------------------------


def test_empty_folder_is_an_error(tmp_path: Path) -> None:
    assert problems(tmp_path) == [
        f"{tmp_path}: (folder): no questionnaire files; allowed: <id>.toml"
    ]


def test_content_that_is_not_toml_names_the_file(content: Path) -> None:
    (content / "nprs.toml").write_text("id = ", encoding="utf-8")
    [problem] = problems(content)
    assert problem.startswith(f"{content / 'nprs.toml'}: (file): is not valid TOML")


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("nprs", 'wording = "summary"', 'wording = "licensed"',
         'wording: "licensed" is not allowed here; allowed: "summary"'),
        ("nprs", 'id = "nprs"', 'id = "pain"',
         'id: "pain" differs from the file name; allowed: "nprs"'),
        ("nprs", 'instrument = "nprs"', 'instrument = "vas"',
         'instrument: "vas" is unknown; allowed: nprs, odi, rmdq, startback, psfs, fabq'),
        ("nprs", 'recall_period = "now"', 'recall_period = 3',
         "recall_period: allowed: text of 1 to 2000 characters"),
        ("nprs", 'recall_period = "now"', 'recall_when = "now"',
         "recall_when: unknown field; allowed: id, instrument"),
        ("nprs", 'recall_period = "now"', "", "recall_period: missing; this field is required"),
        ("nprs", 'instrument = "nprs"', "", "instrument: missing; this field is required"),
        ("nprs", 'text = "How bad is your back pain right now?"', f'text = "{"x" * 81}"',
         "items[0].text: allowed: text of 1 to 80 characters"),
        ("nprs", 'id = "nprs.1"', 'id = "nprs.2"',
         'items[0].id: "nprs.2" is out of place; allowed: "nprs.1"'),
        ("nprs", "{ value = 10, text", "{ value = 10.5, text",
         "options[10].value: allowed: a whole number, true, false or a text"),
        ("nprs", "{ value = 10, text", "{ text",
         "options[10].value: missing; this field is required"),
        ("nprs", "{ value = 10, text", "{ value = 11, text",
         "options: values for nprs.1 are [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11]; allowed: exactly "
         "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], in this order"),
        ("rmdq", "{ value = false,", '{ value = "no",',
         'options: values for rmdq.1 are ["no", true]; allowed: exactly [false, true]'),
        ("startback", '{ value = "extremely", text = "extremely" },', "",
         "items[8].options: values for startback.9 are"),
        ("psfs", "options = [", "options = 3\nold = [", "options: allowed: a list of tables"),
        ("odi", 'variant = "2.1a"\n', "", "variant: missing; allowed for the ODI: 2.1a, modified"),
        ("odi", 'variant = "2.1a"', 'variant = "3.0"', 'variant: "3.0" is unknown'),
        ("nprs", 'instrument = "nprs"', 'instrument = "nprs"\nvariant = "2.1a"',
         "variant: allowed only for the ODI; remove it"),
        ("fabq", '[[items]]\nid = "fabq.16"\ntext = "I doubt I will ever go back to that work"', "",
         "items: 15 given; allowed: exactly 16 for fabq"),
    ],
    ids=[
        "official_wording_in_content", "id_not_file_name", "unknown_instrument", "number_as_text",
        "unknown_field", "missing_field", "missing_instrument", "summary_too_long", "item_out_of_place",
        "option_value_float", "option_value_missing", "option_values_wrong",
        "option_value_type_wrong", "item_9_option_missing", "options_not_a_list",
        "odi_without_variant", "unknown_variant", "variant_outside_odi", "item_missing",
    ],
)  # fmt: skip
def test_content_problems_name_the_file_the_field_and_what_is_allowed(
    content: Path, file: str, old: str, new: str, expected: str
) -> None:
    _edit(content / f"{file}.toml", old, new)
    found = problems(content)
    assert any(p.startswith(f"{content / file}.toml: {expected}") for p in found), found


def test_every_problem_is_reported_at_once(content: Path) -> None:
    _edit(content / "nprs.toml", 'wording = "summary"', 'wording = "licensed"')
    _edit(content / "rmdq.toml", 'recall_period = "today"', "")
    assert len(problems(content)) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (licensed_odi().replace(LICENSED_FORMAT, "v0"),
         f'format: "v0" given; allowed: "{LICENSED_FORMAT}"'),
        (licensed_odi().replace('licensee = "Riverside Physio"\n', ""),
         "licensee: missing; the clinic that holds the licence is required"),
        (licensed_odi() + '\n[oswestry]\ntext = "x"\n',
         "oswestry: unknown; allowed: format, licensee, or a questionnaire id: fabq, nprs, odi"),
        ('format = "backcare-licensed-wording/1"\nlicensee = "C"\nodi = 3\n',
         "odi: allowed: a table [odi]"),
        (licensed_odi().replace('licence_reference = "ODI-2026-0042"\n', ""),
         "odi.licence_reference: missing; this field is required"),
        (licensed_odi(extra='version = "2.0"'),
         'odi.version: "2.0" given; allowed: "2.1a" (the version scored)'),
        (licensed_odi(extra="copyright = 1980"), "odi.copyright: unknown field; allowed:"),
        (licensed_odi(items='[odi.items."odi.11"]\ntext = "x"\n'),
         "odi.items.odi.11: unknown item; allowed: odi.1 to odi.10"),
        (re.sub(r'\[odi.items."odi.3"\]\n.*\n.*\n', "", licensed_odi()),
         "odi.items.odi.3: missing; the official wording of every item is required"),
        (licensed_odi(options=False),
         "odi.items.odi.1.options: missing; allowed: a list of 6 texts for the values "
         "[0, 1, 2, 3, 4, 5]"),
        (licensed_odi().replace('"Official 1.5"]', '"Official 1.5", "seventh"]'),
         "odi.items.odi.1.options: [\"Official 1.0\", \"Official 1.1\", \"Official 1.2\", "
         "\"Official 1.3\", \"Official 1.4\", \"Official 1.5\", \"seventh\"] given; allowed: a "
         "list of exactly 6 texts"),
        (licensed_odi().replace('"Official 1.5"]', '" "]'),
         "odi.items.odi.1.options: [\"Official 1.0\", \"Official 1.1\", \"Official 1.2\", "
         "\"Official 1.3\", \"Official 1.4\", \" \"] given"),
        (licensed_odi(extra='options = ["a"]'),
         "odi.options: not allowed: this has no answer options of its own"),
        ('format = "backcare-licensed-wording/1"\nlicensee = "C"\n[odi]\nlicence_holder = "M"\n'
         'licence_reference = "R"\nitems = 3\n',
         'odi.items: allowed: a table of items keyed by item id ("odi.1")'),
        ("format = [", "(file): is not valid TOML"),
    ],
    ids=[
        "wrong_format", "no_licensee", "unknown_instrument", "instrument_not_a_table",
        "no_licence_reference", "other_version", "unknown_field", "unknown_item", "item_missing",
        "options_missing", "seven_options", "blank_option", "options_where_none_are_ours",
        "items_not_a_table", "not_toml",
    ],
)  # fmt: skip
def test_licensed_file_problems_name_the_file_the_field_and_what_is_allowed(
    tmp_path: Path, text: str, expected: str
) -> None:
    licensed = tmp_path / "licensed.toml"
    licensed.write_text(text, encoding="utf-8")
    found = problems(CONTENT, licensed)
    assert any(p.startswith(f"{licensed}: {expected}") for p in found), found


def test_a_missing_licensed_file_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.toml"
    [problem] = problems(CONTENT, missing)
    assert problem.startswith(f"{missing}: (file): cannot be read (No such file or directory)")


def test_licensed_file_is_not_read_when_content_is_broken(content: Path, tmp_path: Path) -> None:
    _edit(content / "nprs.toml", 'wording = "summary"', 'wording = "licensed"')
    [problem] = problems(content, tmp_path / "nowhere.toml")
    assert "nprs.toml: wording" in problem
