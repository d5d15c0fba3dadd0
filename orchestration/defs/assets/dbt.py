"""dbt models, seeds and tests as Dagster assets (dagster-dbt).

dbt sources map to the ingest assets' keys (``raw/<table>``), so the asset graph runs from each
source file through staging and intermediate models to the marts without any hand-written edges.
"""

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from dagster import AssetExecutionContext, AssetKey
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.dbt_cli import DBT_EXECUTABLE, dbt_vars, manifest_for_definitions, prune_run_targets
from orchestration.defs.assets.nothing_new import nothing_new_observation
from orchestration.defs.resources import RefreshLock
from orchestration.settings import DATA_TEAM, DBT_PROJECT_DIR, PROJECT_ROOT, get_settings
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
    try:
        yield from dbt.cli(["build", *dbt_vars(settings)], context=context).stream()
    finally:
        prune_run_targets()


def dbt_resource() -> DbtCliResource:
    """dagster-dbt's CLI resource as documented: ``dbt`` from this environment, run as a subprocess
    in the project (its partial parse reused when the vars match the prepared parse's)."""
    return DbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)
