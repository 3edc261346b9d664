"""Generated exercise figures: posing, grounding, drawing and the [figure] format."""

from __future__ import annotations

import copy
import itertools
import math
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from figure_examples import EXAMPLES, figure_table

from backcare.engine.figures import (
    BASE_POSES,
    END_CHAINS,
    JOINTS,
    LENGTHS,
    MAT_THICKNESS,
    ROOT_PARTS,
    SEAT_HEIGHT,
    SEGMENTS,
    STEP_HEIGHT,
    TOLERANCE,
    Figure,
    Frame,
    Pose,
    Prop,
    Root,
    Scene,
    Surface,
    View,
    build_scene,
    landmarks,
    movement,
    parse_figure,
    render_animation,
    render_still,
    rules_markdown,
)
from backcare.engine.validation import InvalidDocument

SVG = "{http://www.w3.org/2000/svg}"
SCALE = 100.0
# The exercises the brief names, by the ids of their files in content/exercises.
REQUIRED = (
    "prone-press-up",
    "single-knee-to-chest",
    "cat-camel",
    "bird-dog",
    "bridge",
    "side-plank",
    "seated-forward-bend",
    "standing-back-bend",
    "wall-angels",
    "step-up",
    "chin-tuck-lying",
    "wall-shift-correction",
    "hip-hinge",
    "sit-to-stand",
)
SCENES: dict[str, Scene] = {}


def scene_of(exercise_id: str) -> Scene:
    if exercise_id not in SCENES:
        SCENES[exercise_id] = build_scene(parse_figure(figure_table(exercise_id), exercise_id))
    return SCENES[exercise_id]


def problems(table: dict[str, Any]) -> list[str]:
    with pytest.raises(InvalidDocument) as err:
        parse_figure(table, "figure")
    return [p.path for p in err.value.problems]


def standing(**frame: Any) -> dict[str, Any]:
    """A small figure: standing, then the frame's changes."""
    return {
        "view": frame.pop("view", "side"),
        "props": frame.pop("props", []),
        "frames": [
            {"name": "start", "pose": "standing"},
            {"name": "end", "pose": "start", **frame},
        ],
    }


# --- the worked examples -------------------------------------------------------------------


def test_the_examples_cover_every_exercise_the_brief_names() -> None:
    assert set(REQUIRED) <= set(EXAMPLES)


@pytest.mark.parametrize("exercise_id", sorted(EXAMPLES))
def test_every_example_draws_well_formed_svg_with_its_title_and_description(
    exercise_id: str,
) -> None:
    figure = parse_figure(figure_table(exercise_id), exercise_id)
    for svg in (
        render_still(figure, title="Bird dog & more", desc="Kneel <on> a mat."),
        render_animation(figure, title="Bird dog & more", desc="Kneel <on> a mat."),
    ):
        root = ET.fromstring(svg)
        assert root.tag == f"{SVG}svg"
        assert "width" not in root.attrib and "height" not in root.attrib
        assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.attrib["viewBox"])
        title, desc = root[0], root[1]
        assert (title.tag, title.text) == (f"{SVG}title", "Bird dog & more")
        assert (desc.tag, desc.text) == (f"{SVG}desc", "Kneel <on> a mat.")
        assert root.attrib["role"] == "img"
        assert root.attrib["aria-labelledby"] == f"{title.attrib['id']} {desc.attrib['id']}"


@pytest.mark.parametrize("exercise_id", sorted(EXAMPLES))
def test_limbs_keep_their_lengths_in_every_frame_and_in_between(exercise_id: str) -> None:
    scene = scene_of(exercise_id)
    for _t, pose in scene.samples:
        placed = pose.placements()
        for seg in SEGMENTS:
            p = placed[seg.name]
            assert math.dist(p.joint, p.end) == pytest.approx(LENGTHS[seg.part][0])
            if seg.parent is not None:
                u, v = seg.attach if pose.view is View.SIDE else seg.attach_front
                gap = math.dist(placed[seg.parent].joint, p.joint)
                assert gap == pytest.approx(math.hypot(u, v), abs=1e-9)


@pytest.mark.parametrize("exercise_id", sorted(EXAMPLES))
def test_the_figure_stays_inside_the_picture(exercise_id: str) -> None:
    scene = scene_of(exercise_id)
    b = scene.bounds
    for _t, pose in scene.samples:
        x0, y0, x1, y1 = pose.bounds()
        assert b.x0 <= x0 and x1 <= b.x1 and b.y0 <= y0 and y1 <= b.y1
    root = ET.fromstring(render_animation(scene.figure, title="t", desc="d"))
    width, height = (float(n) for n in root.attrib["viewBox"].split()[2:])
    assert width == pytest.approx((b.x1 - b.x0) * SCALE, abs=0.06)
    assert height == pytest.approx((b.y1 - b.y0) * SCALE, abs=0.06)


def surface_under(scene: Scene, frame: Frame) -> float:
    return {Surface.FLOOR: scene.floor, Surface.SEAT: SEAT_HEIGHT, Surface.STEP: STEP_HEIGHT}[
        frame.on
    ]


@pytest.mark.parametrize("exercise_id", sorted(EXAMPLES))
def test_the_root_rests_on_its_surface_and_nothing_sinks_below_the_floor(
    exercise_id: str,
) -> None:
    scene = scene_of(exercise_id)
    for frame, pose in zip(scene.figure.frames, scene.poses, strict=True):
        names = ROOT_PARTS[frame.root][0]
        assert pose.lowest(names) == pytest.approx(surface_under(scene, frame), abs=1e-9)
        assert pose.lowest() >= scene.floor - TOLERANCE
        for end in frame.planted:
            chain = list(END_CHAINS[end][1:])
            assert pose.lowest(chain) == pytest.approx(scene.floor, abs=TOLERANCE) or (
                scene.step is not None
                and pose.lowest(chain) == pytest.approx(STEP_HEIGHT, abs=TOLERANCE)
            )
    for _t, pose in scene.samples:
        assert pose.lowest() >= scene.floor - 1e-9


def test_the_mat_raises_the_floor_by_its_thickness() -> None:
    scene = scene_of("bridge")
    assert scene.floor == MAT_THICKNESS
    assert scene.poses[0].lowest() == pytest.approx(MAT_THICKNESS)


def test_a_seated_pelvis_rests_on_the_chair_seat_and_the_feet_on_the_floor() -> None:
    scene = scene_of("sit-to-stand")
    assert scene.seat is not None and scene.seat.y1 == SEAT_HEIGHT
    for frame, pose in zip(scene.figure.frames, scene.poses, strict=True):
        assert pose.lowest(["foot_near", "foot_far"]) == pytest.approx(0.0, abs=TOLERANCE)
        if frame.on is Surface.SEAT:
            assert pose.lowest(["pelvis"]) == pytest.approx(SEAT_HEIGHT)
            xs = [s.x for s in pose.circles(["pelvis"])]
            assert scene.seat.x0 <= min(xs) and max(xs) <= scene.seat.x1
    # Standing up, the feet stay where they were.
    start, end = (p.placements()["foot_near"].joint for p in (scene.poses[0], scene.poses[-1]))
    assert start[0] == pytest.approx(end[0])


def test_the_step_carries_the_foot_that_steps_up() -> None:
    scene = scene_of("step-up")
    assert scene.step is not None
    first = scene.poses[0]
    foot = first.circles(["foot_near"])
    assert first.lowest(["foot_near"]) == pytest.approx(STEP_HEIGHT)
    assert all(scene.step.x0 <= s.x <= scene.step.x1 for s in foot)
    assert first.lowest(["foot_far"]) == pytest.approx(0.0, abs=TOLERANCE)
    assert scene.poses[-1].lowest(["foot_far"]) == pytest.approx(STEP_HEIGHT)


def test_hands_stay_planted_while_the_back_moves() -> None:
    scene = scene_of("cat-camel")
    wrists = [p.placements()["hand_near"].joint for p in scene.poses]
    assert max(w[0] for w in wrists) - min(w[0] for w in wrists) < 1e-6
    assert max(w[1] for w in wrists) - min(w[1] for w in wrists) < TOLERANCE
    spines = {round(p.angles["lumbar"]) for p in scene.poses}
    assert spines == {0, 18, -25}


def test_a_settling_side_plank_rests_on_the_elbow_and_the_feet() -> None:
    scene = scene_of("side-plank")
    start, end = scene.poses
    assert start.lowest(["pelvis"]) == pytest.approx(scene.floor, abs=TOLERANCE)
    assert end.lowest(["foot_near"]) == pytest.approx(scene.floor, abs=TOLERANCE)
    assert end.lowest(["pelvis"]) > start.lowest(["pelvis"]) + 0.05  # the hips are up
    elbow = [p.placements()["forearm_near"].joint[0] for p in scene.poses]
    assert elbow[0] == pytest.approx(elbow[1])


def test_a_bridge_lifts_the_pelvis_with_shoulders_and_feet_kept_down() -> None:
    scene = scene_of("bridge")
    start, end = scene.poses
    assert end.lowest(["pelvis"]) - start.lowest(["pelvis"]) > 0.06
    for name in ("thoracic", "foot_near"):
        assert end.lowest([name]) == pytest.approx(scene.floor, abs=TOLERANCE)


# --- the animation -------------------------------------------------------------------------


def test_the_loop_ends_where_it_starts_so_it_repeats_smoothly() -> None:
    scene = scene_of("bird-dog")
    assert scene.samples[0][1] == scene.samples[-1][1]
    assert scene.samples[0][0] == 0 and scene.samples[-1][0] == scene.duration


def test_the_animation_holds_the_end_pose_for_the_hold_time() -> None:
    scene = scene_of("bird-dog")
    assert scene.figure.hold_seconds == 3
    end = scene.poses[-1]
    held = [t for t, pose in scene.samples if pose == end]
    assert max(held) - min(held) == pytest.approx(3.0)


def test_moves_ease_in_and_out() -> None:
    scene = scene_of("bridge")
    path = [pose.origin for _t, pose in scene.samples[:13]]
    steps = [math.dist(a, b) for a, b in itertools.pairwise(path)]
    assert steps[0] < steps[5] and steps[-1] < steps[6]


def test_the_animation_is_css_keyframes_with_a_reduced_motion_rule() -> None:
    svg = render_animation(scene_of("cat-camel").figure, title="Cat", desc="Arch.")
    style = ET.fromstring(svg).find(f"{SVG}style")
    assert style is not None and style.text is not None
    assert "@keyframes" in style.text and "infinite" in style.text
    assert re.search(r"@media \(prefers-reduced-motion:reduce\)\{[^}]*animation:none", style.text)
    # Without animation the groups' own transforms show the start pose, and the end pose is
    # there as a ghost that only reduced motion reveals.
    assert 'display="none"' in svg


def test_animations_on_one_page_do_not_share_names() -> None:
    a = render_animation(scene_of("bridge").figure, title="Bridge", desc="d")
    b = render_animation(scene_of("bird-dog").figure, title="Bird dog", desc="d")
    name = re.compile(r"@keyframes (\S+?)\{")
    assert not set(name.findall(a)) & set(name.findall(b))


def test_a_figure_that_does_not_move_has_no_keyframes_and_no_arrow() -> None:
    scene = scene_of("suitcase-carry")
    assert "@keyframes" not in render_animation(scene.figure, title="t", desc="d")
    assert movement(scene)[1] == pytest.approx(0.0, abs=1e-12)
    assert "stroke-dasharray" not in render_still(scene.figure, title="t", desc="d")


# --- the still -----------------------------------------------------------------------------


def labels(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_the_still_shows_every_key_pose_from_start_to_end() -> None:
    assert labels(render_still(scene_of("bridge").figure, title="t", desc="d")) == [
        "Start",
        "End",
    ]
    assert labels(render_still(scene_of("step-up").figure, title="t", desc="d")) == [
        "Start",
        "Then",
        "End",
    ]


def test_a_small_movement_gets_a_ghost_and_an_arrow_and_a_large_one_does_not() -> None:
    chin = scene_of("chin-tuck-lying")
    name, distance = movement(chin)
    assert name == "face" and distance < 0.1
    svg = render_still(chin.figure, title="t", desc="d")
    assert "stroke-dasharray" in svg and "#9c2f22" in svg
    assert "stroke-dasharray" not in render_still(
        scene_of("sit-to-stand").figure, title="t", desc="d"
    )


def test_an_author_can_name_what_the_arrow_follows() -> None:
    scene = scene_of("wall-shift-correction")
    assert movement(scene)[0] == "pelvis"
    start, end = (landmarks(p)["pelvis"] for p in scene.poses)
    assert end[0] > start[0]  # the hips move towards the wall


def test_render_accepts_the_raw_table() -> None:
    table = figure_table("bridge")
    assert render_still(table, title="t", desc="d") == render_still(
        parse_figure(table), title="t", desc="d"
    )


@pytest.mark.parametrize(
    ("props", "marks"),
    [
        (["band"], ['stroke="#9c2f22"']),
        (["ball"], ['fill="#e7c9a0"']),
        (["stick"], ['stroke="#7a5a33"']),
        (["wall"], ['fill="#ecebe6"']),
        (["chair"], ['fill="#d8c7ad"']),
    ],
)
def test_props_are_drawn_where_used(props: list[str], marks: list[str]) -> None:
    figure = parse_figure(standing(props=props, shoulder_near=40))
    for svg in (
        render_still(figure, title="t", desc="d"),
        render_animation(figure, title="t", desc="d"),
    ):
        for mark in marks:
            assert mark in svg


def test_a_front_view_wall_stands_behind_the_figure_and_a_side_wall_beside_it() -> None:
    behind = build_scene(parse_figure(standing(view="front", props=["wall"], lumbar=10)))
    beside = build_scene(parse_figure(standing(view="front", props=["side_wall"], lumbar=10)))
    assert behind.wall is not None and beside.wall is not None
    x0, _y0, x1, _y1 = behind.poses[0].bounds()
    assert behind.wall.x0 < x0 and x1 < behind.wall.x1
    assert beside.wall.x0 >= max(p.bounds()[2] for _t, p in beside.samples) - 1e-9
    back = build_scene(parse_figure(standing(props=["wall"], lumbar=-20)))
    assert back.wall is not None
    assert back.wall.x1 == pytest.approx(min(p.bounds()[0] for _t, p in back.samples))


def test_a_chair_with_nobody_on_it_stands_in_front_to_hold() -> None:
    scene = build_scene(parse_figure(standing(props=["chair"], hip_far=-20)))
    assert scene.seat is not None and scene.backrest is not None
    assert scene.seat.x0 > scene.poses[0].bounds()[2]


def test_a_rolled_towel_sits_between_the_low_back_and_the_chair() -> None:
    scene = scene_of("seated-lumbar-roll")
    assert scene.towel is not None and scene.backrest is not None
    assert scene.backrest.x1 == pytest.approx(scene.towel.x - scene.towel.r)


def test_a_pillow_fills_the_space_under_the_head() -> None:
    scene = scene_of("chin-tuck-lying")
    assert scene.pillow is not None
    assert scene.pillow.y0 == scene.floor
    assert scene.pillow.y1 == pytest.approx(scene.poses[0].lowest(["head"]))


# --- the format ----------------------------------------------------------------------------


def test_a_frame_copies_an_earlier_frame_and_changes_only_what_it_names() -> None:
    figure = parse_figure(figure_table("cat-camel"))
    flat, cat, _camel = figure.frames
    changed = {j for j in JOINTS if flat.angles[j] != cat.angles[j]}
    assert changed == {"pelvis_angle", "hip_near", "hip_far", "lumbar", "thoracic", "neck"}
    assert cat.root is Root.KNEES and cat.planted == flat.planted


def test_every_base_pose_is_grounded_without_sinking() -> None:
    for pose in BASE_POSES.values():
        for view in pose.views:
            props = ["chair"] if pose.on is Surface.SEAT else []
            frames = [{"name": "a", "pose": pose.name}, {"name": "b", "pose": "a"}]
            table = {"view": view.value, "props": props, "frames": frames}
            scene = build_scene(parse_figure(table))
            assert scene.poses[0].lowest() >= -TOLERANCE


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda t: t["frames"][1].update(elbow_near=200), "figure.frames[1].elbow_near"),
        (lambda t: t["frames"][1].update(elbow_near="bent"), "figure.frames[1].elbow_near"),
        (lambda t: t["frames"][1].update(knee_left=10), "figure.frames[1].knee_left"),
        (lambda t: t.update(view="top"), "figure.view"),
        (lambda t: t.update(frames=t["frames"][:1]), "figure.frames"),
        (lambda t: t.update(frames="two"), "figure.frames"),
        (lambda t: t.update(colour="red"), "figure.colour"),
        (lambda t: t.update(props="mat"), "figure.props"),
        (lambda t: t.update(props=["mat", "mat"]), "figure.props[1]"),
        (lambda t: t.update(props=["sofa"]), "figure.props[0]"),
        (lambda t: t.update(hold_seconds=-1), "figure.hold_seconds"),
        (lambda t: t.update(move_seconds=10), "figure.move_seconds"),
        (lambda t: t.update(arrow="tail"), "figure.arrow"),
        (lambda t: t["frames"].__setitem__(1, "end"), "figure.frames[1]"),
        (lambda t: t["frames"][1].update(name="start"), "figure.frames[1].name"),
        (lambda t: t["frames"][1].update(name=""), "figure.frames[1].name"),
        (lambda t: t["frames"][1].update(pose="floating"), "figure.frames[1].pose"),
        (lambda t: t["frames"][1].update(pose="side_lying"), "figure.frames[1].pose"),
        (lambda t: t["frames"][1].update(pose="end"), "figure.frames[1].pose"),
        (lambda t: t["frames"][1].update(root="nose"), "figure.frames[1].root"),
        (lambda t: t["frames"][1].update(on="bed"), "figure.frames[1].on"),
        (lambda t: t["frames"][1].update(planted="hands"), "figure.frames[1].planted"),
        (lambda t: t["frames"][1].update(planted=["toes"]), "figure.frames[1].planted[0]"),
        (lambda t: t["frames"][1].update(settle="yes"), "figure.frames[1].settle"),
        (lambda t: t["frames"][1].update(hold_seconds=99), "figure.frames[1].hold_seconds"),
        (lambda t: t["frames"][1].update(on="seat"), "figure.frames[1].on"),
        (lambda t: t["frames"][1].update(on="step"), "figure.frames[1].on"),
        (lambda t: t.update(view="front", props=["towel"]), "figure.props"),
    ],
)
def test_bad_data_names_the_field(change: Any, path: str) -> None:
    table = copy.deepcopy(standing(lumbar=10))
    change(table)
    assert path in problems(table)


def test_a_problem_says_what_is_allowed() -> None:
    table = standing(knee_near=200)
    with pytest.raises(InvalidDocument) as err:
        parse_figure(table, "exercises/x.toml: figure")
    (problem,) = err.value.problems
    assert problem.path == "exercises/x.toml: figure.frames[1].knee_near"
    assert problem.allowed == "allowed: a number from 0 to 150"
    with pytest.raises(InvalidDocument) as err:
        parse_figure(["not", "a", "table"], "figure")  # type: ignore[arg-type]
    assert err.value.problems[0].path == "figure"


def test_a_pose_that_sinks_below_the_floor_is_refused_with_the_part_named() -> None:
    table = standing(pelvis_angle=170)  # upside down, still resting on the feet
    with pytest.raises(InvalidDocument) as err:
        parse_figure(table)
    assert "below the floor" in str(err.value)


def test_a_planted_hand_that_cannot_reach_is_refused() -> None:
    table = standing(planted=["near_hand"])
    assert "figure.frames[1].planted" in problems(table)


def test_a_pillow_needs_a_raised_head() -> None:
    table = {
        "view": "side",
        "props": ["pillow"],
        "frames": [{"name": "a", "pose": "lying_on_back"}, {"name": "b", "pose": "a"}],
    }
    assert problems(table) == ["figure.props"]


def test_settling_leaves_a_pose_alone_when_no_turn_keeps_it_up() -> None:
    # Folded over the pelvis, head and feet both in the floor: no turn lifts both.
    angles = {**dict.fromkeys(JOINTS, 0.0), "pelvis_angle": 135.0, "hip_near": 90.0}
    angles["hip_far"] = 90.0
    frame = Frame("a", angles, Root.PELVIS, settle=True)
    scene = build_scene(Figure(View.SIDE, (frame, frame)))
    assert scene.poses[0].angles["pelvis_angle"] == 135.0


def test_a_planted_foot_over_the_step_stands_on_the_step() -> None:
    table = {
        "view": "side",
        "props": ["step"],
        "frames": [
            {"name": "up", "pose": "standing", "on": "step"},
            {"name": "lean", "pose": "up", "planted": ["far_foot"], "lumbar": 10},
        ],
    }
    scene = build_scene(parse_figure(table))
    assert scene.poses[1].lowest(["foot_far"]) == pytest.approx(STEP_HEIGHT)


def test_a_planted_arm_can_bend_the_other_way_in_the_front_view() -> None:
    table = copy.deepcopy(figure_table("side-plank"))
    table["frames"][0]["planted"] = ["near_hand"]
    table["frames"][0]["elbow_near"] = -90
    scene = build_scene(parse_figure(table))
    assert scene.poses[0].angles["elbow_near"] < 0


def test_kneeling_on_one_knee_keeps_the_kneeling_knee_in_place() -> None:
    scene = scene_of("hip-flexor-stretch-kneeling")
    knees = [p.placements()["shank_far"].joint[0] for p in scene.poses]
    assert knees[0] == pytest.approx(knees[1])
    assert scene.poses[1].angles["knee_near"] != scene.poses[0].angles["knee_near"]


def test_the_rules_tables_list_segments_joints_and_base_poses() -> None:
    text = rules_markdown()
    assert "| thigh | 0.245 |" in text
    assert "| knee_near, knee_far | 0 to 150 |" in text
    for name in BASE_POSES:
        assert f"| {name} (" in text


def test_a_pose_built_by_hand_is_placed_the_same_way() -> None:
    angles = dict.fromkeys(JOINTS, 0.0)
    frame = Frame("a", angles, Root.FEET)
    scene = build_scene(Figure(View.SIDE, (frame, frame), (Prop.MAT,)))
    assert isinstance(scene.poses[0], Pose)
    assert scene.poses[0].lowest() == pytest.approx(MAT_THICKNESS)
