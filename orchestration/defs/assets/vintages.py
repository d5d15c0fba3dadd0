"""Vintages: every release each source has had, and every figure each one held.

After the ingest assets, ``record_vintages`` rewrites ``raw.source_vintages`` from the load log (one
row per vintage: a load whose file differs from the source's previous load, in load order, with its
origin) and takes any new vintage's changed figures into ``raw.metric_value_history``
(orchestration/ingest/history.py: ranges of vintages per figure, so the history grows by what changed). It
first checks the history's invariants and fails, naming them and the repair command, if one broke.
dbt turns the two tables into the ``source_vintages``, ``metric_value_history`` and
``metric_revisions`` marts.
"""

from collections.abc import Iterator
from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, AssetSpec, Failure, MaterializeResult, multi_asset

from orchestration.defs.assets.ingest import raw_asset_key
from orchestration.defs.resources import RefreshLock, WarehouseConfig
from orchestration.ingest import history
from orchestration.ingest.sources.catalogue import load_catalogue
from orchestration.settings import DATA_TEAM
from orchestration.warehouse.files import connect

VINTAGES_KEY = AssetKey(["raw", "source_vintages"])
HISTORY_KEY = AssetKey(["raw", "metric_value_history"])


def record(db: Path) -> history.Recorded:
    """Rebuild raw.source_vintages; take each metric source's new vintage into the history."""
    metric_sources = [source.id for source in load_catalogue() if source.yields_metric_rows]
    with connect(db) as con:
        return history.record(con, metric_sources)


def _spec(key: AssetKey, description: str) -> AssetSpec:
    """A raw table written after every ingest asset."""
    return AssetSpec(
        key,
        description=description,
        deps=[raw_asset_key(source.id) for source in load_catalogue()],
        group_name="vintages",
        kinds={"duckdb"},
        owners=[DATA_TEAM],
        tags={"layer": "vintages"},
        metadata={"dagster/table_name": ".".join(key.path)},
    )


@multi_asset(
    specs=[
        _spec(
            VINTAGES_KEY, "One row per vintage of each source (a load of a different file), with its origin."
        ),
        _spec(
            HISTORY_KEY,
            "Every figure of every vintage, as ranges of vintages in which it held the same values.",
        ),
    ],
)
def record_vintages(
    context: AssetExecutionContext,
    refresh_lock: RefreshLock,  # held for the whole run: never beside another refresh
    warehouse: WarehouseConfig,
) -> Iterator[MaterializeResult]:
    try:
        recorded = record(warehouse.resolve().build_db)
    except history.HistoryInvariantError as exc:
        raise Failure(description=str(exc), metadata={"broken": "; ".join(exc.broken)}) from None
    added = recorded.added
    if added:
        context.log.info(f"new vintages kept in the history: {added}")
    else:
        context.log.info("no new vintages: the history is unchanged")
    yield MaterializeResult(
        asset_key=VINTAGES_KEY, metadata={"dagster/row_count": recorded.vintages, "new_vintages": len(added)}
    )
    yield MaterializeResult(
        asset_key=HISTORY_KEY,
        metadata={
            "dagster/row_count": recorded.history,
            "ranges_opened": sum(added.values()),
            "sources_added": ", ".join(added) or "none",
        },
    )
