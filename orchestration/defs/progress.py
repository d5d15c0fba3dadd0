"""A Dagster logger that prints one line per meaningful step of a refresh (for `mission-tracker refresh`).

Dagster's console logger prints every engine event; an analyst running the nightly job by hand wants
to see each source load, the dbt build, every failed gate and the publish, as they happen.
"""

import logging
import sys
import time

from dagster import logger

from orchestration.defs.assets.ingest import is_ingest_key

#: The attribute Dagster's log manager gives each record it hands a job's loggers: the run, step and
#: event. Read by name, as Dagster's own JSON console logger serialises it (no private import); if a
#: release renames it, tests/warehouse/test_refresh.py's progress test fails (no line would be printed).
DAGSTER_RECORD_ATTRIBUTE = "dagster_meta"


class ProgressHandler(logging.Handler):
    def __init__(self, stream=None) -> None:
        super().__init__(level=logging.DEBUG)
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.checks_passed = 0
        self.checks_warned = 0
        self.nothing_new = False
        self.models = 0

    def _say(self, symbol: str, text: str) -> None:
        self.stream.write(f"  [{time.monotonic() - self.started:6.1f}s] {symbol} {text}\n")
        self.stream.flush()

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, DAGSTER_RECORD_ATTRIBUTE, None) or {}
        event = meta.get("dagster_event")
        if event is None:
            return
        kind = event.event_type_value
        step = event.step_key or ""
        if kind == "STEP_START" and step == "dbt_models":
            self._say(">", "dbt build: seeds, staging, intermediate and mart models, dbt tests ...")
        elif kind == "ASSET_MATERIALIZATION":
            materialization = event.event_specific_data.materialization
            path = materialization.asset_key.path
            metadata = {name: value.value for name, value in materialization.metadata.items()}
            if is_ingest_key(path):
                state = "unchanged" if metadata.get("unchanged") else "loaded"
                rows = metadata.get("dagster/row_count")
                fetch = metadata.get("fetch")
                self._say(
                    "+",
                    f"ingest {path[-1]}: {state}"
                    + (f", {rows:,} rows" if isinstance(rows, int) else "")
                    + (f" (fetch: {fetch})" if fetch != "bundled" else ""),
                )
            elif step == "dbt_models":
                self.models += 1
            elif path == ["published_warehouse"]:
                self._say("+", f"published {metadata.get('path')}")
            elif path == ["scorecard_report"]:
                self._say("+", f"report {metadata.get('path')}")
            elif path == ["area_profiles"]:
                self._say(
                    "+",
                    f"profiles {metadata.get('folder')} ({metadata.get('profiles')} local authorities, "
                    f"{metadata.get('build_seconds')} s)",
                )
            elif path == ["warehouse_exports"]:
                self._say("+", f"exports {metadata.get('folder')} ({metadata.get('tables')} marts)")
        elif kind == "STEP_SUCCESS" and step == "dbt_models" and not self.nothing_new:
            self._say("+", f"dbt build done: {self.models} models and seeds materialised")
        elif kind == "ASSET_OBSERVATION":
            observation = event.event_specific_data.asset_observation
            if observation.asset_key.path == ["published_warehouse"]:
                self.nothing_new = True
                self._say(
                    "=",
                    "nothing new since the last publish: dbt build, mart checks, publish, report, "
                    "profiles and exports skipped; the published warehouse stands",
                )
        elif kind == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if evaluation.passed:
                self.checks_passed += 1
            elif evaluation.severity.value == "WARN":
                self.checks_warned += 1
            else:
                self._say(
                    "x", f"check failed: {evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
                )
        elif kind == "STEP_FAILURE":
            self._say("x", f"step failed: {step} (why: in the summary below; the trace: in the log)")
        elif kind == "STEP_SKIPPED" and not self.nothing_new:
            self._say("-", f"skipped: {step}")


class _CurrentStdout(logging.StreamHandler):
    """A handler that writes to whatever ``sys.stdout`` is when a record arrives (the CLI points it at
    the refresh's log file while the run lasts)."""

    def __init__(self) -> None:
        super().__init__(sys.stdout)
        self.setFormatter(logging.Formatter("%(asctime)s - %(levelname)s - %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.stream = sys.stdout
        super().emit(record)


@logger(
    {"log_level": str},
    description="Every Dagster event with its full message and traces, as plain text on standard output "
    "(the CLI's refresh log file): the console logger's output without colours.",
)
def run_log_logger(init_context):
    log = logging.Logger("mission_tracker_run_log", level=init_context.logger_config["log_level"])
    log.addHandler(_CurrentStdout())
    return log


@logger(description="One line per source load, dbt build, failed gate and publish, on stderr.")
def progress_logger(init_context):
    log = logging.Logger("mission_tracker_progress", level=logging.DEBUG)
    log.addHandler(ProgressHandler())
    return log
