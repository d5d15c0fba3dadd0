"""Vintages: every distinct file a source has been loaded from, and every figure each one held.

After the ingest assets, ``record_vintages`` rewrites ``raw.source_vintages`` from the load log (one row
per distinct file, in load order, with its origin: bundled or fetched, URL, fetched-at, publisher date)
and appends the rows of any vintage not yet kept to ``raw.metric_value_history``. The history is
append-only, so the warehouse remembers what a figure was in an earlier release after the raw table
has been replaced; dbt turns it into the ``metric_value_history`` and ``metric_revisions`` marts.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, multi_asset

from orchestration.defs.assets.ingest import raw_asset_key
from orchestration.settings import DATA_TEAM, get_settings
from orchestration.sources.catalogue import load_catalogue
from orchestration.warehouse import LOAD_LOG, connect

VINTAGES_KEY = AssetKey(["raw", "source_vintages"])
HISTORY_KEY = AssetKey(["raw", "metric_value_history"])

_HISTORY_COLUMNS = (
    "area_code, area_name, indicator, metric_id, breakdown, period_label, period_start, period_end, "
    "year, unit, value, lci_95, uci_95, status"
)


def _create_tables(con) -> None:
    con.execute("create schema if not exists raw")
    con.execute(
        """create table if not exists raw.metric_value_history (
            source_id varchar not null, vintage varchar not null, loaded_at timestamp not null,
            area_code varchar, area_name varchar, indicator varchar, metric_id varchar, breakdown varchar,
            period_label varchar, period_start date, period_end date, year bigint, unit varchar,
            value double, lci_95 double, uci_95 double, status varchar
        )"""
    )


@dataclass(frozen=True)
class Recorded:
    added: dict[str, int]  # history rows added per source with a new vintage
    vintages: int  # rows of raw.source_vintages
    history: int  # rows of raw.metric_value_history


def record(db: Path) -> Recorded:
    """Rebuild raw.source_vintages; append unseen vintages to the history."""
    metric_sources = [source.id for source in load_catalogue() if source.yields_metric_rows]
    added: dict[str, int] = {}
    with connect(db) as con:
        _create_tables(con)
        con.execute("begin transaction")
        con.execute(
            f"""create or replace table raw.source_vintages as
            with loads as (
                select *, lag(sha256) over (partition by source_id order by loaded_at) as previous_sha256
                from {LOAD_LOG}
            )
            select source_id, sha256 as vintage,
                   row_number() over (partition by source_id order by loaded_at) as vintage_number,
                   loaded_at as first_loaded_at, file, row_count, first_period, last_period,
                   coalesce(mode, 'bundled') as mode, url, fetched_at, publisher_date
            from loads
            where previous_sha256 is null or previous_sha256 <> sha256"""
        )
        present = {
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables where table_schema = 'raw'"
            ).fetchall()
        }
        for source_id in metric_sources:
            if source_id not in present:
                continue
            inserted = con.execute(
                f"""insert into raw.metric_value_history
                select ?, _sha256, _loaded_at, {_HISTORY_COLUMNS}
                from raw."{source_id}" r
                where not exists (
                    select 1 from raw.metric_value_history h where h.source_id = ? and h.vintage = r._sha256
                )""",
                [source_id, source_id],
            ).fetchone()[0]
            if inserted:
                added[source_id] = int(inserted)
        con.execute("commit")
        vintages = con.execute("select count(*) from raw.source_vintages").fetchone()[0]
        history = con.execute("select count(*) from raw.metric_value_history").fetchone()[0]
    return Recorded(added, int(vintages), int(history))


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
        _spec(VINTAGES_KEY, "One row per distinct file loaded per source (a vintage), with its origin."),
        _spec(HISTORY_KEY, "Every metric row of every vintage ever loaded (append-only)."),
    ],
    required_resource_keys={"refresh_lock"},
)
def record_vintages(context: AssetExecutionContext) -> Iterator[MaterializeResult]:
    recorded = record(get_settings().build_db)
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
            "rows_added": sum(added.values()),
            "sources_added": ", ".join(added) or "none",
        },
    )
