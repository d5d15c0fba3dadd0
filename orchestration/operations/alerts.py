"""Alerts for failed runs: a JSON file per run, a line in alerts.log, and an optional webhook.

Written by the run-failure sensor (when the Dagster daemon runs, e.g. under `make ui`) and by
`mission-tracker refresh` itself when its in-process run fails. The file is named after the run, so
a run alerted by both is written once. The webhook (``MISSION_TRACKER_ALERT_WEBHOOK``) gets the same
JSON by POST; if it cannot be reached the alert file still stands and the failure to notify is logged.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from orchestration.settings import Settings

ALERT_LOG = "alerts.log"


def step_failure_message(event) -> str:
    """The most specific message of a STEP_FAILURE event: a Failure's description, else the error chain."""
    data = event.event_specific_data
    if data.user_failure_data is not None and data.user_failure_data.description:
        return data.user_failure_data.description
    messages = []
    error = data.error
    while error is not None:
        messages.append(error.message.strip())
        error = error.cause
    return " <- ".join(messages) or event.message


@dataclass(frozen=True)
class Alert:
    run_id: str
    job_name: str
    failed_at: str
    failures: list[str]
    published_warehouse: str
    published_unchanged: bool = True  # write-audit-publish: a failed run never publishes

    @property
    def line(self) -> str:
        first = self.failures[0] if self.failures else "no step failure recorded"
        more = f" (+{len(self.failures) - 1} more)" if len(self.failures) > 1 else ""
        return f"{self.failed_at} run {self.run_id} of {self.job_name} FAILED: {first}{more}"


@dataclass(frozen=True)
class AlertResult:
    path: Path
    new: bool
    webhook_status: str  # not configured | HTTP <code> | failed: <why>


def write_alert(settings: Settings, run_id: str, job_name: str, failures: list[str]) -> AlertResult:
    alert = Alert(
        run_id=run_id,
        job_name=job_name,
        failed_at=datetime.now(UTC).isoformat(timespec="seconds"),
        failures=failures,
        published_warehouse=str(settings.published_db),
    )
    folder = settings.alerts_dir
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{run_id}.json"
    if path.exists():
        return AlertResult(path, False, "already alerted")
    temporary = folder / f".{run_id}.{os.getpid()}.tmp"
    temporary.write_text(json.dumps(asdict(alert), indent=2), encoding="utf-8")
    os.replace(temporary, path)
    with (folder / ALERT_LOG).open("a", encoding="utf-8") as log:
        log.write(alert.line + "\n")
    return AlertResult(path, True, _post(settings.alert_webhook, asdict(alert)))


def _post(url: str | None, payload: dict) -> str:
    if not url:
        return "not configured"
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode("utf-8"),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return f"HTTP {response.status}"
    except (urllib.error.URLError, OSError) as exc:
        return f"failed: {exc}"
