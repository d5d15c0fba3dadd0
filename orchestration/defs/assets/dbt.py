"""dbt models, seeds and tests as Dagster assets (dagster-dbt).

dbt sources map to the ingest assets' keys (``raw/<table>``), so the asset graph runs from each
source file through staging and intermediate models to the marts without any hand-written edges.
"""

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cached_property
from typing import Any

from dagster import AssetExecutionContext, AssetKey, InitResourceContext
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets
from packaging import version
from pydantic import PrivateAttr

from orchestration.dbt_cli import (
    DBT_STEP_EXECUTABLE,
    Standby,
    dbt_standby,
    manifest_for_definitions,
    prune_run_targets,
)
from orchestration.defs.assets.nothing_new import nothing_new_observation
from orchestration.defs.resources import RefreshLock
from orchestration.settings import DATA_TEAM, DBT_PROJECT_DIR, PROJECT_ROOT, WAREHOUSE_DIR_VAR, get_settings
from orchestration.warehouse import inputs_fingerprint, published_is_current

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


@dbt_assets(
    manifest=manifest_for_definitions(),
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
    if isinstance(dbt, StepDbtCliResource):
        context.log.info(dbt.wait_for_standby())
    try:
        yield from dbt.cli(["build"], context=context).stream()
    finally:
        prune_run_targets()


class StepDbtCliResource(DbtCliResource):
    """dagster-dbt's CLI resource without two set-ups this project does not use (~5 s a run).

    - The dbt version comes from the installed dbt-core (the executable runs the same package),
      not from spawning ``dbt --version`` (~2 s).
    - No dbt adapter is opened in the Dagster process (~3 s: profile, project, adapter plugin). It
      serves only the ``fetch_column_metadata`` and ``fetch_row_counts`` stream options, which this
      project does not use.

    Both override members of the pinned dagster-dbt 0.29; tests/test_dbt_step.py fails first if
    that changes.

    And for each run it starts a standby dbt process (``orchestration.dbt_cli.dbt_standby``) that
    imports dbt and loads the prepared manifest while the sources are ingested (~2 s the dbt step
    no longer waits for); the step's ``mission-tracker-dbt build`` hands itself over to it.
    """

    _standby: Standby | None = PrivateAttr(default=None)

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext) -> Iterator["StepDbtCliResource"]:  # type: ignore[override]
        self.setup_for_execution(context)
        with dbt_standby() as standby:
            self._standby = standby
            try:
                yield self
            finally:
                self._standby = None  # gone with the run

    def wait_for_standby(self) -> str:
        """Wait for the run's standby to listen; the log line saying which process dbt runs in."""
        if self._standby is None or not self._standby.listening():
            return "no standby dbt process: dbt starts in the step"
        return f"dbt runs in the run's standby dbt process (pid {self._standby.process.pid})"

    @cached_property
    def _cli_version(self) -> version.Version:
        from dbt.version import __version__

        return version.parse(__version__)

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> Any:
        return None


def dbt_resource() -> DbtCliResource:
    return StepDbtCliResource(project_dir=dbt_project, dbt_executable=DBT_STEP_EXECUTABLE)
