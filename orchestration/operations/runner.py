"""Running the nightly refresh in-process: the library behind `mission-tracker refresh` (and the tests).

``run_refresh`` takes the warehouse's refresh lock, runs the nightly job (or the part of it downstream
of some sources) against the persistent Dagster instance, and returns a ``RefreshSummary``: the
sources loaded, the checks passed, failed or warned, the publish or "nothing new", and on failure the
alert it left and the observation that the published warehouse is unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from orchestration.operations.alerts import step_failure_message
from orchestration.settings import Settings, dagster_instance, get_settings


@dataclass
class RefreshSummary:
    success: bool
    sources: list[str] = field(default_factory=list)
    checks_passed: list[str] = field(default_factory=list)
    checks_failed: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    published: str | None = None
    run_id: str | None = None
    checks_warned: list[str] = field(default_factory=list)  # non-blocking warnings (freshness)
    nothing_new: str | None = None  # set when the run found nothing new to publish
    alert: str | None = None  # the alert file a failed run left
    stale_lock: str | None = None  # a dead refresh's lock record, cleared when this one started


def summarise(result) -> RefreshSummary:  # result: dagster ExecuteInProcessResult
    from orchestration.defs.assets.ingest import is_ingest_key

    summary = RefreshSummary(success=result.success, run_id=result.run_id)
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            materialization = event.event_specific_data.materialization
            key = materialization.asset_key.path
            metadata = {name: value.value for name, value in materialization.metadata.items()}
            if is_ingest_key(key):
                state = "unchanged" if metadata.get("unchanged") else "loaded"
                summary.sources.append(
                    f"{key[-1]}: {state}, {metadata.get('dagster/row_count')} rows, "
                    f"periods {metadata.get('periods')}"
                )
            elif key == ["published_warehouse"]:
                summary.published = f"{metadata['path']} (sha256 {str(metadata['sha256'])[:12]})"
        elif event.event_type_value == "ASSET_OBSERVATION":
            observation = event.event_specific_data.asset_observation
            metadata = {name: value.value for name, value in observation.metadata.items()}
            if observation.asset_key.path == ["published_warehouse"] and metadata.get("nothing_new"):
                summary.nothing_new = (
                    f"as published at {metadata['published_at']} (sha256 {str(metadata['sha256'])[:12]})"
                )
        elif event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
            if evaluation.passed:
                summary.checks_passed.append(name)
            elif evaluation.severity.value == "WARN":
                summary.checks_warned.append(name)
            else:
                summary.checks_failed.append(name)
        elif event.event_type_value == "STEP_FAILURE":
            summary.failures.append(f"{event.step_key}: {step_failure_message(event)}")
        elif event.event_type_value == "RESOURCE_INIT_FAILURE":  # e.g. the refresh lock not taken
            error = event.event_specific_data.error
            while error is not None and error.cause is not None:
                error = error.cause
            message = error.message.strip() if error else event.message
            # Dagster prefixes the exception's class ("orchestration.operations.refresh_lock.Refresh...: ")
            summary.failures.append(f"run setup: {_QUALIFIED_CLASS.sub('', message, count=1)}")
    return summary


def run_refresh(
    settings: Settings | None = None,
    *,
    quiet_logs: bool = True,
    sources: Sequence[str] = (),
    progress: bool = False,
    wait_seconds: float | None = None,
) -> RefreshSummary:
    """Run the nightly job in-process against the persistent Dagster instance.

    ``sources`` restricts the run to those sources' ingest assets and everything downstream of them
    (the dbt models they feed, the marts and publish), plus every blocking check in the graph, so that
    what it publishes is fully checked: a partial refresh, as for a late-arriving file. The other raw
    tables are taken as they are in the build.

    Only one refresh runs per warehouse: the refresh lock is taken first (waiting up to
    ``wait_seconds``, default MISSION_TRACKER_REFRESH_WAIT); RefreshAlreadyRunning when it stays taken.
    """
    import uuid

    from orchestration.operations.refresh_lock import refresh_lock

    settings = settings or get_settings()
    run_id = str(uuid.uuid4())
    wait = settings.refresh_wait if wait_seconds is None else wait_seconds
    with refresh_lock(settings.warehouse_dir, run_id=run_id, wait_seconds=wait) as held:
        summary = _execute_refresh(
            settings, run_id, quiet_logs=quiet_logs, sources=sources, progress=progress
        )
    if held.stale is not None:
        summary.stale_lock = held.stale.describe()
    return summary


def _execute_refresh(
    settings: Settings, run_id: str, *, quiet_logs: bool, sources: Sequence[str], progress: bool
) -> RefreshSummary:
    from dagster import AssetKey, AssetSelection

    from orchestration.build.dbt_cli import prepare_manifest

    prepare_manifest()  # the explicit step: render the catalogue's dbt files, parse if anything changed
    from orchestration.definitions import configured_resources, defs
    from orchestration.defs.assets.publish import record_unchanged
    from orchestration.defs.gates import blocking_checks_upstream
    from orchestration.defs.schedules import NIGHTLY_JOB_NAME

    loggers: dict = {"console": {"config": {"log_level": "WARNING" if quiet_logs else "DEBUG"}}}
    if progress:  # the terminal gets one line per step; every event and trace goes to standard output
        loggers = {
            "console": {"config": {"log_level": "CRITICAL"}},
            "run_log": {"config": {"log_level": "INFO"}},
            "progress": {},
        }
    run_config = {"loggers": loggers}
    job = defs.resolve_job_def(NIGHTLY_JOB_NAME)
    if sources:
        graph = defs.resolve_asset_graph()
        roots = AssetSelection.assets(*(AssetKey(["raw", source]) for source in sources))
        selected = set(roots.downstream().resolve(graph))
        # every check the publish step requires, besides the selected assets' own
        checks = set(graph.get_check_keys_for_assets(selected)) | blocking_checks_upstream(defs)
        job = job.get_subset(asset_selection=selected, asset_check_selection=checks)
    with dagster_instance() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            run_config=run_config,
            run_id=run_id,
            resources=configured_resources(settings),  # the configuration the caller read, passed in
        )
        if not result.success:
            record_unchanged(instance, settings, result.run_id)
    summary = summarise(result)
    if not summary.success:  # the sensor alerts too when the daemon runs; one file per run either way
        from orchestration.operations.alerts import write_alert

        alert = write_alert(settings, result.run_id, NIGHTLY_JOB_NAME, summary.failures)
        summary.alert = f"{alert.path} (webhook: {alert.webhook_status})"
    return summary


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_QUALIFIED_CLASS = re.compile(r"^(?:[A-Za-z_]\w*\.)+[A-Z]\w*: ")


def failure_line(failure: str) -> str:
    """A step failure on one line for the terminal: a Failure's own description is one already; a dbt
    run's error is its first error as dbt reported it (the traces are in the log)."""
    text = _ANSI.sub("", failure)
    step, _, message = text.partition(": ")
    if "Errors parsed from dbt logs:" in message:
        parsed = message.split("Errors parsed from dbt logs:", 1)[1]
        first = next((line.strip() for line in parsed.splitlines() if line.strip()), "")
        return f"{step}: dbt reported {first}" if first else f"{step}: the dbt build failed"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[0] if lines else text


def unchanged_since_publish(settings) -> dict | None:
    """The published manifest when nothing can be new, decided without Dagster, dbt or GX.

    Only in bundled mode (a live night must ask the publishers first): every catalogue source's
    bundled file has the checksum the published version was built from, no model, seed, suite or line
    of code changed (the same inputs fingerprint a publish records), and the published file is intact.
    Anything else returns None and the refresh runs as a Dagster job.
    """
    from orchestration.ingest.sources.catalogue import load_catalogue, source_checksum
    from orchestration.settings import PROJECT_ROOT
    from orchestration.warehouse.files import sha256_of
    from orchestration.warehouse.publishing import fingerprint_of, read_manifest

    if settings.source_mode != "bundled" or not settings.published_db.exists():
        return None
    manifest = read_manifest(settings.published_db)
    if not manifest.get("inputs_fingerprint"):
        return None
    checksums = {
        source.id: source_checksum(source, settings.bundled_dir / source.bundled_path, settings.bundled_dir)
        for source in load_catalogue()
    }
    if not all(checksums.values()):  # a file is missing: let the ingest asset fail and say so
        return None
    if fingerprint_of(checksums, PROJECT_ROOT) != manifest["inputs_fingerprint"]:
        return None
    return manifest if sha256_of(settings.published_db) == manifest.get("sha256") else None
