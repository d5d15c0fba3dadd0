"""Faults during a refresh: a SIGKILL in the middle of dbt, a second refresh started while the next one
runs, and analysts reading while it publishes."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.ingest.sources.catalogue import get_source
from orchestration.operations.refresh_lock import EXIT_ALREADY_RUNNING, read_holder
from orchestration.settings import BUNDLED_DIR_VAR, PROJECT_ROOT, WAREHOUSE_DIR_VAR
from orchestration.warehouse.files import sha256_of
from tests.helpers import copy_published, import_script, poisoned_bundle, set_cells_where

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


def _revised_rows(published: Path) -> int:
    with duckdb.connect(str(published), read_only=True) as con:
        query = "select count(*) from raw.healthy_life_expectancy where notes = 'revised'"
        return con.execute(query).fetchone()[0]


@dataclass
class KilledThenRecovered:
    """A CLI refresh killed with SIGKILL in the middle of dbt; then, with no manual cleanup, two CLI
    refreshes started a few seconds apart, while three analyst processes read the published file in
    a loop. One fixture for the tests below: a refresh that publishes costs a whole dbt build."""

    killed: subprocess.Popen
    seen_dbt_model: bool
    sha_before: str
    sha_after_kill: str
    rows_after_kill: int
    old_version: list
    first: subprocess.Popen  # the refresh that recovers and publishes
    first_out: str
    second: subprocess.CompletedProcess  # started while the first holds the lock
    new_version: list
    sha_after: str
    revised_rows_after: int  # raw rows of the new release (its note) in the published file
    readers: list[tuple[int, dict]]  # (exit code, what the reader saw)


def _kill_during_dbt(env: dict[str, str]) -> tuple[subprocess.Popen, bool]:
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
    return process, seen_dbt_model


def _two_refreshes_at_once(env: dict[str, str], warehouse: Path) -> tuple[subprocess.Popen, str, object]:
    first = subprocess.Popen(
        [CLI, "refresh"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    deadline = time.monotonic() + 60
    # the first has the lock (the killed refresh's stale record is in the file until then): start
    # the second 'a few seconds later'
    while (holder := read_holder(warehouse)) is None or holder.pid != first.pid:
        assert first.poll() is None and time.monotonic() < deadline, first.stdout.read()
        time.sleep(0.2)
    second = subprocess.run([CLI, "refresh"], env=env, capture_output=True, text=True, timeout=120)
    first_out = first.communicate(timeout=600)[0]
    return first, first_out, second


@pytest.fixture(scope="module")
def killed_then_recovered(built_warehouse, tmp_path_factory) -> KilledThenRecovered:
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
    killed, seen_dbt_model = _kill_during_dbt(env)
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
    first, first_out, second = _two_refreshes_at_once(env, warehouse)
    time.sleep(1.0)
    stop.touch()
    results = []
    for reader, out in readers:
        code = reader.wait(timeout=60)
        results.append((code, json.loads(out.read_text())))
    return KilledThenRecovered(
        killed=killed,
        seen_dbt_model=seen_dbt_model,
        sha_before=sha_before,
        sha_after_kill=sha_after_kill,
        rows_after_kill=rows_after_kill,
        old_version=old_version,
        first=first,
        first_out=first_out,
        second=second,
        new_version=fingerprint(published),
        sha_after=sha256_of(published),
        revised_rows_after=_revised_rows(published),
        readers=results,
    )


@pytest.mark.end_to_end(seconds=75)  # the fixture's kill and its two refreshes, for the three tests
def test_sigkill_during_dbt_build_leaves_published_intact_and_next_refresh_succeeds(killed_then_recovered):
    run = killed_then_recovered
    assert run.seen_dbt_model and run.killed.returncode == -signal.SIGKILL
    assert run.sha_after_kill == run.sha_before, "a killed refresh changed the published warehouse"
    assert run.rows_after_kill > 0
    assert run.first.returncode == 0, run.first_out
    # the next refresh found the killed run's lock and cleared it
    assert (
        f"Cleared a stale refresh lock left by a process that is gone (pid {run.killed.pid}," in run.first_out
    )
    assert run.sha_after != run.sha_before
    # the killed run had loaded the new file into the build: the recovering run found it unchanged there,
    # and its summary still says that this publish carries it
    assert re.search(r"Sources: \d+ ingested, 0 loaded new data", run.first_out), run.first_out
    assert "New data in this publish: 1 source(s) differ from the version before it" in run.first_out
    assert f"1 of them loaded by an earlier run that stopped before publishing: {HLE.id}" in run.first_out


@pytest.mark.end_to_end(seconds=0)  # its refreshes are the fixture's, counted above
def test_two_cli_refreshes_at_once_one_publishes_the_other_stops(killed_then_recovered):
    run = killed_then_recovered
    assert run.second.returncode == EXIT_ALREADY_RUNNING, run.second.stderr
    error = [line for line in run.second.stderr.splitlines() if line.startswith("error:")]
    assert error == [
        f"error: a refresh is already running (pid {run.first.pid}, run {error[0].split('run ')[1]}"
    ]
    assert "started at" in error[0]
    assert run.first.returncode == 0, run.first_out
    assert "Published:" in run.first_out
    # what it published is valid, and the new release is in it
    assert run.sha_after != run.sha_before
    assert run.new_version[0] > 0 and run.revised_rows_after > 0
    # the progress lines `make bench-scale` reads a refresh's timeline from, each once, in order
    bench_scale = import_script("bench_scale")
    timeline = bench_scale.milestones(run.first_out)
    assert list(timeline) == list(bench_scale.MILESTONES), run.first_out
    assert list(timeline.values()) == sorted(timeline.values())


@pytest.mark.end_to_end(seconds=0)  # the refresh it watches is the fixture's, counted above
def test_concurrent_readers_never_see_an_error_or_a_half_built_state(killed_then_recovered):
    run = killed_then_recovered
    assert run.first.returncode == 0, run.first_out
    assert run.new_version != run.old_version
    for code, result in run.readers:
        assert code == 0 and result["error"] is None, result
        assert result["reads"] > 10
        assert all(seen in (run.old_version, run.new_version) for seen in result["seen"]), result["seen"]
        assert result["seen"][0] == run.old_version and result["seen"][-1] == run.new_version
