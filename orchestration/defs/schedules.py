"""The nightly refresh job and its schedule."""

from dagster import (
    AssetSelection,
    DefaultScheduleStatus,
    ScheduleDefinition,
    define_asset_job,
    in_process_executor,
)

from orchestration.settings import nightly_cron, schedule_running_by_default

NIGHTLY_JOB_NAME = "nightly_refresh"
#: The tag Dagster's run queue limits to one run at a time (deploy/dagster.yaml).
WRITES_WAREHOUSE_TAG = {"mission_tracker/writes": "warehouse"}

# In-process: DuckDB allows one writer per file, and on 2 cores the multiprocess executor only adds
# start-up cost (STACK.md). Every asset and every check: ingest, dbt build, GX gates, publish.
nightly_refresh_job = define_asset_job(
    name=NIGHTLY_JOB_NAME,
    selection=AssetSelection.all(),
    executor_def=in_process_executor,
    tags=WRITES_WAREHOUSE_TAG,
    description=(
        "Ingest every source, build and test the dbt models, run the GX gates, publish, "
        "then write the report and exports."
    ),
)

# RUNNING only where a daemon is meant to run it (`mission-tracker serve` sets MISSION_TRACKER_SCHEDULE);
# STOPPED under the dev UI and in tests, so opening the UI never starts a nightly by surprise.
nightly_refresh_schedule = ScheduleDefinition(
    name="nightly_refresh_0200_london",
    job=nightly_refresh_job,
    cron_schedule=nightly_cron(),
    execution_timezone="Europe/London",
    default_status=(
        DefaultScheduleStatus.RUNNING if schedule_running_by_default() else DefaultScheduleStatus.STOPPED
    ),
    tags=WRITES_WAREHOUSE_TAG,
    description=(
        "The nightly refresh at 02:00 UK time (GMT or BST; MISSION_TRACKER_NIGHTLY_CRON changes it). "
        "Running by default under `mission-tracker serve` (webserver + daemon), stopped under `make ui`."
    ),
)
