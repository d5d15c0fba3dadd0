"""Every Great Expectations suite (orchestration/quality/suites.py) as a blocking Dagster asset check
on the asset that makes its table: a raw table's inside the ingest step, right after it loads; the
marts' in one step after dbt (a step per check would cost more than the checks). A check runs the
suite's expectations as DuckDB queries on the table in the *build* file
(orchestration/quality/sql_checks.py: GX's semantics, held to GX by tests/quality/test_quality.py), on one
connection per step (read-only for the marts); a failed blocking check stops the publish step, and
its metadata lists each failed expectation with sample offending rows."""

from collections.abc import Iterator
from typing import Any

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckKey,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    DagsterLogManager,
    MetadataValue,
    multi_asset_check,
)

from orchestration.defs.resources import RefreshLock, WarehouseConfig
from orchestration.quality.raw_suites import raw_suites
from orchestration.quality.sql_checks import validate_table
from orchestration.quality.suites import SuiteSpec, load_suite_specs
from orchestration.warehouse.files import connect
from orchestration.warehouse.publishing import read_manifest


def gx_check_key(spec: SuiteSpec) -> AssetCheckKey:
    return AssetCheckKey(AssetKey(list(spec.asset_key)), f"gx_{spec.name}")


def gx_check_spec(spec: SuiteSpec) -> AssetCheckSpec:
    key = gx_check_key(spec)
    return AssetCheckSpec(
        name=key.name,
        asset=key.asset_key,
        blocking=spec.blocking,
        description=spec.description or f"Great Expectations suite {spec.origin} on {spec.table}.",
    )


def evaluate_suite(
    spec: SuiteSpec, con: duckdb.DuckDBPyConnection, log: DagsterLogManager, published_tables: dict[str, int]
) -> AssetCheckResult:
    """Run one suite on its table in the build file (``con``) and say what failed, with sample rows."""
    published_rows = published_tables.get(spec.table)
    (rows,) = con.execute(f"select count(*) from {spec.table}").fetchall()[0]
    outcome = validate_table(spec, con, published_rows=published_rows)
    for failure in outcome.failed:
        log.error(f"{spec.name}: {failure.summary()}; sample rows {failure.sample_rows}")
    metadata: dict[str, Any] = {
        "suite": spec.origin,
        "table": spec.table,
        "rows_validated": rows,
        "engine": "DuckDB SQL (GX expectation semantics)",
        "rows_published": published_rows if published_rows is not None else "none published",
        "expectations_evaluated": outcome.evaluated,
        "expectations_failed": len(outcome.failed),
    }
    if outcome.failed:
        metadata["failed_expectations"] = MetadataValue.md(
            "\n".join(f"- {failure.summary()}" for failure in outcome.failed)
        )
        metadata["sample_offending_rows"] = MetadataValue.json(
            {failure.summary(): failure.sample_rows for failure in outcome.failed}
        )
    key = gx_check_key(spec)
    return AssetCheckResult(
        asset_key=key.asset_key,
        check_name=key.name,
        passed=outcome.success,
        severity=AssetCheckSeverity.ERROR,
        metadata=metadata,
    )


def raw_suite_specs() -> dict[AssetKey, SuiteSpec]:
    """The raw tables' suites by the ingest asset they gate (run inside the ingest step)."""
    return {AssetKey(list(spec.asset_key)): spec for spec in raw_suites()}


def build_gx_checks() -> list[AssetChecksDefinition]:
    """The mart suites as one step of blocking checks after dbt (each its own check on its mart)."""
    specs = load_suite_specs()
    by_key = {gx_check_key(spec): spec for spec in specs}

    @multi_asset_check(
        name="gx_mart_suites",
        specs=[gx_check_spec(spec) for spec in specs],
        can_subset=True,
        description="Every mart's Great Expectations suite, as DuckDB queries on the build file.",
    )
    def gx_mart_suites(
        context: AssetCheckExecutionContext,
        refresh_lock: RefreshLock,  # reads the build file: never beside another refresh
        warehouse: WarehouseConfig,
    ) -> Iterator[AssetCheckResult]:
        settings = warehouse.resolve()
        published_tables = read_manifest(settings.published_db).get("tables", {})
        with connect(settings.build_db, read_only=True) as con:
            for key, spec in by_key.items():
                if key in context.selected_asset_check_keys:
                    yield evaluate_suite(spec, con, context.log, published_tables)

    return [gx_mart_suites]
