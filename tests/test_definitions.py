"""The code location loads, and its graph is the one the design describes."""

import re

import pytest
from dagster import AssetKey

from orchestration.definitions import defs
from orchestration.schedules import NIGHTLY_JOB_NAME
from orchestration.settings import DBT_PROJECT_DIR
from orchestration.sources.catalogue import load_catalogue


@pytest.fixture(scope="module")
def graph():
    return defs.resolve_asset_graph()


def test_every_catalogue_source_has_an_ingest_asset_in_its_publisher_group(graph):
    for source in load_catalogue():
        node = graph.get(AssetKey(["raw", source.id]))
        assert node.group_name == source.group
        assert node.metadata["licence"] == source.licence
        assert node.metadata["live_url"].url == source.url


def test_lineage_runs_from_source_file_to_publish(graph):
    def ancestors(key: AssetKey) -> set[AssetKey]:
        seen: set[AssetKey] = set()
        stack = [key]
        while stack:
            for parent in graph.get(stack.pop()).parent_keys:
                if parent not in seen:
                    seen.add(parent)
                    stack.append(parent)
        return seen

    upstream = ancestors(AssetKey("published_warehouse"))
    for source in load_catalogue():
        assert AssetKey(["raw", source.id]) in upstream
        children = graph.get(AssetKey(["raw", source.id])).child_keys
        assert any(child.path[-1].startswith(f"stg_{source.publisher}__") for child in children), source.id
    assert {AssetKey("fct_area_year_metrics"), AssetKey("int_metric_values_unioned")} <= upstream


def test_gx_suite_is_a_blocking_check_on_the_mart(graph):
    checks = {key for key in graph.asset_check_keys if key.name == "gx_fct_area_year_metrics"}
    assert len(checks) == 1
    (check,) = checks
    assert check.asset_key == AssetKey("fct_area_year_metrics")
    assert graph.get_check_spec(check).blocking


def test_nightly_job_covers_everything_and_runs_at_two_london_time(graph):
    job = defs.resolve_job_def(NIGHTLY_JOB_NAME)
    assert set(job.asset_layer.selected_asset_keys) == set(graph.get_all_asset_keys())
    schedule = defs.resolve_schedule_def("nightly_refresh_0200_london")
    assert schedule.cron_schedule == "0 2 * * *"
    assert schedule.execution_timezone == "Europe/London"
    assert schedule.job_name == NIGHTLY_JOB_NAME


def test_staging_union_lists_every_catalogue_source():
    """Adding a source = catalogue entry + staging model; this keeps the union honest."""
    union_sql = (DBT_PROJECT_DIR / "models/intermediate/int_metric_values_unioned.sql").read_text()
    listed = set(re.findall(r"'(stg_[a-z0-9_]+)'", union_sql))
    expected = {
        f"stg_{source.publisher}__{source.id}" for source in load_catalogue() if source.yields_metric_rows
    }
    assert listed == expected
    for model in expected:
        publisher = model.split("__")[0].removeprefix("stg_")
        assert (DBT_PROJECT_DIR / "models/staging" / publisher / f"{model}.sql").exists()


def test_vintage_tables_join_the_lineage_to_the_revisions_mart(graph):
    history, vintages = AssetKey(["raw", "metric_value_history"]), AssetKey(["raw", "source_vintages"])
    for key in (history, vintages):
        assert graph.get(key).group_name == "vintages"
        assert {AssetKey(["raw", s.id]) for s in load_catalogue()} <= set(graph.get(key).parent_keys)
    assert AssetKey("stg_vintages__metric_value_history") in graph.get(history).child_keys
    assert AssetKey("metric_revisions") in graph.get(AssetKey("published_warehouse")).parent_keys


def test_every_source_has_a_non_blocking_freshness_check(graph):
    checks = {key.asset_key: key for key in graph.asset_check_keys if key.name == "freshness"}
    assert set(checks) == {AssetKey(["raw", s.id]) for s in load_catalogue()}
    assert not any(graph.get_check_spec(key).blocking for key in checks.values())


def test_the_failure_sensor_and_the_fetcher_are_registered():
    assert defs.resolve_sensor_def("alert_on_run_failure").default_status.value == "RUNNING"
    fetcher = defs.resources["fetcher"]
    assert fetcher.mode is None  # from MISSION_TRACKER_SOURCE_MODE at run time, bundled by default
