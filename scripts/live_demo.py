"""Live mode, shown end to end: a nightly run picks up a revised release, the next night is a no-op.

Starts the tests' loopback publisher on 127.0.0.1 serving copies of the bundled files at the catalogue
URLs' paths, builds a warehouse from the bundled snapshots, revises one figure set in one file on the
"publisher", then runs `mission-tracker refresh` twice in live mode (fresh processes, timed) and prints
the requests each run made and the revisions the warehouse recorded. Nothing leaves loopback.

    python scripts/live_demo.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.helpers import edit_csv  # noqa: E402
from tests.ingest.test_live import HLE, _mirror_tree, _revise, _served_path  # noqa: E402
from tests.loopback import LoopbackPublisher  # noqa: E402

CLI = str(Path(sys.executable).with_name("mission-tracker"))


def refresh(env: dict[str, str], label: str) -> float:
    started = time.perf_counter()
    done = subprocess.run([CLI, "refresh"], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    tail = [
        line
        for line in done.stdout.splitlines()
        if line.startswith(("Sources:", "Nothing new", "Published:"))
    ]
    print(f"{label}: exit {done.returncode}, {seconds:.1f} s; " + " | ".join(tail))
    if done.returncode != 0:
        sys.exit(done.stdout[-3000:] + done.stderr[-3000:])
    return seconds


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="mt-live-") as scratch:
        home = Path(scratch, "dagster_home")
        home.mkdir()
        (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
        warehouse = Path(scratch, "warehouse")
        env = {**os.environ, "MISSION_TRACKER_WAREHOUSE_DIR": str(warehouse), "DAGSTER_HOME": str(home)}
        refresh(env, "bundled build")
        root = Path(scratch, "publisher")
        _mirror_tree(root)
        served = root / _served_path(HLE)
        served.write_bytes(edit_csv(_revise)(served.read_bytes()))
        publisher = LoopbackPublisher(root).start()
        live = {
            **env,
            "MISSION_TRACKER_SOURCE_MODE": "live",
            "MISSION_TRACKER_SOURCE_MIRROR": publisher.base_url,
        }
        try:
            refresh(live, "live night 1 (HLE revised)")
            first = [r.status for r in publisher.requests]
            publisher.requests.clear()
            refresh(live, "live night 2 (nothing new)")
            second = [r.status for r in publisher.requests]
        finally:
            publisher.stop()
        print(
            f"night 1 requests: {len(first)} ({first.count(200)} x 200); "
            f"night 2: {len(second)} ({second.count(304)} x 304)"
        )
        with duckdb.connect(str(warehouse / "mission_tracker.duckdb"), read_only=True) as con:
            print(
                con.sql(
                    "select area_code, period, indicator, old_value, new_value, "
                    "round(revision, 2) as revision from metric_revisions order by indicator"
                )
            )
            print(
                con.sql(
                    "select source_id, vintage_number, mode, left(vintage, 12) as vintage, publisher_date, "
                    "is_current from source_vintages where source_id = 'healthy_life_expectancy' "
                    "order by vintage_number"
                )
            )


if __name__ == "__main__":
    main()
