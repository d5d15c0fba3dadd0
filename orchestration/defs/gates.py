"""The blocking checks a publish must see pass: a property of the whole code location's asset graph."""

from collections.abc import Callable

from dagster import AssetCheckKey, AssetKey, Definitions, ResourceDefinition

from orchestration.defs.assets.nothing_new import PUBLISHED_KEY


def blocking_checks_upstream(
    definitions: Definitions, key: AssetKey = PUBLISHED_KEY
) -> frozenset[AssetCheckKey]:
    """Every blocking check on an asset ``key`` is built from, in ``definitions``' whole graph."""
    graph = definitions.resolve_asset_graph()
    upstream = graph.get_ancestor_asset_keys(key)
    return frozenset(
        check for check in graph.get_check_keys_for_assets(upstream) if graph.get(check).blocking
    )


#: What the graph alone is resolved with (the publish gates are not known before it is).
PLACEHOLDER = ResourceDefinition.none_resource(description="stands in while the graph is resolved")


def publish_gates_resource(definitions: Callable[[], Definitions]) -> ResourceDefinition:
    """``publish_gates``: the published warehouse's blocking checks in what ``definitions`` builds
    (the whole code location), handed to the publish step, which cannot import the definitions it is
    part of.
    Resolved when a run starts, not when the code location loads."""
    return ResourceDefinition(
        resource_fn=lambda _context: blocking_checks_upstream(definitions()),
        description="The blocking checks upstream of published_warehouse in the whole code location: a "
        "publish happens only when its run saw every one of them pass.",
    )
