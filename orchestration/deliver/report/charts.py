"""Small inline-SVG line charts: no JavaScript, no external files, readable offline."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from itertools import pairwise

WIDTH, HEIGHT = 460, 196
LEFT, RIGHT, TOP, BOTTOM = 58, 14, 22, 34
#: Legend: the width of a character at the tick font size (generous), and the height of a row.
LEGEND_CHAR, LEGEND_ROW = 5.6, 14
PALETTE = ("#1d4e89", "#c2410c", "#15803d", "#7c3aed")


@dataclass
class Line:
    label: str
    points: Sequence[tuple[float, float]]  # (x, value)
    colour: str = PALETTE[0]
    dashed: bool = False


@dataclass
class Band:
    label: str
    points: Sequence[tuple[float, float, float]]  # (x, low, high)
    colour: str = "#93c5fd"


@dataclass
class Chart:
    title: str
    unit: str = ""
    lines: list[Line] = field(default_factory=list)
    band: Band | None = None
    x_labels: dict[float, str] = field(default_factory=dict)
    synthetic: bool = False
    #: the y axis starts at zero (a gap, a count: the distance from zero is the message); otherwise an
    #: axis that does not reach zero carries a visible break mark and says where it starts
    y_from_zero: bool = False


def segments(xs: Sequence[float]) -> list[tuple[int, int]]:
    """Index ranges [start, end) of runs of points with no missing period between them: a gap wider
    than 1.5 times the series' smallest step (a year missing from an annual series, 2019 -> 2025)
    breaks the line instead of drawing a straight line across years with no data. A series of two
    points cannot show its step and is drawn whole."""
    if len(xs) < 3:
        return [(0, len(xs))] if xs else []
    steps = [b - a for a, b in pairwise(xs)]
    smallest = min(step for step in steps if step > 0) if any(step > 0 for step in steps) else 0.0
    runs, start = [], 0
    for index, step in enumerate(steps, start=1):
        if smallest and step > 1.5 * smallest:
            runs.append((start, index))
            start = index
    runs.append((start, len(xs)))
    return runs


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round tick values covering [low, high] (1, 2 or 5 times a power of ten apart)."""
    if not math.isfinite(low) or not math.isfinite(high):
        return []
    if high == low:
        high, low = high + 1, low - 1
    raw = (high - low) / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first, last = math.floor(low / step), math.ceil(high / step)
    return [round(i * step, 10) for i in range(first, last + 1)]


def year_ticks(low: float, high: float, most: int = 6) -> dict[float, str]:
    """Calendar-year ticks (1 January) inside [low, high], 1, 2, 5 or 10 years apart: '2010', '2015'."""
    first, last = math.ceil(low - 1e-9), math.floor(high + 1e-9)
    if last < first:
        return {low: str(math.floor(low))}
    step = next(s for s in (1, 2, 5, 10, 20) if (last - first) / s < most)
    years = [year for year in range(first, last + 1) if year % step == 0] or [first]
    return {float(year): str(year) for year in years}


def _fmt(value: float) -> str:
    if abs(value) >= 10000:
        return f"{value:,.0f}"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


def _legend_rows(chart: Chart) -> list[list[tuple[float, str, str, bool, bool]]]:
    """Legend entries (x, label, colour, dashed, is_band) laid out in rows that fit the chart's width."""
    entries = []
    if chart.band and chart.band.points:
        entries.append((chart.band.label, chart.band.colour, False, True))
    entries += [(line.label, line.colour, line.dashed, False) for line in chart.lines]
    rows: list[list[tuple[float, str, str, bool, bool]]] = [[]]
    x = float(LEFT)
    for label, colour, dashed, is_band in entries:
        width = 26 + LEGEND_CHAR * len(label)
        if rows[-1] and x + width > WIDTH - RIGHT:
            rows.append([])
            x = float(LEFT)
        rows[-1].append((x, label, colour, dashed, is_band))
        x += width
    return rows


def render(chart: Chart) -> str:
    """The chart as an <svg> element: axes with the unit and year ticks, an optional band, a legend
    that wraps onto more rows rather than run off the edge. The title belongs to the caller's caption
    (HTML wraps it; SVG text would not)."""
    xs = [x for line in chart.lines for x, _ in line.points]
    ys = [y for line in chart.lines for _, y in line.points]
    if chart.band:
        xs += [x for x, _, _ in chart.band.points]
        ys += [v for _, lo, hi in chart.band.points for v in (lo, hi)]
    legend = _legend_rows(chart)
    height = HEIGHT + LEGEND_ROW * (len(legend) - 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-label="{escape(chart.title)}">',
    ]
    if chart.synthetic:
        parts.append(
            f'<text x="{WIDTH - RIGHT}" y="{TOP - 8}" text-anchor="end" class="synthetic-mark">'
            "SYNTHETIC SAMPLE</text>"
        )
    if not xs:
        parts.append(f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">no data</text></svg>')
        return "".join(parts)
    if chart.y_from_zero:
        ys = [*ys, 0.0]
    ticks = nice_ticks(min(ys), max(ys))
    y_low, y_high = min(ticks + ys), max(ticks + ys)
    x_low, x_high = min(xs), max(xs)
    x_span = (x_high - x_low) or 1.0
    y_span = (y_high - y_low) or 1.0

    def sx(x: float) -> float:
        return LEFT + (x - x_low) / x_span * (WIDTH - LEFT - RIGHT)

    def sy(y: float) -> float:
        return TOP + (y_high - y) / y_span * (HEIGHT - TOP - BOTTOM)

    for tick in ticks:
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{sy(tick):.1f}" y2="{sy(tick):.1f}" class="grid"/>'
            f'<text x="{LEFT - 4}" y="{sy(tick) + 3:.1f}" text-anchor="end" class="tick">{_fmt(tick)}</text>'
        )
    labels = chart.x_labels or year_ticks(x_low, x_high)
    for x, label in labels.items():
        anchor = "start" if sx(x) < LEFT + 12 else "end" if sx(x) > WIDTH - RIGHT - 12 else "middle"
        parts.append(
            f'<line x1="{sx(x):.1f}" x2="{sx(x):.1f}" y1="{HEIGHT - BOTTOM}" y2="{HEIGHT - BOTTOM + 4}" '
            f'class="axis"/><text x="{sx(x):.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="{anchor}" '
            f'class="tick">{escape(label)}</text>'
        )
    unit = chart.unit
    if y_low > 0 or y_high < 0:  # the axis does not reach zero: say so, and mark the break on the axis
        at = HEIGHT - BOTTOM - 5 if y_low > 0 else TOP + 5
        parts.append(
            f'<path class="axis-break" d="M{LEFT - 7},{at + 3} l3,-6 l3,6 l3,-6 l3,6" fill="none" '
            f'stroke="#111827" stroke-width="1.2"><title>the axis does not start at zero</title></path>'
        )
        unit = f"{unit} (axis from {_fmt(y_low if y_low > 0 else y_high)}, not zero)".strip()
    if unit:
        parts.append(f'<text x="4" y="{TOP - 8}" class="tick unit">{escape(unit)}</text>')
    if chart.band and chart.band.points:
        band_points = sorted(chart.band.points)
        for start, end in segments([x for x, _, _ in band_points]):
            run = band_points[start:end]
            upper = " ".join(f"{sx(x):.1f},{sy(hi):.1f}" for x, _, hi in run)
            lower = " ".join(f"{sx(x):.1f},{sy(lo):.1f}" for x, lo, _ in reversed(run))
            parts.append(f'<polygon class="band" points="{upper} {lower}" fill="{chart.band.colour}"/>')
    for line in chart.lines:
        dash = ' stroke-dasharray="5 4"' if line.dashed else ""
        ordered = sorted(line.points)
        for start, end in segments([x for x, _ in ordered]):
            if end - start < 2:
                continue  # a point on its own is its dot below
            points = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in ordered[start:end])
            parts.append(f'<polyline class="line" points="{points}" stroke="{line.colour}"{dash}/>')
        for x, y in line.points:
            parts.append(
                f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.4" fill="{line.colour}">'
                f"<title>{escape(line.label)}: {_fmt(y)}</title></circle>"
            )
    for row_number, row in enumerate(legend):
        y = HEIGHT + LEGEND_ROW * row_number
        for x, label, colour, dashed, is_band in row:
            dash = ' stroke-dasharray="4 3"' if dashed else ""
            swatch = (
                f'<rect x="{x}" y="{y - 12}" width="14" height="8" fill="{colour}" opacity="0.5"/>'
                if is_band
                else f'<line x1="{x}" x2="{x + 14}" y1="{y - 8}" y2="{y - 8}" stroke="{colour}" '
                f'stroke-width="2"{dash}/>'
            )
            parts.append(swatch + f'<text x="{x + 18}" y="{y - 4}" class="tick">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)
