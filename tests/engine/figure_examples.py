"""Worked examples of the ``[figure]`` format: real exercises of the library, posed.

Each entry is the TOML an exercise file will carry (docs/figures.md), keyed by the exercise id.
The tests render every one; ``python -m tests.engine.figure_examples DIR`` writes them to an
HTML page for looking at.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from typing import Any

EXAMPLES: dict[str, str] = {
    "prone-press-up": """
[figure]
view = "side"
props = ["mat"]
hold_seconds = 2
[[figure.frames]]
name = "start"
pose = "lying_face_down"
shoulder_near = -90
shoulder_far = -90
elbow_near = -130
elbow_far = -130
wrist_near = -60
wrist_far = -60
planted = ["near_hand", "far_hand", "near_foot", "far_foot"]
[[figure.frames]]
name = "up"
pose = "start"
pelvis_angle = 70
hip_near = -20
hip_far = -20
lumbar = -30
thoracic = -20
neck = -5
""",
    "single-knee-to-chest": """
[figure]
view = "side"
props = ["mat"]
hold_seconds = 3
[[figure.frames]]
name = "start"
pose = "crook_lying"
[[figure.frames]]
name = "knee in"
pose = "start"
hip_near = 125
knee_near = 125
ankle_near = -20
shoulder_near = 17
elbow_near = 72
shoulder_far = 17
elbow_far = 72
planted = ["far_foot"]
""",
    "cat-camel": """
[figure]
view = "side"
props = ["mat"]
hold_seconds = 1
[[figure.frames]]
name = "flat"
pose = "hands_and_knees"
[[figure.frames]]
name = "cat"
pose = "flat"
pelvis_angle = 48
hip_near = 48
hip_far = 48
lumbar = 32
thoracic = 22
neck = 40
[[figure.frames]]
name = "camel"
pose = "flat"
pelvis_angle = 106
hip_near = 106
hip_far = 106
lumbar = -34
thoracic = -12
neck = -30
""",
    "bird-dog": """
[figure]
view = "side"
props = ["mat"]
hold_seconds = 3
[[figure.frames]]
name = "start"
pose = "hands_and_knees"
[[figure.frames]]
name = "reach"
pose = "start"
hip_near = -14
knee_near = 0
ankle_near = -30
shoulder_far = 166
wrist_far = 0
planted = ["near_hand"]
""",
    "bridge": """
[figure]
view = "side"
props = ["mat"]
hold_seconds = 3
[[figure.frames]]
name = "start"
pose = "crook_lying"
[[figure.frames]]
name = "hips up"
pose = "start"
root = "back"
pelvis_angle = -118
thoracic = 12
neck = 16
shoulder_near = -22
shoulder_far = -22
""",
    "side-plank": """
[figure]
view = "front"
props = ["mat"]
hold_seconds = 5
[[figure.frames]]
name = "start"
pose = "side_lying"
root = "elbows"
settle = true
pelvis_angle = 60
hip_near = -30
hip_far = 30
shoulder_near = 60
elbow_near = 90
shoulder_far = 40
elbow_far = -80
[[figure.frames]]
name = "hips up"
pose = "start"
pelvis_angle = 80
hip_near = 0
hip_far = 0
shoulder_near = 80
""",
    "seated-forward-bend": """
[figure]
view = "side"
props = ["chair"]
hold_seconds = 3
[[figure.frames]]
name = "start"
pose = "sitting"
[[figure.frames]]
name = "down"
pose = "start"
lumbar = 40
thoracic = 38
neck = 20
shoulder_near = 70
shoulder_far = 70
elbow_near = 10
elbow_far = 10
""",
    "standing-back-bend": """
[figure]
view = "side"
[[figure.frames]]
name = "start"
pose = "standing"
shoulder_near = -40
shoulder_far = -40
elbow_near = 70
elbow_far = 70
[[figure.frames]]
name = "lean back"
pose = "start"
pelvis_angle = -12
hip_near = -12
hip_far = -12
lumbar = -22
thoracic = -12
neck = 25
""",
    "wall-angels": """
[figure]
view = "front"
props = ["wall"]
hold_seconds = 1
[[figure.frames]]
name = "W"
pose = "standing"
shoulder_near = 90
shoulder_far = 90
elbow_near = 90
elbow_far = 90
[[figure.frames]]
name = "Y"
pose = "W"
shoulder_near = 150
shoulder_far = 150
elbow_near = 20
elbow_far = 20
""",
    "step-up": """
[figure]
view = "side"
props = ["step"]
[[figure.frames]]
name = "foot on step"
pose = "standing"
root = "near_foot"
on = "step"
hip_near = 62
knee_near = 75
ankle_near = 13
planted = ["far_foot"]
[[figure.frames]]
name = "stepping up"
pose = "standing"
root = "near_foot"
on = "step"
hip_far = 30
knee_far = 80
[[figure.frames]]
name = "up"
pose = "standing"
root = "feet"
on = "step"
""",
    "chin-tuck-lying": """
[figure]
view = "side"
props = ["mat", "pillow"]
hold_seconds = 3
[[figure.frames]]
name = "start"
pose = "crook_lying"
neck = 22
[[figure.frames]]
name = "tuck"
pose = "start"
neck = 14
head = 22
""",
    "wall-shift-correction": """
[figure]
view = "front"
props = ["side_wall"]
hold_seconds = 2
arrow = "pelvis"
[[figure.frames]]
name = "shifted"
pose = "standing"
hip_near = 6
hip_far = -6
lumbar = 12
shoulder_near = 90
elbow_near = 90
shoulder_far = 40
elbow_far = -80
[[figure.frames]]
name = "hips to the wall"
pose = "shifted"
hip_near = 0
hip_far = 0
lumbar = 0
""",
    "hip-hinge": """
[figure]
view = "side"
props = ["stick"]
hold_seconds = 1
[[figure.frames]]
name = "start"
pose = "standing"
knee_near = 10
knee_far = 10
hip_near = 5
hip_far = 5
ankle_near = 5
ankle_far = 5
shoulder_near = -40
elbow_near = 70
shoulder_far = 165
elbow_far = 150
[[figure.frames]]
name = "hinge"
pose = "start"
pelvis_angle = 48
hip_near = 62
hip_far = 62
knee_near = 20
knee_far = 20
ankle_near = 10
ankle_far = 10
""",
    "sit-to-stand": """
[figure]
view = "side"
props = ["chair"]
[[figure.frames]]
name = "sitting"
pose = "sitting"
knee_near = 100
knee_far = 100
[[figure.frames]]
name = "lean"
pose = "sitting"
knee_near = 100
knee_far = 100
pelvis_angle = 35
hip_near = 125
hip_far = 125
[[figure.frames]]
name = "standing"
pose = "standing"
""",
    "hamstring-stretch-lying": """
[figure]
view = "side"
props = ["mat", "band_to_feet"]
hold_seconds = 3
[[figure.frames]]
name = "start"
pose = "lying_on_back"
planted = ["far_foot"]
hip_near = 35
ankle_near = 0
shoulder_near = 60
shoulder_far = 60
elbow_near = 40
elbow_far = 40
[[figure.frames]]
name = "stretch"
pose = "start"
hip_near = 75
shoulder_near = 90
shoulder_far = 90
elbow_near = 20
elbow_far = 20
""",
    "hip-flexor-stretch-kneeling": """
[figure]
view = "side"
props = ["mat"]
hold_seconds = 3
[[figure.frames]]
name = "start"
pose = "kneeling"
hip_near = 90
knee_near = 90
ankle_near = 0
planted = ["near_foot"]
[[figure.frames]]
name = "lunge"
pose = "start"
hip_far = -15
knee_far = 75
""",
    "seated-lumbar-roll": """
[figure]
view = "side"
props = ["chair", "towel"]
hold_seconds = 2
[[figure.frames]]
name = "slumped"
pose = "sitting"
lumbar = 12
thoracic = 10
[[figure.frames]]
name = "tall"
pose = "sitting"
lumbar = -8
""",
    "suitcase-carry": """
[figure]
view = "front"
props = ["weight"]
[[figure.frames]]
name = "start"
pose = "standing"
[[figure.frames]]
name = "walk"
pose = "start"
""",
    "cycling": """
[figure]
view = "side"
props = ["bike"]
cycle = true
move_seconds = 0.5
[[figure.frames]]
name = "near pedal up"
pose = "sitting"
on = "saddle"
planted = []
pedal = 0
pelvis_angle = 22
hip_near = 80
hip_far = 80
lumbar = 8
thoracic = 6
neck = -20
shoulder_near = 62
shoulder_far = 62
elbow_near = 25
elbow_far = 25
wrist_near = 20
wrist_far = 20
[[figure.frames]]
name = "near pedal forward"
pose = "near pedal up"
pedal = 90
[[figure.frames]]
name = "near pedal down"
pose = "near pedal up"
pedal = 180
[[figure.frames]]
name = "near pedal back"
pose = "near pedal up"
pedal = 270
""",
    "swimming": """
[figure]
view = "side"
props = ["water"]
cycle = true
move_seconds = 0.7
[[figure.frames]]
name = "near arm reaches"
pose = "lying_face_down"
planted = []
neck = -12
shoulder_near = 175
elbow_near = 5
shoulder_far = -10
elbow_far = 10
hip_near = 6
hip_far = -6
[[figure.frames]]
name = "near arm pulls"
pose = "near arm reaches"
shoulder_near = 95
elbow_near = 30
shoulder_far = -45
elbow_far = 110
hip_near = -6
hip_far = 6
[[figure.frames]]
name = "far arm reaches"
pose = "near arm reaches"
shoulder_near = -10
elbow_near = 10
shoulder_far = 175
elbow_far = 5
hip_near = 6
hip_far = -6
[[figure.frames]]
name = "far arm pulls"
pose = "near arm reaches"
shoulder_near = -45
elbow_near = 110
shoulder_far = 95
elbow_far = 30
hip_near = -6
hip_far = 6
""",
    "counter-forward-lean": """
[figure]
view = "side"
props = ["counter"]
hold_seconds = 4
[[figure.frames]]
name = "hands on the counter"
pose = "standing"
shoulder_near = 25
shoulder_far = 25
elbow_near = 10
elbow_far = 10
planted = ["near_hand", "far_hand"]
[[figure.frames]]
name = "lean"
pose = "hands on the counter"
planted = []
resting = ["near_hand", "far_hand"]
pelvis_angle = 30
hip_near = 12
hip_far = 12
ankle_near = 18
ankle_far = 18
lumbar = 22
thoracic = 14
neck = -14
shoulder_near = 62
shoulder_far = 62
elbow_near = 80
elbow_far = 80
""",
    "band-row": """
[figure]
view = "side"
props = ["band_anchor"]
hold_seconds = 2
[[figure.frames]]
name = "arms forward"
pose = "standing"
knee_near = 8
knee_far = 8
hip_near = 4
hip_far = 4
ankle_near = 4
ankle_far = 4
shoulder_near = 75
shoulder_far = 75
elbow_near = 5
elbow_far = 5
[[figure.frames]]
name = "elbows back"
pose = "arms forward"
shoulder_near = -35
shoulder_far = -35
elbow_near = 105
elbow_far = 105
""",
    "supported-forward-walking": """
[figure]
view = "side"
props = ["walker"]
cycle = true
move_seconds = 1.0
[[figure.frames]]
name = "near foot forward"
pose = "standing"
pelvis_angle = 14
lumbar = 4
neck = -14
hip_near = 36
knee_near = 6
ankle_near = 5
hip_far = 2
knee_far = 14
ankle_far = -10
shoulder_near = 40
elbow_near = 45
shoulder_far = 40
elbow_far = 45
[[figure.frames]]
name = "far foot forward"
pose = "near foot forward"
hip_far = 36
knee_far = 6
ankle_far = 5
hip_near = 2
knee_near = 14
ankle_near = -10
""",
    "face-down-hips-shifted": """
[figure]
view = "top"
props = ["mat"]
hold_seconds = 60
arrow = "pelvis"
[[figure.frames]]
name = "straight"
pose = "face_down_from_above"
root = "back"
[[figure.frames]]
name = "hips to one side"
pose = "straight"
lumbar = 14
thoracic = 4
hip_near = -12
hip_far = 12
""",
    "golfers-lift": """
[figure]
view = "side"
props = ["counter"]
[[figure.frames]]
name = "start"
pose = "standing"
root = "near_foot"
shoulder_far = 25
elbow_far = 10
resting = ["far_hand"]
[[figure.frames]]
name = "tip forward"
pose = "start"
pelvis_angle = 78
hip_near = 72
knee_near = 12
ankle_near = 6
hip_far = -6
ankle_far = -30
neck = -30
shoulder_near = 80
shoulder_far = 82
""",
    "dead-bug": """
[figure]
view = "side"
props = ["mat"]
[[figure.frames]]
name = "start"
pose = "crook_lying"
[[figure.frames]]
name = "heel slide"
pose = "start"
planted = ["far_foot"]
resting = ["near_foot"]
hip_near = 14
knee_near = 22
ankle_near = -10
""",
    "water-walking": """
[figure]
view = "side"
props = ["water"]
cycle = true
move_seconds = 1.2

[[figure.frames]]
name = "near foot forward"
pose = "standing"
hip_near = 22
knee_near = 4
ankle_near = 5
hip_far = -14
knee_far = 12
ankle_far = -12
shoulder_near = -18
elbow_near = 20
shoulder_far = 22
elbow_far = 25
[[figure.frames]]
name = "far foot forward"
pose = "standing"
hip_far = 22
knee_far = 4
ankle_far = 5
hip_near = -14
knee_near = 12
ankle_near = -12
shoulder_far = -18
elbow_far = 20
shoulder_near = 22
elbow_near = 25
""",
}


def figure_table(exercise_id: str) -> dict[str, Any]:
    table: dict[str, Any] = tomllib.loads(EXAMPLES[exercise_id])["figure"]
    return table


def write_page(folder: Path) -> Path:
    """Write every example as a still and an animation into folder/index.html."""
    from backcare.engine.figures import parse_figure, render_animation, render_still

    folder.mkdir(parents=True, exist_ok=True)
    parts = [
        "<!doctype html><meta charset=utf-8><style>body{font:14px sans-serif;margin:8px}"
        "div.e{display:grid;grid-template-columns:2fr 1fr;gap:8px;border-bottom:1px solid #ccc}"
        "svg{width:100%;height:auto;max-height:230px}</style>"
    ]
    for eid in EXAMPLES:
        figure = parse_figure(figure_table(eid), f"{eid}: figure")
        still = render_still(figure, title=eid, desc="still")
        anim = render_animation(figure, title=eid, desc="animation")
        (folder / f"{eid}.svg").write_text(still)
        parts.append(f"<h3>{eid}</h3><div class=e>{still}{anim}</div>")
    page = folder / "index.html"
    page.write_text("".join(parts))
    return page


if __name__ == "__main__":
    print(write_page(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/figs")))
