"""Every Great Expectations suite (orchestration/quality/suites.py) as a blocking Dagster asset check
on the asset that makes its table. The check runs the suite's expectations as DuckDB queries on the
table in the *build* file (orchestration/quality/sql_checks.py: GX's semantics, held to GX by
tests/test_quality.py), through a short-lived read-only connection; a failed blocking check stops the
publish step, and its metadata lists each failed expectation with sample offending rows."""

from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from orchestration.quality.sql_checks import validate_table
from orchestration.quality.suites import SuiteSpec, all_suites
from orchestration.settings import get_settings
from orchestration.warehouse import connect, read_manifest


def build_gx_check(spec: SuiteSpec) -> AssetChecksDefinition:
    @asset_check(
        asset=AssetKey(list(spec.asset_key)),
        name=f"gx_{spec.name}",
        blocking=spec.blocking,
        required_resource_keys={"refresh_lock"},  # reads the build file: never beside another refresh
        description=spec.description or f"Great Expectations suite {spec.origin} on {spec.table}.",
    )
    def _check(context: AssetCheckExecutionContext) -> AssetCheckResult:
        settings = get_settings()
        published_rows = read_manifest(settings.published_db).get("tables", {}).get(spec.table)
        with connect(settings.build_db, read_only=True) as con:
            (rows,) = con.execute(f"select count(*) from {spec.table}").fetchall()[0]
            outcome = validate_table(spec, con, published_rows=published_rows)
        for failure in outcome.failed:
            context.log.error(f"{spec.name}: {failure.summary()}; sample rows {failure.sample_rows}")
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
        return AssetCheckResult(passed=outcome.success, severity=AssetCheckSeverity.ERROR, metadata=metadata)

    return _check


def build_gx_checks() -> list[AssetChecksDefinition]:
    return [build_gx_check(spec) for spec in all_suites()]
