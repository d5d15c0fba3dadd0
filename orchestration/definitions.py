"""The Dagster code location: one Definitions object assembled from the modules beside it."""

from dagster import Definitions, colored_console_logger, in_process_executor

from orchestration.defs.assets.dbt import DbtParseAhead, dbt_models, dbt_resource
from orchestration.defs.assets.deliver import deliverables
from orchestration.defs.assets.ingest import build_ingest_assets
from orchestration.defs.assets.publish import published_warehouse
from orchestration.defs.assets.vintages import record_vintages
from orchestration.defs.checks.great_expectations import build_gx_checks
from orchestration.defs.checks.source_freshness import source_freshness
from orchestration.defs.gates import PLACEHOLDER, publish_gates_resource
from orchestration.defs.progress import progress_logger, run_log_logger
from orchestration.defs.resources import RefreshLock, SourceFetcher, WarehouseConfig
from orchestration.defs.schedules import nightly_refresh_job, nightly_refresh_schedule
from orchestration.defs.sensors import alert_on_run_failure
from orchestration.settings import Settings

ASSETS = [*build_ingest_assets(), record_vintages, dbt_models, published_warehouse, deliverables]
CHECKS = [*build_gx_checks(), source_freshness]
WAREHOUSE = WarehouseConfig()  # unset fields: the environment's, read when a run starts
RESOURCES = {
    "dbt": dbt_resource(),
    "dbt_parse": DbtParseAhead(),
    "fetcher": SourceFetcher(),
    "refresh_lock": RefreshLock(warehouse=WAREHOUSE),
    "warehouse": WAREHOUSE,
}


def configured_resources(settings: Settings) -> dict[str, object]:
    """The resources that carry configuration, built from ``settings`` (the CLI's): a run the CLI
    starts is given these, so it uses exactly the configuration the CLI read."""
    warehouse = WarehouseConfig.from_settings(settings)
    return {"warehouse": warehouse, "refresh_lock": RefreshLock(warehouse=warehouse)}


def asset_graph_definitions() -> Definitions:
    """The asset graph alone, which the publish gates are read from when a run starts (built on call:
    a code location holds one Definitions object at module scope)."""
    return Definitions(
        assets=ASSETS, asset_checks=CHECKS, resources={**RESOURCES, "publish_gates": PLACEHOLDER}
    )


defs = Definitions(
    assets=ASSETS,
    asset_checks=CHECKS,
    jobs=[nightly_refresh_job],
    schedules=[nightly_refresh_schedule],
    sensors=[alert_on_run_failure],
    resources={**RESOURCES, "publish_gates": publish_gates_resource(asset_graph_definitions)},
    loggers={"console": colored_console_logger, "progress": progress_logger, "run_log": run_log_logger},
    # Every run the UI can launch ("Materialize all", a selection, a re-execution) runs in one process:
    # the build DuckDB file takes one writer, so steps in parallel processes would collide on its lock.
    executor=in_process_executor,
)
