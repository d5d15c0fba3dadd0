"""Build the scorecard report from the published warehouse (read-only) into one HTML file, with a CSV
beside it of exactly the numbers each chart draws (report/data/<chart>.csv)."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.deliver.report import breakdowns
from orchestration.deliver.report.charts import PALETTE, Band, Chart, Line, render
from orchestration.deliver.report.files import FILE_MODE, staged_folder, write_atomically
from orchestration.deliver.report.labels import (
    AREA_POPULATIONS,
    GAP_METHODS,
    OGL,
    TREND_METHODS,
    Citation,
    cite_html,
    format_value,
    series_label,
    unit_label,
)
from orchestration.deliver.report.maps import QUINTILE_COLOURS, choropleth, outline_defs

MAX_TREND_CHARTS = 6
DATA_FOLDER = "data"

CSS = (Path(__file__).with_name("report.css")).read_text(encoding="utf-8")


@dataclass(frozen=True)
class ReportResult:
    path: Path
    size_bytes: int
    seconds: float
    missions: int
    charts: int
    maps: int


@dataclass
class Figure:
    """One chart (or one value, for a single-point series), the numbers it draws and what they cite."""

    key: str
    title: str
    body: str
    numbers: pd.DataFrame
    sources: list[str]
    note: str = ""
    kind: str = "chart"
    extra_classes: list[str] = field(default_factory=list)


def _x(period_end: pd.Timestamp) -> float:
    return period_end.year + (period_end.dayofyear - 1) / 365.25


def _series_sources(con: duckdb.DuckDBPyConnection, metric_id: str, breakdown: str) -> list[str]:
    return [
        row[0]
        for row in con.execute(
            "select distinct source_id from fct_area_year_metrics "
            "where metric_id = ? and breakdown = ? order by 1",
            [metric_id, breakdown],
        ).fetchall()
    ]


def _trend_figures(con: duckdb.DuckDBPyConnection, mission_id: str) -> list[Figure]:
    """Per headline series: the national line (the area the headline is judged on) and the 10th-90th
    percentile band of areas; a series with one period becomes its value and date instead."""
    series = con.execute(
        """
        select distinct p.metric_id, p.breakdown, m.label, m.unit, m.decimals,
               m.additivity = 'sum' as is_total
        from metric_area_spread p join dim_metrics m using (metric_id)
        where p.mission_id = ? order by 1, 2
        """,
        [mission_id],
    ).fetchall()
    figures = []
    for metric_id, breakdown, label, unit, decimals, is_total in series[:MAX_TREND_CHARTS]:
        spread = con.execute(
            """
            select period, period_end, p10, p90, areas, population, has_synthetic as synthetic
            from metric_area_spread
            where metric_id = ? and breakdown = ? order by period_end
            """,
            [metric_id, breakdown],
        ).df()
        national = con.execute(
            """
            select area_code, area_name, period, period_end, value, provenance from fct_area_year_metrics
            where metric_id = ? and breakdown = ? and value is not null
              and area_code = (select any_value(national_area_code) from mission_scorecard
                               where metric_id = ? and breakdown = ?)
            order by period_end
            """,
            [metric_id, breakdown, metric_id, breakdown],
        ).df()
        title = series_label(label, breakdown)
        synthetic = bool(spread.synthetic.any()) or bool((national.provenance == "synthetic").any())
        key = f"{mission_id}-{metric_id}-{breakdown}".replace("=", "-").replace("_", "-")
        sources = _series_sources(con, metric_id, breakdown)
        periods = set(national.period) | set(spread.period)
        numbers = pd.concat(
            [
                national.assign(series=national.area_name)[["series", "period", "period_end", "value"]],
                spread.melt(
                    id_vars=["period", "period_end"], value_vars=["p10", "p90"], var_name="series"
                ).assign(
                    series=lambda f: f.series.map(
                        {"p10": "10th percentile of areas", "p90": "90th percentile of areas"}
                    )
                ),
            ]
        )
        numbers.insert(0, "unit", unit_label(unit))
        if len(periods) <= 1:
            figures.append(
                _value_card(key, title, national, spread, unit, decimals, sources, synthetic, numbers)
            )
            continue
        lines = []
        if not national.empty:
            lines.append(
                Line(
                    str(national.area_name.iloc[0]),
                    [(_x(r.period_end), r.value) for r in national.itertuples()],
                )
            )
        # a total (R&D spending) is drawn alone: the spread of regional totals is not on the national scale
        band = (
            None
            if is_total
            else Band(
                f"middle 80% of {_population(spread)}",
                [(_x(r.period_end), r.p10, r.p90) for r in spread.itertuples()],
            )
        )
        if is_total:
            numbers = numbers[~numbers.series.str.contains("percentile")]
        svg = render(Chart(title, unit_label(unit), lines, band, synthetic=synthetic))
        figures.append(Figure(key, title, svg, numbers, sources))
    return figures


def _population(spread: pd.DataFrame) -> str:
    if spread.empty:
        return "areas"
    return AREA_POPULATIONS.get(str(spread.population.iloc[0]), str(spread.population.iloc[0]))


def _value_card(
    key: str,
    title: str,
    national: pd.DataFrame,
    spread: pd.DataFrame,
    unit: str,
    decimals: int,
    sources: list[str],
    synthetic: bool,
    numbers: pd.DataFrame,
) -> Figure:
    """A series with a single period: its value and date in words, not a one-point line."""
    parts = []
    for row in national.itertuples():
        parts.append(
            f'<p class="value"><strong>{escape(format_value(row.value, unit, decimals))}</strong> '
            f"{escape(str(row.area_name))}, {escape(str(row.period))}</p>"
        )
    for row in spread.itertuples():
        parts.append(
            f'<p class="note">Middle 80% of {escape(_population(spread))}: '
            f"{escape(format_value(row.p10, unit, decimals))} to "
            f"{escape(format_value(row.p90, unit, decimals))} "
            f"({escape(str(row.period))}, {row.areas} areas). One period only: no trend yet.</p>"
        )
    if synthetic:
        parts.insert(0, '<p class="synthetic-mark">SYNTHETIC SAMPLE</p>')
    return Figure(key, title, "".join(parts), numbers, sources, kind="value")


def _gap_figures(con: duckdb.DuckDBPyConnection, mission_id: str) -> list[Figure]:
    """The Statement's gap, one chart per unit (pounds and percentages never share an axis)."""
    gaps = con.execute(
        """
        select g.gap_id, g.metric_id, g.breakdown, g.gap_method, g.gap_unit, g.period, g.period_end,
               g.gap_value, g.provenance, m.label, g.is_latest, g.dominant_area_code, g.caveat
        from mission_gaps g join dim_metrics m using (metric_id)
        where g.mission_id = ? and g.is_statement_definition
        order by g.gap_unit, g.gap_id, g.period_end
        """,
        [mission_id],
    ).df()
    figures = []
    for unit, all_of_unit in gaps.groupby("gap_unit", sort=True):
        points = all_of_unit.groupby("gap_id").period.transform("nunique")
        single = all_of_unit[points == 1]  # one period: said in words, not drawn as a dot
        drawn = sorted(set(all_of_unit.gap_id[points > 1]))[: len(PALETTE)]
        by_unit = all_of_unit[all_of_unit.gap_id.isin(drawn)]
        lines = []
        for i, (_gap_id, frame) in enumerate(by_unit.groupby("gap_id", sort=True)):
            name = series_label(frame.label.iloc[0], frame.breakdown.iloc[0])
            lines.append(
                Line(name, [(_x(r.period_end), r.gap_value) for r in frame.itertuples()], PALETTE[i])
            )
        methods = sorted(set(all_of_unit.gap_method))
        title = f"The Statement's gap in {unit_label(str(unit))}: " + "; ".join(
            GAP_METHODS.get(m, m.replace("_", " ")) for m in methods
        )
        synthetic = bool(all_of_unit.provenance.str.contains("synthetic").any())
        shown = pd.concat([by_unit, single])
        numbers = shown.assign(series=shown.label, unit=unit_label(str(unit)))[
            ["series", "breakdown", "gap_method", "unit", "period", "period_end", "gap_value"]
        ]
        sources = sorted(
            {
                source
                for metric, breakdown in set(zip(shown.metric_id, shown.breakdown, strict=True))
                for source in _series_sources(con, metric, breakdown)
            }
        )
        words = "".join(
            f'<p class="note">{escape(series_label(r.label, r.breakdown))}: gap '
            f"{r.gap_value:,.2f} {escape(unit_label(str(unit)))} ({escape(str(r.period))}); one period only, "
            "no trend yet.</p>"
            for r in single.itertuples()
        ) + "".join(
            f'<p class="note caveat">{escape(series_label(r.label, r.breakdown))}: more than a third of '
            f"the gap's change since baseline comes from one area, {escape(str(r.dominant_area_code))}. "
            f"Caveat: {escape(str(r.caveat))}</p>"
            for r in all_of_unit[all_of_unit.is_latest & all_of_unit.caveat.notna()].itertuples()
        )
        chart = (
            render(
                Chart(
                    title,
                    f"{unit_label(str(unit))} (positive = behind)",
                    lines,
                    None,
                    synthetic=synthetic,
                    y_from_zero=True,  # the gap's size is its distance from zero
                )
            )
            if lines
            else ""
        )
        key = f"{mission_id}-gap-{str(unit).replace(' ', '-').replace('_', '-')}"
        figures.append(
            Figure(key, title, chart + words, numbers, sources, note="Gap computed by the Mission Tracker.")
        )
    return figures


def _target_figure(con: duckdb.DuckDBPyConnection, mission_id: str) -> Figure | None:
    target = con.execute(
        """
        select p.target_id, p.statement_wording, p.provenance, p.progress_band, p.metric_id, p.breakdown,
               m.unit
        from mission_progress p join dim_metrics m using (metric_id)
        where p.mission_id = ? and p.is_primary and p.target_level is not null
        """,
        [mission_id],
    ).fetchone()
    if target is None:
        return None
    target_id, wording, provenance, band, metric_id, breakdown, unit = target
    milestones = con.execute(
        "select year, milestone_value, observed_value from mission_target_milestones "
        "where target_id = ? order by year",
        [target_id],
    ).df()
    if milestones.empty:
        return None
    observed = milestones.dropna(subset=["observed_value"])
    lines = [
        Line(
            "straight line to target",
            [(r.year, r.milestone_value) for r in milestones.itertuples()],
            PALETTE[1],
            True,
        ),
        Line("observed", [(r.year, r.observed_value) for r in observed.itertuples()], PALETTE[0]),
    ]
    title = f"Target: {wording}"
    svg = render(Chart(title, unit_label(unit), lines, None, synthetic="synthetic" in str(provenance)))
    numbers = milestones.assign(unit=unit_label(unit))
    return Figure(
        f"{mission_id}-target",
        title,
        svg,
        numbers,
        _series_sources(con, metric_id, breakdown),
        note=f"Progress band: {band} (Open SDG progress measure).",
    )


def _map_figure(con: duckdb.DuckDBPyConnection, mission_id: str, topo: Path, height: float) -> Figure | None:
    """Latest quintiles of the mission's real headline series with the most local-authority values.

    A synthetic sample is never mapped: it has no quintile (mission_scorecard ranks real rows only)."""
    best = con.execute(
        """
        select metric_id, breakdown, comparison_group, metric_label, latest_period, unit
        from mission_scorecard
        where mission_id = ? and metric_role = 'headline' and comparison_group in ('lower_tier', 'upper_tier')
          and provenance <> 'synthetic' and quintile_in_group is not null
        group by all
        order by count(*) desc, metric_id, breakdown limit 1
        """,
        [mission_id],
    ).fetchone()
    if best is None:
        return None
    metric_id, breakdown, group, label, period, unit = best
    rows = con.execute(
        "select s.area_code, s.area_name, s.quintile_in_group, s.latest_value, m.decimals "
        "from mission_scorecard s join dim_metrics m using (metric_id) "
        "where s.metric_id = ? and s.breakdown = ? and s.comparison_group = ? and s.latest_period = ? "
        "and s.quintile_in_group is not null order by s.quintile_in_group, s.latest_value",
        [metric_id, breakdown, group, period],
    ).df()
    layer = "ltla" if group == "lower_tier" else "utla"
    decimals = int(rows.decimals.iloc[0])
    quintiles = {r.area_code: int(r.quintile_in_group) for r in rows.itertuples()}
    labels = {
        r.area_code: f"{format_value(r.latest_value, unit, decimals)} ({period}), "
        f"quintile {r.quintile_in_group}"
        for r in rows.itertuples()
    }
    legend = []
    for q, colour in enumerate(QUINTILE_COLOURS, start=1):
        values = rows.latest_value[rows.quintile_in_group == q]
        text = (
            f"{q}: {format_value(values.min(), unit, decimals, compact=True)} to "
            f"{format_value(values.max(), unit, decimals, compact=True)}"
            if len(values)
            else f"{q}: none"
        )
        legend.append((colour, text))
    title = f"{series_label(label, breakdown)}, {period}: quintile by local authority"
    svg = choropleth(topo, layer, quintiles, labels, height, legend, f"{unit_label(unit)}; 1 = best")
    numbers = rows.assign(unit=unit_label(unit), period=period)[
        ["area_code", "area_name", "period", "unit", "latest_value", "quintile_in_group"]
    ]
    key = f"{mission_id}-map-{metric_id}".replace("_", "-")
    return Figure(key, title, svg, numbers, _series_sources(con, metric_id, breakdown), kind="map")


def _plain(text: str, metric_labels: dict[str, str]) -> str:
    """Metric ids in a mart's note (asb_experienced_or_witnessed) replaced by their labels, longest first."""
    for metric_id in sorted(metric_labels, key=len, reverse=True):
        text = re.sub(rf"\b{re.escape(metric_id)}\b", metric_labels[metric_id], text)
    return text.replace("mission_data_gaps", "the data-gaps register (mission_data_gaps)")


def _figure_html(figure: Figure, cite: dict[str, Citation]) -> str:
    cited = cite_html([cite[s] for s in figure.sources if s in cite])
    note = f" {escape(figure.note)}" if figure.note else ""
    return (
        f'<figure class="figure figure-{figure.kind}" id="fig-{escape(figure.key)}">'
        f'<figcaption class="chart-title">{escape(figure.title)}</figcaption>{figure.body}'
        f'<p class="source">{cited}{note} <a class="csv" href="{DATA_FOLDER}/{escape(figure.key)}.csv">'
        "The numbers drawn (CSV)</a></p></figure>"
    )


def _national_table(con: duckdb.DuckDBPyConnection, mission_id: str, cite: dict[str, Citation]) -> str:
    """The national verdict of each headline series: the area, baseline, latest, test and verdict."""
    rows = con.execute(
        """
        select s.metric_id, s.metric_label, s.breakdown, s.area_name, s.unit, m.decimals, s.baseline_period,
               s.baseline_basis, s.baseline_value, s.latest_period, s.latest_value, s.verdict,
               s.change_significance, s.judged_on, s.provenance, s.caveat
        from mission_scorecard s join dim_metrics m using (metric_id)
        where s.mission_id = ? and s.metric_role = 'headline' and s.is_national_headline
        order by s.metric_id, s.breakdown
        """,
        [mission_id],
    ).fetchall()
    if not rows:
        return ""
    body = []
    caveats: list[str] = []
    sources: set[str] = set()
    for (
        metric_id,
        label,
        breakdown,
        area,
        unit,
        decimals,
        b_period,
        b_basis,
        b_value,
        period,
        value,
        verdict,
        test,
        judged,
        prov,
        caveat,
    ) in rows:
        sources.update(_series_sources(con, metric_id, breakdown))
        judged_words = "" if judged in (None, "value") else f" (judged {str(judged).replace('_', ' ')})"
        baseline = (
            f"{escape(format_value(b_value, unit, decimals))} ({escape(str(b_period))}, "
            f"{escape(str(b_basis).replace('_', ' '))} baseline)"
            if b_period
            else "none"
        )
        sample = ' <span class="synthetic-mark">SYNTHETIC SAMPLE</span>' if prov == "synthetic" else ""
        body.append(
            f"<tr><td>{escape(series_label(label, breakdown))}{sample}</td><td>{escape(str(area))}</td>"
            f"<td>{baseline}</td><td>{escape(format_value(value, unit, decimals))} "
            f"({escape(str(period))})</td>"
            f"<td>{escape(str(verdict))}{escape(judged_words)}</td>"
            f"<td>{escape(str(test or 'not tested'))}</td></tr>"
        )
        if caveat:
            caveats.append(
                f'<p class="note caveat">Caveat, {escape(series_label(label, breakdown))} in '
                f"{escape(str(area))}: {escape(str(caveat))}</p>"
            )
    return (
        '<table class="series"><thead><tr><th>Headline series</th><th>Area</th><th>Baseline</th>'
        "<th>Latest</th><th>Change since baseline</th><th>Significance</th></tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
        f'<p class="source">{cite_html([cite[s] for s in sorted(sources) if s in cite])}</p>'
        f"{''.join(caveats)}"
    )


METHODS = f"""
<section class="methods" id="methods"><h2>Methods</h2>
<p><strong>Baselines.</strong> Each headline series is compared with one stated baseline: the Statement of
Levelling Up Missions' own baseline where it names one; otherwise the last pre-pandemic period (2019 or
earlier); otherwise the earliest period published. The rule used is named beside every baseline.</p>
<p><strong>Change since baseline.</strong> Where the publisher gives 95% confidence intervals, the change is
tested with a z-test on the difference of two independent estimates (each standard error from its interval's
half-width / 1.96); it is significant when |z| &gt; 1.96 (95%). Only a significant change is called improving
or worsening. Without intervals the change says what moved and by how much ("rose 1.2 pp, not tested").
Money series are judged relative to the UK (or London), not in nominal pounds; R&amp;D totals per head of
population; neither carries an interval, so neither is tested.</p>
<p><strong>Benchmark.</strong> The Fingertips rule against the area's benchmark (England for an English area;
for a Welsh, Scottish or Northern Irish area its own nation where the series is published for it, named in
each row): better or worse when the benchmark's value lies outside the area's 95% confidence interval,
similar when inside; without an interval only the quintile among areas of the same kind is given (1 = best),
and no better/worse claim is made.</p>
<p><strong>Recent trend.</strong> Over the latest five non-overlapping points (rolling three-year figures
count every third window, so no year is counted twice), by the Fingertips methods:
{"; ".join(TREND_METHODS.values())}. Fewer than five points: no trend. Trends of money in nominal pounds are
not tested.</p>
<p><strong>Gaps.</strong> As the Statement defines them per mission (for example healthy life expectancy:
median of the top tenth of areas minus median of the bottom tenth; well-being: the worst third against the
rest), population-weighted where a population exists. A gap's change is tested where its areas' values carry
95% intervals (the well-being gaps): the gap's standard error is that of the difference of the two group
means, and the change is significant when |z| &gt; 1.96; only then does it say narrowing or widening. The
worst third is re-selected each period from estimates with sampling error, which can enlarge the gap by
itself, so it is read beside the same gap with the baseline's worst third held fixed; where the two go
significantly opposite ways the mission's gap is "not settled". Every other gap says what it did ("fell,
not tested").</p>
<p><strong>Targets.</strong> The Open SDG progress measure: observed over required compound annual growth
(achieved; on track at 0.95 or more; needs acceleration 0.6 to 0.95; limited progress 0 to 0.6;
deterioration below 0), with a straight-line trajectory from baseline to target.</p>
{breakdowns.METHODS_HTML}
<p><strong>Synthetic samples</strong> (marked in red) stand in where no real series is bundled: they are
never judged, ranked, mapped or used in a gap or target verdict. <strong>Confidence</strong>: robust when
every real national headline series is judged and tested, no headline series is synthetic or missing and
every Statement gap's change is tested; partial when some are tested (the count is given); otherwise
indicative.</p>
<p>{OGL} Boundaries: contains OS data, Crown copyright and database right.</p>
</section>
"""

SUMMARY_COLUMNS = {
    "mission_number": "Mission",
    "title": "Title",
    "headline_status": "Headline series since baseline",
    "gap_trend": "The Statement's gap",
    "target_band": "Progress to target",
    "confidence": "Confidence",
    "data_coverage": "Headline data",
    "data_age": "Newest national figure",
}


def gap_trend_label(trend: str) -> str:
    """mission_summary's gap trend as the report shows it: a narrowing or widening is only ever one a z
    test on the gap's change found significant (mission_summary), and says so."""
    if trend in ("narrowing", "widening", "mostly narrowing", "mostly widening"):
        return f"{trend} (significant at 95%)"
    return trend


def headline_status_label(row) -> str:
    """mission_summary's headline status with the tests behind it: a word of direction names how many
    national series were found significant, so it never reads as an untested finding."""
    status = str(row.headline_status)
    significant = int(row.headline_series_improving) + int(row.headline_series_worsening)
    if significant:
        real = int(row.national_series_real)
        return f"{status} ({significant} of {real} national series significant at 95%)"
    if status == "not tested":
        return f"not tested (0 of {int(row.national_series_real)} national series could be tested)"
    return status


def build_report(db: Path, out: Path, topo: Path, cite: dict[str, Citation] | None = None) -> ReportResult:
    """Write the report for the warehouse at ``db`` to ``out`` (and its chart data beside it) atomically."""
    started = time.perf_counter()
    cite = cite or {}
    defs, height = outline_defs(topo, ("ltla", "utla"))
    figures_written: list[Figure] = []
    sections = []
    with duckdb.connect(str(db), read_only=True) as con:
        summary = con.execute("select * from mission_summary order by mission_number").df()
        ipsos = dict(
            con.execute(
                "select mission_id, index_score from fct_ipsos_levelling_up_index where group_type = 'all'"
            ).fetchall()
        )
        published = con.execute("select max(loaded_at) from raw._load_log").fetchone()[0]
        metric_labels = dict(con.execute("select metric_id, label from dim_metrics").fetchall())
        for row in summary.itertuples():
            figures = _trend_figures(con, row.mission_id) + _gap_figures(con, row.mission_id)
            figures += [f for f in (_target_figure(con, row.mission_id),) if f]
            map_figure = _map_figure(con, row.mission_id, topo, height)
            figures += [map_figure] if map_figure else []
            figures_written += figures
            banner = (
                f'<div class="synthetic-banner">{escape(_plain(row.data_note, metric_labels))}</div>'
                if row.headline_metrics_synthetic
                else ""
            )
            score = ipsos.get(row.mission_id)
            ipsos_line = (
                f'<p class="ipsos">Public perception (Ipsos Levelling Up Index, Feb 2022, all UK): '
                f"<strong>{score:+.0f}</strong> on a scale of -200 to +200.</p>"
                if score is not None
                else ""
            )
            sections.append(
                f'<section class="mission" id="{row.mission_id}">'
                f"<h2>{row.mission_number}. {escape(row.title)}</h2>"
                f'<div class="badges"><span>Headline series: {escape(headline_status_label(row))}</span>'
                f"<span>Gap: {escape(gap_trend_label(row.gap_trend))}</span>"
                f"<span>Target: {escape(row.target_band)}</span>"
                f"<span>Confidence: {escape(row.confidence)}</span>"
                f"<span>Data: {escape(row.data_coverage)}</span></div>{banner}{ipsos_line}"
                f"{_national_table(con, row.mission_id, cite)}"
                f"{breakdowns.breakdown_section(con, row.mission_id, cite)}"
                f'<div class="charts">{"".join(_figure_html(f, cite) for f in figures)}</div></section>'
            )
    summary["headline_status"] = [headline_status_label(row) for row in summary.itertuples()]
    summary["data_age"] = [
        f"{row.latest_data_period_end:%b %Y} ({row.latest_data_age_months} months old)"
        if pd.notna(row.latest_data_period_end)
        else "none"
        for row in summary.itertuples()
    ]
    table = summary[list(SUMMARY_COLUMNS)].rename(columns=SUMMARY_COLUMNS)
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>Levelling Up Mission Tracker - scorecard report</title>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<style>{CSS}</style></head><body>"
        f"{defs}<header><h1>Levelling Up Mission Tracker</h1>"
        f'<div class="meta">Scorecard report generated {generated} from the published warehouse (sources '
        f"last loaded {published:%Y-%m-%d %H:%M} UTC). "
        "Charts: the national figure and the middle 80% of areas; "
        "maps: latest quintile by local authority (1 = best). Red marks = synthetic samples, not official "
        'statistics. <a href="#methods">Methods</a> &middot; '
        '<a href="profiles/index.html">Profiles of every local authority</a>.</div></header>'
        "<main><h2>The 12 missions</h2>"
        f"{table.to_html(index=False, border=0, escape=True)}"
        '<p class="source">Source: the Mission Tracker\'s verdicts on the official statistics cited under '
        f'each mission below (method: <a href="#methods">Methods</a>). {OGL}</p>'
        f"{''.join(sections)}{METHODS}"
        "</main></body></html>"
    )
    _write_chart_data(out.parent / DATA_FOLDER, figures_written)
    write_atomically(out, html)
    n_maps = sum(f.kind == "map" for f in figures_written)
    return ReportResult(
        out,
        out.stat().st_size,
        time.perf_counter() - started,
        len(summary),
        len(figures_written) - n_maps,
        n_maps,
    )


def _write_chart_data(folder: Path, figures: list[Figure]) -> None:
    """Each figure's numbers as <key>.csv, the whole folder swapped in at once."""
    with staged_folder(folder) as staging:
        for figure in figures:
            path = staging / f"{figure.key}.csv"
            figure.numbers.to_csv(path, index=False)
            path.chmod(FILE_MODE)


#: The catalogue's reference file the maps are drawn from.
BOUNDARIES = "boundaries_topojson"


def build_published_report(settings, out: Path | None = None) -> ReportResult:
    """The report of the published warehouse (settings: orchestration.settings.Settings), the one way
    the refresh and `mission-tracker report` both build it."""
    from orchestration.deliver.report.labels import citations
    from orchestration.ingest.sources.catalogue import reference_file

    boundaries = settings.bundled_dir / reference_file(BOUNDARIES)["bundled_path"]
    return build_report(
        settings.published_db, out or settings.report_path, boundaries, citations(settings.bundled_dir)
    )
