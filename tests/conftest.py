"""Shared fixtures. The warehouse is built ONCE per session by a real nightly run; most tests read it."""

from __future__ import annotations

import fcntl
import os
import pickle
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import Settings, ensure_dagster_home, get_settings
from tests.helpers import environment, isolated_warehouse


def pytest_configure(config: pytest.Config) -> None:
    """Prepare dbt once, before collection imports the Dagster definitions (which only read the
    manifest): render the catalogue's dbt files and parse the project if anything changed."""
    if hasattr(config, "workerinput"):  # a pytest-xdist worker: the controller prepared it already
        return
    from orchestration.build.dbt_cli import prepare_manifest

    prepare_manifest()


def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """`make test`'s scheduling: loadfile, with the deployment test on a worker of its own
    (tests/scheduling.py)."""
    if config.getvalue("dist") != "loadfile":
        return None
    from tests.scheduling import ClockAwareFileScheduling

    return ClockAwareFileScheduling(config, log)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The order `make test` hands files to its workers in (``--no-loadscope-reorder``), each file's
    tests in their own order:

    1. the longest file that needs the session warehouse: the worker that takes it builds it;
    2. the files that do not need it: the next worker runs them meanwhile instead of waiting;
    3. the rest, longest first, so that the long ones start early instead of last, when one worker
       would run them while the other idles.

    A file's length is the sum of its tests' ``end_to_end(seconds=...)`` and ``slow(seconds=...)``
    marks. (The deployment test needs no warehouse and gets a worker of its own: tests/scheduling.py.)
    """
    seconds: dict[Path, float] = {}
    needs_build: set[Path] = set()
    for item in items:
        for mark in (*item.iter_markers("end_to_end"), *item.iter_markers("slow")):
            seconds[item.path] = seconds.get(item.path, 0.0) + float(mark.kwargs.get("seconds", 0))
        if "built_warehouse" in getattr(item, "fixturenames", ()):
            needs_build.add(item.path)
    # ties broken by path: a set's order differs between worker processes (hash seeds), and xdist
    # requires every worker to collect the same order
    builder = max(needs_build, key=lambda path: (seconds.get(path, 0.0), str(path)), default=None)

    def rank(item: pytest.Item) -> tuple[int, float]:
        group = 0 if item.path == builder else 1 if item.path not in needs_build else 2
        return group, -seconds.get(item.path, 0.0)

    items.sort(key=rank)


@dataclass
class BuiltWarehouse:
    settings: Settings
    summary: object  # orchestration.operations.runner.RefreshSummary
    #: a copy of the Dagster home taken right after the session refresh: what the UI tests read, and
    #: where the session run's events are (the worker that did not build it has its own, empty home),
    #: so that refreshes other tests run later on a worker's instance cannot change what they see
    dagster_home: Path

    @contextmanager
    def instance(self) -> Iterator[object]:
        """The Dagster instance as the session refresh left it (the copy, opened in place). Through
        DAGSTER_HOME, as the UI opens it: the project's event log storage finds its files there."""
        from dagster import DagsterInstance

        with environment(DAGSTER_HOME=str(self.dagster_home)), DagsterInstance.get() as instance:
            yield instance


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


@contextmanager
def _exclusive(lock_file: Path) -> Iterator[None]:
    with lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def built_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltWarehouse]:
    """A full nightly refresh on the bundled data into a temporary warehouse folder, run ONCE for the
    whole session: under pytest-xdist the first worker to ask builds it in the folder all workers'
    temporary folders share, and the others wait for it and read the same files. Tests only read
    it; a test that refreshes copies it first (``copy_published``)."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    root = shared / "session_build"
    warehouse_dir, snapshot = root / "warehouse", root / "dagster_home_after_session_refresh"
    summary_file, failure_file = root / "summary.pickle", root / "failure.txt"
    with _exclusive(shared / "session_build.lock"):
        if not summary_file.exists() and not failure_file.exists():
            _build_session_warehouse(warehouse_dir, snapshot, summary_file, failure_file)
    if failure_file.exists():
        pytest.fail(failure_file.read_text(encoding="utf-8"))
    summary = pickle.loads(summary_file.read_bytes())
    with isolated_warehouse(warehouse_dir):
        yield BuiltWarehouse(settings=get_settings(), summary=summary, dagster_home=snapshot)


def _build_session_warehouse(
    warehouse_dir: Path, snapshot: Path, summary_file: Path, failure_file: Path
) -> None:
    from orchestration.operations.runner import run_refresh

    warehouse_dir.mkdir(parents=True)
    try:
        with isolated_warehouse(warehouse_dir):
            summary = run_refresh()
    except BaseException as error:  # the other workers fail with it instead of building again
        failure_file.write_text(f"session refresh raised {error!r}", encoding="utf-8")
        raise
    if not summary.success:
        failure_file.write_text(
            f"session refresh failed: {summary.failures} {summary.checks_failed}", encoding="utf-8"
        )
        return
    # the run is over, so nothing writes the instance while it is copied
    shutil.copytree(os.environ["DAGSTER_HOME"], snapshot)
    summary_file.write_bytes(pickle.dumps(summary))


@pytest.fixture
def published_con(built_warehouse: BuiltWarehouse) -> Iterator[duckdb.DuckDBPyConnection]:
    with duckdb.connect(str(built_warehouse.settings.published_db), read_only=True) as con:
        yield con


@pytest.fixture(scope="session")
def bundled_dir() -> Path:
    return get_settings().bundled_dir
