"""The refresh's dbt step: dagster-dbt's own ``DbtCliResource`` running ``dbt build`` as documented,
with the warehouse folder passed to dbt as vars (never through the environment)."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

from dagster_dbt import DbtCliResource

from orchestration.build.dbt_cli import DBT_EXECUTABLE, PREPARED_MANIFEST, dbt_vars, run_dbt
from orchestration.defs.assets.dbt import dbt_resource
from orchestration.settings import DBT_PROJECT_DIR


def _run_target(run_id: str) -> Path:
    """The target folder dagster-dbt gave the run's dbt invocation (dbt_models-<run id[:7]>-...)."""
    (target,) = (DBT_PROJECT_DIR / "target").glob(f"dbt_models-{run_id[:7]}-*")
    return target


def _log_records(target: Path):
    """Every JSON record of a dbt log, oldest first: dbt rotates dbt.log at 10 MB (a full build of
    this project writes ~11 MB), so the start of the run can be in dbt.log.1."""
    paths = [*sorted(target.glob("dbt.log.*"), key=lambda path: -int(path.suffix[1:])), target / "dbt.log"]
    for path in paths:
        if path.exists():
            with path.open() as handle:
                yield from (json.loads(line) for line in handle)


def test_the_session_refresh_built_every_node_of_the_prepared_manifest(built_warehouse):
    target = _run_target(built_warehouse.summary.run_id)
    prepared = json.loads(PREPARED_MANIFEST.read_text())
    expected = {
        unique_id
        for unique_id, node in prepared["nodes"].items()
        if node["resource_type"] in ("model", "seed", "test")
    } | set(prepared.get("unit_tests", {}))
    results = json.loads((target / "run_results.json").read_text())
    assert {result["unique_id"] for result in results["results"]} == expected
    assert {result["status"] for result in results["results"]} <= {"success", "pass"}
    # the build wrote the session's warehouse, told so by --vars, not by the environment
    assert results["args"]["vars"]["warehouse_dir"] == str(built_warehouse.settings.warehouse_dir)


def test_the_step_runs_dagster_dbts_own_resource_on_this_environments_dbt() -> None:
    resource = dbt_resource()
    assert type(resource) is DbtCliResource  # no subclass, no overridden members
    assert resource.dbt_executable == DBT_EXECUTABLE and Path(DBT_EXECUTABLE).is_file()
    assert Path(resource.project_dir) == DBT_PROJECT_DIR


def test_the_vars_name_the_warehouse_folder_and_are_the_same_for_the_same_settings(built_warehouse) -> None:
    settings = built_warehouse.settings
    flag, payload = dbt_vars(settings)
    assert flag == "--vars"
    assert json.loads(payload)["warehouse_dir"] == str(settings.warehouse_dir)
    assert dbt_vars(settings) == dbt_vars(replace(settings))  # byte for byte: dbt hashes them


def _partial_parse_refused(target: Path) -> list[str]:
    return [
        record["data"].get("reason", "")
        for record in _log_records(target)
        if record["info"]["name"] == "UnableToPartialParse"
    ]


def test_a_build_with_the_prepared_parses_vars_reuses_its_parse_and_other_vars_do_not(
    built_warehouse, tmp_path
) -> None:
    """Why the prepare step and the refresh pass the same vars: dbt reuses a saved parse only when
    the vars (and so the profile's DuckDB path) are the ones it was parsed with."""
    parsed = tmp_path / "parsed"
    run_dbt(
        "parse", "--target-path", str(parsed), "--log-path", str(parsed), settings=built_warehouse.settings
    )
    listing = ["ls", "--select", "missions", "--output", "name", "--resource-type", "seed"]
    same, other = tmp_path / "same", tmp_path / "other"
    for target, settings in (
        (same, built_warehouse.settings),
        (other, replace(built_warehouse.settings, warehouse_dir=tmp_path / "elsewhere")),
    ):
        target.mkdir()
        shutil.copy(parsed / "partial_parse.msgpack", target / "partial_parse.msgpack")
        run_dbt(
            *listing,
            "--target-path",
            str(target),
            "--log-path",
            str(target),
            "--log-format-file",
            "json",
            settings=settings,
        )
    assert _partial_parse_refused(same) == []
    assert _partial_parse_refused(other)  # "vars, profile or target changed" or the like
