"""Exercise illustrations generated from each exercise's own data: a posed human figure as SVG.

An exercise's ``[figure]`` table (docs/figures.md) gives the view, the props and two or more key
frames. Each frame is a complete pose: a named base pose (``lying_on_back``, ``hands_and_knees``,
...) or an earlier frame, with a few joint angles overridden. From it this module:

1. builds the body by forward kinematics from the pelvis, with fixed segment lengths taken from
   Drillis and Contini's proportions (shared/figures.md), so proportions never change;
2. grounds it: the part named by ``root`` rests on its surface (floor, mat, chair seat or step)
   and keeps its place from frame to frame; ``settle`` tips the body about that part until a
   second point touches; ``planted`` hands and feet are put on the surface by two-link inverse
   kinematics (shoulder and elbow, or hip and knee), so hands stay down while the back moves;
3. draws it: ``render_still`` (start and end side by side, with a ghost of the start and an
   arrow where the movement is small) and ``render_animation`` (a CSS keyframe loop that eases
   in and out and pauses where the exercise holds; still under ``prefers-reduced-motion``).

Coordinates are in body heights (standing height H = 1), x forward (the way the figure faces in
the side view; the figure's near side in the front view), y up, the floor at y = 0. Angles are
degrees; a segment's world direction ``alpha`` is measured from straight up, clockwise (towards
+x) positive.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from types import MappingProxyType
from typing import Any
from xml.sax.saxutils import escape

from .i18n import _
from .validation import InvalidDocument, Problem

Point = tuple[float, float]


class View(StrEnum):
    SIDE = "side"  # sagittal: flexion and extension; the figure faces right, near side shown
    FRONT = "front"  # frontal: side bending, shift correction, side lying; the figure faces you
    TOP = "top"  # frontal plane seen from above: lying face down, hips shifted; no floor


class Root(StrEnum):
    """The body part that rests on the frame's surface and keeps its place between frames."""

    PELVIS = "pelvis"
    BACK = "back"
    FEET = "feet"
    NEAR_FOOT = "near_foot"
    FAR_FOOT = "far_foot"
    KNEES = "knees"
    HANDS = "hands"
    ELBOWS = "elbows"


class Surface(StrEnum):
    """What the root rests on: the floor (the top of the mat when there is one), seat or step."""

    FLOOR = "floor"
    SEAT = "seat"
    STEP = "step"
    SADDLE = "saddle"  # the saddle of the exercise bike (prop "bike")


class End(StrEnum):
    """A hand or foot that a frame keeps on the surface beneath it."""

    NEAR_HAND = "near_hand"
    FAR_HAND = "far_hand"
    NEAR_FOOT = "near_foot"
    FAR_FOOT = "far_foot"


class Prop(StrEnum):
    MAT = "mat"  # under the body; the floor surface becomes the mat's top
    CHAIR = "chair"  # under the pelvis of the first frame on the seat (or in front, to hold)
    WALL = "wall"  # behind the figure (side view) or behind it as a panel (front view)
    SIDE_WALL = "side_wall"  # beside the figure's near side (front view)
    STEP = "step"  # under the root of the first frame on the step
    BAND = "band"  # an elastic band between the two hands
    BAND_TO_FEET = "band_to_feet"  # a band from the hands round the feet
    TOWEL = "towel"  # a rolled towel behind the low back (side view)
    PILLOW = "pillow"  # under the head, filling the space between head and surface
    BALL = "ball"  # a soft ball between the knees
    WEIGHT = "weight"  # a weight held in the near hand
    STICK = "stick"  # a stick along the back, from the head to the tailbone (side view)
    BIKE = "bike"  # an exercise bike: saddle under the pelvis, pedals under the feet (side view)
    WATER = "water"  # a pool: water up to the chest; a body lying in it floats (no floor)
    COUNTER = "counter"  # a kitchen counter or table top under the first planted hand
    BAND_ANCHOR = "band_anchor"  # a band from the hands to a door handle in front, waist high
    WALKER = "walker"  # a walking frame (or shopping trolley) held in the hands


# --- the body: proportions, segments, shapes ------------------------------------------------

# Segment lengths as fractions of standing height, Drillis & Contini 1966 as tabulated in
# Winter, Biomechanics and Motor Control of Human Movement, fig. 4.1 (shared/figures.md). The
# trunk (shoulder line to hip joint, 0.288) is split into pelvis, lumbar and thoracic parts by
# our estimate [synthesis]; the neck runs from the shoulder line to the skull base, so the chin
# lands at 0.870 and the top of the head at 1.000 as in the table.
LENGTHS: Mapping[str, tuple[float, str]] = MappingProxyType(
    {
        "pelvis": (0.060, "hip joint to the lumbosacral joint; part of trunk 0.288 [synthesis]"),
        "lumbar": (0.100, "lumbosacral joint to the thoracolumbar joint [synthesis]"),
        "thoracic": (0.128, "thoracolumbar joint to the shoulder line (0.818) [synthesis]"),
        "neck": (0.070, "shoulder line to the skull base, chin at 0.870"),
        "head": (0.130, "chin to the top of the head"),
        "upper_arm": (0.186, "shoulder to elbow"),
        "forearm": (0.146, "elbow to wrist"),
        "hand": (0.108, "wrist to fingertip"),
        "thigh": (0.245, "hip joint (0.530) to knee (0.285)"),
        "shank": (0.246, "knee (0.285) to ankle (0.039)"),
        "foot": (0.152, "foot length; the ankle sits 0.039 above the sole"),
    }
)
ANKLE_HEIGHT = 0.039
SHOULDER_DROP = 0.020  # the shoulder joint sits just below the shoulder line
HIP_HALF_WIDTH = 0.050  # front view: hip joints either side of the midline (hip width 0.191)
SHOULDER_HALF_WIDTH = 0.100  # front view: shoulder joints (shoulder width 0.259 with the arms)

# Segment masses as fractions of body mass (Dempster via Winter, table 4.1), used only to find
# the centre of mass when a frame settles. Trunk 0.497 split as pelvis 0.142, abdomen 0.139,
# thorax 0.216; head and neck 0.081.
MASSES: Mapping[str, float] = MappingProxyType(
    {
        "pelvis": 0.142,
        "lumbar": 0.139,
        "thoracic": 0.216,
        "neck": 0.0,
        "head": 0.081,
        "upper_arm": 0.028,
        "forearm": 0.016,
        "hand": 0.006,
        "thigh": 0.100,
        "shank": 0.0465,
        "foot": 0.0145,
    }
)


@dataclass(frozen=True, slots=True)
class Segment:
    name: str  # e.g. "thigh_near"
    part: str  # key of LENGTHS, e.g. "thigh"
    parent: str | None
    joint: str  # the angle field that turns it, e.g. "hip_near"
    kind: str  # rotation rule: root, spine, hip, knee, ankle, shoulder, elbow, wrist
    side: str  # "", "near" or "far"
    attach: Point  # (u, v) of its joint in the parent's frame, side view
    attach_front: Point  # the same in the front view

    @property
    def length(self) -> float:
        return LENGTHS[self.part][0]


def _limbs(side: str, sign: float) -> tuple[Segment, ...]:
    s = f"_{side}"
    return (
        Segment(
            "thigh" + s,
            "thigh",
            "pelvis",
            "hip" + s,
            "hip",
            side,
            (0.0, 0.0),
            (sign * HIP_HALF_WIDTH, 0.0),
        ),
        Segment(
            "shank" + s, "shank", "thigh" + s, "knee" + s, "knee", side, (0, 0.245), (0, 0.245)
        ),
        Segment(
            "foot" + s, "foot", "shank" + s, "ankle" + s, "ankle", side, (0, 0.246), (0, 0.246)
        ),
        Segment(
            "upper_arm" + s,
            "upper_arm",
            "thoracic",
            "shoulder" + s,
            "shoulder",
            side,
            (0.0, 0.128 - SHOULDER_DROP),
            (sign * SHOULDER_HALF_WIDTH, 0.128 - SHOULDER_DROP),
        ),
        Segment(
            "forearm" + s,
            "forearm",
            "upper_arm" + s,
            "elbow" + s,
            "elbow",
            side,
            (0, 0.186),
            (0, 0.186),
        ),
        Segment(
            "hand" + s, "hand", "forearm" + s, "wrist" + s, "wrist", side, (0, 0.146), (0, 0.146)
        ),
    )


# In forward-kinematics order: every parent before its children.
SEGMENTS: tuple[Segment, ...] = (
    Segment("pelvis", "pelvis", None, "pelvis_angle", "root", "", (0, 0), (0, 0)),
    Segment("lumbar", "lumbar", "pelvis", "lumbar", "spine", "", (0, 0.06), (0, 0.06)),
    Segment("thoracic", "thoracic", "lumbar", "thoracic", "spine", "", (0, 0.10), (0, 0.10)),
    Segment("neck", "neck", "thoracic", "neck", "spine", "", (0, 0.128), (0, 0.128)),
    Segment("head", "head", "neck", "head", "spine", "", (0, 0.07), (0, 0.07)),
    *_limbs("near", 1.0),
    *_limbs("far", -1.0),
)
SEGMENT_BY_NAME: Mapping[str, Segment] = MappingProxyType({s.name: s for s in SEGMENTS})
CHILDREN: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {s.name: tuple(c.name for c in SEGMENTS if c.parent == s.name) for s in SEGMENTS}
)

# How a joint angle turns a segment: alpha = alpha_parent + offset + sign * angle. Chosen so that
# flexion (side view) and abduction or bending towards the near side (front view) are positive.
_TURN: Mapping[tuple[View, str], tuple[float, float]] = MappingProxyType(
    {
        (View.SIDE, "spine"): (0.0, 1.0),
        (View.SIDE, "hip"): (180.0, -1.0),
        (View.SIDE, "knee"): (0.0, 1.0),
        (View.SIDE, "ankle"): (-90.0, -1.0),
        (View.SIDE, "shoulder"): (180.0, -1.0),
        (View.SIDE, "elbow"): (0.0, -1.0),
        (View.SIDE, "wrist"): (0.0, -1.0),
        (View.FRONT, "spine"): (0.0, 1.0),
        (View.FRONT, "hip"): (180.0, -1.0),
        (View.FRONT, "knee"): (0.0, -1.0),
        (View.FRONT, "ankle"): (-90.0, -1.0),
        (View.FRONT, "shoulder"): (180.0, -1.0),
        (View.FRONT, "elbow"): (0.0, -1.0),
        (View.FRONT, "wrist"): (0.0, -1.0),
    }
)
# The top view turns its joints as the front view does: it is the frontal plane seen from above.
_PLANE: Mapping[View, View] = MappingProxyType(
    {View.SIDE: View.SIDE, View.FRONT: View.FRONT, View.TOP: View.FRONT}
)


def _turn(view: View, seg: Segment) -> tuple[float, float]:
    offset, sign = _TURN[(_PLANE[view], seg.kind)]
    if view is not View.SIDE and seg.side == "far":  # the far side is the mirror image
        return -offset, -sign
    return offset, sign


@dataclass(frozen=True, slots=True)
class Capsule:
    """A rounded limb: two circles (u, v, r) joined by their outer tangents (a tapered capsule)."""

    u0: float
    v0: float
    r0: float
    u1: float
    v1: float
    r1: float


@dataclass(frozen=True, slots=True)
class Ellipse:
    u: float
    v: float
    ru: float
    rv: float


Shape = Capsule | Ellipse


def _ball(u: float, v: float, r: float) -> Capsule:
    return Capsule(u, v, r, u, v, r)


_ARM_SHAPES: Mapping[str, tuple[Shape, ...]] = {
    "upper_arm": (Capsule(0, 0, 0.037, 0, 0.186, 0.029),),
    "forearm": (Capsule(0, 0, 0.029, 0, 0.146, 0.021),),
    "hand": (Capsule(0, 0.012, 0.021, 0, 0.082, 0.015),),
    "shank": (Capsule(0, 0, 0.044, 0, 0.246, 0.026),),
}
# Local frame of a segment: v along it from its joint, u across it (forward for an upright
# segment in the side view, towards the near side in the front view). For the foot, v points to
# the toes and u to the sole.
_FRONT_SHAPES: Mapping[str, tuple[Shape, ...]] = {
    "pelvis": (Capsule(0, -0.01, 0.095, 0, 0.06, 0.085),),
    "lumbar": (Capsule(0, 0, 0.08, 0, 0.10, 0.085),),
    "thoracic": (
        Capsule(0, 0, 0.088, 0, 0.08, 0.098),
        Capsule(-0.09, 0.108, 0.045, 0.09, 0.108, 0.045),
    ),
    "neck": (Capsule(0, 0, 0.032, 0, 0.07, 0.03),),
    "head": (Ellipse(0, 0.047, 0.05, 0.066),),
    "thigh": (Capsule(0, 0, 0.045, 0, 0.245, 0.04),),  # no lower than the pelvis in side lying
    "foot": (Capsule(0.02, -0.016, 0.019, 0.025, 0.032, 0.014),),
    **_ARM_SHAPES,
}
SHAPES: Mapping[View, Mapping[str, tuple[Shape, ...]]] = MappingProxyType(
    {
        View.SIDE: {
            "pelvis": (Capsule(0, 0, 0.066, 0, 0.06, 0.062),),
            "lumbar": (Capsule(0, 0, 0.058, 0.002, 0.10, 0.06),),
            "thoracic": (Capsule(0, 0, 0.062, 0, 0.092, 0.066),),
            "neck": (Capsule(0, 0, 0.033, 0.006, 0.07, 0.03),),
            "head": (Ellipse(0.015, 0.047, 0.056, 0.066), _ball(0.068, 0.045, 0.012)),
            "thigh": (Capsule(0, 0, 0.062, 0, 0.245, 0.043),),
            "foot": (Capsule(0.017, -0.013, 0.022, 0.026, 0.104, 0.013),),
            **_ARM_SHAPES,
        },
        View.FRONT: _FRONT_SHAPES,
        View.TOP: _FRONT_SHAPES,  # seen from above: the back of the body, no face
    }
)
# Small marks drawn over the head (eyes), not part of the outline.
EYES: Mapping[View, tuple[Point, ...]] = MappingProxyType(
    {View.SIDE: ((0.046, 0.058),), View.FRONT: ((-0.019, 0.058), (0.019, 0.058)), View.TOP: ()}
)


# --- joints and their allowed ranges ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JointRule:
    name: str
    side: tuple[float, float]  # allowed range in the side view
    front: tuple[float, float]  # allowed range in the front view
    zero: str
    positive: str  # side view; front view


JOINT_RULES: tuple[JointRule, ...] = (
    JointRule(
        "pelvis_angle",
        (-180, 180),
        (-180, 180),
        "upright: the pelvis-to-head axis points straight up",
        "tips the body forwards, so +90 is face down and -90 face up; "
        "front view: tips it towards its near side, so +90 is lying on the near side",
    ),
    JointRule(
        "lumbar",
        (-40, 60),
        (-35, 35),
        "in line with the pelvis",
        "flexion (bending forwards); front view: bending towards the near side",
    ),
    JointRule(
        "thoracic",
        (-30, 50),
        (-30, 30),
        "in line with the lumbar spine",
        "flexion (rounding); front view: bending towards the near side",
    ),
    JointRule(
        "neck",
        (-50, 60),
        (-45, 45),
        "in line with the thoracic spine",
        "flexion (lower neck forwards); front view: tilting towards the near side",
    ),
    JointRule(
        "head",
        (-40, 40),
        (-30, 30),
        "in line with the neck",
        "nodding forwards (upper neck flexion); front view: tilting towards the near side",
    ),
    JointRule(
        "shoulder",
        (-120, 180),
        (-30, 180),
        "arm hanging along the trunk",
        "flexion (arm forwards and up; 180 is overhead; below -60 only for an arm turned out "
        "with a negative elbow); front view: abduction (out to the side)",
    ),
    JointRule(
        "elbow",
        (-150, 150),
        (-150, 150),
        "straight",
        "flexion; front view: the forearm turns on in the direction the abduction turns (up "
        "and out), "
        "negative turns it back towards the body (hands on hips); side view: negative, with "
        "the shoulder below -60, draws an elbow turned out and up (press-up start)",
    ),
    JointRule(
        "wrist",
        (-90, 90),
        (-90, 90),
        "hand in line with the forearm",
        "the hand turns the way the elbow bends (+90 lays the hand flat, fingers forwards, "
        "under a vertical forearm)",
    ),
    JointRule(
        "hip",
        (-30, 140),
        (-40, 80),
        "thigh in line with the trunk",
        "flexion (thigh forwards); front view: abduction (leg out to the side)",
    ),
    JointRule(
        "knee",
        (0, 150),
        (-40, 40),
        "straight",
        "flexion (heel towards the buttock); front view: the shank turns back towards the midline",
    ),
    JointRule(
        "ankle",
        (-80, 30),
        (-30, 30),
        "foot at a right angle to the shank",
        "dorsiflexion (toes up); negative points the toes",
    ),
)
SIDED = ("shoulder", "elbow", "wrist", "hip", "knee", "ankle")
JOINTS: tuple[str, ...] = tuple(
    name
    for rule in JOINT_RULES
    for name in ((f"{rule.name}_near", f"{rule.name}_far") if rule.name in SIDED else (rule.name,))
)
_RULE_OF: Mapping[str, JointRule] = MappingProxyType(
    {
        j: next(r for r in JOINT_RULES if j == r.name or j.rsplit("_", 1)[0] == r.name)
        for j in JOINTS
    }
)


def joint_range(view: View, joint: str) -> tuple[float, float]:
    rule = _RULE_OF[joint]
    return rule.side if view is View.SIDE else rule.front


# --- base poses ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BasePose:
    name: str
    views: tuple[View, ...]
    angles: Mapping[str, float]
    root: Root
    on: Surface = Surface.FLOOR
    planted: tuple[End, ...] = ()
    description: str = ""


def _both(**angles: float) -> dict[str, float]:
    """Angles given once for both sides (``hip=90``) written out as hip_near and hip_far."""
    out: dict[str, float] = {}
    for name, value in angles.items():
        out[f"{name}_near"] = out[f"{name}_far"] = value
    return out


_FEET = (End.NEAR_FOOT, End.FAR_FOOT)
_HANDS = (End.NEAR_HAND, End.FAR_HAND)
BASE_POSES: Mapping[str, BasePose] = MappingProxyType(
    {
        p.name: p
        for p in (
            BasePose(
                "standing",
                (View.SIDE, View.FRONT),
                _both(elbow=8),
                Root.FEET,
                description="upright, arms by the sides",
            ),
            BasePose(
                "sitting",
                (View.SIDE,),
                _both(hip=90, knee=90, shoulder=22, elbow=62),
                Root.PELVIS,
                Surface.SEAT,
                _FEET,
                "on a chair seat, feet flat, hands on the thighs",
            ),
            BasePose(
                "lying_on_back",
                (View.SIDE,),
                {**_both(shoulder=-4, ankle=-20), "pelvis_angle": -90, "neck": -11},
                Root.PELVIS,
                planted=_FEET,
                description="face up, legs straight, arms by the sides; head to the left",
            ),
            BasePose(
                "crook_lying",
                (View.SIDE,),
                {
                    **_both(shoulder=-4, hip=50, knee=100, ankle=-40),
                    "pelvis_angle": -90,
                    "neck": -11,
                },
                Root.PELVIS,
                planted=_FEET,
                description="face up, knees bent, feet flat on the floor",
            ),
            BasePose(
                "lying_face_down",
                (View.SIDE,),
                {**_both(shoulder=6, ankle=-75), "pelvis_angle": 90, "neck": -8},
                Root.PELVIS,
                planted=_FEET,
                description="face down, legs straight, arms by the sides; head to the right",
            ),
            BasePose(
                "hands_and_knees",
                (View.SIDE,),
                {**_both(hip=76, knee=90, ankle=-75, shoulder=76, wrist=76), "pelvis_angle": 76},
                Root.KNEES,
                planted=_HANDS,
                description="on hands and knees, back flat, hands under the shoulders",
            ),
            BasePose(
                "kneeling",
                (View.SIDE,),
                {**_both(knee=90, ankle=-75, elbow=8)},
                Root.KNEES,
                description="kneeling upright, thighs and trunk vertical",
            ),
            BasePose(
                "side_lying",
                (View.FRONT,),
                {
                    "pelvis_angle": 90,
                    "lumbar": -10,
                    "thoracic": -8,
                    "neck": 5,
                    "shoulder_near": 170,
                    "elbow_far": 8,
                },
                Root.PELVIS,
                description="lying on the near side, legs straight, head on the lower arm",
            ),
            BasePose(
                "face_down_from_above",
                (View.TOP,),
                {"pelvis_angle": 90, **_both(elbow=8)},
                Root.PELVIS,
                description="lying face down seen from above, arms by the sides; head to the right",
            ),
        )
    }
)


# --- the document model ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Frame:
    """One key pose: every joint angle, and how the pose rests on its surface."""

    name: str
    angles: Mapping[str, float]
    root: Root
    on: Surface = Surface.FLOOR
    planted: tuple[End, ...] = ()
    settle: bool = False
    hold_seconds: float = 0.0
    resting: tuple[End, ...] = ()  # put on the surface below where they fall, free to slide
    pedal: float | None = None  # bike crank angle: near pedal 0 top, 90 front, 180 bottom


@dataclass(frozen=True, slots=True)
class Figure:
    view: View
    frames: tuple[Frame, ...]
    props: tuple[Prop, ...] = ()
    hold_seconds: float = 0.0  # pause at the end pose in the animation
    move_seconds: float = 1.6  # time of each move between key frames
    arrow: str = ""  # the landmark the still's arrow follows; "" for the one that moves most
    cycle: bool = False  # the animation goes on from the end pose to the start (walking, pedalling)


MAX_FRAMES = 6
TOLERANCE = 0.006  # of body height (about 1 cm): "touches" and "not below"
SEAT_HEIGHT = 0.25  # about 44 cm for a 1.75 m person: a dining chair [synthesis]
SEAT_DEPTH = 0.24
STEP_HEIGHT = 0.10  # about 17 cm: one stair [synthesis]
STEP_DEPTH = 0.24
# The exercise bike [synthesis]: a saddle about 82 cm high for a 1.75 m person, so the knee
# stays a little bent with the pedal at the bottom; the crank below and in front of the saddle.
SADDLE_HEIGHT = 0.47
CRANK_FORWARD = 0.15  # crank centre in front of the hip joint of the first frame on the saddle
CRANK_HEIGHT = 0.15
CRANK_RADIUS = 0.09
FLYWHEEL_RADIUS = 0.11
PEDAL_FOOT_ALPHA = 100.0  # the foot on the pedal, toes a little down
# A kitchen counter about 91 cm high for a 1.75 m person [synthesis].
COUNTER_HEIGHT = 0.52
COUNTER_BEHIND = 0.15  # the counter top reaches this far behind the first planted hand
COUNTER_DEPTH = 0.6
WATER_ABOVE_CHEST = 0.04  # the water line above the thoracic joint of the first frame
BAND_ANCHOR_HEIGHT = 0.56  # a door handle at about waist height
MAT_THICKNESS = 0.02
TOWEL_RADIUS = 0.032
BALL_RADIUS = 0.05
MAX_SETTLE = 45.0  # degrees a frame may tip when it settles
SAMPLES_PER_MOVE = 12
REST_SECONDS = 0.8  # pause at the start pose before the loop repeats
MIN_END_PAUSE = 0.5
_FIGURE_KEYS = ("view", "props", "hold_seconds", "move_seconds", "arrow", "cycle", "frames")
_FRAME_KEYS = (
    "name",
    "pose",
    "root",
    "on",
    "planted",
    "resting",
    "settle",
    "hold_seconds",
    "pedal",
)
_ONE_OF = "allowed: one of "


def _choices(values: Iterable[str]) -> str:
    return _ONE_OF + ", ".join(values)


class _Reader:
    """Collects every problem of one figure table, each with its field path."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def at(self, *parts: str) -> str:
        return ".".join((self.path, *parts)) if self.path else ".".join(parts)

    def problem(self, where: str, value: object, allowed: str) -> None:
        self.problems.append(Problem(where, value, allowed))

    def number(self, value: Any, where: str, low: float, high: float) -> float | None:
        if type(value) in (int, float) and math.isfinite(value) and low <= value <= high:
            return float(value)
        self.problem(where, value, f"allowed: a number from {low:g} to {high:g}")
        return None

    def choice(self, value: Any, where: str, enum: type[StrEnum]) -> Any:
        if type(value) is str and value in enum.__members__.values():
            return enum(value)
        self.problem(where, value, _choices(m.value for m in enum))
        return None

    def unknown_keys(self, table: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
        for key in table:
            if key not in allowed:
                self.problem(
                    f"{where}.{key}" if where else key,
                    table[key],
                    "unknown field; allowed: " + ", ".join(allowed),
                )


def parse_figure(mapping: Mapping[str, Any], path: str = "figure") -> Figure:
    """Parse an exercise's ``[figure]`` table, or raise InvalidDocument listing every problem.

    ``path`` prefixes each problem's field (``exercises/bridge.toml: figure``). Besides the
    fields, the key poses themselves are checked: no part of the body may go below the floor,
    planted hands and feet must reach their surface, and props must have a place.
    """
    r = _Reader(path)
    if not isinstance(mapping, Mapping):
        raise InvalidDocument([Problem(path, mapping, "allowed: a table of named fields")])
    r.unknown_keys(mapping, _FIGURE_KEYS, path)
    view = r.choice(mapping.get("view"), r.at("view"), View)
    props = _read_props(r, mapping.get("props", []))
    hold = r.number(mapping.get("hold_seconds", 0), r.at("hold_seconds"), 0, 60)
    move = r.number(mapping.get("move_seconds", 1.6), r.at("move_seconds"), 0.5, 5)
    arrow = mapping.get("arrow", "")
    if arrow != "" and arrow not in LANDMARKS:
        r.problem(r.at("arrow"), arrow, _choices(LANDMARKS))
    cycle = mapping.get("cycle", False)
    if type(cycle) is not bool:
        r.problem(r.at("cycle"), cycle, "allowed: true or false")
    raw_frames = mapping.get("frames")
    if type(raw_frames) is not list or not 2 <= len(raw_frames) <= MAX_FRAMES:
        shown = f"a list of {len(raw_frames)} frames" if type(raw_frames) is list else raw_frames
        r.problem(r.at("frames"), shown, f"allowed: a list of 2 to {MAX_FRAMES} frames")
        raw_frames = []
    frames: list[Frame] = []
    if view is not None:
        by_name: dict[str, Frame] = {}
        for i, raw in enumerate(raw_frames):
            frame = _read_frame(r, raw, f"frames[{i}]", view, by_name, props)
            if frame is not None:
                by_name[frame.name] = frame
                frames.append(frame)
    if r.problems:
        raise InvalidDocument(r.problems)
    assert view is not None and hold is not None and move is not None
    figure = Figure(view, tuple(frames), props, hold, move, str(arrow), bool(cycle))
    problems = _check_scene(figure, r)
    if problems:
        raise InvalidDocument(problems)
    return figure


def _read_props(r: _Reader, raw: Any) -> tuple[Prop, ...]:
    if type(raw) is not list:
        r.problem(r.at("props"), raw, "allowed: a list of " + _choices(Prop)[len(_ONE_OF) :])
        return ()
    props: list[Prop] = []
    for i, item in enumerate(raw):
        prop = r.choice(item, r.at(f"props[{i}]"), Prop)
        if prop in props:
            r.problem(r.at(f"props[{i}]"), item, "allowed: each prop at most once")
        elif prop is not None:
            props.append(prop)
    return tuple(props)


def _read_frame(
    r: _Reader,
    raw: Any,
    where: str,
    view: View,
    earlier: Mapping[str, Frame],
    props: Sequence[Prop] = (),
) -> Frame | None:
    if not isinstance(raw, Mapping):
        r.problem(r.at(where), raw, "allowed: a table with a name, a pose and joint angles")
        return None
    r.unknown_keys(raw, (*_FRAME_KEYS, *JOINTS), r.at(where))
    count = len(r.problems)
    name = raw.get("name")
    if type(name) is not str or not name.strip() or len(name) > 40 or name in earlier:
        r.problem(r.at(where, "name"), name, "required: a name of 1 to 40 characters used once")
    pose_name = raw.get("pose")
    base = BASE_POSES.get(pose_name) if type(pose_name) is str else None
    start = earlier.get(pose_name) if type(pose_name) is str else None
    if base is not None and view not in base.views:
        r.problem(
            r.at(where, "pose"),
            pose_name,
            f"this base pose is drawn in the {' or '.join(base.views)} view, not the {view} view",
        )
    elif base is not None:
        start = Frame(
            "", {**dict.fromkeys(JOINTS, 0.0), **base.angles}, base.root, base.on, base.planted
        )
    elif start is None:
        allowed = [p.name for p in BASE_POSES.values() if view in p.views] + list(earlier)
        r.problem(r.at(where, "pose"), pose_name, "required; " + _choices(allowed))
    if start is None:
        return None
    angles = dict(start.angles)
    for joint in JOINTS:
        if joint in raw:
            low, high = joint_range(view, joint)
            value = r.number(raw[joint], r.at(where, joint), low, high)
            angles[joint] = value if value is not None else angles[joint]
    root = r.choice(raw["root"], r.at(where, "root"), Root) if "root" in raw else start.root
    on = r.choice(raw["on"], r.at(where, "on"), Surface) if "on" in raw else start.on
    planted = _read_ends(r, raw, where, "planted", start.planted)
    resting = _read_ends(r, raw, where, "resting", start.resting)
    pedal = start.pedal
    if "pedal" in raw:
        pedal = r.number(raw["pedal"], r.at(where, "pedal"), 0, 360)
        if Prop.BIKE not in props:
            r.problem(r.at(where, "pedal"), raw["pedal"], "add 'bike' to props")
    settle = raw.get("settle", start.settle)
    if type(settle) is not bool:
        r.problem(r.at(where, "settle"), settle, "allowed: true or false")
    hold = r.number(raw.get("hold_seconds", 0), r.at(where, "hold_seconds"), 0, 60)
    if len(r.problems) > count:
        return None
    frame = Frame(str(name), MappingProxyType(angles), root, on, planted, bool(settle), hold or 0.0)
    return replace(frame, resting=tuple(e for e in resting if e not in planted), pedal=pedal)


def _read_ends(
    r: _Reader, raw: Mapping[str, Any], where: str, key: str, default: tuple[End, ...]
) -> tuple[End, ...]:
    if key not in raw:
        return default
    items = raw[key]
    if type(items) is not list:
        r.problem(r.at(where, key), items, "allowed: a list of " + ", ".join(End))
        items = []
    ends = tuple(e for i, e in enumerate(items) if r.choice(e, r.at(where, f"{key}[{i}]"), End))
    return tuple(End(e) for e in dict.fromkeys(ends))


# --- forward kinematics ----------------------------------------------------------------------


def _dir(alpha: float) -> Point:
    a = math.radians(alpha)
    return (math.sin(a), math.cos(a))


def _local(joint: Point, alpha: float, u: float, v: float) -> Point:
    """The world point at (u, v) in the frame of a segment at ``joint`` pointing at ``alpha``."""
    s, c = _dir(alpha)
    return (joint[0] + v * s + u * c, joint[1] + v * c - u * s)


@dataclass(frozen=True, slots=True)
class Placed:
    """A segment in the world: its joint, direction and far end."""

    joint: Point
    alpha: float
    end: Point


@dataclass(frozen=True, slots=True)
class Circle:
    x: float
    y: float
    r: float


@dataclass(frozen=True, slots=True)
class Oval:
    x: float
    y: float
    ru: float
    rv: float
    alpha: float

    def half_extent(self, horizontal: bool) -> float:
        s, c = _dir(self.alpha)  # v axis (s, c); u axis (c, -s)
        if horizontal:
            return math.hypot(self.ru * c, self.rv * s)
        return math.hypot(self.ru * s, self.rv * c)


@dataclass(frozen=True, slots=True)
class Pose:
    """A placed pose: the pelvis joint in the world and every joint angle."""

    view: View
    origin: Point
    angles: Mapping[str, float]

    def placements(self) -> dict[str, Placed]:
        out: dict[str, Placed] = {}
        for seg in SEGMENTS:
            if seg.parent is None:
                joint, alpha = self.origin, self.angles["pelvis_angle"]
            else:
                parent = out[seg.parent]
                u, v = seg.attach if self.view is View.SIDE else seg.attach_front
                joint = _local(parent.joint, parent.alpha, u, v)
                offset, sign = _turn(self.view, seg)
                alpha = parent.alpha + offset + sign * self.angles[seg.joint]
            out[seg.name] = Placed(joint, alpha, _local(joint, alpha, 0.0, seg.length))
        return out

    def circles(self, names: Iterable[str] | None = None) -> list[Circle | Oval]:
        """The body's shapes in the world (all of them, or those of the named segments)."""
        placed = self.placements()
        shapes: list[Circle | Oval] = []
        for name in names if names is not None else placed:
            p = placed[name]
            for shape in SHAPES[self.view][SEGMENT_BY_NAME[name].part]:
                if isinstance(shape, Ellipse):
                    x, y = _local(p.joint, p.alpha, shape.u, shape.v)
                    shapes.append(Oval(x, y, shape.ru, shape.rv, p.alpha))
                else:
                    for u, v, rad in (
                        (shape.u0, shape.v0, shape.r0),
                        (shape.u1, shape.v1, shape.r1),
                    ):
                        x, y = _local(p.joint, p.alpha, u, v)
                        shapes.append(Circle(x, y, rad))
        return shapes

    def lowest(self, names: Iterable[str] | None = None) -> float:
        return min(_low(s) for s in self.circles(names))

    def bounds(self) -> tuple[float, float, float, float]:
        """(min x, min y, max x, max y) of the body."""
        shapes = self.circles()
        return (
            min(_left(s) for s in shapes),
            min(_low(s) for s in shapes),
            max(_right(s) for s in shapes),
            max(_high(s) for s in shapes),
        )

    def centre_of_mass(self) -> Point:
        placed = self.placements()
        total = x = y = 0.0
        for seg in SEGMENTS:
            mass = MASSES[seg.part]
            mx, my = _local(placed[seg.name].joint, placed[seg.name].alpha, 0.0, seg.length / 2)
            total, x, y = total + mass, x + mass * mx, y + mass * my
        return (x / total, y / total)


def _low(s: Circle | Oval) -> float:
    return s.y - (s.r if isinstance(s, Circle) else s.half_extent(False))


def _high(s: Circle | Oval) -> float:
    return s.y + (s.r if isinstance(s, Circle) else s.half_extent(False))


def _left(s: Circle | Oval) -> float:
    return s.x - (s.r if isinstance(s, Circle) else s.half_extent(True))


def _right(s: Circle | Oval) -> float:
    return s.x + (s.r if isinstance(s, Circle) else s.half_extent(True))


# --- grounding -------------------------------------------------------------------------------


def _pair(part: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return (f"{part}_near", f"{part}_far"), (f"{part}_near", f"{part}_far")


# root: (segments whose lowest point rests on the surface, segments whose joint keeps its x).
# Of a pair, the one resting lower keeps its place (the kneeling knee when the other leg lifts).
ROOT_PARTS: Mapping[Root, tuple[tuple[str, ...], tuple[str, ...]]] = MappingProxyType(
    {
        Root.PELVIS: (("pelvis",), ("pelvis",)),
        Root.BACK: (("thoracic",), ("upper_arm_near",)),
        Root.FEET: _pair("foot"),
        Root.NEAR_FOOT: (("foot_near",), ("foot_near",)),
        Root.FAR_FOOT: (("foot_far",), ("foot_far",)),
        Root.KNEES: _pair("shank"),
        Root.HANDS: _pair("hand"),
        Root.ELBOWS: _pair("forearm"),
    }
)
END_CHAINS: Mapping[End, tuple[str, str, str]] = MappingProxyType(
    {
        End.NEAR_HAND: ("upper_arm_near", "forearm_near", "hand_near"),
        End.FAR_HAND: ("upper_arm_far", "forearm_far", "hand_far"),
        End.NEAR_FOOT: ("thigh_near", "shank_near", "foot_near"),
        End.FAR_FOOT: ("thigh_far", "shank_far", "foot_far"),
    }
)


@dataclass(slots=True)
class _Stage:
    """Where the props that carry weight are: the floor's top and the step, once placed."""

    floor: float
    step: tuple[float, float] | None = None  # x span of the step
    counter: tuple[float, float] | None = None  # x span of the counter top
    crank: Point | None = None  # centre of the bike's pedal crank
    floating: bool = False  # lying in water: nothing rests on the floor below

    def surface(self, on: Surface) -> float:
        if on is Surface.SEAT:
            return SEAT_HEIGHT
        if on is Surface.STEP:
            return STEP_HEIGHT
        if on is Surface.SADDLE:
            return SADDLE_HEIGHT
        return self.floor

    def beneath(self, x: float, hand: bool = False) -> float:
        """The height of whatever a hand or foot at ``x`` would rest on (hands: the counter)."""
        if hand and self.counter is not None and self.counter[0] <= x <= self.counter[1]:
            return COUNTER_HEIGHT
        if self.step is not None and self.step[0] <= x <= self.step[1]:
            return STEP_HEIGHT
        return self.floor


def _floating(figure: Figure) -> bool:
    """A body that lies in water (swimming) floats, and the top view looks down on the floor:
    in both no floor is drawn below the body and none is enforced."""
    if figure.view is View.TOP:
        return True
    return Prop.WATER in figure.props and abs(figure.frames[0].angles["pelvis_angle"]) >= 45


def _moved(pose: Pose, dx: float, dy: float) -> Pose:
    return replace(pose, origin=(pose.origin[0] + dx, pose.origin[1] + dy))


def _anchor(pose: Pose, root: Root) -> str:
    """The segment whose joint keeps its place: of a pair, the one resting lower."""
    names, anchors = ROOT_PARTS[root]
    if len(anchors) == 1:
        return anchors[0]
    near, far = (pose.lowest([n]) for n in names)
    return anchors[1] if far < near - 0.003 else anchors[0]


def _anchor_x(pose: Pose, root: Root, name: str | None = None) -> float:
    return pose.placements()[name or _anchor(pose, root)].joint[0]


def _norm(angle: float, near: float) -> float:
    """``angle`` plus a whole number of turns, as close as possible to ``near``."""
    return angle - 360.0 * round((angle - near) / 360.0)


def _settle(pose: Pose, names: Sequence[str], floor: float) -> Pose:
    """Tip the pose about its root's lowest point towards its centre of mass until it touches.

    Every shape not touching the pivot gives the range of turns that keep it above the floor;
    the pose turns to the end of that range on the side of its centre of mass (at most
    MAX_SETTLE degrees), and stays as it is when no turn keeps every shape up.
    """
    root_low = min(((_low(s), s.x) for s in pose.circles(names)), key=lambda t: t[0])
    px, py = root_low[1], floor
    low, high = -MAX_SETTLE, MAX_SETTLE
    for s in pose.circles():
        rad = s.r if isinstance(s, Circle) else max(s.ru, s.rv)
        dx, dy = s.x - px, s.y - py
        rho = math.hypot(dx, dy)
        if rho <= rad + 0.01:  # touching the pivot: part of the contact, not a second one
            continue
        theta = math.degrees(math.atan2(dy, dx))
        theta = theta if theta >= -90 else theta + 360  # below the floor behind: turn forwards
        lift = math.degrees(math.asin(rad / rho))
        # Turning clockwise by phi keeps the shape up while theta - 180 + lift <= phi <= theta - lift.
        low, high = max(low, theta - 180 + lift), min(high, theta - lift)
    if low > high:
        return pose
    phi = high if pose.centre_of_mass()[0] >= px else low
    a = math.radians(phi)
    ox, oy = pose.origin[0] - px, pose.origin[1] - py
    origin = (px + ox * math.cos(a) + oy * math.sin(a), py - ox * math.sin(a) + oy * math.cos(a))
    angles = {**pose.angles, "pelvis_angle": pose.angles["pelvis_angle"] + phi}
    return Pose(pose.view, origin, MappingProxyType(angles))


def _flat(alpha: float) -> float | None:
    """The flat direction (pointing +x or -x) within 45 degrees of ``alpha``, if any."""
    for flat in (90.0, -90.0):
        if abs(_norm(alpha - flat, 0.0)) <= 45.0:
            return _norm(flat, alpha)
    return None


def _plant(pose: Pose, end: End, target_x: float, stage: _Stage) -> tuple[Pose, float]:
    """Put a hand or foot on the surface under ``target_x`` by two-link inverse kinematics.

    The end keeps its direction, laid flat when it is within 45 degrees of flat. Where the
    bent knee or elbow would then dip below the surface, the end is lifted until it clears.
    Returns the new pose and how far (body heights) the end stays from its target.
    """
    view = pose.view
    upper, lower, tip = (SEGMENT_BY_NAME[n] for n in END_CHAINS[end])
    placed = pose.placements()
    flat = _flat(placed[tip.name].alpha)
    tip_alpha = placed[tip.name].alpha if flat is None else flat
    # The wrist or ankle rises by the depth of the hand or foot below it, or by the forearm's
    # or shank's own thickness there (a foot lying on its top rests on the ankle too).
    wrist = SHAPES[view][lower.part][-1]
    assert isinstance(wrist, Capsule)
    surface = stage.beneath(target_x, end in _HANDS)
    target = (target_x, surface + max(_tip_depth(view, tip, tip_alpha), wrist.r1))
    chain = (upper, lower, tip)
    out = _reach(pose, chain, target, tip_alpha)
    dip = surface - out.lowest([upper.name, lower.name, tip.name])
    if dip > 1e-9 and surface != COUNTER_HEIGHT:  # an elbow may hang in front of a counter
        out = _reach(pose, chain, (target[0], target[1] + dip), tip_alpha)
    reached = out.placements()[lower.name].end
    return out, math.hypot(reached[0] - target[0], reached[1] - target[1])


def _reach(
    pose: Pose, chain: tuple[Segment, Segment, Segment], target: Point, tip_alpha: float
) -> Pose:
    """The two-link solution that bends the middle joint the way it is already bent."""
    view = pose.view
    upper, lower, tip = chain
    placed = pose.placements()
    base = placed[upper.name].joint
    a, b = upper.length, lower.length
    dx, dy = target[0] - base[0], target[1] - base[1]
    dist = min(max(math.hypot(dx, dy), abs(a - b) + 1e-9), a + b)
    toward = math.degrees(math.atan2(dx, dy))
    beta = math.degrees(math.acos((a * a + dist * dist - b * b) / (2 * a * dist)))
    bend = 180.0 - math.degrees(math.acos((a * a + b * b - dist * dist) / (2 * a * b)))
    _, sign = _turn(view, lower)
    q = 1.0 if pose.angles[lower.joint] >= 0 else -1.0
    alpha_upper = toward - sign * q * beta
    alpha_lower = alpha_upper + sign * q * bend
    parent_alpha = placed[str(upper.parent)].alpha
    angles = dict(pose.angles)
    for seg, alpha, parent in (
        (upper, alpha_upper, parent_alpha),
        (lower, alpha_lower, alpha_upper),
        (tip, tip_alpha, alpha_lower),
    ):
        offset, s = _turn(view, seg)
        angles[seg.joint] = _norm((alpha - parent - offset) / s, pose.angles[seg.joint])
    return Pose(view, pose.origin, MappingProxyType(angles))


def _tip_depth(view: View, tip: Segment, alpha: float) -> float:
    """How far the lowest point of a hand or foot lies below its joint, at direction alpha."""
    lows = []
    for shape in SHAPES[view][tip.part]:
        assert isinstance(shape, Capsule)
        for u, v, rad in ((shape.u0, shape.v0, shape.r0), (shape.u1, shape.v1, shape.r1)):
            lows.append(_local((0.0, 0.0), alpha, u, v)[1] - rad)
    return -min(lows)


@dataclass(frozen=True, slots=True)
class _Rule:
    """How one frame rests: its root, surface, settling and planted ends with their targets."""

    root: Root
    on: Surface
    settle: bool
    planted: Mapping[End, float | None]  # target x of each planted end; None: where it falls
    anchor: Mapping[str, float] | None  # x of each anchor joint in the pose before; None: 0
    pedal: float | None = None  # crank angle: the feet are put on the bike's pedals


def _pedal_point(crank: Point, angle: float) -> Point:
    """Where a pedal is at crank ``angle`` (0 top, 90 front, 180 bottom: turning clockwise)."""
    return _local(crank, angle, 0.0, CRANK_RADIUS)


def _pedal(pose: Pose, crank: Point, angle: float) -> tuple[Pose, float]:
    """Both feet on the pedals (the far one half a turn on) by hip and knee inverse kinematics."""
    miss = 0.0
    for end, turn in ((End.NEAR_FOOT, 0.0), (End.FAR_FOOT, 180.0)):
        chain = tuple(SEGMENT_BY_NAME[n] for n in END_CHAINS[end])
        assert len(chain) == 3
        ball = _pedal_point(crank, angle + turn)
        # The ball of the foot on the pedal: the ankle sits behind and above it.
        dx, dy = _local((0.0, 0.0), PEDAL_FOOT_ALPHA, 0.035, 0.09)
        target = (ball[0] - dx, ball[1] - dy)
        pose = _reach(pose, (chain[0], chain[1], chain[2]), target, PEDAL_FOOT_ALPHA)
        reached = pose.placements()[chain[1].name].end
        miss = max(miss, math.dist(reached, target))
    return pose, miss


def _place(
    view: View, angles: Mapping[str, float], rule: _Rule, stage: _Stage
) -> tuple[Pose, float]:
    """Ground a pose by its rule; returns the pose and the worst miss of a planted end."""
    names = ROOT_PARTS[rule.root][0]
    pose = Pose(view, (0.0, 0.0), angles)
    pose = _moved(pose, 0.0, stage.surface(rule.on) - pose.lowest(names))
    joint = _anchor(pose, rule.root)
    x = 0.0 if rule.anchor is None else rule.anchor[joint]
    pose = _moved(pose, x - _anchor_x(pose, rule.root, joint), 0.0)
    if rule.settle:
        pose = _settle(pose, names, stage.surface(rule.on))
        pose = _moved(
            pose,
            x - _anchor_x(pose, rule.root, joint),
            stage.surface(rule.on) - pose.lowest(names),
        )
    miss = 0.0
    for end, target in rule.planted.items():
        tip = END_CHAINS[end][1]
        x = pose.placements()[tip].end[0] if target is None else target
        pose, gap = _plant(pose, end, x, stage)
        miss = max(miss, gap)
    if rule.pedal is not None and stage.crank is not None:
        pose, gap = _pedal(pose, stage.crank, rule.pedal)
        miss = max(miss, gap)
    return pose, miss


# --- the scene: key poses, the loop, and the props ---------------------------------------


@dataclass(frozen=True, slots=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True, slots=True)
class Scene:
    """Everything the renderers draw, computed once from a figure."""

    figure: Figure
    poses: tuple[Pose, ...]  # one per key frame, grounded
    samples: tuple[tuple[float, Pose], ...]  # (seconds, pose) through one loop of the animation
    duration: float
    floor: float  # height of the surface the floor gives (the mat's top when there is a mat)
    misses: tuple[float, ...]  # per key frame: worst miss of a planted end
    seat: Box | None = None
    backrest: Box | None = None
    step: Box | None = None
    wall: Box | None = None
    pillow: Box | None = None
    towel: Circle | None = None
    bounds: Box = field(default_factory=lambda: Box(0, 0, 1, 1))
    counter: Box | None = None  # the counter or table top (y1 is its top)
    saddle: Box | None = None  # the exercise bike's saddle ...
    crank: Point | None = None  # ... its pedal crank's centre ...
    handlebar: Point | None = None  # ... and its handlebar grip
    water: float | None = None  # the height of the water line
    floating: bool = False  # lying in the water: no floor is drawn below
    anchor: Point | None = None  # the door handle a band is tied to


def _ease(t: float) -> float:
    return (1.0 - math.cos(math.pi * t)) / 2.0


def _lerp(a: float, b: float, s: float) -> float:
    return a + (b - a) * s


def _mix(a: Pose, b: Pose, s: float) -> Pose:
    angles = {j: _lerp(a.angles[j], b.angles[j], s) for j in JOINTS}
    origin = (_lerp(a.origin[0], b.origin[0], s), _lerp(a.origin[1], b.origin[1], s))
    return Pose(a.view, origin, MappingProxyType(angles))


def _rule_for(frame: Frame, before: Pose | None) -> _Rule:
    """The frame's rule, its anchor and targets taken from the pose before (none: from 0)."""
    # Resting hands and feet go on the surface where they fall, in every frame.
    resting = dict.fromkeys(frame.resting)
    if before is None:
        targets = {**dict.fromkeys(frame.planted), **resting}
        return _Rule(frame.root, frame.on, frame.settle, targets, None, frame.pedal)
    placed = before.placements()
    targets = {end: placed[END_CHAINS[end][1]].end[0] for end in frame.planted}
    anchors = {name: placed[name].joint[0] for name in ROOT_PARTS[frame.root][1]}
    return _Rule(frame.root, frame.on, frame.settle, {**targets, **resting}, anchors, frame.pedal)


def build_scene(figure: Figure) -> Scene:
    """Ground every key frame, sample the loop, and place the props."""
    floor = MAT_THICKNESS if Prop.MAT in figure.props else 0.0
    stage = _Stage(floor, floating=_floating(figure))
    poses: list[Pose] = []
    rules: list[_Rule] = []
    misses: list[float] = []
    for frame in figure.frames:
        rule = _rule_for(frame, poses[-1] if poses else None)
        x = 0.0 if rule.anchor is None else rule.anchor[ROOT_PARTS[frame.root][1][0]]
        if frame.on is Surface.STEP and stage.step is None:
            stage.step = (x - 0.08, x - 0.08 + STEP_DEPTH)
        if frame.on is Surface.SADDLE and stage.crank is None:
            stage.crank = (x + CRANK_FORWARD, CRANK_HEIGHT)
        hands = [e for e in rule.planted if e in _HANDS]
        if Prop.COUNTER in figure.props and stage.counter is None and hands:
            loose, _miss = _place(figure.view, frame.angles, replace(rule, planted={}), stage)
            wrist = loose.placements()[END_CHAINS[hands[0]][1]].end[0]
            stage.counter = (wrist - COUNTER_BEHIND, wrist - COUNTER_BEHIND + COUNTER_DEPTH)
        pose, miss = _place(figure.view, frame.angles, rule, stage)
        # Later frames re-read their targets from the grounded pose (first frame: where they fell).
        rules.append(_rule_for(frame, pose))
        poses.append(pose)
        misses.append(miss)
    samples = _loop(figure, poses, rules, stage)
    scene = Scene(figure, tuple(poses), tuple(samples), samples[-1][0], floor, tuple(misses))
    return _with_props(scene, stage)


def _loop(
    figure: Figure, poses: Sequence[Pose], rules: Sequence[_Rule], stage: _Stage
) -> list[tuple[float, Pose]]:
    """One loop: out through every key frame, pause, back to the start, rest.

    A ``cycle`` figure goes on from the end pose to the start instead, at an even pace and
    without the pauses, so walking and pedalling run on.
    """
    frames = figure.frames
    count = len(frames)
    moves: list[list[Pose]] = []
    for i in range(count if figure.cycle else count - 1):
        a, b, j = frames[i], frames[(i + 1) % count], (i + 1) % count
        path = [poses[i]]
        for k in range(1, SAMPLES_PER_MOVE):
            s = k / SAMPLES_PER_MOVE if figure.cycle else _ease(k / SAMPLES_PER_MOVE)
            angles = {n: _lerp(a.angles[n], b.angles[n], s) for n in JOINTS}
            rule_a, rule_b = rules[i], rules[j]
            if a.pedal is not None and b.pedal is not None:  # the crank turns on, clockwise
                pedal = a.pedal + (b.pedal - a.pedal) % 360.0 * s
                rule_a, rule_b = replace(rule_a, pedal=pedal), replace(rule_b, pedal=pedal)
            pose_a = _place(figure.view, angles, rule_a, stage)
            pose_b = _place(figure.view, angles, rule_b, stage)
            mixed = _mix(pose_a[0], pose_b[0], s)
            lift = 0.0 if stage.floating else max(0.0, stage.floor - mixed.lowest())
            path.append(_moved(mixed, 0.0, lift))
        path.append(poses[j])
        moves.append(path)
    step = figure.move_seconds / SAMPLES_PER_MOVE
    out: list[tuple[float, Pose]] = [(0.0, poses[0])]

    def walk(path: Sequence[Pose]) -> None:
        for pose in path[1:]:
            out.append((out[-1][0] + step, pose))

    def pause(seconds: float) -> None:
        if seconds > 0:
            out.append((out[-1][0] + seconds, out[-1][1]))

    if figure.cycle:
        for i, path in enumerate(moves):
            walk(path)
            pause(frames[(i + 1) % count].hold_seconds)
        return out
    for i, path in enumerate(moves):
        walk(path)
        if i < len(moves) - 1:
            pause(frames[i + 1].hold_seconds)
    pause(max(frames[-1].hold_seconds or figure.hold_seconds, MIN_END_PAUSE))
    for path in reversed(moves):
        walk(path[::-1])
    pause(REST_SECONDS)
    return out


def _with_props(scene: Scene, stage: _Stage) -> Scene:
    figure, props = scene.figure, scene.figure.props
    first = scene.poses[0]
    changes: dict[str, Any] = {}
    if stage.step is not None:
        changes["step"] = Box(stage.step[0], 0.0, stage.step[1], STEP_HEIGHT)
    if Prop.TOWEL in props and figure.view is View.SIDE:
        lumbar = first.placements()["lumbar"]
        r = SHAPES[View.SIDE]["lumbar"][0]
        assert isinstance(r, Capsule)
        x, y = _local(lumbar.joint, lumbar.alpha, -(r.r0 + TOWEL_RADIUS), 0.05)
        changes["towel"] = Circle(x, y, TOWEL_RADIUS)
    if Prop.CHAIR in props:
        changes.update(_chair(scene, changes.get("towel")))
    if stage.counter is not None:
        changes["counter"] = Box(stage.counter[0], 0.0, stage.counter[1], COUNTER_HEIGHT)
    if stage.crank is not None:
        changes.update(_bike(scene, stage.crank))
    if Prop.WATER in props:
        changes["water"] = first.placements()["thoracic"].joint[1] + WATER_ABOVE_CHEST
    changes["floating"] = stage.floating
    if Prop.PILLOW in props:
        head = first.circles(["head"])
        low = min(_low(s) for s in head)
        x = sum(s.x for s in head) / len(head)
        changes["pillow"] = Box(x - 0.09, scene.floor, x + 0.09, low)
    lefts, rights, tops = [], [], []
    for _t, pose in scene.samples:
        x0, _y0, x1, y1 = pose.bounds()
        lefts.append(x0)
        rights.append(x1)
        tops.append(y1)
    x0, x1 = min(lefts), max(rights)
    if Prop.WALL in props and figure.view is View.SIDE:
        changes["wall"] = Box(x0 - 0.05, 0.0, x0, 1.12)
    elif Prop.WALL in props:
        changes["wall"] = Box(x0 - 0.12, 0.0, x1 + 0.12, 1.12)
    elif Prop.SIDE_WALL in props:
        changes["wall"] = Box(x1, 0.0, x1 + 0.05, 1.12)
    if Prop.BAND_ANCHOR in props:
        changes["anchor"] = (x1 + 0.3, BAND_ANCHOR_HEIGHT)
        changes["wall"] = Box(x1 + 0.32, 0.0, x1 + 0.36, 1.12)  # the edge of the open door
    keys = ("seat", "backrest", "step", "wall", "counter", "saddle")
    boxes = [Box(x0, 0.0, x1, max(tops))] + [
        b for b in (changes.get(k) for k in keys) if b is not None
    ]
    if Prop.WALKER in props:  # the walking frame reaches in front of the hands
        reach = max(_hand_centre(p.placements(), "near")[0] for _t, p in scene.samples)
        boxes.append(Box(x0, 0.0, reach + 0.27, 0.1))
    if "crank" in changes:  # the bike's flywheel in front of the crank
        cx, cy = changes["crank"]
        boxes.append(Box(cx, 0.0, cx + 0.2 + FLYWHEEL_RADIUS, cy))
    low = min(p.bounds()[1] for _t, p in scene.samples) - 0.08 if stage.floating else -0.035
    bounds = Box(
        min(b.x0 for b in boxes) - 0.06,
        low,
        max(b.x1 for b in boxes) + 0.06,
        max(max(b.y1 for b in boxes), changes.get("water") or 0.0) + 0.04,
    )
    return replace(scene, bounds=bounds, **changes)


def _bike(scene: Scene, crank: Point) -> dict[str, Any]:
    """The saddle under the first frame on the saddle, the handlebar at its near hand."""
    pose = next(
        p for f, p in zip(scene.figure.frames, scene.poses, strict=True) if f.on is Surface.SADDLE
    )
    pelvis = min(pose.circles(["pelvis"]), key=_low)
    saddle = Box(pelvis.x - 0.07, SADDLE_HEIGHT - 0.03, pelvis.x + 0.06, SADDLE_HEIGHT)
    return {
        "saddle": saddle,
        "crank": crank,
        "handlebar": _hand_centre(pose.placements(), "near"),
    }


def _chair(scene: Scene, towel: Circle | None) -> dict[str, Box]:
    """A seat under the first seated frame's pelvis, backrest behind it; else a chair to hold."""
    seated = [
        p for f, p in zip(scene.figure.frames, scene.poses, strict=True) if f.on is Surface.SEAT
    ]
    if seated:
        pelvis = seated[0].circles(["pelvis"])
        back = min(_left(s) for s in pelvis) - 0.005
        if towel is not None:
            back = min(back, towel.x - towel.r)
        return {
            "seat": Box(back, 0.0, back + SEAT_DEPTH, SEAT_HEIGHT),
            "backrest": Box(back - 0.03, SEAT_HEIGHT, back, SEAT_HEIGHT + 0.3),
        }
    front = max(p.bounds()[2] for p in scene.poses) + 0.04
    return {
        "backrest": Box(front, SEAT_HEIGHT, front + 0.03, SEAT_HEIGHT + 0.3),
        "seat": Box(front, 0.0, front + SEAT_DEPTH, SEAT_HEIGHT),
    }


def _check_scene(figure: Figure, r: _Reader) -> list[Problem]:
    """Problems with the poses themselves: body below the floor, ends that cannot reach."""
    problems: list[Problem] = []
    props = figure.props
    for i, frame in enumerate(figure.frames):
        need = {Surface.SEAT: Prop.CHAIR, Surface.STEP: Prop.STEP, Surface.SADDLE: Prop.BIKE}.get(
            frame.on
        )
        if need is not None and need not in props:
            problems.append(
                Problem(r.at(f"frames[{i}]", "on"), frame.on.value, f"add {need.value!r} to props")
            )
    for prop in (Prop.TOWEL, Prop.STICK, Prop.BIKE):
        if prop in props and figure.view is not View.SIDE:
            problems.append(Problem(r.at("props"), prop.value, "allowed in the side view only"))
    if problems:
        return problems
    scene = build_scene(figure)
    for i, (pose, miss) in enumerate(zip(scene.poses, scene.misses, strict=True)):
        part = min(SEGMENT_BY_NAME, key=lambda name: pose.lowest([name]))
        below = scene.floor - pose.lowest([part])
        if below > TOLERANCE and not scene.floating:
            problems.append(
                Problem(
                    r.at(f"frames[{i}]"),
                    figure.frames[i].name,
                    f"the {part.replace('_', ' ')} goes {below:.3f} body heights below the "
                    "floor; change the angles, or make it the root or planted",
                )
            )
        if miss > TOLERANCE:
            problems.append(
                Problem(
                    r.at(f"frames[{i}]", "planted"),
                    [e.value for e in figure.frames[i].planted],
                    f"a planted hand or foot misses its surface by {miss:.3f} body heights; "
                    "bring it closer or leave it out of planted",
                )
            )
    if scene.pillow is not None and scene.pillow.y1 - scene.pillow.y0 < 0.012:
        problems.append(
            Problem(
                r.at("props"),
                "pillow",
                "the head must be raised off the floor (flex the neck) to lie on a pillow",
            )
        )
    return problems


# --- drawing ---------------------------------------------------------------------------------

SCALE = 100.0  # SVG user units per body height
OUTLINE = 0.9  # outline width in user units
INK = "#1b232c"
FILLS: Mapping[str, str] = MappingProxyType(
    {"far": "#d9e0e7", "": "#9aabbc", "near": "#4a5f74", "ghost": "#f3f5f7"}
)
GHOST_INK = "#8a96a3"
ACCENT = "#9c2f22"  # arrows and the band: dark enough to read in grey
_FAR_LEG = ("far", ("thigh_far", "shank_far", "foot_far"))
_FAR_ARM = ("far", ("upper_arm_far", "forearm_far", "hand_far"))
_TRUNK = ("", ("pelvis", "lumbar", "thoracic", "neck", "head"))
_NEAR_LEG = ("near", ("thigh_near", "shank_near", "foot_near"))
_NEAR_ARM = ("near", ("upper_arm_near", "forearm_near", "hand_near"))
# Drawing order: in the side view the far limbs behind the trunk and the near ones in front; in
# the front view the legs behind the pelvis and the arms over the trunk.
LAYERS: Mapping[View, tuple[tuple[str, tuple[str, ...]], ...]] = MappingProxyType(
    {
        View.SIDE: (_FAR_LEG, _FAR_ARM, _TRUNK, _NEAR_LEG, _NEAR_ARM),
        View.FRONT: (_FAR_LEG, _NEAR_LEG, _TRUNK, _FAR_ARM, _NEAR_ARM),
        View.TOP: (_FAR_LEG, _NEAR_LEG, _TRUNK, _FAR_ARM, _NEAR_ARM),
    }
)
SMALL_MOVE = 0.1  # body heights: below this the still shows a ghost of the start and an arrow


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return "0" if text in ("0.0", "-0.0") else text.removesuffix(".0")


def _xy(value: float) -> str:
    return _n(value * SCALE)


class _Canvas:
    """World to SVG user units for one picture (and panel offset)."""

    def __init__(self, bounds: Box, dx: float = 0.0) -> None:
        self.bounds, self.dx = bounds, dx

    def x(self, x: float) -> float:
        return (x - self.bounds.x0) * SCALE + self.dx

    def y(self, y: float) -> float:
        return (self.bounds.y1 - y) * SCALE

    def pt(self, p: Point) -> str:
        return f"{_n(self.x(p[0]))} {_n(self.y(p[1]))}"

    def rect(self, b: Box, **attrs: str) -> str:
        extra = "".join(f' {k.replace("_", "-")}="{v}"' for k, v in attrs.items())
        return (
            f'<rect x="{_n(self.x(b.x0))}" y="{_n(self.y(b.y1))}" '
            f'width="{_n((b.x1 - b.x0) * SCALE)}" height="{_n((b.y1 - b.y0) * SCALE)}"{extra}/>'
        )


def _capsule_path(shape: Capsule) -> str:
    """SVG path of a tapered capsule in a segment's local units (v drawn upwards)."""
    x0, y0, r0 = shape.u0 * SCALE, -shape.v0 * SCALE, shape.r0 * SCALE
    x1, y1, r1 = shape.u1 * SCALE, -shape.v1 * SCALE, shape.r1 * SCALE
    length = math.hypot(x1 - x0, y1 - y0)
    if length + min(r0, r1) <= max(r0, r1):
        cx, cy, r = (x0, y0, r0) if r0 >= r1 else (x1, y1, r1)
        return (
            f"M{_n(cx - r)} {_n(cy)}a{_n(r)} {_n(r)} 0 1 0 {_n(2 * r)} 0"
            f"a{_n(r)} {_n(r)} 0 1 0 {_n(-2 * r)} 0Z"
        )
    ex, ey = (x1 - x0) / length, (y1 - y0) / length
    nx, ny = -ey, ex
    s = (r0 - r1) / length
    k = math.sqrt(1.0 - s * s)
    up = (s * ex + k * nx, s * ey + k * ny)
    down = (s * ex - k * nx, s * ey - k * ny)
    a_up = (x0 + r0 * up[0], y0 + r0 * up[1])
    b_up = (x1 + r1 * up[0], y1 + r1 * up[1])
    b_down = (x1 + r1 * down[0], y1 + r1 * down[1])
    a_down = (x0 + r0 * down[0], y0 + r0 * down[1])
    large_b = 1 if s < 0 else 0
    large_a = 1 if s > 0 else 0
    return (
        f"M{_n(a_up[0])} {_n(a_up[1])}L{_n(b_up[0])} {_n(b_up[1])}"
        f"A{_n(r1)} {_n(r1)} 0 {large_b} 0 {_n(b_down[0])} {_n(b_down[1])}"
        f"L{_n(a_down[0])} {_n(a_down[1])}"
        f"A{_n(r0)} {_n(r0)} 0 {large_a} 0 {_n(a_up[0])} {_n(a_up[1])}Z"
    )


def _shape_svg(shape: Shape, attrs: str) -> str:
    if isinstance(shape, Ellipse):
        return (
            f'<ellipse cx="{_xy(shape.u)}" cy="{_xy(-shape.v)}" rx="{_xy(shape.ru)}" '
            f'ry="{_xy(shape.rv)}"{attrs}/>'
        )
    return f'<path d="{_capsule_path(shape)}"{attrs}/>'


def _transforms(pose: Pose, canvas: _Canvas) -> dict[str, tuple[float, float, float]]:
    """Each segment's (x, y, rotation) relative to its parent group, in SVG units."""
    placed = pose.placements()
    out: dict[str, tuple[float, float, float]] = {}
    for seg in SEGMENTS:
        p = placed[seg.name]
        if seg.parent is None:
            out[seg.name] = (canvas.x(p.joint[0]), canvas.y(p.joint[1]), p.alpha)
        else:
            u, v = seg.attach if pose.view is View.SIDE else seg.attach_front
            out[seg.name] = (u * SCALE, -v * SCALE, p.alpha - placed[seg.parent].alpha)
    return out


def _tree(
    view: View,
    names: Sequence[str],
    transforms: Mapping[str, tuple[float, float, float]],
    attrs: str,
    css: Callable[[str], str],
    extra: Callable[[str], str] = lambda name: "",
) -> str:
    """Nested groups from the pelvis to the named segments, each drawing its own shapes."""
    wanted = set(names)
    needed: set[str] = set()
    for name in names:
        seg: Segment | None = SEGMENT_BY_NAME[name]
        while seg is not None:
            needed.add(seg.name)
            seg = SEGMENT_BY_NAME[seg.parent] if seg.parent else None

    def group(name: str) -> str:
        x, y, rot = transforms[name]
        inner = ""
        if name in wanted:
            part = SEGMENT_BY_NAME[name].part
            inner = "".join(_shape_svg(s, attrs) for s in SHAPES[view][part]) + extra(name)
        inner += "".join(group(c) for c in CHILDREN[name] if c in needed)
        return f'<g{css(name)} transform="translate({_n(x)} {_n(y)}) rotate({_n(rot)})">{inner}</g>'

    return group("pelvis")


def _eyes(view: View) -> Callable[[str], str]:
    def draw(name: str) -> str:
        if name != "head":
            return ""
        return "".join(
            f'<circle cx="{_xy(u)}" cy="{_xy(-v)}" r="0.7" fill="{INK}"/>' for u, v in EYES[view]
        )

    return draw


def _body(pose: Pose, canvas: _Canvas, css: Callable[[str], str], ghost: bool = False) -> str:
    """The figure in layers: far limbs, trunk and head, near limbs; outline, then fill."""
    transforms = _transforms(pose, canvas)
    out = []
    width = OUTLINE * 2
    for shade, names in LAYERS[pose.view]:
        ink = GHOST_INK if ghost else INK
        fill = FILLS["ghost"] if ghost else FILLS[shade]
        dash = ' stroke-dasharray="2 1.5"' if ghost else ""
        outline = f' fill="{ink}" stroke="{ink}" stroke-width="{_n(width)}"{dash}'
        out.append(_tree(pose.view, names, transforms, outline, css))
        extra = _eyes(pose.view) if shade == "" and not ghost else (lambda name: "")
        out.append(_tree(pose.view, names, transforms, f' fill="{fill}"', css, extra))
    return "".join(out)


def _stage_svg(scene: Scene, canvas: _Canvas, width: float) -> str:
    """Floor, mat, wall, chair, step, pillow and towel: the things that do not move."""
    b = scene.bounds
    out = []
    if not scene.floating:
        out += [
            canvas.rect(Box(b.x0, b.y0, b.x0 + width / SCALE, 0.0), fill="#e4e4e1"),
            f'<path d="M{_n(canvas.x(b.x0))} {_n(canvas.y(0))}h{_n(width)}" stroke="{INK}" '
            f'stroke-width="1.2"/>',
        ]
    edge = f'stroke="{INK}" stroke-width="{_n(OUTLINE)}"'
    props = scene.figure.props
    out.append(_furniture_svg(scene, canvas))
    if scene.wall is not None:
        out.append(canvas.rect(scene.wall, fill="#ecebe6", stroke=INK, stroke_width=_n(OUTLINE)))
        if scene.wall.x1 - scene.wall.x0 > 0.1:  # a wall behind a front view: a few bricks
            for y in (0.3, 0.6, 0.9):
                out.append(
                    f'<path d="M{_n(canvas.x(scene.wall.x0))} {_n(canvas.y(y))}'
                    f'H{_n(canvas.x(scene.wall.x1))}" stroke="#c9c7bd" stroke-width="0.6"/>'
                )
    if scene.backrest is not None and scene.seat is not None:
        seat, back = scene.seat, scene.backrest
        top = Box(seat.x0, SEAT_HEIGHT - 0.03, seat.x1, SEAT_HEIGHT)
        legs = "".join(
            f'<path d="M{_n(canvas.x(x))} {_n(canvas.y(SEAT_HEIGHT - 0.03))}'
            f'V{_n(canvas.y(0))}" stroke="{INK}" stroke-width="2.2"/>'
            for x in (seat.x0 + 0.015, seat.x1 - 0.015)
        )
        out.append(
            legs
            + canvas.rect(back, fill="#d8c7ad", **{"stroke": INK, "stroke_width": _n(OUTLINE)})
            + canvas.rect(top, fill="#d8c7ad", **{"stroke": INK, "stroke_width": _n(OUTLINE)})
        )
    if scene.step is not None:
        out.append(canvas.rect(scene.step, fill="#cfc8bb", stroke=INK, stroke_width=_n(OUTLINE)))
    if Prop.MAT in props and scene.figure.view is View.TOP:  # the mat seen from above
        mat = Box(b.x0 + 0.02, b.y0 + 0.02, b.x0 + width / SCALE - 0.02, b.y1 - 0.02)
        out.append(canvas.rect(mat, fill="#b9c8b4", rx="2", stroke=INK, stroke_width="0.6"))
    elif Prop.MAT in props:
        xs = [x for _t, p in scene.samples for x in (p.bounds()[0], p.bounds()[2])]
        mat = Box(min(xs) - 0.03, 0.0, max(xs) + 0.03, MAT_THICKNESS)
        out.append(
            canvas.rect(
                mat, fill="#8fa38a", rx="0.6", **{"stroke": INK, "stroke_width": _n(OUTLINE)}
            )
        )
    if scene.pillow is not None:
        out.append(
            canvas.rect(
                scene.pillow, fill="#eef0f5", rx="2.5", stroke=INK, stroke_width=_n(OUTLINE)
            )
        )
    if scene.towel is not None:
        t = scene.towel
        out.append(
            f'<circle cx="{_n(canvas.x(t.x))}" cy="{_n(canvas.y(t.y))}" r="{_xy(t.r)}" '
            f'fill="#f1e3c6" {edge}/><circle cx="{_n(canvas.x(t.x))}" cy="{_n(canvas.y(t.y))}" '
            f'r="{_xy(t.r * 0.5)}" fill="none" stroke="{INK}" stroke-width="0.5"/>'
        )
    return "".join(out)


def _furniture_svg(scene: Scene, canvas: _Canvas) -> str:
    """The counter or table, the exercise bike's frame, and the door a band is tied to."""
    out: list[str] = []
    edge = {"stroke": INK, "stroke_width": _n(OUTLINE)}
    wood = "#d8c7ad"
    if scene.counter is not None:
        c = scene.counter
        for x in (c.x0 + 0.03, c.x1 - 0.03):
            out.append(
                f'<path d="M{_n(canvas.x(x))} {_n(canvas.y(c.y1))}V{_n(canvas.y(0))}" '
                f'stroke="{INK}" stroke-width="2.6"/>'
            )
        out.append(canvas.rect(Box(c.x0, c.y1 - 0.035, c.x1, c.y1), fill=wood, **edge))
    if scene.crank is not None and scene.saddle is not None:
        cx, cy = scene.crank
        saddle = scene.saddle
        seat = ((saddle.x0 + saddle.x1) / 2, saddle.y0)
        wheel = (cx + 0.2, cy + 0.01)
        bar = scene.handlebar or (cx + 0.25, 0.7)
        stem_foot = (wheel[0] - 0.02, wheel[1] + FLYWHEEL_RADIUS * 0.6)
        tube = 'fill="none" stroke="#5d6b78" stroke-width="3.2" stroke-linecap="round"'
        out.append(
            f'<path d="M{canvas.pt((seat[0] - 0.2, 0.015))}L{canvas.pt((wheel[0] + 0.1, 0.015))}'
            f"M{canvas.pt((seat[0] - 0.02, 0.015))}L{canvas.pt(seat)}"
            f"M{canvas.pt((cx, cy))}L{canvas.pt(stem_foot)}L{canvas.pt(bar)}"
            f'M{canvas.pt((wheel[0], 0.015))}L{canvas.pt(wheel)}" {tube}/>'
            f'<circle cx="{_n(canvas.x(wheel[0]))}" cy="{_n(canvas.y(wheel[1]))}" '
            f'r="{_xy(FLYWHEEL_RADIUS)}" fill="#c3ccd4" stroke="{INK}" stroke-width="1"/>'
            f'<circle cx="{_n(canvas.x(cx))}" cy="{_n(canvas.y(cy))}" r="{_xy(0.035)}" '
            f'fill="#5d6b78" stroke="{INK}" stroke-width="0.8"/>'
            + canvas.rect(saddle, fill="#3b4650", rx="1.2", **edge)
        )
    if scene.anchor is not None:
        ax, ay = scene.anchor
        out.append(
            f'<circle cx="{_n(canvas.x(ax + 0.02))}" cy="{_n(canvas.y(ay))}" r="{_xy(0.018)}" '
            f'fill="#8a7b60" stroke="{INK}" stroke-width="0.8"/>'
        )
    return "".join(out)


def _water_svg(scene: Scene, canvas: _Canvas, width: float) -> str:
    """The water over the body: a clear blue layer up to the water line, and the line itself."""
    if scene.water is None:
        return ""
    b = scene.bounds
    bottom = b.y0 if scene.floating else 0.0
    box = Box(b.x0, bottom, b.x0 + width / SCALE, scene.water)
    x0, y = canvas.x(b.x0), canvas.y(scene.water)
    waves = "".join(
        f"q{_n(2.5)} {_n(-1.6 if k % 2 == 0 else 1.6)} 5 0" for k in range(int(width // 5))
    )
    return (
        canvas.rect(box, fill="#6fa8d6", fill_opacity="0.35")
        + f'<path d="M{_n(x0)} {_n(y)}{waves}" fill="none" stroke="#2f6f9f" stroke-width="1"/>'
    )


def _hand_centre(placed: Mapping[str, Placed], side: str) -> Point:
    hand = placed[f"hand_{side}"]
    return _local(hand.joint, hand.alpha, 0.0, 0.045)


def _loose_props(pose: Pose, props: Sequence[Prop], scene: Scene | None = None) -> dict[str, str]:
    """Path data of the props that move with the body (band, ball, weight, stick, pedals,
    walking frame), in world units."""
    placed = pose.placements()
    out: dict[str, str] = {}
    near, far = _hand_centre(placed, "near"), _hand_centre(placed, "far")
    if Prop.BAND in props:
        out["band"] = f"M{_pt(near)}L{_pt(far)}"
    if scene is not None and scene.anchor is not None:
        out["band"] = f"M{_pt(near)}L{_pt(scene.anchor)}L{_pt(far)}"
    if scene is not None and scene.crank is not None:
        arms = []
        for side in ("far", "near"):
            foot = placed[f"foot_{side}"]
            ball = _local(foot.joint, foot.alpha, 0.035, 0.09)
            arms.append(f"M{_pt(scene.crank)}L{_pt(ball)}")
        out["crank"] = "".join(arms)
    if Prop.WALKER in props:
        floor = scene.floor if scene is not None else 0.0
        front = (near[0] + 0.22, near[1] + 0.01)
        out["walker"] = (
            f"M{_pt((near[0] - 0.03, near[1]))}L{_pt(front)}"
            f"L{_pt((front[0] + 0.02, floor + 0.025))}"
            f"M{_pt(near)}L{_pt((near[0] - 0.01, floor + 0.025))}"
        )
    if Prop.BAND_TO_FEET in props:
        foot = placed["foot_near"]
        toe = _local(foot.joint, foot.alpha, 0.02, 0.09)
        out["band"] = f"M{_pt(near)}L{_pt(toe)}L{_pt(far)}"
    if Prop.BALL in props:
        k0, k1 = placed["shank_near"].joint, placed["shank_far"].joint
        out["ball"] = _circle_path(((k0[0] + k1[0]) / 2, (k0[1] + k1[1]) / 2), BALL_RADIUS)
    if Prop.WEIGHT in props:
        out["weight"] = _circle_path(near, 0.03)
    if Prop.STICK in props:
        head = placed["head"]
        pelvis = placed["pelvis"]
        top = _local(head.joint, head.alpha, -0.06, 0.16)
        bottom = _local(pelvis.joint, pelvis.alpha, -0.085, -0.05)
        out["stick"] = f"M{_pt(top)}L{_pt(bottom)}"
    return out


def _pt(p: Point) -> str:
    # World coordinates in body heights, turned into SVG units by the renderer (see _map_path).
    return f"{p[0]:.5f} {p[1]:.5f}"


def _circle_path(c: Point, r: float) -> str:
    return f"M{c[0] - r:.5f} {c[1]:.5f}A{r:.5f} {r:.5f} 0 1 0 {c[0] + r:.5f} {c[1]:.5f}A{r:.5f} {r:.5f} 0 1 0 {c[0] - r:.5f} {c[1]:.5f}Z"


def _map_path(d: str, canvas: _Canvas) -> str:
    """Turn a world path (M, L, A commands with body-height numbers) into SVG units."""
    out: list[str] = []
    closed = d.endswith("Z")
    chunks = d.removesuffix("Z").replace("M", "|M").replace("L", "|L").replace("A", "|A")
    for chunk in chunks.split("|")[1:]:
        cmd, nums = chunk[0], [float(t) for t in chunk[1:].split()]
        if cmd == "A":
            r1, r2, rot, large, sweep, x, y = nums
            # The y axis flips, so the sweep flips with it.
            out.append(
                f"A{_xy(r1)} {_xy(r2)} {_n(rot)} {int(large)} {1 - int(sweep)} "
                f"{_n(canvas.x(x))} {_n(canvas.y(y))}"
            )
        else:
            out.append(f"{cmd}{_n(canvas.x(nums[0]))} {_n(canvas.y(nums[1]))}")
    return "".join(out) + ("Z" if closed else "")


_LOOSE_STYLE: Mapping[str, str] = MappingProxyType(
    {
        "band": f'fill="none" stroke="{ACCENT}" stroke-width="1.6" stroke-linejoin="round"',
        "ball": f'fill="#e7c9a0" stroke="{INK}" stroke-width="{_n(OUTLINE)}"',
        "weight": f'fill="{INK}" stroke="{INK}" stroke-width="{_n(OUTLINE)}"',
        "stick": 'fill="none" stroke="#7a5a33" stroke-width="2" stroke-linecap="round"',
        "crank": f'fill="none" stroke="{INK}" stroke-width="2.4" stroke-linecap="round"',
        "walker": 'fill="none" stroke="#5d6b78" stroke-width="2.2" stroke-linecap="round" '
        'stroke-linejoin="round"',
    }
)


def _svg_open(width: float, height: float, uid: str, title: str, desc: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'role="img" aria-labelledby="{uid}-t {uid}-d" class="{uid}">'
        f'<title id="{uid}-t">{escape(title)}</title><desc id="{uid}-d">{escape(desc)}</desc>'
    )


def _uid(figure: Figure, title: str, kind: str) -> str:
    digest = hashlib.sha1(repr((figure, title, kind)).encode()).hexdigest()[:8]
    return f"bf{digest}"


def _scene_of(figure_data: Figure | Mapping[str, Any]) -> Scene:
    figure = figure_data if isinstance(figure_data, Figure) else parse_figure(figure_data)
    return build_scene(figure)


def _loose_svg(
    scene: Scene, pose: Pose, canvas: _Canvas, css: Callable[[str], str]
) -> dict[str, str]:
    props = scene.figure.props
    return {
        name: f'<path{css(name)} d="{_map_path(d, canvas)}" {_LOOSE_STYLE[name]}/>'
        for name, d in _loose_props(pose, props, scene).items()
    }


def _picture(
    scene: Scene,
    pose: Pose,
    canvas: _Canvas,
    css: Callable[[str], str] = lambda name: "",
    ghost: Pose | None = None,
) -> str:
    loose = _loose_svg(scene, pose, canvas, css)
    parts = [_body(ghost, canvas, lambda name: "", ghost=True)] if ghost is not None else []
    parts.append(loose.pop("ball", ""))  # between the far and the near legs would hide it
    parts.append(loose.pop("stick", ""))
    parts.append(loose.pop("crank", ""))
    parts.append(_body(pose, canvas, css))
    parts.extend(loose.values())
    return "".join(parts)


def _arrow(start: Point, end: Point, canvas: _Canvas, centre: Point) -> str:
    """An arrow beside the point that moves most, showing which way it goes."""
    dx, dy = end[0] - start[0], end[1] - start[1]
    length = math.hypot(dx, dy)
    ux, uy = dx / length, dy / length
    # Beside the path, on the side away from the body's centre.
    nx, ny = -uy, ux
    mid = ((start[0] + end[0]) / 2, (start[1] + end[1]) / 2)
    away = math.copysign(1.0, (mid[0] - centre[0]) * nx + (mid[1] - centre[1]) * ny)
    nx, ny = nx * away, ny * away
    half = max(length, 0.09) / 2
    ox, oy = mid[0] + nx * 0.09, mid[1] + ny * 0.09
    a = (ox - ux * half, oy - uy * half)
    b = (ox + ux * half, oy + uy * half)
    head = 0.025
    left = (b[0] - ux * head + nx * head * 0.6, b[1] - uy * head + ny * head * 0.6)
    right = (b[0] - ux * head - nx * head * 0.6, b[1] - uy * head - ny * head * 0.6)
    shaft = f"M{canvas.pt(a)}L{canvas.pt(b)}"
    head_path = f"M{canvas.pt(left)}L{canvas.pt(b)}L{canvas.pt(right)}Z"
    # A white halo first, so the arrow reads over a dark limb as well as on the paper.
    return (
        f'<g stroke-linecap="round" stroke-linejoin="round">'
        f'<path d="{shaft}" stroke="#fff" stroke-width="3.4"/>'
        f'<path d="{head_path}" fill="#fff" stroke="#fff" stroke-width="2.6"/>'
        f'<path d="{shaft}" stroke="{ACCENT}" stroke-width="1.6"/>'
        f'<path d="{head_path}" fill="{ACCENT}" stroke="{ACCENT}" stroke-width="0.8"/></g>'
    )


def landmarks(pose: Pose) -> dict[str, Point]:
    """Points that show a movement: every segment's joint (the head: its centre), the face."""
    placed = pose.placements()
    out = {name: p.joint for name, p in placed.items()}
    head = placed["head"]
    out["head"] = _local(head.joint, head.alpha, 0.0, 0.047)
    out["face"] = _local(head.joint, head.alpha, 0.05, 0.03)
    return out


LANDMARKS: tuple[str, ...] = (*SEGMENT_BY_NAME, "face")


def movement(scene: Scene) -> tuple[str, float]:
    """The landmark the arrow follows (the figure's ``arrow``, else the one that moves most
    from the start to the end pose) and how far it moves."""
    start, end = landmarks(scene.poses[0]), landmarks(scene.poses[-1])
    if scene.figure.arrow:
        return scene.figure.arrow, math.dist(start[scene.figure.arrow], end[scene.figure.arrow])
    return max(((n, math.dist(start[n], end[n])) for n in start), key=lambda item: item[1])


def render_still(figure_data: Figure | Mapping[str, Any], *, title: str, desc: str) -> str:
    """Every key pose side by side, start to end, for print and for reduced motion.

    Where the movement is small (a chin tuck, a pelvic tilt) the end pose has a faint ghost of
    the start behind it and an arrow beside the part that moves most.
    """
    scene = _scene_of(figure_data)
    b = scene.bounds
    panel = (b.x1 - b.x0) * SCALE
    gap = 14.0
    label = 9.0
    height = (b.y1 - b.y0) * SCALE + label
    count = len(scene.poses)
    width = panel * count + gap * (count - 1)
    uid = _uid(scene.figure, title, "still")
    out = [_svg_open(width, height, uid, title, desc)]
    name, distance = movement(scene)
    small = SMALL_MOVE > distance > 0.005
    for k, pose in enumerate(scene.poses):
        text = _("Start") if k == 0 else _("End") if k == count - 1 else _("Then")
        canvas = _Canvas(b, k * (panel + gap))
        out.append(_stage_svg(scene, canvas, panel))
        last = k == count - 1
        out.append(_picture(scene, pose, canvas, ghost=scene.poses[0] if small and last else None))
        out.append(_water_svg(scene, canvas, panel))
        if small and last:
            start, finish = landmarks(scene.poses[0])[name], landmarks(pose)[name]
            out.append(_arrow(start, finish, canvas, pose.centre_of_mass()))
        out.append(
            f'<text x="{_n(canvas.x(b.x0) + panel / 2)}" y="{_n(height - 2.5)}" '
            f'text-anchor="middle" font-family="sans-serif" font-size="6" fill="{INK}">'
            f"{escape(text)}</text>"
        )
        if not last:
            mid, y = canvas.x(b.x1) + gap / 2, height / 2
            out.append(
                f'<path d="M{_n(mid - 3)} {_n(y - 5)}L{_n(mid + 3)} {_n(y)}L{_n(mid - 3)} '
                f'{_n(y + 5)}" fill="none" stroke="{INK}" stroke-width="1.4" '
                f'stroke-linecap="round" stroke-linejoin="round"/>'
            )
    out.append("</svg>")
    return "".join(out)


def render_animation(figure_data: Figure | Mapping[str, Any], *, title: str, desc: str) -> str:
    """The movement as a looping CSS animation of every joint angle.

    Each moving joint's group gets one keyframe rule, sampled through the loop (ease in and
    out, pauses at the end pose and before repeating). Without animation (reduced motion, or a
    renderer without CSS) the groups' own transforms show the start pose, with a faint ghost of
    the end pose shown under ``prefers-reduced-motion``.
    """
    scene = _scene_of(figure_data)
    b = scene.bounds
    width, height = (b.x1 - b.x0) * SCALE, (b.y1 - b.y0) * SCALE
    canvas = _Canvas(b)
    uid = _uid(scene.figure, title, "animation")
    duration = scene.duration
    moving: dict[str, str] = {}
    rules: list[str] = []
    tracks: dict[str, list[tuple[str, str]]] = {}
    for t, pose in scene.samples:
        pct = f"{100.0 * t / duration:.2f}".rstrip("0").rstrip(".") + "%"
        for name, (x, y, rot) in _transforms(pose, canvas).items():
            value = f"translate({_n(x)}px,{_n(y)}px) rotate({_n(rot)}deg)"
            tracks.setdefault(name, []).append((pct, f"transform:{value}"))
        for name, d in _loose_props(pose, scene.figure.props, scene).items():
            tracks.setdefault(name, []).append((pct, f'd:path("{_map_path(d, canvas)}")'))
    for i, (name, track) in enumerate(tracks.items()):
        if len({value for _pct, value in track}) == 1:
            continue
        moving[name] = f"{uid}-{i}"
        frames = "".join(f"{pct}{{{value}}}" for pct, value in _dedupe(track))
        rules.append(f"@keyframes {uid}-k{i}{{{frames}}}")
        rules.append(f".{uid} .{uid}-{i}{{animation:{uid}-k{i} {duration:.2f}s linear infinite}}")
    rules.append(
        f"@media (prefers-reduced-motion:reduce){{.{uid} *{{animation:none!important}}"
        f".{uid} .{uid}-rm{{display:inline}}}}"
    )

    def css(name: str) -> str:
        return f' class="{moving[name]}"' if name in moving else ""

    out = [
        _svg_open(width, height, uid, title, desc),
        f"<style>{''.join(rules)}</style>",
        _stage_svg(scene, canvas, width),
        f'<g class="{uid}-rm" display="none">{_body(scene.poses[-1], canvas, lambda n: "", ghost=True)}</g>',
        _picture(scene, scene.poses[0], canvas, css),
        _water_svg(scene, canvas, width),
        "</svg>",
    ]
    return "".join(out)


def _dedupe(track: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Drop keyframes that sit between two equal neighbours (pauses need only their ends)."""
    out: list[tuple[str, str]] = []
    for i, item in enumerate(track):
        if 0 < i < len(track) - 1 and track[i - 1][1] == item[1] == track[i + 1][1]:
            continue
        out.append(item)
    return out


# --- documentation ---------------------------------------------------------------------------


def rules_markdown() -> str:
    """The figure's proportions, joint conventions and base poses as Markdown tables."""
    lines = [
        "| segment | length (of height) | from | source |",
        "|---|---|---|---|",
    ]
    for part, (length, note) in LENGTHS.items():
        source = (
            "our split of Drillis & Contini's trunk [synthesis]"
            if "[synthesis]" in note
            else "Drillis & Contini 1966 via Winter fig. 4.1"
        )
        lines.append(f"| {part} | {length:.3f} | {note.replace(' [synthesis]', '')} | {source} |")
    lines += [
        "",
        "| joint | side view range | front view range | zero | positive |",
        "|---|---|---|---|---|",
    ]
    for rule in JOINT_RULES:
        name = f"{rule.name}_near, {rule.name}_far" if rule.name in SIDED else rule.name
        lines.append(
            f"| {name} | {rule.side[0]:g} to {rule.side[1]:g} | {rule.front[0]:g} to "
            f"{rule.front[1]:g} | {rule.zero} | {rule.positive} |"
        )
    lines += [
        "",
        "| base pose | views | root | on | planted | angles (others 0) |",
        "|---|---|---|---|---|---|",
    ]
    for pose in BASE_POSES.values():
        angles = ", ".join(f"{k} = {v:g}" for k, v in pose.angles.items())
        planted = ", ".join(pose.planted) or "–"
        views = ", ".join(pose.views)
        lines.append(
            f"| {pose.name} ({pose.description}) | {views} | {pose.root} | {pose.on} | "
            f"{planted} | {angles} |"
        )
    return "\n".join(lines) + "\n"
