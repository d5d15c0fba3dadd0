"""Benchmark: a refresh next to the SQL it runs, median of N, fresh processes, one table.

Each repetition gets an empty warehouse folder and Dagster home and measures, in this order:

- **full refresh**: `mission-tracker refresh` (every source parsed and loaded, dbt build, checks,
  publish, report, profiles, exports), wall time of the whole process as a user or the nightly
  schedule experiences it;
- **unchanged refresh**: the same again (every bundled file, model, suite and line of code is as
  published, so the CLI says "nothing new" before starting Dagster, dbt or GX);
- **plain dbt build**: `dbt build` of the same project over the raw tables the refresh loaded (a
  copy of the build file), in a fresh process;
- **plain SQL**: the SQL that dbt build ran for every model and data test (dbt's own `target/run`
  files), executed in dependency order in one DuckDB connection on another copy, under the same
  DuckDB memory limit as the refresh and dbt (MISSION_TRACKER_DUCKDB_MEMORY_LIMIT).

Then the ratios the targets are stated in (issue 17): full / dbt build, unchanged / dbt build, and
full / plain SQL. `python scripts/live_demo.py` times a refresh in live mode.

    python scripts/bench.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

from orchestration.settings import duckdb_memory_limit

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
CLI = str(Path(sys.executable).with_name("mission-tracker"))
DBT = str(Path(sys.executable).with_name("dbt"))
BUILD_FILE = Path("build") / "mission_tracker.duckdb"


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    completed = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        sys.exit(f"{command[:2]} failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}")
    return elapsed


def copy_build(warehouse: Path, into: Path) -> Path:
    """A copy of the refresh's build file (raw tables, seeds, models) under ``into``/build/."""
    target = into / BUILD_FILE
    target.parent.mkdir(parents=True)
    shutil.copy2(warehouse / BUILD_FILE, target)
    return into


def scratch_env(scratch: Path, **variables: str) -> dict[str, str]:
    """The environment of a refresh in ``scratch``: its own warehouse folder and Dagster home."""
    home = scratch / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    warehouse = scratch / "warehouse"
    return {
        **os.environ,
        "MISSION_TRACKER_WAREHOUSE_DIR": str(warehouse),
        "DAGSTER_HOME": str(home),
        **variables,
    }


def plain_dbt_build_seconds(warehouse: Path, scratch: Path, env: dict[str, str]) -> tuple[float, Path]:
    """A plain `dbt build` (fresh process, fresh target folder) on a copy of the refresh's build file:
    its wall time and its target folder (whose run/ files :func:`plain_sql_seconds` executes)."""
    dbt_copy = copy_build(warehouse, scratch / "dbt_copy")
    target = scratch / "target"
    dbt_env = {
        **env,
        "MISSION_TRACKER_WAREHOUSE_DIR": str(dbt_copy),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    project = ["--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)]
    seconds = timed([DBT, "--quiet", "build", *project, "--target-path", str(target)], dbt_env)
    shutil.rmtree(dbt_copy)
    return seconds, target


def plain_sql_seconds(target_path: Path, db: Path) -> tuple[float, int]:
    """Run dbt's executed SQL for every model and data test in dependency order in one connection."""
    manifest = json.loads((target_path / "manifest.json").read_text())
    nodes = {
        uid: node
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] in ("model", "test") and node.get("test_metadata", {}).get("name") != "unit"
    }
    order = TopologicalSorter(
        {uid: [d for d in node["depends_on"]["nodes"] if d in nodes] for uid, node in nodes.items()}
    ).static_order()
    # dbt writes the SQL it executed for each node as target/run/<package>/<path>/<alias>.sql
    # (a generic test's alias is its name, or a hashed short name when that is long)
    files = {path.name: path for path in (target_path / "run").rglob("*.sql")}
    statements = []
    for uid in order:
        node = nodes[uid]
        path = files.get(f"{node.get('alias') or node['name']}.sql")
        if path is None:
            sys.exit(f"no executed SQL for {uid} under {target_path / 'run'}")
        statements.append((node["resource_type"], path.read_text()))
    con = duckdb.connect(str(db))
    con.execute(f"set memory_limit = '{duckdb_memory_limit()}'")  # as the refresh and dbt run it
    start = time.perf_counter()
    for kind, sql in statements:
        if kind == "test":
            con.execute(sql).fetchall()
        else:
            con.execute(sql)
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed, len(statements)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    times: dict[str, list[float]] = {
        "full refresh": [],
        "unchanged refresh": [],
        "plain dbt build": [],
        "plain SQL": [],
    }
    statements = 0
    for repetition in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="mt-bench-") as scratch_name:
            scratch = Path(scratch_name)
            env = scratch_env(scratch)
            warehouse = Path(env["MISSION_TRACKER_WAREHOUSE_DIR"])
            times["full refresh"].append(timed([CLI, "refresh"], env))
            times["unchanged refresh"].append(timed([CLI, "refresh"], env))
            seconds, target = plain_dbt_build_seconds(warehouse, scratch, env)
            times["plain dbt build"].append(seconds)
            sql_copy = copy_build(warehouse, scratch / "sql_copy")
            seconds, statements = plain_sql_seconds(target, sql_copy / BUILD_FILE)
            times["plain SQL"].append(seconds)
        print(
            "run " + str(repetition + 1) + ": " + ", ".join(f"{k} {v[-1]:.1f} s" for k, v in times.items()),
            flush=True,
        )
    median = {name: statistics.median(values) for name, values in times.items()}
    print()
    print(f"| what (median of {args.repeat}, this machine) | wall | min | max |")
    print("|---|---|---|---|")
    for name, values in times.items():
        print(f"| {name} | {median[name]:.1f} s | {min(values):.1f} s | {max(values):.1f} s |")
    print(f"\nplain SQL = {statements} model and data-test statements in one DuckDB connection")
    dbt_build = median["plain dbt build"]
    print(f"full refresh / plain dbt build:      {median['full refresh'] / dbt_build:5.2f}  (target <= 2.0)")
    unchanged = median["unchanged refresh"] / dbt_build
    print(f"unchanged refresh / plain dbt build: {unchanged:5.2f}  (target <= 0.5, and <= 5 s)")
    print(f"full refresh / plain SQL:            {median['full refresh'] / median['plain SQL']:5.2f}")
    print(f"plain dbt build / plain SQL:         {dbt_build / median['plain SQL']:5.2f}")


if __name__ == "__main__":
    main()
