"""The publish step of write-audit-publish: the checked build replaces the published warehouse.

Whatever launched the run (the nightly job, a selection or "Materialize all" in the UI, a
re-execution), a publish happens only when *this run* evaluated every blocking check upstream of the
published warehouse and each passed. A run that skipped some (a selection of a few assets, a
re-execution from a failed step) changes nothing: the step fails, naming the checks it did not see.
"""

from collections.abc import Iterator

from dagster import (
    AssetCheckKey,
    AssetExecutionContext,
    AssetKey,
    AssetObservation,
    DagsterEventType,
    DagsterInstance,
    Failure,
    MaterializeResult,
    MetadataValue,
    ResourceParam,
    asset,
)

from orchestration.build.dbt_cli import mart_model_names
from orchestration.defs.assets.nothing_new import PUBLISHED_KEY, nothing_new_observation
from orchestration.defs.resources import RefreshLock, WarehouseConfig
from orchestration.settings import DATA_TEAM, PROJECT_ROOT, Settings
from orchestration.warehouse.publishing import (
    inputs_fingerprint,
    publish,
    published_is_current,
    read_manifest,
)

#: The marts a publish waits for (every model under dbt's models/marts); their blocking checks
#: must pass first.
PUBLISHED_MARTS = mart_model_names()


def checks_passed_in_run(instance: DagsterInstance, run_id: str) -> set[AssetCheckKey]:
    """The check keys one run evaluated and saw pass."""
    return {
        entry.dagster_event.event_specific_data.asset_check_key
        for entry in instance.all_logs(run_id, of_type=DagsterEventType.ASSET_CHECK_EVALUATION)
        if entry.dagster_event.event_specific_data.passed
    }


def unchecked_in_this_run(context: AssetExecutionContext, required: frozenset[AssetCheckKey]) -> list[str]:
    """Blocking checks upstream that this run did not see pass (empty: the build is fully checked).

    The set to see is the code location's (``publish_gates``, computed where the definitions are
    assembled): a subset run's own graph holds only what it selected."""
    passed = checks_passed_in_run(context.instance, context.run_id)
    return sorted(key.to_user_string() for key in required - passed)


@asset(
    key="published_warehouse",
    deps=[AssetKey(name) for name in PUBLISHED_MARTS],
    group_name="publish",
    kinds={"duckdb"},
    owners=[DATA_TEAM],
    tags={"layer": "publish"},
    output_required=False,
    description=(
        "The published DuckDB warehouse analysts query (read-only). Runs only after every blocking "
        "check upstream passed in the same run; the build file is copied beside it and renamed into "
        "place atomically, and the replaced version is kept for `mission-tracker rollback`. When no "
        "source file and no model, suite or code changed since the last publish, it publishes nothing "
        "(an observation says so) and the report and exports are skipped. A run that fails anywhere "
        "records an observation here saying the published warehouse was left unchanged."
    ),
)
def published_warehouse(
    context: AssetExecutionContext,
    refresh_lock: RefreshLock,  # held for the whole run: never beside another refresh
    publish_gates: ResourceParam[frozenset[AssetCheckKey]],
    warehouse: WarehouseConfig,
) -> Iterator[MaterializeResult]:
    settings = warehouse.resolve()
    fingerprint = inputs_fingerprint(settings.build_db, PROJECT_ROOT)
    if published_is_current(settings.published_db, fingerprint):  # the dbt step normally stops such a run
        message, observation = nothing_new_observation(settings)
        context.log.info(message)
        context.log_event(observation)
        return
    missing = unchecked_in_this_run(context, publish_gates)
    if missing:
        shown = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
        raise Failure(
            description=(
                f"not published: this run did not evaluate {len(missing)} blocking check(s) upstream of the "
                f"published warehouse ({shown}); the published warehouse is unchanged. Publish with a run "
                "of the whole graph: the nightly_refresh job, or `mission-tracker refresh`."
            ),
            metadata={"unchecked": MetadataValue.json(missing)},
        )
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


def unchanged_observation(settings: Settings, run_id: str) -> AssetObservation:
    """What analysts are reading after a run that failed: the published version it left alone."""
    manifest = read_manifest(settings.published_db)
    exists = settings.published_db.exists()
    description = (
        f"unchanged by run {run_id}: analysts still read the version published at "
        f"{manifest.get('published_at')} (sha256 {str(manifest.get('sha256'))[:12]})"
        if exists
        else f"run {run_id} failed and nothing has been published yet"
    )
    return AssetObservation(
        asset_key=PUBLISHED_KEY,
        description=description,
        metadata={
            "unchanged_by_run": run_id,
            "published": exists,
            "path": MetadataValue.path(str(settings.published_db)),
            "published_at": str(manifest.get("published_at", "never")),
            "sha256": str(manifest.get("sha256", "none")),
            "version": str(manifest.get("sha256", "none"))[:12],
            "previous_version": str(manifest.get("previous_version")),
        },
    )


def record_unchanged(instance: DagsterInstance, settings: Settings, run_id: str) -> AssetObservation:
    """Record on published_warehouse (outside any run) that a failed run left it as it was."""
    observation = unchanged_observation(settings, run_id)
    instance.report_runless_asset_event(observation)
    return observation
