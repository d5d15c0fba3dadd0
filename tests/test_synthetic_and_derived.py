"""Synthetic samples can never pass for official statistics; derived and Ipsos figures check out."""

import csv

import pandas as pd
import pytest

from orchestration.sources.catalogue import load_catalogue
from orchestration.sources.synthetic import generate_sample

SYNTHETIC = [source for source in load_catalogue() if source.publisher == "synthetic"]


def test_every_synthetic_source_is_catalogued_as_synthetic():
    assert len(SYNTHETIC) == 4  # transport share and connectivity, social fabric, rented homes
    assert all(source.provenance == "synthetic" for source in SYNTHETIC)
    assert all(
        source.description.startswith("SYNTHETIC SAMPLE, NOT OFFICIAL STATISTICS") for source in SYNTHETIC
    )
    assert all(
        source.provenance != "synthetic" for source in load_catalogue() if source.publisher != "synthetic"
    )


def test_synthetic_rows_are_marked_on_every_row(published_con):
    ids = [source.id for source in SYNTHETIC]
    rows = published_con.execute(
        "select provenance, count(*), count(*) filter (where note like 'SYNTHETIC SAMPLE, not official statistics%') "
        "from fct_area_year_metrics where source_id in (select unnest(?)) group by 1",
        [ids],
    ).fetchall()
    ((provenance, total, noted),) = rows
    assert provenance == "synthetic" and total == noted > 0
    assert published_con.execute(
        "select count(*) from fct_area_year_metrics where provenance <> 'synthetic' and note like '%SYNTHETIC%'"
    ).fetchone() == (0,)


def test_synthetic_metrics_are_listed_as_synthetic_in_the_gaps_register(published_con):
    statuses = dict(published_con.execute("select metric_id, data_status from mission_data_gaps").fetchall())
    for source in SYNTHETIC:
        for mapping in source.metrics:
            assert statuses[mapping.metric_id] == "synthetic"
    assert statuses["hle_birth"] == "real"
    assert statuses["area_attractive"] == "missing"


@pytest.mark.parametrize("source", SYNTHETIC, ids=lambda source: source.id)
def test_a_spec_always_generates_the_same_sample(source, bundled_dir):
    first, _ = generate_sample(bundled_dir / source.bundled_path)
    second, _ = generate_sample(bundled_dir / source.bundled_path)
    pd.testing.assert_frame_equal(first, second)


def test_devolution_coverage_equals_an_independent_pandas_computation(published_con, bundled_dir):
    population = pd.read_csv(bundled_dir / "ons_population/mid_year_population_utla_2001_2024.csv")
    population = population[population.age_band == "All ages"][["region_code", "2024"]]
    chain = pd.read_csv(bundled_dir / "ons_geography/la_all_codes.csv", encoding="utf-8-sig")
    active = dict(zip(chain.LADCD, chain.LADCD_ACTIVE, strict=True))
    population["code"] = population.region_code.map(lambda code: active.get(code, code))
    lookup = pd.read_csv(bundled_dir / "ons_geography/lad25_to_cauth25_may_2025.csv", encoding="utf-8-sig")
    current = chain[(chain.Current) & chain.LADCD.str.startswith("E")]
    lad_ca = dict(zip(lookup.LAD25CD, lookup.CAUTH25CD, strict=True))
    utla_ca = {utla: lad_ca.get(lad) for lad, utla in zip(current.LADCD, current.UTLACD, strict=True)}
    level4 = {"E47000001", "E47000007", "E47000002", "E47000003", "E47000004", "E47000014"}
    england = population[population.code.isin(set(current.UTLACD))]
    in_level4 = england[england.code.map(lambda utla: utla_ca.get(utla) in level4)]
    london = england[england.code.str.startswith("E09")]
    expected_level4 = 100 * in_level4["2024"].sum() / england["2024"].sum()
    expected_london = 100 * london["2024"].sum() / england["2024"].sum()
    rows = dict(
        published_con.execute(
            "select breakdown, value from fct_area_year_metrics where metric_id = 'devolution_coverage' "
            "and area_code = 'E92000001'"
        ).fetchall()
    )
    assert rows["level=4"] == pytest.approx(expected_level4, abs=0.005)
    assert rows["level=gla"] == pytest.approx(expected_london, abs=0.005)
    assert sum(rows.values()) == pytest.approx(100, abs=0.03)
    assert published_con.execute(
        "select distinct provenance from fct_area_year_metrics where metric_id = 'devolution_coverage'"
    ).fetchall() == [("derived",)]


def test_ipsos_index_equals_the_files(published_con, bundled_dir):
    expected = {}
    for name in ("ipsos_levelling_up_index_2022_by_supergroup", "ipsos_levelling_up_index_2022_quoted"):
        with open(bundled_dir / "ipsos" / f"{name}.csv", encoding="utf-8-sig", newline="") as handle:
            for record in csv.DictReader(handle):
                key = (f"M{int(record['mission_no']):02d}", record["group_type"], record["group_name"])
                expected[key] = float(record["index_score"])
    actual = {
        (mission, group_type, group_name): score
        for mission, group_type, group_name, score in published_con.execute(
            "select mission_id, group_type, group_name, index_score from fct_ipsos_levelling_up_index"
        ).fetchall()
    }
    assert actual == expected
    assert actual[("M12", "all", "All UK")] == -46.0
