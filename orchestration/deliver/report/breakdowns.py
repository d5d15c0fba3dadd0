"""The report's per-mission "who is behind" tables: each local-authority headline series by
deprivation and area type (marts metric_breakdowns and metric_inequality_slopes), and public
perception set beside it (mart mission_perception_comparison). Read from the marts only.
"""

from __future__ import annotations

from html import escape

import duckdb

from orchestration.deliver.report.labels import (
    Citation,
    cite_html,
    format_difference,
    format_value,
    series_label,
)

#: Where the area types come from (seeds, not catalogue sources), cited under the tables.
AREA_TYPE_SOURCES = (
    "Area types: English Indices of Deprivation 2019 and 2025 (MHCLG), IMD deciles of districts; "
    "ONS 2011 Area Classification for Local Authorities; ONS/Defra Rural-Urban Classification 2011. "
    "Open Government Licence v3.0."
)
IPSOS_SOURCES = {"ipsos_index_by_supergroup", "ipsos_index_quoted"}
FAMILY_LABELS = {
    "area_supergroup_2011": "area supergroup",
    "urban_rural_2011": "urban / rural",
    "imd_quintile_2019": "deprivation quintile",
    "imd_population_quintile_2019": "deprivation fifth of the population",
}

METHODS_HTML = """
<p><strong>Breakdowns by deprivation and area type.</strong> Each local-authority headline series is
averaged over groups of English authorities: IMD decile and quintile (2019 edition for baselines, 2025 for
the latest), broad rural-urban class (2011) and ONS area supergroup (2011). A group's value is the mean of
its authorities weighted by their 2011 Census population. Merged authorities whose parts had different
classes are left out, not guessed; counties are not classified (their districts are). The
<strong>slope index of inequality</strong> is the Fingertips method: decile values regressed on the
midpoint of cumulative population rank (most deprived = 0), weighted by population share; it is the
modelled gap from the most to the least deprived end, a difference in the series' unit (percentage points
for a percentage). Its 95% interval is analytic: the slope is a fixed weighted sum of the authorities'
values, so its variance follows from their published intervals (the equivalent of Fingertips'
simulation); without intervals it is not tested. A gradient whose interval holds zero is no significant
gradient; one that rounds to zero is no gradient. A gradient that one or two authorities decide (removing
them reverses it or moves it by more than half) is not published, and the table names them. The gradient
shown is today's, on the 2025 deciles. Its change since the baseline (the Statement's, else the last
pre-pandemic period) is measured on the 2019 deciles at both ends (a new IMD edition moves the gradient by
itself), on the relative index (SII / mean) for money in nominal pounds, and is called steeper or
shallower only where a z test on the two intervals finds it significant. Each tenth's value says how many
authorities it rests on.</p>
<p><strong>Perception beside measurement.</strong> The Ipsos Levelling Up Index (February 2022) for the
groups it reports is set beside the same series averaged over the nearest groups of English authorities
(IMD 2019 fifths of equal population, the 2011 urban/rural split, 2011 supergroups), in the period whose
midpoint is nearest the survey. Groups are ranked by each; "agree" (or "disagree") only where the rank
correlation reaches the two-tailed 5% critical value for that number of groups (0.738 for eight groups;
fewer than five groups cannot be tested). Ipsos groups people by their neighbourhood, the warehouse groups
authorities, so the two are never quite like for like; every row says how they differ.</p>
"""


def _inequality_rows(con: duckdb.DuckDBPyConnection, mission_id: str) -> list[tuple]:
    return con.execute(
        """
        with latest as (
            select metric_id, breakdown, metric_label, unit, period,
                max(value) filter (breakdown_family = 'imd_decile_2025' and group_order = 1) as most,
                max(value) filter (breakdown_family = 'imd_decile_2025' and group_order = 10) as least,
                max(areas) filter (breakdown_family = 'imd_decile_2025' and group_order = 1) as most_areas,
                max(areas) filter (breakdown_family = 'imd_decile_2025' and group_order = 10) as least_areas,
                max(areas) filter (breakdown_family = 'rural_urban_2011' and group_order = 1) as urban_areas,
                max(areas) filter (breakdown_family = 'rural_urban_2011' and group_order = 3) as rural_areas,
                max(value) filter (breakdown_family = 'rural_urban_2011' and group_order = 1) as urban,
                max(value) filter (breakdown_family = 'rural_urban_2011' and group_order = 3) as rural
            from metric_breakdowns
            where mission_id = ? and is_latest_period
            group by all
        )
        select l.breakdown, l.metric_label, l.unit, m.decimals, l.period, l.most, l.least,
            s.sii, s.baseline_period, s.baseline_sii, s.latest_sii, s.gradient_change, s.gradient_judged_on,
            s.favours, l.urban, l.rural, s.gradient, s.sii_lci_95, s.sii_uci_95, s.change_significance,
            l.most_areas, l.least_areas, l.urban_areas, l.rural_areas
        from latest as l
        join dim_metrics as m using (metric_id)
        left join metric_inequality_slopes as s
            on s.metric_id = l.metric_id and s.breakdown = l.breakdown and s.period = l.period
            and s.imd_edition = 2025
        order by l.metric_id, l.breakdown
        """,
        [mission_id],
    ).fetchall()


def _perception_rows(con: duckdb.DuckDBPyConnection, mission_id: str) -> list[tuple]:
    return con.execute(
        """
        select metric_label, metric_breakdown, breakdown_family, any_value(metric_period),
            any_value(agreement), arg_min(ipsos_group_name, perception_rank),
            arg_min(ipsos_group_name, measured_rank), any_value(groups_compared)
        from mission_perception_comparison
        where mission_id = ?
        group by all
        order by 1, 2, 3
        """,
        [mission_id],
    ).fetchall()


def _sources(con: duckdb.DuckDBPyConnection, mission_id: str) -> set[str]:
    """The catalogue sources behind the mission's broken-down series."""
    return {
        source
        for (source,) in con.execute(
            "select distinct f.source_id from fct_area_year_metrics f "
            "join (select distinct metric_id from metric_breakdowns where mission_id = ?) using (metric_id)",
            [mission_id],
        ).fetchall()
    }


def _count(areas: int | None) -> str:
    """How many authorities a group's value rests on (the least deprived tenth can hold five)."""
    return f" ({areas} authorities)" if areas else ""


def _gradient(sii, lci, uci, words, favours, diff) -> str:
    """Today's gradient (2025 deciles), in the metric's difference unit, with its interval and reading."""
    if words is None:
        return "-"
    if sii is None:  # fewer than ten deciles, or one or two authorities decide it
        return escape(str(words))
    if words == "no gradient":
        return "no gradient"
    text = diff(sii)
    if lci is not None and uci is not None:
        text += f" (95% interval {diff(lci)} to {diff(uci)})"
    if words == "no significant gradient":
        return f"{text}: no significant gradient"
    if favours:
        text += f", favours the {escape(favours)}"
    if words.startswith("gradient, not tested"):
        text += " (not tested: no interval)"
    return text


def _gradient_change(b_sii, l_sii, b_period, period, change, judged_on, significance, diff) -> str:
    """The change since baseline on 2019 deciles at both ends, as tested (or why not)."""
    if change is None or b_sii is None or l_sii is None or b_period == period:
        return f"; since baseline: {escape(change)}" if change and change.startswith("not published") else ""
    on = "relative index, " if judged_on == "rii" else ""
    return (
        f"; on 2019 deciles ({on}{escape(str(significance))}): {escape(str(b_period))} {diff(b_sii)}, "
        f"latest {diff(l_sii)}, {escape(change)}"
    )


def breakdown_section(con: duckdb.DuckDBPyConnection, mission_id: str, cite: dict[str, Citation]) -> str:
    """The mission's tables (empty when it has no local-authority headline series)."""
    rows = _inequality_rows(con, mission_id)
    if not rows:
        return ""
    body = []
    cited = _sources(con, mission_id)
    for (breakdown, label, unit, decimals, period, most, least, sii, b_period, b_sii, l_sii, change,
         judged_on, favours, urban, rural, gradient_words, lci, uci, significance, most_n,
         least_n, urban_n, rural_n) in rows:  # fmt: skip

        def fmt(value: float | None, unit: str = unit, decimals: int = decimals) -> str:
            return escape(format_value(value, unit, decimals)) if value is not None else "-"

        def diff(value: float | None, unit: str = unit, decimals: int = decimals) -> str:
            return escape(format_difference(value, unit, decimals))

        body.append(
            f"<tr><td>{escape(series_label(label, breakdown))}</td><td>{escape(str(period))}</td>"
            f"<td>{fmt(most)}{_count(most_n)}</td><td>{fmt(least)}{_count(least_n)}</td>"
            f"<td>{_gradient(sii, lci, uci, gradient_words, favours, diff)}"
            f"{_gradient_change(b_sii, l_sii, b_period, period, change, judged_on, significance, diff)}</td>"
            f"<td>{fmt(urban)}{_count(urban_n)} / {fmt(rural)}{_count(rural_n)}</td></tr>"
        )
    series_sources = cite_html([cite[s] for s in sorted(cited) if s in cite])
    html = (
        "<h3>By deprivation and area type (English local authorities)</h3>"
        '<table class="series"><thead><tr><th>Series</th><th>Period</th><th>Most deprived tenth</th>'
        "<th>Least deprived tenth</th><th>Slope index of inequality</th>"
        "<th>Predominantly urban / rural</th></tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
        f'<p class="source">{series_sources} {escape(AREA_TYPE_SOURCES)}</p>'
    )
    perception = _perception_rows(con, mission_id)
    if perception:
        lines = [
            f"<tr><td>{escape(series_label(label, breakdown))} ({escape(str(period))})</td>"
            f"<td>{escape(FAMILY_LABELS.get(family, family))}</td><td>{escape(str(agreement))}</td>"
            f"<td>{escape(str(top_perceived))}</td><td>{escape(str(top_measured))}</td><td>{groups}</td></tr>"
            for label, breakdown, family, period, agreement, top_perceived, top_measured, groups in perception
        ]
        html += (
            "<h3>Perception beside measurement (Ipsos Levelling Up Index, Feb 2022)</h3>"
            '<table class="series"><thead><tr><th>Series</th><th>Groups by</th><th>Orders</th>'
            "<th>Most positive about the mission</th><th>Best off on the series</th><th>Groups</th>"
            "</tr></thead>"
            f"<tbody>{''.join(lines)}</tbody></table>"
        )
        ipsos = cite_html([cite[s] for s in sorted(cited | IPSOS_SOURCES) if s in cite])
        html += f'<p class="source">{ipsos} {escape(AREA_TYPE_SOURCES)}</p>'
    return html
