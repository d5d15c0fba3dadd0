"""Faults during a refresh: a SIGKILL in the middle of dbt, and analysts reading while it publishes."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from orchestration.runner import run_refresh
from orchestration.settings import BUNDLED_DIR_VAR, PROJECT_ROOT, WAREHOUSE_DIR_VAR
from orchestration.sources.catalogue import get_source
from orchestration.warehouse import sha256_of
from tests.helpers import copy_published, isolated_warehouse, poisoned_bundle, set_cells_where

CLI = str(Path(sys.executable).with_name("mission-tracker"))
HLE = get_source("healthy_life_expectancy")


def fingerprint(published: Path) -> list:
    with duckdb.connect(str(published), read_only=True) as con:
        return list(
            con.execute(
                "select (select count(*) from fct_area_year_metrics), "
                "(select cast(max(loaded_at) as varchar) from raw._load_log), "
                "(select count(*) from mission_data_gaps)"
            ).fetchone()
        )


@pytest.mark.end_to_end(seconds=40)
def test_sigkill_during_dbt_build_leaves_published_intact_and_next_refresh_succeeds(
    built_warehouse, tmp_path
):
    warehouse = tmp_path / "warehouse"
    copy_published(built_warehouse.settings.warehouse_dir, warehouse)
    published = warehouse / "mission_tracker.duckdb"
    before = sha256_of(published)
    # a new release of one file, so that the recovering refresh has something new to publish
    bundle = poisoned_bundle(
        tmp_path, HLE.bundled_path, set_cells_where("notes", "revised", lambda r: r["areacd"] == "E06000001")
    )
    env = {**os.environ, WAREHOUSE_DIR_VAR: str(warehouse), BUNDLED_DIR_VAR: str(bundle)}
    process = subprocess.Popen(
        [CLI, "refresh", "--verbose"],  # --verbose: dbt's own lines on stdout, not in the log file
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    seen_dbt_model = False
    deadline = time.monotonic() + 300
    for line in process.stdout:  # dagster-dbt streams dbt's log lines to stdout
        if "START sql" in line and "model" in line:
            seen_dbt_model = True
            break
        assert time.monotonic() < deadline, "dbt never started"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert seen_dbt_model and process.returncode == -signal.SIGKILL
    assert sha256_of(published) == before, "a killed refresh changed the published warehouse"
    with duckdb.connect(str(published), read_only=True) as con:
        assert con.execute("select count(*) from fct_area_year_metrics").fetchone()[0] > 0

    with isolated_warehouse(warehouse, bundle):
        summary = run_refresh()  # no manual cleanup in between
    assert summary.success, summary.failures
    assert summary.stale_lock and f"pid {process.pid}," in summary.stale_lock  # the killed run's lock
    assert sha256_of(published) != before


@pytest.mark.end_to_end(seconds=45)
def test_concurrent_readers_never_see_an_error_or_a_half_built_state(built_warehouse, tmp_path):
    warehouse = tmp_path / "warehouse"
    copy_published(built_warehouse.settings.warehouse_dir, warehouse)
    published = warehouse / "mission_tracker.duckdb"
    old_version = fingerprint(published)
    # a new release of one file (a note added), so that the refresh publishes a different version
    bundle = poisoned_bundle(
        tmp_path, HLE.bundled_path, set_cells_where("notes", "revised", lambda r: r["areacd"] == "E06000001")
    )
    stop = tmp_path / "stop"
    readers = []
    for number in range(3):
        out = tmp_path / f"reader{number}.json"
        command = [sys.executable, "-m", "tests.reader_process", str(published), str(stop), str(out)]
        readers.append((subprocess.Popen(command, cwd=PROJECT_ROOT), out))
    time.sleep(1.0)
    with isolated_warehouse(warehouse, bundle):
        summary = run_refresh(sources=[HLE.id])  # the same build, checks and atomic publish, fewer steps
    time.sleep(1.0)
    stop.touch()
    results = []
    for process, out in readers:
        assert process.wait(timeout=60) == 0, out.read_text()
        results.append(json.loads(out.read_text()))
    assert summary.success, summary.failures
    new_version = fingerprint(published)
    assert new_version != old_version
    for result in results:
        assert result["error"] is None
        assert result["reads"] > 10
        assert all(seen in (old_version, new_version) for seen in result["seen"]), result["seen"]
        assert result["seen"][0] == old_version and result["seen"][-1] == new_version
