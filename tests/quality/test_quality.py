"""dbt tests and Great Expectations do different jobs: dbt guards keys and relationships, GX guards
distributions, ranges and drift; a raw gate does not repeat what its parser already refuses."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from orchestration.ingest.sources.catalogue import get_source, load_catalogue
from orchestration.quality.raw_suites import REFUSED_BY_PARSER, all_suites, raw_suite
from orchestration.quality.suites import load_suite_specs, validate_frame
from orchestration.settings import DBT_PROJECT_DIR

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


# --- the gates run as DuckDB SQL; GX on a pandas copy is the reference they are held to -------------


def _verdicts(outcome) -> tuple[bool, set]:
    """Success and, per failed expectation, what it was on and how many rows broke it (GX hands back
    its kwargs resolved and decorated, so compare the parts that name the rule)."""

    def rule(kwargs: dict) -> str:
        condition = kwargs.get("row_condition")
        if isinstance(condition, dict):
            condition = condition.get("pass_through_filter")
        named = {
            k: kwargs.get(k) for k in ("column", "column_A", "column_B", "column_list", "value_set", "regex")
        }
        return json.dumps({**named, "row_condition": condition}, sort_keys=True, default=str)

    return outcome.success, {(f.expectation, rule(f.kwargs), f.unexpected_count) for f in outcome.failed}


@pytest.mark.slow(seconds=15)
def test_every_suite_gives_the_same_verdict_in_sql_as_in_gx_on_the_published_tables(published_con):
    from orchestration.quality.sql_checks import validate_table

    compared = 0
    for spec in all_suites():
        frame = published_con.execute(f"select * from {spec.table}").df()
        sql = validate_table(spec, published_con, published_rows=len(frame))
        gx = validate_frame(spec, frame, published_rows=len(frame))
        assert _verdicts(sql) == _verdicts(gx), spec.name
        assert sql.evaluated == gx.evaluated
        compared += 1
    assert compared == len(all_suites()) >= 70


def _damage(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Break every kind of rule at once, deterministically: nulls, out-of-range numbers, swapped pairs,
    duplicated rows, strange text."""
    import numpy as np

    rng = np.random.default_rng(seed)
    if frame.empty:
        return frame
    # GX's pandas engine raises on pandas' nullable-integer NA in a column pair ("boolean value of NA is
    # ambiguous"), so damaged integer columns are compared as floats, NaN for missing
    frame = frame.astype(
        {
            c: "float64"
            for c in frame.columns
            if pd.api.types.is_extension_array_dtype(frame[c]) and pd.api.types.is_integer_dtype(frame[c])
        }
    )
    damaged = pd.concat([frame, frame.sample(n=min(3, len(frame)), random_state=seed)], ignore_index=True)
    for column in damaged.columns:
        picks = rng.choice(len(damaged), size=max(1, len(damaged) // 50), replace=False)
        if pd.api.types.is_numeric_dtype(damaged[column]) and not pd.api.types.is_bool_dtype(damaged[column]):
            damaged.loc[picks[: len(picks) // 2], column] = -1e9
            damaged.loc[picks[len(picks) // 2 :], column] = None
        elif damaged[column].dropna().map(lambda v: isinstance(v, str)).any():
            damaged.loc[picks[: len(picks) // 2], column] = "??"
            damaged.loc[picks[len(picks) // 2 :], column] = None
    return damaged


@pytest.mark.slow(seconds=25)
def test_damaged_tables_fail_the_same_expectations_with_the_same_counts_in_sql_and_gx(published_con):
    import duckdb

    from orchestration.quality.sql_checks import validate_table

    failures_seen = 0
    with duckdb.connect() as scratch:
        for index, spec in enumerate(all_suites()):
            frame = _damage(published_con.execute(f"select * from {spec.table}").df(), seed=index)
            scratch.register("damaged", frame)
            sql = validate_table(spec, scratch, published_rows=len(frame) * 2, table="damaged")
            gx = validate_frame(spec, frame, published_rows=len(frame) * 2)
            assert _verdicts(sql) == _verdicts(gx), spec.name
            scratch.unregister("damaged")
            failures_seen += len(gx.failed)
    assert failures_seen > 300  # the damage broke rules of every kind, and both engines saw the same


def test_a_row_condition_translates_to_sql_or_is_refused():
    import pytest

    from orchestration.quality.sql_checks import UnsupportedExpectation, condition_sql

    assert condition_sql('metric_id=="hle_birth"') == "metric_id='hle_birth'"
    assert (
        condition_sql(
            "is_current and is_utla and (area_code.str.startswith('E') or area_code.str.startswith('W'))"
        )
        == "is_current and is_utla and (starts_with(area_code, 'E') or starts_with(area_code, 'W'))"
    )
    with pytest.raises(UnsupportedExpectation):
        condition_sql("area_code.str.len() > 3")


def test_a_lookup_sources_key_is_declared_in_its_catalogue_entry(tmp_path):
    """The raw gate's uniqueness check reads the key from the catalogue (one place to edit when a
    lookup source is added); a lookup without one is refused when the catalogue loads."""
    import yaml

    from orchestration.ingest.sources.catalogue import CATALOGUE_PATH, CatalogueError

    for source in load_catalogue():
        if source.format in ("geo_metadata_json", "lookup_csv", "area_clusters_json"):
            unique = [
                item
                for item in raw_suite(source).expectations
                if item["type"]
                in ("expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique")
            ]
            (check,) = unique
            columns = check["kwargs"].get("column_list") or [check["kwargs"]["column"]]
            assert tuple(columns) == source.key_columns != ()
    document = yaml.safe_load(CATALOGUE_PATH.read_text(encoding="utf-8"))
    for entry in document["sources"]:
        if entry["id"] == "population_utla":
            del entry["key_columns"]
    damaged = tmp_path / "catalogue.yml"
    damaged.write_text(yaml.safe_dump(document), encoding="utf-8")
    with pytest.raises(CatalogueError, match=r"population_utla: a lookup .* must declare its key_columns"):
        load_catalogue(damaged)


def test_no_expectation_repeats_a_dbt_test_on_the_same_mart():
    """One check engine per check: a not-null, unique, accepted-values or compound-unique check that a
    mart's dbt tests already make (without a condition) is not repeated in its Great Expectations suite."""
    import json

    import yaml

    from orchestration.settings import DBT_PROJECT_DIR, EXPECTATIONS_DIR

    dbt: set[tuple] = set()
    for path in (DBT_PROJECT_DIR / "models" / "marts").rglob("_*.yml"):
        for model in yaml.safe_load(path.read_text()).get("models", []):
            for test in model.get("data_tests") or []:
                if isinstance(test, dict) and "unique_combination" in test:
                    columns = test["unique_combination"]["arguments"]["columns"]
                    dbt.add((model["name"], "expect_compound_columns_to_be_unique", tuple(sorted(columns))))
            for column in model.get("columns") or []:
                for test in column.get("data_tests") or []:
                    name = test if isinstance(test, str) else next(iter(test))
                    if not isinstance(test, str) and ((test[name] or {}).get("config") or {}).get("where"):
                        continue
                    kind = {
                        "not_null": "expect_column_values_to_not_be_null",
                        "unique": "expect_column_values_to_be_unique",
                        "accepted_values": "expect_column_values_to_be_in_set",
                    }.get(name)
                    if kind:
                        dbt.add((model["name"], kind, column["name"]))
    assert len(dbt) > 50  # the marts' dbt tests were read
    repeated = []
    suites = sorted((EXPECTATIONS_DIR / "marts").glob("*.json"))
    assert len(suites) > 20
    for path in suites:
        suite = json.loads(path.read_text())
        for expectation in suite["expectations"]:
            kwargs = expectation["kwargs"]
            if kwargs.get("row_condition"):
                continue
            key = kwargs.get("column") or tuple(sorted(kwargs.get("column_list") or ()))
            if (suite["name"], expectation["type"], key) in dbt:
                repeated.append((suite["name"], expectation["type"], key))
    assert not repeated, repeated
