"""Benchmark: wall time of a full refresh and of an unchanged refresh, median of N, fresh processes.

Each repetition gets an empty warehouse folder and Dagster home, runs `mission-tracker refresh` once
(full: every source parsed and loaded, dbt build, checks, publish, report, exports) and again
(unchanged: every bundled file, model, suite and line of code is as published, so the CLI says
"nothing new" before starting Dagster, dbt or GX; `refresh --always-run` would run the job's own
no-op path instead). Wall time includes process start
and imports, as a user or the nightly schedule experiences it. `python scripts/live_demo.py` times
the same pair in live mode against a loopback publisher.

    python scripts/bench.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = str(Path(sys.executable).with_name("mission-tracker"))


def timed_refresh(env: dict[str, str]) -> float:
    start = time.perf_counter()
    completed = subprocess.run([CLI, "refresh"], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if completed.returncode != 0:
        sys.exit(f"refresh failed:\n{completed.stdout[-3000:]}\n{completed.stderr[-3000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    full, unchanged = [], []
    for repetition in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="mt-bench-") as scratch:
            home = Path(scratch, "dagster_home")
            home.mkdir()
            (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
            env = {
                **os.environ,
                "MISSION_TRACKER_WAREHOUSE_DIR": str(Path(scratch, "warehouse")),
                "DAGSTER_HOME": str(home),
            }
            full.append(timed_refresh(env))
            unchanged.append(timed_refresh(env))
        print(f"run {repetition + 1}: full {full[-1]:.1f} s, unchanged {unchanged[-1]:.1f} s", flush=True)
    for name, times in (("full refresh", full), ("unchanged refresh", unchanged)):
        print(
            f"{name:18s} median {statistics.median(times):6.1f} s  "
            f"(min {min(times):.1f}, max {max(times):.1f}, n={len(times)})"
        )
    print(f"unchanged/full ratio: {statistics.median(unchanged) / statistics.median(full):.2f}")


if __name__ == "__main__":
    main()
