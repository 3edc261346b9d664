"""The shared server-side charts (backcare/care/charts.py): well-formed, accessible SVG."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest

from backcare.care.charts import (
    Band,
    Bar,
    Reference,
    Series,
    bar_chart,
    bar_table,
    line_chart,
    line_table,
)

NS = "{http://www.w3.org/2000/svg}"
D = dt.date(2026, 11, 27)
WEEK = dt.timedelta(days=7)
PAIN = Series("Pain", [(D, 6), (D + WEEK, 5), (D + 2 * WEEK, 3)])


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{NS}text")]


def test_a_line_chart_is_well_formed_svg_named_by_its_title_and_description() -> None:
    svg = line_chart(
        [PAIN],
        y_min=0,
        y_max=10,
        y_label="Pain, 0 to 10",
        title="Pain",
        description="Your pain has come down.",
        chart_id="pain",
    )
    root = parse(svg)
    assert root.tag == f"{NS}svg"
    assert root.attrib["role"] == "img"
    assert root.attrib["aria-labelledby"] == "pain-title pain-desc"
    assert root.attrib["viewBox"].startswith("0 0 360 ")
    assert root.attrib["width"] == "100%"
    assert root.find(f"{NS}title").attrib["id"] == "pain-title"  # type: ignore[union-attr]
    assert root.findtext(f"{NS}title") == "Pain"
    desc = root.findtext(f"{NS}desc") or ""
    assert desc.startswith("Your pain has come down.")
    assert "Pain: 6 on 27 Nov 2026, 3 on 11 Dec 2026 (3 values)." in desc
    assert "Pain, 0 to 10" in texts(root)


def test_points_sit_where_their_values_and_dates_put_them() -> None:
    root = parse(line_chart([PAIN], y_min=0, y_max=10, y_label="", title="t", description=""))
    line = root.find(f"{NS}polyline")
    assert line is not None
    points = [tuple(map(float, p.split(","))) for p in line.attrib["points"].split()]
    xs = [x for x, _y in points]
    ys = [y for _x, y in points]
    assert xs[1] - xs[0] == pytest.approx(xs[2] - xs[1], abs=0.2)  # a week apart each
    assert ys[0] < ys[1] < ys[2]  # 6, 5, 3: lower values lower on the screen (larger y)
    assert (ys[2] - ys[1]) == pytest.approx(2 * (ys[1] - ys[0]), abs=0.2)


def test_bands_and_references_are_drawn_with_their_labels() -> None:
    root = parse(
        line_chart(
            [PAIN],
            y_min=0,
            y_max=10,
            y_label="",
            title="t",
            description="",
            bands=[Band(0, 4.2, "A change that matters")],
            references=[Reference(6, "Start: 6")],
        )
    )
    assert {"A change that matters", "Start: 6"} <= set(texts(root))
    dashed = [
        line
        for line in root.iter(f"{NS}line")
        if line.attrib.get("stroke-dasharray") == "5 4"  # the reference line
    ]
    assert len(dashed) == 1
    assert any(rect.attrib.get("fill-opacity") for rect in root.iter(f"{NS}rect"))


def test_series_differ_by_marker_and_dash_not_only_colour() -> None:
    other = Series("Activities", [(D, 3), (D + WEEK, 5)])
    root = parse(
        line_chart([PAIN, other], y_min=0, y_max=10, y_label="", title="t", description="")
    )
    lines = root.findall(f"{NS}polyline")
    assert len(lines) == 2
    assert "stroke-dasharray" not in lines[0].attrib
    assert lines[1].attrib["stroke-dasharray"]
    assert root.findall(f"{NS}circle") and root.findall(f"{NS}rect")  # circles and squares
    assert {"Pain", "Activities"} <= set(texts(root))  # the legend


def test_text_is_escaped() -> None:
    svg = line_chart(
        [Series("<script>alert(1)</script>", [(D, 1)])],
        y_min=0,
        y_max=10,
        y_label="a & b",
        title="<b>",
        description='"quoted"',
    )
    assert "<script>" not in svg and "<b>" not in svg
    root = parse(svg)
    assert root.findtext(f"{NS}title") == "<b>"
    assert "a & b" in texts(root)


def test_an_empty_chart_still_renders_and_says_so() -> None:
    root = parse(
        line_chart([Series("Pain", [])], y_min=0, y_max=10, y_label="", title="t", description="")
    )
    assert "No data yet" in texts(root)
    assert "Pain: no data yet." in (root.findtext(f"{NS}desc") or "")


def test_one_point_is_drawn_as_a_marker_without_a_line() -> None:
    root = parse(
        line_chart(
            [Series("Pain", [(D, 6)])], y_min=0, y_max=10, y_label="", title="t", description=""
        )
    )
    assert root.find(f"{NS}polyline") is None
    assert len(root.findall(f"{NS}circle")) == 2  # the legend's and the point's


def test_an_empty_scale_is_refused() -> None:
    with pytest.raises(ValueError):
        line_chart([PAIN], y_min=5, y_max=5, y_label="", title="t", description="")
    with pytest.raises(ValueError):
        bar_chart([], y_max=0, y_label="", title="t", description="")


def test_the_default_ids_differ_between_charts() -> None:
    a = parse(line_chart([PAIN], y_min=0, y_max=10, y_label="", title="A", description=""))
    b = parse(line_chart([PAIN], y_min=0, y_max=10, y_label="", title="B", description=""))
    assert a.attrib["id"] != b.attrib["id"]


def test_a_bar_chart_shows_each_value_and_marks_missing_weeks() -> None:
    bars = [Bar("Week 1", 50), Bar("Week 2", None), Bar("Week 3", 100, "14 of 14")]
    root = parse(
        bar_chart(
            bars,
            y_max=100,
            y_label="Sessions done, %",
            title="Home exercises",
            description="Most weeks done.",
            references=[Reference(50, "Half")],
        )
    )
    assert root.attrib["role"] == "img"
    assert root.findtext(f"{NS}title") == "Home exercises"
    assert root.findtext(f"{NS}desc") == (
        "Most weeks done. Week 1: 50; Week 2: no data; Week 3: 14 of 14"
    )
    shown = texts(root)
    assert {"50", "no data", "14 of 14", "Week 1", "Week 2", "Week 3", "Half"} <= set(shown)
    heights = [
        float(r.attrib["height"]) for r in root.iter(f"{NS}rect") if r.attrib.get("fill") != "none"
    ]
    assert heights[1] == pytest.approx(2 * heights[0], abs=0.2)  # 100 is twice 50


def test_many_bars_label_only_some_to_stay_readable() -> None:
    bars = [Bar(f"W{n}", n * 5) for n in range(1, 13)]
    root = parse(bar_chart(bars, y_max=100, y_label="", title="t", description=""))
    labels = [t for t in texts(root) if re.fullmatch(r"W\d+", t)]
    assert labels[0] == "W1" and labels[-1] == "W12" and len(labels) <= 6


def test_the_tables_hold_the_same_numbers() -> None:
    other = Series("Activities", [(D, 3)])
    table = line_table([PAIN, other], caption="Pain", x_label="Date")
    root = ET.fromstring(table)
    rows = [[c.text or "" for c in row] for row in root.iter("tr")]
    assert rows == [
        ["Date", "Pain", "Activities"],
        ["27 Nov 2026", "6", "3"],
        ["4 Dec 2026", "5", ""],
        ["11 Dec 2026", "3", ""],
    ]
    bars = ET.fromstring(
        bar_table(
            [Bar("Week 1", 50, "7 of 14"), Bar("Week 2", None)],
            caption="c",
            label_header="Week",
            value_header="Done",
        )
    )
    assert [[c.text for c in row] for row in bars.iter("tr")] == [
        ["Week", "Done"],
        ["Week 1", "7 of 14"],
        ["Week 2", "no data"],
    ]
