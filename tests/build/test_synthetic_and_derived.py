"""Synthetic samples can never pass for official statistics; derived and Ipsos figures check out."""

import csv

import pandas as pd
import pytest

from orchestration.ingest.sources.catalogue import load_catalogue
from orchestration.ingest.sources.synthetic import generate_sample

#: The headline metrics with no real source here, and who would publish the series that fills each.
MISSING_HEADLINES = {
    "public_transport_connectivity": "Department for Transport",
    "area_attractive": "Department for Culture, Media and Sport",
    "social_fabric_relationships": "Onward (a think tank; not official statistics)",
    "non_decent_rented_homes": "Ministry of Housing, Communities and Local Government",
}


def test_the_catalogue_names_no_synthetic_source():
    assert [source.id for source in load_catalogue() if source.provenance == "synthetic"] == []


def test_no_published_row_is_synthetic(published_con):
    """Every table and view of the published file with a provenance column holds no synthetic row,
    and no note calls a published figure a sample."""
    columns = published_con.execute(
        "select table_schema, table_name, column_name from information_schema.columns "
        "where column_name in ('provenance', 'provenances')"
    ).fetchall()
    assert len(columns) >= 5  # the fact mart, the scorecards, the gaps register...
    for schema, table, column in columns:
        (synthetic,) = published_con.execute(
            f'select count(*) from "{schema}"."{table}" where "{column}" like \'%synthetic%\''
        ).fetchone()
        assert synthetic == 0, f"{schema}.{table}.{column}"
    assert published_con.execute(
        "select count(*) from fct_area_year_metrics where note ilike '%synthetic%'"
    ).fetchone() == (0,)


def test_each_missing_headline_names_its_official_series_publisher_geography_and_what_it_takes(published_con):
    rows = published_con.execute(
        "select metric_id, data_status, publisher, official_series, geography, what_adding_it_takes "
        "from mission_data_gaps where is_headline and data_status <> 'real' order by 1"
    ).fetchall()
    assert {row[0]: row[2] for row in rows} == MISSING_HEADLINES
    for metric_id, status, _, series, geography, takes in rows:
        assert status == "missing" and series and geography and len(takes) > 40, metric_id
    (facts,) = published_con.execute(
        "select count(*) from fct_area_year_metrics where metric_id in (select unnest(?))",
        [list(MISSING_HEADLINES)],
    ).fetchone()
    assert facts == 0


def test_the_generator_stays_for_tests_and_gives_the_same_sample_for_the_same_spec(tmp_path):
    (tmp_path / "areas.csv").write_text("areacd,areanm\nE12000001,North East\nE12000007,London\n")
    spec = tmp_path / "spec.yml"
    spec.write_text(
        "seed: 7\nindicator: Thing\nunit: '%'\nimitates: a table\n"
        "areas: {from: areas.csv, prefixes: [E12]}\n"
        "periods: {template: '{year}-01-01/P1Y', first_year: 2020, last_year: 2021}\n"
        "value: {mean: 50, area_sd: 5, noise_sd: 1, min: 0, max: 100, decimals: 1}\n"
    )
    first, _ = generate_sample(spec)
    second, _ = generate_sample(spec)
    pd.testing.assert_frame_equal(first, second)
    assert (first.notes.str.startswith("SYNTHETIC SAMPLE")).all()


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
    aim = rows.pop("level=3_or_4")  # the Statement's aim: levels 3 and 4 together, not a sixth category
    assert aim == pytest.approx(rows["level=3"] + rows["level=4"], abs=0.011)
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
