"""dbt tests and Great Expectations do different jobs: dbt guards keys and relationships, GX guards
distributions, ranges and drift; a raw gate does not repeat what its parser already refuses."""

from __future__ import annotations

import json

import pandas as pd

from orchestration.quality.raw_suites import REFUSED_BY_PARSER, raw_suite
from orchestration.quality.suites import all_suites, load_suite_specs, validate_frame
from orchestration.settings import DBT_PROJECT_DIR
from orchestration.sources.catalogue import get_source, load_catalogue

KEY_TESTS = {
    "expect_column_values_to_not_be_null": "not_null",
    "expect_column_values_to_be_unique": "unique",
    "expect_compound_columns_to_be_unique": "unique_combination",
    "expect_column_values_to_be_in_set": "accepted_values",
}


def _dbt_tests() -> dict[str, list[tuple[str, str | None, dict]]]:
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    tests: dict[str, list[tuple[str, str | None, dict]]] = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node.get("test_metadata"):
            kwargs = node["test_metadata"]["kwargs"]
            arguments = kwargs.get("arguments") or kwargs
            for dependency in node["depends_on"]["nodes"]:
                tests.setdefault(dependency.split(".")[-1], []).append(
                    (node["test_metadata"]["name"], kwargs.get("column_name"), arguments)
                )
    return tests


def _repeats(expectation: dict, tests: list[tuple[str, str | None, dict]]) -> bool:
    kind, kwargs = expectation["type"], expectation["kwargs"]
    if kind not in KEY_TESTS or "row_condition" in kwargs or "mostly" in kwargs:
        return False
    for name, column, arguments in tests:
        if name != KEY_TESTS[kind]:
            continue
        if kind == "expect_compound_columns_to_be_unique":
            if sorted(arguments.get("columns", [])) == sorted(kwargs["column_list"]):
                return True
        elif column == kwargs["column"] and (
            kind != "expect_column_values_to_be_in_set"
            or sorted(map(str, arguments.get("values", []))) == sorted(map(str, kwargs["value_set"]))
        ):
            return True
    return False


def test_no_mart_expectation_repeats_a_dbt_test_on_the_same_model():
    tests = _dbt_tests()
    repeated = [
        f"{spec.name}: {item['type']}"
        for spec in load_suite_specs()
        for item in spec.expectations
        if _repeats(item, tests.get(spec.table.split(".")[-1], []))
    ]
    assert repeated == []
    # and the detector finds one when there is one
    assert _repeats(
        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "metric_id"}}, tests["dim_metrics"]
    )


def test_no_raw_gate_repeats_what_its_parser_refuses():
    for source in load_catalogue():
        refused = REFUSED_BY_PARSER.get(source.format, set())
        for item in raw_suite(source).expectations:
            assert (item["type"], item["kwargs"].get("column")) not in refused, source.id
            assert (item["type"], None) not in refused, source.id
    # what the ELS gate keeps is what no parser can know: ranges, limits around the value, drift, future
    kinds = {item["type"] for item in raw_suite(get_source("healthy_life_expectancy")).expectations}
    assert kinds == {
        "expect_table_row_count_to_be_between",
        "expect_column_values_to_be_between",
        "expect_column_pair_values_a_to_be_greater_than_b",
    }


def test_run_time_values_are_gx_suite_parameters():
    """No home-made tokens: a value known only at run time is GX's own {"$PARAMETER": name}."""

    def strings(value):
        if isinstance(value, dict):
            return [s for item in value.values() for s in strings(item)]
        if isinstance(value, list):
            return [s for item in value for s in strings(item)]
        return [value] if isinstance(value, str) else []

    suites = all_suites()
    for spec in suites:
        for item in spec.expectations:
            assert not [s for s in strings(item["kwargs"]) if s.startswith("$")], spec.name
    drift = next(s for s in suites if s.name == "raw_healthy_life_expectancy")
    frame = pd.DataFrame(
        {
            "year": [2020] * 4,
            "value": [60.0] * 4,
            "lci_95": [59.0] * 4,
            "uci_95": [61.0] * 4,
            "metric_id": "hle_birth",
        }
    )
    assert validate_frame(drift, frame, published_rows=5).success  # 4 rows >= 80% of 5
    failed = validate_frame(drift, frame, published_rows=10)  # 4 rows < 80% of 10
    assert [f.expectation for f in failed.failed] == ["expect_table_row_count_to_be_between"]
    future = validate_frame(drift, frame.assign(year=2999), published_rows=4)
    assert [f.kwargs.get("column") for f in future.failed] == ["year"]
