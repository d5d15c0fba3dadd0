"""Plain words for what the report and the area profiles print: units, breakdowns, values, sources.

One place, so a chart, a table and a profile never disagree on how a number or a source is written."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from html import escape
from pathlib import Path

#: Unit ids of dim_metrics, in words an axis or a table header can carry.
UNIT_LABELS = {
    "percent": "%",
    "pounds": "£",
    "pounds_million": "£ million",
    "score": "score",
    "score_0_10": "score (0 to 10)",
    "years": "years",
    "rate_per_1000": "per 1,000 people",
    "rate_per_1000_dwellings": "per 1,000 dwellings",
    "rate_per_100k": "per 100,000 people",
    "rate_per_million": "per million people",
    "count": "count",
    "minutes": "minutes",
    "rate_per_10k": "per 10,000 people",
    "ratio": "ratio",
    "kwh_per_meter": "kWh per meter",
    "pounds_million_net": "£ million (net)",
    "tonnes_co2e_per_head": "tonnes CO2e per person",
    "vehicles_per_day": "vehicles a day",
    "nights": "nights",
}

BREAKDOWN_WORDS = {"gla": "Greater London Authority", "none": "no devolution deal"}

OGL = (
    "Contains public sector information licensed under the "
    '<a href="https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/">'
    "Open Government Licence v3.0</a>."
)


def unit_label(unit: str) -> str:
    return UNIT_LABELS.get(unit) or GAP_UNITS.get(unit) or unit.replace("_", " ")


def breakdown_label(breakdown: str) -> str:
    """'all' -> '', 'sex=female' -> 'female', 'level=4' -> 'level 4', 'activity=arts' -> 'arts'."""
    if breakdown == "all":
        return ""
    key, _, value = breakdown.partition("=")
    if value in BREAKDOWN_WORDS:
        return BREAKDOWN_WORDS[value]
    if key == "level":
        return f"level {value}"
    return value.replace("_", " ")


def series_label(label: str, breakdown: str) -> str:
    extra = breakdown_label(breakdown)
    return f"{label} ({extra})" if extra else label


#: The trend tests of int_headline_trends_computed (latest five non-overlapping points; Fingertips
#: methods, 99.8% level).
TREND_METHODS = {
    "chi_square_trend": "chi-square test for trend, 99.8% level",
    "wls": "weighted least-squares slope, z-test at 99.8%",
    "ols": "least-squares slope, t-test at 99.8%",
}

#: The populations of areas a band or a gap is drawn over (int_gap_populations_selected.population).
AREA_POPULATIONS = {
    "ltla": "lower-tier local authorities",
    "utla": "upper-tier local authorities",
    "itl1": "regions and nations (ITL1)",
    "region": "English regions",
    "nation": "UK nations",
    "pfa": "police force areas",
}

#: The Statement's gap methods (mission_gaps.gap_method) in words.
GAP_METHODS = {
    "top_vs_rest": "the best-performing areas against the rest",
    "decile_median_gap": "the best tenth of areas against the worst tenth",
    "decile_median_gap_england": "the best tenth of English areas against the worst tenth",
    "lowest_skilled_third_vs_rest": "the lowest-skilled third of areas against the rest",
    "worst_third_vs_rest": "the worst third of areas against the rest",
    "worst_third_fixed_at_baseline": "the areas worst at the baseline against the rest",
    "outside_vs_inside_gse": "outside the Greater South East against inside it",
    "worst_20_forces_vs_rest": "the 20 worst-affected police force areas (proxy for the Statement's group) "
    "against the rest",
    "worst_20_neighbourhood_forces_vs_rest": "the 20 forces worst affected by neighbourhood crime (proxy for "
    "the Statement's group) against the rest",
    "eia_vs_england": "Education Investment Areas against England",
    "gap_to_london": "the gap to London",
    "range": "the range between the highest and lowest areas",
    "p90_p10_ratio": "the ratio of the 90th to the 10th percentile area",
}

#: Units of mission_gaps.gap_unit beyond the metric units.
GAP_UNITS = {"percent of group A": "% of the leading group's value", "pounds per head": "£ per head"}


def format_value(value: float | None, unit: str, decimals: int | None = 1, compact: bool = False) -> str:
    """A value as a reader sees it: '£539', '69.7%', '51.8 years', '10.8 per 100,000 people'.
    compact keeps only the symbols (£, %) for a table whose header or row label names the unit."""
    if value is None or value != value:  # None or NaN
        return "no data"
    places = 1 if decimals is None else int(decimals)
    if unit in ("pounds", "pounds_million") and float(value).is_integer():
        places = 0  # whole pounds where the publisher gives whole pounds: £46,911, not £46,911.0
    number = f"{value:,.{places}f}"
    if unit == "pounds":
        return f"£{number}"
    if unit == "pounds_million":
        return f"£{number}m" if compact else f"£{number} million"
    if unit == "percent":
        return f"{number}%"
    return number if compact else f"{number} {unit_label(unit)}"


def format_difference(value: float | None, unit: str, decimals: int | None = 1) -> str:
    """A difference between two values of a metric: percentage points for a percentage ('4.8 pp', not
    '4.8%'), points for a score, otherwise the metric's own unit."""
    if value is None or value != value:
        return "no data"
    places = 1 if decimals is None else int(decimals)
    if unit == "percent":
        return f"{value:,.{places}f} pp"
    if unit.startswith("score"):  # a difference of scores is points: "0.2 points", not "0.2 score (0 to 10)"
        return f"{value:,.{places}f} points"
    return format_value(value, unit, decimals)


@dataclass(frozen=True)
class Citation:
    """Where a series comes from, as the report and the profiles cite it."""

    source_id: str
    publisher: str
    title: str
    release: str | None
    definition_url: str
    licence: str
    provenance: str

    def reference(self) -> str:
        """'Office for National Statistics, <a>title</a>, released 19/02/2026', or the synthetic warning."""
        if self.provenance == "synthetic":
            return (
                f"{escape(self.title)}, a synthetic sample generated by the Mission Tracker: "
                "NOT official statistics"
            )
        release = f", released {escape(self.release)}" if self.release else ""
        derived = (
            ", derived by the Mission Tracker from published inputs" if self.provenance == "derived" else ""
        )
        return (
            f"{escape(self.publisher)}, "
            f'<a href="{escape(self.definition_url)}">{escape(self.title)}</a>'
            f"{release}{derived}"
        )


def cite_html(cited: list[Citation]) -> str:
    """'Source(s): A; B. <licence>' with each licence stated once."""
    if not cited:
        return "Source: Mission Tracker."
    licences = []
    for citation in cited:
        if citation.provenance == "synthetic":
            continue
        text = OGL if "Open Government Licence" in citation.licence else escape(citation.licence) + "."
        if text not in licences:
            licences.append(text)
    label = "Source" if len(cited) == 1 else "Sources"
    return f"{label}: " + "; ".join(c.reference() for c in cited) + ". " + " ".join(licences)


def _publisher_metadata(path: Path) -> dict[str, str]:
    """ONS Explore Local Statistics ships <dataset>.json beside each CSV: source body, date and page."""
    sidecar = path.with_suffix(".json")
    if not sidecar.exists():
        return {}
    shared = json.loads(sidecar.read_text(encoding="utf-8")).get("ess-beta-metadata", {}).get("shared", {})
    return {key: str(shared[key]) for key in ("sourceOrg", "sourceDate", "sourceURL") if shared.get(key)}


@cache
def citations(bundled_dir: Path) -> dict[str, Citation]:
    """One citation per catalogue source, from the catalogue and the publisher's own metadata file."""
    from orchestration.ingest.sources.catalogue import load_catalogue

    cited = {}
    for source in load_catalogue():
        meta = _publisher_metadata(bundled_dir / source.bundled_path)
        cited[source.id] = Citation(
            source_id=source.id,
            publisher=meta.get("sourceOrg", source.publisher_name),
            title=source.title,
            release=meta.get("sourceDate"),
            definition_url=meta.get("sourceURL", source.url),
            licence=source.licence,
            provenance=source.provenance,
        )
    return cited
