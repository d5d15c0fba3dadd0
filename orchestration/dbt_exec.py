"""`mission-tracker-dbt`: the dbt CLI, run on the manifest `prepare` already parsed.

The refresh's dbt step (dagster-dbt's ``DbtCliResource``) runs this instead of ``dbt``. Every entry
point prepares the manifest before Dagster starts (``orchestration.dbt_cli.prepare_manifest``:
``dbt parse`` when any project file is newer than ``target/manifest.json``), so parsing the project
again inside the step only repeats that work. It is not even a cheap repeat: dbt's partial parse
hashes the profile, whose DuckDB path holds the warehouse folder, so a refresh into another folder
than the one the manifest was parsed for (the benchmark, the tests, a user's second warehouse) parses
everything again (~4.5 s here).

So when the prepared manifest is current, this loads the parse's saved state
(``partial_parse.msgpack``, the ``Manifest`` dbt itself reloads for a partial parse, written in
the same ``dbt parse`` as ``manifest.json``) and hands it to ``dbtRunner``: dbt's documented way to
reuse a parsed manifest. When it is missing or stale, or the command is not one that runs nodes,
this is plain ``dbt``. Nothing here imports Dagster: the process should start as fast as dbt does.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from orchestration.settings import DBT_PROJECT_DIR

#: What ``dbt parse`` reads: when any of it is newer than the manifest, the manifest is stale.
PROJECT_INPUTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")
PREPARED_MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
SAVED_STATE = "partial_parse.msgpack"
#: dbt commands that run nodes from a manifest (the others, e.g. parse, docs, debug, are plain dbt).
RUNS_NODES = frozenset({"build", "run", "test", "seed", "snapshot", "compile", "show", "list", "ls"})


def manifest_is_stale(manifest: Path) -> bool:
    """True when the manifest is missing or older than any dbt project file."""
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    for name in PROJECT_INPUTS:
        path = DBT_PROJECT_DIR / name
        files = [path] if path.is_file() else (p for p in path.rglob("*") if p.is_file())
        if any(f.stat().st_mtime > built for f in files):
            return True
    return False


def saved_state_file() -> Path | None:
    """The prepared parse's saved state, or None when the manifest is stale or the state missing.

    dagster-dbt copies ``target/partial_parse.msgpack`` into the run's own target folder
    (``DBT_TARGET_PATH``) before it starts dbt; that copy is read first, so a ``prepare`` in another
    process rewriting ``target/`` meanwhile cannot change what this run builds.
    """
    original = PREPARED_MANIFEST.parent / SAVED_STATE
    if manifest_is_stale(PREPARED_MANIFEST) or not original.is_file():
        return None
    if original.stat().st_mtime < PREPARED_MANIFEST.stat().st_mtime - 60:
        return None  # written long before the manifest: not by the same parse
    run_copy = Path(os.environ.get("DBT_TARGET_PATH", "")) / SAVED_STATE
    return run_copy if os.environ.get("DBT_TARGET_PATH") and run_copy.is_file() else original


def load_saved_manifest(path: Path) -> Any:
    """dbt's ``Manifest`` from a parse's saved state, with its lookups and graph rebuilt."""
    from dbt.contracts.graph.manifest import Manifest
    from dbt.parser.manifest import extended_mashumuro_decoder

    manifest = Manifest.from_msgpack(path.read_bytes(), decoder=extended_mashumuro_decoder)
    manifest.build_parent_and_child_maps()
    manifest.build_group_map()
    manifest.build_flat_graph()
    return manifest


def command_of(arguments: list[str]) -> str | None:
    """The dbt sub-command: the first argument that is not a flag."""
    return next((argument for argument in arguments if not argument.startswith("-")), None)


def main(arguments: list[str] | None = None) -> int:
    """Run dbt with ``arguments``; exit codes as dbt's: 0 success, 1 failed nodes, 2 an error."""
    from dbt.cli.main import dbtRunner

    arguments = sys.argv[1:] if arguments is None else arguments
    state = saved_state_file() if command_of(arguments) in RUNS_NODES else None
    runner = dbtRunner(manifest=load_saved_manifest(state)) if state else dbtRunner()
    result = runner.invoke(arguments)
    if result.success:
        return 0
    return 2 if result.exception is not None else 1


if __name__ == "__main__":  # pragma: no cover - the console script calls main()
    sys.exit(main())
