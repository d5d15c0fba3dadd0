"""Area profiles: one self-contained HTML page per current local authority, and an index to find one.

Each page shows, mission by mission, a Fingertips-style spine chart row per headline series: the
authority's value (coloured by the significance of its comparison with its benchmark, grey where
not tested) against the range of its own nation's areas in its comparison group, with England, its
region (or nation) and the median of its ONS similar-area cluster marked. Everything comes from one mart
(local_authority_profile) read in a single query; no page costs a query of its own.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path

import duckdb

from orchestration.deliver.report.files import staged_folder, write_readable
from orchestration.deliver.report.labels import (
    OGL,
    TREND_METHODS,
    Citation,
    cite_html,
    format_value,
    series_label,
    unit_label,
)

SPINE_WIDTH, SPINE_HEIGHT, SPINE_PAD = 220, 24, 8
#: Fingertips' comparison colours: better, similar, worse; grey where no test was possible.
COMPARISON_COLOURS = {"better": "#92d050", "similar": "#ffc000", "worse": "#c00000"}
NOT_TESTED = "#bfbfbf"
RANGE, MIDDLE_HALF = "#e5e7eb", "#9ca3af"
ENGLAND, REGION, CLUSTER = "#111827", "#1d4e89", "#7c3aed"

CSS = Path(__file__).with_name("profiles.css").read_text(encoding="utf-8")


@dataclass(frozen=True)
class ProfilesResult:
    folder: Path
    profiles: int
    total_bytes: int
    largest_bytes: int
    seconds: float


def _x(value: float, low: float, high: float, reverse: bool) -> float:
    share = 0.5 if high == low else (value - low) / (high - low)
    if reverse:
        share = 1 - share
    return SPINE_PAD + share * (SPINE_WIDTH - 2 * SPINE_PAD)


def _present(value: object) -> bool:
    return value is not None and value == value  # not None, not NaN


#: How the range of a row is named, by the first letter of the measured area's code.
NATION_AREAS = {"E": "English areas", "W": "Welsh areas", "S": "Scottish areas", "N": "Northern Irish areas"}


def spine_svg(row: Mapping[str, object]) -> str:
    """One spine chart row: the range of the comparison group among the areas of the measured area's own
    nation (light), its middle half (dark),
    England (black bar), the region (blue diamond), the similar-area median (purple triangle) and the
    authority (circle coloured by its benchmark comparison). Better is always to the right: a series
    where low is good is drawn reversed. Empty when there is no real England range to draw."""
    keys = ("group_min", "group_p25", "group_p75", "group_max", "latest_value")
    if not all(_present(row.get(k)) for k in keys):
        return ""
    total = row.get("additivity") == "sum"  # England's value is then a total, not a level to compare
    others = (
        ("region_value", "cluster_median") if total else ("england_value", "region_value", "cluster_median")
    )
    # the range bar is clipped at 3 interquartile ranges beyond the middle half (Tukey's far-out
    # fences): one extreme authority (Westminster's crime rate) would otherwise squeeze every other
    # mark into a corner. A clipped end is marked, and says how far the range goes.
    p25, p75 = float(row["group_p25"]), float(row["group_p75"])
    iqr = p75 - p25
    range_low = max(float(row["group_min"]), p25 - 3 * iqr) if iqr > 0 else float(row["group_min"])
    range_high = min(float(row["group_max"]), p75 + 3 * iqr) if iqr > 0 else float(row["group_max"])
    clipped = {
        "group_min": range_low > float(row["group_min"]),
        "group_max": range_high < float(row["group_max"]),
    }
    marks = [range_low, range_high, p25, p75]
    marks += [float(row[k]) for k in ("latest_value", *others) if _present(row.get(k))]
    low, high = min(marks), max(marks)
    reverse = row.get("polarity") == "low_is_good"
    unit, decimals = str(row["unit"]), row.get("decimals")
    ends = {"group_min": range_low, "group_max": range_high}

    def x(key: str) -> float:
        value = ends[key] if key in ends else float(row[key])  # type: ignore[arg-type]
        return _x(value, low, high, reverse)

    def shown(key: str) -> str:
        return escape(format_value(row[key], unit, decimals))  # type: ignore[arg-type]

    def tip(text: str, key: str) -> str:
        return f"<title>{escape(text)}: {shown(key)}</title>"

    areas = NATION_AREAS.get(str(row.get("area_code") or "E")[:1], "areas")
    mid = SPINE_HEIGHT / 2
    left, right = sorted((x("group_min"), x("group_max")))
    q_left, q_right = sorted((x("group_p25"), x("group_p75")))
    colour = COMPARISON_COLOURS.get(str(row.get("benchmark_comparison")), NOT_TESTED)
    parts = [
        f'<svg class="spine" viewBox="0 0 {SPINE_WIDTH} {SPINE_HEIGHT}" width="{SPINE_WIDTH}" '
        f'height="{SPINE_HEIGHT}" role="img" '
        f'aria-label="{escape(str(row["metric_label"]))} against {areas}">',
        f'<rect x="{left:.1f}" y="{mid - 6}" width="{right - left:.1f}" height="12" fill="{RANGE}">'
        f"<title>{areas}: {shown('group_min')} to {shown('group_max')} ({row['group_areas']} areas)"
        + (
            " (the bar stops at 3 interquartile ranges: a marked end goes further)"
            if any(clipped.values())
            else ""
        )
        + "</title></rect>",
        f'<rect x="{q_left:.1f}" y="{mid - 6}" '
        f'width="{q_right - q_left:.1f}" height="12" fill="{MIDDLE_HALF}">'
        f"<title>middle half of {areas} (25th to 75th percentile)</title></rect>",
    ]
    for key, is_clipped in clipped.items():
        if is_clipped:  # a chevron pointing outwards at the clipped end, with the true extreme
            end = x(key)
            outward = -1 if end == min(left, right) else 1
            tip_x = end + outward * 5
            side = "lowest" if key == "group_min" else "highest"
            points = f"{end:.1f},{mid - 6} {tip_x:.1f},{mid} {end:.1f},{mid + 6}"
            parts.append(
                f'<polyline class="clipped" points="{points}" fill="none" stroke="#374151" '
                f'stroke-width="1.4"><title>range clipped: the {side} English area is {shown(key)}'
                "</title></polyline>"
            )
    if _present(row.get("england_value")) and not total:
        parts.append(
            f'<rect x="{x("england_value") - 1:.1f}" y="1" width="2" height="{SPINE_HEIGHT - 2}" '
            f'fill="{ENGLAND}" class="england">{tip("England", "england_value")}</rect>'
        )
    if _present(row.get("region_value")):
        cx = x("region_value")
        parts.append(
            f'<polygon points="{cx:.1f},{mid - 5} {cx + 5:.1f},{mid} {cx:.1f},{mid + 5} {cx - 5:.1f},{mid}" '
            f'fill="none" stroke="{REGION}" stroke-width="1.6" class="region">'
            f"{tip(str(row.get('region_name') or 'region'), 'region_value')}</polygon>"
        )
    if _present(row.get("cluster_median")):
        cx = x("cluster_median")
        parts.append(
            f'<polygon points="{cx - 4:.1f},1 {cx + 4:.1f},1 {cx:.1f},7" fill="{CLUSTER}" class="cluster">'
            f"{tip('similar areas (median)', 'cluster_median')}</polygon>"
        )
    parts.append(
        f'<circle cx="{x("latest_value"):.1f}" cy="{mid}" r="6" fill="{colour}" stroke="#111827" '
        f'stroke-width="0.8" class="area">{tip(str(row["authority_name"]), "latest_value")}</circle></svg>'
    )
    return "".join(parts)


def trend_cell(row: Mapping[str, object]) -> str:
    """The recent trend as an arrow in the direction the value moved, green if that is an improvement,
    red if a deterioration, grey (and hollow) when the change is not significant or not tested."""
    trend = str(row.get("recent_trend") or "not tested")
    polarity = row.get("polarity")
    significant = bool(row.get("trend_significant"))
    if trend in ("improving", "worsening"):
        rising = (trend == "improving") == (polarity != "low_is_good")
        arrow = "&#9650;" if rising else "&#9660;"  # up / down triangles
        colour = ("#15803d" if trend == "improving" else "#b91c1c") if significant else "#6b7280"
    elif trend == "no significant change":
        arrow, colour = "&#9654;", "#6b7280"
    else:
        arrow, colour = "&#8211;", "#9ca3af"
    note = "significant" if significant else "not significant" if trend in ("improving", "worsening") else ""
    method = escape(TREND_METHODS.get(str(row.get("trend_method")), ""))
    return (
        f'<span class="arrow" style="color:{colour}">{arrow}</span> {escape(trend)}'
        f'{", " + note if note else ""}<span class="where">{method}</span>'
    )


def _cell(value: object, row: Mapping[str, object]) -> str:
    return escape(format_value(value, str(row["unit"]), row.get("decimals"), compact=True))  # type: ignore[arg-type]


def _own_series_note(row: Mapping[str, object], benchmark: object) -> str:
    """A devolved nation's own series (metric_role supporting): say so, and what it is compared with:
    the nation's figure where the source publishes one, else only the range of the nation's areas."""
    nation = str(row.get("region_name") or "the nation")
    if _present(benchmark):
        compared = f"compared with {escape(str(benchmark))}"
    else:
        compared = (
            f"no figure for {escape(nation)} as a whole is published in it: set against "
            f"{escape(nation)}'s areas only"
        )
    return f'<span class="where">{escape(nation)}\'s own series; {compared}</span>'


def _row_html(row: Mapping[str, object]) -> str:
    label = series_label(str(row["metric_label"]), str(row["breakdown"]))
    where = ""
    if row["measured_at"] != "itself":
        where = (
            f'<span class="where">published for {escape(str(row["measured_at"]))} only: '
            f"{escape(str(row['area_name']))}</span>"
        )
    if row["provenance"] == "synthetic":
        return (
            f"<tr><td>{escape(label)}{where}</td><td>{escape(str(row['latest_period']))}</td>"
            f'<td class="num">{_cell(row["latest_value"], row)}</td>'
            '<td colspan="5"><span class="synthetic">SYNTHETIC SAMPLE</span> - not official statistics: '
            "no comparison is made and no trend is claimed.</td></tr>"
        )
    spine = spine_svg(row) or '<span class="small">no range of areas for this series</span>'
    benchmark = row.get("benchmark_area_name")
    if row.get("metric_role") == "supporting":
        where += _own_series_note(row, benchmark)
    elif _present(benchmark) and benchmark != "England":
        where += f'<span class="where">compared with {escape(str(benchmark))}</span>'
    return (
        f"<tr><td>{escape(label)}{where}<span "
        f'class="where">{escape(unit_label(str(row["unit"])))}</span></td>'
        f"<td>{escape(str(row['latest_period']))}</td>"
        f'<td class="num">{_cell(row["latest_value"], row)}</td>'
        f'<td class="num">{_cell(row.get("england_value"), row)}</td>'
        f'<td class="num">{_cell(row.get("region_value"), row)}</td>'
        f'<td class="num">{_cell(row.get("cluster_median"), row)}</td>'
        f'<td>{spine}</td><td class="trend">{trend_cell(row)}</td></tr>'
    )


def key_html(nation: str) -> str:
    """The legend. The circle's test is against the row's benchmark: England on an English page; on a
    Welsh, Scottish or Northern Irish page, the nation itself where it publishes the series, else the
    UK or England (each row names it)."""
    benchmark = "England" if nation == "England" else "the benchmark named in the row"
    areas = "English areas" if nation == "England" else f"areas in {nation}"
    return KEY_START.format(benchmark=benchmark) + KEY_REST.format(areas=areas)


KEY_START = (
    '<div class="key">'
    f'<span><svg width="14" height="14"><circle cx="7" cy="7" r="6" fill="{COMPARISON_COLOURS["better"]}" '
    'stroke="#111827" stroke-width=".8"/></svg>better than {benchmark} (95% CI)</span>'
)
KEY_REST = (
    f'<span><svg width="14" height="14"><circle cx="7" cy="7" r="6" fill="{COMPARISON_COLOURS["similar"]}" '
    'stroke="#111827" stroke-width=".8"/></svg>similar</span>'
    f'<span><svg width="14" height="14"><circle cx="7" cy="7" r="6" fill="{COMPARISON_COLOURS["worse"]}" '
    'stroke="#111827" stroke-width=".8"/></svg>worse</span>'
    f'<span><svg width="14" height="14"><circle cx="7" cy="7" r="6" fill="{NOT_TESTED}" stroke="#111827" '
    'stroke-width=".8"/></svg>not tested (no confidence interval)</span>'
    '<span><svg width="6" height="14"><rect x="2" width="2" '
    f'height="14" fill="{ENGLAND}"/></svg>England</span>'
    f'<span><svg width="14" height="14"><polygon points="7,2 12,7 7,12 2,7" fill="none" stroke="{REGION}" '
    'stroke-width="1.6"/></svg>region or nation</span>'
    f'<span><svg width="10" height="8"><polygon points="1,1 9,1 5,7" fill="{CLUSTER}"/></svg>'
    "similar areas (median of the ONS cluster)</span>"
    f'<span><svg width="28" height="10"><rect width="28" height="10" fill="{RANGE}"/>'
    f'<rect x="8" width="12" height="10" fill="{MIDDLE_HALF}"/></svg>'
    "{areas}: full range, and middle half</span>"
    "<span>Better is to the right on every row.</span></div>"
)


def _groupings_html(facts: Mapping[str, str]) -> str:
    return (
        '<dl class="groupings">'
        + "".join(f"<dt>{escape(k)}</dt><dd>{escape(v)}</dd>" for k, v in facts.items())
        + "</dl>"
    )


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{CSS}</style></head><body>{body}</body></html>"
    )


@dataclass(frozen=True)
class Authority:
    code: str
    name: str
    level: str
    region_name: str
    utla_code: str | None
    utla_name: str | None
    nation_name: str = "England"
    devolution_level: str | None = None  # dim_areas: 4, 3, 2, gla or none (England only)


def _authorities(con: duckdb.DuckDBPyConnection) -> list[Authority]:
    rows = con.execute(
        """
        select a.area_code, a.area_name, a.area_level, coalesce(r.area_name, 'not in a region'),
               a.utla_code, u.area_name, coalesce(n.area_name, 'England'), a.devolution_level
        from dim_areas a
        left join dim_areas r on r.area_code = a.region_code
        left join dim_areas u on u.area_code = a.utla_code and a.utla_code <> a.area_code
        left join dim_areas n on n.area_code = a.nation_code
        where a.is_current and a.area_level in ('county', 'unitary', 'district')
        order by a.area_name
        """
    ).fetchall()
    return [Authority(*row) for row in rows]


def _memberships(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, str]]:
    """area code -> grouping family -> grouping id (and note), for the groupings a profile names."""
    found: dict[str, dict[str, str]] = defaultdict(dict)
    rows = con.execute(
        """
        select g.area_code, g.grouping_family, g.grouping_id, g.basis, coalesce(ca.area_name, ''),
            g.part_name
        from dim_area_groupings g
        left join dim_areas ca on ca.area_code = split_part(g.grouping_id, ':', 2)
        where g.grouping_family in ('education_investment_areas', 'priority_education_investment_areas',
                                    'lowest_skilled_third', 'combined_authority', 'imd_decile',
                                    'ons_cluster_global')
        """
    ).fetchall()
    for code, family, grouping_id, basis, ca_name, part_name in rows:
        found[code][family] = ca_name if family == "combined_authority" else grouping_id
        found[code][family + ":basis"] = basis
        if part_name:  # a list named a part of the area (a former district)
            found[code][family + ":part"] = part_name
    return found


def _groupings(
    authority: Authority,
    memberships: Mapping[str, Mapping[str, str]],
    cluster_sizes: Mapping[str, int],
) -> dict[str, str]:
    own = memberships.get(authority.code, {})
    upper = memberships.get(authority.utla_code or "", {}) if authority.utla_code else {}
    english = authority.code.startswith("E")

    def member(family: str) -> str | None:
        """'yes', 'yes (as part of <upper tier>)', or None when neither the area nor its upper tier is in."""
        if family in own:
            return "yes"
        if family in upper:
            return f"yes (as part of {authority.utla_name})"
        return None

    facts: dict[str, str] = {}
    if english:
        eia = member("education_investment_areas") or "no"
        part = own.get("priority_education_investment_areas:part")
        if part:
            eia += (
                f"; part of it (the former district {part}) is a Priority Education Investment Area, "
                "the rest is not"
            )
        elif member("priority_education_investment_areas"):
            eia += "; also a Priority Education Investment Area"
        facts["Education Investment Area (DfE, 2022)"] = eia
        facts["Lowest-skilled third of upper-tier authorities (derived from level 3 qualifications)"] = (
            member("lowest_skilled_third") or "no"
        )
        level = authority.devolution_level
        ca = own.get("combined_authority") or upper.get("combined_authority")
        words = {"gla": "Greater London Authority", "none": "no devolution deal with a combined authority"}
        level_text = words.get(level or "", f"level {level}") if level else "not known"
        facts["Devolution (English Devolution Framework)"] = level_text + (f": {ca}" if ca else "")
        decile = own.get("imd_decile")
        facts["Deprivation (IMD 2025)"] = (
            f"decile {decile.split(':')[1]} of 10 among English districts (1 = most deprived)"
            if decile
            else "not published for a county (the index ranks districts and unitary authorities)"
        )
    else:
        facts["Statement groupings"] = "England only (EIAs, devolution levels and the IMD cover England)"
    cluster = own.get("ons_cluster_global")
    facts["Similar areas (ONS overall cluster)"] = (
        f"cluster {cluster.split(':')[1]} ({cluster_sizes.get(cluster, 0)} authorities)"
        if cluster
        else "no cluster (ONS clusters lower-tier and unitary authorities)"
    )
    return facts


def _profile_html(
    authority: Authority,
    rows: Iterable[Mapping[str, object]],
    missions: list[tuple[str, int, str]],
    groupings: Mapping[str, str],
    cite: Mapping[str, Citation],
    published: str,
    coverage: Mapping[str, set[str]] | None = None,
) -> str:
    coverage = coverage or {}
    by_mission: dict[str, list[Mapping[str, object]]] = defaultdict(list)
    for row in rows:
        by_mission[str(row["mission_id"])].append(row)
    part_of = f", part of {authority.utla_name}" if authority.utla_name else ""
    range_header = f"{authority.nation_name} range"
    sections = []
    for mission_id, number, title in missions:
        mission_rows = by_mission.get(mission_id, [])
        if not mission_rows:
            # no section vanishes: say why it is empty
            sections.append(
                f'<section class="mission" id="{mission_id}"><h2>{number}. {escape(title)}</h2>'
                f'<p class="small">{escape(_empty_reason(authority, coverage.get(mission_id, set())))}'
                "</p></section>"
            )
            continue
        sources = sorted({str(r["source_id"]) for r in mission_rows})
        cited = f'<p class="sources">{cite_html([cite[s] for s in sources if s in cite])}</p>'
        own_only = ""
        if all(r.get("metric_role") == "supporting" for r in mission_rows):
            # no headline figure here: why, then the nation's own series for the mission
            own_only = (
                f'<p class="small">{escape(_empty_reason(authority, coverage.get(mission_id, set())))} '
                f"Shown instead: {escape(authority.nation_name)}'s own series for this mission, compared "
                f"within {escape(authority.nation_name)} only.</p>"
            )
        sections.append(
            f'<section class="mission" id="{mission_id}"><h2>{number}. {escape(title)}</h2>{own_only}'
            '<table class="spine"><colgroup><col class="c-metric"><col class="c-period"><col class="c-num">'
            '<col class="c-num"><col class="c-num"><col '
            'class="c-num"><col class="c-spine"><col class="c-trend">'
            "</colgroup><thead><tr><th>Indicator</th><th>Period</th><th>This area</th><th>England</th>"
            f"<th>{escape(authority.region_name)}</th><th>Similar areas</th><th>{escape(range_header)}</th>"
            "<th>Recent trend</th></tr></thead><tbody>"
            + "".join(_row_html(r) for r in mission_rows)
            + f"</tbody></table>{cited}</section>"
        )
    body = (
        f'<header><p class="small"><a href="index.html">All local authorities</a> &middot; '
        f'<a href="../mission_scorecard_report.html">National report</a></p>'
        f"<h1>{escape(authority.name)}</h1>"
        f'<p class="meta">{escape(authority.code)} &middot; '
        f"{escape(authority.level)} authority{escape(part_of)}"
        f" &middot; {escape(authority.region_name)} &middot; {escape(_compared_with(authority))} "
        f"Published warehouse of {escape(published)}.</p>{_groupings_html(groupings)}"
        f"{key_html(authority.nation_name)}</header>"
        f"<main>{''.join(sections)}</main>"
        '<footer class="small"><p>How to read it: each row sets this area\'s latest value against the '
        f"areas in {escape(authority.nation_name)} of the same kind (lower tier, upper tier, police force "
        "area or region) in the same period. The circle's colour is the Fingertips benchmark test against "
        f"the row's benchmark ({escape(_benchmark_words(authority))}): better or worse when the "
        "95% confidence interval does not contain the benchmark's "
        "value; grey where the publisher gives no interval, "
        "so no claim is made. The trend is the warehouse's test on the recent series (method named under "
        "each arrow). A row published for a wider area (police "
        "force area, region) says so: it is not a local "
        f"figure. {OGL}</p></footer>"
    )
    return _page(f"{authority.name}: Levelling Up mission profile", body)


#: Coverage codes (dim_metrics.coverage) that include each nation.
NATION_COVERAGE = {
    "England": {"UK", "GB", "EW", "E"},
    "Wales": {"UK", "GB", "EW", "W"},
    "Scotland": {"UK", "GB", "S"},
    "Northern Ireland": {"UK", "NI"},
}


def _empty_reason(authority: Authority, mission_coverage: set[str]) -> str:
    """Why a mission has no row on this page: the Statement measures it for England only, or no
    figure for this area's nation (or this area) is published in the warehouse."""
    nation = authority.nation_name
    if nation != "England" and mission_coverage and mission_coverage <= {"E"}:
        return "England-only mission: the Statement measures its headline metrics for England only."
    if nation != "England" and mission_coverage and not mission_coverage & NATION_COVERAGE[nation]:
        return (
            "Not measured for "
            f"{nation}: the Statement's headline metrics for this mission cover England and Wales only."
        )
    if nation != "England":
        return f"Not published for {nation}: no headline series of this mission has a figure for this area."
    return "No local figure is published for this area on this mission's headline series."


def _compared_with(authority: Authority) -> str:
    if authority.nation_name == "England":
        return "compared with England and with areas like it."
    return (
        f"compared with {authority.nation_name} where it publishes the series, else the UK or England "
        "(named in each row)."
    )


def _benchmark_words(authority: Authority) -> str:
    if authority.nation_name == "England":
        return "England"
    return f"{authority.nation_name} where it publishes the series, else the UK or England; each row names it"


def _index_html(authorities: list[Authority], published: str) -> str:
    items = "".join(
        f'<li><a href="{escape(a.code)}.html">{escape(a.name)}</a> <span class="small">'
        f"({escape(a.level)}, {escape(a.region_name)})</span></li>"
        for a in sorted(authorities, key=lambda a: (a.name.lower(), a.code))
    )
    body = (
        '<header><h1>Levelling Up mission profiles by local authority</h1><p class="meta">'
        f"{len(authorities)} current local authorities (counties, "
        "unitary authorities and districts), from the "
        f"published warehouse of {escape(published)}. Find yours by name (Ctrl+F), or run "
        "<code>mission-tracker profile &lt;name or code&gt;</code>. "
        '<a href="../mission_scorecard_report.html">National report</a>.</p></header>'
        f'<main><ul class="index">{items}</ul></main>'
        f'<footer class="small"><p>{OGL}</p></footer>'
    )
    return _page("Levelling Up mission profiles", body)


def build_profiles(db: Path, folder: Path, cite: Mapping[str, Citation]) -> ProfilesResult:
    """Write every profile and the index into a fresh folder, then swap it in for ``folder``."""
    started = time.perf_counter()
    with duckdb.connect(str(db), read_only=True) as con:
        authorities = _authorities(con)
        memberships = _memberships(con)
        cluster_sizes = dict(
            con.execute(
                "select grouping_id, count(*) from dim_area_groupings "
                "where grouping_family = 'ons_cluster_global' group by 1"
            ).fetchall()
        )
        missions = con.execute(
            "select mission_id, mission_number, title from dim_missions order by 2"
        ).fetchall()
        coverage: dict[str, set[str]] = defaultdict(set)
        for mission_id, code in con.execute(
            "select mission_id, coverage from dim_metrics where role = 'headline' and coverage is not null"
        ).fetchall():
            coverage[mission_id].add(code)
        published = con.execute(
            "select strftime(max(loaded_at), '%Y-%m-%d %H:%M UTC') from raw._load_log"
        ).fetchone()[0]
        frame = con.execute(
            "select * from local_authority_profile order by authority_code, mission_id, metric_id, breakdown"
        ).df()
    rows_by_authority: dict[str, list[dict[str, object]]] = defaultdict(list)
    for record in frame.to_dict("records"):
        rows_by_authority[str(record["authority_code"])].append(record)
    sizes = []
    with staged_folder(folder) as staging:
        for authority in authorities:
            groupings = _groupings(authority, memberships, cluster_sizes)
            html = _profile_html(
                authority,
                rows_by_authority.get(authority.code, []),
                missions,
                groupings,
                cite,
                published,
                coverage,
            )
            sizes.append(write_readable(staging / f"{authority.code}.html", html))
        write_readable(staging / "index.html", _index_html(authorities, published))
    return ProfilesResult(
        folder, len(sizes), sum(sizes), max(sizes, default=0), time.perf_counter() - started
    )


def find_profile(folder: Path, query: str, authorities: Mapping[str, str]) -> tuple[Path | None, list[str]]:
    """The profile for a code or a name (case-insensitive; a unique prefix of a name will do), else close
    matches. ``authorities`` maps code -> name."""
    import difflib

    wanted = query.strip().lower()
    by_code = {code.lower(): code for code in authorities}
    if wanted in by_code:
        return folder / f"{by_code[wanted]}.html", []
    exact = [code for code, name in authorities.items() if name.lower() == wanted]
    starts = [code for code, name in authorities.items() if name.lower().startswith(wanted)]
    for candidates in (exact, starts):
        if len(candidates) == 1:
            return folder / f"{candidates[0]}.html", []
    names = {name.lower(): f"{name} ({code})" for code, name in authorities.items()}
    close = [names[n] for n in difflib.get_close_matches(wanted, list(names), n=5, cutoff=0.6)]
    ambiguous = [f"{authorities[c]} ({c})" for c in starts]
    return None, ambiguous or close


def build_published_profiles(settings, folder: Path | None = None) -> ProfilesResult:
    """The profiles of the published warehouse (settings: orchestration.settings.Settings), the one way
    the refresh and `mission-tracker report` both build them."""
    from orchestration.deliver.report.labels import citations

    return build_profiles(
        settings.published_db, folder or settings.profiles_dir, citations(settings.bundled_dir)
    )


def published_authorities(db: Path) -> dict[str, str]:
    """Code -> name of every authority with a profile (what `mission-tracker profile` searches)."""
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(
            con.execute(
                "select distinct authority_code, authority_name from local_authority_profile"
            ).fetchall()
        )
