"""dbt models, seeds and tests as Dagster assets (dagster-dbt).

dbt sources map to the ingest assets' keys (``raw/<table>``), so the asset graph runs from each
source file through staging and intermediate models to the marts without any hand-written edges.
"""

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.assets.nothing_new import nothing_new_observation
from orchestration.resources import RefreshLock
from orchestration.settings import DATA_TEAM, DBT_PROJECT_DIR, PROJECT_ROOT, WAREHOUSE_DIR_VAR, get_settings
from orchestration.warehouse import inputs_fingerprint, published_is_current

DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


#: What ``dbt parse`` reads: when any of it is newer than the manifest, the manifest is stale.
_PROJECT_INPUTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")


def manifest_is_stale(manifest: Path) -> bool:
    """True when the manifest is missing or older than any dbt project file."""
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    for name in _PROJECT_INPUTS:
        path = DBT_PROJECT_DIR / name
        files = [path] if path.is_file() else (p for p in path.rglob("*") if p.is_file())
        if any(f.stat().st_mtime > built for f in files):
            return True
    return False


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


def prepare_manifest(*, force: bool = False) -> Path:
    """Write target/manifest.json with ``dbt parse`` when it is missing or stale (or when forced).

    First the dbt files the catalogue implies are brought in line with it (sources, staging models,
    the union's list: orchestration/sources/dbt_codegen.py); a file that changes makes the manifest
    stale. ``@dbt_assets`` reads the manifest at import time; a fresh clone has none, and an edited
    model makes it stale, so an import re-parses then (a partial parse takes ~3 s).
    """
    from orchestration.sources.dbt_codegen import write_generated

    write_generated()
    manifest = dbt_project.manifest_path
    if force or manifest_is_stale(manifest):
        run_dbt("parse")
        manifest.touch()
    return manifest


def mart_model_names() -> tuple[str, ...]:
    """Every model in models/marts (the tables analysts query), read from the manifest."""
    nodes = json.loads(prepare_manifest().read_text())["nodes"].values()
    return tuple(
        sorted(
            node["name"]
            for node in nodes
            if node["resource_type"] == "model" and node["fqn"][1:2] == ["marts"]
        )
    )


class MissionTrackerTranslator(DagsterDbtTranslator):
    """Sources -> raw/<table> (the ingest assets); models and seeds -> their name; groups by layer."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return AssetKey(["raw", dbt_resource_props["name"]])
        return AssetKey([dbt_resource_props["name"]])

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        """dbt's own description (the model's YAML), without dagster-dbt's appended raw SQL."""
        return dbt_resource_props.get("description") or (
            f"dbt {dbt_resource_props['resource_type']} {dbt_resource_props['name']} "
            "(no description in its YAML)"
        )

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> Sequence[str] | None:
        return super().get_owners(dbt_resource_props) or [DATA_TEAM]

    def get_tags(self, dbt_resource_props: Mapping[str, Any]) -> Mapping[str, str]:
        """dbt tags as key-only tags, plus the layer (staging/intermediate/marts/lookups)."""
        tags = dict(super().get_tags(dbt_resource_props))
        fqn = dbt_resource_props.get("fqn", [])
        layer = fqn[1] if len(fqn) > 2 else "dbt"
        if dbt_resource_props["resource_type"] == "seed":
            layer = "lookups"
        tags["layer"] = layer
        if layer == "staging" and len(fqn) > 3:
            tags["publisher"] = fqn[2]
        return tags

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "lookups"
        fqn = dbt_resource_props.get("fqn", [])
        return fqn[1] if len(fqn) > 2 else "dbt"


def prune_run_targets(keep: int = 3) -> None:
    """dagster-dbt writes a target folder per invocation (~2 MB each); keep the newest few."""
    target = DBT_PROJECT_DIR / "target"
    runs = sorted(
        (path for path in target.glob("*-*") if path.is_dir()), key=lambda path: path.stat().st_mtime
    )
    for path in runs[:-keep]:
        shutil.rmtree(path, ignore_errors=True)


prepare_manifest()


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=MissionTrackerTranslator(),
    project=dbt_project,
)
def dbt_models(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    refresh_lock: RefreshLock,  # held for the whole run (resources are set up once, in-process)
) -> Iterator[Any]:
    """`dbt build`: seeds, staging views, intermediate models, marts and every dbt test.

    Skipped when nothing is new: the build would be the one already published (same source files,
    same models, suites and code), so the marts, their checks and the publish are skipped too.
    """
    settings = get_settings()
    if published_is_current(settings.published_db, inputs_fingerprint(settings.build_db, PROJECT_ROOT)):
        message, observation = nothing_new_observation(settings)
        context.log.info(
            f"{message}; dbt build skipped, and with it the mart checks, publish, report, exports"
        )
        context.log_event(observation)
        return
    os.environ[WAREHOUSE_DIR_VAR] = str(settings.warehouse_dir)
    try:
        yield from dbt.cli(["build"], context=context).stream()
    finally:
        prune_run_targets()


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)
