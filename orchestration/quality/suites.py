"""Great Expectations suites: one per raw table, built from the catalogue
(orchestration/quality/raw_suites.py), and one per mart (expectations/marts/*.json); run as blocking
asset checks by orchestration/defs/checks/great_expectations.py.

A mart suite file names the table it gates and the asset that makes the table:

    {"name": "fct_area_year_metrics", "table": "main.fct_area_year_metrics",
     "asset_key": ["fct_area_year_metrics"], "blocking": true,
     "expectations": [{"type": "expect_...", "kwargs": {...}, "meta": {"why": "..."}}]}

A check runs the expectations as DuckDB queries on the table in the *build* file
(orchestration/quality/sql_checks.py), because GX's SQL datasource does not work on DuckDB and a
pandas copy of a whole table grows with it. ``validate_frame`` below runs the same suite with GX 1.x
on a pandas frame: the reference the SQL is held to (tests/quality/test_quality.py). Values known
only at run time are GX suite parameters (``{"$PARAMETER": "current_year"}``), given at validation:
``current_year``, ``today``, and ``min_rows_vs_published`` (the published warehouse's row count for
the table, less the suite's ``max_row_drop`` share, read from the manifest written at publish; 1 when
nothing is published).
"""

import json
import math
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from orchestration.settings import EXPECTATIONS_DIR

SAMPLE_ROWS = 5


@dataclass(frozen=True)
class SuiteSpec:
    name: str
    table: str
    asset_key: tuple[str, ...]
    blocking: bool
    description: str
    expectations: tuple[dict[str, Any], ...]
    origin: str  # where the suite is defined: a suite file, or the catalogue source it follows from
    max_row_drop: float = 0.2


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


def load_suite_specs(directory: Path = EXPECTATIONS_DIR / "marts") -> list[SuiteSpec]:
    """The hand-written mart suites."""
    specs = []
    for path in sorted(directory.rglob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        specs.append(
            SuiteSpec(
                name=document["name"],
                table=document["table"],
                asset_key=tuple(document["asset_key"]),
                blocking=bool(document.get("blocking", True)),
                description=document.get("description", ""),
                expectations=tuple(document["expectations"]),
                origin=str(path.relative_to(EXPECTATIONS_DIR.parent)),
                max_row_drop=float(document.get("max_row_drop", 0.2)),
            )
        )
    return specs


def run_time_parameters(spec: SuiteSpec, today: date, published_rows: int | None) -> dict[str, Any]:
    """The values of the suite parameters (GX's own ``{"$PARAMETER": name}``) for this run."""
    floor_rows = 1 if not published_rows else max(1, math.ceil(published_rows * (1 - spec.max_row_drop)))
    return {"current_year": today.year, "today": today.isoformat(), "min_rows_vs_published": floor_rows}


@cache
def _gx_context() -> Any:
    """One ephemeral GX context per process (creating one costs ~0.3 s; a refresh runs ~50 suites)."""
    import great_expectations as gx  # imported here: ~4 s, only when a check runs
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    context.data_sources.add_pandas("pandas")
    return context


def _sample(frame: pd.DataFrame, indexes: list[Any] | None) -> list[dict[str, Any]]:
    if not indexes:
        return []
    rows = frame.loc[[index for index in indexes[:SAMPLE_ROWS] if index in frame.index]]
    return json.loads(rows.to_json(orient="records", date_format="iso"))


def validate_frame(
    spec: SuiteSpec, frame: pd.DataFrame, today: date | None = None, published_rows: int | None = None
) -> ValidationOutcome:
    """Run the suite on a DataFrame (GX 1.x, pandas datasource)."""
    import great_expectations as gx

    parameters = run_time_parameters(spec, today or date.today(), published_rows)
    expectations = [dict(item) for item in spec.expectations]
    context = _gx_context()
    suite = context.suites.add_or_update(gx.ExpectationSuite(name=spec.name, expectations=expectations))
    source = context.data_sources.get("pandas")
    try:
        asset = source.get_asset(spec.name)
    except LookupError:
        asset = source.add_dataframe_asset(name=spec.name)
    try:
        batch_definition = asset.get_batch_definition("whole")
    except (KeyError, LookupError):
        batch_definition = asset.add_batch_definition_whole_dataframe("whole")
    result = batch_definition.get_batch(batch_parameters={"dataframe": frame}).validate(
        suite,
        result_format={"result_format": "SUMMARY", "partial_unexpected_count": SAMPLE_ROWS},
        expectation_parameters=parameters,
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
