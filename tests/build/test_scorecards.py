"""Scorecard methods: each statistic on hand-worked fixtures run through the model's own SQL, and the
Statement's gap definitions on the real data against an independent pandas computation."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tests.helpers import run_model_on_fixtures

Z_998 = stats.norm.ppf(0.999)  # two-sided 99.8%
CHI2_998 = stats.chi2.ppf(0.998, 1)
T3_998 = stats.t.ppf(0.999, 3)


def _points(series: dict[str, dict]) -> pd.DataFrame:
    """Fixture rows shaped like int_headline_points_selected (latest point first)."""
    rows = []
    for key, spec in series.items():
        n = len(spec["x"])
        for i in range(n):
            rows.append(
                {
                    "metric_id": spec.get("metric_id", key),
                    "breakdown": "all",
                    "area_code": spec.get("area_code", "E06000001"),
                    "time_years": float(spec["x"][i]),
                    "year": int(2000 + spec["x"][i]),  # the year the period ends
                    # a point in time at x (years since 2000): no two points overlap
                    "period_start": pd.Timestamp("2000-01-01") + pd.Timedelta(days=365.25 * spec["x"][i]),
                    "period_end": pd.Timestamp("2000-01-01") + pd.Timedelta(days=365.25 * spec["x"][i]),
                    "value": float(spec["y"][i]),
                    "lci_95": spec["lci"][i] if "lci" in spec else None,
                    "uci_95": spec["uci"][i] if "uci" in spec else None,
                    "numerator": spec["r"][i] if "r" in spec else None,
                    "denominator": spec["n"][i] if "n" in spec else None,
                    "unit": spec.get("unit", "percent"),
                    "point_from_latest": n - i,
                    "series_points": n,
                    "series_break_year": spec.get("series_break_year"),
                }
            )
    frame = pd.DataFrame(rows)
    for column in ("lci_95", "uci_95", "numerator", "denominator"):
        frame[column] = frame[column].astype("float64")
    frame["series_break_year"] = frame["series_break_year"].astype("Int64")
    return frame


def _trends(series: dict[str, dict]) -> pd.DataFrame:
    result = run_model_on_fixtures(
        "int_headline_trends_computed", {"int_headline_points_selected": _points(series)}
    )
    return result.set_index("metric_id")


# ---------------------------------------------------------------------------------------------- trends


def test_weighted_least_squares_trend_matches_numpy():
    x = np.array([15.0, 16.0, 17.0, 18.0, 19.0])
    y = np.array([62.0, 62.4, 62.5, 63.1, 63.4])
    half_width = np.array([0.8, 0.7, 0.9, 0.6, 0.5])
    trend = _trends(
        {"m": {"x": x, "y": y, "lci": y - half_width, "uci": y + half_width, "unit": "years"}}
    ).loc["m"]

    se = half_width / 1.959964
    # numpy's w multiplies residuals, so w = 1/se gives weights 1/se^2; 'unscaled' = known variances
    coefficients, covariance = np.polyfit(x, y, 1, w=1 / se, cov="unscaled")
    slope, slope_se = coefficients[0], math.sqrt(covariance[0, 0])
    assert trend.trend_method == "wls"
    assert trend.trend_slope_per_year == pytest.approx(slope, rel=1e-9)
    assert trend.trend_statistic == pytest.approx(slope / slope_se, rel=1e-9)
    assert bool(trend.trend_significant) == (abs(slope / slope_se) > Z_998)


def test_ordinary_least_squares_trend_matches_scipy_and_uses_t_with_three_df():
    x = np.array([10.0, 11.0, 12.0, 13.0, 14.0])
    steady = np.array([5.0, 6.1, 6.9, 8.05, 9.0])  # near-perfect line: significant even at 99.8%
    noisy = np.array([5.0, 7.0, 4.5, 8.0, 6.0])  # rising a little, but noise swamps it
    trends = _trends(
        {"steady": {"x": x, "y": steady, "unit": "rate"}, "noisy": {"x": x, "y": noisy, "unit": "rate"}}
    )
    for name, y in (("steady", steady), ("noisy", noisy)):
        fit = stats.linregress(x, y)
        row = trends.loc[name]
        assert row.trend_method == "ols"
        assert row.trend_slope_per_year == pytest.approx(fit.slope, rel=1e-9)
        assert row.trend_statistic == pytest.approx(fit.slope / fit.stderr, rel=1e-9)
        assert bool(row.trend_significant) == (abs(fit.slope / fit.stderr) > T3_998)
    assert bool(trends.loc["steady"].trend_significant) and not bool(trends.loc["noisy"].trend_significant)


def test_chi_square_for_trend_on_counts_matches_a_hand_computation():
    # Proportions with their counts: 300/1000, 320/1000, 350/1000, 360/1000, 400/1000 at x = 1..5.
    # N = 5000, R = 1730, p = 0.346, x_bar = 3, T = sum r(x - 3) = -600 - 320 + 0 + 360 + 800 = 240,
    # sum n (x - 3)^2 = 1000 * 10 = 10000, X^2 = 240^2 / (0.346 * 0.654 * 10000) = 25.4545...
    r = np.array([300, 320, 350, 360, 400])
    n = np.array([1000, 1000, 1000, 1000, 1000])
    x = np.arange(1, 6, dtype=float)
    trend = _trends({"share": {"x": x, "y": 100 * r / n, "r": r, "n": n}}).loc["share"]
    expected = 240**2 / (0.346 * 0.654 * 10000)
    assert trend.trend_method == "chi_square_trend"
    assert trend.trend_statistic == pytest.approx(expected, rel=1e-9)
    assert expected > CHI2_998 and bool(trend.trend_significant)
    # slope of the proportion (weighted by n) in percentage points a year: 100 * 240 / 10000 = 2.4
    assert trend.trend_slope_per_year == pytest.approx(2.4, rel=1e-9)


def test_chi_square_prefers_counts_over_cis_and_wls_needs_every_ci():
    x = np.arange(1, 6, dtype=float)
    y = np.array([10.0, 11.0, 12.0, 13.0, 14.0])
    trends = _trends(
        {
            "counts_and_cis": {"x": x, "y": y, "r": y, "n": [100.0] * 5, "lci": y - 1, "uci": y + 1},
            "one_ci_missing": {"x": x, "y": y, "lci": [9, 10, None, 12, 13], "uci": [11, 12, None, 14, 15]},
        }
    )
    assert trends.loc["counts_and_cis"].trend_method == "chi_square_trend"
    assert trends.loc["one_ci_missing"].trend_method == "ols"


def test_fewer_than_five_points_get_no_trend():
    x = np.arange(1, 5, dtype=float)
    trend = _trends({"short": {"x": x, "y": [1.0, 2.0, 3.0, 4.0], "unit": "rate"}}).loc["short"]
    assert trend.trend_points == 4
    assert trend.trend_method is None and trend.trend_unavailable_reason == "not enough points"
    assert pd.isna(trend.trend_slope_per_year) and pd.isna(trend.trend_significant)


def test_a_trend_never_crosses_a_series_break():
    """Seven yearly points ending 2016..2022 (time_years = years since 2000 at the period's end) with a
    method change in 2020: only 2020, 2021 and 2022 may count, so no trend, and the row says why; the
    same series without the break gets a trend over its latest five points."""
    x = np.array([16.99, 17.99, 18.99, 19.99, 20.99, 21.99, 22.99])
    y = [9.0, 9.3, 8.6, 9.1, 5.3, 6.2, 7.3]
    trends = _trends(
        {
            "broken": {"x": x, "y": y, "unit": "rate", "series_break_year": 2020},
            "whole": {"x": x, "y": y, "unit": "rate"},
        }
    )
    broken, whole = trends.loc["broken"], trends.loc["whole"]
    assert broken.trend_points == 3 and broken.trend_method is None
    assert broken.trend_unavailable_reason == "not enough points since the series break in 2020"
    assert whole.trend_points == 5 and whole.trend_method == "ols" and pd.isna(whole.trend_unavailable_reason)


def test_only_the_latest_five_points_count():
    # an early collapse (points 1-2) must not enter a trend over the latest five (points 3-7)
    x = np.arange(1, 8, dtype=float)
    y = np.array([100.0, 50.0, 10.0, 11.0, 12.0, 13.0, 14.0])
    trend = _trends({"m": {"x": x, "y": y, "unit": "rate"}}).loc["m"]
    assert trend.trend_slope_per_year == pytest.approx(1.0)
    assert trend.trend_points == 5


# ------------------------------------------------------------------------------------------- scorecard


def _scorecard(series: list[dict]) -> pd.DataFrame:
    """mission_scorecard's SQL over fixture series: each dict names metric, polarity, area, values."""
    rows = []
    for spec in series:
        n = len(spec["values"])
        for i, value in enumerate(spec["values"]):
            year = spec.get("start_year", 2015) + i
            rows.append(
                {
                    "mission_id": "M99",
                    "metric_id": spec["metric_id"],
                    "breakdown": "all",
                    "area_code": spec["area_code"],
                    "area_name": spec["area_code"],
                    "area_level": spec.get("area_level", "district"),
                    "comparison_group": spec.get("group", "lower_tier"),
                    "period": str(year),
                    "year": year,
                    "period_start": pd.Timestamp(year, 1, 1),
                    "period_end": pd.Timestamp(year, 12, 31),
                    "time_years": year - 2000 + 1.0,
                    "value": float(value),
                    "lci_95": spec["lci"][i] if "lci" in spec else None,
                    "uci_95": spec["uci"][i] if "uci" in spec else None,
                    "numerator": None,
                    "denominator": None,
                    "provenance": spec.get("provenance", "published"),
                    "source_id": "s",
                    "unit": spec.get("unit", "rate"),
                    "decimals": 1,
                    "polarity": spec["polarity"],
                    "baseline_period": spec.get("baseline_period"),
                    "baseline_rule": spec.get(
                        "baseline_rule", "statement" if spec.get("baseline_period") else "pre_pandemic"
                    ),
                    "judged_on": spec.get("judged_on", "value"),
                    "population": spec["population"][i] if "population" in spec else None,
                    "value_per_head": (
                        1e6 * float(value) / spec["population"][i]
                        if spec.get("judged_on") == "per_head" and spec["population"][i] is not None
                        else None
                    ),
                    "point_from_latest": n - i,
                    "series_points": n,
                    "series_break_year": spec.get("series_break_year"),
                }
            )
    points = pd.DataFrame(rows)
    points["series_break_year"] = points["series_break_year"].astype("Int64")
    for column in ("lci_95", "uci_95", "numerator", "denominator", "value_per_head"):
        points[column] = points[column].astype("float64")
    points["baseline_period"] = points["baseline_period"].astype("object")
    points["decimals"] = points["decimals"].astype("int32")  # integer in the warehouse
    metrics = pd.DataFrame({"metric_id": sorted({s["metric_id"] for s in series})})
    metrics["label"] = metrics["metric_id"]
    metrics["role"] = "headline"
    areas = pd.DataFrame(
        [
            {"area_code": code, "area_name": code, "nation_code": "E92000001"}
            for code in sorted({s["area_code"] for s in series})
        ]
    )
    trends = run_model_on_fixtures("int_headline_trends_computed", {"int_headline_points_selected": points})
    return run_model_on_fixtures(
        "mission_scorecard",
        {
            "int_headline_points_selected": points,
            "dim_metrics": metrics,
            "dim_areas": areas,
            "int_headline_trends_computed": trends,
        },
    ).set_index(["metric_id", "area_code"])


def test_a_change_across_a_series_break_is_not_judged():
    """2015..2022 with the method changed in 2020: the baseline (2019, pre-pandemic) and the latest
    (2022) are measured differently, so no verdict; the same values without the break are judged."""
    values = [8.5, 9.0, 9.3, 8.6, 9.1, 5.3, 6.2, 7.3]
    card = _scorecard(
        [
            {
                "metric_id": "broken",
                "area_code": "E92000001",
                "polarity": "high_is_good",
                "values": values,
                "series_break_year": 2020,
                "group": "nation",
                "area_level": "nation",
            },
            {
                "metric_id": "whole",
                "area_code": "E92000001",
                "polarity": "high_is_good",
                "values": values,
                "group": "nation",
                "area_level": "nation",
            },
        ]
    )
    broken, whole = card.loc[("broken", "E92000001")], card.loc[("whole", "E92000001")]
    assert (broken.baseline_period, broken.latest_period) == ("2019", "2022")
    assert broken.verdict == "not judged: series break"
    assert broken.change_significance == "not tested: series break in 2020"
    assert broken.recent_trend == "not enough points since the series break"
    # no interval: what moved, not a verdict (baseline 2019 = 9.1, latest 7.3)
    assert whole.verdict == "fell, not tested" and whole.recent_trend in (
        "no significant change",
        "worsening",
    )


def test_polarity_flips_direction_rank_and_trend_labels():
    rising = [10.0, 11.0, 12.0, 13.0, 14.0, 15.0]
    lower = [8.0, 8.5, 9.0, 9.5, 10.0, 10.5]
    card = _scorecard(
        [
            {"metric_id": "good_up", "polarity": "high_is_good", "area_code": "A", "values": rising},
            {"metric_id": "good_up", "polarity": "high_is_good", "area_code": "B", "values": lower},
            {"metric_id": "good_down", "polarity": "low_is_good", "area_code": "A", "values": rising},
            {"metric_id": "good_down", "polarity": "low_is_good", "area_code": "B", "values": lower},
        ]
    )
    # direction says what the estimates did, whatever the polarity; the verdict reads the polarity
    assert card.loc[("good_up", "A"), "direction"] == "rose"
    assert card.loc[("good_down", "A"), "direction"] == "rose"
    assert card.loc[("good_up", "A"), "recent_trend"] == "improving"  # a perfect line: significant
    assert card.loc[("good_down", "A"), "recent_trend"] == "worsening"
    assert (
        card.loc[("good_up", "A"), "rank_in_group"] == 1
        and card.loc[("good_down", "A"), "rank_in_group"] == 2
    )
    # no CI: no word of direction; the verdict and label say what moved, by how much, and that it
    # was not tested (2019 = 14.0 to 2020 = 15.0)
    assert card.loc[("good_up", "A"), "verdict"] == "rose, not tested"
    assert card.loc[("good_down", "A"), "verdict"] == "rose, not tested"
    assert card.loc[("good_up", "A"), "change_significance"] == "not tested: no confidence interval"
    assert card.loc[("good_up", "A"), "status_label"].startswith(
        "rose 1.0 points since 2019 (not tested: no confidence interval)"
    )
    # change and % change are the arithmetic, whatever the polarity
    # (2015..2020: the pre-pandemic baseline is 2019 = 14.0, the latest 2020 = 15.0)
    assert card.loc[("good_up", "A"), "baseline_period"] == "2019"
    assert card.loc[("good_up", "A"), "absolute_change"] == pytest.approx(1.0)
    assert card.loc[("good_up", "A"), "percent_change"] == pytest.approx(100 / 14)


def test_baseline_is_the_statements_else_the_latest_pre_pandemic_point_else_the_earliest():
    card = _scorecard(
        [
            # 2015..2022 with the Statement's baseline 2016 -> 2016
            {
                "metric_id": "m",
                "polarity": "high_is_good",
                "area_code": "A",
                "values": [5, 6, 7, 8, 9, 10, 11, 12],
                "baseline_period": "2016",
            },
            # the Statement's period is not in this series -> the latest point ending by 2019 (pre-pandemic)
            {
                "metric_id": "m",
                "polarity": "high_is_good",
                "area_code": "B",
                "values": [5, 6, 7, 8, 9, 10, 11, 12],
                "baseline_period": "2030",
            },
            # a series that starts after 2019 has no pre-pandemic point -> its earliest
            {
                "metric_id": "m",
                "polarity": "high_is_good",
                "area_code": "C",
                "values": [5, 6, 7],
                "start_year": 2020,
            },
            # a catalogue baseline the Statement does not name: taken, but called chosen
            {
                "metric_id": "k",
                "polarity": "high_is_good",
                "area_code": "A",
                "values": [5, 6, 7, 8, 9, 10, 11, 12],
                "baseline_period": "2016",
                "baseline_rule": "chosen",
            },
        ]
    )
    assert (card.loc[("k", "A"), "baseline_period"], card.loc[("k", "A"), "baseline_basis"]) == (
        "2016",
        "chosen",
    )
    assert (card.loc[("m", "A"), "baseline_period"], card.loc[("m", "A"), "baseline_value"]) == ("2016", 6.0)
    assert card.loc[("m", "A"), "baseline_basis"] == "statement"
    assert (card.loc[("m", "B"), "baseline_period"], card.loc[("m", "B"), "baseline_value"]) == ("2019", 9.0)
    assert card.loc[("m", "B"), "baseline_basis"] == "pre_pandemic"
    assert (card.loc[("m", "C"), "baseline_period"], card.loc[("m", "C"), "baseline_basis"]) == (
        "2020",
        "earliest_available",
    )
    assert card.loc[("m", "B"), "basis"].startswith("baseline=pre_pandemic:2019; judged_on=value; test=none")
    assert card.loc[("m", "C"), "recent_trend"] == "not enough points"


def test_fingertips_benchmark_rule_uses_the_confidence_interval():
    # England's 12.0 lies inside A's interval (11-13): similar; above B's (8-10): B is worse
    # (high is good); C has no interval: no CI comparison, its quintile is what an analyst reads.
    card = _scorecard(
        [
            {
                "metric_id": "m",
                "polarity": "high_is_good",
                "area_code": "E92000001",
                "values": [12.0],
                "area_level": "nation",
                "group": "nation",
            },
            {
                "metric_id": "m",
                "polarity": "high_is_good",
                "area_code": "A",
                "values": [12.5],
                "lci": [11.0],
                "uci": [13.0],
            },
            {
                "metric_id": "m",
                "polarity": "high_is_good",
                "area_code": "B",
                "values": [9.0],
                "lci": [8.0],
                "uci": [10.0],
            },
            {"metric_id": "m", "polarity": "high_is_good", "area_code": "C", "values": [15.0]},
        ]
    )
    assert card.loc[("m", "A"), "benchmark_comparison"] == "similar"
    assert card.loc[("m", "B"), "benchmark_comparison"] == "worse"
    assert card.loc[("m", "C"), "benchmark_method"] == "quintile" and pd.isna(
        card.loc[("m", "C"), "benchmark_comparison"]
    )
    assert card.loc[("m", "A"), "benchmark_value"] == 12.0


def test_levelling_down_flag_needs_a_significant_fall_against_the_nation_in_a_top_area():
    """The guard asks whether a top area fell significantly MORE than its nation over the same step (the
    South East was flagged for a fall England shared): z on the difference of the two changes."""

    def area(code, values, half_width=None, **extra):
        spec = {"metric_id": "m", "polarity": "high_is_good", "area_code": code, "values": values, **extra}
        if half_width is not None:
            spec["lci"] = [v - half_width for v in values]
            spec["uci"] = [v + half_width for v in values]
        return spec

    series = [
        # England falls 2 in its latest step
        area("E92000001", [20, 21, 22, 23, 21.0], half_width=0.5, group="nation", area_level="nation"),
        area("FALL", [30, 31, 32, 33, 29.5], half_width=0.5),  # falls 3.5, England 2: 1.5 more
        area("SHARED", [31, 32, 33, 34, 32.0], half_width=0.5),  # falls 2, as England does
        area("DIP", [29, 30, 31, 32, 31.5], half_width=1.0),  # falls 0.5: less than England
        area("NOCI", [28, 29, 30, 31, 29.0]),  # top, falls, but nothing to test it with
    ] + [area(f"A{i}", [10 + i, 11 + i, 12 + i, 13 + i, 14 + i], half_width=0.5) for i in range(12)]
    card = _scorecard(series)
    se = 0.5 / 1.959964
    # the step alone (as before) and against England's step: four estimates, each SE from its CI
    assert card.loc[("m", "FALL"), "latest_step_z"] == pytest.approx((29.5 - 33.0) / math.sqrt(2 * se**2))
    z_fall = ((29.5 - 33.0) - (21.0 - 23.0)) / math.sqrt(4 * se**2)
    assert card.loc[("m", "FALL"), "relative_step_z"] == pytest.approx(z_fall)
    assert z_fall < -1.959964
    assert card.loc[("m", "FALL"), "quintile_in_group"] == 1 and bool(
        card.loc[("m", "FALL"), "levelling_down_flag"]
    )
    shared = card.loc[("m", "SHARED")]
    assert shared.latest_step_z < -1.959964  # a significant fall on its own ...
    assert shared.relative_step_z == pytest.approx(0.0, abs=1e-12)  # ... that England shared
    assert shared.quintile_in_group == 1 and shared.levelling_down_flag == False  # noqa: E712
    dip = card.loc[("m", "DIP")]
    assert dip.quintile_in_group == 1 and dip.relative_step_z > 0
    assert dip.levelling_down_flag == False  # noqa: E712 - tested, and not worse than England
    assert card.loc[("m", "NOCI"), "quintile_in_group"] == 1 and pd.isna(
        card.loc[("m", "NOCI"), "levelling_down_flag"]
    )
    assert pd.isna(card.loc[("m", "A0"), "levelling_down_flag"])  # bottom quintile: not the guard's question


def test_a_change_inside_overlapping_cis_is_no_significant_change():
    card = _scorecard(
        [
            # +1.0 with CIs of +-1.5 at both ends: z = 1 / sqrt(2 (1.5/1.96)^2) = 0.92 -> not significant
            {
                "metric_id": "m",
                "polarity": "high_is_good",
                "area_code": "SMALL",
                "values": [10.0, 10.5, 11.0],
                "lci": [8.5, 9.0, 9.5],
                "uci": [11.5, 12.0, 12.5],
                "baseline_period": "2015",
            },
            # -3.0 with CIs of +-0.5: z = -3 / sqrt(2 (0.5/1.96)^2) = -8.32 -> significantly worse
            {
                "metric_id": "m",
                "polarity": "high_is_good",
                "area_code": "BIG",
                "values": [10.0, 8.5, 7.0],
                "lci": [9.5, 8.0, 6.5],
                "uci": [10.5, 9.0, 7.5],
                "baseline_period": "2015",
            },
        ]
    )
    for code, change, half in (("SMALL", 1.0, 1.5), ("BIG", -3.0, 0.5)):
        z = change / math.sqrt(2 * (half / stats.norm.ppf(0.975)) ** 2)
        row = card.loc[("m", code)]
        assert row.change_z == pytest.approx(z, rel=1e-5)
    small, big = card.loc[("m", "SMALL")], card.loc[("m", "BIG")]
    assert small.direction == "rose" and small.verdict == "no significant change"
    assert small.change_significance == "not significant at 95%"
    assert big.verdict == "worsening" and big.change_significance == "significant at 95%"
    z_big = -3.0 / math.sqrt(2 * (0.5 / stats.norm.ppf(0.975)) ** 2)  # -8.315
    assert "test=z_difference_of_two_ci95" in big.basis and f"z={z_big:.2f}" in big.basis


def test_a_synthetic_row_is_shown_but_never_ranked_benchmarked_or_judged():
    card = _scorecard(
        [
            {
                "metric_id": "m",
                "polarity": "high_is_good",
                "area_code": "E92000001",
                "values": [10.0, 11.0],
                "start_year": 2019,
                "area_level": "nation",
                "group": "nation",
            },
            {
                "metric_id": "m",
                "polarity": "high_is_good",
                "area_code": "SYN",
                "values": [50.0, 60.0],
                "start_year": 2019,
                "lci": [49.0, 59.0],
                "uci": [51.0, 61.0],
                "provenance": "synthetic",
            },
        ]
        + [
            {
                "metric_id": "m",
                "polarity": "high_is_good",
                "area_code": f"R{i}",
                "values": [float(i), i + 1.0],
            }
            for i in range(5)
        ]
    )
    syn = card.loc[("m", "SYN")]
    assert syn.verdict == "no real data" and syn.recent_trend == "no real data"
    assert pd.isna(syn.rank_in_group) and pd.isna(syn.quintile_in_group) and pd.isna(syn.areas_in_group)
    assert pd.isna(syn.benchmark_value) and syn.benchmark_method == "none (synthetic sample)"
    assert pd.isna(syn.benchmark_comparison) and pd.isna(syn.levelling_down_flag)
    assert syn.status_label.startswith("SYNTHETIC SAMPLE")
    assert syn.direction == "rose"  # what the sample did is still shown
    # the real areas rank among themselves: the synthetic 60 does not push the best real area to rank 2
    assert card.loc[("m", "R4"), "rank_in_group"] == 1 and card.loc[("m", "R4"), "areas_in_group"] == 5


def test_tied_values_share_a_rank_and_a_quintile():
    values = [9.0, 9.0, 9.0, 7.0, 6.0, 6.0, 4.0, 3.0, 2.0, 2.0, 2.0, 1.0]
    card = _scorecard(
        [
            {"metric_id": "m", "polarity": "high_is_good", "area_code": f"A{i:02d}", "values": [v]}
            for i, v in enumerate(values)
        ]
    )
    n = len(values)
    for i, v in enumerate(values):
        rank = 1 + sum(other > v for other in values)  # competition ranking: ties share the best rank
        row = card.loc[("m", f"A{i:02d}")]
        assert row.rank_in_group == rank
        assert row.quintile_in_group == min(5, 1 + (5 * (rank - 1)) // n)
    by_value = card.reset_index().groupby("latest_value")["quintile_in_group"].nunique()
    assert (by_value == 1).all()  # no tie straddles a quintile boundary


def test_money_is_judged_relative_to_the_uk_never_in_nominal_pounds():
    uk = [500.0, 520.0, 540.0, 560.0, 600.0]
    north = [400.0, 410.0, 420.0, 430.0, 440.0]  # rises every year in pounds, but falls behind the UK
    common = {
        "polarity": "high_is_good",
        "unit": "pounds",
        "judged_on": "ratio_to_reference",
        "start_year": 2017,
    }
    card = _scorecard(
        [
            {
                **common,
                "metric_id": "pay",
                "area_code": "K02000001",
                "values": uk,
                "area_level": "uk",
                "group": "uk",
            },
            {**common, "metric_id": "pay", "area_code": "N", "values": north},
        ]
    )
    north_row, uk_row = card.loc[("pay", "N")], card.loc[("pay", "K02000001")]
    # 2017..2021: the pre-pandemic baseline is 2019 (index 2), the latest 2021 (index 4)
    assert (north_row.baseline_period, north_row.latest_period) == ("2019", "2021")
    assert north_row.direction == "rose"  # nominal pounds rose ...
    assert north_row.relative_baseline == pytest.approx(north[2] / uk[2])
    assert north_row.relative_latest == pytest.approx(north[4] / uk[4])
    # ... but the area fell further behind the UK: a ratio carries no interval, so not tested
    assert north_row.verdict == "fell, not tested"
    assert north_row.change_significance == "not tested: no confidence interval for a ratio"
    ratio_fall = north[2] / uk[2] - north[4] / uk[4]
    assert north_row.status_label.startswith(
        f"fell {round(ratio_fall, 3)} in the ratio to K02000001 since 2019"
    )
    # a trend in nominal pounds is not tested either
    assert north_row.recent_trend == "not tested: nominal pounds" and pd.isna(north_row.trend_significant)
    assert "judged_on=ratio_to_reference vs K02000001" in north_row.basis
    assert uk_row.verdict == "not judged: nominal pounds"


def test_totals_are_ranked_and_judged_per_head_never_by_size():
    common = {
        "polarity": "high_is_good",
        "unit": "pounds_million",
        "judged_on": "per_head",
        "start_year": 2018,
    }
    card = _scorecard(
        [
            # a big region: the largest spending, but 8.0m people -> 500 and then 450 pounds a head
            {
                **common,
                "metric_id": "rd",
                "area_code": "BIG",
                "values": [4000.0, 4050.0, 3600.0],
                "population": [8_000_000, 8_000_000, 8_000_000],
            },
            # a small one: a third of the spending, 1.0m people -> 1,300 then 1,400 pounds a head
            {
                **common,
                "metric_id": "rd",
                "area_code": "SMALL",
                "values": [1300.0, 1350.0, 1400.0],
                "population": [1_000_000, 1_000_000, 1_000_000],
            },
            # no population: shown, but neither ranked nor judged
            {
                **common,
                "metric_id": "rd",
                "area_code": "NOPOP",
                "values": [10.0, 11.0, 12.0],
                "population": [None, None, None],
            },
        ]
    )
    big, small, nopop = card.loc[("rd", "BIG")], card.loc[("rd", "SMALL")], card.loc[("rd", "NOPOP")]
    # 2018..2020: the pre-pandemic baseline is 2019
    assert big.baseline_per_head == pytest.approx(1e6 * 4050.0 / 8_000_000)
    assert big.latest_per_head == pytest.approx(1e6 * 3600.0 / 8_000_000)
    assert (small.rank_in_group, big.rank_in_group, small.areas_in_group) == (1, 2, 2)
    assert big.verdict == "fell, not tested" and small.verdict == "rose, not tested"
    # 506.25 -> 450.00 pounds a head
    assert "judged_on=per_head" in big.basis and big.status_label.startswith(
        "fell 56.25 pounds per head since 2019"
    )
    assert pd.isna(nopop.rank_in_group) and nopop.verdict == "not judged: no population"


# -------------------------------------------------------------------------------------------- progress


def _progress(
    targets: list[dict], series: dict[str, list[tuple[int, float]]]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    target_rows = pd.DataFrame(
        [
            {
                "target_id": t["target_id"],
                "mission_id": "M99",
                "metric_id": "m",
                "breakdown": "all",
                "scope_kind": t.get("scope_kind", "area"),
                "scope_code": "E92000001",
                "is_primary": True,
                "statement_wording": "w",
                "method_note": None,
                "target_kind": t["kind"],
                "target_value": float(t["value"]),
                "target_year": t["year"],
                "baseline_period": t.get("baseline"),
            }
            for t in targets
        ]
    )
    target_rows["target_year"] = target_rows["target_year"].astype("int32")
    series_rows = pd.DataFrame(
        [
            {
                "target_id": target_id,
                "period": str(year),
                "year": year,
                "period_end": pd.Timestamp(year, 12, 31),
                "value": float(value),
                "areas_expected": 1,
                "areas_with_value": 1,
                "provenance": "published",
            }
            for target_id, points in series.items()
            for year, value in points
        ]
    )
    series_rows["year"] = series_rows["year"].astype("int32")
    tables = {"mission_targets": target_rows, "int_target_series_aggregated": series_rows}
    progress = run_model_on_fixtures("mission_progress", tables)
    milestones = run_model_on_fixtures("mission_target_milestones", {**tables, "mission_progress": progress})
    return progress.set_index("target_id"), milestones


def _cagr(start: float, end: float, years: int) -> float:
    return (end / start) ** (1 / years) - 1


@pytest.mark.parametrize(
    ("latest", "band"),
    [
        (61.0, "achieved"),
        (55.0, "on track"),
        (54.0, "needs acceleration"),
        (52.0, "limited progress"),
        (48.0, "deterioration"),
    ],
)
def test_progress_ratio_and_band_follow_open_sdg(latest: float, band: str):
    # baseline 50 in 2020, target level 60 by 2030, observed in 2025
    progress, _ = _progress(
        [{"target_id": "t", "kind": "level", "value": 60, "year": 2030, "baseline": "2020"}],
        {"t": [(2020, 50.0), (2025, latest)]},
    )
    row = progress.loc["t"]
    required, observed = _cagr(50, 60, 10), _cagr(50, latest, 5)
    assert row.required_cagr == pytest.approx(required)
    assert row.observed_cagr == pytest.approx(observed)
    assert row.progress_ratio == pytest.approx(observed / required)
    assert row.progress_band == band


def test_a_relative_fall_target_is_judged_in_its_own_direction():
    # non-decent homes -50% by 2030 from 20 in 2020: target level 10; 14 in 2025 is ahead of a
    # constant-rate path ((0.7)^(1/5) - 1 = -6.9% a year against (0.5)^(1/10) - 1 = -6.7% needed)
    progress, milestones = _progress(
        [{"target_id": "fall", "kind": "relative_change", "value": -50, "year": 2030, "baseline": "2020"}],
        {"fall": [(2020, 20.0), (2025, 14.0)]},
    )
    row = progress.loc["fall"]
    assert row.target_level == pytest.approx(10.0)
    assert row.target_direction == -1
    assert row.progress_ratio == pytest.approx(_cagr(20, 14, 5) / _cagr(20, 10, 10))
    assert row.progress_band == "on track"
    # straight line 20 -> 10 over 2020-2030: 15 in 2025, and 14 is beyond it (a fall target)
    assert row.milestone_for_latest_year == pytest.approx(15.0) and bool(row.on_trajectory)
    by_year = milestones.set_index("year")
    assert len(by_year) == 11 and by_year.loc[2023, "milestone_value"] == pytest.approx(17.0)
    assert bool(by_year.loc[2025, "on_or_ahead_of_milestone"]) and pd.isna(
        by_year.loc[2024, "observed_value"]
    )


def test_ambition_test_extends_the_pre_mission_trend():
    # 45, 46, ..., 50 over 2015-2020 is +1 a year: 60 by 2030 (reaches a level-60 target: unambitious)
    # but 'absolute_change +15' from the 2020 baseline (65) needs more than the trend gives.
    pre = [(2015 + i, 45.0 + i) for i in range(6)] + [(2023, 53.0)]
    progress, _ = _progress(
        [
            {"target_id": "easy", "kind": "level", "value": 60, "year": 2030, "baseline": "2020"},
            {"target_id": "hard", "kind": "absolute_change", "value": 15, "year": 2030, "baseline": "2020"},
        ],
        {"easy": pre, "hard": pre},
    )
    assert progress.loc["easy", "pre_mission_trend_at_target_year"] == pytest.approx(60.0)
    assert progress.loc["easy", "pre_mission_points"] == 6  # 2023 is after the White Paper
    assert progress.loc["easy", "ambition_test"].startswith("unambitious")
    assert progress.loc["hard", "target_level"] == pytest.approx(65.0)
    assert progress.loc["hard", "ambition_test"].startswith("ambitious")


def test_targets_in_counts_the_data_lacks_are_not_measurable():
    progress, milestones = _progress(
        [
            {
                "target_id": "count",
                "kind": "absolute_change_count",
                "value": 200000,
                "year": 2030,
                "scope_kind": "count_not_published",
            }
        ],
        {"other": [(2020, 1.0)]},
    )
    assert progress.loc["count", "progress_band"] == "not measurable"
    assert progress.loc["count", "ambition_test"] == "not measurable"
    assert milestones.empty


# ------------------------------------------------------------------------------ real data, independently


def _current_values(con, metrics: tuple[str, ...], levels: tuple[str, ...]) -> pd.DataFrame:
    return con.execute(
        f"""
        select f.metric_id, f.breakdown, f.period, f.area_code, f.value
        from fct_area_year_metrics f join dim_areas a using (area_code)
        where a.is_current and f.value is not null
          and f.metric_id in ({", ".join("?" for _ in metrics)})
          and f.area_level in ({", ".join("?" for _ in levels)})
        """,
        [*metrics, *levels],
    ).df()


def test_hle_gap_is_the_median_of_the_top_decile_minus_the_bottom_decile(published_con):
    values = _current_values(published_con, ("hle_birth",), ("county", "unitary"))
    gaps = (
        published_con.execute(
            "select breakdown, period, gap_value, areas_a, areas_b from mission_gaps where gap_method = 'decile_median_gap'"
        )
        .df()
        .set_index(["breakdown", "period"])
    )
    assert len(gaps) == values.groupby(["breakdown", "period"]).ngroups >= 20
    for (breakdown, period), group in values.groupby(["breakdown", "period"]):
        ordered = group.sort_values(["value", "area_code"], ascending=[False, True])["value"].to_numpy()
        deciles = np.array_split(ordered, 10)  # sizes differ by at most one, larger ones first
        expected = np.median(deciles[0]) - np.median(deciles[-1])
        row = gaps.loc[(breakdown, period)]
        assert row.gap_value == pytest.approx(expected), (breakdown, period)
        assert (row.areas_a, row.areas_b) == (len(deciles[0]), len(deciles[-1]))
    # the 2017-2019 baseline is the Statement's; the real gap has widened for both sexes since
    latest = published_con.execute(
        "select breakdown, gap_baseline_period, gap_trend from mission_gaps where gap_method = 'decile_median_gap' and is_latest"
    ).fetchall()
    assert {(b, p) for b, p, _ in latest} == {("sex=female", "2017-2019"), ("sex=male", "2017-2019")}


def test_wellbeing_gap_ranks_areas_by_their_worst_ons4_measure(published_con):
    ons4 = {"life_satisfaction_mean": 1, "worthwhile_mean": 1, "happiness_mean": 1, "anxiety_mean": -1}
    values = _current_values(published_con, tuple(ons4), ("district", "unitary"))
    values["good"] = values["value"] * values["metric_id"].map(ons4)
    # percentile rank of badness within each measure and period: 0 = best area, 1 = worst
    rank = values.groupby(["metric_id", "period"])["good"].rank(method="min", ascending=False)
    size = values.groupby(["metric_id", "period"])["good"].transform("size")
    values["badness"] = (rank - 1) / (size - 1)
    gaps = (
        published_con.execute(
            "select metric_id, period, gap_value, areas_b from mission_gaps where gap_method = 'worst_third_vs_rest'"
        )
        .df()
        .set_index(["metric_id", "period"])
    )
    checked = 0
    for period, group in values.groupby("period"):
        complete = group.groupby("area_code").filter(lambda g: g["metric_id"].nunique() == 4)
        worst = complete.groupby("area_code")["badness"].max().reset_index()
        worst = worst.sort_values(["badness", "area_code"], ascending=[False, True])
        worst_third = set(np.array_split(worst["area_code"].to_numpy(), 3)[0])
        for metric_id, sign in ons4.items():
            rows = complete[complete["metric_id"] == metric_id]
            in_worst = rows["area_code"].isin(worst_third)
            expected = sign * (rows.loc[~in_worst, "value"].mean() - rows.loc[in_worst, "value"].mean())
            row = gaps.loc[(metric_id, period)]
            assert row.gap_value == pytest.approx(expected), (metric_id, period)
            assert row.areas_b == len(worst_third)
            checked += 1
    assert checked == 4 * values["period"].nunique() >= 40


def test_scorecard_directions_and_changes_agree_with_the_facts(published_con):
    card = published_con.execute(
        """
        select s.metric_id, s.breakdown, s.area_code, s.polarity, s.baseline_period, s.baseline_value,
               s.latest_period, s.latest_value, s.absolute_change, s.direction, m.decimals
        from mission_scorecard s join dim_metrics m using (metric_id)
        where s.area_code in ('E92000001', 'K02000001', 'E06000001', 'S12000036')
        """
    ).df()
    facts = (
        published_con.execute(
            "select metric_id, breakdown, area_code, period, value from fct_area_year_metrics where value is not null"
        )
        .df()
        .set_index(["metric_id", "breakdown", "area_code", "period"])["value"]
    )
    assert len(card) > 60
    for row in card.itertuples():
        assert row.baseline_value == facts[(row.metric_id, row.breakdown, row.area_code, row.baseline_period)]
        assert row.latest_value == facts[(row.metric_id, row.breakdown, row.area_code, row.latest_period)]
        change = row.latest_value - row.baseline_value
        assert row.absolute_change == pytest.approx(change)
        if row.baseline_period == row.latest_period:
            expected = "no later data"
        elif round(change, row.decimals) == 0:
            expected = "no change"
        else:
            expected = "rose" if change > 0 else "fell"
        assert row.direction == expected, row


def test_mission_summary_has_one_row_per_mission_and_transport_rests_on_real_data(published_con):
    summary = published_con.execute("select * from mission_summary order by mission_number").df()
    assert summary["mission_number"].tolist() == list(range(1, 13))
    assert summary[["headline_status", "gap_trend", "target_band", "data_coverage"]].notna().all().all()
    transport = summary.set_index("mission_id").loc["M03"]
    # the NTS share is real; its baseline (2019) and latest (2022) straddle DfT's 2020 method change
    assert (transport.headline_metrics_real, transport.headline_metrics_synthetic) == (1, 0)
    assert "not judged: series break" in transport.headline_detail
    health = summary.set_index("mission_id").loc["M07"]
    # HLE fell for both sexes since 2017-2019 in the UK (significant), the decile gap rose but no gap
    # change is tested, and +5 years by 2035 is going backwards: read straight from the published figures
    uk_hle = published_con.execute(
        "select breakdown, max(value) filter (where period = '2017-2019') - arg_max(value, period_end) "
        "from fct_area_year_metrics where metric_id = 'hle_birth' and area_code = 'K02000001' group by 1"
    ).fetchall()
    assert all(drop > 0 for _, drop in uk_hle)
    assert (health.headline_status, health.gap_trend, health.target_band) == (
        "worsening",
        "not tested",
        "deterioration",
    )


MISSION_QUESTION = """
select s.metric_id, s.breakdown, s.measured_at, s.area_name, s.baseline_period, s.baseline_value,
       s.latest_period, s.latest_value, s.direction, m.gap_trend, m.target_band
from local_authority_scorecard s
join mission_summary m using (mission_id)
where s.mission_id = ? and s.authority_code = ?
"""

ENGLAND_QUESTION = """
select s.metric_id, s.breakdown, s.area_name, s.baseline_period, s.baseline_value,
       s.latest_period, s.latest_value, s.direction, m.gap_trend, m.target_band
from mission_scorecard s
join mission_summary m using (mission_id)
where s.mission_id = ?
qualify row_number() over (partition by s.metric_id, s.breakdown order by
    case s.area_code when 'E92000001' then 1 when 'K04000001' then 2 when 'K03000001' then 3 when 'K02000001' then 4 end) = 1
   and s.area_code in ('E92000001', 'K04000001', 'K03000001', 'K02000001')
"""


@pytest.mark.parametrize("mission", [f"M{n:02d}" for n in range(1, 13)])
def test_one_query_per_mission_answers_baseline_latest_gap_trend_and_target_band(published_con, mission):
    for authority in ("E06000001", "E07000223", "S12000036"):  # Hartlepool, Adur (a district), Edinburgh
        rows = published_con.execute(MISSION_QUESTION, [mission, authority]).df()
        headline = published_con.execute(
            "select count(distinct metric_id) from mission_scorecard where mission_id = ?", [mission]
        ).fetchone()[0]
        assert not rows.empty or authority == "S12000036", (mission, authority)
        assert (
            rows[["baseline_period", "latest_period", "direction", "gap_trend", "target_band"]]
            .notna()
            .all()
            .all()
        )
        assert rows["metric_id"].nunique() <= headline
    england = published_con.execute(ENGLAND_QUESTION, [mission]).df()
    assert not england.empty and england[["baseline_value", "latest_value"]].notna().all().all()


# ---------------------------------------------------------------------------------------------- summary


def _summary(scorecard_rows: list[dict], gaps: list[dict], coverage: list[dict]) -> pd.DataFrame:
    """mission_summary's SQL over fixture national scorecard rows, gaps and coverage."""
    card = pd.DataFrame(scorecard_rows)
    gap_frame = pd.DataFrame(
        gaps,
        columns=[
            "mission_id",
            "gap_method",
            "metric_id",
            "breakdown",
            "gap_trend",
            "gap_value",
            "gap_baseline_period",
            "gap_baseline_rule",
            "dominant_area_code",
            "dominant_area_share",
            "gap_change_without_dominant_area",
            "is_latest",
            "is_statement_definition",
            "provenance",
            "caveat",
            "gap_change_z",
        ],
    )
    for column in ("gap_value", "dominant_area_share", "gap_change_without_dominant_area", "gap_change_z"):
        gap_frame[column] = gap_frame[column].astype("float64")
    for column in ("dominant_area_code", "gap_baseline_period", "gap_baseline_rule", "caveat"):
        gap_frame[column] = gap_frame[column].astype("object")
    tables = {
        "mission_scorecard": card,
        "mission_gaps": gap_frame,
        "mission_progress": pd.DataFrame(
            {
                "mission_id": ["M98"],
                "target_id": ["t"],
                "progress_band": ["on track"],
                "provenance": ["synthetic"],
                "is_primary": [True],
            }
        ),
        "mission_data_gaps": pd.DataFrame(coverage),
        "dim_missions": pd.DataFrame(
            {"mission_id": ["M98", "M99"], "mission_number": [98, 99], "title": ["synthetic only", "real"]}
        ),
        # the nations the real figures reach: the real headline for an English and a Scottish area (and
        # a suppressed Welsh row), a supporting series in Northern Ireland; the sample's rows never count
        "fct_area_year_metrics": pd.DataFrame(
            {
                "metric_id": ["real", "real", "real", "support", "sample"],
                "breakdown": ["all"] * 5,
                "period": ["2020"] * 5,
                "period_end": [pd.Timestamp("2020-12-31")] * 5,
                "area_code": ["E06000001", "S12000049", "W06000015", "N09000003", "W06000015"],
                "value": [1.0, 2.0, None, 3.0, 4.0],
                "provenance": ["published", "published", "published", "derived", "synthetic"],
            }
        ),
        "dim_metrics": pd.DataFrame(
            {
                "metric_id": ["real", "support", "sample"],
                "mission_id": ["M99", "M99", "M98"],
                "role": ["headline", "supporting", "headline"],
            }
        ),
    }
    return run_model_on_fixtures("mission_summary", tables).set_index("mission_id")


def _national(mission_id: str, metric_id: str, provenance: str, verdict: str, significance: str) -> dict:
    return {
        "mission_id": mission_id,
        "metric_id": metric_id,
        "breakdown": "all",
        "area_code": "K02000001",
        "area_name": "United Kingdom",
        "provenance": provenance,
        "verdict": verdict,
        "change_significance": significance,
        "basis": f"baseline=statement:2019; provenance={provenance}",
        "levelling_down_flag": None,
        "metric_role": "headline",
        "caveat": None,
        "latest_period": "2020",
        "is_national_headline": True,
    }


def test_a_synthetic_only_mission_gets_no_real_data_and_a_tested_real_one_a_robust_verdict():
    summary = _summary(
        [
            # the synthetic sample "improves", but a sample never makes a verdict
            _national("M98", "sample", "synthetic", "no real data", "not tested: synthetic sample"),
            # a real series whose change lies inside both CIs
            _national("M99", "real", "published", "no significant change", "not significant at 95%"),
        ],
        [
            {
                "mission_id": "M98",
                "gap_method": "top_vs_rest",
                "metric_id": "sample",
                "breakdown": "all",
                "gap_trend": "no real data",
                "gap_value": 1.0,
                "is_latest": True,
                "is_statement_definition": True,
                "provenance": "synthetic",
            },
        ],
        [
            {"mission_id": "M98", "metric_id": "sample", "is_headline": True, "data_status": "synthetic"},
            {"mission_id": "M99", "metric_id": "real", "is_headline": True, "data_status": "real"},
        ],
    )
    synthetic, real = summary.loc["M98"], summary.loc["M99"]
    assert (synthetic.headline_status, synthetic.gap_trend, synthetic.target_band, synthetic.confidence) == (
        "no real data",
        "no real data",
        "no real data",
        "no real data",
    )
    assert synthetic.missing_real_data == "sample (synthetic)" and "sample (synthetic)" in synthetic.data_note
    assert (real.headline_status, real.confidence, real.gap_trend) == (
        "no significant change",
        "robust",
        "not measured",
    )
    assert real.headline_basis.startswith("real: no significant change in United Kingdom [baseline=")
    assert (real.headline_nations, real.nations_covered) == (
        "England, Scotland",
        "England, Northern Ireland, Scotland",
    )
    assert (synthetic.headline_nations, synthetic.nations_covered) == ("none", "none")


def test_a_gap_change_is_tested_on_the_standard_errors_of_both_ends():
    """mission_gaps over hand-worked well-being gaps. The pooled 2017-2019 baseline is the mean of three
    periods' gaps (0.2, 0.3, 0.25 = 0.25), its standard error sqrt(3 x 0.03^2) / 3 = 0.017321. In 2022 the
    gap is 0.35 (se 0.04): z = 0.1 / sqrt(0.04^2 + 0.017321^2) = 2.294, significant: widening. Another
    measure at 0.30: z = 1.147, no significant change. A gap with no standard error says what moved."""
    rows = []
    for metric, latest in (("wide", 0.35), ("flat", 0.30), ("plain", 0.35)):
        se = None if metric == "plain" else 0.03
        for year, gap in ((2017, 0.2), (2018, 0.3), (2019, 0.25), (2022, latest)):
            rows.append(
                {
                    "mission_id": "M08",
                    "gap_method": "worst_third_vs_rest",
                    "is_statement_definition": True,
                    "metric_id": metric,
                    "breakdown": "all",
                    "population": "ltla",
                    "period": str(year),
                    "year": year,
                    "period_end": pd.Timestamp(year, 12, 31),
                    "group_a_label": "a",
                    "group_a_value": 1.0,
                    "areas_a": 10,
                    "group_b_label": "b",
                    "group_b_value": 1.0 - gap,
                    "gap_standard_error": (0.04 if year == 2022 else se) if se is not None else None,
                    "areas_b": 5,
                    "areas_measured": 15,
                    "gap_value": gap,
                    "gap_unit": "score",
                    "weighting": "unweighted mean of areas",
                    "baseline_period": None,
                    "provenance": "published",
                }
            )
    gaps = pd.DataFrame(rows)
    gaps["gap_standard_error"] = gaps["gap_standard_error"].astype("float64")
    gaps["baseline_period"] = gaps["baseline_period"].astype("object")
    tables = {
        "int_mission_gaps_measured": gaps,
        "int_metrics_classified": pd.DataFrame(
            {"metric_id": ["wide", "flat", "plain"], "baseline_rule": ["statement"] * 3}
        ),
        "int_gap_area_terms_computed": pd.DataFrame(
            {
                "gap_method": ["x"],
                "metric_id": ["x"],
                "breakdown": ["x"],
                "period": ["x"],
                "area_code": ["x"],
                "term": [0.0],
            }
        ),
        "int_area_groupings_listed": pd.DataFrame(
            {"grouping_id": ["x"], "note": ["x"], "description": ["x"]}
        ),
    }
    out = run_model_on_fixtures("mission_gaps", tables).set_index(["metric_id", "period"])
    pooled_se = math.sqrt(3 * 0.03**2) / 3
    wide = out.loc[("wide", "2022")]
    assert wide.gap_baseline_value == pytest.approx(0.25)
    assert wide.gap_baseline_standard_error == pytest.approx(pooled_se, abs=1e-9)
    assert wide.gap_change_z == pytest.approx(0.1 / math.sqrt(0.04**2 + pooled_se**2), abs=1e-8)
    assert wide.gap_change_z == pytest.approx(2.294, abs=1e-3) and wide.gap_trend == "widening"
    flat = out.loc[("flat", "2022")]
    assert flat.gap_change_z == pytest.approx(1.147, abs=1e-3) and flat.gap_trend == "no significant change"
    plain = out.loc[("plain", "2022")]
    assert pd.isna(plain.gap_change_z) and plain.gap_trend == "rose, not tested"
    assert out.loc[("wide", "2018"), "gap_trend"] == "before baseline"
