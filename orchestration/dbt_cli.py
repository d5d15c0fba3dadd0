"""The dbt project as the code runs it outside a Dagster step: the CLI, its manifest, its marts.

Preparing dbt is an explicit step of every entry point (the refresh, `ui`, `serve`, `docs`, the
tests): ``prepare_manifest`` renders the catalogue's dbt files and parses the project when anything
changed. Loading the Dagster definitions only reads the manifest (under ``dagster dev`` it prepares
it first, as ``DbtProject.prepare_if_dev`` does).
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from orchestration.dbt_exec import PREPARED_MANIFEST, STANDBY_VAR, manifest_is_stale
from orchestration.settings import DBT_PROJECT_DIR, WAREHOUSE_DIR_VAR, get_settings

DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))
#: What the refresh's dbt step runs: dbt on the prepared manifest (orchestration/dbt_exec.py).
DBT_STEP_EXECUTABLE = str(Path(sys.executable).with_name("mission-tracker-dbt"))


def run_dbt(
    *arguments: str, check: bool = True, project_dir: Path = DBT_PROJECT_DIR
) -> subprocess.CompletedProcess:
    """The dbt CLI on this project (or a copy of it), the one way the code runs it outside a Dagster
    step: absolute project and profiles dirs, no usage stats, and the warehouse folder from the settings."""
    env = {
        **os.environ,
        WAREHOUSE_DIR_VAR: str(get_settings().warehouse_dir),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    command = [
        DBT_EXECUTABLE,
        "--quiet",
        *arguments,
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
    ]
    return subprocess.run(command, check=check, cwd=project_dir, env=env)


def prepare_manifest(*, force: bool = False, changed: list[str] | None = None) -> Path:
    """Write target/manifest.json with ``dbt parse`` when it is missing or stale (or when forced).

    First the dbt files the catalogue implies are brought in line with it (sources, staging models,
    the union's list: orchestration/sources/dbt_codegen.py); a file that changes makes the manifest
    stale. ``@dbt_assets`` reads the manifest at import time; a fresh clone has none, and an edited
    model makes it stale, so an import re-parses then (a partial parse takes ~3 s). ``changed``, when
    given, receives what the rendering changed.
    """
    from orchestration.sources.dbt_codegen import write_generated

    rendered = write_generated()
    if changed is not None:
        changed.extend(rendered)
    manifest = PREPARED_MANIFEST
    if force or manifest_is_stale(manifest):
        run_dbt("parse")
        manifest.touch()
    return manifest


def mart_model_names() -> tuple[str, ...]:
    """Every model in models/marts (the tables analysts query), read from the manifest."""
    nodes = json.loads(manifest_for_definitions().read_text())["nodes"].values()
    return tuple(
        sorted(
            node["name"]
            for node in nodes
            if node["resource_type"] == "model" and node["fqn"][1:2] == ["marts"]
        )
    )


def prune_run_targets(keep: int = 3, busy_seconds: float = 3600) -> None:
    """dagster-dbt writes a target folder per invocation (~2 MB each); keep the newest few, and any
    touched in the last hour (another refresh, e.g. a parallel test worker's, may still be writing it)."""
    target = DBT_PROJECT_DIR / "target"
    runs = sorted(
        (path for path in target.glob("*-*") if path.is_dir()), key=lambda path: path.stat().st_mtime
    )
    recent = time.time() - busy_seconds
    for path in runs[:-keep]:
        if path.stat().st_mtime < recent:
            shutil.rmtree(path, ignore_errors=True)


def manifest_for_definitions() -> Path:
    """The manifest ``@dbt_assets`` reads when the definitions load. No parse here, except under
    ``dagster dev`` (DAGSTER_IS_DEV_CLI), where loading is the only step a developer runs."""
    if os.environ.get("DAGSTER_IS_DEV_CLI"):
        return prepare_manifest()
    manifest = PREPARED_MANIFEST
    if not manifest.exists():
        raise RuntimeError(
            f"{manifest} is missing: run `mission-tracker prepare` first (the refresh, ui, serve, docs "
            "and the tests prepare it themselves)"
        )
    return manifest


@dataclass(frozen=True)
class Standby:
    """A standby dbt process (orchestration/dbt_exec.py) and the socket it listens on."""

    process: subprocess.Popen
    socket_path: str

    def listening(self, timeout: float = 10) -> bool:
        """Wait until it listens (it binds its socket first thing, well before a dbt step starts;
        a command started before that would run dbt itself); False if it went or never did."""
        deadline = time.monotonic() + timeout
        while not os.path.exists(self.socket_path):
            if self.process.poll() is not None or time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True


@contextmanager
def dbt_standby() -> Iterator[Standby]:
    """Start a standby dbt process for a run and point this process's dbt commands at it
    (MISSION_TRACKER_DBT_STANDBY); on leaving, let it go (it exits when its stdin closes) and
    restore the variable. It serves one dbt command; later ones run dbt themselves."""
    folder = tempfile.mkdtemp(prefix="mt-dbt-")
    socket_path = os.path.join(folder, "dbt.sock")
    process = subprocess.Popen(
        [DBT_STEP_EXECUTABLE, "--standby", socket_path],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
    )
    previous = os.environ.get(STANDBY_VAR)
    os.environ[STANDBY_VAR] = socket_path
    try:
        yield Standby(process, socket_path)
    finally:
        if previous is None:
            os.environ.pop(STANDBY_VAR, None)
        else:
            os.environ[STANDBY_VAR] = previous
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - it exits as soon as its stdin closes
            process.kill()
            process.wait()
        shutil.rmtree(folder, ignore_errors=True)
