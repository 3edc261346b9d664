"""Small server-side charts: pure functions that return SVG (and table) markup.

No JavaScript and no chart library. Every chart is an ``<svg role="img">`` named by its own
``<title>`` and ``<desc>`` (the description says what the data show, in words), drawn in a
``viewBox`` so it scales to any width (it reads well at 360 px wide). Series are told apart by
marker shape and dash pattern as well as colour, so colour is never the only signal. Pages
should also show the numbers as a table (:func:`line_table`, :func:`bar_table`), for example
inside a ``<details>``, for people who cannot see the chart.

Public API::

    Series(label, points)            one line: points are (date, value) pairs
    Band(low, high, label)           a shaded range of y, e.g. "a change that matters"
    Reference(y, label)              a dashed horizontal line, e.g. the baseline
    Bar(label, value, text=None)     one bar of a bar chart (value None = no data)
    line_chart(series, *, y_min, y_max, y_label, title, description, bands=(), references=())
    bar_chart(bars, *, y_min, y_max, y_label, title, description, references=())
    line_table(series, *, caption, x_label)
    bar_table(bars, *, caption, label_header, value_header)

All text is escaped here; callers pass plain (translated) strings.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

__all__ = [
    "Band",
    "Bar",
    "Reference",
    "Series",
    "bar_chart",
    "bar_table",
    "line_chart",
    "line_table",
]


@dataclass(frozen=True, slots=True)
class Series:
    """One line on a line chart: ``points`` are ``(date, value)`` pairs, in any order."""

    label: str
    points: Sequence[tuple[dt.date, float]]


@dataclass(frozen=True, slots=True)
class Band:
    """A shaded range ``low``..``high`` of the y axis with a label drawn inside it."""

    low: float
    high: float
    label: str


@dataclass(frozen=True, slots=True)
class Reference:
    """A dashed horizontal line at ``y`` with a label (a baseline, a target)."""

    y: float
    label: str


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: ``value`` None means no data (drawn as an outline marked "no data");
    ``text`` is shown above the bar instead of the number (e.g. "3 of 5")."""

    label: str
    value: float | None
    text: str | None = None


# Geometry of the drawing, in viewBox units (1 unit = 1 CSS pixel at 360 px wide).
_WIDTH = 360
_HEIGHT = 230
_LEFT = 38
_RIGHT = 12
_TOP = 12
_BOTTOM = 36
_FONT = 12
_LEGEND_ROW = 16

# Colours (dark enough for 4.5:1 on white) + marker shapes + dash patterns, cycled per series.
_COLOURS = ("#17456b", "#a34a00", "#0b6b3a", "#5c2d91")
_MARKERS = ("circle", "square", "triangle", "diamond")
_DASHES = ("", "7 4", "2 3", "9 3 2 3")
_BAND_FILL = "#d9eadf"
_BAND_EDGE = "#0b6b3a"
_REFERENCE = "#3b3b3b"
_GRID = "#d6d8da"
_INK = "#111"


def _num(value: float) -> str:
    """A number as short text: 3, 2.5, 12.3 (one decimal at most)."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _coord(value: float) -> str:
    return f"{value:.1f}"


def _chart_id(title: str, description: str) -> str:
    digest = hashlib.sha1(f"{title}\n{description}".encode(), usedforsecurity=False)
    return "chart-" + digest.hexdigest()[:10]


def _ticks(y_min: float, y_max: float) -> list[float]:
    """Round tick values from y_min to y_max, at most 6 of them."""
    span = y_max - y_min
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if span / step <= 5:
            break
    first = math.ceil(y_min / step) * step
    ticks: list[float] = []
    value = float(first)
    while value <= y_max + 1e-9:
        ticks.append(value)
        value += step
    return ticks


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "circle":
        return f'<circle cx="{_coord(x)}" cy="{_coord(y)}" r="4" fill="{colour}"/>'
    if shape == "square":
        return (
            f'<rect x="{_coord(x - 3.5)}" y="{_coord(y - 3.5)}" width="7" height="7" '
            f'fill="{colour}"/>'
        )
    if shape == "triangle":
        points = f"{_coord(x)},{_coord(y - 5)} {_coord(x - 4.5)},{_coord(y + 3.5)} "
        points += f"{_coord(x + 4.5)},{_coord(y + 3.5)}"
        return f'<polygon points="{points}" fill="{colour}"/>'
    points = f"{_coord(x)},{_coord(y - 5)} {_coord(x + 5)},{_coord(y)} "
    points += f"{_coord(x)},{_coord(y + 5)} {_coord(x - 5)},{_coord(y)}"
    return f'<polygon points="{points}" fill="{colour}"/>'


def _open_svg(chart_id: str, title: str, description: str, height: int) -> list[str]:
    return [
        f'<svg class="chart" id="{chart_id}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'viewBox="0 0 {_WIDTH} {height}" width="100%" preserveAspectRatio="xMidYMid meet" '
        f'font-family="system-ui, sans-serif" font-size="{_FONT}" '
        f'style="max-width:42rem;height:auto" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def _y_axis(
    parts: list[str], ticks: Sequence[float], to_y: _YScale, top: float, bottom: float
) -> None:
    for tick in ticks:
        y = to_y(tick)
        parts.append(
            f'<line x1="{_LEFT}" y1="{_coord(y)}" x2="{_WIDTH - _RIGHT}" y2="{_coord(y)}" '
            f'stroke="{_GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{_LEFT - 5}" y="{_coord(y + 4)}" text-anchor="end" fill="{_INK}">'
            f"{_num(tick)}</text>"
        )
    parts.append(
        f'<line x1="{_LEFT}" y1="{_coord(top)}" x2="{_LEFT}" y2="{_coord(bottom)}" '
        f'stroke="{_INK}" stroke-width="1"/>'
    )
    parts.append(
        f'<line x1="{_LEFT}" y1="{_coord(bottom)}" x2="{_WIDTH - _RIGHT}" '
        f'y2="{_coord(bottom)}" stroke="{_INK}" stroke-width="1"/>'
    )


class _YScale:
    """Maps a y value to a viewBox coordinate (clamped to the plot)."""

    __slots__ = ("bottom", "top", "y_max", "y_min")

    def __init__(self, y_min: float, y_max: float, top: float, bottom: float) -> None:
        self.y_min, self.y_max, self.top, self.bottom = y_min, y_max, top, bottom

    def __call__(self, value: float) -> float:
        value = _clamp(value, self.y_min, self.y_max)
        share = (value - self.y_min) / (self.y_max - self.y_min)
        return self.bottom - share * (self.bottom - self.top)


def _bands_and_references(
    parts: list[str],
    to_y: _YScale,
    bands: Sequence[Band],
    references: Sequence[Reference],
) -> None:
    right = _WIDTH - _RIGHT
    for band in bands:
        y_top, y_bottom = to_y(max(band.low, band.high)), to_y(min(band.low, band.high))
        parts.append(
            f'<rect x="{_LEFT}" y="{_coord(y_top)}" width="{right - _LEFT}" '
            f'height="{_coord(max(y_bottom - y_top, 0))}" fill="{_BAND_FILL}" '
            f'fill-opacity="0.7"/>'
        )
        # A dotted edge on the band's border nearest the middle, so it shows without colour.
        parts.append(
            f'<line x1="{_LEFT}" y1="{_coord(y_top)}" x2="{right}" y2="{_coord(y_top)}" '
            f'stroke="{_BAND_EDGE}" stroke-width="1.5" stroke-dasharray="1 3"/>'
        )
        label_y = y_top + _FONT + 2 if y_bottom - y_top > _FONT + 4 else y_top - 4
        parts.append(
            f'<text x="{right - 4}" y="{_coord(label_y)}" text-anchor="end" fill="#074a28" '
            f'font-style="italic">{escape(band.label)}</text>'
        )
    for reference in references:
        y = to_y(reference.y)
        parts.append(
            f'<line x1="{_LEFT}" y1="{_coord(y)}" x2="{right}" y2="{_coord(y)}" '
            f'stroke="{_REFERENCE}" stroke-width="1.5" stroke-dasharray="5 4"/>'
        )
        parts.append(
            f'<text x="{_LEFT + 16}" y="{_coord(y - 5)}" fill="{_REFERENCE}">'
            f"{escape(reference.label)}</text>"
        )


def _pick_labels(count: int, most: int) -> set[int]:
    """Indexes of at most ``most`` evenly spread labels out of ``count`` (first and last kept)."""
    if count <= most:
        return set(range(count))
    step = (count - 1) / (most - 1)
    return {round(i * step) for i in range(most)}


def _summary(series: Sequence[Series]) -> str:
    sentences: list[str] = []
    for one in series:
        points = sorted(one.points)
        if not points:
            sentences.append(_("%(label)s: no data yet.") % {"label": one.label})
            continue
        (first_day, first), (last_day, last) = points[0], points[-1]
        sentences.append(
            _("%(label)s: %(first)s on %(first_day)s, %(last)s on %(last_day)s (%(n)s values).")
            % {
                "label": one.label,
                "first": _num(first),
                "first_day": date_format(first_day, "j M Y"),
                "last": _num(last),
                "last_day": date_format(last_day, "j M Y"),
                "n": len(points),
            }
        )
    return " ".join(sentences)


def line_chart(
    series: Sequence[Series],
    *,
    y_min: float,
    y_max: float,
    y_label: str,
    title: str,
    description: str,
    bands: Sequence[Band] = (),
    references: Sequence[Reference] = (),
    chart_id: str | None = None,
) -> SafeString:
    """Return an accessible SVG line chart of ``series`` over dates.

    The x axis runs from the earliest to the latest date of all points (spaced by real time);
    the y axis from ``y_min`` to ``y_max`` (values outside are drawn at the edge). ``bands``
    are shaded ranges and ``references`` dashed lines, each with its label, drawn under the
    lines. ``description`` (what the chart means, in words) starts the ``<desc>``; a sentence
    per series with its first and last values follows. ``chart_id`` (default: derived from
    the title and description) prefixes the element ids, so give two charts with the same
    title different ids. An empty chart (no points) still renders its axes and texts.
    """
    if y_max <= y_min:
        raise ValueError("y_max must be above y_min")
    chart_id = chart_id or _chart_id(title, description)
    legend_height = _LEGEND_ROW * len(series)
    top = _TOP + legend_height
    height = _HEIGHT + legend_height
    bottom = height - _BOTTOM
    left, right = _LEFT + 8, _WIDTH - _RIGHT - 8
    to_y = _YScale(y_min, y_max, top, bottom)

    full_description = " ".join(text for text in (description, _summary(series)) if text)
    parts = _open_svg(chart_id, title, full_description, height)

    # Legend: a short sample of each line with its marker, then its label.
    for index, one in enumerate(series):
        colour, marker, dash = _style(index)
        row = _TOP + _LEGEND_ROW * index + 6
        parts.append(
            f'<line x1="{_LEFT}" y1="{row}" x2="{_LEFT + 26}" y2="{row}" stroke="{colour}" '
            f'stroke-width="2.5"{_dash_attr(dash)}/>'
        )
        parts.append(_marker(marker, _LEFT + 13, row, colour))
        parts.append(
            f'<text x="{_LEFT + 32}" y="{row + 4}" fill="{_INK}">{escape(one.label)}</text>'
        )

    _y_axis(parts, _ticks(y_min, y_max), to_y, top, bottom)
    _bands_and_references(parts, to_y, bands, references)

    days = sorted({day for one in series for day, _value in one.points})
    first_day = days[0] if days else None
    span = (days[-1] - days[0]).days if days else 0

    def to_x(day: dt.date) -> float:
        if first_day is None or span == 0:
            return (left + right) / 2
        return left + (day - first_day).days / span * (right - left)

    # X labels: at most 4 dates, spread out (first and last always shown).
    shown = _pick_labels(len(days), 4)
    for index, day in enumerate(days):
        if index in shown:
            anchor = "start" if len(days) > 1 and index == 0 else "middle"
            if len(days) > 1 and index == len(days) - 1:
                anchor = "end"
            x = to_x(day)
            parts.append(
                f'<line x1="{_coord(x)}" y1="{_coord(bottom)}" x2="{_coord(x)}" '
                f'y2="{_coord(bottom + 4)}" stroke="{_INK}"/>'
            )
            parts.append(
                f'<text x="{_coord(x)}" y="{_coord(bottom + 17)}" text-anchor="{anchor}" '
                f'fill="{_INK}">{escape(date_format(day, "j M"))}</text>'
            )
    if not days:
        parts.append(
            f'<text x="{_coord((left + right) / 2)}" y="{_coord((top + bottom) / 2)}" '
            f'text-anchor="middle" fill="{_INK}">{escape(_("No data yet"))}</text>'
        )

    # The y axis' name, under the dates (a turned label is hard to read on a phone).
    parts.append(f'<text x="{_LEFT}" y="{height - 4}" fill="{_INK}">{escape(y_label)}</text>')

    for index, one in enumerate(series):
        colour, marker, dash = _style(index)
        points = sorted(one.points)
        coords = [(to_x(day), to_y(value)) for day, value in points]
        if len(coords) > 1:
            path = " ".join(f"{_coord(x)},{_coord(y)}" for x, y in coords)
            parts.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5" '
                f'stroke-linejoin="round"{_dash_attr(dash)}/>'
            )
        for x, y in coords:
            parts.append(_marker(marker, x, y, colour))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped


def _style(index: int) -> tuple[str, str, str]:
    return (
        _COLOURS[index % len(_COLOURS)],
        _MARKERS[index % len(_MARKERS)],
        _DASHES[index % len(_DASHES)],
    )


def _dash_attr(dash: str) -> str:
    return f' stroke-dasharray="{dash}"' if dash else ""


def bar_chart(
    bars: Sequence[Bar],
    *,
    y_min: float = 0,
    y_max: float,
    y_label: str,
    title: str,
    description: str,
    references: Sequence[Reference] = (),
    chart_id: str | None = None,
) -> SafeString:
    """Return an accessible SVG bar chart, one bar per item of ``bars``, left to right.

    Each bar shows its value (or its ``text``) above it; a bar whose value is None is drawn as
    a dashed outline marked "no data". ``references`` are dashed lines (e.g. the target).
    ``description`` starts the ``<desc>``, followed by every bar's label and value.
    """
    if y_max <= y_min:
        raise ValueError("y_max must be above y_min")
    chart_id = chart_id or _chart_id(title, description)
    height = _HEIGHT
    top, bottom = _TOP + 6, height - _BOTTOM
    to_y = _YScale(y_min, y_max, top, bottom)
    values = "; ".join(
        f"{bar.label}: {bar.text or (_num(bar.value) if bar.value is not None else _('no data'))}"
        for bar in bars
    )
    full_description = " ".join(text for text in (description, values) if text)
    parts = _open_svg(chart_id, title, full_description, height)
    _y_axis(parts, _ticks(y_min, y_max), to_y, top, bottom)

    plot = _WIDTH - _RIGHT - _LEFT
    slot = plot / max(len(bars), 1)
    width = min(slot * 0.7, 48)
    shown = _pick_labels(len(bars), 6)
    for index, bar in enumerate(bars):
        middle = _LEFT + slot * (index + 0.5)
        x = middle - width / 2
        if bar.value is None:
            parts.append(
                f'<rect x="{_coord(x)}" y="{_coord(bottom - 20)}" width="{_coord(width)}" '
                f'height="20" fill="none" stroke="{_REFERENCE}" stroke-dasharray="3 3"/>'
            )
            label_y = float(bottom - 24)
            label = bar.text or _("no data")
        else:
            y = to_y(bar.value)
            parts.append(
                f'<rect x="{_coord(x)}" y="{_coord(y)}" width="{_coord(width)}" '
                f'height="{_coord(max(bottom - y, 0))}" fill="{_COLOURS[0]}"/>'
            )
            label_y = y - 4
            label = bar.text or _num(bar.value)
        if len(bars) <= 8 or index in shown:
            parts.append(
                f'<text x="{_coord(middle)}" y="{_coord(label_y)}" text-anchor="middle" '
                f'fill="{_INK}">{escape(label)}</text>'
            )
            parts.append(
                f'<text x="{_coord(middle)}" y="{_coord(bottom + 17)}" text-anchor="middle" '
                f'fill="{_INK}">{escape(bar.label)}</text>'
            )
    _bands_and_references(parts, to_y, (), references)
    parts.append(f'<text x="{_LEFT}" y="{height - 4}" fill="{_INK}">{escape(y_label)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every text above is escaped


def line_table(series: Sequence[Series], *, caption: str, x_label: str) -> SafeString:
    """Return the line chart's data as an HTML ``<table>``: one row per date, one column per
    series (an empty cell where a series has no value that day)."""
    days = sorted({day for one in series for day, _value in one.points})
    lookup = [dict(one.points) for one in series]
    rows = [
        f"<table><caption>{escape(caption)}</caption><thead><tr>"
        f'<th scope="col">{escape(x_label)}</th>'
        + "".join(f'<th scope="col">{escape(one.label)}</th>' for one in series)
        + "</tr></thead><tbody>"
    ]
    for day in days:
        cells = "".join(
            f"<td>{_num(values[day]) if day in values else ''}</td>" for values in lookup
        )
        rows.append(f'<tr><th scope="row">{escape(date_format(day, "j M Y"))}</th>{cells}</tr>')
    rows.append("</tbody></table>")
    return mark_safe("".join(rows))  # every text above is escaped


def bar_table(
    bars: Sequence[Bar], *, caption: str, label_header: str, value_header: str
) -> SafeString:
    """Return the bar chart's data as an HTML ``<table>``: one row per bar."""
    rows = [
        f"<table><caption>{escape(caption)}</caption><thead><tr>"
        f'<th scope="col">{escape(label_header)}</th>'
        f'<th scope="col">{escape(value_header)}</th></tr></thead><tbody>'
    ]
    for bar in bars:
        value = bar.text or (_num(bar.value) if bar.value is not None else _("no data"))
        rows.append(f'<tr><th scope="row">{escape(bar.label)}</th><td>{escape(value)}</td></tr>')
    rows.append("</tbody></table>")
    return mark_safe("".join(rows))  # every text above is escaped
