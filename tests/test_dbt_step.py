"""The refresh's dbt step: dbt on the prepared manifest (orchestration/dbt_exec.py), and the
dagster-dbt resource without the set-ups this project does not use."""

from __future__ import annotations

import json
import os
import re
import subprocess
from functools import cached_property
from pathlib import Path

import pytest
from dagster_dbt import DbtCliResource

from orchestration import dbt_exec
from orchestration.dbt_cli import DBT_EXECUTABLE, DBT_STEP_EXECUTABLE, dbt_standby
from orchestration.defs.assets.dbt import StepDbtCliResource, dbt_resource
from orchestration.settings import DBT_PROJECT_DIR


def _run_target(run_id: str) -> Path:
    """The target folder dagster-dbt gave the run's dbt invocation (dbt_models-<run id[:7]>-...)."""
    (target,) = (DBT_PROJECT_DIR / "target").glob(f"dbt_models-{run_id[:7]}-*")
    return target


def _log_records(target):
    """Every JSON record of a run's dbt log, oldest first: dbt rotates dbt.log at 10 MB (a full build
    of this project writes ~11 MB), so the start of the run can be in dbt.log.1."""
    paths = [*sorted(target.glob("dbt.log.*"), key=lambda path: -int(path.suffix[1:])), target / "dbt.log"]
    for path in paths:
        with path.open() as handle:
            yield from (json.loads(line) for line in handle)


def test_the_session_refresh_built_every_node_of_the_prepared_manifest_without_parsing(built_warehouse):
    target = _run_target(built_warehouse.summary.run_id)
    events = [record["info"]["name"] for record in _log_records(target)]
    # dbt checks a saved parse state (StateCheckVarsHash) whenever it parses; the session's warehouse
    # folder differs from the one the manifest was prepared for, so a plain `dbt build` would have
    # re-parsed the whole project here.
    assert "StateCheckVarsHash" not in events
    assert "FoundStats" in events
    prepared = json.loads(dbt_exec.PREPARED_MANIFEST.read_text())
    expected = {
        unique_id
        for unique_id, node in prepared["nodes"].items()
        if node["resource_type"] in ("model", "seed", "test")
    } | set(prepared.get("unit_tests", {}))
    results = json.loads((target / "run_results.json").read_text())["results"]
    assert {result["unique_id"] for result in results} == expected
    assert {result["status"] for result in results} <= {"success", "pass"}


def test_the_session_refresh_ran_dbt_in_the_standby_process_started_with_the_run(built_warehouse):
    run_id = built_warehouse.summary.run_id
    with built_warehouse.instance() as instance:
        notes = [
            record.user_message
            for record in instance.all_logs(run_id)
            if record.step_key == "dbt_models" and "standby" in (record.user_message or "")
        ]
    (note,) = notes
    standby_pid = int(re.search(r"pid (\d+)", note).group(1))
    target = _run_target(run_id)
    pids = {record["info"]["pid"] for record in _log_records(target)}
    assert pids == {standby_pid}  # every dbt event came from the standby, none from a second dbt


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A stand-in dbt project folder with a prepared manifest and its saved parse state."""
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "m.sql").write_text("select 1")
    (tmp_path / "dbt_project.yml").write_text("name: p")
    target = tmp_path / "target"
    target.mkdir()
    (target / dbt_exec.SAVED_STATE).write_bytes(b"state")
    (target / "manifest.json").write_text("{}")
    monkeypatch.setattr(dbt_exec, "DBT_PROJECT_DIR", tmp_path)
    monkeypatch.setattr(dbt_exec, "PREPARED_MANIFEST", target / "manifest.json")
    monkeypatch.delenv("DBT_TARGET_PATH", raising=False)
    return tmp_path


def _age(path: Path, seconds: float) -> None:
    stamp = path.stat().st_mtime - seconds
    os.utime(path, (stamp, stamp))


def test_a_current_manifest_lends_its_saved_state(project: Path) -> None:
    _age(project / "models" / "m.sql", 10)
    _age(project / "dbt_project.yml", 10)
    assert dbt_exec.saved_state_file() == project / "target" / dbt_exec.SAVED_STATE


def test_the_run_copy_of_the_saved_state_is_read_first(project: Path, tmp_path_factory, monkeypatch) -> None:
    _age(project / "models" / "m.sql", 10)
    _age(project / "dbt_project.yml", 10)
    run_target = tmp_path_factory.mktemp("run_target")
    (run_target / dbt_exec.SAVED_STATE).write_bytes(b"copy")
    monkeypatch.setenv("DBT_TARGET_PATH", str(run_target))
    assert dbt_exec.saved_state_file() == run_target / dbt_exec.SAVED_STATE


def test_an_edited_model_means_dbt_parses_again(project: Path) -> None:
    _age(project / "target" / "manifest.json", 10)
    _age(project / "target" / dbt_exec.SAVED_STATE, 10)
    assert dbt_exec.saved_state_file() is None  # models/m.sql is newer than the manifest


def test_a_saved_state_from_an_older_parse_is_not_used(project: Path) -> None:
    for path in (project / "models" / "m.sql", project / "dbt_project.yml"):
        _age(path, 600)
    _age(project / "target" / dbt_exec.SAVED_STATE, 300)  # five minutes before the manifest
    assert dbt_exec.saved_state_file() is None
    (project / "target" / dbt_exec.SAVED_STATE).unlink()
    assert dbt_exec.saved_state_file() is None


def test_the_prepared_manifest_serves_only_this_projects_node_commands(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("DBT_PROJECT_DIR", str(DBT_PROJECT_DIR))
    assert dbt_exec.uses_prepared_manifest(["build", "--select", "fqn:*"])
    assert not dbt_exec.uses_prepared_manifest(["parse"])
    assert not dbt_exec.uses_prepared_manifest(["build", "--project-dir", str(tmp_path)])
    monkeypatch.setenv("DBT_PROJECT_DIR", str(tmp_path))  # a copy of the project elsewhere
    assert not dbt_exec.uses_prepared_manifest(["build"])
    assert dbt_exec.uses_prepared_manifest(["build", "--project-dir", str(DBT_PROJECT_DIR / ".")])


@pytest.mark.parametrize(
    ("arguments", "command"),
    [(["build", "--select", "fqn:*"], "build"), (["--quiet", "parse"], "parse"), (["--version"], None)],
)
def test_the_command_is_the_first_argument_that_is_not_a_flag(
    arguments: list[str], command: str | None
) -> None:
    assert dbt_exec.command_of(arguments) == command


def test_the_resource_reports_the_version_the_dbt_executable_reports() -> None:
    """The resource reads dbt-core's version instead of spawning `dbt --version`; both must agree."""
    output = subprocess.run([DBT_EXECUTABLE, "--version"], capture_output=True, text=True, check=True).stdout
    installed = re.search(r"installed:\s*(\d+\.\d+\.\d+)", output)
    assert installed is not None, output
    resource = dbt_resource()
    assert isinstance(resource, StepDbtCliResource)
    assert str(resource._cli_version) == installed.group(1)
    assert resource.dbt_executable.endswith("mission-tracker-dbt")
    assert Path(resource.dbt_executable).is_file()


def test_the_members_the_step_resource_overrides_still_exist_in_dagster_dbt() -> None:
    """If a dagster-dbt upgrade renames them, the overrides would silently stop saving ~5 s a run."""
    assert isinstance(DbtCliResource.__dict__["_cli_version"], cached_property)
    assert callable(DbtCliResource.__dict__["_initialize_dbt_core_adapter"])
    assert dbt_resource()._initialize_dbt_core_adapter(["build"]) is None


def _list_models(env: dict[str, str]) -> subprocess.CompletedProcess:
    """`mission-tracker-dbt ls` of two models (no database needed), as dagster-dbt would start it."""
    command = [
        DBT_STEP_EXECUTABLE,
        "ls",
        "--select",
        "missions",
        "mission_summary",
        "--output",
        "name",
        "--quiet",
        "--resource-type",
        "model",
        "--resource-type",
        "seed",
    ]
    return subprocess.run(command, env=env, cwd=DBT_PROJECT_DIR, capture_output=True, text=True, timeout=120)


def test_a_dbt_command_is_handed_to_the_standby_with_its_output_and_exit_code(tmp_path) -> None:
    with dbt_standby() as standby:
        env = {**os.environ, "DBT_TARGET_PATH": str(tmp_path / "target"), "DBT_LOG_PATH": str(tmp_path)}
        assert env[dbt_exec.STANDBY_VAR] == standby.socket_path
        assert standby.listening()  # as the dbt step waits before it starts dbt
        listed = _list_models(env)
        standby.process.wait(timeout=30)  # it serves one command, then exits
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert sorted(listed.stdout.split()) == ["mission_summary", "missions"]
    assert standby.process.returncode == 0
    assert dbt_exec.STANDBY_VAR not in os.environ


def test_without_a_reachable_standby_the_command_runs_dbt_itself(tmp_path) -> None:
    env = {
        **os.environ,
        dbt_exec.STANDBY_VAR: str(tmp_path / "no-such.sock"),
        "DBT_TARGET_PATH": str(tmp_path / "target"),
        "DBT_LOG_PATH": str(tmp_path),
    }
    listed = _list_models(env)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert sorted(listed.stdout.split()) == ["mission_summary", "missions"]


def test_an_unused_standby_goes_when_the_run_lets_it_go() -> None:
    with dbt_standby() as standby:
        assert standby.process.poll() is None
    assert standby.process.returncode == 3  # its stdin closed: the lifeline, not a kill
    assert not Path(standby.socket_path).parent.exists()
