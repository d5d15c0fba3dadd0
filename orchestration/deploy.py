"""`mission-tracker serve`: dagster-webserver and dagster-daemon as two supervised processes.

This is Dagster's own open-source deployment shape (one webserver, one daemon, shared instance
storage) on one machine; docs/deploy.md says how the same code location runs on Kubernetes.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from orchestration.settings import PROJECT_ROOT

STOP_TIMEOUT = 20.0


def _reset_signals() -> None:  # in the child: default handlers, even when started in the background
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def commands(host: str, port: int) -> dict[str, list[str]]:
    bin_dir = Path(sys.executable).parent
    workspace = str(PROJECT_ROOT / "workspace.yaml")
    return {
        "dagster-daemon": [str(bin_dir / "dagster-daemon"), "run", "-w", workspace],
        "dagster-webserver": [
            *(str(bin_dir / "dagster-webserver"), "-h", host, "-p", str(port)),
            *("-w", workspace),
        ],
    }


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


def serve(host: str, port: int) -> int:
    """Run both until a signal or until one of them exits; the exit code says which."""
    processes = {
        name: subprocess.Popen(command, cwd=PROJECT_ROOT, preexec_fn=_reset_signals)
        for name, command in commands(host, port).items()
    }
    stopping = {"signal": 0}

    def _on_signal(number: int, _frame) -> None:
        stopping["signal"] = number

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    try:
        while not stopping["signal"]:
            for name, process in processes.items():
                if process.poll() is not None:
                    print(f"{name} exited with code {process.returncode}; stopping the other", flush=True)
                    return 1
            time.sleep(0.5)
        print("stopping dagster-webserver and dagster-daemon", flush=True)
        return 0
    finally:
        _stop(processes)
