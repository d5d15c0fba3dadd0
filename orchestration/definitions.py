"""The Dagster code location: one Definitions object assembled from the modules beside it."""

from dagster import Definitions

from orchestration.assets.dbt import dbt_models, dbt_resource
from orchestration.assets.ingest import build_ingest_assets
from orchestration.assets.publish import published_warehouse
from orchestration.checks.great_expectations import build_gx_checks
from orchestration.schedules import nightly_refresh_job, nightly_refresh_schedule

defs = Definitions(
    assets=[*build_ingest_assets(), dbt_models, published_warehouse],
    asset_checks=build_gx_checks(),
    jobs=[nightly_refresh_job],
    schedules=[nightly_refresh_schedule],
    resources={"dbt": dbt_resource()},
)
