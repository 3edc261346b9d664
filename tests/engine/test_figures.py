"""Generated exercise figures: posing, grounding, drawing and the [figure] format."""

from __future__ import annotations

import copy
import itertools
import math
import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from figure_checks import (
    assert_grounded,
    assert_in_frame,
    assert_limbs_keep_their_lengths,
    assert_well_formed,
)
from figure_examples import EXAMPLES, figure_table

from backcare.engine.figures import (
    BASE_POSES,
    COUNTER_HEIGHT,
    CRANK_RADIUS,
    JOINTS,
    MAT_THICKNESS,
    SADDLE_HEIGHT,
    SEAT_HEIGHT,
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
        assert_well_formed(svg, "Bird dog & more", "Kneel <on> a mat.")
        root = ET.fromstring(svg)
        title, desc = root[0], root[1]
        assert root.attrib["aria-labelledby"] == f"{title.attrib['id']} {desc.attrib['id']}"


@pytest.mark.parametrize("exercise_id", sorted(EXAMPLES))
def test_limbs_keep_their_lengths_in_every_frame_and_in_between(exercise_id: str) -> None:
    assert_limbs_keep_their_lengths(scene_of(exercise_id))


@pytest.mark.parametrize("exercise_id", sorted(EXAMPLES))
def test_the_figure_stays_inside_the_picture(exercise_id: str) -> None:
    assert_in_frame(scene_of(exercise_id))


@pytest.mark.parametrize("exercise_id", sorted(EXAMPLES))
def test_the_root_rests_on_its_surface_and_nothing_sinks_below_the_floor(
    exercise_id: str,
) -> None:
    assert_grounded(scene_of(exercise_id))


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
    assert max(w[0] for w in wrists) - min(w[0] for w in wrists) < TOLERANCE
    assert max(w[1] for w in wrists) - min(w[1] for w in wrists) < TOLERANCE
    spines = {round(p.angles["lumbar"]) for p in scene.poses}
    assert spines == {0, 32, -34}


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
            assert scene.floating or scene.poses[0].lowest() >= -TOLERANCE


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda t: t["frames"][1].update(elbow_near=200), "figure.frames[1].elbow_near"),
        (lambda t: t["frames"][1].update(elbow_near="bent"), "figure.frames[1].elbow_near"),
        (lambda t: t["frames"][1].update(knee_left=10), "figure.frames[1].knee_left"),
        (lambda t: t.update(view="above"), "figure.view"),
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


# --- props and options for the whole library ---------------------------------------------


def test_a_cycle_runs_on_from_the_end_pose_to_the_start_without_going_back() -> None:
    scene = scene_of("walking-programme" if "walking-programme" in EXAMPLES else "cycling")
    first, last = scene.poses[0], scene.poses[-1]
    # Out through the key frames and on to the start: each key pose is passed once.
    assert [pose for _t, pose in scene.samples].count(last) == 1
    assert scene.samples[-1][1] == first
    times = [t for t, _pose in scene.samples]
    steps = {round(b - a, 6) for a, b in itertools.pairwise(times)}
    assert len(steps) == 1  # an even pace, no pauses


def test_the_feet_stay_on_the_pedals_all_the_way_round() -> None:
    scene = scene_of("cycling")
    assert scene.crank is not None and scene.saddle is not None
    for _t, pose in scene.samples:
        placed = pose.placements()
        ankles = [placed[f"shank_{side}"].end for side in ("near", "far")]
        # The ankles sit the same way behind their pedals, half a turn apart about the crank.
        mid = ((ankles[0][0] + ankles[1][0]) / 2, (ankles[0][1] + ankles[1][1]) / 2)
        assert math.dist(ankles[0], ankles[1]) == pytest.approx(2 * CRANK_RADIUS, abs=1e-3)
        assert mid[1] == pytest.approx(scene.crank[1] + 0.06, abs=0.03)
        assert pose.lowest(["pelvis"]) == pytest.approx(SADDLE_HEIGHT)
    tops = [pose.placements()["shank_near"].end[1] for pose in scene.poses]
    assert tops[0] == max(tops) and tops[2] == min(tops)  # pedal 0 at the top, 180 at the bottom


def test_a_swimmer_floats_with_the_water_over_the_back() -> None:
    scene = scene_of("swimming")
    assert scene.floating and scene.water is not None
    assert scene.bounds.y0 < min(p.bounds()[1] for _t, p in scene.samples)
    svg = render_still(scene.figure, title="t", desc="d")
    assert 'fill-opacity="0.35"' in svg and "#e4e4e1" not in svg  # water, no floor


def test_water_walking_has_the_water_at_the_chest() -> None:
    scene = scene_of("water-walking")
    assert not scene.floating and scene.water is not None
    placed = scene.poses[0].placements()
    assert placed["pelvis"].joint[1] < scene.water < placed["upper_arm_near"].joint[1]


def test_hands_rest_on_the_counter_and_the_elbows_may_hang_in_front_of_it() -> None:
    scene = scene_of("counter-forward-lean")
    assert scene.counter is not None and scene.counter.y1 == COUNTER_HEIGHT
    for pose in scene.poses:
        hand = pose.lowest(["hand_near"])
        assert hand == pytest.approx(COUNTER_HEIGHT, abs=TOLERANCE)
    # Feet under the counter stay on the floor: only hands rest on it.
    assert scene.poses[0].lowest(["foot_near"]) == pytest.approx(0.0, abs=1e-9)


def test_a_resting_hand_slides_along_the_counter() -> None:
    scene = scene_of("golfers-lift")
    wrists = [p.placements()["hand_far"].joint for p in scene.poses]
    assert wrists[1][0] > wrists[0][0] + 0.1  # it moved forwards with the body
    for pose in scene.poses:
        assert pose.lowest(["hand_far"]) == pytest.approx(COUNTER_HEIGHT, abs=TOLERANCE)


def test_a_band_tied_to_a_door_runs_from_the_hands_to_the_handle() -> None:
    scene = scene_of("band-row")
    assert scene.anchor is not None and scene.wall is not None
    assert scene.anchor[0] > max(p.bounds()[2] for _t, p in scene.samples)
    svg = render_animation(scene.figure, title="t", desc="d")
    assert 'stroke="#9c2f22"' in svg and "d:path(" in svg


def test_a_walking_frame_is_drawn_in_front_of_the_hands_inside_the_picture() -> None:
    scene = scene_of("supported-forward-walking")
    hand = max(p.placements()["hand_near"].joint[0] for _t, p in scene.samples)
    assert scene.bounds.x1 > hand + 0.25
    assert 'stroke="#5d6b78"' in render_still(scene.figure, title="t", desc="d")


def test_the_top_view_looks_down_on_a_body_lying_on_the_mat() -> None:
    scene = scene_of("face-down-hips-shifted")
    assert scene.floating and scene.figure.view is View.TOP
    svg = render_still(scene.figure, title="t", desc="d")
    assert 'fill="#b9c8b4"' in svg and "#e4e4e1" not in svg  # the mat from above, no floor
    start, end = (landmarks(p)["pelvis"] for p in scene.poses)
    assert abs(end[1] - start[1]) > 0.01  # the hips move to the side


def test_a_push_up_arm_starts_with_the_elbow_up_and_ends_nearly_straight() -> None:
    scene = scene_of("prone-press-up")
    start, end = scene.poses
    assert start.angles["elbow_near"] < -90
    assert abs(end.angles["elbow_near"]) < 20
    assert end.lowest(["pelvis"]) == pytest.approx(scene.floor)  # the hips stay down


@pytest.mark.parametrize(
    ("table", "path"),
    [
        ({**standing(lumbar=10), "cycle": "yes"}, "figure.cycle"),
        (standing(pedal=90), "figure.frames[1].pedal"),
        (standing(props=["bike"], pedal=400), "figure.frames[1].pedal"),
        (standing(resting="near_hand"), "figure.frames[1].resting"),
        (standing(on="saddle"), "figure.frames[1].on"),
        (standing(view="front", props=["bike"]), "figure.props"),
    ],
)
def test_bad_new_options_name_the_field(table: dict[str, Any], path: str) -> None:
    assert path in problems(table)
