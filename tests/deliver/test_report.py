"""The national report as a policy analyst cites it: every figure names its source and licence, has a
unit and year ticks, links the CSV of exactly what it draws; plain labels; a methods section."""

from __future__ import annotations

import re
import stat
from html import unescape

import pandas as pd
import pytest

from orchestration.deliver.report.charts import Chart, Line, render, segments, year_ticks
from orchestration.deliver.report.labels import format_value

FIGURE = re.compile(r'<figure class="figure figure-(\w+)" id="fig-([^"]+)">(.*?)</figure>', re.S)


@pytest.fixture(scope="module")
def report(built_warehouse) -> str:
    return built_warehouse.settings.report_path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def figures(report) -> list[tuple[str, str, str]]:
    found = FIGURE.findall(report)
    assert len(found) >= 40
    return found


def _visible_text(html: str) -> str:
    html = re.sub(r"<svg width=\"0\".*?</svg>", " ", html, flags=re.S)  # the hidden map outlines
    html = re.sub(r"<(style|title)>.*?</\1>", " ", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def test_every_figure_names_its_source_and_licence_and_links_its_numbers(built_warehouse, figures):
    folder = built_warehouse.settings.report_path.parent
    for kind, key, body in figures:
        source = re.search(r'<p class="source">(.*?)</p>', body, re.S).group(1)
        assert re.match(r"Sources?: ", source), key
        synthetic_only = "NOT official statistics" in source and "Open Government Licence" not in source
        assert synthetic_only or "Open Government Licence v3.0" in source, key
        csv = re.search(r'<a class="csv" href="(data/[^"]+\.csv)">', body).group(1)
        assert (folder / csv).exists(), csv
        assert stat.S_IMODE((folder / csv).stat().st_mode) == 0o644
        if kind == "chart":
            # a unit on the value axis, and year ticks (never a date like 2008-04-16)
            unit = re.search(r'class="tick unit">([^<]+)</text>', body)
            assert unit and unit.group(1).strip(), key
            ticks = re.findall(r'class="tick">(\d{4}[^<]*)</text>', body)
            assert ticks and all(re.fullmatch(r"\d{4}", t) for t in ticks), (key, ticks)
        if kind == "map":
            # each quintile's value range (a quintile tied away is "none"), and a key for no data
            assert (
                "no data" in body
                and len(re.findall(r'class="tick">\d: ([^<]+ to [^<]+|none)</text>', body)) == 5
            )


def test_the_report_is_readable_by_others(built_warehouse):
    assert stat.S_IMODE(built_warehouse.settings.report_path.stat().st_mode) == 0o644


def test_a_trend_chart_csv_holds_exactly_the_national_series_it_draws(
    built_warehouse, published_con, figures
):
    """HLE, female, mission 7: the national line is the UK (the area mission_summary judges), as in fct."""
    key = next(k for kind, k, _ in figures if k == "M07-hle-birth-sex-female")
    numbers = pd.read_csv(built_warehouse.settings.report_path.parent / "data" / f"{key}.csv")
    drawn = numbers[numbers.series == "United Kingdom"].sort_values("period_end")
    expected = published_con.execute(
        "select period, value from fct_area_year_metrics where area_code = 'K02000001' and metric_id = 'hle_birth' "
        "and breakdown = 'sex=female' and value is not null order by period_end"
    ).df()
    assert list(drawn.period) == list(expected.period)
    assert drawn.value.tolist() == pytest.approx(expected.value.tolist())
    body = next(b for _, k, b in figures if k == key)
    assert body.count("<circle") == len(expected)  # one marker per national point, no more
    assert set(numbers.unit) == {"years"}


def test_each_gap_chart_has_one_unit(figures, published_con):
    gaps = [(k, b) for kind, k, b in figures if "-gap-" in k]
    assert gaps
    for key, body in gaps:
        assert len(re.findall(r'class="tick unit">', body)) <= 1, key
    # mission 1's Statement gaps come in two units, so two charts: percentage points and % of the leader
    units = published_con.execute(
        "select count(distinct gap_unit) from mission_gaps where mission_id = 'M01' and is_statement_definition"
    ).fetchone()[0]
    assert sum(k.startswith("M01-gap-") for k, _ in gaps) == units == 2


def test_a_single_period_series_is_a_value_with_its_date(figures, published_con):
    value, period = published_con.execute(
        "select value, period from fct_area_year_metrics where metric_id = 'culture_heritage_engagement' "
        "and breakdown = 'activity=arts' and area_code = 'E92000001'"
    ).fetchone()
    body = next(b for kind, k, b in figures if k == "M09-culture-heritage-engagement-activity-arts")
    assert "<svg" not in body
    assert f"<strong>{value:.0f}%</strong> England, {period}" in body


def test_labels_are_plain_and_methods_are_stated(report):
    text = _visible_text(report)
    for internal in (
        "ks2_rwm_expected",
        "itl1",
        "eia vs england",
        "eia_vs_england",
        "headline_status",
        "hle_birth",
    ):
        assert internal not in text, internal
    methods = _visible_text(report[report.index('<section class="methods"') :])
    for stated in ("baseline", "95%", "1.96", "99.8%", "Fingertips", "Open SDG", "0.95"):
        assert stated in methods, stated


def test_year_ticks_are_whole_years_a_round_step_apart():
    assert year_ticks(2004.3, 2024.9) == {2005.0: "2005", 2010.0: "2010", 2015.0: "2015", 2020.0: "2020"}
    assert year_ticks(2021.2, 2023.5) == {2022.0: "2022", 2023.0: "2023"}
    assert year_ticks(2022.25, 2022.5) == {2022.25: "2022"}


def test_every_table_names_its_source(report, published_con):
    broken_down = published_con.execute(
        "select count(distinct mission_id) from metric_breakdowns"
    ).fetchone()[0]
    compared = published_con.execute(
        "select count(distinct mission_id) from mission_perception_comparison"
    ).fetchone()[0]
    tables = report.count("<table")
    # the summary, one national table per mission, and per mission with local-authority series a
    # table by deprivation and area type (and one of perception beside it where Ipsos asked)
    assert tables == 13 + broken_down + compared
    assert broken_down >= 6 and compared >= 5
    assert report.count('</table><p class="source">Source') == tables
    assert report.count("Ipsos") >= compared


def test_each_breakdown_table_row_is_the_marts_most_and_least_deprived_tenth(report, published_con):
    most, least, unit, decimals, label, most_n, least_n = published_con.execute(
        "select max(value) filter (group_order = 1), max(value) filter (group_order = 10), any_value(b.unit), "
        "any_value(m.decimals), any_value(b.metric_label), max(areas) filter (group_order = 1), "
        "max(areas) filter (group_order = 10) from metric_breakdowns b join dim_metrics m using (metric_id) "
        "where metric_id = 'neighbourhood_crime_rate' and breakdown_family = 'imd_decile_2025' and is_latest_period"
    ).fetchone()
    from orchestration.deliver.report.labels import format_value

    section = report.index("By deprivation and area type", report.index('<section class="mission" id="M11"'))
    row = report[report.index(f"<tr><td>{label}</td>", section) :]
    row = row[: row.index("</tr>")]
    assert (
        f"<td>{format_value(most, unit, decimals)} ({most_n} authorities)</td>"
        f"<td>{format_value(least, unit, decimals)} ({least_n} authorities)</td>" in row
    )
    assert most_n > least_n >= 1  # the least deprived tenth of authorities holds few (five, 2025)
    # today's gradient on 2025 deciles, in the series' unit, and not the 2019 one Westminster decides
    sii = published_con.execute(
        "select sii, gradient from metric_inequality_slopes where metric_id = 'neighbourhood_crime_rate' "
        "and is_latest"
    ).fetchone()
    assert sii[1] == "gradient, not tested: no interval"
    assert (
        f"<td>{format_value(sii[0], unit, decimals)}, favours the least deprived (not tested: no interval)"
        in row
    )


# --- chart axes and lines on fixtures ---------------------------------------------------------------


def _tick_values(svg: str) -> list[float]:
    return [
        float(v.replace(",", ""))
        for v in re.findall(r'text-anchor="end" class="tick">([-\d.,]+)</text>', svg)
    ]


def test_a_gap_chart_starts_at_zero():
    """The knife-crime gap moved 63.1 -> 63.4: drawn from zero, a 0.3 rise is a 0.3 rise."""
    gap = Chart(
        "gap",
        "per 100,000",
        [Line("gap", [(2019.0, 63.1), (2020.0, 63.2), (2021.0, 63.4)])],
        y_from_zero=True,
    )
    svg = render(gap)
    assert min(_tick_values(svg)) == 0 and max(_tick_values(svg)) >= 63.4
    assert "axis-break" not in svg and "not zero" not in svg


def test_an_axis_that_does_not_reach_zero_is_marked_as_broken():
    svg = render(Chart("hle", "years", [Line("England", [(2015.0, 63.1), (2016.0, 63.2), (2017.0, 63.4)])]))
    assert min(_tick_values(svg)) > 0
    assert 'class="axis-break"' in svg
    assert re.search(r"years \(axis from [\d.]+, not zero\)", svg)


def test_a_line_breaks_where_years_are_missing():
    """Annual points 2017, 2018, then 2024, 2025: two lines, nothing drawn across 2019-2023."""
    svg = render(
        Chart("crime", "per 1,000", [Line("E", [(2017.0, 5), (2018.0, 6), (2024.0, 4), (2025.0, 3)])])
    )
    assert len(re.findall(r'<polyline class="line"', svg)) == 2
    assert segments([2017.0, 2018.0, 2024.0, 2025.0]) == [(0, 2), (2, 4)]
    assert segments([2011.0, 2012.0, 2013.0, 2014.0]) == [(0, 4)]
    assert segments([2017.0, 2018.0, 2024.0]) == [(0, 2), (2, 3)]  # the lone 2024 point is its dot
    assert segments([2019.0, 2025.0]) == [(0, 2)]  # two points cannot show their step: drawn whole


def test_money_shows_whole_pounds_where_the_figure_is_whole():
    assert format_value(46911.0, "pounds") == "£46,911"
    assert format_value(39.84, "pounds", 2) == "£39.84"
    assert format_value(1234.0, "pounds_million") == "£1,234 million"
    assert format_value(69.7, "percent") == "69.7%"


def test_every_figure_in_the_report_has_a_title_of_its_own(built_warehouse):
    html = (built_warehouse.settings.warehouse_dir / "report" / "mission_scorecard_report.html").read_text()
    for section in re.findall(r'<section class="mission".*?</section>', html, flags=re.S) or [html]:
        titles = re.findall(r"<figcaption[^>]*>(.*?)</figcaption>", section, flags=re.S)
        assert len(titles) == len(set(titles)), [t for t in titles if titles.count(t) > 1]


def test_the_methods_text_agrees_with_the_methods_the_marts_ran(report, published_con):
    """The Methods section is written from the same metadata the models use, or checked against it here:
    every trend method the scorecard used is described by its generated label, the Spearman critical
    value quoted is the seed's, and what it says about testing gaps and gradients is what the marts did."""
    from orchestration.deliver.report.labels import TREND_METHODS

    methods = " ".join(_visible_text(report[report.index('<section class="methods"') :]).split())
    used = {
        m
        for (m,) in published_con.execute(
            "select distinct trend_method from mission_scorecard where trend_method is not null"
        ).fetchall()
    }
    assert used and used <= set(TREND_METHODS)
    for method in used:
        assert TREND_METHODS[method] in methods, method
    critical = published_con.execute(
        "select critical_value from lookups.spearman_critical_values where groups = 8"
    ).fetchone()[0]
    assert f"{critical:.3f} for eight groups" in methods
    tested_gaps = published_con.execute(
        "select count(*) from mission_gaps where gap_change_z is not null"
    ).fetchone()[0]
    assert tested_gaps > 0 and "only then does it say narrowing or widening" in methods
    intervals = published_con.execute(
        "select count(*) from metric_inequality_slopes where sii_lci_95 is not null"
    ).fetchone()[0]
    withheld = published_con.execute(
        "select count(*) from metric_inequality_slopes where is_decided_by_few"
    ).fetchone()[0]
    assert intervals > 0 and "95% interval is analytic" in methods
    assert withheld > 0 and "one or two authorities decide" in methods


def test_a_gradient_is_printed_as_a_difference_in_the_series_unit():
    from orchestration.deliver.report.labels import format_difference, format_value

    assert format_difference(4.83, "percent", 1) == "4.8 pp"  # percentage points, not "4.8%"
    assert format_difference(-0.17, "score_0_10", 2) == "-0.17 points"
    assert format_difference(-6.78, "rate_per_1000", 1) == format_value(-6.78, "rate_per_1000", 1)
    assert format_difference(130.67, "pounds", 0) == "£131"
    assert format_difference(None, "percent", 1) == "no data"
