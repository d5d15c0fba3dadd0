"""All configuration in one place: environment variables with safe defaults.

| variable | default | meaning |
|---|---|---|
| MISSION_TRACKER_WAREHOUSE_DIR | <repo>/warehouse | where the build and published DuckDB files live |
| MISSION_TRACKER_BUNDLED_DIR | <repo>/data/bundled | the bundled source snapshots |
| MISSION_TRACKER_KEEP_VERSIONS | 3 | published versions kept for rollback |
| DAGSTER_HOME | <repo>/.dagster_home | Dagster's run history (created with telemetry off) |

Settings are read when a run needs them (not at import), so tests can point a run at a temporary
warehouse by setting the variables. dbt reads MISSION_TRACKER_WAREHOUSE_DIR too (profiles.yml).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"

WAREHOUSE_DIR_VAR = "MISSION_TRACKER_WAREHOUSE_DIR"
BUNDLED_DIR_VAR = "MISSION_TRACKER_BUNDLED_DIR"
KEEP_VERSIONS_VAR = "MISSION_TRACKER_KEEP_VERSIONS"

PUBLISHED_NAME = "mission_tracker.duckdb"


@dataclass(frozen=True)
class Settings:
    warehouse_dir: Path
    bundled_dir: Path
    keep_versions: int

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
    def logs_dir(self) -> Path:
        """Full run logs of CLI refreshes (dbt's own output included)."""
        return self.warehouse_dir / "logs"

    @property
    def versions_dir(self) -> Path:
        """Previously published versions, newest last, for rollback."""
        return self.warehouse_dir / "versions"


def _path(variable: str, default: Path) -> Path:
    value = os.environ.get(variable, "").strip()
    return Path(value).expanduser().resolve() if value else default


def get_settings() -> Settings:
    keep = os.environ.get(KEEP_VERSIONS_VAR, "").strip()
    return Settings(
        warehouse_dir=_path(WAREHOUSE_DIR_VAR, PROJECT_ROOT / "warehouse"),
        bundled_dir=_path(BUNDLED_DIR_VAR, PROJECT_ROOT / "data" / "bundled"),
        keep_versions=max(int(keep), 1) if keep else 3,
    )


def ensure_dagster_home() -> Path:
    """Point DAGSTER_HOME at a project-local folder (unless set) with telemetry off."""
    home = Path(os.environ.get("DAGSTER_HOME") or PROJECT_ROOT / ".dagster_home").resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    os.environ["DAGSTER_HOME"] = str(home)
    return home
