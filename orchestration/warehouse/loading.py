"""Loading: raw tables into the build file, each load logged with its origin (``raw._load_log``), and
the row counts a release is compared by."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.ingest.sources.tidy import PARSED_TYPES, sql_literal
from orchestration.warehouse.files import connect

LOAD_LOG = "raw._load_log"


def ensure_load_log(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    con.execute(
        f"""create table if not exists {LOAD_LOG} (
            source_id varchar not null,
            file varchar not null,
            sha256 varchar not null,
            loaded_at timestamp not null,
            row_count bigint not null,
            first_period varchar,
            last_period varchar
        )"""
    )
    for column, kind in _ORIGIN_COLUMNS:  # added with live fetching; older build files lack them
        con.execute(f"alter table {LOAD_LOG} add column if not exists {column} {kind}")


#: Load-log columns added after the original seven: where a load's file came from, and the load's
#: place in the log (``load_number``: loads within one second keep their order; rows logged before it
#: existed have none and sort first, by time).
_ORIGIN_COLUMNS = (
    ("mode", "varchar"),
    ("url", "varchar"),
    ("fetched_at", "timestamp"),
    ("publisher_date", "timestamp"),
    ("load_number", "bigint"),
    # what the file was read with (catalogue entry and parser code): a load of the same file under a
    # different one is not 'unchanged' (orchestration.ingest.sources.catalogue.parse_fingerprint)
    ("parse_fingerprint", "varchar"),
)


#: The order of the load log: the order the loads happened in, and newest first.
LOAD_ORDER = "load_number asc nulls first, loaded_at asc"


LOAD_ORDER_NEWEST_FIRST = "load_number desc nulls last, loaded_at desc"


@dataclass(frozen=True)
class Origin:
    """Where a loaded file came from: the bundled snapshot, or a live fetch (URL, when, publisher date)."""

    mode: str = "bundled"
    url: str | None = None
    fetched_at: datetime | None = None
    publisher_date: datetime | None = None


def raw_columns(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """The columns of ``raw.<table>`` and their types (lower case), in order ({} when it does not exist)."""
    rows = con.execute(
        "select column_name, lower(data_type) from information_schema.columns "
        "where table_schema = 'raw' and table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    return dict(rows)


def connect_for_loading(db: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection to the build file with the raw schema and load log in place: the one
    the ingest step loads every source on (``last_load``, ``load_raw_table``)."""
    con = connect(db)
    ensure_load_log(con)
    return con


def last_load(con: duckdb.DuckDBPyConnection, source_id: str) -> dict | None:
    """The latest load-log entry for a source whose raw table still exists, or None. Every result is
    fetched to the end: the caller's connection goes on to load (DuckDB refuses ``register`` while a
    result is unfinished)."""
    ((exists,),) = con.execute(
        "select count(*) from information_schema.tables where table_schema='raw' and table_name=?",
        [source_id],
    ).fetchall()
    if not exists:
        return None
    rows = con.execute(
        "select file, sha256, loaded_at, row_count, first_period, last_period, parse_fingerprint "
        f"from {LOAD_LOG} "
        f"where source_id = ? order by {LOAD_ORDER_NEWEST_FIRST} limit 1",
        [source_id],
    ).fetchall()
    if not rows:
        return None
    row = rows[0]
    keys = ("file", "sha256", "loaded_at", "row_count", "first_period", "last_period", "parse_fingerprint")
    return {**dict(zip(keys, row, strict=True)), "columns": raw_columns(con, source_id)}


@dataclass(frozen=True)
class LoadResult:
    source_id: str
    table: str
    file: str
    sha256: str
    loaded_at: datetime
    row_count: int
    periods: list[str]


def load_raw_table(
    con: duckdb.DuckDBPyConnection,
    source_id: str,
    relation: str,
    *,
    file: Path,
    sha256: str,
    provenance: str = "published",
    origin: Origin | None = None,
    metrics: Mapping[str, tuple[str, str]] | None = None,
    parse_fingerprint: str | None = None,
) -> LoadResult:
    """Replace ``raw.<source_id>`` with the rows of ``relation`` (a temporary table or a registered
    frame on ``con``) plus load columns, and log the load, in one transaction (on a
    ``connect_for_loading`` connection: the ingest step opens it once for every source).

    ``metrics`` (publisher indicator -> (metric id, breakdown)) is given for metric rows: they keep
    :data:`PARSED_TYPES` whichever reader produced them and gain ``metric_id`` and ``breakdown``
    columns; without it (a lookup) the rows are loaded as they are."""
    loaded_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    table = f"raw.{source_id}"
    columns = [name for (name, *_) in con.execute(f"describe {relation}").fetchall()]
    periods = []
    if metrics is not None:
        ordered = f"select period_label, min(period_start) from {relation} group by 1 order by 2, 1"
        periods = [label for (label, _) in con.execute(ordered).fetchall()]
    ((row_count,),) = con.execute(f"select count(*) from {relation}").fetchall()
    con.execute("begin transaction")
    con.execute(
        f"""create or replace table {table} as
            select {_raw_select(columns, metrics) if metrics is not None else "*"},
                   ? as _source_file, ? as _sha256, cast(? as timestamp) as _loaded_at,
                   ? as _provenance
            from {relation}""",
        [str(file), sha256, loaded_at, provenance],
    )
    origin = origin or Origin()
    con.execute(
        f"insert into {LOAD_LOG} (source_id, file, sha256, loaded_at, row_count, first_period, "
        "last_period, mode, url, fetched_at, publisher_date, parse_fingerprint, load_number) "
        f"select ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(max(load_number), 0) + 1 from {LOAD_LOG}",
        [
            source_id,
            str(file),
            sha256,
            loaded_at,
            row_count,
            periods[0] if periods else None,
            periods[-1] if periods else None,
            origin.mode,
            origin.url,
            origin.fetched_at,
            origin.publisher_date,
            parse_fingerprint,
        ],
    )
    con.execute("commit")
    return LoadResult(source_id, table, str(file), sha256, loaded_at, row_count, periods)


def _raw_select(columns: list[str], metrics: Mapping[str, tuple[str, str]]) -> str:
    """Parsed columns typed (period dates last, as raw tables have always had them), any other
    column as it is, then the metric mapping's two columns."""
    last = ("period_start", "period_end")
    typed = [
        f"cast({column} as {PARSED_TYPES[column]}) as {column}" if column in PARSED_TYPES else column
        for column in columns
        if column not in last
    ]
    for position, name in enumerate(("metric_id", "breakdown")):
        cases = " ".join(
            f"when {sql_literal(indicator)} then {sql_literal(target[position])}"
            for indicator, target in metrics.items()
        )
        typed.append(f"case indicator {cases} end as {name}" if cases else f"null::varchar as {name}")
    return ", ".join([*typed, *(f"cast({column} as date) as {column}" for column in last)])


def release_relation(con: duckdb.DuckDBPyConnection, relation: str) -> None:
    """Drop what staging left under ``relation`` (a temporary table or a registered frame)."""
    con.unregister(relation)  # first: a registered frame is a view, which "drop table" refuses
    con.execute(f"drop table if exists temp.{relation}")


def table_row_counts(db: Path) -> dict[str, int]:
    """Rows per table (schema.table) in a DuckDB file, excluding views."""
    with connect(db, read_only=True) as con:
        tables = con.execute(
            "select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE' "
            "order by 1, 2"
        ).fetchall()
        return {
            f"{schema}.{name}": con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()[0]
            for schema, name in tables
        }
