"""The catalogue is the one place to edit: the dbt sources, staging models, their tests, the union's
list and the raw gates all follow from it, and nothing drifts."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest
from dagster import AssetKey

from orchestration.build.dbt_cli import run_dbt
from orchestration.build.dbt_codegen import MARKER, differences, render, write_generated
from orchestration.ingest.sources.catalogue import MetricMapping, get_source, load_catalogue
from orchestration.quality.raw_suites import raw_suites
from orchestration.settings import DBT_PROJECT_DIR


@pytest.fixture(scope="module")
def graph():
    from orchestration.definitions import defs

    return defs.resolve_asset_graph()


def test_the_generated_dbt_files_are_the_catalogues_rendering():
    """Regenerates everything in memory: any hand edit, missing file or stale file fails here."""
    assert differences() == []


def test_every_catalogue_source_has_a_blocking_gate(graph):
    gates = {key.asset_key for key in graph.asset_check_keys if key.name.startswith("gx_raw_")}
    assert gates == {AssetKey(["raw", source.id]) for source in load_catalogue()}
    assert all(
        graph.get_check_spec(key).blocking for key in graph.asset_check_keys if key.name.startswith("gx_raw_")
    )
    assert [suite.table for suite in raw_suites()] == [f"raw.{source.id}" for source in load_catalogue()]


def _project_copy(tmp_path):
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    return project


def _parse(project) -> dict:
    run_dbt("parse", project_dir=project)
    return json.loads((project / "target" / "manifest.json").read_text())


def test_removing_or_adding_a_catalogue_entry_is_all_it_takes(tmp_path):
    """On a copy of the dbt project: drop one ELS source and add another (same format, an existing
    metric), regenerate, and dbt parses a project whose sources, staging models and union follow."""
    project = _project_copy(tmp_path)
    catalogue = load_catalogue()
    dropped = get_source("museums")
    template = get_source("library_walk")
    added = dataclasses.replace(
        template,
        id="library_walk_copy",
        title="A second library-walk file",
        metrics=(MetricMapping(**dataclasses.asdict(template.metrics[0])),),
    )
    edited = (*(s for s in catalogue if s.id != dropped.id), added)
    changes = write_generated(project, edited)
    assert "deleted models/staging/ons_els/stg_ons_els__museums.sql" in changes
    assert "wrote models/staging/ons_els/stg_ons_els__library_walk_copy.sql" in changes
    assert differences(project, edited) == []
    manifest = _parse(project)
    union = manifest["nodes"]["model.mission_tracker.int_metric_values_unioned"]["depends_on"]["nodes"]
    assert "model.mission_tracker.stg_ons_els__library_walk_copy" in union
    assert "model.mission_tracker.stg_ons_els__museums" not in union
    assert "source.mission_tracker.ons_els.library_walk_copy" in manifest["sources"]
    assert "source.mission_tracker.ons_els.museums" not in manifest["sources"]
    tests = [n for n in manifest["nodes"].values() if n["resource_type"] == "test"]
    assert any(
        "stg_ons_els__library_walk_copy" in t["depends_on"]["nodes"][0]
        for t in tests
        if t["depends_on"]["nodes"]
    )


def test_generated_files_say_so_and_only_generated_files_are_ever_deleted(tmp_path):
    project = _project_copy(tmp_path)
    for path, text in render(load_catalogue(), project).items():
        assert MARKER in text.splitlines()[0], path
    hand_written = project / "models" / "staging" / "ons_geography" / "stg_ons_geography__areas.sql"
    assert MARKER not in hand_written.read_text()
    write_generated(project, tuple(s for s in load_catalogue() if s.publisher != "ons_geography"))
    assert hand_written.exists()  # a hand-written model of a removed publisher is never touched
    assert not (project / "models" / "staging" / "ons_geography" / "_ons_geography__sources.yml").exists()
