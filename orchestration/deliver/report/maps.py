"""Choropleth maps as inline SVG from TopoJSON boundaries (decoded here: no map library needed).

Each area's outline is written once, in a hidden <svg><defs>, and every map refers to it with
<use href="#...">, so twelve maps cost little more than one.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from functools import cache, lru_cache
from html import escape
from pathlib import Path

MAP_WIDTH = 300
#: Quintile colours, best (1) to worst (5): a colour-blind-safe diverging scheme.
QUINTILE_COLOURS = ("#1a9641", "#a6d96a", "#ffffbf", "#fdae61", "#d7191c")
NO_DATA = "#e5e7eb"
LEGEND_ROW = 14
_LAT0 = math.radians(54.5)  # equirectangular projection centred on the UK


def decode_arcs(topology: Mapping) -> list[list[tuple[float, float]]]:
    """TopoJSON arcs as lists of (lon, lat): delta-decoded and de-quantised with the transform."""
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def ring(arcs: list[list[tuple[float, float]]], indexes: Iterable[int]) -> list[tuple[float, float]]:
    """Join arcs into one ring; a negative index ~i means arc i reversed."""
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def project(lon: float, lat: float) -> tuple[float, float]:
    return lon * math.cos(_LAT0), -lat


@cache
def _geometries(path: Path, layer: str) -> tuple[dict[str, list[list[tuple[float, float]]]], dict[str, str]]:
    """Each area's rings and name in one layer; the file is parsed and decoded once per version."""
    return _decoded(path, path.stat().st_mtime_ns, layer)


@lru_cache(maxsize=4)
def _decoded(
    path: Path, _mtime_ns: int, layer: str
) -> tuple[dict[str, list[list[tuple[float, float]]]], dict[str, str]]:
    topology = json.loads(path.read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    shapes: dict[str, list[list[tuple[float, float]]]] = {}
    names: dict[str, str] = {}
    for geometry in topology["objects"][layer]["geometries"]:
        code = geometry["properties"]["areacd"]
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        shapes[code] = [ring(arcs, part) for polygon in polygons for part in polygon]
        names[code] = geometry["properties"].get("areanm", code)
    return shapes, names


def _bounds(shapes: Mapping[str, list[list[tuple[float, float]]]]) -> tuple[float, float, float, float]:
    xs, ys = [], []
    for rings in shapes.values():
        for points in rings:
            for lon, lat in points:
                x, y = project(lon, lat)
                xs.append(x)
                ys.append(y)
    return min(xs), min(ys), max(xs), max(ys)


def outline_defs(path: Path, layers: Iterable[str]) -> tuple[str, float]:
    """A hidden <svg> holding every area's outline once (ids map-<layer>-<code>), and the map height."""
    paths = []
    height = 0.0
    for layer in layers:
        shapes, _ = _geometries(path, layer)
        x0, y0, x1, y1 = _bounds(shapes)
        k = MAP_WIDTH / (x1 - x0)
        height = max(height, (y1 - y0) * k)
        for code, rings in shapes.items():
            d = []
            for points in rings:
                previous = None
                coords = []
                for lon, lat in points:
                    x, y = project(lon, lat)
                    pixel = (round((x - x0) * k, 1), round((y - y0) * k, 1))
                    if pixel != previous:
                        coords.append(f"{pixel[0]:g} {pixel[1]:g}")
                        previous = pixel
                if len(coords) >= 3:
                    d.append("M" + "L".join(coords) + "Z")
            paths.append(f'<path id="map-{layer}-{escape(code)}" d="{"".join(d)}"/>')
    return f'<svg width="0" height="0" style="position:absolute"><defs>{"".join(paths)}</defs></svg>', height


def choropleth(
    path: Path,
    layer: str,
    quintiles: Mapping[str, int],
    labels: Mapping[str, str],
    height: float,
    legend: Sequence[tuple[str, str]],
    legend_title: str,
) -> str:
    """A map of the layer's areas coloured by quintile (1 = best); areas without data are grey. The
    legend gives each quintile's colour and value range (``legend``: (colour, text) pairs, one per
    row), a "no data" key, and the unit and direction in ``legend_title``."""
    shapes, names = _geometries(path, layer)
    uses = []
    for code in shapes:
        quintile = quintiles.get(code)
        fill = QUINTILE_COLOURS[quintile - 1] if quintile else NO_DATA
        label = labels.get(code, "no data")
        uses.append(
            f'<use href="#map-{layer}-{escape(code)}" fill="{fill}" class="area" data-code="{escape(code)}">'
            f"<title>{escape(names[code])}: {escape(label)}</title></use>"
        )
    keys = [*legend, (NO_DATA, "no data")]
    rows = [f'<text x="8" y="{height + 14:.0f}" class="tick">{escape(legend_title)}</text>']
    for i, (colour, text) in enumerate(keys):
        y = height + 22 + i * LEGEND_ROW
        rows.append(
            f'<rect x="8" y="{y:.0f}" width="22" height="10" '
            f'fill="{colour}" stroke="#9ca3af" stroke-width=".4"/>'
            f'<text x="36" y="{y + 9:.0f}" class="tick">{escape(text)}</text>'
        )
    total = height + 26 + len(keys) * LEGEND_ROW
    return (
        f'<svg class="map" viewBox="0 0 {MAP_WIDTH} {total:.0f}" width="{MAP_WIDTH}" '
        f'height="{total:.0f}" role="img" aria-label="{escape(legend_title)}">'
        f'<g stroke="#ffffff" stroke-width="0.3">{"".join(uses)}</g>{"".join(rows)}</svg>'
    )
