"""The dbt project as the code runs it: the CLI, its manifest, its marts, the vars every run passes.

Preparing dbt is an explicit step of every entry point (the refresh, `ui`, `serve`, `docs`, the
tests): ``prepare_manifest`` renders the catalogue's dbt files and parses the project when anything
changed. Loading the Dagster definitions only reads the manifest (under ``dagster dev`` it prepares
it first, as ``DbtProject.prepare_if_dev`` does). The refresh's dbt step is dagster-dbt's own
``DbtCliResource`` running ``dbt build`` (orchestration/defs/assets/dbt.py); it and every command
here pass the same ``--vars`` (:func:`dbt_vars`), so dbt's partial parse of the prepared project is
reused whenever the warehouse folder is the one it was prepared for.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from orchestration.settings import DBT_PROJECT_DIR, Settings, duckdb_memory_limit, get_settings

DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))
PREPARED_MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
#: What ``dbt parse`` reads: when any of it is newer than the manifest, the manifest is stale.
PROJECT_INPUTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")


def dbt_vars(settings: Settings) -> list[str]:
    """``--vars`` for every dbt command: the warehouse folder and DuckDB's memory limit, which
    profiles.yml reads. Passed, not put in the environment; the same settings give the same
    arguments, which dbt's partial parse requires to reuse a parse."""
    values = {"warehouse_dir": str(settings.warehouse_dir), "duckdb_memory_limit": duckdb_memory_limit()}
    return ["--vars", json.dumps(values, sort_keys=True)]


def manifest_is_stale(manifest: Path = PREPARED_MANIFEST) -> bool:
    """True when the manifest is missing or older than any dbt project file."""
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    for name in PROJECT_INPUTS:
        path = DBT_PROJECT_DIR / name
        files = [path] if path.is_file() else (p for p in path.rglob("*") if p.is_file())
        if any(f.stat().st_mtime > built for f in files):
            return True
    return False


def dbt_command(
    *arguments: str, project_dir: Path = DBT_PROJECT_DIR, settings: Settings | None = None
) -> list[str]:
    """A dbt CLI command line on this project (or a copy of it): absolute project and profiles
    dirs, no usage stats, the settings' vars."""
    return [
        DBT_EXECUTABLE,
        "--quiet",
        "--no-send-anonymous-usage-stats",
        *arguments,
        *dbt_vars(settings or get_settings()),
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(project_dir),
    ]


def run_dbt(
    *arguments: str,
    check: bool = True,
    project_dir: Path = DBT_PROJECT_DIR,
    settings: Settings | None = None,
) -> subprocess.CompletedProcess:
    """Run :func:`dbt_command`, the one way the code runs dbt outside the refresh's dbt step."""
    command = dbt_command(*arguments, project_dir=project_dir, settings=settings)
    return subprocess.run(command, check=check, cwd=project_dir)


def prepare_manifest(*, force: bool = False, changed: list[str] | None = None) -> Path:
    """Write target/manifest.json with ``dbt parse`` when it is missing or stale (or when forced).

    First the dbt files the catalogue implies are brought in line with it (sources, staging models,
    the union's list: orchestration/build/dbt_codegen.py); a file that changes makes the manifest
    stale. ``@dbt_assets`` reads the manifest at import time; a fresh clone has none, and an edited
    model makes it stale, so an import re-parses then (a partial parse takes ~3 s). ``changed``, when
    given, receives what the rendering changed.
    """
    from orchestration.build.dbt_codegen import write_generated

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
