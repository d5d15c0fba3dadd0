"""The vintage history: what every figure was in every release a source has had.

A *vintage* is a load in time, not a distinct file: the load log's consecutive loads of a source with
different files, numbered 1, 2, 3, ... in load order. The same bytes can come back (a publisher
withdraws a correction: files A -> B -> A), and then they are vintage 3, not vintage 1 again.

``raw.metric_value_history`` keeps the figures as *ranges* of vintages: one row per figure per run of
consecutive vintages in which it held the same values (``first_vintage_number`` ..
``last_vintage_number``, NULL while it still holds). A new vintage closes the ranges of the figures it
changed or dropped and opens a range for each figure it changed or added, so the history grows by
what changed, not by a copy of every file. The dbt models read the ranges: ``metric_value_history``
expands them to one row per vintage and figure, and ``metric_revisions`` pairs each range with the one
it followed.

``raw._history_log`` records each vintage whose figures were taken into the history; the invariants
(:func:`broken_invariants`) are checked before every recording, and :func:`repair` rebuilds the ranges
from what they hold, vintage by vintage, without losing any vintage's figures.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import duckdb

from orchestration.warehouse.loading import LOAD_LOG, LOAD_ORDER, ensure_load_log

HISTORY = "raw.metric_value_history"
HISTORY_LOG = "raw._history_log"
VINTAGES = "raw.source_vintages"

#: What identifies a figure within a source (the raw gate keeps it unique within a file).
FIGURE_KEY = ("area_code", "indicator", "breakdown", "period_label")

#: Every column of a figure that the history keeps, in order.
FIGURE_COLUMNS = (
    "area_code",
    "area_name",
    "indicator",
    "metric_id",
    "breakdown",
    "period_label",
    "period_start",
    "period_end",
    "year",
    "unit",
    "value",
    "lci_95",
    "uci_95",
    "status",
)

REPAIR_COMMAND = "mission-tracker repair-history"


class HistoryInvariantError(RuntimeError):
    """The history broke an invariant; ``str()`` names each and the command that repairs them."""

    def __init__(self, broken: list[str]) -> None:
        self.broken = broken
        super().__init__(
            "the vintage history broke "
            + ("an invariant: " if len(broken) == 1 else f"{len(broken)} invariants: ")
            + "; ".join(broken)
            + f". Nothing was recorded or published; run `{REPAIR_COMMAND}` (it keeps every vintage's "
            "figures), then refresh again"
        )


def _columns(prefix: str = "") -> str:
    return ", ".join(f"{prefix}{column}" for column in FIGURE_COLUMNS)


def _same_figure_values(left: str, right: str) -> str:
    return " and ".join(f"{left}.{c} is not distinct from {right}.{c}" for c in FIGURE_COLUMNS)


def _table_columns(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
            "order by ordinal_position",
            [schema, table],
        ).fetchall()
    ]


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The history's tables, created if missing; a history in the first format (one full copy of the
    rows per distinct file) is converted to ranges, every vintage kept."""
    ensure_load_log(con)
    con.execute(
        f"""create table if not exists {HISTORY_LOG} (
            source_id varchar not null, vintage_number integer not null, vintage varchar not null,
            recorded_at timestamp not null, ranges_opened bigint not null, ranges_closed bigint not null,
            load_number bigint
        )"""
    )
    existing = _table_columns(con, "raw", "metric_value_history")
    if existing and "first_vintage_number" not in existing:
        _convert_first_format(con)
    con.execute(
        f"""create table if not exists {HISTORY} (
            source_id varchar not null,
            first_vintage_number integer not null,
            last_vintage_number integer,
            recorded_at timestamp not null,
            area_code varchar, area_name varchar, indicator varchar, metric_id varchar, breakdown varchar,
            period_label varchar, period_start date, period_end date, year bigint, unit varchar,
            value double, lci_95 double, uci_95 double, status varchar
        )"""
    )


def rebuild_vintages(con: duckdb.DuckDBPyConnection) -> None:
    """``raw.source_vintages`` from the load log: one row per load whose file differs from the source's
    previous load, numbered in load order, with whether its figures are in the history."""
    con.execute(
        f"""create or replace table {VINTAGES} as
        with loads as (
            select *,
                   lag(sha256) over (partition by source_id order by {LOAD_ORDER}) as previous_sha256,
                   row_number() over (partition by source_id order by {LOAD_ORDER}) as load_order
            from {LOAD_LOG}
        ),
        vintages as (
            select source_id, sha256 as vintage,
                   cast(row_number() over (partition by source_id order by load_order) as integer)
                       as vintage_number,
                   loaded_at as first_loaded_at, file, row_count, first_period, last_period,
                   coalesce(mode, 'bundled') as mode, url, fetched_at, publisher_date
            from loads
            where previous_sha256 is null or previous_sha256 <> sha256
        )
        select v.*, exists (
                   select 1 from {HISTORY_LOG} l
                   where l.source_id = v.source_id and l.vintage_number = v.vintage_number
               ) as figures_recorded
        from vintages v"""
    )


def _current_vintage(con: duckdb.DuckDBPyConnection, source_id: str) -> tuple[int, str] | None:
    rows = con.execute(
        f"select vintage_number, vintage from {VINTAGES} where source_id = ? "
        "order by vintage_number desc limit 1",
        [source_id],
    ).fetchall()
    return (int(rows[0][0]), rows[0][1]) if rows else None


def apply_vintage(
    con: duckdb.DuckDBPyConnection, source_id: str, vintage_number: int, relation: str, *, recorded_at=None
) -> tuple[int, int]:
    """Take vintage ``vintage_number`` of a source, whose figures are the rows of ``relation``, into the
    history (inside the caller's transaction): close the open ranges of figures it changed or dropped
    (a range opened by this same vintage, from an earlier parse of it, is removed instead), then open
    a range for each figure whose values no open range holds. Returns (opened, closed). Applying the
    same vintage twice changes nothing the second time."""
    recorded_at = recorded_at or datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    stale = (
        f"source_id = ? and last_vintage_number is null and not exists ("
        f"select 1 from {relation} r where {_same_figure_values('r', HISTORY)})"
    )
    (removed,) = con.execute(
        f"delete from {HISTORY} where {stale} and first_vintage_number >= ?", [source_id, vintage_number]
    ).fetchall()[0]
    (closed,) = con.execute(
        f"update {HISTORY} set last_vintage_number = ? where {stale}", [vintage_number - 1, source_id]
    ).fetchall()[0]
    (opened,) = con.execute(
        f"""insert into {HISTORY}
        select distinct ?, ?, cast(null as integer), cast(? as timestamp), {_columns("r.")}
        from {relation} r
        where not exists (
            select 1 from {HISTORY} h
            where h.source_id = ? and h.last_vintage_number is null and {_same_figure_values("r", "h")}
        )""",
        [source_id, vintage_number, recorded_at, source_id],
    ).fetchall()[0]
    return int(opened), int(closed) + int(removed)


def _log(
    con,
    source_id: str,
    vintage_number: int,
    vintage: str,
    opened: int,
    closed: int,
    load_number: int | None = None,
) -> None:
    con.execute(
        f"delete from {HISTORY_LOG} where source_id = ? and vintage_number = ?", [source_id, vintage_number]
    )
    con.execute(
        f"insert into {HISTORY_LOG} values (?, ?, ?, ?, ?, ?, ?)",
        [
            source_id,
            vintage_number,
            vintage,
            datetime.now(UTC).replace(tzinfo=None),
            opened,
            closed,
            load_number,
        ],
    )


def broken_invariants(con: duckdb.DuckDBPyConnection) -> list[str]:
    """What is wrong with the history, one sentence each ([] when it holds). The invariants: a figure's
    ranges never overlap (so at most one is open), a range ends no earlier than it starts, and every
    range starts at a vintage the log recorded, of a source that has that vintage."""
    queries = {
        "overlapping ranges (a figure held two values in one vintage)": f"""
            select count(*) from (
                select first_vintage_number,
                       lag(coalesce(last_vintage_number, 2147483647)) over (
                           partition by source_id, {", ".join(FIGURE_KEY)}
                           order by first_vintage_number, coalesce(last_vintage_number, 2147483647)
                       ) as previous_end
                from {HISTORY}
            ) where previous_end >= first_vintage_number""",
        "ranges that end before they start": (
            f"select count(*) from {HISTORY} where last_vintage_number < first_vintage_number"
        ),
        "ranges that start at a vintage the history log did not record": f"""
            select count(*) from {HISTORY} h where not exists (
                select 1 from {HISTORY_LOG} l
                where l.source_id = h.source_id and l.vintage_number = h.first_vintage_number)""",
        "recorded vintages the load log does not have": f"""
            select count(*) from {HISTORY_LOG} l where not exists (
                select 1 from {VINTAGES} v
                where v.source_id = l.source_id and v.vintage_number = l.vintage_number
                  and v.vintage = l.vintage)""",
    }
    broken = []
    for sentence, sql in queries.items():
        (count,) = con.execute(sql).fetchall()[0]
        if count:
            broken.append(f"{count} {sentence}")
    return broken


@dataclass(frozen=True)
class Recorded:
    added: dict[str, int] = field(default_factory=dict)  # ranges opened per source with a new vintage
    vintages: int = 0  # rows of raw.source_vintages
    history: int = 0  # rows (ranges) of raw.metric_value_history


def record(con: duckdb.DuckDBPyConnection, metric_sources: Iterable[str]) -> Recorded:
    """Rebuild ``raw.source_vintages`` and take each metric source's current vintage into the history
    if it is not there yet, in one transaction. Raises :class:`HistoryInvariantError` (recording
    nothing) when the history breaks an invariant."""
    ensure_tables(con)
    present = {
        name
        for (name,) in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
        ).fetchall()
    }
    added: dict[str, int] = {}
    con.execute("begin transaction")
    try:
        rebuild_vintages(con)
        broken = broken_invariants(con)
        if broken:
            raise HistoryInvariantError(broken)
        for source_id in metric_sources:
            current = _current_vintage(con, source_id) if source_id in present else None
            if current is None:
                continue
            number, vintage = current
            loaded = con.execute(f'select distinct _sha256 from raw."{source_id}"').fetchall()
            if loaded != [(vintage,)]:  # empty, or not that file's rows
                continue
            ((load_number,),) = con.execute(
                f"select coalesce(max(load_number), 0) from {LOAD_LOG} where source_id = ?", [source_id]
            ).fetchall()
            (recorded,) = con.execute(  # taken in again only when loaded again since (a re-parse)
                f"select count(*) from {HISTORY_LOG} where source_id = ? and vintage_number = ? "
                "and coalesce(load_number, 0) >= ?",
                [source_id, number, load_number],
            ).fetchall()[0]
            if recorded:
                continue
            relation = f'(select {_columns()} from raw."{source_id}" where _sha256 = {_quote(vintage)})'
            opened, closed = apply_vintage(con, source_id, number, relation)
            _log(con, source_id, number, vintage, opened, closed, load_number)
            added[source_id] = opened
        rebuild_vintages(con)  # figures_recorded for what was just taken in
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    (vintages,) = con.execute(f"select count(*) from {VINTAGES}").fetchall()[0]
    (history,) = con.execute(f"select count(*) from {HISTORY}").fetchall()[0]
    return Recorded(added, int(vintages), int(history))


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class Repaired:
    broken_before: list[str]
    ranges_before: int
    ranges_after: int
    vintages_replayed: int
    conflicts_resolved: int  # figure-vintages that held two values; the latest recorded was kept


def repair(con: duckdb.DuckDBPyConnection) -> Repaired:
    """Rebuild the ranges vintage by vintage from what they hold: for each recorded vintage of each
    source, the figures whose ranges cover it (where two ranges of one figure cover it, the one
    recorded last), replayed in order into a fresh table that replaces the old one in one
    transaction. A history that holds its invariants comes back unchanged; no vintage's figures are
    lost."""
    ensure_tables(con)
    con.execute("begin transaction")
    try:
        rebuild_vintages(con)
        broken = broken_invariants(con)
        (ranges_before,) = con.execute(f"select count(*) from {HISTORY}").fetchall()[0]
        con.execute(  # a log entry for a vintage the load log does not have cannot be replayed
            f"delete from {HISTORY_LOG} l where not exists (select 1 from {VINTAGES} v where "
            "v.source_id = l.source_id and v.vintage_number = l.vintage_number and v.vintage = l.vintage)"
        )
        logged = con.execute(
            f"select source_id, vintage_number, vintage, recorded_at from {HISTORY_LOG} order by 1, 2"
        ).fetchall()
        con.execute(f"create or replace temp table history_before as select * from {HISTORY}")
        con.execute(f"delete from {HISTORY}")
        conflicts = 0
        for source_id, number, _vintage, recorded_at in logged:
            covering = f"""(select * from history_before
                where source_id = {_quote(source_id)} and first_vintage_number <= {int(number)}
                  and coalesce(last_vintage_number, 2147483647) >= {int(number)})"""
            (conflicts_here,) = con.execute(
                f"select count(*) - count(distinct ({', '.join(FIGURE_KEY)})) from {covering}"
            ).fetchall()[0]
            conflicts += int(conflicts_here)
            relation = f"""(select {_columns()} from {covering}
                qualify row_number() over (partition by {", ".join(FIGURE_KEY)}
                    order by recorded_at desc, first_vintage_number desc) = 1)"""
            opened, closed = apply_vintage(con, source_id, int(number), relation, recorded_at=recorded_at)
            con.execute(
                f"update {HISTORY_LOG} set ranges_opened = ?, ranges_closed = ? "
                "where source_id = ? and vintage_number = ?",
                [opened, closed, source_id, number],
            )
        con.execute("drop table history_before")
        rebuild_vintages(con)
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    (ranges_after,) = con.execute(f"select count(*) from {HISTORY}").fetchall()[0]
    return Repaired(broken, int(ranges_before), int(ranges_after), len(logged), conflicts)


def _convert_first_format(con: duckdb.DuckDBPyConnection) -> None:
    """The first history format kept each distinct file's rows once, keyed by its sha256: replay each
    vintage (each load of a file, in load order) from those copies into ranges."""
    con.execute("begin transaction")
    try:
        con.execute(f"alter table {HISTORY} rename to metric_value_history_first_format")
        ensure_tables(con)
        rebuild_vintages(con)
        vintages = con.execute(
            f"select source_id, vintage_number, vintage from {VINTAGES} v where exists ("
            "select 1 from raw.metric_value_history_first_format h "
            "where h.source_id = v.source_id and h.vintage = v.vintage) order by 1, 2"
        ).fetchall()
        for source_id, number, vintage in vintages:
            relation = (
                f"(select {_columns()} from raw.metric_value_history_first_format "
                f"where source_id = {_quote(source_id)} and vintage = {_quote(vintage)})"
            )
            opened, closed = apply_vintage(con, source_id, int(number), relation)
            _log(con, source_id, int(number), vintage, opened, closed)
        con.execute("drop table raw.metric_value_history_first_format")
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
