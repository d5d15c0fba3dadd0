"""Faults during a refresh: a SIGKILL in the middle of dbt, and analysts reading while it publishes."""

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
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


@dataclass
class KilledThenRecovered:
    """A CLI refresh killed with SIGKILL in the middle of dbt, then the next refresh, with no manual
    cleanup in between, run while three analyst processes read the published file in a loop."""

    killed: subprocess.Popen
    seen_dbt_model: bool
    sha_before: str
    sha_after_kill: str
    rows_after_kill: int
    old_version: list
    summary: object  # orchestration.runner.RefreshSummary
    new_version: list
    sha_after: str
    readers: list[tuple[int, dict]]  # (exit code, what the reader saw)


@pytest.fixture(scope="module")
def killed_then_recovered(built_warehouse, tmp_path_factory) -> KilledThenRecovered:
    """One kill and one recovering refresh for both tests below (a refresh with a publish costs a
    whole dbt build): the recovery is the refresh the readers watch publish."""
    tmp_path = tmp_path_factory.mktemp("faults")
    warehouse = tmp_path / "warehouse"
    copy_published(built_warehouse.settings.warehouse_dir, warehouse)
    published = warehouse / "mission_tracker.duckdb"
    sha_before = sha256_of(published)
    old_version = fingerprint(published)
    # a new release of one file (a note added), so that the recovering refresh publishes a new version
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
    process.stdout.close()
    sha_after_kill = sha256_of(published)
    with duckdb.connect(str(published), read_only=True) as con:
        rows_after_kill = con.execute("select count(*) from fct_area_year_metrics").fetchone()[0]

    stop = tmp_path / "stop"
    readers = []
    for number in range(3):
        out = tmp_path / f"reader{number}.json"
        command = [sys.executable, "-m", "tests.reader_process", str(published), str(stop), str(out)]
        readers.append((subprocess.Popen(command, cwd=PROJECT_ROOT), out))
    time.sleep(1.0)
    with isolated_warehouse(warehouse, bundle):
        summary = run_refresh()  # no manual cleanup after the kill
    time.sleep(1.0)
    stop.touch()
    results = []
    for reader, out in readers:
        code = reader.wait(timeout=60)
        results.append((code, json.loads(out.read_text())))
    return KilledThenRecovered(
        killed=process,
        seen_dbt_model=seen_dbt_model,
        sha_before=sha_before,
        sha_after_kill=sha_after_kill,
        rows_after_kill=rows_after_kill,
        old_version=old_version,
        summary=summary,
        new_version=fingerprint(published),
        sha_after=sha256_of(published),
        readers=results,
    )


@pytest.mark.end_to_end(seconds=50)  # the fixture's kill and recovering refresh, for both tests
def test_sigkill_during_dbt_build_leaves_published_intact_and_next_refresh_succeeds(killed_then_recovered):
    run = killed_then_recovered
    assert run.seen_dbt_model and run.killed.returncode == -signal.SIGKILL
    assert run.sha_after_kill == run.sha_before, "a killed refresh changed the published warehouse"
    assert run.rows_after_kill > 0
    assert run.summary.success, run.summary.failures
    assert (
        run.summary.stale_lock and f"pid {run.killed.pid}," in run.summary.stale_lock
    )  # the killed run's lock
    assert run.sha_after != run.sha_before


@pytest.mark.end_to_end(seconds=0)  # the refresh it watches is the fixture's, counted above
def test_concurrent_readers_never_see_an_error_or_a_half_built_state(killed_then_recovered):
    run = killed_then_recovered
    assert run.summary.success, run.summary.failures
    assert run.new_version != run.old_version
    for code, result in run.readers:
        assert code == 0 and result["error"] is None, result
        assert result["reads"] > 10
        assert all(seen in (run.old_version, run.new_version) for seen in result["seen"]), result["seen"]
        assert result["seen"][0] == run.old_version and result["seen"][-1] == run.new_version
