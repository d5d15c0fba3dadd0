"""dbt models, seeds and tests as Dagster assets (dagster-dbt).

dbt sources map to the ingest assets' keys (``raw/<table>``), so the asset graph runs from each
source file through staging and intermediate models to the marts without any hand-written edges.
"""

import shutil
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetKey, ConfigurableResource, InitResourceContext
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from pydantic import PrivateAttr

from orchestration.build.dbt_cli import (
    DBT_EXECUTABLE,
    dbt_command,
    dbt_vars,
    manifest_for_definitions,
    prune_run_targets,
)
from orchestration.defs.assets.nothing_new import nothing_new_observation
from orchestration.defs.resources import RefreshLock, WarehouseConfig
from orchestration.settings import DATA_TEAM, DBT_PROJECT_DIR, PROJECT_ROOT
from orchestration.warehouse.publishing import inputs_fingerprint, published_is_current

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


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


class DbtParseAhead(ConfigurableResource):
    """``dbt parse`` for this run's warehouse, started when the run starts, so that the dbt step's
    ``dbt build`` finds a saved parse with its own vars and only checks it (dbt's partial parse)
    instead of parsing the whole project while the step waits (~4.5 s here whenever the warehouse
    folder differs from the one the project was prepared for: a test's, the benchmark's, a second
    warehouse). It runs while the sources are ingested. Public interfaces only: the dbt CLI, and
    dagster-dbt's ``target_path``, into which it copies no saved parse when one is there already.
    If the parse fails or is not done in time, the step's ``dbt build`` parses for itself.
    """

    timeout_seconds: float = 120.0
    _process: subprocess.Popen | None = PrivateAttr(default=None)
    _target: Path | None = PrivateAttr(default=None)

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator["DbtParseAhead"]:  # type: ignore[override]
        # named as dagster-dbt names a run's target folders, and pruned with them (prune_run_targets)
        self._target = DBT_PROJECT_DIR / "target" / f"dbt_models-{(context.run_id or 'run')[:7]}-parse"
        self._target.mkdir(parents=True, exist_ok=True)
        self._process = subprocess.Popen(
            dbt_command("parse", "--target-path", str(self._target), "--log-path", str(self._target)),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            cwd=DBT_PROJECT_DIR,
        )
        try:
            yield self
        finally:
            if self._process.poll() is None:  # the run ended without a dbt step
                self._process.kill()
                self._process.wait()
                shutil.rmtree(self._target, ignore_errors=True)

    def wait(self) -> tuple[Path | None, str]:
        """The target folder holding this run's saved parse (None: dbt build parses) and a log line."""
        if self._process is None or self._target is None:
            return None, "no parse ahead: dbt build parses the project itself"
        try:
            code = self._process.wait(timeout=self.timeout_seconds)
        except subprocess.TimeoutExpired:
            self._process.kill()
            return None, "the parse ahead did not finish in time: dbt build parses the project itself"
        if code != 0 or not (self._target / "partial_parse.msgpack").is_file():
            return None, f"the parse ahead failed (exit {code}): dbt build parses the project itself"
        return self._target, f"dbt build reuses the parse made while the sources loaded ({self._target.name})"


def dbt_resource() -> DbtCliResource:
    """dagster-dbt's CLI resource as documented: ``dbt`` from this environment, run as a subprocess
    in the project (its partial parse reused when the vars match the prepared parse's)."""
    return DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)


@dbt_assets(
    manifest=manifest_for_definitions(),
    dagster_dbt_translator=MissionTrackerTranslator(),
    project=dbt_project,
)
def dbt_models(
    context: AssetExecutionContext,
    dbt: DbtCliResource,
    dbt_parse: DbtParseAhead,
    refresh_lock: RefreshLock,  # held for the whole run (resources are set up once, in-process)
    warehouse: WarehouseConfig,
) -> Iterator[Any]:
    """`dbt build`: seeds, staging views, intermediate models, marts and every dbt test.

    Skipped when nothing is new: the build would be the one already published (same source files,
    same models, suites and code), so the marts, their checks and the publish are skipped too.
    """
    settings = warehouse.resolve()
    if published_is_current(settings.published_db, inputs_fingerprint(settings.build_db, PROJECT_ROOT)):
        message, observation = nothing_new_observation(settings)
        context.log.info(
            f"{message}; dbt build skipped, and with it the mart checks, publish, report, exports"
        )
        context.log_event(observation)
        return
    target, note = dbt_parse.wait()
    context.log.info(note)
    try:
        # the run's dbt.log at info level (each node's start, result and any error): dbt's default,
        # debug, writes every statement and timing, ~11 MB a build
        arguments = ["build", "--log-level-file", "info", *dbt_vars(settings)]
        yield from dbt.cli(arguments, context=context, target_path=target).stream()
    finally:
        prune_run_targets()
