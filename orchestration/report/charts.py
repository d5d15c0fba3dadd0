"""Small inline-SVG line charts: no JavaScript, no external files, readable offline."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

WIDTH, HEIGHT = 460, 210
LEFT, RIGHT, TOP, BOTTOM = 58, 14, 34, 34
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


def _fmt(value: float) -> str:
    if abs(value) >= 10000:
        return f"{value:,.0f}"
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:.0f}"
    return f"{value:.1f}" if abs(value) >= 10 else f"{value:.2f}"


def render(chart: Chart) -> str:
    """The chart as an <svg> element with a title, axes, an optional band and a legend."""
    xs = [x for line in chart.lines for x, _ in line.points]
    ys = [y for line in chart.lines for _, y in line.points]
    if chart.band:
        xs += [x for x, _, _ in chart.band.points]
        ys += [v for _, lo, hi in chart.band.points for v in (lo, hi)]
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" role="img" '
        f'aria-label="{escape(chart.title)}">',
        f'<text x="4" y="13" class="chart-title">{escape(chart.title)}</text>',
    ]
    if chart.synthetic:
        parts.append(
            f'<text x="{WIDTH - RIGHT}" y="{TOP - 8}" text-anchor="end" class="synthetic-mark">'
            "SYNTHETIC SAMPLE</text>"
        )
    if not xs:
        parts.append(f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">no data</text></svg>')
        return "".join(parts)
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
    labels = chart.x_labels or {x: _fmt(x) for x in (x_low, x_high)}
    for x, label in labels.items():
        anchor = "start" if x == x_low else "end" if x == x_high else "middle"
        parts.append(
            f'<text x="{sx(x):.1f}" y="{HEIGHT - BOTTOM + 14}" text-anchor="{anchor}" class="tick">'
            f"{escape(label)}</text>"
        )
    if chart.unit:
        parts.append(f'<text x="4" y="{TOP - 8}" class="tick">{escape(chart.unit)}</text>')
    legend = []
    if chart.band and chart.band.points:
        upper = " ".join(f"{sx(x):.1f},{sy(hi):.1f}" for x, _, hi in chart.band.points)
        lower = " ".join(f"{sx(x):.1f},{sy(lo):.1f}" for x, lo, _ in reversed(chart.band.points))
        parts.append(f'<polygon class="band" points="{upper} {lower}" fill="{chart.band.colour}"/>')
        legend.append((chart.band.label, chart.band.colour, False, True))
    for line in chart.lines:
        points = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in line.points)
        dash = ' stroke-dasharray="5 4"' if line.dashed else ""
        parts.append(f'<polyline class="line" points="{points}" stroke="{line.colour}"{dash}/>')
        for x, y in line.points:
            parts.append(
                f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.4" fill="{line.colour}">'
                f"<title>{escape(line.label)}: {_fmt(y)}</title></circle>"
            )
        legend.append((line.label, line.colour, line.dashed, False))
    x = LEFT
    for label, colour, dashed, is_band in legend:
        dash = ' stroke-dasharray="4 3"' if dashed else ""
        swatch = (
            f'<rect x="{x}" y="{HEIGHT - 12}" width="14" height="8" fill="{colour}" opacity="0.5"/>'
            if is_band
            else f'<line x1="{x}" x2="{x + 14}" y1="{HEIGHT - 8}" y2="{HEIGHT - 8}" stroke="{colour}" '
            f'stroke-width="2"{dash}/>'
        )
        parts.append(swatch + f'<text x="{x + 18}" y="{HEIGHT - 4}" class="tick">{escape(label)}</text>')
        x += 26 + 6 * len(label)
    parts.append("</svg>")
    return "".join(parts)
