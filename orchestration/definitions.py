"""The Dagster code location: one Definitions object assembled from the modules beside it."""

from dagster import Definitions, colored_console_logger, in_process_executor

from orchestration.assets.dbt import dbt_models, dbt_resource
from orchestration.assets.deliver import area_profiles, scorecard_report, warehouse_exports
from orchestration.assets.ingest import build_ingest_assets
from orchestration.assets.publish import published_warehouse
from orchestration.assets.vintages import record_vintages
from orchestration.checks.freshness import source_freshness
from orchestration.checks.great_expectations import build_gx_checks
from orchestration.progress import progress_logger
from orchestration.resources import RefreshLock, SourceFetcher
from orchestration.schedules import nightly_refresh_job, nightly_refresh_schedule
from orchestration.sensors import alert_on_run_failure

defs = Definitions(
    assets=[
        *build_ingest_assets(),
        record_vintages,
        dbt_models,
        published_warehouse,
        warehouse_exports,
        scorecard_report,
        area_profiles,
    ],
    asset_checks=[*build_gx_checks(), source_freshness],
    jobs=[nightly_refresh_job],
    schedules=[nightly_refresh_schedule],
    sensors=[alert_on_run_failure],
    resources={"dbt": dbt_resource(), "fetcher": SourceFetcher(), "refresh_lock": RefreshLock()},
    loggers={"console": colored_console_logger, "progress": progress_logger},
    # Every run the UI can launch ("Materialize all", a selection, a re-execution) runs in one process:
    # the build DuckDB file takes one writer, so steps in parallel processes would collide on its lock.
    executor=in_process_executor,
)
