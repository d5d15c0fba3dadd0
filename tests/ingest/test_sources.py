"""Every catalogue source, checked against its bundled file read independently (csv module)."""

import csv
from collections import defaultdict

import pytest

from orchestration.ingest.sources.catalogue import load_catalogue

# ITL1 -> GSS, written out here independently of the dbt seed.
ITL1 = {
    "TLB": "E92000001", "TLC": "E12000001", "TLD": "E12000002", "TLE": "E12000003", "TLF": "E12000004",
    "TLG": "E12000005", "TLH": "E12000006", "TLI": "E12000007", "TLJ": "E12000008", "TLK": "E12000009",
    "TLL": "W92000004", "TLM": "S92000003", "TLN": "N92000002",
}  # fmt: skip
ELS_SOURCES = [source for source in load_catalogue() if source.format == "ons_els_csv"]


def without_code(source) -> str | None:
    """The placeholder the catalogue says this file writes for an area with no GSS code (ELS files)."""
    return dict(source.format_options).get("areas_without_code")


def counted(record: dict[str, str], source) -> bool:
    """A file row the raw table keeps: all but those the catalogue's rule sets aside."""
    return without_code(source) is None or record["areacd"] != without_code(source)


def expected_keys_by_metric(bundled_dir):
    """Distinct (area, period start, metric, breakdown) facts per metric across all ELS files."""
    keys = defaultdict(set)
    for source in ELS_SOURCES:
        mapping = {m.indicator: (m.metric_id, m.breakdown) for m in source.metrics}
        with open(bundled_dir / source.bundled_path, encoding="utf-8-sig", newline="") as handle:
            for record in csv.DictReader(handle):
                if record["areacd"] == without_code(source):
                    continue  # set aside by the catalogue's rule
                if record["indicator"] in mapping:
                    metric_id, breakdown = mapping[record["indicator"]]
                    area = ITL1.get(record["areacd"], record["areacd"])
                    keys[metric_id].add((area, record["period"], breakdown))
    return keys


#: Counts summed over areas: their retired areas' rows become one row of the successor (checked by value
#: in test_a_summed_count_of_a_merged_area_is_the_sum_of_its_predecessors_in_the_file).
SUMMED = {
    "active_businesses",
    "natural_capital_regulating_value",
    "short_term_let_guest_nights",
    "exports_value",
}


def test_row_counts_per_metric_equal_the_bundled_files(published_con, bundled_dir):
    expected = {
        metric: len(keys)
        for metric, keys in expected_keys_by_metric(bundled_dir).items()
        if metric not in SUMMED
    }
    actual = dict(
        published_con.execute(
            "select metric_id, count(*) from fct_area_year_metrics "
            "where source_id in (select unnest(?)) and provenance = 'published' "
            "and metric_id not in (select unnest(?)) group by 1",
            [[source.id for source in ELS_SOURCES], sorted(SUMMED)],
        ).fetchall()
    )
    assert actual == expected


def test_a_summed_count_of_a_merged_area_is_the_sum_of_its_predecessors_in_the_file(
    published_con, bundled_dir
):
    """North Yorkshire (E06000065, a unitary since April 2023): its active businesses before then are the
    sum of its seven former districts' figures in the file."""
    districts = {f"E0700016{digit}" for digit in range(3, 10)}  # Craven .. Selby
    with open(
        bundled_dir / "ons_els" / "business-demography.csv", encoding="utf-8-sig", newline=""
    ) as handle:
        total = sum(
            float(r["observation"]) for r in csv.DictReader(handle)
            if r["indicator"] == "Active businesses" and r["period"] == "2019-01-01/P1Y" and r["areacd"] in districts
        )  # fmt: skip
    rows = published_con.execute(
        "select value, note from fct_area_year_metrics where metric_id = 'active_businesses' "
        "and area_code = 'E06000065' and period = '2019'"
    ).fetchall()
    assert rows[0][0] == total and rows[0][1].startswith("harmonised: sum of predecessors")


def test_every_source_is_loaded_into_raw_with_every_file_row(published_con, bundled_dir):
    for source in load_catalogue():
        if source.format not in ("ons_els_csv", "ipsos_index_csv"):
            continue  # generated, derived or filtered formats: checked in their own tests
        with open(bundled_dir / source.bundled_path, encoding="utf-8-sig", newline="") as handle:
            file_rows = sum(1 for record in csv.DictReader(handle) if counted(record, source))
        (raw_rows,) = published_con.execute(f"select count(*) from raw.{source.id}").fetchone()
        (dropped,) = published_con.execute(
            "select count(*) from raw._load_log where source_id = ?", [source.id]
        ).fetchone()
        assert dropped >= 1
        if source.id == "culture_heritage_engagement":
            assert raw_rows == file_rows - 20  # 20 rows repeated under ITL2 and CA labels, dropped
        else:
            assert raw_rows == file_rows, source.id


SPOT_CHECKS = [
    # (file, areacd, indicator, period, metric_id, breakdown, mart area_code)
    ("gross-value-added", "TLI", "Gross value added per hour worked", "2022-01-01/P1Y", "gva_per_hour", "all", "E12000007"),
    ("gross-median-weekly-pay", "E06000001", "Gross median weekly pay", "2025-04-30", "median_weekly_pay", "all", "E06000001"),
    ("employment-rate", "W06000015", "Employment rate", "2023-01-01/P1Y", "employment_rate", "all", "W06000015"),
    ("pupils-at-expected-standards-by-end-of-primary-school", "E92000001",
     "Pupils meeting the expected standard in reading, writing and maths", "2018-09-01/P1Y", "ks2_rwm_expected", "all", "E92000001"),
    ("personal-wellbeing-estimates", "E08000025", "Anxiety", "2019-04-01/P1Y", "anxiety_mean", "all", "E08000025"),
    ("homicide-offences", "E23000001", "Homicide Offences", "2022-04-01/P3Y", "homicide_rate", "all", "E23000001"),
    ("research-and-development-public-funded", "E12000008",
     "Public-funded expenditure on research and development", "2021-04-01/P1Y", "public_rd", "all", "E12000008"),
    ("engagement-with-culture-and-heritage", "E06000001", "Visited a heritage site", "2023-04-01/P1Y",
     "culture_heritage_engagement", "activity=heritage_site", "E06000001"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("dataset", "areacd", "indicator", "period", "metric_id", "breakdown", "area"), SPOT_CHECKS
)
def test_spot_values_equal_the_csv(
    published_con, bundled_dir, dataset, areacd, indicator, period, metric_id, breakdown, area
):
    with open(bundled_dir / "ons_els" / f"{dataset}.csv", encoding="utf-8-sig", newline="") as handle:
        (record,) = [
            r for r in csv.DictReader(handle)
            if (r["areacd"], r["indicator"], r["period"]) == (areacd, indicator, period)
        ]  # fmt: skip
    rows = published_con.execute(
        "select value, lci_95, uci_95 from fct_area_year_metrics f "
        "where area_code = ? and metric_id = ? and breakdown = ? "
        "and f.period_start = cast(? as date)",
        [area, metric_id, breakdown, period.split("/")[0]],
    ).fetchall()
    as_float = lambda text: float(text) if text.strip() else None  # noqa: E731
    assert rows == [(as_float(record["observation"]), as_float(record["lci_95"]), as_float(record["uci_95"]))]


def spot_rows(path, source):
    """Three rows of a file with a figure (its first, middle and last such row), read with the csv
    module: an ITL1 row is skipped where the same fact is also published under its GSS code."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        records = [r for r in csv.DictReader(handle) if r["areacd"] != without_code(source)]
    published = {(r["areacd"], r["indicator"], r["period"]) for r in records}
    usable = [
        r for r in records
        if r["observation"].strip()
        and (r["areacd"] not in ITL1 or (ITL1[r["areacd"]], r["indicator"], r["period"]) not in published)
    ]  # fmt: skip
    return [usable[0], usable[len(usable) // 2], usable[-1]]


@pytest.mark.parametrize("source", ELS_SOURCES, ids=lambda source: source.id)
def test_three_spot_values_per_source_equal_its_file(published_con, bundled_dir, source):
    mapping = {m.indicator: (m.metric_id, m.breakdown) for m in source.metrics}
    for record in spot_rows(bundled_dir / source.bundled_path, source):
        metric_id, breakdown = mapping[record["indicator"]]
        rows = published_con.execute(
            "select value from fct_area_year_metrics where area_code = ? and metric_id = ? and breakdown = ? "
            "and period_start = cast(? as date)",
            [
                ITL1.get(record["areacd"], record["areacd"]),
                metric_id,
                breakdown,
                record["period"].split("/")[0],
            ],
        ).fetchall()
        assert rows == [(float(record["observation"].replace(",", "")),)], (source.id, record)


def test_suppressed_figures_are_null_with_status_never_zero(published_con, bundled_dir):
    with open(
        bundled_dir / "ons_els/gross-median-weekly-pay.csv", encoding="utf-8-sig", newline=""
    ) as handle:
        suppressed = {(r["areacd"], r["period"]) for r in csv.DictReader(handle) if r["status"] == "x"}
    assert suppressed
    rows = published_con.execute(
        "select area_code, strftime(period_start, '%Y-%m-%d'), value, status from fct_area_year_metrics "
        "where metric_id = 'median_weekly_pay' and status = 'x'"
    ).fetchall()
    assert {(area, period) for area, period, _, _ in rows} == suppressed
    assert all(value is None for _, _, value, _ in rows)


def test_ci_that_does_not_contain_its_estimate_is_withheld_with_a_note(published_con):
    rows = published_con.execute(
        "select published_area_code, value, lci_95, uci_95, note from fct_area_year_metrics "
        "where metric_id = 'culture_heritage_engagement' and note like '%does not contain the estimate%'"
    ).fetchall()
    # the six ITL1 rows whose published upper limit equals the lower one (checked by eye in the file)
    assert sorted(row[0] for row in rows) == ["TLC", "TLE", "TLF", "TLG", "TLI", "TLJ"]
    assert all(lci is None and uci is None and value is not None for _, value, lci, uci, _ in rows)


def test_itl1_codes_resolve_to_gss_and_gss_rows_win(published_con):
    rows = published_con.execute(
        "select distinct published_area_code from fct_area_year_metrics "
        "where metric_id = 'gdhi_per_head' and area_code = 'E12000001'"
    ).fetchall()
    assert rows == [("E12000001",)]  # the file has both TLC and E12000001 rows: the GSS row is kept
    assert published_con.execute(
        "select count(*) from fct_area_year_metrics where area_code like 'TL_'"
    ).fetchone() == (0,)


def test_open_sdg_non_decent_homes_equal_the_csv(published_con, bundled_dir):
    with open(bundled_dir / "ons_sdg/indicator_11-1-1.csv", encoding="utf-8-sig", newline="") as handle:
        records = list(csv.DictReader(handle))
    disaggregations = [
        c
        for c in records[0]
        if c not in {"Year", "Series", "Units", "Observation status", "GeoCode", "Value", "Region"}
    ]
    expected = {
        (r["GeoCode"] or "E92000001", r["Year"]): float(r["Value"])
        for r in records
        if r["Series"] == "Dwellings (%)" and not any(r[c] for c in disaggregations)
    }
    actual = {
        (area, period): value
        for area, period, value in published_con.execute(
            "select area_code, period, value from fct_area_year_metrics where metric_id = 'non_decent_homes_all_tenures'"
        ).fetchall()
    }
    assert actual == expected
    assert actual[("E92000001", "2021")] == 14.3
