"""Checks every exercise figure must pass, shared by the renderer's tests and the content tests."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

import pytest

from backcare.engine.figures import (
    COUNTER_HEIGHT,
    END_CHAINS,
    LENGTHS,
    ROOT_PARTS,
    SADDLE_HEIGHT,
    SEAT_HEIGHT,
    SEGMENTS,
    STEP_HEIGHT,
    TOLERANCE,
    Frame,
    Scene,
    Surface,
    View,
    render_animation,
)

SVG = "{http://www.w3.org/2000/svg}"
SCALE = 100.0  # SVG units per body height


def assert_well_formed(svg: str, title: str, desc: str) -> None:
    """Parses as SVG, scales from its viewBox alone, and names itself for screen readers."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert "width" not in root.attrib and "height" not in root.attrib
    assert re.fullmatch(r"0 0 [\d.]+ [\d.]+", root.attrib["viewBox"])
    title_el, desc_el = root[0], root[1]
    assert (title_el.tag, title_el.text) == (f"{SVG}title", title)
    assert (desc_el.tag, desc_el.text) == (f"{SVG}desc", desc)
    assert root.attrib["role"] == "img"


def assert_limbs_keep_their_lengths(scene: Scene) -> None:
    """Every segment has its fixed length, and stays joined to its parent, in every sample."""
    for _t, pose in scene.samples:
        placed = pose.placements()
        for seg in SEGMENTS:
            p = placed[seg.name]
            assert math.dist(p.joint, p.end) == pytest.approx(LENGTHS[seg.part][0])
            if seg.parent is not None:
                u, v = seg.attach if pose.view is View.SIDE else seg.attach_front
                gap = math.dist(placed[seg.parent].joint, p.joint)
                assert gap == pytest.approx(math.hypot(u, v), abs=1e-9)


def assert_in_frame(scene: Scene) -> None:
    """Every sample of the loop lies inside the picture, and the viewBox is the picture."""
    b = scene.bounds
    for _t, pose in scene.samples:
        x0, y0, x1, y1 = pose.bounds()
        assert b.x0 <= x0 and x1 <= b.x1 and b.y0 <= y0 and y1 <= b.y1
    root = ET.fromstring(render_animation(scene.figure, title="t", desc="d"))
    width, height = (float(n) for n in root.attrib["viewBox"].split()[2:])
    assert width == pytest.approx((b.x1 - b.x0) * SCALE, abs=0.06)
    assert height == pytest.approx((b.y1 - b.y0) * SCALE, abs=0.06)


def surface_under(scene: Scene, frame: Frame) -> float:
    return {
        Surface.FLOOR: scene.floor,
        Surface.SEAT: SEAT_HEIGHT,
        Surface.STEP: STEP_HEIGHT,
        Surface.SADDLE: SADDLE_HEIGHT,
    }[frame.on]


def assert_grounded(scene: Scene) -> None:
    """The root rests on its surface (floor, mat, seat, step or saddle), planted and resting
    hands and feet touch down (floor, step or counter), and nothing goes below the floor at
    any moment of the loop, unless the body floats in water."""
    for frame, pose in zip(scene.figure.frames, scene.poses, strict=True):
        names = ROOT_PARTS[frame.root][0]
        assert pose.lowest(names) == pytest.approx(surface_under(scene, frame), abs=1e-9)
        assert scene.floating or pose.lowest() >= scene.floor - TOLERANCE
        for end in (*frame.planted, *frame.resting):
            chain, tip = list(END_CHAINS[end][1:]), [END_CHAINS[end][2]]
            surfaces = [scene.floor]
            surfaces += [STEP_HEIGHT] if scene.step is not None else []
            surfaces += [COUNTER_HEIGHT] if scene.counter is not None else []
            lows = (pose.lowest(chain), pose.lowest(tip))
            assert any(low == pytest.approx(h, abs=TOLERANCE) for h in surfaces for low in lows)
    for _t, pose in scene.samples:  # in between, the same tolerance as the key frames (~1 cm)
        assert scene.floating or pose.lowest() >= scene.floor - TOLERANCE
