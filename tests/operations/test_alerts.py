"""Alerts: the run-failure sensor on a real failed run in the Dagster instance, and the webhook on a
real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json

from dagster import DagsterEventType, DagsterInstance, build_run_status_sensor_context, materialize

from orchestration.defs.assets.ingest import build_ingest_assets
from orchestration.defs.resources import WarehouseConfig
from orchestration.defs.sensors import alert_on_run_failure
from orchestration.ingest.sources.catalogue import get_source
from orchestration.operations.alerts import write_alert
from orchestration.settings import ALERT_WEBHOOK_VAR, get_settings
from tests.helpers import environment, ingest_resources, isolated_warehouse, poisoned_bundle, set_cell
from tests.loopback import LoopbackPublisher

HLE = get_source("healthy_life_expectancy")


def test_the_failure_sensor_writes_an_alert_naming_the_failed_step_and_problem(tmp_path):
    bundle = poisoned_bundle(tmp_path, HLE.bundled_path, set_cell(10, "observation", "sixty"))
    with isolated_warehouse(tmp_path / "warehouse", bundle), DagsterInstance.get() as instance:
        result = materialize(
            [*build_ingest_assets([HLE])],
            resources=ingest_resources(),
            instance=instance,
            raise_on_error=False,
        )
        assert not result.success
        run = instance.get_run_by_id(result.run_id)
        failure = next(e for e in result.all_events if e.event_type == DagsterEventType.RUN_FAILURE)
        context = build_run_status_sensor_context(
            sensor_name="alert_on_run_failure",
            dagster_event=failure,
            dagster_instance=instance,
            dagster_run=run,
            resources={"warehouse": WarehouseConfig()},
        ).for_run_failure()
        alert_on_run_failure(context)
        alert_on_run_failure(context)  # the daemon may see a run twice: one alert all the same
        folder = get_settings().alerts_dir
    alert = json.loads((folder / f"{result.run_id}.json").read_text())
    (message,) = alert["failures"]
    assert message.startswith("ingest_sources: raw/healthy_life_expectancy: ")
    assert "column 'observation'" in message and "line 10" in message and "'sixty'" in message
    assert len((folder / "alerts.log").read_text().splitlines()) == 1


def test_the_webhook_gets_the_alert_and_a_dead_webhook_does_not_lose_it(tmp_path):
    receiver = LoopbackPublisher(tmp_path).start()
    try:
        with (
            isolated_warehouse(tmp_path / "warehouse"),
            environment(**{ALERT_WEBHOOK_VAR: receiver.url("hook")}),
        ):
            sent = write_alert(get_settings(), "run-1", "nightly_refresh", ["dbt_models: a test failed"])
            receiver.faults["hook"] = ["500"]
            refused = write_alert(get_settings(), "run-2", "nightly_refresh", ["publish: disk full"])
    finally:
        receiver.stop()
    assert sent.webhook_status == "HTTP 204" and sent.path.exists()
    assert json.loads(receiver.posted[0])["failures"] == ["dbt_models: a test failed"]
    assert refused.webhook_status.startswith("failed: HTTP Error 500") and refused.path.exists()
