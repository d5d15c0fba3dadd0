"""The raw gates, built from the source catalogue in memory when the definitions load.

Every catalogue source gets one blocking Great Expectations suite on its raw table, so a source
cannot exist without a gate and no suite file can drift from the catalogue: the suite follows from
the source's format (metric rows, a lookup, the Ipsos index), its metrics' units (dbt seed
metrics.csv: the plausible range of each value) and its id. Mart suites, which say things about a
model's distributions that no catalogue knows, stay hand-written in expectations/marts/.
"""

from __future__ import annotations

import csv
from functools import cache

from orchestration.ingest.sources.catalogue import LOOKUP_FORMATS, Source, load_catalogue
from orchestration.quality.suites import SuiteSpec, load_suite_specs
from orchestration.settings import DBT_PROJECT_DIR

#: Plausible range of a value by unit: (min, max); None = unbounded on that side.
UNIT_RANGES: dict[str, tuple[float | None, float | None]] = {
    "percent": (0, 100),
    "years": (40, 90),
    "score_0_10": (0, 10),
    "score": (0, 100),
    "pounds": (0, None),
    "pounds_million": (0, None),
    "pounds_million_net": (None, None),  # a net value: negative where the flow runs the other way
    "kwh_per_meter": (0, 100_000),
    "tonnes_co2e_per_head": (0, 1_000),
    "vehicles_per_day": (0, None),
    "nights": (0, 366),
    "minutes": (0, 300),
    "ratio": (0, 100),
    "count": (0, None),
    "rate_per_100k": (0, 100_000),
    "rate_per_10k": (0, 10_000),
    "rate_per_1000": (0, 1_000),
    "rate_per_1000_dwellings": (-1_000, 1_000),  # net additions can be negative
    "rate_per_million": (0, 1_000_000),
}
GSS_OR_ITL = r"^([EKLMNSW][0-9]{8}|TL[B-N]([0-9A-Z]{1,2})?)$"
MAX_ROW_DROP = 0.2


@cache
def _metric_units() -> dict[str, str]:
    with open(DBT_PROJECT_DIR / "seeds" / "metrics.csv", encoding="utf-8", newline="") as handle:
        return {row["metric_id"]: row["unit"] for row in csv.DictReader(handle)}


def _common(source_id: str) -> list[dict]:
    return [
        {
            "type": "expect_table_row_count_to_be_between",
            "kwargs": {"min_value": {"$PARAMETER": "min_rows_vs_published"}},
            "meta": {
                "why": f"row count may not drop more than {MAX_ROW_DROP:.0%} against the published warehouse"
            },
        },
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "period_start"}},
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "year", "min_value": 1990, "max_value": {"$PARAMETER": "current_year"}},
            "meta": {"why": "no period ends in the future"},
        },
    ]


def _metric_rows(source: Source, units: dict[str, str]) -> list[dict]:
    expectations = [
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "area_code"}},
        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "indicator"}},
        {
            "type": "expect_compound_columns_to_be_unique",
            "kwargs": {"column_list": ["area_code", "indicator", "period"]},
        },
        {
            "type": "expect_column_values_to_match_regex",
            "kwargs": {"column": "area_code", "regex": GSS_OR_ITL},
        },
        {
            "type": "expect_column_values_to_be_in_set",
            "kwargs": {"column": "status", "value_set": ["x", "c", "u", "z", "low"]},
        },
        {
            "type": "expect_column_pair_values_a_to_be_greater_than_b",
            "kwargs": {
                "column_A": "value",
                "column_B": "lci_95",
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
                "mostly": 0.99,
            },
            "meta": {
                "why": "lower 95% limit at or below the estimate "
                "(staging withholds the rare published interval that is not)"
            },
        },
        {
            "type": "expect_column_pair_values_a_to_be_greater_than_b",
            "kwargs": {
                "column_A": "uci_95",
                "column_B": "value",
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
                "mostly": 0.99,
            },
            "meta": {"why": "upper 95% limit at or above the estimate"},
        },
    ]
    for metric_id in sorted({m.metric_id for m in source.metrics}):
        low, high = UNIT_RANGES.get(units[metric_id], (None, None))
        if low is None and high is None:
            continue
        kwargs = {
            "column": "value",
            "row_condition": f'metric_id=="{metric_id}"',
            "condition_parser": "pandas",
        }
        if low is not None:
            kwargs["min_value"] = low
        if high is not None:
            kwargs["max_value"] = high
        expectations.append(
            {
                "type": "expect_column_values_to_be_between",
                "kwargs": kwargs,
                "meta": {"why": f"{metric_id} is in {units[metric_id]}"},
            }
        )
    return expectations


def _lookup_rows(source: Source) -> list[dict]:
    key = list(source.key_columns)  # declared in the source's catalogue entry
    return [
        {
            "type": "expect_table_row_count_to_be_between",
            "kwargs": {"min_value": {"$PARAMETER": "min_rows_vs_published"}},
        },
        {"type": "expect_compound_columns_to_be_unique", "kwargs": {"column_list": key}}
        if len(key) > 1
        else {"type": "expect_column_values_to_be_unique", "kwargs": {"column": key[0]}},
        {"type": "expect_column_values_to_match_regex", "kwargs": {"column": key[0], "regex": GSS_OR_ITL}},
    ]


def _ipsos_rows() -> list[dict]:
    return [
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "index_score", "min_value": -200, "max_value": 200},
        },
        {
            "type": "expect_column_values_to_be_between",
            "kwargs": {"column": "mission_no", "min_value": 1, "max_value": 12},
        },
        {
            "type": "expect_compound_columns_to_be_unique",
            "kwargs": {"column_list": ["group_type", "group_name", "mission_no"]},
        },
    ]


#: What a format's parser already refuses, with the file, column and line, before a row is loaded:
#: its raw gate does not say it again (the gate guards what a parser cannot know: value ranges by
#: unit, confidence limits around the value, future periods, a drop in rows against the published
#: warehouse). (expectation type, column); a column of None matches any.
REFUSED_BY_PARSER: dict[str, set[tuple[str, str | None]]] = {
    "ons_els_csv": {
        ("expect_column_values_to_not_be_null", "area_code"),  # a malformed area code is refused
        ("expect_column_values_to_not_be_null", "indicator"),  # a column always read as text
        ("expect_column_values_to_not_be_null", "period_start"),  # a period not in ISO-8601 is refused
        ("expect_column_values_to_match_regex", "area_code"),
        ("expect_column_values_to_be_in_set", "status"),  # an unknown status code is refused
        ("expect_compound_columns_to_be_unique", None),  # a conflicting duplicate key is refused
    },
}


def _not_refused_by_parser(source: Source, expectations: list[dict]) -> list[dict]:
    refused = REFUSED_BY_PARSER.get(source.format, set())
    return [
        item
        for item in expectations
        if (item["type"], item["kwargs"].get("column")) not in refused and (item["type"], None) not in refused
    ]


def raw_suite(source: Source) -> SuiteSpec:
    """The gate on raw.<source id>: keys, codes, statuses, value ranges by unit, no future periods, no
    large drop in rows against the published warehouse."""
    if source.format in LOOKUP_FORMATS:
        expectations = _lookup_rows(source)
    else:
        specific = _metric_rows(source, _metric_units()) if source.yields_metric_rows else _ipsos_rows()
        expectations = _not_refused_by_parser(source, _common(source.id) + specific)
    return SuiteSpec(
        name=f"raw_{source.id}",
        table=f"raw.{source.id}",
        asset_key=("raw", source.id),
        blocking=True,
        description=f"Gate on raw.{source.id} ({source.title}): keys, codes, statuses, value ranges "
        "by unit, no future periods, no large drop in rows against the published warehouse.",
        expectations=tuple(expectations),
        origin=f"catalogue source {source.id} (orchestration/quality/raw_suites.py)",
        max_row_drop=MAX_ROW_DROP,
    )


def raw_suites() -> list[SuiteSpec]:
    return [raw_suite(source) for source in load_catalogue()]


def all_suites() -> list[SuiteSpec]:
    """Every gate: the raw suites the catalogue implies, then the mart suites."""
    return [*raw_suites(), *load_suite_specs()]
