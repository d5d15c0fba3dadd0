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
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.dbt_exec import manifest_is_stale
from orchestration.settings import DBT_PROJECT_DIR, WAREHOUSE_DIR_VAR, get_settings

DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))
#: What the refresh's dbt step runs: dbt on the prepared manifest (orchestration/dbt_exec.py).
DBT_STEP_EXECUTABLE = str(Path(sys.executable).with_name("mission-tracker-dbt"))

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


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
    manifest = dbt_project.manifest_path
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
    import time

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
    manifest = dbt_project.manifest_path
    if not manifest.exists():
        raise RuntimeError(
            f"{manifest} is missing: run `mission-tracker prepare` first (the refresh, ui, serve, docs "
            "and the tests prepare it themselves)"
        )
    return manifest
