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

**The standby.** Importing dbt and loading that state takes ~2 s, and the step would wait for it. So
the refresh starts ``mission-tracker-dbt --standby SOCKET`` with the run (``StepDbtCliResource``): it
imports dbt and loads the manifest while the sources are ingested, then waits. When the step starts
``mission-tracker-dbt build ...``, that process connects to the socket and hands over its arguments,
environment, working folder and its stdout/stderr (the pipe dagster-dbt reads); the standby runs dbt
on them and sends back the exit code, which the command exits with. It serves one command, then
exits; it also exits when the process that started it goes (its stdin closes). Without a standby, or
when it cannot be reached, the command runs dbt itself as above.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import threading
from pathlib import Path
from typing import Any, NoReturn

from orchestration.settings import DBT_PROJECT_DIR

#: What ``dbt parse`` reads: when any of it is newer than the manifest, the manifest is stale.
PROJECT_INPUTS = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests")
PREPARED_MANIFEST = DBT_PROJECT_DIR / "target" / "manifest.json"
SAVED_STATE = "partial_parse.msgpack"
#: dbt commands that run nodes from a manifest (the others, e.g. parse, docs, debug, are plain dbt).
RUNS_NODES = frozenset({"build", "run", "test", "seed", "snapshot", "compile", "show", "list", "ls"})
#: The socket of the run's standby dbt process (set by StepDbtCliResource for the run).
STANDBY_VAR = "MISSION_TRACKER_DBT_STANDBY"


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


def _run_dbt(arguments: list[str], manifest: Any | None) -> int:
    """dbt's exit codes: 0 success, 1 failed nodes, 2 an error."""
    from dbt.cli.main import dbtRunner

    runner = dbtRunner(manifest=manifest) if manifest is not None else dbtRunner()
    result = runner.invoke(arguments)
    if result.success:
        return 0
    return 2 if result.exception is not None else 1


def uses_prepared_manifest(arguments: list[str]) -> bool:
    """True for a command that runs nodes of this project (``--project-dir``, else DBT_PROJECT_DIR,
    else the working folder): only then is the manifest ``prepare`` parsed the right one."""
    if command_of(arguments) not in RUNS_NODES:
        return False
    folder = os.environ.get("DBT_PROJECT_DIR") or os.getcwd()
    if "--project-dir" in arguments[:-1]:
        folder = arguments[arguments.index("--project-dir") + 1]
    return Path(folder).resolve() == DBT_PROJECT_DIR.resolve()


def _prepared_manifest_for(arguments: list[str]) -> Any | None:
    state = saved_state_file() if uses_prepared_manifest(arguments) else None
    return load_saved_manifest(state) if state else None


def main(arguments: list[str] | None = None) -> int:
    """Run dbt with ``arguments``: in the run's standby process when there is one, else here."""
    arguments = sys.argv[1:] if arguments is None else arguments
    if arguments[:1] == ["--standby"]:
        return serve_standby(arguments[1])
    served = run_in_standby(os.environ.get(STANDBY_VAR), arguments)
    if served is not None:
        return served
    return _run_dbt(arguments, _prepared_manifest_for(arguments))


def run_in_standby(socket_path: str | None, arguments: list[str]) -> int | None:
    """Hand ``arguments`` (with this process's environment, folder, stdout and stderr) to the standby
    at ``socket_path`` and return dbt's exit code; None when there is no standby to reach."""
    if not socket_path or command_of(arguments) not in RUNS_NODES:
        return None
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect(socket_path)
    except OSError:
        connection.close()
        return None
    with connection:
        request = json.dumps({"args": arguments, "env": dict(os.environ), "cwd": os.getcwd()}).encode()
        socket.send_fds(
            connection, [len(request).to_bytes(8, "big")], [sys.stdout.fileno(), sys.stderr.fileno()]
        )
        connection.sendall(request)
        replies = connection.makefile("r", encoding="utf-8")
        code = 2  # the standby went before saying how dbt ended
        for line in replies:
            kind, _, value = line.strip().partition(":")
            if kind == "pid":  # an interrupt of this command interrupts dbt over there
                for signum in (signal.SIGINT, signal.SIGTERM):
                    signal.signal(signum, lambda number, _frame, pid=int(value): os.kill(pid, number))
            elif kind == "exit":
                code = int(value)
        return code


def serve_standby(socket_path: str) -> NoReturn:
    """Listen at ``socket_path``, import dbt and load the prepared manifest, run one handed-over
    command on the caller's stdout/stderr, environment and folder, and send back its exit code."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(socket_path)  # first: a command started from now on queues until this accepts it
    server.listen(1)
    threading.Thread(target=_exit_when_stdin_closes, daemon=True).start()
    import dbt.cli.main  # noqa: F401 - the ~1.6 s the step no longer waits for

    state = saved_state_file()
    manifest = load_saved_manifest(state) if state else None
    connection, _ = server.accept()
    server.close()
    with connection:
        header, fds, _flags, _address = socket.recv_fds(connection, 8, 2)
        size = int.from_bytes(header, "big")
        payload = b""
        while len(payload) < size:
            chunk = connection.recv(size - len(payload))
            if not chunk:  # the command went before it said what to run
                os._exit(4)
            payload += chunk
        request = json.loads(payload)
        connection.sendall(f"pid:{os.getpid()}\n".encode())
        sys.stdout.flush()
        sys.stderr.flush()
        os.dup2(fds[0], 1)
        os.dup2(fds[1], 2)
        sys.stdout.reconfigure(line_buffering=True)  # dagster-dbt reads dbt's events as they come
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        arguments = request["args"]
        code = _run_dbt(arguments, manifest if uses_prepared_manifest(arguments) else None)
        sys.stdout.flush()
        sys.stderr.flush()
        connection.sendall(f"exit:{code}\n".encode())
    # exit at once: the lifeline thread is blocked reading stdin, and an interpreter shutting down
    # around a blocked daemon thread aborts
    os._exit(0)


def _exit_when_stdin_closes() -> None:
    """The standby's lifeline: the process that started it holds its stdin; when that goes (the run
    ended without a dbt step, or was killed), so does the standby, dbt and all."""
    sys.stdin.buffer.read()
    os._exit(3)


if __name__ == "__main__":  # pragma: no cover - the console script calls main()
    sys.exit(main())
