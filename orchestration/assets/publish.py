"""The publish step of write-audit-publish: the checked build replaces the published warehouse."""

from collections.abc import Iterator

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from orchestration.assets.dbt import mart_model_names
from orchestration.assets.nothing_new import nothing_new_observation
from orchestration.settings import PROJECT_ROOT, get_settings
from orchestration.warehouse import inputs_fingerprint, publish, published_is_current

#: The marts a publish waits for (every model under dbt's models/marts); their blocking checks
#: must pass first.
PUBLISHED_MARTS = mart_model_names()


@asset(
    key="published_warehouse",
    deps=[AssetKey(name) for name in PUBLISHED_MARTS],
    group_name="publish",
    kinds={"duckdb"},
    output_required=False,
    description=(
        "The published DuckDB warehouse analysts query (read-only). Runs only after every blocking "
        "check upstream passed; the build file is copied beside it and renamed into place "
        "atomically, and the replaced version is kept for `mission-tracker rollback`. When no source "
        "file and no model, suite or code changed since the last publish, it publishes nothing "
        "(an observation says so) and the report and exports are skipped."
    ),
)
def published_warehouse(context: AssetExecutionContext) -> Iterator[MaterializeResult]:
    settings = get_settings()
    fingerprint = inputs_fingerprint(settings.build_db, PROJECT_ROOT)
    if published_is_current(settings.published_db, fingerprint):  # the dbt step normally stops such a run
        message, observation = nothing_new_observation(settings)
        context.log.info(message)
        context.log_event(observation)
        return
    result = publish(
        settings.build_db,
        settings.published_db,
        settings.versions_dir,
        settings.keep_versions,
        fingerprint=fingerprint,
    )
    context.log.info(
        f"published {result.path} ({result.size_bytes / 1e6:.1f} MB, sha256 {result.sha256[:12]}); "
        f"previous version kept at {result.previous}"
    )
    yield MaterializeResult(
        metadata={
            "inputs_fingerprint": fingerprint,
            "path": MetadataValue.path(str(result.path)),
            "sha256": result.sha256,
            "size_bytes": result.size_bytes,
            "previous_version": str(result.previous) if result.previous else "none",
            "mart_tables": ", ".join(name for name in result.tables if name.startswith("main.")),
            "fct_area_year_metrics_rows": result.tables.get("main.fct_area_year_metrics", 0),
            "table_row_counts": MetadataValue.json(result.tables),
        }
    )
