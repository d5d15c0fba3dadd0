"""The published warehouse opens in the oldest DuckDB the README promises (1.1), not only in the one
that built it: a real duckdb 1.1.3 from PyPI in a throwaway virtual environment (made once, under
.cache/, by this test's own setup) reads every table of the session's published file and every view analysts
query (the marts' schema), and every table's row count equals what the build counted with the
current DuckDB."""

from __future__ import annotations

import json
import subprocess
import venv
from pathlib import Path

import pytest

from orchestration.settings import PROJECT_ROOT
from orchestration.warehouse.publishing import PUBLISHED_STORAGE_VERSION, read_manifest

OLDEST_CLIENT = "1.1.3"

READ_EVERYTHING = r"""
import json, sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
con.execute("set enable_progress_bar = false")  # it would print to stdout on a slow query
relations = con.execute(
    "select table_schema, table_name, table_type from information_schema.tables "
    "where table_type = 'BASE TABLE' or table_schema = 'main' order by 1, 2"
).fetchall()
counts, views = {}, []
for schema, name, kind in relations:
    (rows,) = con.execute(f'select count(*) from "{schema}"."{name}"').fetchone()
    con.execute(f'select * from "{schema}"."{name}" limit 5').fetchall()
    if kind == "BASE TABLE":
        counts[f"{schema}.{name}"] = rows
    else:
        views.append(name)
print(json.dumps({"version": duckdb.__version__, "views": views, "tables": counts}))
"""


@pytest.fixture(scope="module")
def old_duckdb_python() -> Path:
    """A virtual environment with duckdb 1.1.3 from PyPI, made once and kept under .cache/."""
    home = PROJECT_ROOT / ".cache" / f"duckdb-{OLDEST_CLIENT}"
    python = home / "bin" / "python"
    probe = [str(python), "-c", f"import duckdb; assert duckdb.__version__ == '{OLDEST_CLIENT}'"]
    if not python.exists() or subprocess.run(probe, capture_output=True).returncode != 0:
        venv.create(home, with_pip=True, clear=True)
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                f"duckdb=={OLDEST_CLIENT}",
            ],
            check=True,
            timeout=600,
        )
    return python


@pytest.mark.slow(seconds=20)
def test_duckdb_1_1_reads_every_table_and_mart_view_of_the_published_file(built_warehouse, old_duckdb_python):
    published = built_warehouse.settings.published_db
    header = published.read_bytes()[:64]
    assert (
        header[8:12] == b"DUCK" and int.from_bytes(header[12:20], "little") == 64
    )  # DuckDB 1.1's file version
    out = subprocess.run(
        [str(old_duckdb_python), "-c", READ_EVERYTHING, str(published)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    read = json.loads(out.stdout)
    assert read["version"] == OLDEST_CLIENT
    manifest = read_manifest(published)
    assert manifest["storage_version"] == PUBLISHED_STORAGE_VERSION
    assert read["tables"] == manifest["tables"]  # counted in the build by the DuckDB that made it
    assert "metric_value_history" in read["views"]  # the history view, over the raw ranges
    assert manifest["size_bytes"] == published.stat().st_size
