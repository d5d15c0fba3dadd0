"""The pooled SQLite event log (orchestration/instance_storage.py) writes what Dagster's own storage
reads: a run through an instance configured like the project's, then read back by Dagster's stock
``SqliteEventLogStorage`` on the same files."""

from __future__ import annotations

import shutil

from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetKey,
    DagsterInstance,
    MaterializeResult,
    asset,
    materialize,
)
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

from orchestration.instance_storage import MAX_ENGINES, PooledSqliteEventLogStorage
from orchestration.settings import PROJECT_ROOT
from tests.helpers import environment


@asset(check_specs=[AssetCheckSpec("positive", asset="numbers")])
def numbers() -> MaterializeResult:
    return MaterializeResult(check_results=[AssetCheckResult(passed=True, check_name="positive")])


def test_events_written_through_the_pool_read_back_by_dagsters_own_storage(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "deploy" / "dagster.yaml", home / "dagster.yaml")
    with environment(DAGSTER_HOME=str(home)), DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, PooledSqliteEventLogStorage)
        run_ids = [materialize([numbers], instance=instance).run_id for _ in range(MAX_ENGINES + 2)]
        pooled = instance.event_log_storage
        assert len(pooled._engines) <= MAX_ENGINES  # old runs' engines are let go
        with pooled._connect(run_ids[-1]) as conn:  # WAL, committing without waiting for the disk
            assert conn.exec_driver_sql("pragma journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("pragma synchronous").scalar() == 1  # NORMAL (FULL is 2)
        latest = instance.get_latest_materialization_event(AssetKey("numbers"))
        assert latest is not None and latest.run_id == run_ids[-1]
        written = {run_id: [e.dagster_event_type for e in instance.all_logs(run_id)] for run_id in run_ids}
    stock = SqliteEventLogStorage(str(home / "history" / "runs"))
    for run_id, types in written.items():  # the first runs' shards were read again after eviction
        assert [e.dagster_event_type for e in stock.get_logs_for_run(run_id)] == types
        assert "ASSET_CHECK_EVALUATION" in {t.value for t in types if t is not None}
    assert (
        stock.get_latest_materialization_events([AssetKey("numbers")])[AssetKey("numbers")].run_id
        == run_ids[-1]
    )
