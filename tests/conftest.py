"""Shared fixtures. The warehouse is built ONCE per session by a real nightly run; most tests read it."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import Settings, ensure_dagster_home, get_settings
from tests.helpers import isolated_warehouse


def pytest_configure(config: pytest.Config) -> None:
    """Prepare dbt once, before collection imports the Dagster definitions (which only read the
    manifest): render the catalogue's dbt files and parse the project if anything changed."""
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: the controller prepared it already
        return
    from orchestration.dbt_cli import prepare_manifest

    prepare_manifest()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The files with the longest end-to-end tests first (``end_to_end(seconds=...)`` marks, summed
    per file), each file's tests in their own order. `make test` hands files to its two workers in
    this order (``--no-loadscope-reorder``), so the longest start at once instead of last, when one
    worker would run them while the other idles."""
    seconds: dict[Path, float] = {}
    for item in items:
        for mark in item.iter_markers("end_to_end"):
            seconds[item.path] = seconds.get(item.path, 0.0) + float(mark.kwargs.get("seconds", 0))
    items.sort(key=lambda item: -seconds.get(item.path, 0.0))


@dataclass
class BuiltWarehouse:
    settings: Settings
    summary: object  # orchestration.runner.RefreshSummary
    #: a copy of the session's Dagster home taken right after the session refresh: what the UI tests
    #: read, so that refreshes other tests run later on the session instance cannot change what they see
    dagster_home: Path


@pytest.fixture(scope="session", autouse=True)
def _dagster_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    home = tmp_path_factory.mktemp("dagster_home")
    previous = os.environ.get("DAGSTER_HOME")
    os.environ["DAGSTER_HOME"] = str(home)
    ensure_dagster_home()
    yield
    if previous is None:
        os.environ.pop("DAGSTER_HOME", None)
    else:
        os.environ["DAGSTER_HOME"] = previous


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltWarehouse]:
    """A full nightly refresh on the bundled data into a temporary warehouse folder."""
    from orchestration.runner import run_refresh

    warehouse_dir = tmp_path_factory.mktemp("warehouse")
    with isolated_warehouse(warehouse_dir):
        summary = run_refresh()
        assert summary.success, f"session refresh failed: {summary.failures} {summary.checks_failed}"
        # the run is over, so nothing writes the instance while it is copied
        snapshot = tmp_path_factory.mktemp("dagster_home_after_session_refresh")
        shutil.copytree(os.environ["DAGSTER_HOME"], snapshot, dirs_exist_ok=True)
        yield BuiltWarehouse(settings=get_settings(), summary=summary, dagster_home=snapshot)


@pytest.fixture
def published_con(built_warehouse: BuiltWarehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(built_warehouse.settings.published_db), read_only=True) as con:
        yield con


@pytest.fixture(scope="session")
def bundled_dir() -> Path:
    return get_settings().bundled_dir
