"""`mission-tracker serve`: a code server, dagster-webserver and dagster-daemon as supervised processes.

This is Dagster's own open-source deployment shape (a gRPC code server, one webserver, one daemon,
shared instance storage) on one machine; docs/deploy.md says how the same code location runs on
Kubernetes, where the chart runs the same `dagster api grpc` command in its user deployment.

Why a code server of its own: left to themselves, the daemon and the webserver each spawn a code
server and keep it alive with heartbeats. The daemon's heartbeat allowance is a fixed 20 s; on a
loaded two-core machine, deserialising this code location's snapshot (over a hundred dbt models and
their checks) starved the daemon's heartbeat thread past it, the code server shut itself down, was
spawned again, and the scheduler evaluated nothing for minutes: a night could be missed. A server
started here with `dagster api grpc` (no heartbeat) lives as long as `serve`; both processes connect
to it through a workspace file written into DAGSTER_HOME.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from orchestration.settings import PROJECT_ROOT

STOP_TIMEOUT = 20.0
#: How long the code server may take to import the definitions before serve gives up (seconds).
CODE_SERVER_STARTUP = 600.0
CODE_LOCATION = "orchestration.definitions"


def _reset_signals() -> None:  # in the child: default handlers, even when started in the background
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_workspace(home: Path, code_port: int) -> Path:
    """The workspace the daemon and the webserver load: the code server on loopback, by port."""
    path = home / "workspace.serve.yaml"
    path.write_text(
        "# written by `mission-tracker serve`: the code location is served by its own gRPC code server\n"
        "load_from:\n"
        "  - grpc_server:\n"
        "      host: 127.0.0.1\n"
        f"      port: {code_port}\n"
        f"      location_name: {CODE_LOCATION}\n",
        encoding="utf-8",
    )
    return path


def code_server_command(code_port: int) -> list[str]:
    bin_dir = Path(sys.executable).parent
    return [
        *(str(bin_dir / "dagster"), "api", "grpc", "-m", CODE_LOCATION, "-d", str(PROJECT_ROOT)),
        *("-h", "127.0.0.1", "-p", str(code_port), "--location-name", CODE_LOCATION),
    ]


def commands(host: str, port: int, workspace: Path) -> dict[str, list[str]]:
    bin_dir = Path(sys.executable).parent
    return {
        "dagster-daemon": [str(bin_dir / "dagster-daemon"), "run", "-w", str(workspace)],
        "dagster-webserver": [
            *(str(bin_dir / "dagster-webserver"), "-h", host, "-p", str(port)),
            *("-w", str(workspace)),
        ],
    }


def _wait_for_code_server(process: subprocess.Popen, code_port: int, stopping: dict) -> bool:
    """True once the code server answers Dagster's health check; False if it exited first, or serve
    was told to stop."""
    check = [str(Path(sys.executable).parent / "dagster"), "api", "grpc-health-check", "-p", str(code_port)]
    deadline = time.monotonic() + CODE_SERVER_STARTUP
    while time.monotonic() < deadline:
        if process.poll() is not None or stopping["signal"]:
            return False
        if subprocess.run(check, capture_output=True, timeout=60).returncode == 0:
            return True
        time.sleep(1.0)
    return False


def _stop(processes: dict[str, subprocess.Popen]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT
    for process in processes.values():
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def serve(host: str, port: int, home: Path, environment: dict[str, str]) -> int:
    """Start the code server, then the daemon and the webserver against it (each with ``environment``:
    DAGSTER_HOME and the schedule's state are passed, not set in this process); run until a signal or
    until one of them exits (then stop the others and return 1)."""
    stopping = {"signal": 0}

    def _on_signal(number: int, _frame) -> None:
        stopping["signal"] = number

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    code_port = free_port()
    processes = {
        "code server": subprocess.Popen(
            code_server_command(code_port), cwd=PROJECT_ROOT, env=environment, preexec_fn=_reset_signals
        )
    }
    try:
        if not _wait_for_code_server(processes["code server"], code_port, stopping):
            if stopping["signal"]:
                return 0
            print("the code server did not start (its output is above); stopping", flush=True)
            return 1
        print(f"code server for {CODE_LOCATION} on 127.0.0.1:{code_port}", flush=True)
        workspace = write_workspace(home, code_port)
        for name, command in commands(host, port, workspace).items():
            processes[name] = subprocess.Popen(
                command, cwd=PROJECT_ROOT, env=environment, preexec_fn=_reset_signals
            )
        while not stopping["signal"]:
            for name, process in processes.items():
                if process.poll() is not None:
                    print(f"{name} exited with code {process.returncode}; stopping the others", flush=True)
                    return 1
            time.sleep(0.5)
        print("stopping dagster-webserver, dagster-daemon and the code server", flush=True)
        return 0
    finally:
        _stop(processes)
