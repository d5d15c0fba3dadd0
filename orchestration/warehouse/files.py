"""The warehouse's DuckDB files themselves: a file's checksum, and a connection under the project's
memory limit (the build, the published file and the tests open files only through here)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from orchestration.settings import duckdb_memory_limit


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
