"""The run-failure sensor: every failed run leaves an alert (file, log line, optional webhook), and an
observation on published_warehouse saying which version analysts are still reading."""

from dagster import DefaultSensorStatus, RunFailureSensorContext, run_failure_sensor

from orchestration.defs.assets.publish import record_unchanged
from orchestration.defs.resources import WarehouseConfig
from orchestration.operations.alerts import step_failure_message, write_alert


def failure_messages(context: RunFailureSensorContext) -> list[str]:
    messages = [f"{e.step_key}: {step_failure_message(e)}" for e in context.get_step_failure_events()]
    return messages or [context.failure_event.message or "the run failed"]


@run_failure_sensor(
    name="alert_on_run_failure",
    default_status=DefaultSensorStatus.RUNNING,
    description="Writes warehouse/alerts/<run id>.json and a line in alerts.log (and POSTs the webhook "
    "if MISSION_TRACKER_ALERT_WEBHOOK is set) for every failed run, and records on published_warehouse "
    "that the published version is unchanged.",
)
def alert_on_run_failure(context: RunFailureSensorContext, warehouse: WarehouseConfig) -> None:
    run = context.dagster_run
    settings = warehouse.resolve()
    result = write_alert(settings, run.run_id, run.job_name, failure_messages(context))
    record_unchanged(context.instance, settings, run.run_id)
    context.log.info(f"alert for run {run.run_id}: {result.path} (webhook: {result.webhook_status})")
