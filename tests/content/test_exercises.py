"""The exercise library: the real content, and the checks that keep it honest.

The first half asserts claims about content/ itself; the second half writes small broken
catalogs to tmp_path and checks that each fault is reported, naming the file and the field.
"""

from __future__ import annotations

import graphlib
import itertools
import json
import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from backcare.engine.catalog import (
    REQUIRED_GROUPS,
    SAFETY_RULES,
    Aim,
    Catalog,
    CatalogError,
    Direction,
    Gap,
    Position,
    PositionGroup,
    check_catalog,
    content_version,
    coverage_markdown,
    coverage_table,
    exercise_schema,
    gaps_markdown,
    load_catalog,
    rules_markdown,
)
from backcare.engine.intake import AvoidPosition, Equipment

# --- the real library ------------------------------------------------------------------------

# The topics issue 3 asks for, each with the exercise ids that provide it.
REQUIRED_TOPICS: dict[str, list[str]] = {
    "extension lying face down": ["prone-lying"],
    "extension on elbows": ["prone-on-elbows"],
    "extension press-ups": ["prone-press-up"],
    "extension standing back bend": ["standing-back-bend"],
    "flexion single knee to chest": ["single-knee-to-chest"],
    "flexion double knee to chest": ["double-knee-to-chest"],
    "flexion seated forward bend": ["seated-forward-bend"],
    "flexion pelvic tilt": ["pelvic-tilt"],
    "lateral shift self-correction against a wall": ["wall-shift-correction"],
    "lateral side glide": ["standing-side-glide"],
    "cat-camel": ["cat-camel"],
    "lumbar rotation lying": ["lumbar-rotation-lying"],
    "hip flexor stretch": ["hip-flexor-stretch-standing", "hip-flexor-stretch-kneeling"],
    "hamstring stretch": ["hamstring-stretch-lying", "hamstring-stretch-step"],
    "piriformis stretch": ["piriformis-stretch-lying", "piriformis-stretch-seated"],
    "sciatic nerve glides sitting and lying": [
        "sciatic-nerve-glide-sitting",
        "sciatic-nerve-glide-lying",
    ],
    "thoracic open book": ["open-book"],
    "thoracic seated rotation": ["seated-rotation"],
    "abdominal bracing": ["abdominal-bracing"],
    "bridge progressions": ["bridge", "single-leg-bridge"],
    "bird dog": ["bird-dog"],
    "dead bug": ["dead-bug"],
    "side plank knees and full": ["side-plank-knees", "side-plank"],
    "curl-up (McGill)": ["curl-up"],
    "back extension (cobra, superman)": ["prone-back-extension", "prone-superman"],
    "chin tuck": ["chin-tuck-sitting"],
    "shoulder-blade squeeze": ["shoulder-blade-squeeze"],
    "wall angels": ["wall-angels"],
    "thoracic extension over towel and chair": [
        "thoracic-extension-towel",
        "thoracic-extension-chair",
    ],
    "hip hinge": ["hip-hinge"],
    "sit-to-stand": ["sit-to-stand"],
    "lifting practice": ["squat-lift", "golfers-lift"],
    "step-ups": ["step-up"],
    "suitcase carry": ["suitcase-carry"],
    "walking programme": ["walking-programme"],
    "cycling and swimming": ["cycling", "swimming"],
}

# Sources every evidence note must draw on: the short names of clinical-facts.md §9.
KNOWN_SOURCES = re.compile(
    r"George 20(10|21)|Delitto|Fritz 20|May & Aina|Sinaki|Suri 2010|Garber 2011|Hayden 2005|"
    r"Owen 2020|Pengel 2003|NICE NG59|Qaseem 2017|Alrwaily 2016|Hicks 2005|McGill|clinical-facts"
)


@pytest.fixture(scope="module")
def catalog(content_dir: Path) -> Catalog:
    return load_catalog(content_dir)


def test_the_real_library_has_no_problems(content_dir: Path) -> None:
    assert [str(p) for p in check_catalog(content_dir)] == []


def test_the_library_holds_at_least_sixty_exercises(catalog: Catalog) -> None:
    assert len(catalog.exercises) >= 60
    assert list(catalog.exercises) == sorted(catalog.exercises)


def test_the_catalog_carries_the_content_version(catalog: Catalog, content_dir: Path) -> None:
    assert catalog.version == content_version(content_dir)
    assert re.fullmatch(r"\d{4}\.\d{1,2}\.\d+", catalog.version)


@pytest.mark.parametrize("topic", REQUIRED_TOPICS)
def test_every_topic_of_the_issue_is_in_the_library(catalog: Catalog, topic: str) -> None:
    missing = [i for i in REQUIRED_TOPICS[topic] if i not in catalog.exercises]
    assert missing == []


def test_ladders_link_both_ways(catalog: Catalog) -> None:
    for ex in catalog.exercises.values():
        for harder in ex.progresses_to:
            assert ex.id in catalog.exercises[harder].regresses_to, (ex.id, harder)
        for easier in ex.regresses_to:
            assert ex.id in catalog.exercises[easier].progresses_to, (ex.id, easier)


def test_ladders_only_go_up(catalog: Catalog) -> None:
    order = graphlib.TopologicalSorter(
        {ex.id: set(ex.regresses_to) for ex in catalog.exercises.values()}
    )
    assert len(list(order.static_order())) == len(catalog.exercises)  # raises CycleError on a loop


def test_no_exercise_is_a_dead_end(catalog: Catalog) -> None:
    for ex in catalog.exercises.values():
        on_ladder = bool(ex.progresses_to or ex.regresses_to)
        assert len(ex.levels) >= (2 if on_ladder else 3), ex.id


def test_every_combination_is_covered_or_an_accepted_gap_with_a_reason(catalog: Catalog) -> None:
    table = coverage_table(catalog)
    for combo in itertools.product(Aim, Direction, REQUIRED_GROUPS):
        if combo in catalog.gaps:
            assert table[combo] == (), combo
            assert len(catalog.gaps[combo].reason) > 80
        else:
            assert table[combo], combo
            levels = {lv.level for i in table[combo] for lv in catalog.exercises[i].levels}
            assert {1, 2} <= levels, combo


def test_the_accepted_gaps_are_the_few_that_make_no_clinical_sense(catalog: Catalog) -> None:
    assert set(catalog.gaps) == {
        (Aim.STRENGTH, Direction.FLEXION, PositionGroup.SITTING),
        (Aim.POSTURE, Direction.FLEXION, PositionGroup.SITTING),
        (Aim.STRENGTH, Direction.FLEXION, PositionGroup.STANDING),
        (Aim.PREVENTION, Direction.LATERAL, PositionGroup.LYING),
        (Aim.PREVENTION, Direction.LATERAL, PositionGroup.SITTING),
    }


def test_the_readme_tables_are_generated_from_the_content(
    catalog: Catalog, content_dir: Path
) -> None:
    readme = (content_dir / "exercises" / "README.md").read_text(encoding="utf-8")
    assert rules_markdown() in readme
    assert coverage_markdown(catalog) in readme
    assert "## Combinations we do not cover, and why\n" in readme
    assert gaps_markdown(catalog) in readme


def test_every_exercise_cites_a_source_from_clinical_facts(catalog: Catalog) -> None:
    for ex in catalog.exercises.values():
        assert KNOWN_SOURCES.search(ex.evidence.source), ex.id
    for tag in catalog.tags.values():
        assert tag.source and tag.description, tag.id


def test_every_exercise_tells_when_to_stop(catalog: Catalog) -> None:
    for ex in catalog.exercises.values():
        assert any("medical help" in line for line in ex.stop_if), ex.id


def test_each_level_asks_at_least_as_much_as_the_one_before(catalog: Catalog) -> None:
    def weekly(ex_levels: Any) -> list[int]:
        out = []
        for lv in ex_levels:
            per_session = (
                lv.minutes * 60
                if lv.minutes_only
                else lv.sets * max(lv.reps, 1) * max(lv.hold_seconds, 1)
            )
            out.append(per_session * lv.times_a_day * lv.days_a_week)
        return out

    for ex in catalog.exercises.values():
        volume = weekly(ex.levels)
        assert volume == sorted(volume), ex.id


def test_directional_exercises_are_kept_from_the_people_they_would_harm(catalog: Catalog) -> None:
    # Extension for extension-sensitive or stenosis, flexion for a flexion-sensitive disc
    # (clinical-facts §5.6): every such exercise lists the tag; lumbar ones rule it out.
    for ex in catalog.exercises.values():
        listed = ex.contraindications + ex.precautions
        if ex.direction is Direction.EXTENSION:
            assert {"extension-sensitive", "stenosis"} <= set(listed), ex.id
        if ex.direction is Direction.FLEXION:
            assert "flexion-sensitive-disc" in listed, ex.id
    for lumbar_extension in (
        "prone-lying",
        "prone-on-elbows",
        "prone-press-up",
        "standing-back-bend",
    ):
        assert "stenosis" in catalog.exercises[lumbar_extension].contraindications
    for lumbar_flexion in ("single-knee-to-chest", "double-knee-to-chest", "seated-forward-bend"):
        assert "flexion-sensitive-disc" in catalog.exercises[lumbar_flexion].contraindications


def test_osteoporosis_rules_out_loaded_flexion_but_keeps_back_extension(catalog: Catalog) -> None:
    # Sinaki & Mikkelsen 1984: 89 % new fractures with flexion exercise, 16 % with extension.
    allowed = {ex.id for ex in catalog.select(exclude_tags=["osteoporosis"])}
    for flexion in (
        "curl-up",
        "double-knee-to-chest",
        "seated-forward-bend",
        "standing-forward-bend",
    ):
        assert flexion not in allowed
    assert {"prone-back-extension", "seated-back-extension", "walking-programme"} <= allowed


def test_acute_radiating_pain_rules_out_long_lever_nerve_tension(catalog: Catalog) -> None:
    allowed = {ex.id for ex in catalog.select(exclude_tags=["acute-radiating-pain"])}
    for tension in (
        "hamstring-stretch-lying",
        "hamstring-stretch-step",
        "sciatic-nerve-glide-sitting",
    ):
        assert tension not in allowed
    assert "sciatic-nerve-glide-lying" in allowed  # a slider: a precaution, not ruled out
    assert "acute-radiating-pain" in catalog.exercises["sciatic-nerve-glide-lying"].precautions


def test_every_exercise_file_matches_the_published_schema(content_dir: Path) -> None:
    schema = exercise_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    for path in sorted((content_dir / "exercises").glob("*.toml")):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        jsonschema.validate(data, schema)
    assert schema["properties"]["figure"]["type"] == "object"


def test_select_finds_exercises_by_aim_direction_and_position(catalog: Catalog) -> None:
    found = catalog.select(
        aim=Aim.PAIN_REDUCTION, direction=Direction.EXTENSION, group=PositionGroup.LYING
    )
    assert [ex.id for ex in found] == ["prone-lying", "prone-on-elbows", "prone-press-up"]
    assert [ex.id for ex in catalog.select(position=Position.KNEELING)] == [
        "hip-flexor-stretch-kneeling"
    ]
    assert len(catalog.select()) == len(catalog.exercises)


def test_select_leaves_out_what_the_person_cannot_do(catalog: Catalog) -> None:
    nothing = catalog.select(equipment=[])
    assert nothing and all(ex.equipment == () for ex in nothing)
    with_chair = catalog.select(equipment=[Equipment.CHAIR])
    assert "seated-forward-bend" in {ex.id for ex in with_chair}
    assert all(set(ex.equipment) <= {Equipment.CHAIR} for ex in with_chair)
    off_floor = catalog.select(avoid_positions=[AvoidPosition.FLOOR])
    assert "swimming" in {ex.id for ex in off_floor}  # face down, but in water: no mat
    assert not any(Equipment.MAT in ex.equipment for ex in off_floor)
    assert catalog.exercises["bird-dog"].avoid_positions == {
        AvoidPosition.HANDS_AND_KNEES,
        AvoidPosition.FLOOR,
    }
    assert catalog.exercises["sit-to-stand"].avoid_positions == {AvoidPosition.SITTING}


def test_rules_markdown_lists_every_safety_rule_with_its_source() -> None:
    text = rules_markdown()
    for rule in SAFETY_RULES:
        assert f"| {rule.id} |" in text and rule.source in text


# --- small catalogs written to tmp_path -----------------------------------------------------


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):  # an inline table
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


def _toml(doc: dict[str, Any]) -> str:
    lines = [
        f"{k} = {_toml_value(v)}"
        for k, v in doc.items()
        if v is not None and not isinstance(v, dict) and not _is_tables(v)
    ]
    for key, value in doc.items():
        if isinstance(value, dict):
            lines += ["", f"[{key}]", *(f"{k} = {_toml_value(v)}" for k, v in value.items())]
        elif _is_tables(value):
            for table in value:
                lines += ["", f"[[{key}]]", *(f"{k} = {_toml_value(v)}" for k, v in table.items())]
    return "\n".join(lines) + "\n"


def _is_tables(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _level(n: int, **changes: Any) -> dict[str, Any]:
    base = {"level": n, "sets": 1, "reps": 10, "hold_seconds": 0, "rest_seconds": 0}
    return {**base, "times_a_day": 1, "days_a_week": 7, "minutes": 2, **changes}


def _exercise(ex_id: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": ex_id,
        "name": "Test exercise",
        "language": "en",
        "summary": "A test.",
        "aims": ["strength"],
        "position": "on_back",
        "equipment": ["mat"],
        "direction": "neutral",
        "contraindications": [],
        "precautions": ["pregnancy"],
        "instructions": ["Do this.", "Then that."],
        "cues": ["Slowly."],
        "mistakes": ["Rushing."],
        "feel": "Work.",
        "stop_if": ["It hurts."],
        "evidence": {"note": "Why.", "source": "George 2021 APTA CPG", "certainty": "src"},
        "levels": [_level(1), _level(2)],
        "figure": FIGURE,
    }
    return {**base, **changes}


# A small valid illustration: lying on the back on a mat, knees bending.
FIGURE = {
    "view": "side",
    "props": ["mat"],
    "frames": [
        {"name": "start", "pose": "lying_on_back"},
        {"name": "end", "pose": "crook_lying"},
    ],
}


class Content:
    """A small content folder: two exercises on one ladder, the real tags, matching gaps."""

    def __init__(self, root: Path, real: Path) -> None:
        self.root = root
        (root / "exercises").mkdir()
        (root / "VERSION").write_text("2026.11.0\n")
        shutil.copy(real / "tags.toml", root / "tags.toml")
        self.write("a-step", progresses_to=["b-step"])
        self.write("b-step", regresses_to=["a-step"])
        self.gaps_except((Aim.STRENGTH, Direction.NEUTRAL, PositionGroup.LYING))

    def write(self, name: str, text: str | None = None, **changes: Any) -> None:
        body = _toml(_exercise(name, **changes)) if text is None else text
        (self.root / "exercises" / f"{name}.toml").write_text(body, encoding="utf-8")

    def gaps_except(self, *covered: tuple[Aim, Direction, PositionGroup], extra: Any = ()) -> None:
        gaps = [
            {"aim": a, "direction": d, "group": g, "reason": "Not in this test."}
            for a, d, g in itertools.product(Aim, Direction, REQUIRED_GROUPS)
            if (a, d, g) not in covered
        ]
        (self.root / "coverage.toml").write_text(_toml({"gaps": [*gaps, *extra]}))

    def problems(self) -> list[str]:
        return [str(p) for p in check_catalog(self.root)]


@pytest.fixture
def content(tmp_path: Path, content_dir: Path) -> Content:
    return Content(tmp_path, content_dir)


def test_a_small_consistent_catalog_loads(content: Content) -> None:
    catalog = load_catalog(content.root)
    assert list(catalog.exercises) == ["a-step", "b-step"]
    assert catalog.exercises["a-step"].figure == FIGURE
    assert catalog.exercises["a-step"].position_group is PositionGroup.LYING


def test_every_exercise_needs_an_illustration(content: Content) -> None:
    content.write("a-step", progresses_to=["b-step"], figure=None)
    problems = content.problems()
    assert (
        problems[0]
        == "exercises/a-step.toml: figure: nothing is not allowed; this field is required"
    )


def test_a_broken_illustration_is_named_with_its_field(content: Content) -> None:
    broken = {
        **FIGURE,
        "frames": [{"name": "start", "pose": "lying_on_back", "knee_near": 400}] * 2,
    }
    content.write("a-step", progresses_to=["b-step"], figure=broken)
    problems = content.problems()
    assert any(p.startswith("exercises/a-step.toml: figure.frames[0].knee_near") for p in problems)


def test_a_figure_that_is_not_a_table_is_refused(content: Content) -> None:
    content.write("a-step", progresses_to=["b-step"], figure="side")
    assert content.problems() == [
        'exercises/a-step.toml: figure: "side" is not allowed; allowed: a table'
    ]


def test_an_unknown_tag_is_named_with_the_tags_allowed(content: Content) -> None:
    content.write("a-step", progresses_to=["b-step"], contraindications=["bad-knees"])
    [problem] = content.problems()
    assert problem.startswith(
        'exercises/a-step.toml: contraindications[0]: "bad-knees" is not allowed; '
        "allowed: a tag defined in tags.toml: acute-radiating-pain, "
    )


def test_a_missing_field_is_named(content: Content) -> None:
    doc = _exercise("a-step", progresses_to=["b-step"])
    del doc["feel"]
    content.write("a-step", _toml(doc))
    assert content.problems() == [
        "exercises/a-step.toml: feel: nothing is not allowed; this field is required"
    ]


def test_a_bad_enum_value_names_the_values_allowed(content: Content) -> None:
    content.write("a-step", progresses_to=["b-step"], position="upside_down")
    assert content.problems() == [
        'exercises/a-step.toml: position: "upside_down" is not allowed; allowed: on_back, face_down, '
        "hands_and_knees, side, sitting, standing, kneeling"
    ]


def test_a_bad_dose_value_names_the_level_and_the_field(content: Content) -> None:
    content.write("a-step", progresses_to=["b-step"], levels=[_level(1), _level(2, reps=99)])
    assert content.problems() == [
        "exercises/a-step.toml: levels[1].reps: 99 is not allowed; allowed: a whole number from 0 to 30"
    ]


def test_a_ladder_that_comes_back_to_its_start_is_a_cycle(content: Content) -> None:
    content.write("a-step", progresses_to=["b-step"], regresses_to=["b-step"])
    content.write("b-step", progresses_to=["a-step"], regresses_to=["a-step"])
    assert content.problems() == [
        'exercises/a-step.toml: progresses_to: "a-step -> b-step -> a-step" is not allowed; '
        "allowed: ladders that only go up; this one comes back to where it started"
    ]


def test_a_dangling_reference_is_named(content: Content) -> None:
    content.write("b-step", regresses_to=["a-step"], progresses_to=["c-step"])
    content.write("a-step", progresses_to=["b-step"], regresses_to=["z-step"])
    assert content.problems() == [
        'exercises/a-step.toml: regresses_to[0]: "z-step" is not allowed; '
        "allowed: the id of an exercise file in exercises/",
        'exercises/b-step.toml: progresses_to[0]: "c-step" is not allowed; '
        "allowed: the id of an exercise file in exercises/",
    ]


def test_a_duplicate_id_is_named_with_the_file_that_has_it(content: Content) -> None:
    content.write("c-step", _toml(_exercise("a-step", progresses_to=["b-step"])))
    assert content.problems() == [
        'exercises/c-step.toml: id: "a-step" is not allowed; allowed: the file name, "c-step"',
        'exercises/c-step.toml: id: "a-step" is not allowed; '
        "allowed: an id no other exercise uses (exercises/a-step.toml has it)",
    ]


def test_a_ladder_must_link_back(content: Content) -> None:
    content.write("b-step", levels=[_level(1), _level(2), _level(3)])
    content.write("c-step", regresses_to=["b-step"])
    assert content.problems() == [
        'exercises/b-step.toml: regresses_to: [] is not allowed; required: "a-step" in the list, '
        "because a-step progresses to b-step",
        'exercises/b-step.toml: progresses_to: [] is not allowed; required: "c-step" in the list, '
        "because c-step regresses to b-step",
    ]


def test_branching_ladders_that_meet_again_are_not_cycles(content: Content) -> None:
    content.write("a-step", progresses_to=["b-step", "c-step"])
    content.write("b-step", regresses_to=["a-step"], progresses_to=["d-step"])
    content.write("c-step", regresses_to=["a-step"], progresses_to=["d-step"])
    content.write("d-step", regresses_to=["b-step", "c-step"])
    assert content.problems() == []


def test_an_exercise_on_no_ladder_needs_three_levels(content: Content) -> None:
    content.write("c-step")
    assert content.problems() == [
        "exercises/c-step.toml: levels: a list of 2 levels is not allowed; allowed: at least 3 levels "
        "for an exercise on no ladder (no progresses_to or regresses_to), so it is never a dead end"
    ]
    content.write("c-step", levels=[_level(1), _level(2), _level(3)])
    assert content.problems() == []


def test_levels_are_numbered_from_one_in_order(content: Content) -> None:
    content.write("a-step", progresses_to=["b-step"], levels=[_level(1), _level(3)])
    assert content.problems() == [
        "exercises/a-step.toml: levels[1].level: 3 is not allowed; "
        "allowed: 2 (levels are numbered 1, 2, 3 ... in order)"
    ]


def test_minutes_must_hold_the_work_of_a_level(content: Content) -> None:
    heavy = _level(2, sets=3, reps=10, hold_seconds=10, rest_seconds=60, minutes=5)
    content.write("a-step", progresses_to=["b-step"], per_side=True, levels=[_level(1), heavy])
    # 3 sets x 10 reps x 10 s x 2 sides + 2 rests of 60 s = 720 s = 12 minutes
    assert content.problems() == [
        "exercises/a-step.toml: levels[1].minutes: 5 is not allowed; "
        "allowed: at least 12, the time its sets, reps, holds and rests take"
    ]


def test_a_minutes_only_dose_has_one_set(content: Content) -> None:
    walk = {"reps": 0, "hold_seconds": 0, "minutes": 20}
    content.write(
        "a-step", progresses_to=["b-step"], levels=[_level(1, **walk), _level(2, sets=2, **walk)]
    )
    assert content.problems() == [
        "exercises/a-step.toml: levels[1].sets: 2 is not allowed; "
        "allowed: 1 when the dose is minutes only (no reps or hold)"
    ]


def test_a_flexion_exercise_must_name_the_disc_tag_and_loaded_flexion_osteoporosis(
    content: Content,
) -> None:
    content.write("a-step", progresses_to=["b-step"], direction="flexion")
    content.gaps_except(
        (Aim.STRENGTH, Direction.NEUTRAL, PositionGroup.LYING),
        (Aim.STRENGTH, Direction.FLEXION, PositionGroup.LYING),
    )
    problems = content.problems()
    assert len(problems) == 2
    assert problems[0].startswith(
        'exercises/a-step.toml: contraindications: [] is not allowed; required: "flexion-sensitive-disc" '
        "in contraindications or precautions when direction is flexion"
    )
    assert (
        '"osteoporosis" in contraindications when direction is flexion and the aims include strength'
        in (problems[1])
    )


def test_a_tag_is_a_contraindication_or_a_precaution_not_both(content: Content) -> None:
    content.write("a-step", progresses_to=["b-step"], contraindications=["pregnancy"])
    assert content.problems() == [
        'exercises/a-step.toml: precautions: "pregnancy" is not allowed; '
        "allowed: a tag in only one list (it is a contraindication)"
    ]


def test_ids_and_language_tags_have_a_fixed_shape(content: Content) -> None:
    content.write(
        "B_step",
        _toml(_exercise("B_step", language="English", levels=[_level(i) for i in (1, 2, 3)])),
    )
    assert content.problems() == [
        'exercises/B_step.toml: id: "B_step" is not allowed; '
        "allowed: lowercase letters and digits, words joined by single hyphens",
        'exercises/B_step.toml: language: "English" is not allowed; allowed: a language tag such as en',
    ]


def test_a_file_that_is_not_toml_is_named(content: Content) -> None:
    content.write("c-step", "id = \n")
    [problem] = content.problems()
    assert (
        problem.startswith("exercises/c-step.toml: ")
        and "allowed: a TOML document in UTF-8" in problem
    )


def test_missing_files_and_folders_are_named(tmp_path: Path) -> None:
    problems = [str(p) for p in check_catalog(tmp_path)]
    assert problems == [
        "VERSION: no such file is not allowed; required: the file VERSION",
        "tags.toml: no such file is not allowed; required: the file tags.toml",
        "exercises: no such folder is not allowed; required: a folder of exercise files",
        "coverage.toml: no such file is not allowed; required: the file coverage.toml",
    ]
    with pytest.raises(CatalogError):
        load_catalog(tmp_path)


def test_the_content_version_must_look_like_a_version(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as caught:
        content_version(tmp_path)
    assert [str(p) for p in caught.value.problems] == [
        "VERSION: no such file is not allowed; required: the file VERSION"
    ]
    (tmp_path / "VERSION").write_text("next\n")
    with pytest.raises(
        CatalogError, match=r'VERSION: "next" is not allowed; allowed: a version like 2026.11.0'
    ):
        content_version(tmp_path)
    (tmp_path / "VERSION").write_text("2026.11.0\n")
    assert content_version(tmp_path) == "2026.11.0"


def test_tags_must_be_well_formed_and_unique(content: Content) -> None:
    tag = {
        "id": "pregnancy",
        "name": "Pregnancy",
        "description": "Expecting a baby.",
        "source": "ACOG",
    }
    tag["certainty"] = "uncertain"
    (content.root / "tags.toml").write_text(_toml({"tags": [tag, tag, {**tag, "id": "Bad Knees"}]}))
    assert content.problems() == [
        'tags.toml: tags[1].id: "pregnancy" is not allowed; allowed: an id no other tag uses',
        'tags.toml: tags[2].id: "Bad Knees" is not allowed; '
        "allowed: lowercase letters and digits, words joined by single hyphens",
    ]


def test_a_broken_tag_file_is_named_once_not_at_every_use(content: Content) -> None:
    tag = {
        "id": "pregnancy",
        "name": "Pregnancy",
        "description": "Expecting a baby.",
        "source": "ACOG",
    }
    (content.root / "tags.toml").write_text(_toml({"tags": [{**tag, "certainty": "sure"}]}))
    assert content.problems() == [
        'tags.toml: tags[0].certainty: "sure" is not allowed; allowed: src, sec, uncertain, synthesis'
    ]


def test_a_missing_combination_must_be_covered_or_listed(content: Content) -> None:
    content.gaps_except(
        (Aim.STRENGTH, Direction.NEUTRAL, PositionGroup.LYING),
        (Aim.MOBILITY, Direction.LATERAL, PositionGroup.STANDING),
    )
    assert content.problems() == [
        'coverage.toml: gaps: "mobility x lateral x standing" is not allowed; required: an exercise for '
        "this aim x direction x position group, or an accepted gap in coverage.toml with its reason"
    ]


def test_a_gap_that_an_exercise_covers_is_refused(content: Content) -> None:
    covered = {"aim": "strength", "direction": "neutral", "group": "lying", "reason": "Oops."}
    content.gaps_except((Aim.STRENGTH, Direction.NEUTRAL, PositionGroup.LYING), extra=[covered])
    [problem] = content.problems()
    assert problem.endswith(
        ': "strength x neutral x lying" is not allowed; '
        "allowed: only combinations no exercise covers; this one has a-step, b-step"
    )


def test_gaps_are_only_for_required_groups_and_listed_once(content: Content) -> None:
    kneeling = {
        "aim": "strength",
        "direction": "neutral",
        "group": "kneeling",
        "reason": "Not needed.",
    }
    twice = {"aim": "mobility", "direction": "neutral", "group": "lying", "reason": "Again."}
    content.gaps_except(
        (Aim.STRENGTH, Direction.NEUTRAL, PositionGroup.LYING), extra=[kneeling, twice]
    )
    problems = content.problems()
    assert problems == [
        'coverage.toml: gaps[59].group: "kneeling" is not allowed; '
        "allowed: lying, sitting, standing (only these must be covered)",
        'coverage.toml: gaps[60]: "mobility x neutral x lying" is not allowed; allowed: each gap once',
    ]


def test_a_gap_needs_its_reason(content: Content) -> None:
    no_reason = {"aim": "strength", "direction": "neutral", "group": "lying"}
    content.gaps_except((Aim.STRENGTH, Direction.NEUTRAL, PositionGroup.LYING), extra=[no_reason])
    assert content.problems() == [
        "coverage.toml: gaps[59].reason: nothing is not allowed; this field is required"
    ]


def test_the_coverage_table_shows_exercises_gaps_and_holes() -> None:
    from backcare.engine.catalog import Exercise, Level

    lone = Exercise(
        id="lone", aims=(Aim.STRENGTH,), position=Position.SIDE, levels=(Level(), Level(level=2))
    )
    gap = Gap(
        aim=Aim.PREVENTION,
        direction=Direction.LATERAL,
        group=PositionGroup.LYING,
        reason="No sense.",
    )
    catalog = Catalog.build("2026.11.0", [lone], [], [gap])
    text = coverage_markdown(catalog)
    assert "| strength | neutral | lone | – | – | – |" in text
    assert "| prevention | lateral | *accepted gap* | – | – | – |" in text
    assert gaps_markdown(catalog).splitlines()[2] == "| prevention | lateral | lying | No sense. |"
