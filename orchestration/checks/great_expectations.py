"""Great Expectations suites (expectations/*.json) as blocking Dagster asset checks.

A suite file names the table it gates and the asset that makes the table:

    {"name": "fct_area_year_metrics", "table": "main.fct_area_year_metrics",
     "asset_key": ["fct_area_year_metrics"], "blocking": true,
     "expectations": [{"type": "expect_...", "kwargs": {...}, "meta": {"why": "..."}}]}

The check reads the table from the *build* DuckDB file through a short-lived read-only connection
into pandas and validates it with GX 1.x (GX's SQL datasource does not work on DuckDB). A failed
blocking check stops the publish step, and its metadata lists each failed expectation with sample
offending rows. The tokens ``$current_year`` and ``$today`` in kwargs are replaced at run time.
"""

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    MetadataValue,
    asset_check,
)

from orchestration.settings import EXPECTATIONS_DIR, get_settings
from orchestration.warehouse import connect

SAMPLE_ROWS = 5


@dataclass(frozen=True)
class SuiteSpec:
    name: str
    table: str
    asset_key: tuple[str, ...]
    blocking: bool
    description: str
    expectations: tuple[dict[str, Any], ...]
    path: Path


@dataclass
class FailedExpectation:
    expectation: str
    kwargs: dict[str, Any]
    unexpected_count: int | None
    observed_value: Any
    sample_rows: list[dict[str, Any]] = field(default_factory=list)

    def summary(self) -> str:
        column = self.kwargs.get("column") or self.kwargs.get("column_list") or ""
        detail = (
            f"{self.unexpected_count} unexpected rows"
            if self.unexpected_count is not None
            else f"observed {self.observed_value!r}"
        )
        condition = f" where {self.kwargs['row_condition']}" if "row_condition" in self.kwargs else ""
        return f"{self.expectation}({column}){condition}: {detail}"


@dataclass
class ValidationOutcome:
    success: bool
    evaluated: int
    failed: list[FailedExpectation]


def load_suite_specs(directory: Path = EXPECTATIONS_DIR) -> list[SuiteSpec]:
    specs = []
    for path in sorted(directory.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        specs.append(
            SuiteSpec(
                name=document["name"],
                table=document["table"],
                asset_key=tuple(document["asset_key"]),
                blocking=bool(document.get("blocking", True)),
                description=document.get("description", ""),
                expectations=tuple(document["expectations"]),
                path=path,
            )
        )
    return specs


def _substitute(value: Any, today: date) -> Any:
    if value == "$current_year":
        return today.year
    if value == "$today":
        return today.isoformat()
    if isinstance(value, dict):
        return {key: _substitute(item, today) for key, item in value.items()}
    if isinstance(value, list):
        return [_substitute(item, today) for item in value]
    return value


def _sample(frame: pd.DataFrame, indexes: list[Any] | None) -> list[dict[str, Any]]:
    if not indexes:
        return []
    rows = frame.loc[[index for index in indexes[:SAMPLE_ROWS] if index in frame.index]]
    return json.loads(rows.to_json(orient="records", date_format="iso"))


def validate_frame(spec: SuiteSpec, frame: pd.DataFrame, today: date | None = None) -> ValidationOutcome:
    """Run the suite on a DataFrame with an ephemeral GX context."""
    import great_expectations as gx  # imported here: ~4 s, only when a check runs
    from great_expectations.data_context.types.base import ProgressBarsConfig

    today = today or date.today()
    expectations = [
        {**item, "kwargs": _substitute(item.get("kwargs", {}), today)} for item in spec.expectations
    ]
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    suite = context.suites.add(gx.ExpectationSuite(name=spec.name, expectations=expectations))
    batch_definition = (
        context.data_sources.add_pandas("pandas")
        .add_dataframe_asset(name=spec.name)
        .add_batch_definition_whole_dataframe("whole")
    )
    result = batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(
        suite, result_format={"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_ROWS}
    )
    failed = [
        FailedExpectation(
            expectation=item.expectation_config.type,
            kwargs=dict(item.expectation_config.kwargs),
            unexpected_count=item.result.get("unexpected_count"),
            observed_value=item.result.get("observed_value"),
            sample_rows=_sample(frame, item.result.get("partial_unexpected_index_list")),
        )
        for item in result.results
        if not item.success
    ]
    return ValidationOutcome(success=bool(result.success), evaluated=len(result.results), failed=failed)


def read_table(db: Path, table: str) -> pd.DataFrame:
    with connect(db, read_only=True) as con:
        return con.execute(f"select * from {table}").df()


def build_gx_check(spec: SuiteSpec) -> AssetChecksDefinition:
    @asset_check(
        asset=AssetKey(list(spec.asset_key)),
        name=f"gx_{spec.name}",
        blocking=spec.blocking,
        description=spec.description or f"Great Expectations suite {spec.path.name} on {spec.table}.",
    )
    def _check(context: AssetCheckExecutionContext) -> AssetCheckResult:
        frame = read_table(get_settings().build_db, spec.table)
        outcome = validate_frame(spec, frame)
        for failure in outcome.failed:
            context.log.error(f"{spec.name}: {failure.summary()}; sample rows {failure.sample_rows}")
        metadata: dict[str, Any] = {
            "suite": spec.path.name,
            "table": spec.table,
            "rows_validated": len(frame),
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
    return [build_gx_check(spec) for spec in load_suite_specs()]
