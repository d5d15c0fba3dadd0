"""The code location loads, and its graph is the one the design describes."""

import pytest
from dagster import AssetKey

from orchestration.definitions import defs
from orchestration.defs.schedules import NIGHTLY_JOB_NAME
from orchestration.ingest.sources.catalogue import load_catalogue


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
    assert schedule.cron_schedule == "0 2 * * *"  # unless MISSION_TRACKER_NIGHTLY_CRON says otherwise
    assert schedule.execution_timezone == "Europe/London"
    assert schedule.job_name == NIGHTLY_JOB_NAME


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


def test_every_published_mart_has_a_blocking_gx_suite(graph):
    from orchestration.defs.assets.publish import PUBLISHED_MARTS

    suites = {key.asset_key for key in graph.asset_check_keys if key.name.startswith("gx_")}
    missing = [mart for mart in PUBLISHED_MARTS if AssetKey(mart) not in suites]
    assert missing == []
    for name in ("local_authority_scorecard", "mission_target_milestones", "metric_value_history"):
        assert graph.get_check_spec(
            next(k for k in graph.asset_check_keys if k.name == f"gx_{name}")
        ).blocking


def test_every_run_the_ui_can_launch_executes_in_one_process():
    """ "Materialize all", a selection or a re-execution uses the code location's default executor."""
    assert defs.resolve_implicit_global_asset_job_def().executor_def.name == "in_process"
    assert defs.resolve_job_def(NIGHTLY_JOB_NAME).executor_def.name == "in_process"


def test_asset_descriptions_carry_no_raw_sql_and_every_asset_has_an_owner(graph):
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert "Raw SQL" not in (node.description or ""), key
        assert node.owners == ["team:mission-tracker-data"], key


def test_ingest_assets_are_tagged_with_publisher_provenance_and_mission(graph):
    hle = graph.get(AssetKey(["raw", "healthy_life_expectancy"])).tags
    assert hle["publisher"] == "ons_els" and hle["provenance"] == "published" and "mission_M07" in hle
    crime = graph.get(AssetKey(["raw", "pfa_crime_ye_mar2019"])).tags
    assert crime["publisher"] == "ons_pfa" and crime["provenance"] == "derived" and "mission_M11" in crime
    travel = graph.get(AssetKey(["raw", "census2021_ts061"])).tags
    assert (
        travel["publisher"] == "ons_census"
        and travel["provenance"] == "published"
        and "mission_M03" in travel
    )
    assert graph.get(AssetKey("fct_area_year_metrics")).tags["layer"] == "marts"


def test_schedule_is_stopped_by_default_and_running_under_serve(monkeypatch):
    """The dev UI never starts a nightly by surprise; `serve` (MISSION_TRACKER_SCHEDULE=running) does."""
    import importlib

    import orchestration.defs.schedules as schedules

    assert schedules.nightly_refresh_schedule.default_status.value == "STOPPED"
    monkeypatch.setenv("MISSION_TRACKER_SCHEDULE", "running")
    monkeypatch.setenv("MISSION_TRACKER_NIGHTLY_CRON", "30 3 * * *")
    try:
        reloaded = importlib.reload(schedules)
        assert reloaded.nightly_refresh_schedule.default_status.value == "RUNNING"
        assert reloaded.nightly_refresh_schedule.cron_schedule == "30 3 * * *"
    finally:
        monkeypatch.delenv("MISSION_TRACKER_SCHEDULE")
        monkeypatch.delenv("MISSION_TRACKER_NIGHTLY_CRON")
        importlib.reload(schedules)


def test_instance_config_queues_runs_one_at_a_time(tmp_path, monkeypatch):
    """The project's dagster.yaml: Dagster's run queue, one run at a time; PostgreSQL when asked."""
    from dagster import DagsterInstance

    from orchestration.settings import ensure_dagster_home

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    monkeypatch.delenv("MISSION_TRACKER_DAGSTER_PG_URL", raising=False)
    ensure_dagster_home()
    with DagsterInstance.get() as instance:
        coordinator = instance.run_coordinator
        assert type(coordinator).__name__ == "QueuedRunCoordinator"
        settings = instance.get_concurrency_config().run_queue_config
        assert settings.max_concurrent_runs == 1
        assert [limit["key"] for limit in settings.tag_concurrency_limits] == ["mission_tracker/writes"]
    monkeypatch.setenv("MISSION_TRACKER_DAGSTER_PG_URL", "postgresql://u:p@127.0.0.1:1/db")
    ensure_dagster_home()
    assert "postgres_url" in (tmp_path / "dagster.yaml").read_text()


def test_the_project_instance_opens_dagster_home_without_writing_the_environment(tmp_path, monkeypatch):
    """The refresh and `status` open the instance in DAGSTER_HOME (else the project's folder) through
    Dagster's public API, with the project's dagster.yaml, and leave os.environ as it was."""
    import os

    from orchestration.settings import PROJECT_ROOT, dagster_instance

    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path))
    before = dict(os.environ)
    with dagster_instance() as instance:
        assert instance.root_directory == str(tmp_path)
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        assert instance.get_concurrency_config().run_queue_config.max_concurrent_runs == 1
    assert dict(os.environ) == before
    monkeypatch.delenv("DAGSTER_HOME")
    with dagster_instance() as instance:
        assert instance.root_directory == str(PROJECT_ROOT / ".dagster_home")
    assert "DAGSTER_HOME" not in os.environ
