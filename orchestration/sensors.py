"""The run-failure sensor: every failed run leaves an alert (file, log line, optional webhook)."""

from dagster import DefaultSensorStatus, RunFailureSensorContext, run_failure_sensor

from orchestration.alerts import step_failure_message, write_alert
from orchestration.settings import get_settings


def failure_messages(context: RunFailureSensorContext) -> list[str]:
    messages = [f"{e.step_key}: {step_failure_message(e)}" for e in context.get_step_failure_events()]
    return messages or [context.failure_event.message or "the run failed"]


@run_failure_sensor(
    name="alert_on_run_failure",
    default_status=DefaultSensorStatus.RUNNING,
    description="Writes warehouse/alerts/<run id>.json and a line in alerts.log (and POSTs the webhook "
    "if MISSION_TRACKER_ALERT_WEBHOOK is set) for every failed run.",
)
def alert_on_run_failure(context: RunFailureSensorContext) -> None:
    run = context.dagster_run
    result = write_alert(get_settings(), run.run_id, run.job_name, failure_messages(context))
    context.log.info(f"alert for run {run.run_id}: {result.path} (webhook: {result.webhook_status})")
