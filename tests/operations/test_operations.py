"""Safe to operate: the analyst sandbox, one refresh at a time, and runs launched the way the UI does."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, DagsterEventType, DagsterInstance, EventRecordsFilter, materialize

from orchestration.cli import main
from orchestration.defs.assets.ingest import build_ingest_assets
from orchestration.deliver.analyst import AnalystQueryError, analyst_relation, connect_analyst
from orchestration.ingest.sources.catalogue import get_source
from orchestration.operations.refresh_lock import (
    RefreshAlreadyRunning,
    read_holder,
    refresh_lock,
)
from orchestration.operations.runner import run_refresh, summarise
from orchestration.settings import PROJECT_ROOT, RUN_LOCK_WAIT_VAR, WAREHOUSE_DIR_VAR
from orchestration.warehouse.files import sha256_of
from tests.helpers import (
    LEGITIMATE_ODDITIES,
    copy_published,
    environment,
    every_legitimate_oddity,
    ingest_resources,
    isolated_warehouse,
    poisoned_bundle,
    set_cells_where,
)

CLI = str(Path(sys.executable).with_name("mission-tracker"))
HLE = get_source("healthy_life_expectancy")


def _query(capsys, sql: str, *extra: str) -> tuple[int, list[str], list[str]]:
    code = main(["query", sql, *extra])
    captured = capsys.readouterr()
    return code, captured.out.splitlines(), captured.err.splitlines()


# --- the analyst sandbox --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "sql", "expected"),
    [
        ("copy over the warehouse", "copy (select 42) to '{published}' (format csv)", "COPY"),
        ("copy to a new file", "copy (select 42) to '{tmp}/out.csv'", "COPY"),
        ("read an outside file", "select * from read_csv('/etc/passwd')", "disabled by configuration"),
        ("glob the file system", "select * from glob('/etc/*')", "disabled by configuration"),
        ("attach a database", "attach '{tmp}/other.duckdb' as other", "ATTACH"),
        ("install an extension", "install httpfs", "refused: INSTALL statements"),
        ("load an extension", "load httpfs", "refused: LOAD statements"),
        ("change a setting", "set enable_external_access = true", "SET"),
        ("write a table", "create table hacked as select 1", "CREATE"),
        ("export the database", "export database '{tmp}/dump'", "EXPORT"),
    ],
)
def test_query_refuses_anything_but_reading(built_warehouse, capsys, tmp_path, name, sql, expected):
    published = built_warehouse.settings.published_db
    before = sha256_of(published)
    code, out, err = _query(capsys, sql.format(published=published, tmp=tmp_path))
    assert code == 2, name
    assert len(err) == 2 and err[0].startswith("error: query failed:") and err[1].startswith("hint:"), err
    assert expected in err[0], err[0]
    assert out == []
    assert sha256_of(published) == before
    assert list(tmp_path.iterdir()) == [], f"{name} wrote {list(tmp_path.iterdir())}"


@pytest.mark.parametrize(
    "sql",
    [
        "copy (select 42) to '{tmp}/out.csv'",
        "attach '{tmp}/other.duckdb' as other",
        "select * from read_csv('/etc/passwd')",
        "set enable_external_access = true",
        "install httpfs",
        "create table hacked as select 1",
    ],
)
def test_duckdb_itself_refuses_when_the_statement_filter_is_bypassed(built_warehouse, tmp_path, sql):
    """The statement allow-list is a courtesy; DuckDB's own sandbox configuration is what holds."""
    with connect_analyst(built_warehouse.settings.published_db) as con, pytest.raises(duckdb.Error) as raised:
        con.execute(sql.format(tmp=tmp_path))
    message = str(raised.value)
    assert any(word in message for word in ("disabled", "locked", "read-only")), message
    assert list(tmp_path.iterdir()) == []


def test_query_keeps_duckdbs_suggestion_on_the_error_line(built_warehouse, capsys):
    code, _out, err = _query(capsys, "select * from fct_area_year_metric limit 1")
    assert code == 2
    assert 'Did you mean "fct_area_year_metrics"' in err[0]


def test_an_empty_query_is_an_error(built_warehouse, capsys):
    for sql in ("", "   ", ";"):
        code, _out, err = _query(capsys, sql)
        assert code == 2 and err[0].startswith("error:") and ("empty" in err[0] or "no result" in err[0]), err


def test_reading_still_works_and_writes_its_result_to_a_file(built_warehouse, capsys, tmp_path):
    code, out, _err = _query(capsys, "select count(*) as n from dim_missions")
    assert code == 0 and out[-2].strip() == "12" and out[-1] == "1 row"
    for flag, name in (("--csv", "m.csv"), ("--parquet", "m.parquet")):
        code, out, _err = _query(
            capsys, "select mission_id, mission_number from dim_missions", flag, str(tmp_path / name)
        )
        assert code == 0
        rows = duckdb.sql(f"select * from '{tmp_path / name}' order by mission_number").fetchall()
        assert rows[0] == ("M01", 1) and len(rows) == 12
    with (
        connect_analyst(built_warehouse.settings.published_db) as con,
        pytest.raises(AnalystQueryError, match="EXPLAIN"),  # the refusal names what is allowed
    ):
        analyst_relation(con, "vacuum")


def test_a_corrupt_or_missing_warehouse_gives_one_error_and_a_hint(tmp_path, capsys):
    warehouse = tmp_path / "warehouse"
    warehouse.mkdir()
    with isolated_warehouse(warehouse):
        code, _out, err = _query(capsys, "select 1")
        assert code == 2 and err[0].startswith("error: no published warehouse") and "refresh" in err[1]
        (warehouse / "mission_tracker.duckdb").write_bytes(b"this is not a DuckDB file" * 100)
        code, _out, err = _query(capsys, "select 1")
    assert code == 2 and len(err) == 2, err
    assert err[0].startswith("error: cannot open the published warehouse") and "rollback" in err[1]


# --- one refresh at a time ------------------------------------------------------------------------

HOLDER = """
import sys, time
from pathlib import Path
from orchestration.operations.refresh_lock import refresh_lock
with refresh_lock(Path(sys.argv[1]), run_id="holder-run"):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def _hold_lock(warehouse: Path, seconds: float) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(warehouse), str(seconds)],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "held"
    return process


def test_a_second_refresh_stops_at_once_or_waits_a_bounded_time(tmp_path):
    holder = _hold_lock(tmp_path, 3.0)
    try:
        with pytest.raises(RefreshAlreadyRunning) as stopped, refresh_lock(tmp_path, run_id="second"):
            pytest.fail("took a lock another process holds")
        message = str(stopped.value)
        assert message.startswith("a refresh is already running (pid ")
        assert f"pid {holder.pid}" in message and "run holder-run" in message and "started at" in message
        started = time.monotonic()
        with (
            pytest.raises(RefreshAlreadyRunning, match=r"waited 1 s"),
            refresh_lock(tmp_path, run_id="second", wait_seconds=1.0),
        ):
            pass
        assert 0.9 <= time.monotonic() - started < 2.5
        with refresh_lock(tmp_path, run_id="third", wait_seconds=30.0) as held:  # waits for the holder
            assert held.holder.run_id == "third" and held.stale is None  # released cleanly: not stale
    finally:
        holder.wait(timeout=30)
    assert read_holder(tmp_path) is None  # released: the file names nobody


def test_a_killed_refreshs_lock_is_detected_as_stale_and_cleared(tmp_path):
    holder = _hold_lock(tmp_path, 60.0)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    assert read_holder(tmp_path).pid == holder.pid  # the dead process's record is still in the file
    with refresh_lock(tmp_path, run_id="next") as held:
        assert held.stale is not None and held.stale.pid == holder.pid and held.stale.run_id == "holder-run"
        assert read_holder(tmp_path).run_id == "next"


# (two CLI refreshes at once, after a killed one: tests/warehouse/test_faults.py)


def _ui_style_ingest(warehouse: Path) -> tuple[object, list[str]]:
    """One ingest asset materialised the way the UI launches a run: through Dagster, with the code
    location's own RefreshLock resource (its wait from MISSION_TRACKER_RUN_LOCK_WAIT). The result and
    the run's log messages."""
    with isolated_warehouse(warehouse), DagsterInstance.ephemeral() as instance:
        result = materialize(
            list(build_ingest_assets([HLE])),
            resources=ingest_resources(),
            instance=instance,
            raise_on_error=False,
        )
        return result, [entry.user_message for entry in instance.all_logs(result.run_id)]


def test_a_run_launched_while_a_cli_refresh_holds_the_lock_waits_for_it(tmp_path):
    holder = _hold_lock(tmp_path, 4.0)
    started = time.monotonic()
    try:
        result, messages = _ui_style_ingest(tmp_path)
    finally:
        holder.wait(timeout=30)
    assert result.success  # it waited, then ran: nothing failed, so the sensor raises no alert
    assert time.monotonic() - started >= 2.5
    waiting = [m for m in messages if "waiting up to 3600 s for the refresh lock" in m]
    assert len(waiting) == 1 and f"pid {holder.pid}" in waiting[0]


def test_a_run_that_waited_its_bound_fails_with_one_line(tmp_path):
    holder = _hold_lock(tmp_path, 20.0)
    try:
        with environment(**{RUN_LOCK_WAIT_VAR: "1"}):
            result, _messages = _ui_style_ingest(tmp_path)
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert not result.success
    summary = summarise(result)
    assert summary.failures == [
        f"run setup: a refresh is already running (pid {holder.pid}, run holder-run, "
        + summary.failures[0].split("run holder-run, ", 1)[1]
    ]
    assert summary.failures[0].endswith("(waited 1 s)") and "\n" not in summary.failures[0]


# --- runs launched the way the UI launches them ---------------------------------------------------


def _published_observations(instance: DagsterInstance, run_id: str) -> list[dict]:
    records = instance.get_event_records(
        EventRecordsFilter(DagsterEventType.ASSET_OBSERVATION, asset_key=AssetKey("published_warehouse")),
        limit=50,
    )
    found = []
    for record in records:
        observation = record.event_log_entry.dagster_event.event_specific_data.asset_observation
        metadata = {key: value.value for key, value in observation.metadata.items()}
        if metadata.get("unchanged_by_run") == run_id:
            found.append(metadata)
    return found


def test_a_selection_without_its_checks_publishes_nothing_and_says_so(built_warehouse, tmp_path):
    """A UI selection of a model and publish (no raw gates, no mart suites) must change nothing."""
    from orchestration.definitions import defs

    warehouse = tmp_path / "warehouse"
    copy_published(built_warehouse.settings.warehouse_dir, warehouse)
    published = warehouse / "mission_tracker.duckdb"
    before = sha256_of(published)
    # forget which inputs the published version came from, so that the run does not stop at "nothing new"
    manifest = (warehouse / "mission_tracker.manifest.json").read_text()
    (warehouse / "mission_tracker.manifest.json").write_text(
        manifest.replace('"inputs_fingerprint"', '"old"')
    )
    job = defs.resolve_implicit_global_asset_job_def().get_subset(
        asset_selection={AssetKey("dim_missions"), AssetKey("published_warehouse")}
    )
    with isolated_warehouse(warehouse), DagsterInstance.get() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    message = failure.event_specific_data.user_failure_data.description
    assert message.startswith("not published: this run did not evaluate")
    assert "raw/healthy_life_expectancy:gx_raw_healthy_life_expectancy" in message or "more" in message
    assert sha256_of(published) == before


def test_a_failed_cli_run_records_that_the_published_warehouse_is_unchanged(built_warehouse, tmp_path):
    warehouse = tmp_path / "warehouse"
    copy_published(built_warehouse.settings.warehouse_dir, warehouse)
    published = warehouse / "mission_tracker.duckdb"
    before = sha256_of(published)
    bundle = poisoned_bundle(tmp_path, HLE.bundled_path, lambda data: data[: len(data) // 2])
    with isolated_warehouse(warehouse, bundle):
        summary = run_refresh(sources=[HLE.id])
    assert not summary.success and sha256_of(published) == before
    with DagsterInstance.get() as instance:
        (metadata,) = _published_observations(instance, summary.run_id)
    assert metadata["sha256"] == before and metadata["published"] is True
    assert metadata["version"] == before[:12]


@dataclass
class MaterializedAll:
    """The implicit job behind the UI's "Materialize all", run through Dagster's own API on a copy of
    the session warehouse, with a new release of one file carrying every legitimate oddity."""

    warehouse: Path
    executor: str
    result: object  # dagster ExecuteInProcessResult
    before: str  # the published file's sha256 before the run


@pytest.fixture(scope="module")
def materialized_all(built_warehouse, tmp_path_factory) -> Iterator[MaterializedAll]:
    from orchestration.definitions import defs

    tmp_path = tmp_path_factory.mktemp("materialize_all")
    warehouse = tmp_path / "warehouse"
    copy_published(built_warehouse.settings.warehouse_dir, warehouse)
    before = sha256_of(warehouse / "mission_tracker.duckdb")
    bundle = poisoned_bundle(tmp_path, HLE.bundled_path, every_legitimate_oddity)
    job = defs.resolve_implicit_global_asset_job_def()
    with isolated_warehouse(warehouse, bundle), DagsterInstance.get() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
    yield MaterializedAll(warehouse, job.executor_def.name, result, before)
    shutil.rmtree(warehouse / "build", ignore_errors=True)


@pytest.mark.end_to_end(seconds=36)
def test_materialize_all_from_the_ui_publishes_once(materialized_all):
    run = materialized_all
    assert run.executor == "in_process"
    assert run.result.success
    publishes = [
        e
        for e in run.result.all_events
        if e.event_type_value == "ASSET_MATERIALIZATION" and e.asset_key == AssetKey("published_warehouse")
    ]
    assert len(publishes) == 1
    assert sha256_of(run.warehouse / "mission_tracker.duckdb") != run.before
    versions = sorted((run.warehouse / "versions").glob("*.duckdb"))
    assert versions and sha256_of(versions[-1]) == run.before  # the replaced version kept for rollback


@pytest.mark.end_to_end(seconds=0)  # the release it checks is the one the run above published
def test_legitimate_oddities_in_one_release_are_handled_and_published(materialized_all):
    """An extra column, an identical duplicate row and suppression markers, all in one release of the
    file: the run publishes, and each is handled as tests/helpers.py's LEGITIMATE_ODDITIES says."""
    assert materialized_all.result.success
    with duckdb.connect(str(materialized_all.warehouse / "mission_tracker.duckdb"), read_only=True) as con:
        for case, (_poison, outcome) in LEGITIMATE_ODDITIES.items():
            assert con.execute(outcome.sql).fetchall() == outcome.expected, case


# --- nothing new, decided before Dagster ----------------------------------------------------------


def test_an_unchanged_night_stops_before_dagster_and_a_changed_file_does_not(built_warehouse, tmp_path):
    from orchestration.operations.runner import unchanged_since_publish
    from orchestration.settings import get_settings

    warehouse = tmp_path / "warehouse"
    copy_published(built_warehouse.settings.warehouse_dir, warehouse)
    published = warehouse / "mission_tracker.duckdb"
    before = sha256_of(published)
    env = {**os.environ, WAREHOUSE_DIR_VAR: str(warehouse)}
    completed = subprocess.run([CLI, "refresh"], env=env, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith(
        "Nothing new: every bundled source file, model, suite and line of code"
    )
    assert "Running the nightly refresh" not in completed.stdout and not (warehouse / "logs").exists()
    assert sha256_of(published) == before
    # one changed file, live mode, or a tampered published file: the shortcut steps aside
    bundle = poisoned_bundle(
        tmp_path, HLE.bundled_path, set_cells_where("notes", "revised", lambda r: r["areacd"] == "E06000001")
    )
    with isolated_warehouse(warehouse, bundle):
        assert unchanged_since_publish(get_settings()) is None
    with isolated_warehouse(warehouse):
        assert unchanged_since_publish(get_settings())["sha256"] == before
        os.environ["MISSION_TRACKER_SOURCE_MODE"] = "live"
        try:
            assert unchanged_since_publish(get_settings()) is None
        finally:
            del os.environ["MISSION_TRACKER_SOURCE_MODE"]
        with published.open("ab") as handle:
            handle.write(b"\0")
        assert unchanged_since_publish(get_settings()) is None
