"""dim_metrics and dim_missions: complete, and polarity right for every headline metric."""

import pytest

EXPECTED_POLARITY = {
    "gva_per_hour": "high_is_good", "gva_per_filled_job": "high_is_good", "median_weekly_pay": "high_is_good",
    "employment_rate": "high_is_good", "berd": "high_is_good", "public_rd": "high_is_good",
    "public_transport_trip_share": "high_is_good", "public_transport_connectivity": "high_is_good",
    "gigabit_coverage": "high_is_good", "coverage_4g": "high_is_good", "coverage_5g": "high_is_good",
    "ks2_rwm_expected": "high_is_good", "ks2_rwm_expected_eia": "high_is_good",
    "fe_skills_achievements_rate": "high_is_good", "hle_birth": "high_is_good",
    "life_satisfaction_mean": "high_is_good", "worthwhile_mean": "high_is_good", "happiness_mean": "high_is_good",
    "anxiety_mean": "low_is_good", "culture_heritage_engagement": "high_is_good",
    "asb_experienced_or_witnessed": "low_is_good", "area_attractive": "high_is_good",
    "social_fabric_relationships": "high_is_good", "ftb_mortgage_sales_rate": "high_is_good",
    "non_decent_rented_homes": "low_is_good", "homicide_rate": "low_is_good",
    "knife_offences_rate": "low_is_good", "neighbourhood_crime_rate": "low_is_good",
    "devolution_coverage": "high_is_good",
}  # fmt: skip


def test_twelve_missions(published_con):
    rows = published_con.execute("select mission_number from dim_missions order by 1").fetchall()
    assert [row[0] for row in rows] == list(range(1, 13))


def test_headline_metrics_have_the_right_polarity(published_con):
    actual = dict(
        published_con.execute("select metric_id, polarity from dim_metrics where is_headline").fetchall()
    )
    assert actual == EXPECTED_POLARITY


@pytest.mark.parametrize(
    ("metric_id", "polarity"),
    [("travel_time_to_employment_centre", "low_is_good"), ("claimant_count_rate", "low_is_good"),
     ("housing_affordability_ratio", "low_is_good"), ("premises_below_30mbps", "low_is_good")],
)  # fmt: skip
def test_supporting_metrics_where_lower_is_better(published_con, metric_id, polarity):
    assert published_con.execute(
        "select polarity from dim_metrics where metric_id = ?", [metric_id]
    ).fetchone() == (polarity,)


def test_every_mission_has_a_headline_metric_with_data(published_con):
    rows = published_con.execute(
        """select d.mission_number, count(distinct f.metric_id), max(f.period_end)
           from dim_missions d
           join dim_metrics m on m.mission_id = d.mission_id and m.is_headline
           join fct_area_year_metrics f on f.metric_id = m.metric_id
           group by 1 order by 1"""
    ).fetchall()
    assert [row[0] for row in rows] == list(range(1, 13))
    assert all(count >= 1 and latest is not None for _, count, latest in rows)


def test_the_metric_seed_and_the_source_catalogue_agree_on_each_metrics_source():
    """metrics.csv names a source per metric; the catalogue maps each source's indicators to metrics.
    Two places, so they must agree: every metric a catalogue source maps is in the seed and names
    that source (or one of them), and every source the seed names is in the catalogue (a derived
    metric names the source it is computed from)."""
    import csv

    from orchestration.ingest.sources.catalogue import METRICS_SEED, load_catalogue

    catalogue = load_catalogue()
    mapped: dict[str, set[str]] = {}
    for source in catalogue:
        for metric_id in source.metric_ids:  # mapped from an indicator, or computed by dbt from its rows
            mapped.setdefault(metric_id, set()).add(source.id)
    with METRICS_SEED.open(encoding="utf-8") as handle:
        seed = {row["metric_id"]: row["source_id"] for row in csv.DictReader(handle)}
    assert sorted(set(mapped) - set(seed)) == []
    disagreeing = {
        metric: (seed[metric], sorted(sources))
        for metric, sources in mapped.items()
        if seed[metric] not in sources
    }
    assert disagreeing == {}
    named = {source for source in seed.values() if source}
    assert sorted(named - {source.id for source in catalogue}) == []
