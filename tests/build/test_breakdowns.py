"""Area types, breakdowns, the slope index of inequality and perception beside measurement, each
recomputed here from the published facts and the bundled lookups (pandas/numpy, not the marts' SQL).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from orchestration.settings import DBT_PROJECT_DIR

SEEDS = DBT_PROJECT_DIR / "seeds"
BUNDLED = Path(__file__).resolve().parents[2] / "data" / "bundled"


def fingertips_sii(values: list[float], populations: list[float]) -> float:
    """PHE's phe_sii without its simulation: deciles ordered most deprived first, x = midpoint of the
    cumulative population share, weighted least squares of value on x with weights = shares."""
    share = np.asarray(populations, dtype=float) / np.sum(populations)
    x = np.cumsum(share) - share / 2
    slope, _ = np.polyfit(x, np.asarray(values, dtype=float), 1, w=np.sqrt(share))
    return float(slope)


def test_the_sii_helper_itself_on_a_hand_worked_case():
    # equal deciles, 20 then 30: 1.25 / 0.0825 (worked in the dbt unit test's description)
    assert fingertips_sii([20] * 5 + [30] * 5, [1] * 10) == pytest.approx(1.25 / 0.0825)
    # a straight line through unequal populations is recovered exactly
    populations = [5, 1, 3, 2, 8, 1, 1, 4, 2, 3]
    share = np.array(populations) / sum(populations)
    x = np.cumsum(share) - share / 2
    assert fingertips_sii(list(50 + 12 * x), populations) == pytest.approx(12)


def test_the_education_investment_areas_grouping_is_the_official_list(published_con):
    source = pd.read_csv(SEEDS / "education_investment_areas.csv")
    assert len(source[source.list == "EIA"]) == 55 and len(source[source.list == "PEIA"]) == 25
    members = {
        code
        for (code,) in published_con.execute(
            "select area_code from dim_area_groupings where grouping_id = 'education_investment_areas'"
        ).fetchall()
    }
    assert members == set(source[source.list == "EIA"].area_code)
    priority = {
        code
        for (code,) in published_con.execute(
            "select area_code from dim_area_groupings where grouping_id = 'priority_education_investment_areas'"
        ).fetchall()
    }
    # district PEIAs keep the district codes they were named by, where the district still exists; the two
    # merged since (Scarborough, West Somerset) are carried to today's unitary as part of it, flagged
    peia = source[source.list == "PEIA"]
    retired = {"E07000168": "E06000065", "E07000191": "E06000066"}
    assert priority == {retired.get(code, code) for code in peia.matched_code}
    parts = dict(
        published_con.execute(
            "select area_code, membership from dim_area_groupings "
            "where grouping_id = 'priority_education_investment_areas' and membership <> 'whole area'"
        ).fetchall()
    )
    assert parts == {"E06000065": "part of the area", "E06000066": "part of the area"}


def test_ks2_in_the_eias_is_the_mean_of_the_55_published_figures(published_con):
    eias = tuple(pd.read_csv(SEEDS / "education_investment_areas.csv").query("list == 'EIA'").area_code)
    ks2 = published_con.execute(
        "select period, area_code, value from fct_area_year_metrics where metric_id = 'ks2_rwm_expected' "
        f"and breakdown = 'all' and area_code in {eias}"
    ).df()
    complete = ks2.groupby("period").filter(lambda g: g.value.notna().sum() == 55)
    expected = complete.groupby("period").value.mean()
    got = published_con.execute(
        "select period, value, provenance, area_code from fct_area_year_metrics where metric_id = 'ks2_rwm_expected_eia'"
    ).df()
    assert len(got) == len(expected) >= 4
    assert set(got.provenance) == {"derived"} and set(got.area_code) == {"E92000001"}
    for row in got.itertuples():
        assert row.value == pytest.approx(expected[row.period])
    status = published_con.execute(
        "select data_status from mission_data_gaps where metric_id = 'ks2_rwm_expected_eia'"
    ).fetchone()
    assert status == ("real",)


def test_area_types_are_carried_to_current_codes_and_a_mixed_merger_is_flagged(published_con):
    types = (
        published_con.execute("select * from intermediate.int_area_types_carried").df().set_index("area_code")
    )
    classification = pd.read_csv(SEEDS / "la_area_classification_2011.csv")
    ruc = pd.read_csv(SEEDS / "rural_urban_classification_2011.csv")
    # an unchanged authority as published
    assert (
        types.loc["E06000009", "supergroup_2011"]
        == classification.set_index("area_codes_2015").loc["E06000009", "supergroup_name"]
    )
    assert (
        types.loc["E06000009", "broad_ruc11"]
        == ruc.set_index("lad18_code").loc["E06000009", "broad_ruc11"].strip()
    )
    # a combined row gives both members the class
    combined = classification.set_index("area_codes_2015").loc["E09000001/E09000033", "supergroup_name"]
    assert types.loc["E09000001", "supergroup_2011"] == types.loc["E09000033", "supergroup_2011"] == combined
    # North Yorkshire (2023, seven districts): the districts' supergroups differ, so it is not classified
    parts = ["E07000163", "E07000164", "E07000165", "E07000166", "E07000167", "E07000168", "E07000169"]
    assert classification.set_index("area_codes_2015").loc[parts, "supergroup_name"].nunique() > 1
    assert pd.isna(types.loc["E06000065", "supergroup_2011"])
    assert types.loc["E06000065", "area_class_basis"].startswith("mixed: parts E07000163+")
    # its population is the parts' 2011 populations summed
    assert (
        types.loc["E06000065", "population_2011"]
        == ruc.set_index("lad18_code").loc[parts, "total_population"].sum()
    )
    # Wales has a supergroup but no rural-urban class (England only)
    assert types.loc["W06000015", "rural_urban_basis"] == "not classified (England only)"


def test_breakdown_values_are_2011_population_weighted_means_of_the_authorities(published_con):
    types = published_con.execute("select * from intermediate.int_area_types_carried").df()
    facts = published_con.execute(
        "select area_code, value from fct_area_year_metrics where metric_id = 'gigabit_coverage' "
        "and breakdown = 'all' and value is not null"
    ).df()
    joined = facts.merge(types[types.area_code.str.startswith("E")], on="area_code")
    for family, column in [("imd_decile_2025", "imd_decile_2025"), ("rural_urban_2011", "broad_ruc11")]:
        rows = published_con.execute(
            "select breakdown_group, value, areas, england_value, gap_to_england from metric_breakdowns "
            f"where metric_id = 'gigabit_coverage' and breakdown_family = '{family}'"
        ).df()
        for row in rows.itertuples():
            members = joined[
                joined[column].astype(str).str.replace(".0", "", regex=False) == row.breakdown_group
            ]
            expected = np.average(members.value, weights=members.population_2011)
            assert row.areas == len(members)
            assert row.value == pytest.approx(expected)
            assert row.gap_to_england == pytest.approx(expected - row.england_value)


def _authorities(con, metric_id: str, period: str, edition: int, breakdown: str = "all") -> pd.DataFrame:
    """The authorities behind an SII, read from the published facts and the area types: value, standard
    error from the published 95% interval, 2011 population and IMD decile of the edition."""
    types = con.execute("select * from intermediate.int_area_types_carried").df()
    facts = con.execute(
        "select area_code, value, lci_95, uci_95 from fct_area_year_metrics where metric_id = ? "
        "and breakdown = ? and period = ? and value is not null and provenance <> 'synthetic'",
        [metric_id, breakdown, period],
    ).df()
    joined = facts.merge(types[types.area_code.str.startswith("E")], on="area_code")
    joined = joined[joined[f"imd_decile_{edition}"].notna() & joined.population_2011.notna()].copy()
    joined["decile"] = joined[f"imd_decile_{edition}"].astype(int)
    joined["se"] = (joined.uci_95 - joined.lci_95) / (2 * 1.959964)
    return joined


def _slope(frame: pd.DataFrame) -> float:
    """The Fingertips SII of authority rows: decile values are 2011-population-weighted means."""
    frame = frame.assign(weighted=frame.value * frame.population_2011)
    deciles = frame.groupby("decile")[["weighted", "population_2011"]].sum()
    return fingertips_sii(list(deciles.weighted / deciles.population_2011), list(deciles.population_2011))


def _sii_with_variance(authorities: pd.DataFrame) -> tuple[float, float]:
    """The SII from authority rows, and its variance propagated from their standard errors: the SII is
    linear in the values, so its derivative in each value is found by bumping that value by one
    (numpy's weighted fit each time, not the marts' closed form), times its standard error, squared."""
    base = _slope(authorities)
    variance = 0.0
    for index in authorities.index:
        bumped = authorities.copy()
        bumped.loc[index, "value"] += 1.0
        variance += ((_slope(bumped) - base) * authorities.loc[index, "se"]) ** 2
    return base, variance


def test_sii_and_its_interval_equal_an_independent_computation(published_con):
    authorities = _authorities(published_con, "life_satisfaction_mean", "2022-23", 2025)
    assert authorities.se.notna().all() and authorities.decile.nunique() == 10
    expected, variance = _sii_with_variance(authorities)
    deciles = published_con.execute(
        "select value, population_2011 from metric_breakdowns where metric_id = 'life_satisfaction_mean' "
        "and breakdown = 'all' and period = '2022-23' and breakdown_family = 'imd_decile_2025' order by group_order"
    ).df()
    assert fingertips_sii(list(deciles.value), list(deciles.population_2011)) == pytest.approx(expected)
    row = published_con.execute(
        "select sii, rii, sii_lci_95, sii_uci_95, gradient, favours, is_latest, is_decided_by_few "
        "from metric_inequality_slopes where metric_id = 'life_satisfaction_mean' and breakdown = 'all' "
        "and period = '2022-23' and imd_edition = 2025"
    ).fetchone()
    assert row[0] == pytest.approx(expected, abs=1e-8)
    assert row[1] == pytest.approx(
        expected / np.average(deciles.value, weights=deciles.population_2011), abs=1e-8
    )
    half = 1.959964 * variance**0.5
    assert row[2] == pytest.approx(expected - half, abs=1e-8) and row[3] == pytest.approx(
        expected + half, abs=1e-8
    )
    assert row[4] == ("significant gradient" if row[2] > 0 or row[3] < 0 else "no significant gradient")
    assert row[5] == ("least deprived" if expected > 0 else "most deprived") and row[6] and not row[7]


def test_an_sii_one_authority_decides_is_not_published_and_names_it(published_con):
    """Neighbourhood crime in the year ending June 2025 on 2019 deciles: Westminster alone reverses or
    halves the SII, so it is withheld; on 2025 deciles it stands. Recomputed here by dropping each
    authority in turn."""
    for edition, withheld in ((2019, True), (2025, False)):
        authorities = _authorities(published_con, "neighbourhood_crime_rate", "year ending Jun 2025", edition)
        full = _slope(authorities)
        shifts = {}
        for code in authorities.area_code:
            rest = authorities[authorities.area_code != code]
            if rest.decile.nunique() == 10:
                shifts[code] = _slope(rest)
        top = max(shifts, key=lambda c: abs(shifts[c] - full))
        row = published_con.execute(
            "select sii, gradient, most_influential_area_code, sii_without_most_influential, is_decided_by_few "
            "from metric_inequality_slopes where metric_id = 'neighbourhood_crime_rate' and period = 'year ending Jun 2025' "
            "and imd_edition = ?",
            [edition],
        ).fetchone()
        assert row[2] == top == "E09000033"  # Westminster
        assert row[3] == pytest.approx(shifts[top], abs=1e-8)
        decided = np.sign(shifts[top]) != np.sign(full) or abs(shifts[top] - full) > abs(full) / 2
        assert row[4] == decided == withheld
        if withheld:
            assert row[0] is None and row[1].startswith("not published: one or two authorities decide it")
        else:
            assert row[0] == pytest.approx(full, abs=1e-8)
    westminster = _authorities(published_con, "neighbourhood_crime_rate", "year ending Jun 2025", 2019)
    assert round(_slope(westminster), 2) == -2.23


def test_sii_change_is_measured_on_2019_deciles_at_both_ends_with_todays_2025_gradient_apart(published_con):
    rows = published_con.execute(
        "select period, imd_edition, sii, sii_lci_95, sii_uci_95, baseline_period, baseline_rule, baseline_sii, "
        "latest_period, latest_sii, sii_change, latest_sii_imd2025, gradient_change, change_significance "
        "from metric_inequality_slopes where metric_id = 'hle_birth' and breakdown = 'sex=female'"
    ).df()
    first = rows.iloc[0]
    assert (first.baseline_period, first.baseline_rule) == ("2017-2019", "statement")
    on_2019 = rows[rows.imd_edition == 2019].set_index("period")
    base, last = on_2019.loc[first.baseline_period], on_2019.loc[first.latest_period]
    today = rows[(rows.period == first.latest_period) & (rows.imd_edition == 2025)].sii.item()
    assert first.baseline_sii == base.sii and first.latest_sii == last.sii
    assert first.latest_sii_imd2025 == today
    assert first.sii_change == pytest.approx(last.sii - base.sii)
    # z on the two intervals (both ends carry one)
    se = [(r.sii_uci_95 - r.sii_lci_95) / (2 * 1.959964) for r in (base, last)]
    z = (last.sii - base.sii) / (se[0] ** 2 + se[1] ** 2) ** 0.5
    assert first.change_significance.startswith(f"z = {round(z, 2)}")
    if abs(z) <= 1.959964:
        assert first.gradient_change == "no significant change"
    else:
        assert first.gradient_change == ("steeper" if abs(last.sii) > abs(base.sii) else "shallower")

    # without intervals (KS2) the change says what moved and that it is not tested; the baseline is
    # the catalogue's chosen one, not the Statement's
    ks2 = published_con.execute(
        "select baseline_period, baseline_rule, baseline_sii, latest_sii, gradient_change, change_significance "
        "from metric_inequality_slopes where metric_id = 'ks2_rwm_expected' limit 1"
    ).fetchone()
    assert ks2[:2] == ("2018-19", "chosen")
    assert ks2[4] == ("shallower, not tested" if abs(ks2[3]) < abs(ks2[2]) else "steeper, not tested")
    assert ks2[5] == "not tested: no interval"
    # a series with one period has no change at all (not a change of zero)
    single = published_con.execute(
        "select count(*), count(sii_change), count(gradient_change) from metric_inequality_slopes "
        "where baseline_period = latest_period"
    ).fetchone()
    assert single[0] > 0 and single[1] == 0 and single[2] == 0


@pytest.mark.parametrize("metric_id", ["median_weekly_pay", "gva_per_hour"])
def test_money_gradients_are_judged_on_the_relative_index(published_con, metric_id):
    """Nominal pounds inflate the SII: the change is read on the RII (SII / mean), from the slope rows."""
    rows = published_con.execute(
        "select breakdown, period, period_end, imd_edition, sii, mean_value, baseline_period, latest_period, "
        "baseline_rii, latest_rii, gradient_judged_on, gradient_change from metric_inequality_slopes "
        "where metric_id = ?",
        [metric_id],
    ).df()
    assert not rows.empty and set(rows.gradient_judged_on) == {"rii"}
    for breakdown, group in rows.groupby("breakdown"):
        first = group.iloc[0]
        on_2019 = group[group.imd_edition == 2019].set_index("period")
        base = on_2019.loc[first.baseline_period]
        last = on_2019.loc[first.latest_period]
        base_rii, last_rii = base.sii / base.mean_value, last.sii / last.mean_value
        assert first.baseline_rii == pytest.approx(base_rii) and first.latest_rii == pytest.approx(last_rii)
        if first.baseline_period == first.latest_period:
            continue
        assert pd.Timestamp(on_2019.loc[first.baseline_period].period_end) <= pd.Timestamp("2019-12-31")
        if abs(last_rii) == pytest.approx(abs(base_rii), abs=1e-9):
            expected = {"unchanged"}
        elif abs(last_rii) > abs(base_rii):
            expected = {"steeper, not tested", "steeper", "no significant change"}
        else:
            expected = {"shallower, not tested", "shallower", "no significant change"}
        assert first.gradient_change in expected, (breakdown, base_rii, last_rii)


def test_neighbourhood_crime_most_vs_least_deprived_and_perception(published_con):
    """The question the issue asks, answered in SQL: neighbourhood crime in the most vs least
    deprived decile of authorities, and how perception compares."""
    crime = published_con.execute(
        "select breakdown_group, value, areas from metric_breakdowns where metric_id = 'neighbourhood_crime_rate' "
        "and breakdown_family = 'imd_decile_2025' and breakdown_group in ('1', '10') and is_latest_period "
        "order by group_order"
    ).fetchall()
    assert [group for group, _, _ in crime] == ["1", "10"]
    assert crime[0][1] > crime[1][1]  # more crime where deprivation is highest
    perception = published_con.execute(
        "select ipsos_group_name, index_score, metric_value, perception_rank, measured_rank, agreement "
        "from mission_perception_comparison where metric_id = 'neighbourhood_crime_rate' "
        "and breakdown_family = 'urban_rural_2011' order by ipsos_group_name"
    ).df()
    ipsos = pd.read_csv(BUNDLED / "ipsos" / "ipsos_levelling_up_index_2022_quoted.csv")
    quoted = (
        ipsos[(ipsos.group_type == "urban_rural") & (ipsos.mission_no == 11)]
        .set_index("group_name")
        .index_score
    )
    assert dict(zip(perception.ipsos_group_name, perception.index_score, strict=True)) == quoted.to_dict()
    # ranks: a higher index is a more positive perception; a lower crime rate is better
    by_index = perception.sort_values("index_score", ascending=False).ipsos_group_name.tolist()
    by_crime = perception.sort_values("metric_value").ipsos_group_name.tolist()
    assert perception.set_index("ipsos_group_name").loc[by_index, "perception_rank"].tolist() == [1, 2]
    assert perception.set_index("ipsos_group_name").loc[by_crime, "measured_rank"].tolist() == [1, 2]
    # two groups cannot make a significant rank correlation: no claim either way
    assert set(perception.agreement) == {"too few groups to test"}


def test_perception_agrees_only_at_the_critical_value_for_its_number_of_groups(published_con):
    """Spearman's rho recomputed here from the two figures per group (scipy), against the two-tailed 5%
    critical value for the number of groups (Zar 1972): 0.738 for the eight supergroups."""
    from scipy.stats import spearmanr

    rows = published_con.execute(
        "select mission_id, metric_id, metric_breakdown, breakdown_family, index_score, metric_value, polarity, "
        "groups_compared, agreement, critical_value, mismatch_note, metric_period "
        "from mission_perception_comparison"
    ).df()
    critical = {5: 1.0, 6: 0.886, 7: 0.786, 8: 0.738, 9: 0.700, 10: 0.648}
    seen = set()
    for _key, group in rows.groupby(["mission_id", "metric_id", "metric_breakdown", "breakdown_family"]):
        k = len(group)
        assert (group.groups_compared == k).all() and group.agreement.nunique() == 1
        agreement = group.agreement.iloc[0]
        if k < 5:
            assert (
                agreement in ("too few groups to test", "one group only")
                and group.critical_value.isna().all()
            )
            continue
        measured = group.metric_value * (-1 if group.polarity.iloc[0] == "low_is_good" else 1)
        rho = spearmanr(group.index_score, measured).statistic
        assert group.critical_value.iloc[0] == pytest.approx(critical[k])
        expected = (
            "agree"
            if rho >= critical[k]
            else "disagree"
            if rho <= -critical[k]
            else "no significant agreement"
        )
        assert agreement == expected, (_key, rho)
        seen.add(agreement)
    assert {"agree", "no significant agreement"} <= seen
    assert rows.mismatch_note.notna().all()
    assert rows.apply(lambda r: f"measured in {r.metric_period}" in r.mismatch_note, axis=1).all()


def test_ipsos_deprivation_groups_are_set_beside_fifths_of_equal_population(published_con):
    """Each IMD 2019 fifth of English authorities holds about a fifth of their 2011 population (within one
    authority's size at each cut), unlike fifths of the deciles, which count authorities."""
    types = published_con.execute(
        "select area_code, population_2011, imd_decile_2019, imd_population_quintile_2019 "
        "from intermediate.int_area_types_carried where area_code like 'E%' and imd_population_quintile_2019 is not null"
    ).df()
    total = types.population_2011.sum()
    largest = types.population_2011.max()
    shares = types.groupby("imd_population_quintile_2019").population_2011.sum()
    assert list(shares.index) == [1, 2, 3, 4, 5]
    assert ((shares - total / 5).abs() <= largest).all()
    # ordered by deprivation: no authority in a lower fifth is less deprived than one in a higher fifth
    bounds = types.groupby("imd_population_quintile_2019").imd_decile_2019.agg(["min", "max"])
    assert (bounds["max"].values[:-1] <= bounds["min"].values[1:]).all()
    assert set(
        published_con.execute(
            "select distinct breakdown_family from mission_perception_comparison"
        ).fetchall()
    ) <= {("imd_population_quintile_2019",), ("urban_rural_2011",), ("area_supergroup_2011",)}


def test_mission_11_headlines_are_real_and_no_series_is_synthetic(published_con):
    m11 = published_con.execute(
        "select metric_id, data_status, provenances from mission_data_gaps where mission_id = 'M11' and is_headline"
    ).fetchall()
    assert {metric for metric, _, _ in m11} == {
        "homicide_rate",
        "knife_offences_rate",
        "neighbourhood_crime_rate",
    }
    assert all(status == "real" for _, status, _ in m11)
    assert published_con.execute(
        "select count(*) from mission_data_gaps where data_status in ('synthetic', 'mixed')"
    ).fetchone() == (0,)
    assert published_con.execute(
        "select count(*) from metric_breakdowns where provenances like '%synthetic%'"
    ).fetchone() == (0,)
    summary = published_con.execute(
        "select data_coverage from mission_summary where mission_id = 'M11'"
    ).fetchone()
    assert summary == ("3 real, 0 synthetic, 0 missing",)
