"""The session's real nightly run: what it published, checked against the bundled CSV directly."""

import csv
from collections import Counter

import duckdb
import pytest

from orchestration.ingest.sources.catalogue import get_source


def read_csv_rows(bundled_dir, relative_path):
    with open(bundled_dir / relative_path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def test_refresh_succeeds_and_publishes(built_warehouse):
    summary = built_warehouse.summary
    assert summary.success and summary.published
    assert not summary.checks_failed
    assert any(name.endswith("gx_fct_area_year_metrics") for name in summary.checks_passed)
    assert built_warehouse.settings.published_db.exists()


def test_published_warehouse_opens_read_only(built_warehouse):
    with duckdb.connect(str(built_warehouse.settings.published_db), read_only=True) as con:
        rows = con.execute("select * from fct_area_year_metrics limit 5").fetchall()
        assert len(rows) == 5
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("create table scratch as select 1")


@pytest.mark.parametrize(
    ("area_code", "area_name"),
    [("E92000001", "England"), ("E06000001", "Hartlepool"), ("S12000036", "City of Edinburgh")],
)
def test_hle_values_equal_the_csv(published_con, bundled_dir, area_code, area_name):
    source = get_source("healthy_life_expectancy")
    expected = {}
    for record in read_csv_rows(bundled_dir, source.bundled_path):
        if record["areacd"] != area_code:
            continue
        start_year = int(record["period"][:4])
        assert record["period"].endswith("-01-01/P3Y")
        sex = record["indicator"].split()[0].lower()
        expected[(f"{start_year}-{start_year + 2}", f"sex={sex}")] = (
            float(record["observation"]),
            float(record["lci_95"]),
            float(record["uci_95"]),
        )
    assert len(expected) == 24  # 12 periods x 2 sexes
    actual = {
        (period, breakdown): (value, lci, uci)
        for period, breakdown, value, lci, uci, name in published_con.execute(
            "select period, breakdown, value, lci_95, uci_95, area_name from fct_area_year_metrics "
            "where metric_id = 'hle_birth' and area_code = ?",
            [area_code],
        ).fetchall()
    }
    assert actual == expected
    assert published_con.execute(
        "select distinct area_name from fct_area_year_metrics where area_code = ?", [area_code]
    ).fetchall() == [(area_name,)]


def test_baseline_2017_2019_is_reference_year_2019(published_con):
    years = published_con.execute(
        "select distinct year from fct_area_year_metrics where metric_id='hle_birth' and period='2017-2019'"
    ).fetchall()
    assert years == [(2019,)]


def test_mart_row_counts_per_breakdown_equal_the_csv(published_con, bundled_dir):
    source = get_source("healthy_life_expectancy")
    expected = Counter(
        f"sex={r['indicator'].split()[0].lower()}" for r in read_csv_rows(bundled_dir, source.bundled_path)
    )
    actual = dict(
        published_con.execute(
            "select breakdown, count(*) from fct_area_year_metrics where source_id = ? group by 1",
            [source.id],
        ).fetchall()
    )
    assert actual == dict(expected)


def test_load_metadata_is_recorded(published_con, bundled_dir):
    from orchestration.warehouse.files import sha256_of

    source = get_source("healthy_life_expectancy")
    file, sha256, row_count = published_con.execute(
        "select file, sha256, row_count from raw._load_log where source_id = ? "
        "order by loaded_at desc limit 1",
        [source.id],
    ).fetchone()
    assert file.endswith(source.bundled_path)
    assert sha256 == sha256_of(bundled_dir / source.bundled_path)
    assert row_count == len(read_csv_rows(bundled_dir, source.bundled_path))
    vintages = published_con.execute(
        "select distinct vintage from fct_area_year_metrics where source_id = ?", [source.id]
    ).fetchall()
    assert vintages == [(sha256[:12],)]


def test_every_fact_row_carries_provenance(published_con):
    assert published_con.execute(
        "select count(*) from fct_area_year_metrics "
        "where provenance is null or source_id is null or vintage is null"
    ).fetchone() == (0,)
