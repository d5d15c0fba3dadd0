"""All configuration in one place: environment variables with safe defaults.

| variable | default | meaning |
|---|---|---|
| MISSION_TRACKER_WAREHOUSE_DIR | <repo>/warehouse | where the build and published DuckDB files live |
| MISSION_TRACKER_BUNDLED_DIR | <repo>/data/bundled | the bundled source snapshots |
| MISSION_TRACKER_KEEP_VERSIONS | 3 | published versions kept for rollback |
| MISSION_TRACKER_SOURCE_MODE | bundled | `bundled`: data/bundled snapshots; `live`: fetch publishers' files |
| MISSION_TRACKER_SOURCE_MIRROR | (none) | fetch live files from this base URL (same paths): a mirror |
| MISSION_TRACKER_FETCH_CONNECT_TIMEOUT | 10 | seconds to open a connection |
| MISSION_TRACKER_FETCH_READ_TIMEOUT | 60 | seconds of silence before a read fails |
| MISSION_TRACKER_FETCH_RETRIES | 3 | retries after a 5xx, a connection error, a timeout or a truncated body |
| MISSION_TRACKER_FETCH_BACKOFF | 2 | seconds before the second retry, then doubled (the first is at once) |
| MISSION_TRACKER_FETCH_MAX_MB | 200 | largest file accepted |
| MISSION_TRACKER_ALERT_WEBHOOK | (none) | URL a failed run's alert is POSTed to (JSON), besides the file |
| MISSION_TRACKER_REFRESH_WAIT | 0 | seconds a CLI refresh waits for a running one (0: stop, exit 75) |
| MISSION_TRACKER_RUN_LOCK_WAIT | 3600 | seconds a run the UI or schedule launches waits for a CLI refresh |
| MISSION_TRACKER_SCHEDULE | stopped | `running`: the nightly schedule starts on (`serve` sets it) |
| MISSION_TRACKER_NIGHTLY_CRON | 0 2 * * * | when the nightly schedule fires (Europe/London time) |
| MISSION_TRACKER_DAGSTER_PG_URL | (none) | PostgreSQL for Dagster's storage (else SQLite in DAGSTER_HOME) |
| MISSION_TRACKER_DUCKDB_MEMORY_LIMIT | 2GB | DuckDB's memory in a refresh and dbt; past it, it spills |
| DAGSTER_HOME | <repo>/.dagster_home | Dagster's instance, with dagster.yaml copied from deploy/ |

This module is the one place that reads the environment (:func:`get_settings`). Nothing else asks
it: the Dagster assets, checks, the failure sensor and the refresh lock are given their settings by
the ``warehouse`` resource (``orchestration.defs.resources.WarehouseConfig``: a field set on it wins,
an unset one is read from here when a run starts), the CLI reads the environment once and passes its
settings to each command and, as that resource, to the runs it starts, and dbt is given the warehouse
folder and memory limit as ``--vars`` (profiles.yml falls back to the same variables when dbt is run
by hand). Nothing writes the environment.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"

WAREHOUSE_DIR_VAR = "MISSION_TRACKER_WAREHOUSE_DIR"
BUNDLED_DIR_VAR = "MISSION_TRACKER_BUNDLED_DIR"
KEEP_VERSIONS_VAR = "MISSION_TRACKER_KEEP_VERSIONS"
SOURCE_MODE_VAR = "MISSION_TRACKER_SOURCE_MODE"
SOURCE_MIRROR_VAR = "MISSION_TRACKER_SOURCE_MIRROR"
ALERT_WEBHOOK_VAR = "MISSION_TRACKER_ALERT_WEBHOOK"
REFRESH_WAIT_VAR = "MISSION_TRACKER_REFRESH_WAIT"
RUN_LOCK_WAIT_VAR = "MISSION_TRACKER_RUN_LOCK_WAIT"
SCHEDULE_VAR = "MISSION_TRACKER_SCHEDULE"
NIGHTLY_CRON_VAR = "MISSION_TRACKER_NIGHTLY_CRON"
DAGSTER_PG_URL_VAR = "MISSION_TRACKER_DAGSTER_PG_URL"
DUCKDB_MEMORY_LIMIT_VAR = "MISSION_TRACKER_DUCKDB_MEMORY_LIMIT"
#: DuckDB's own default is 80% of the machine's memory; a nightly batch on a shared machine takes less.
DEFAULT_DUCKDB_MEMORY_LIMIT = "2GB"
SOURCE_MODES = ("bundled", "live")
DEPLOY_DIR = PROJECT_ROOT / "deploy"

PUBLISHED_NAME = "mission_tracker.duckdb"
#: Who answers for the warehouse's assets (the owner of every asset in the Dagster UI).
DATA_TEAM = "team:mission-tracker-data"


@dataclass(frozen=True)
class Settings:
    warehouse_dir: Path
    bundled_dir: Path
    keep_versions: int
    source_mode: str = "bundled"
    source_mirror: str | None = None
    fetch_connect_timeout: float = 10.0
    fetch_read_timeout: float = 60.0
    fetch_retries: int = 3
    fetch_backoff: float = 2.0
    fetch_max_megabytes: float = 200.0
    alert_webhook: str | None = None
    refresh_wait: float = 0.0
    #: a run Dagster launches (the UI, the schedule) while a CLI refresh holds the lock waits this long
    #: for it instead of failing: two refreshes in a row is what both asked for
    run_lock_wait: float = 3600.0

    @property
    def build_db(self) -> Path:
        """The staging DuckDB file every refresh writes (never read by analysts)."""
        return self.warehouse_dir / "build" / PUBLISHED_NAME

    @property
    def published_db(self) -> Path:
        """The published warehouse: replaced atomically, opened read-only by readers."""
        return self.warehouse_dir / PUBLISHED_NAME

    @property
    def exports_dir(self) -> Path:
        """Parquet and CSV copies of every mart, rewritten after each publish."""
        return self.warehouse_dir / "exports"

    @property
    def report_path(self) -> Path:
        """The self-contained HTML scorecard report, rewritten after each publish."""
        return self.warehouse_dir / "report" / "mission_scorecard_report.html"

    @property
    def profiles_dir(self) -> Path:
        """One HTML area profile per current local authority (<code>.html) and index.html."""
        return self.warehouse_dir / "report" / "profiles"

    @property
    def logs_dir(self) -> Path:
        """Full run logs of CLI refreshes (dbt's own output included)."""
        return self.warehouse_dir / "logs"

    @property
    def landing_dir(self) -> Path:
        """Live-mode downloads: <landing>/<source>/<fetched-at>-<sha256 prefix>/<file>, plus state.json."""
        return self.warehouse_dir / "landing"

    @property
    def alerts_dir(self) -> Path:
        """One JSON file per failed run, and alerts.log with a line each."""
        return self.warehouse_dir / "alerts"

    @property
    def versions_dir(self) -> Path:
        """Previously published versions, newest last, for rollback."""
        return self.warehouse_dir / "versions"


def _path(variable: str, default: Path) -> Path:
    value = os.environ.get(variable, "").strip()
    return Path(value).expanduser().resolve() if value else default


def _number(variable: str, default: float) -> float:
    value = os.environ.get(variable, "").strip()
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{variable}={value!r} is not a number") from None


def get_settings() -> Settings:
    keep = os.environ.get(KEEP_VERSIONS_VAR, "").strip()
    mode = os.environ.get(SOURCE_MODE_VAR, "").strip().lower() or "bundled"
    if mode not in SOURCE_MODES:
        raise ValueError(f"{SOURCE_MODE_VAR}={mode!r} must be one of {', '.join(SOURCE_MODES)}")
    return Settings(
        warehouse_dir=_path(WAREHOUSE_DIR_VAR, PROJECT_ROOT / "warehouse"),
        bundled_dir=_path(BUNDLED_DIR_VAR, PROJECT_ROOT / "data" / "bundled"),
        keep_versions=max(int(keep), 1) if keep else 3,
        source_mode=mode,
        source_mirror=os.environ.get(SOURCE_MIRROR_VAR, "").strip() or None,
        fetch_connect_timeout=_number("MISSION_TRACKER_FETCH_CONNECT_TIMEOUT", 10.0),
        fetch_read_timeout=_number("MISSION_TRACKER_FETCH_READ_TIMEOUT", 60.0),
        fetch_retries=int(_number("MISSION_TRACKER_FETCH_RETRIES", 3)),
        fetch_backoff=_number("MISSION_TRACKER_FETCH_BACKOFF", 2.0),
        fetch_max_megabytes=_number("MISSION_TRACKER_FETCH_MAX_MB", 200.0),
        alert_webhook=os.environ.get(ALERT_WEBHOOK_VAR, "").strip() or None,
        refresh_wait=max(_number(REFRESH_WAIT_VAR, 0.0), 0.0),
        run_lock_wait=max(_number(RUN_LOCK_WAIT_VAR, 3600.0), 0.0),
    )


def duckdb_memory_limit() -> str:
    """The memory limit a refresh's DuckDB connections run under (dbt's too, through profiles.yml)."""
    value = os.environ.get(DUCKDB_MEMORY_LIMIT_VAR, "").strip() or DEFAULT_DUCKDB_MEMORY_LIMIT
    if not re.fullmatch(r"\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", value, flags=re.IGNORECASE):
        raise ValueError(f"{DUCKDB_MEMORY_LIMIT_VAR}={value!r} is not a size such as 2GB or 512MB")
    return value


def schedule_running_by_default() -> bool:
    """Whether the nightly schedule starts RUNNING (under `serve`) or STOPPED (dev UI, tests)."""
    value = os.environ.get(SCHEDULE_VAR, "").strip().lower() or "stopped"
    if value not in ("running", "stopped"):
        raise ValueError(f"{SCHEDULE_VAR}={value!r} must be running or stopped")
    return value == "running"


def nightly_cron() -> str:
    value = os.environ.get(NIGHTLY_CRON_VAR, "").strip() or "0 2 * * *"
    if len(value.split()) != 5:
        raise ValueError(f"{NIGHTLY_CRON_VAR}={value!r} is not a five-field cron expression")
    return value


#: The first line of a dagster.yaml this project wrote (and may rewrite); any other file is the user's.
GENERATED_MARK = "# Written by mission-tracker from deploy/"


def instance_config_template() -> Path:
    """deploy/dagster.yaml (SQLite in DAGSTER_HOME) or deploy/dagster-postgres.yaml (PG URL set)."""
    postgres = bool(os.environ.get(DAGSTER_PG_URL_VAR, "").strip())
    return DEPLOY_DIR / ("dagster-postgres.yaml" if postgres else "dagster.yaml")


def ensure_dagster_home() -> Path:
    """The Dagster home: DAGSTER_HOME, else a project-local folder, holding the project's dagster.yaml.

    The instance configuration (telemetry off, one refresh run at a time through Dagster's run queue,
    PostgreSQL storage when MISSION_TRACKER_DAGSTER_PG_URL is set) lives in deploy/; it is copied into
    DAGSTER_HOME unless a dagster.yaml that this project did not write is already there.
    """
    home = Path(os.environ.get("DAGSTER_HOME") or PROJECT_ROOT / ".dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    template = instance_config_template()
    wanted = f"{GENERATED_MARK}{template.name}\n{template.read_text(encoding='utf-8')}"
    current = config.read_text(encoding="utf-8") if config.exists() else None
    if current != wanted and (
        current is None
        or current.startswith(GENERATED_MARK)
        or not current.strip()
        or current == "telemetry:\n  enabled: false\n"
    ):
        config.write_text(wanted, encoding="utf-8")
    return home


def dagster_instance():  # -> dagster.DagsterInstance (imported here: settings stay light)
    """The project's persistent Dagster instance: the folder :func:`ensure_dagster_home` prepared, with
    its dagster.yaml, opened through Dagster's public ``DagsterInstance.local_temp(tempdir=...)``
    (the same storage ``DagsterInstance.get()`` opens when DAGSTER_HOME names that folder), so the
    process environment is read, never written. Use it as a context manager."""
    from dagster import DagsterInstance

    return DagsterInstance.local_temp(tempdir=str(ensure_dagster_home()))


def dagster_environment(**variables: str) -> dict[str, str]:
    """The environment for a Dagster process this one starts (`dagster dev`, the webserver, the
    daemon, the code server): this process's, with DAGSTER_HOME the project's and ``variables``."""
    return {**os.environ, "DAGSTER_HOME": str(ensure_dagster_home()), **variables}
