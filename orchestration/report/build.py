"""Build the scorecard report from the published warehouse (read-only) into one HTML file."""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.report.charts import PALETTE, Band, Chart, Line, render
from orchestration.report.maps import choropleth, outline_defs

NATIONAL_PREFERENCE = ("E92000001", "K02000001", "K03000001", "K04000001")
MAX_TREND_CHARTS = 6

CSS = (Path(__file__).with_name("report.css")).read_text(encoding="utf-8")


@dataclass(frozen=True)
class ReportResult:
    path: Path
    size_bytes: int
    seconds: float
    missions: int
    charts: int
    maps: int


def _x(period_end: pd.Timestamp) -> float:
    return period_end.year + (period_end.dayofyear - 1) / 365.25


def _labels(frame: pd.DataFrame) -> dict[float, str]:
    frame = frame.sort_values("period_end")
    first, last = frame.iloc[0], frame.iloc[-1]
    return {_x(first.period_end): str(first.period), _x(last.period_end): str(last.period)}


def _trend_charts(con: duckdb.DuckDBPyConnection, mission_id: str) -> list[str]:
    """One chart per headline series: the national line and the 10th-90th percentile band of areas."""
    series = con.execute(
        """
        select distinct p.metric_id, p.breakdown, m.label, m.unit
        from intermediate.int_gap_populations_selected p join dim_metrics m using (metric_id)
        where p.mission_id = ? order by 1, 2
        """,
        [mission_id],
    ).fetchall()
    charts = []
    for metric_id, breakdown, label, unit in series[:MAX_TREND_CHARTS]:
        spread = con.execute(
            """
            select period, max(period_end) as period_end, quantile_cont(value, 0.1) as p10,
                   quantile_cont(value, 0.9) as p90, any_value(population) as population,
                   bool_or(provenance = 'synthetic') as synthetic
            from intermediate.int_gap_populations_selected
            where metric_id = ? and breakdown = ? group by period order by period_end
            """,
            [metric_id, breakdown],
        ).df()
        national = con.execute(
            f"""
            select area_name, period, period_end, value, provenance from fct_area_year_metrics
            where metric_id = ? and breakdown = ? and value is not null
              and area_code in ({", ".join("?" for _ in NATIONAL_PREFERENCE)})
            qualify dense_rank() over (order by array_position(?, area_code)) = 1
            order by period_end
            """,
            [metric_id, breakdown, *NATIONAL_PREFERENCE, list(NATIONAL_PREFERENCE)],
        ).df()
        lines = []
        if not national.empty:
            lines.append(
                Line(
                    str(national.area_name.iloc[0]),
                    [(_x(r.period_end), r.value) for r in national.itertuples()],
                )
            )
        band = Band(
            f"middle 80% of areas ({spread.population.iloc[0]})" if not spread.empty else "areas",
            [(_x(r.period_end), r.p10, r.p90) for r in spread.itertuples()],
        )
        title = label + ("" if breakdown == "all" else f" ({breakdown.split('=', 1)[-1]})")
        synthetic = bool(spread.synthetic.any()) or bool((national.provenance == "synthetic").any())
        frames = [f for f in (national, spread) if not f.empty]
        charts.append(
            render(
                Chart(
                    title,
                    unit,
                    lines,
                    band,
                    _labels(pd.concat(frames)) if frames else {},
                    synthetic=synthetic,
                )
            )
        )
    return charts


def _gap_chart(con: duckdb.DuckDBPyConnection, mission_id: str) -> str | None:
    gaps = con.execute(
        """
        select gap_id, metric_id, breakdown, gap_method, period, period_end, gap_value, provenance
        from mission_gaps where mission_id = ? and is_statement_definition order by gap_id, period_end
        """,
        [mission_id],
    ).df()
    if gaps.empty:
        return None
    lines = []
    for i, (_gap_id, frame) in enumerate(gaps.groupby("gap_id", sort=True)):
        if i == len(PALETTE):
            break
        metric, breakdown = frame.metric_id.iloc[0], frame.breakdown.iloc[0]
        label = metric + ("" if breakdown == "all" else f" {breakdown.split('=', 1)[-1]}")
        lines.append(Line(label, [(_x(r.period_end), r.gap_value) for r in frame.itertuples()], PALETTE[i]))
    method = gaps.gap_method.iloc[0].replace("_", " ")
    return render(
        Chart(
            f"The Statement's gap: {method}",
            "gap (positive = behind)",
            lines,
            None,
            _labels(gaps),
            synthetic=bool((gaps.provenance.str.contains("synthetic")).any()),
        )
    )


def _target_chart(con: duckdb.DuckDBPyConnection, mission_id: str) -> str | None:
    target = con.execute(
        "select target_id, statement_wording, target_level, target_year, provenance, progress_band "
        "from mission_progress where mission_id = ? and is_primary and target_level is not null",
        [mission_id],
    ).fetchone()
    if target is None:
        return None
    target_id, wording, _level, _year, provenance, band = target
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
    labels = {
        float(milestones.year.min()): str(milestones.year.min()),
        float(milestones.year.max()): str(milestones.year.max()),
    }
    short = wording if len(wording) <= 52 else wording[:49] + "..."
    return render(
        Chart(
            f"Target: {short}",
            f"progress: {band}",
            lines,
            None,
            labels,
            synthetic="synthetic" in str(provenance),
        )
    )


def _map(con: duckdb.DuckDBPyConnection, mission_id: str, topo: Path, height: float) -> str | None:
    """Latest quintiles of the mission's real headline series with the most local-authority values.

    A synthetic sample is never mapped: it has no quintile (mission_scorecard ranks real rows only)."""
    best = con.execute(
        """
        select metric_id, breakdown, comparison_group, metric_label, latest_period
        from mission_scorecard
        where mission_id = ? and comparison_group in ('lower_tier', 'upper_tier')
          and provenance <> 'synthetic' and quintile_in_group is not null
        group by all
        order by count(*) desc, metric_id, breakdown limit 1
        """,
        [mission_id],
    ).fetchone()
    if best is None:
        return None
    metric_id, breakdown, group, label, period = best
    rows = con.execute(
        "select area_code, quintile_in_group, latest_value, unit, provenance from mission_scorecard "
        "where metric_id = ? and breakdown = ? and comparison_group = ? and latest_period = ? "
        "and quintile_in_group is not null",
        [metric_id, breakdown, group, period],
    ).fetchall()
    layer = "ltla" if group == "lower_tier" else "utla"
    quintiles = {code: int(q) for code, q, *_ in rows}
    labels = {code: f"{value:g} {unit} ({period}), quintile {q}" for code, q, value, unit, _ in rows}
    synthetic = any(p == "synthetic" for *_, p in rows)
    title = f"{label}{'' if breakdown == 'all' else ' (' + breakdown.split('=', 1)[-1] + ')'}, {period}"
    svg = choropleth(
        topo, layer, quintiles, labels, height, title + (" - SYNTHETIC SAMPLE" if synthetic else "")
    )
    return svg


def build_report(db: Path, out: Path, topo: Path) -> ReportResult:
    """Write the report for the warehouse at ``db`` to ``out`` atomically; return what was written."""
    started = time.perf_counter()
    defs, height = outline_defs(topo, ("ltla", "utla"))
    n_charts = n_maps = 0
    sections = []
    with duckdb.connect(str(db), read_only=True) as con:
        summary = con.execute("select * from mission_summary order by mission_number").df()
        ipsos = dict(
            con.execute(
                "select mission_id, index_score from fct_ipsos_levelling_up_index where group_type = 'all'"
            ).fetchall()
        )
        published = con.execute("select max(loaded_at) from raw._load_log").fetchone()[0]
        for row in summary.itertuples():
            charts = _trend_charts(con, row.mission_id)
            extra = [c for c in (_gap_chart(con, row.mission_id), _target_chart(con, row.mission_id)) if c]
            map_svg = _map(con, row.mission_id, topo, height)
            n_charts += len(charts) + len(extra)
            n_maps += map_svg is not None
            banner = (
                f'<div class="synthetic-banner">{escape(row.data_note)}</div>'
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
                f'<div class="badges"><span>headline: {escape(row.headline_status)}</span>'
                f"<span>gap: {escape(row.gap_trend)}</span><span>target: {escape(row.target_band)}</span>"
                f"<span>confidence: {escape(row.confidence)}</span>"
                f"<span>data: {escape(row.data_coverage)}</span></div>{banner}{ipsos_line}"
                f'<p class="note">{escape(row.headline_detail or "")}</p>'
                f'<p class="note">Why: {escape(row.headline_basis or "")}</p>'
                f'<div class="charts">{"".join(charts + extra)}{map_svg or ""}</div></section>'
            )
    table = summary[
        [
            *("mission_number", "title", "headline_status", "gap_trend"),
            *("target_band", "confidence", "data_coverage"),
        ]
    ]
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
        "statistics.</div></header><main><h2>The 12 missions</h2>"
        f"{table.to_html(index=False, border=0, escape=True)}{''.join(sections)}</main></body></html>"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=out.parent, delete=False, suffix=".tmp"
    ) as handle:
        handle.write(html)
        temporary = Path(handle.name)
    os.replace(temporary, out)
    return ReportResult(
        out, out.stat().st_size, time.perf_counter() - started, len(summary), n_charts, n_maps
    )


#: The catalogue's reference file the maps are drawn from.
BOUNDARIES = "boundaries_topojson"


def build_published_report(settings, out: Path | None = None) -> ReportResult:
    """The report of the published warehouse (settings: orchestration.settings.Settings), the one way
    the refresh and `mission-tracker report` both build it."""
    from orchestration.sources.catalogue import reference_file

    boundaries = settings.bundled_dir / reference_file(BOUNDARIES)["bundled_path"]
    return build_report(settings.published_db, out or settings.report_path, boundaries)
