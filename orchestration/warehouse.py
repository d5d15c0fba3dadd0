"""DuckDB files: loading raw tables into the build, and publishing the build atomically.

Write-audit-publish: every refresh writes the *build* file (``warehouse/build/``); only a publish
step, run after every blocking check passed, copies it to a temporary file beside the published
warehouse and renames it into place (``os.replace``: atomic on POSIX). Readers that opened the old
file keep reading it; new readers see the new one; nobody ever sees a half-written file. The refresh
never opens the published file, so it never takes a lock on it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.settings import duckdb_memory_limit
from orchestration.sources.tidy import PARSED_TYPES, sql_literal

LOAD_LOG = "raw._load_log"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A short-lived connection under the refresh's memory limit; callers close it
    (``with connect(...) as con``). The limit is SET, not passed as config: DuckDB refuses a second
    connection to a file with a different config in one process."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path), read_only=read_only)
    con.execute(f"set memory_limit = '{duckdb_memory_limit()}'")
    return con


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
        f"select file, sha256, loaded_at, row_count, first_period, last_period from {LOAD_LOG} "
        f"where source_id = ? order by {LOAD_ORDER_NEWEST_FIRST} limit 1",
        [source_id],
    ).fetchall()
    if not rows:
        return None
    row = rows[0]
    keys = ("file", "sha256", "loaded_at", "row_count", "first_period", "last_period")
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
        "last_period, mode, url, fetched_at, publisher_date, load_number) "
        f"select ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(max(load_number), 0) + 1 from {LOAD_LOG}",
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


def manifest_path(published_db: Path) -> Path:
    return published_db.with_name(f"{published_db.stem}.manifest.json")


def read_manifest(published_db: Path) -> dict:
    """What the last publish recorded (tables' row counts, checksum, time); {} when none."""
    path = manifest_path(published_db)
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def checkpoint(db: Path) -> None:
    """Fold the write-ahead log into the file so that a byte copy is complete."""
    with connect(db) as con:
        con.execute("checkpoint")


@dataclass(frozen=True)
class PublishResult:
    path: Path
    sha256: str
    size_bytes: int
    previous: Path | None
    tables: dict[str, int]


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


#: What decides the content of a build besides the source files: models, seeds, suites and code.
CODE_INPUTS = (
    "dbt_project/dbt_project.yml",
    "dbt_project/models",
    "dbt_project/seeds",
    "dbt_project/macros",
    "dbt_project/tests",
    "expectations",
    "orchestration",
)


def inputs_fingerprint(build_db: Path, project_root: Path) -> str:
    """sha256 over each source's loaded file (its latest load) and every file that shapes the build.

    Two builds with the same fingerprint hold the same data; a publish records it in the manifest, so
    a nightly run with nothing new can say so and leave the published warehouse alone.
    """
    with connect(build_db) as con:
        ensure_load_log(con)
        loads = con.execute(
            f"select source_id, sha256 from {LOAD_LOG} "
            "qualify row_number() over ("
            f"partition by source_id order by {LOAD_ORDER_NEWEST_FIRST}) = 1 order by 1"
        ).fetchall()
    return fingerprint_of(dict(loads), project_root)


def fingerprint_of(source_checksums: dict[str, str], project_root: Path) -> str:
    """sha256 over each source's file checksum (by source id) and every file that shapes the build."""
    digest = hashlib.sha256()
    for source_id in sorted(source_checksums):
        digest.update(f"source {source_id} {source_checksums[source_id]}\n".encode())
    for name in CODE_INPUTS:
        root = project_root / name
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" in path.parts:
                continue
            digest.update(f"file {path.relative_to(project_root)} {sha256_of(path)}\n".encode())
    return digest.hexdigest()


def published_is_current(published_db: Path, fingerprint: str) -> bool:
    """True when the published warehouse was built from exactly these inputs (nothing new) and is intact."""
    manifest = read_manifest(published_db)
    return (
        published_db.exists()
        and manifest.get("inputs_fingerprint") == fingerprint
        and manifest.get("sha256") == sha256_of(published_db)
    )


#: The storage format of the published file: the one DuckDB 1.1 and every later release read (file
#: version 64), so analysts' clients that lag (DBeaver's driver, R, a distribution's Python) open it.
#: The build keeps the newest format. DuckDB's storage compatibility table lists which release reads
#: which version.
PUBLISHED_STORAGE_VERSION = "v1.1.0"


def compacted_copy(build_db: Path, target: Path, storage_version: str = PUBLISHED_STORAGE_VERSION) -> None:
    """Write a fresh database file holding everything in the build (schemas, tables, views, macros),
    in ``storage_version``. DuckDB never shrinks a file in place, so a byte copy of the build would carry
    every block freed by earlier refreshes; this copy holds only what is live."""
    target.unlink(missing_ok=True)
    with connect(build_db) as con:  # read-write: a read-only one attaches the target read-only too
        ((build_name,),) = con.execute("select current_database()").fetchall()
        options = f"storage_version '{storage_version}'"
        con.execute(f"attach {sql_literal(str(target))} as published_copy ({options})")
        try:
            con.execute(f'copy from database "{build_name}" to published_copy')
        finally:
            con.execute("detach published_copy")


def publish(
    build_db: Path, published_db: Path, versions_dir: Path, keep: int, *, fingerprint: str | None = None
) -> PublishResult:
    """Write a compacted copy of the build (:func:`compacted_copy`) and rename it over the published
    warehouse atomically; keep the previous ``keep`` versions."""
    checkpoint(build_db)
    tables = table_row_counts(build_db)  # read from the build: the published file is never opened
    published_db.parent.mkdir(parents=True, exist_ok=True)
    temporary = published_db.with_name(f".{published_db.name}.{os.getpid()}.tmp")
    compacted_copy(build_db, temporary)
    with open(temporary, "rb+") as handle:
        os.fsync(handle.fileno())
    previous = None
    if published_db.exists():
        versions_dir.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        previous = versions_dir / f"{published_db.stem}-{stamp}.duckdb"
        os.link(published_db, previous)  # a second name for the old file: no copy, no window
    os.replace(temporary, published_db)
    _fsync_dir(published_db.parent)
    for old in list_versions(versions_dir)[:-keep]:
        old.unlink()
    checksum = sha256_of(published_db)
    manifest = {
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "sha256": checksum,
        "size_bytes": published_db.stat().st_size,
        "storage_version": PUBLISHED_STORAGE_VERSION,
        "previous_version": str(previous) if previous else None,
        "inputs_fingerprint": fingerprint,
        "tables": tables,
    }
    _write_atomically(manifest_path(published_db), json.dumps(manifest, indent=2))
    return PublishResult(published_db, checksum, published_db.stat().st_size, previous, tables)


def list_versions(versions_dir: Path) -> list[Path]:
    """Kept versions, oldest first."""
    return sorted(versions_dir.glob("*.duckdb")) if versions_dir.exists() else []


def rollback(published_db: Path, versions_dir: Path) -> Path:
    """Put the newest kept version back in place (atomically); return the version restored."""
    versions = list_versions(versions_dir)
    if not versions:
        raise FileNotFoundError(f"no previous versions in {versions_dir} to roll back to")
    newest = versions[-1]
    temporary = published_db.with_name(f".{published_db.name}.{os.getpid()}.rollback")
    shutil.copyfile(newest, temporary)
    os.replace(temporary, published_db)
    _fsync_dir(published_db.parent)
    newest.unlink()
    return newest
