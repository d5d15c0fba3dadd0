"""Scotland's own series (ScotPHO) and the devolved nations in the summary.

The ScotPHO parser on its real file (counts and spot values read with the csv module) and on damaged
copies; its periods in words against hand-worked ISO periods; the published side-by-side of ONS's and
ScotPHO's healthy life expectancy against both files; the nations each mission's real data reach.
"""

import csv
from pathlib import Path

import pytest

from orchestration.ingest.sources.errors import SourceFormatError
from orchestration.ingest.sources.scotpho import parse_scotpho_csv, scotpho_period

BUNDLED = Path(__file__).resolve().parents[2] / "data" / "bundled"
SCOTPHO = BUNDLED / "scotpho" / "scotpho_council_area_indicators.csv"
ONS_HLE = BUNDLED / "ons_els" / "healthy-life-expectancy.csv"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2022 survey year", "2022-01-01/P1Y"),
        ("Calendar year (2022)", "2022-01-01/P1Y"),
        ("2019/20 financial year", "2019-04-01/P1Y"),
        ("2022/23 school year", "2022-08-01/P1Y"),
        ("Financial year (2021/22)", "2021-04-01/P1Y"),
        ("2019 to 2021 calendar years; 3-year aggregates", "2019-01-01/P3Y"),
        ("2020/21 to 2022/23 financial years; 3-year aggregates", "2020-04-01/P3Y"),
        ("2019-2021 (3 year aggregate)", "2019-01-01/P3Y"),
        ("2020 to 2022 (3 year aggregate)", "2020-01-01/P3Y"),
        ("4-year aggregate (2014 - 2017)", "2014-01-01/P4Y"),
        ("Survey year (2017-2019)", "2017-01-01/P3Y"),
        ("2010-2013 combined survey years", "2010-01-01/P4Y"),
        ("2021 July snapshot", "2021-07-01"),
        ("31st March 2014 snapshot", "2014-03-31"),
        ("2021 mid-year estimate", "2021-06-30"),
        ("2012 to 2014 March snapshot; 3-year average", "2011-04-01/P3Y"),
    ],
)
def test_every_form_of_period_in_words_becomes_its_iso_period(text, iso):
    assert scotpho_period(text) == iso


def test_a_period_in_an_unknown_form_is_refused():
    with pytest.raises(ValueError, match="unknown ScotPHO period 'winter 2021'"):
        scotpho_period("winter 2021")
    with pytest.raises(ValueError):
        scotpho_period("2021 Smarch snapshot")


def test_the_real_file_gives_every_row_with_figures_and_limits_by_name():
    frame, report = parse_scotpho_csv(SCOTPHO)
    with open(SCOTPHO, encoding="utf-8-sig", newline="") as handle:
        records = list(csv.DictReader(handle))
    assert len(frame) == len(records) == report.rows_read == 7258
    assert frame.area_code.nunique() == 32
    assert report.suppressed == sum(1 for r in records if r["measure"] == "NA")
    for code, indicator in [
        ("S12000049", "Healthy life expectancy, females"),
        ("S12000036", "Adults feeling they belong to their local neighbourhood"),
        ("S12000033", "Households with children living in homes that fail the SHQS"),
    ]:
        (record,) = [r for r in records if (r["area_code"], r["indicator"]) == (code, indicator)]
        row = frame[(frame.area_code == code) & (frame.indicator == indicator)].iloc[0]
        assert row.value == float(record["measure"])
        # the file gives the upper limit first: read by name, the lower is below the upper
        assert (row.lci_95, row.uci_95) == (
            float(record["lower_confidence_interval"]),
            float(record["upper_confidence_interval"]),
        )
        assert row.lci_95 <= row.value <= row.uci_95


def _copy(tmp_path: Path, edit) -> Path:
    lines = SCOTPHO.read_text(encoding="utf-8-sig").splitlines()
    path = tmp_path / "scotpho.csv"
    path.write_text("\n".join(edit(lines)) + "\n", encoding="utf-8")
    return path


def test_a_period_in_an_unknown_form_fails_naming_file_column_and_line(tmp_path):
    path = _copy(
        tmp_path,
        lambda lines: [lines[0], lines[1].replace("4-year aggregate (2014 - 2017)", "2014ish"), *lines[2:]],
    )
    with pytest.raises(SourceFormatError) as caught:
        parse_scotpho_csv(path)
    assert (caught.value.column, caught.value.line) == ("period", 2) and str(path) in str(caught.value)


def test_swapped_limits_fail_naming_the_column(tmp_path):
    def swap(lines):
        # East Ayrshire's problem drinking: measure 25.3, upper 31.6, lower 19.8 -> lower 31.6, upper 19.8
        return [lines[0], lines[1].replace(",25.3,31.6,19.8", ",25.3,19.8,31.6"), *lines[2:]]

    with pytest.raises(SourceFormatError, match=r"lower limit 31\.6 is above the upper 19\.8") as caught:
        parse_scotpho_csv(_copy(tmp_path, swap))
    assert (caught.value.column, caught.value.line) == ("lower_confidence_interval", 2)


def test_text_in_a_figure_fails_naming_column_and_line(tmp_path):
    path = _copy(tmp_path, lambda lines: [lines[0], lines[1].replace(",25.3,", ",twenty,"), *lines[2:]])
    with pytest.raises(SourceFormatError) as caught:
        parse_scotpho_csv(path)
    assert (caught.value.column, caught.value.line) == ("measure", 2)


def test_ons_and_scotpho_healthy_life_expectancy_sit_side_by_side_as_each_file_gives_them(published_con):
    with open(SCOTPHO, encoding="utf-8-sig", newline="") as handle:
        scotpho = {
            (r["area_code"], r["indicator"].rsplit(", ", 1)[1].rstrip("s")): float(r["measure"])
            for r in csv.DictReader(handle)
            if r["indicator"].startswith("Healthy life expectancy, ")
        }
    with open(ONS_HLE, encoding="utf-8-sig", newline="") as handle:
        ons = {
            (r["areacd"], "female" if "Female" in r["indicator"] else "male"): float(r["observation"])
            for r in csv.DictReader(handle)
            if r["areacd"].startswith("S12") and r["period"] == "2019-01-01/P3Y" and r["observation"]
        }
    rows = published_con.execute(
        "select area_code, breakdown, period, ons_value, scotpho_value, difference from hle_source_comparison"
    ).fetchall()
    assert len(rows) == len(scotpho) == 64
    for code, breakdown, period, ons_value, scotpho_value, difference in rows:
        key = (code, breakdown.removeprefix("sex="))
        assert period == "2019-2021" and scotpho_value == scotpho[key]
        assert ons_value == ons.get(key)
        if ons_value is not None:
            assert difference == pytest.approx(round(scotpho[key] - ons[key], 2))
    # both series stay in the fact mart, each under its own metric and source
    assert published_con.execute(
        "select count(*) from fct_area_year_metrics where metric_id = 'hle_birth_scotpho' "
        "and source_id = 'scotpho_council_profiles'"
    ).fetchone() == (64,)


def test_the_summary_names_the_nations_each_missions_real_data_reach(published_con):
    nations = dict(
        published_con.execute("select mission_id, nations_covered from mission_summary").fetchall()
    )
    all_four = "England, Northern Ireland, Scotland, Wales"
    assert nations["M09"] == all_four  # ScotPHO's belonging, rating and trust beside England's
    assert nations["M06"] == all_four  # apprenticeships for Scotland and Northern Ireland (ELS)
    assert nations["M05"] == "England"  # KS2 and absence: England-only statistics
    expected_m09 = {
        nation
        for (nation,) in published_con.execute(
            "select distinct case left(area_code, 1) when 'E' then 'England' when 'W' then 'Wales' "
            "when 'S' then 'Scotland' when 'N' then 'Northern Ireland' end from fct_area_year_metrics f "
            "join dim_metrics m using (metric_id) where m.mission_id = 'M09' and f.value is not null "
            "and left(f.area_code, 1) in ('E', 'W', 'S', 'N')"
        ).fetchall()
    }
    assert set(nations["M09"].split(", ")) == expected_m09
