"""Live mode end to end against a real publisher on 127.0.0.1 (copies of the bundled files at the
catalogue URLs' paths): a nightly run picks up a revised release and records its revisions; the next
night, with nothing new, is one 304 per source and publishes nothing. Plus faults at the asset level:
schema drift and an HTML page fail their own asset and leave the loaded vintage as it was."""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pytest
from dagster import materialize

from orchestration.defs.assets.ingest import build_ingest_assets
from orchestration.defs.resources import SourceFetcher
from orchestration.ingest.sources.catalogue import get_source, load_catalogue
from orchestration.operations.alerts import step_failure_message
from orchestration.operations.runner import RefreshSummary, run_refresh
from orchestration.settings import PROJECT_ROOT, SOURCE_MIRROR_VAR, SOURCE_MODE_VAR
from orchestration.warehouse.files import sha256_of
from tests.helpers import (
    BUNDLED_DIR,
    copy_published,
    edit_csv,
    environment,
    ingest_resources,
    isolated_warehouse,
)
from tests.loopback import LoopbackPublisher

HLE = get_source("healthy_life_expectancy")
FETCHABLE = [source for source in load_catalogue() if source.fetchable]
HARTLEPOOL = "E06000001"
REVISED_PERIOD = "2020-01-01/P3Y"  # 2020-2022
ARTIFACTS = PROJECT_ROOT / "artifacts"


def _served_path(source) -> str:
    return urlsplit(source.url).path.lstrip("/")


def _mirror_tree(root: Path) -> None:
    for source in FETCHABLE:
        target = root / _served_path(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(BUNDLED_DIR / source.bundled_path, target)


def _revise(header: list[str], rows: list[list[str]]):
    """The publisher revises Hartlepool's 2020-2022 HLE up by 0.4 years (both sexes)."""
    for row in rows:
        record = dict(zip(header, row, strict=True))
        if record["areacd"] == HARTLEPOOL and record["period"] == REVISED_PERIOD:
            row[header.index("observation")] = f"{float(record['observation']) + 0.4:.1f}"
    return header, rows


def _expected_revisions() -> set[tuple[str, float, float]]:
    """(indicator, old, new) read straight from the bundled CSV, not from the warehouse."""
    with open(BUNDLED_DIR / HLE.bundled_path, encoding="utf-8-sig", newline="") as handle:
        rows = [
            r for r in csv.DictReader(handle) if r["areacd"] == HARTLEPOOL and r["period"] == REVISED_PERIOD
        ]
    return {(r["indicator"], float(r["observation"]), round(float(r["observation"]) + 0.4, 1)) for r in rows}


@dataclass
class LiveRuns:
    warehouse: Path
    publisher: LoopbackPublisher
    published_before: str
    first: RefreshSummary
    first_seconds: float
    first_statuses: list[int]
    published_after_first: str
    second: RefreshSummary
    second_seconds: float
    second_statuses: list[int]
    published_after_second: str
    report_mtime_after_first: float
    report_mtime_after_second: float
    #: the publisher withdraws the correction (the first file again), then re-issues it: A -> B -> A -> B,
    #: the sequence whose repeated vintage used to fail metric_revisions' unique test on every later night
    withdrawn: RefreshSummary
    reissued: RefreshSummary
    #: a copy of the warehouse the first night published (the later nights publish over it)
    first_night_db: Path
    #: the published file's size in bytes before the first night and after each of the four
    sizes: list[int]


def _live_env(publisher: LoopbackPublisher) -> dict[str, str]:
    return {
        SOURCE_MODE_VAR: "live",
        SOURCE_MIRROR_VAR: publisher.base_url,
        "MISSION_TRACKER_FETCH_READ_TIMEOUT": "5",
        "MISSION_TRACKER_FETCH_RETRIES": "1",
        "MISSION_TRACKER_FETCH_BACKOFF": "0.05",
    }


@pytest.fixture(scope="module")
def live_runs(built_warehouse, tmp_path_factory) -> Iterator[LiveRuns]:
    root = tmp_path_factory.mktemp("publisher")
    _mirror_tree(root)
    served_hle = root / _served_path(HLE)
    served_hle.write_bytes(edit_csv(_revise)(served_hle.read_bytes()))
    publisher = LoopbackPublisher(root).start()
    warehouse = tmp_path_factory.mktemp("live") / "warehouse"
    copy_published(built_warehouse.settings.warehouse_dir, warehouse)
    published = warehouse / "mission_tracker.duckdb"
    report = warehouse / "report" / "mission_scorecard_report.html"
    before = sha256_of(published)
    sizes = [published.stat().st_size]
    try:
        with isolated_warehouse(warehouse), environment(**_live_env(publisher)):
            started = time.perf_counter()
            first = run_refresh()
            first_seconds = time.perf_counter() - started
            first_statuses = [r.status for r in publisher.requests]
            after_first, report_first = sha256_of(published), report.stat().st_mtime
            sizes.append(published.stat().st_size)
            first_night_db = warehouse.parent / "first-night.duckdb"
            shutil.copy(published, first_night_db)
            publisher.requests.clear()
            started = time.perf_counter()
            second = run_refresh()
            second_seconds = time.perf_counter() - started
            published_after_second, report_second = sha256_of(published), report.stat().st_mtime
            sizes.append(published.stat().st_size)
            second_statuses = [r.status for r in publisher.requests]
            revised = served_hle.read_bytes()
            shutil.copy(BUNDLED_DIR / HLE.bundled_path, served_hle)
            withdrawn = run_refresh(sources=[HLE.id])
            sizes.append(published.stat().st_size)
            served_hle.write_bytes(revised)
            reissued = run_refresh(sources=[HLE.id])
            sizes.append(published.stat().st_size)
        runs = LiveRuns(
            warehouse,
            publisher,
            before,
            first,
            first_seconds,
            first_statuses,
            after_first,
            second,
            second_seconds,
            second_statuses,
            published_after_second,
            report_first,
            report_second,
            withdrawn,
            reissued,
            first_night_db,
            sizes,
        )
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "live-refresh.txt").write_text(
            f"revised release: {first_seconds:.1f} s, {len(first_statuses)} requests, published={bool(first.published)}\n"
            f"nothing new: {second_seconds:.1f} s, {len(runs.second_statuses)} requests "
            f"({runs.second_statuses.count(304)} x 304), nothing_new={bool(second.nothing_new)}\n"
        )
        yield runs
    finally:
        publisher.stop()


@pytest.mark.end_to_end(seconds=40)
def test_the_revised_release_is_fetched_loaded_and_published(live_runs):
    first = live_runs.first
    assert first.success, first.failures + first.checks_failed
    assert first.published and live_runs.published_after_first != live_runs.published_before
    assert live_runs.first_statuses == [200] * len(FETCHABLE)  # one GET per fetchable source
    loaded = [line for line in first.sources if ": loaded" in line]
    assert [line.split(":")[0] for line in loaded] == [HLE.id]  # the other files are byte-identical


def test_the_revisions_mart_records_exactly_the_changed_figures(live_runs):
    with duckdb.connect(str(live_runs.first_night_db), read_only=True) as con:
        rows = con.execute(
            "select source_id, area_code, period, indicator, old_value, new_value, revision, "
            "old_vintage, new_vintage from metric_revisions order by indicator"
        ).fetchall()
        vintages = con.execute(
            "select vintage_number, mode, url, publisher_date, is_current, vintage from source_vintages "
            "where source_id = ? order by vintage_number",
            [HLE.id],
        ).fetchall()
    expected = _expected_revisions()
    assert len(expected) == 2  # male and female
    assert {(r[3], r[4], r[5]) for r in rows} == expected
    assert all(r[0] == HLE.id and r[1] == HARTLEPOOL and r[2] == "2020-2022" for r in rows)
    assert all(abs(r[6] - 0.4) < 1e-9 for r in rows)
    bundled_sha = sha256_of(BUNDLED_DIR / HLE.bundled_path)
    assert [v[1] for v in vintages] == ["bundled", "live"] and [v[4] for v in vintages] == [False, True]
    assert vintages[0][5] == bundled_sha and {(r[7], r[8]) for r in rows} == {(bundled_sha, vintages[1][5])}
    assert vintages[1][2] == live_runs.publisher.url(_served_path(HLE))
    assert vintages[1][3].year == 2023  # the server's Last-Modified, 2023-11-14


def test_the_history_still_answers_what_a_figure_was_before(live_runs):
    with duckdb.connect(str(live_runs.first_night_db), read_only=True) as con:
        values = con.execute(
            "select vintage_number, value from metric_value_history where source_id = ? and area_code = ? "
            "and period = '2020-2022' and indicator = 'Female healthy life expectancy' order by 1",
            [HLE.id, HARTLEPOOL],
        ).fetchall()
        current = con.execute(
            "select value from fct_area_year_metrics where metric_id = 'hle_birth' and breakdown = 'sex=female' "
            "and area_code = ? and period = '2020-2022'",
            [HARTLEPOOL],
        ).fetchone()[0]
    ((_, old, new),) = [e for e in _expected_revisions() if e[0] == "Female healthy life expectancy"]
    assert values == [(1, old), (2, new)] and current == new


def test_the_next_night_with_nothing_new_is_a_no_op(live_runs):
    second = live_runs.second
    assert second.success and second.nothing_new and second.published is None
    assert live_runs.second_statuses == [304] * len(FETCHABLE)  # one small request per source
    assert all(": unchanged" in line for line in second.sources)
    assert live_runs.published_after_second == live_runs.published_after_first
    assert live_runs.report_mtime_after_second == live_runs.report_mtime_after_first  # not rewritten


def test_a_withdrawn_correction_and_its_reissue_publish_and_keep_every_revision(live_runs):
    """A -> B -> A -> B: each night publishes; the history has four vintages and three revisions of
    each changed figure, read back against the bundled file."""
    for night in (live_runs.withdrawn, live_runs.reissued):
        assert night.success and night.published, night.failures + night.checks_failed
    expected = _expected_revisions()
    with duckdb.connect(str(live_runs.warehouse / "mission_tracker.duckdb"), read_only=True) as con:
        vintages = con.execute(
            "select vintage_number, vintage, is_current, figures_recorded from source_vintages "
            "where source_id = ? order by 1",
            [HLE.id],
        ).fetchall()
        revisions = con.execute(
            "select new_vintage_number, indicator, old_value, new_value, old_vintage, new_vintage "
            "from metric_revisions where source_id = ? order by 1, 2",
            [HLE.id],
        ).fetchall()
        female = con.execute(
            "select vintage_number, value from metric_value_history where source_id = ? and area_code = ? "
            "and period = '2020-2022' and indicator = 'Female healthy life expectancy' order by 1",
            [HLE.id, HARTLEPOOL],
        ).fetchall()
    bundled, revised = vintages[0][1], vintages[1][1]
    assert bundled == sha256_of(BUNDLED_DIR / HLE.bundled_path)
    assert [(v[1], v[2], v[3]) for v in vintages] == [
        (bundled, False, True),
        (revised, False, True),
        (bundled, False, True),
        (revised, True, True),
    ]
    by_night = {2: (bundled, revised, False), 3: (revised, bundled, True), 4: (bundled, revised, False)}
    assert len(revisions) == 3 * len(expected)
    for number, indicator, old_value, new_value, old_vintage, new_vintage in revisions:
        ((original, corrected),) = [(o, n) for i, o, n in expected if i == indicator]
        old_sha, new_sha, back = by_night[number]
        assert (old_vintage, new_vintage) == (old_sha, new_sha)
        assert (old_value, new_value) == ((corrected, original) if back else (original, corrected))
    ((original, corrected),) = [(o, n) for i, o, n in expected if i == "Female healthy life expectancy"]
    assert female == [(1, original), (2, corrected), (3, original), (4, corrected)]


def test_revisions_grow_the_history_and_the_published_file_by_what_changed(live_runs):
    """After the first revised night, the withdrawal and the reissue (A, B) add exactly their changed
    figures to the history's ranges, each night opening one range per changed figure, and the
    compacted published file never grows past 10% of its first size over the four nights: a compacted
    copy of the same content varies by DuckDB's blocks and its parallel writers (51.7 to 55.1 MB seen
    in one run, either way), where a byte copy of the build grew 43.5 -> 57.7 MB (+33%) over three such
    revisions. A smaller file is no fault."""
    with duckdb.connect(str(live_runs.first_night_db), read_only=True) as con:
        ranges_first = con.execute("select count(*) from raw.metric_value_history").fetchone()[0]
    with duckdb.connect(str(live_runs.warehouse / "mission_tracker.duckdb"), read_only=True) as con:
        ranges_last = con.execute("select count(*) from raw.metric_value_history").fetchone()[0]
        opened = con.execute(
            "select vintage_number, ranges_opened from raw._history_log where source_id = ? order by 1",
            [HLE.id],
        ).fetchall()
    changed = len(_expected_revisions())
    assert ranges_last - ranges_first == 2 * changed
    assert [n for _number, n in opened[-3:]] == [changed] * 3
    first, *later = live_runs.sizes[1:]
    assert all(size <= 1.10 * first for size in later), live_runs.sizes
    assert len(live_runs.sizes) == 5


def test_status_shows_the_last_successful_fetch_per_source(live_runs):
    cli = str(Path(sys.executable).with_name("mission-tracker"))
    env = {**os.environ, "MISSION_TRACKER_WAREHOUSE_DIR": str(live_runs.warehouse)}
    out = subprocess.run([cli, "status"], env=env, capture_output=True, text=True, check=True).stdout
    hle_line = next(line for line in out.splitlines() if line.strip().startswith(f"{HLE.id}:"))
    assert "last successful fetch" in hle_line and "publisher date 2023-11-14" in hle_line
    assert "no live file (bundled only)" in next(
        line for line in out.splitlines() if line.strip().startswith("dft_nts0409a:")
    )


# --- faults at the asset level: each fails its own asset; the loaded vintage stays -----------------


@pytest.fixture
def one_source(tmp_path) -> Iterator[tuple[LoopbackPublisher, Path]]:
    root = tmp_path / "publisher"
    target = root / _served_path(HLE)
    target.parent.mkdir(parents=True)
    shutil.copy(BUNDLED_DIR / HLE.bundled_path, target)
    publisher = LoopbackPublisher(root).start()
    yield publisher, target
    publisher.stop()


def _ingest_hle(publisher: LoopbackPublisher):
    fetcher = SourceFetcher(
        mode="live", mirror=publisher.base_url, read_timeout=2, retries=1, backoff_seconds=0.01
    )
    return materialize(
        [*build_ingest_assets([HLE])],
        resources=ingest_resources(fetcher),
        raise_on_error=False,
    )


def _loaded_sha(warehouse: Path) -> str:
    with duckdb.connect(str(warehouse / "build" / "mission_tracker.duckdb"), read_only=True) as con:
        return con.execute(f"select distinct _sha256 from raw.{HLE.id}").fetchone()[0]


def _failure(result) -> str:
    (failure,) = [e for e in result.all_events if e.event_type_value == "STEP_FAILURE"]
    return step_failure_message(failure)


def test_schema_drift_in_a_live_file_fails_its_asset_and_keeps_the_loaded_vintage(one_source, tmp_path):
    publisher, served = one_source
    with isolated_warehouse(tmp_path / "warehouse"):
        assert _ingest_hle(publisher).success
        loaded = _loaded_sha(tmp_path / "warehouse")

        def rename(header, rows):
            return [("value" if name == "observation" else name) for name in header], rows

        served.write_bytes(edit_csv(rename)(served.read_bytes()))
        result = _ingest_hle(publisher)
        assert not result.success
        message = _failure(result)
        assert "healthy-life-expectancy.csv" in message and "observation" in message
        assert _loaded_sha(tmp_path / "warehouse") == loaded


def test_an_html_page_from_the_publisher_fails_its_asset_naming_the_url(one_source, tmp_path):
    publisher, _ = one_source
    with isolated_warehouse(tmp_path / "warehouse"):
        assert _ingest_hle(publisher).success
        loaded = _loaded_sha(tmp_path / "warehouse")
        publisher.faults[_served_path(HLE)] = ["html"]
        result = _ingest_hle(publisher)
        assert not result.success
        message = _failure(result)
        assert message.startswith(
            f"raw/{HLE.id}: fetching {publisher.url(_served_path(HLE))} failed: an HTML page"
        )
        assert _loaded_sha(tmp_path / "warehouse") == loaded


def test_sources_without_a_live_file_use_the_bundled_snapshot_in_live_mode(tmp_path):
    source = get_source("dft_nts0409a")
    assert not source.fetchable
    with isolated_warehouse(tmp_path / "warehouse"):
        located = SourceFetcher(mode="live", mirror="http://127.0.0.1:9").locate(source)
    assert located.mode == "bundled" and located.path == BUNDLED_DIR / source.bundled_path


def test_the_allow_list_is_the_catalogue_hosts_plus_the_mirror():
    with environment(**{SOURCE_MIRROR_VAR: ""}):
        assert SourceFetcher(mode="live").policy().allowed_hosts == frozenset({"raw.githubusercontent.com"})
        mirrored = SourceFetcher(mode="live", mirror="http://127.0.0.1:8123").policy().allowed_hosts
    assert mirrored == frozenset({"raw.githubusercontent.com", "127.0.0.1"})
