"""The nightly refresh job and its schedule."""

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    ScheduleDefinition,
    define_asset_job,
    in_process_executor,
)

NIGHTLY_JOB_NAME = "nightly_refresh"

# In-process: DuckDB allows one writer per file, and on 2 cores the multiprocess executor only adds
# start-up cost (STACK.md). Every asset and every check: ingest, dbt build, GX gates, publish.
nightly_refresh_job = define_asset_job(
    name=NIGHTLY_JOB_NAME,
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    description=(
        "Ingest every source, build and test the dbt models, run the GX gates, publish, "
        "then write the report and exports."
    ),
)

nightly_refresh_schedule = ScheduleDefinition(
    name="nightly_refresh_0200_london",
    job=nightly_refresh_job,
    cron_schedule="0 2 * * *",
    execution_timezone="Europe/London",
    default_status=DefaultScheduleStatus.RUNNING,
    description="The nightly refresh at 02:00 UK time (GMT or BST).",
)
