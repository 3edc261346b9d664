"""Every exercise in the library has an illustration made from its own data, and it is sound."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from figure_checks import (
    assert_grounded,
    assert_in_frame,
    assert_limbs_keep_their_lengths,
    assert_well_formed,
)

from backcare.engine.catalog import Catalog, load_catalog
from backcare.engine.figures import Scene, build_scene, parse_figure
from backcare.engine.gallery import exercise_svgs, gallery_files

CONTENT = Path(__file__).resolve().parents[2] / "content"


@cache
def catalog() -> Catalog:
    return load_catalog(CONTENT)


@cache
def scene(exercise_id: str) -> Scene:
    exercise = catalog().exercises[exercise_id]
    return build_scene(parse_figure(exercise.figure, exercise_id))


IDS = sorted(p.stem for p in (CONTENT / "exercises").glob("*.toml"))


@pytest.mark.parametrize("exercise_id", IDS)
def test_every_exercise_renders_a_still_and_an_animation_named_after_it(exercise_id: str) -> None:
    exercise = catalog().exercises[exercise_id]
    still, animation = exercise_svgs(exercise)
    for svg in (still, animation):
        assert_well_formed(svg, exercise.name, exercise.instructions[0])
    assert "@keyframes" in animation or "prefers-reduced-motion" in animation


@pytest.mark.parametrize("exercise_id", IDS)
def test_limbs_keep_their_lengths_through_the_motion(exercise_id: str) -> None:
    assert_limbs_keep_their_lengths(scene(exercise_id))


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_figure_stays_in_frame(exercise_id: str) -> None:
    assert_in_frame(scene(exercise_id))


@pytest.mark.parametrize("exercise_id", IDS)
def test_the_figure_rests_on_its_support(exercise_id: str) -> None:
    assert_grounded(scene(exercise_id))


def test_props_follow_the_equipment_the_exercise_lists() -> None:
    for exercise in catalog().exercises.values():
        props = set(parse_figure(exercise.figure, exercise.id).props)
        for item in ("chair", "step", "wall", "band"):
            if item in exercise.equipment:
                assert any(item in p.value for p in props), (exercise.id, item)


def test_the_gallery_has_every_exercise_and_its_pictures() -> None:
    files = gallery_files(catalog())
    assert len(files) == 2 * len(IDS) + 1
    index = files["index.html"]
    for exercise_id in IDS:
        assert f'id="{exercise_id}"' in index
        assert f'src="{exercise_id}.svg"' in index
        assert f'src="{exercise_id}-still.svg"' in index
