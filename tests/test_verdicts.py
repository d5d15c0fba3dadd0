"""Verdicts a statistician would sign, checked on the real warehouse against independent computations:
no verdict from synthetic data, the stated baselines, significance where CIs exist, money judged
relative to the UK, polarity per breakdown, ties sharing a quintile."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from scipy import stats

Z95 = stats.norm.ppf(0.975)


def _facts(con, metric_id: str) -> pd.DataFrame:
    return con.execute(
        "select area_code, breakdown, period, value, lci_95, uci_95 from fct_area_year_metrics "
        "where metric_id = ? and value is not null",
        [metric_id],
    ).df()


def test_health_stays_worsening_and_significant(published_con):
    summary = published_con.execute(
        "select headline_status, confidence, headline_basis from mission_summary where mission_id = 'M07'"
    ).fetchone()
    assert summary[0] == "worsening" and summary[1] == "robust"
    facts = _facts(published_con, "hle_birth").set_index(["area_code", "breakdown", "period"])
    card = published_con.execute(
        "select breakdown, baseline_period, latest_period, change_z, verdict, change_significance "
        "from mission_scorecard where metric_id = 'hle_birth' and area_code = 'K02000001'"
    ).df()
    assert set(card["breakdown"]) == {"sex=female", "sex=male"}
    for row in card.itertuples():
        assert row.baseline_period == "2017-2019"  # the Statement's baseline
        base = facts.loc[("K02000001", row.breakdown, row.baseline_period)]
        last = facts.loc[("K02000001", row.breakdown, row.latest_period)]
        se = [(p.uci_95 - p.lci_95) / (2 * Z95) for p in (base, last)]
        z = (last.value - base.value) / math.sqrt(se[0] ** 2 + se[1] ** 2)
        assert row.change_z == pytest.approx(z, rel=1e-6)
        assert abs(z) > Z95 and z < 0
        assert (row.verdict, row.change_significance) == ("worsening", "significant at 95%")
        assert f"hle_birth ({row.breakdown}): worsening" in summary[2]


@pytest.mark.parametrize("metric_id", ["median_weekly_pay", "gva_per_hour", "gva_per_filled_job"])
def test_living_standards_money_is_judged_relative_to_the_uk(published_con, metric_id):
    facts = _facts(published_con, metric_id)
    # the reference: the UK where published for that period, else GB, E&W, England (independently here)
    order = {"K02000001": 1, "K03000001": 2, "K04000001": 3, "E92000001": 4}
    refs = (
        facts[facts["area_code"].isin(order)]
        .assign(priority=lambda f: f["area_code"].map(order))
        .sort_values("priority")
        .groupby(["breakdown", "period"])
        .first()
    )
    card = published_con.execute(
        "select area_code, breakdown, baseline_period, latest_period, baseline_value, latest_value, "
        "relative_baseline, relative_latest, reference_area_code, verdict, judged_on "
        "from mission_scorecard where metric_id = ? and area_level = 'region'",
        [metric_id],
    ).df()
    assert len(card) >= 9  # the English regions at least
    for row in card.itertuples():
        assert row.judged_on == "ratio_to_reference"
        base_ref = refs.loc[(row.breakdown, row.baseline_period)]
        last_ref = refs.loc[(row.breakdown, row.latest_period)]
        assert row.reference_area_code == last_ref.area_code
        assert row.relative_baseline == pytest.approx(row.baseline_value / base_ref.value, rel=1e-12)
        assert row.relative_latest == pytest.approx(row.latest_value / last_ref.value, rel=1e-12)
        change = row.relative_latest - row.relative_baseline
        if row.baseline_period == row.latest_period:
            assert row.verdict == "no later data"
        elif round(change, 3) == 0:
            assert row.verdict == "no change"
        else:
            assert row.verdict == ("improving" if change > 0 else "worsening"), row
    national = published_con.execute(
        "select verdict from mission_scorecard where metric_id = ? and area_code = ?",
        [metric_id, refs.iloc[-1].area_code],
    ).fetchone()
    assert national[0] in ("not judged: nominal pounds", "no later data")


def test_no_verdict_rests_on_synthetic_data(published_con):
    synthetic = published_con.execute(
        "select verdict, quintile_in_group, rank_in_group, benchmark_value, levelling_down_flag, recent_trend "
        "from mission_scorecard where provenance = 'synthetic'"
    ).df()
    assert len(synthetic) > 100
    assert set(synthetic["verdict"]) == {"no real data"} and set(synthetic["recent_trend"]) == {
        "no real data"
    }
    assert (
        synthetic[["quintile_in_group", "rank_in_group", "benchmark_value", "levelling_down_flag"]]
        .isna()
        .all()
        .all()
    )
    summary = (
        published_con.execute("select * from mission_summary order by mission_number")
        .df()
        .set_index("mission_id")
    )
    assert not summary["headline_basis"].str.contains("provenance=synthetic").any()
    transport = summary.loc["M03"]  # both headline series are synthetic samples
    assert (transport.headline_status, transport.gap_trend, transport.confidence) == (
        "no real data",
        "no real data",
        "no real data",
    )
    assert "public_transport_connectivity" in transport.missing_real_data
    housing = summary.loc["M10"]  # its target's series (non-decent rented homes) is a synthetic sample
    assert housing.target_band == "no real data"
    gaps = published_con.execute(
        "select distinct gap_trend from mission_gaps where provenance like '%synthetic%'"
    ).fetchall()
    assert gaps == [("no real data",)]
    progress = published_con.execute(
        "select distinct progress_band from mission_progress where provenance like '%synthetic%'"
    ).fetchall()
    assert progress in ([("no real data",)], [])


def test_every_status_has_its_basis_and_a_confidence(published_con):
    rows = published_con.execute(
        "select mission_id, headline_status, headline_series, headline_basis, confidence from mission_summary"
    ).fetchall()
    for mission_id, status, series, basis, confidence in rows:
        assert confidence in ("robust", "indicative", "no verdict yet", "no real data"), mission_id
        if status in (
            "improving",
            "worsening",
            "mostly improving",
            "mostly worsening",
            "mixed",
            "no significant change",
        ):
            assert basis.count("baseline=") == series, (mission_id, basis)
            assert "significance=" in basis
    missing = published_con.execute("select count(*) from mission_scorecard where basis is null").fetchone()[
        0
    ]
    assert missing == 0


def test_devolution_none_is_lower_is_better_and_ranks_accordingly(published_con):
    card = published_con.execute(
        "select breakdown, area_code, polarity, latest_value, rank_in_group from mission_scorecard "
        "where metric_id = 'devolution_coverage' and area_level = 'region'"
    ).df()
    none = card[card["breakdown"] == "level=none"]
    assert set(none["polarity"]) == {"low_is_good"}
    assert set(card[card["breakdown"] != "level=none"]["polarity"]) == {"high_is_good"}
    # independently: the region with the largest share with no deal ranks last, the smallest first
    worst = none.loc[none["latest_value"].idxmax()]
    best = none.loc[none["latest_value"].idxmin()]
    assert worst.rank_in_group == 1 + (none["latest_value"] < worst.latest_value).sum()
    assert best.rank_in_group == 1


def test_ties_never_straddle_a_quintile_on_the_real_data(published_con):
    straddling = published_con.execute(
        """
        select metric_id, breakdown, comparison_group, latest_period, latest_value,
               count(distinct quintile_in_group) as quintiles
        from mission_scorecard
        where quintile_in_group is not null
        group by all
        having count(distinct quintile_in_group) > 1
        """
    ).fetchall()
    assert straddling == []


def test_levelling_down_flags_rest_on_a_significant_fall(published_con):
    flagged = published_con.execute(
        "select latest_step_z, latest_annual_improvement, quintile_in_group from mission_scorecard "
        "where levelling_down_flag"
    ).df()
    assert (flagged["latest_step_z"].abs() > Z95).all()
    assert (flagged["latest_annual_improvement"] < 0).all() and (flagged["quintile_in_group"] == 1).all()
    untestable = published_con.execute(
        "select count(*) from mission_scorecard where levelling_down_flag is not null and latest_step_z is null"
    ).fetchone()[0]
    assert untestable == 0
