"""Every mart of the published warehouse as Parquet and CSV under one folder."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class ExportResult:
    folder: Path
    tables: dict[str, int]  # table -> rows


def mart_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The tables (and views) analysts query: everything in the main schema."""
    rows = con.execute(
        "select table_name from information_schema.tables where table_schema = 'main' "
        "and table_type in ('BASE TABLE', 'VIEW') order by 1"
    ).fetchall()
    return [name for (name,) in rows]


def export_marts(db: Path, folder: Path) -> ExportResult:
    """Write <table>.parquet and <table>.csv for every mart; swap the folder in whole at the end."""
    staging = folder.with_name(folder.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    tables: dict[str, int] = {}
    with duckdb.connect(str(db), read_only=True) as con:
        for table in mart_tables(con):
            parquet, csv = staging / f"{table}.parquet", staging / f"{table}.csv"
            con.execute(f"copy main.\"{table}\" to '{parquet}' (format parquet)").fetchall()
            rows = con.execute(f"copy main.\"{table}\" to '{csv}' (format csv, header)").fetchall()
            tables[table] = int(rows[0][0])
    previous = folder.with_name(folder.name + ".previous")
    shutil.rmtree(previous, ignore_errors=True)
    if folder.exists():
        os.replace(folder, previous)
    os.replace(staging, folder)
    shutil.rmtree(previous, ignore_errors=True)
    return ExportResult(folder, tables)
