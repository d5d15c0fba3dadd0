"""Publishing: the build file copied beside the published warehouse and renamed into place, atomically.

Write-audit-publish: every refresh writes the *build* file (``warehouse/build/``); only a publish
step, run after every blocking check passed, copies it to a temporary file beside the published
warehouse and renames it into place (``os.replace``: atomic on POSIX). Readers that opened the old
file keep reading it; new readers see the new one; nobody ever sees a half-written file. The refresh
never opens the published file, so it never takes a lock on it. Also here: the manifest of what was
published (sources and code fingerprint), the kept versions, and rollback."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from orchestration.ingest.sources.tidy import sql_literal
from orchestration.warehouse.files import connect, sha256_of
from orchestration.warehouse.loading import (
    LOAD_LOG,
    LOAD_ORDER_NEWEST_FIRST,
    ensure_load_log,
    table_row_counts,
)


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
