"""Whole refreshes that must NOT publish: the published file stays byte-for-byte what it was."""

import json

import pytest

from orchestration.ingest.sources.catalogue import get_source
from orchestration.operations.runner import run_refresh
from orchestration.warehouse.files import sha256_of
from tests.helpers import copy_published, isolated_warehouse, poisoned_bundle, set_cells_where

HLE = get_source("healthy_life_expectancy")


@pytest.fixture
def published_copy(built_warehouse, tmp_path):
    """A warehouse folder that already holds a published (and built) state."""
    target = tmp_path / "warehouse"
    copy_published(built_warehouse.settings.warehouse_dir, target)
    return target


def test_corrupted_file_blocks_publish_and_keeps_published_file(published_copy, tmp_path):
    before = sha256_of(published_copy / "mission_tracker.duckdb")
    bundle = poisoned_bundle(tmp_path, HLE.bundled_path, lambda data: data[: len(data) // 2])
    with isolated_warehouse(published_copy, bundle):
        summary = run_refresh()
    assert not summary.success and summary.published is None
    assert any(
        "ingest_sources: raw/healthy_life_expectancy" in f and "truncated" in f for f in summary.failures
    ), summary.failures
    assert sha256_of(published_copy / "mission_tracker.duckdb") == before
    # the failed run left an alert: a JSON file named after the run and a line in alerts.log
    alert = json.loads((published_copy / "alerts" / f"{summary.run_id}.json").read_text())
    assert alert["failures"] == summary.failures and alert["published_unchanged"] is True
    log = (published_copy / "alerts" / "alerts.log").read_text()
    assert (
        f"run {summary.run_id} of nightly_refresh FAILED: ingest_sources: raw/healthy_life_expectancy" in log
    )


def test_failing_expectation_blocks_publish_and_keeps_published_file(published_copy, tmp_path):
    """HLE of 150 years parses; the raw table's GX suite (HLE 40-90 years) fails and blocks the rest."""
    before = sha256_of(published_copy / "mission_tracker.duckdb")
    poison = set_cells_where(
        "observation", "150.0", lambda r: r["areacd"] == "E06000001" and r["period"].startswith("2019")
    )
    bundle = poisoned_bundle(tmp_path, HLE.bundled_path, poison)
    with isolated_warehouse(published_copy, bundle):
        summary = run_refresh()
    assert not summary.success
    assert summary.checks_failed == ["raw/healthy_life_expectancy:gx_raw_healthy_life_expectancy"]
    assert summary.published is None
    assert sha256_of(published_copy / "mission_tracker.duckdb") == before
    # what the Dagster UI shows: the failed evaluation, with the failed expectation and sample rows
    from dagster import AssetCheckKey, AssetKey, DagsterInstance

    key = AssetCheckKey(AssetKey(["raw", "healthy_life_expectancy"]), "gx_raw_healthy_life_expectancy")
    with DagsterInstance.get() as instance:
        record = instance.event_log_storage.get_latest_asset_check_execution_by_key([key])[key]
    assert record.evaluation is not None and record.evaluation.passed is False
    metadata = record.evaluation.metadata
    assert "expect_column_values_to_be_between(value)" in metadata["failed_expectations"].value
    samples = next(iter(metadata["sample_offending_rows"].value.values()))
    assert samples and all(row["value"] == 150.0 and row["area_code"] == "E06000001" for row in samples)


def test_publish_keeps_previous_version_and_rollback_restores_it(published_copy):
    from orchestration.warehouse.publishing import list_versions, publish, rollback

    published = published_copy / "mission_tracker.duckdb"
    original = sha256_of(published)
    versions = published_copy / "versions"
    for existing in list_versions(versions):
        existing.unlink()
    # publish a build that differs from the published file
    import duckdb

    build = published_copy / "build" / "mission_tracker.duckdb"
    with duckdb.connect(str(build)) as con:
        con.execute("create or replace table main.publish_marker as select 1 as marker")
    result = publish(build, published, versions, keep=2)
    assert result.sha256 != original
    assert [sha256_of(path) for path in list_versions(versions)] == [original]
    rollback(published, versions)
    assert sha256_of(published) == original
    assert list_versions(versions) == []
