"""The real deployment: `mission-tracker serve` (dagster-webserver + dagster-daemon) on PostgreSQL.

A PostgreSQL server (Debian's `postgresql` package, which `make test` installs) is started on a
loopback port in a temporary data directory. `serve` runs its code server, webserver and daemon with
the nightly schedule RUNNING and its cron set to every minute (MISSION_TRACKER_NIGHTLY_CRON), so the
daemon itself evaluates the ticks: the first run is queued by Dagster's run queue, launched once by
the daemon, refreshes an empty warehouse and publishes it; the records are read back from PostgreSQL.
"""

from __future__ import annotations

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import DagsterEventType as T

from orchestration.settings import PROJECT_ROOT

SCHEDULE = "nightly_refresh_0200_london"
ARTIFACTS = PROJECT_ROOT / "artifacts"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL server on 127.0.0.1 (postgres refuses to run as root: run it as a user).

    Its folder is made with mkdtemp, not pytest's tmp_path: pytest's base folder is private to root,
    and the server's user must reach its data directory."""
    bin_dir = _postgres_bin()
    if bin_dir is None:
        pytest.skip(
            "PostgreSQL server binaries missing (/usr/lib/postgresql/*/bin): `make test` installs them"
        )
    root = Path(tempfile.mkdtemp(prefix="mission-tracker-pg-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    prefix: list[str] = []
    if os.geteuid() == 0:
        user = "postgres" if shutil.which("runuser") and _user_exists("postgres") else "nobody"
        shutil.chown(root, user)
        shutil.chown(sockets, user)
        root.chmod(0o700)
        prefix = ["runuser", "-u", user, "--"]
    port = _free_port()
    subprocess.run(
        [*prefix, str(bin_dir / "initdb"), "-D", str(data), "-U", "dagster", "-A", "trust", "--no-sync"],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [
            *prefix,
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-o",
            options,
            "-l",
            str(root / "log"),
            "-w",
            "start",
        ],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://dagster@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*prefix, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"], check=False)
        shutil.rmtree(root, ignore_errors=True)


def _user_exists(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _sql(url: str, query: str, *args) -> list[tuple]:
    import psycopg2

    with psycopg2.connect(url) as con, con.cursor() as cursor:
        cursor.execute(query, args)
        return cursor.fetchall()


def _wait_for_http(url: str, process: subprocess.Popen, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()[-4000:]
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(1)
    pytest.fail(f"{url} did not answer in {timeout:.0f} s:\n{log.read_text()[-4000:]}")


def _ticks(url: str) -> str:
    """Dagster's own tick records (status, and the skip reason or error), for a failure message."""
    rows = _sql(url, "select status, timestamp, left(tick_body, 600) from job_ticks order by id")
    return (
        "\n".join(f"  {status} at {stamp}: {body}" for status, stamp, body in rows) or "  (no tick recorded)"
    )


def _stop_schedule(env: dict[str, str], home: Path) -> None:
    """`dagster schedule stop`, against the workspace serve wrote: no later tick starts another run."""
    dagster = str(Path(sys.executable).with_name("dagster"))
    workspace = str(home / "workspace.serve.yaml")
    stop = subprocess.run(
        [dagster, "schedule", "stop", SCHEDULE, "-w", workspace],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=PROJECT_ROOT,
    )
    assert stop.returncode == 0, stop.stdout + stop.stderr


def _end_leftover_runs(home: Path) -> None:
    """A run a later tick launched just before the schedule stopped runs in a process of its own,
    which outlives serve: end it, so that it does not load the machine for the tests after this one."""
    marker = f"DAGSTER_HOME={home}".encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if marker in (entry / "environ").read_bytes().split(b"\0"):
                os.kill(int(entry.name), signal.SIGKILL)
        except (OSError, ProcessLookupError):
            continue


def _run_times(url: str, run_id: str) -> dict[str, float]:
    """The first time each event type was logged for a run (seconds since the epoch)."""
    rows = _sql(
        url,
        "select dagster_event_type, min(extract(epoch from timestamp)) from event_logs "
        "where run_id = %s and dagster_event_type is not null group by 1",
        run_id,
    )
    return {kind: float(stamp) for kind, stamp in rows}


@pytest.mark.end_to_end(seconds=150)
def test_serve_runs_the_schedule_through_the_queue_once_and_publishes_on_postgres(postgres_url, tmp_path):
    """The schedule ticks every minute here (MISSION_TRACKER_NIGHTLY_CRON), so the first tick after the
    daemon's first look at the schedule fires whatever the machine's load: Dagster's scheduler skips a
    tick that comes before that first look, and on a busy machine the daemon's start-up time varies.
    The first run must publish; every tick must launch at most one run; runs never overlap (the queue
    holds a later tick's run until the first has finished)."""
    home, warehouse = tmp_path / "dagster_home", tmp_path / "warehouse"
    home.mkdir()
    port = _free_port()
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "MISSION_TRACKER_DAGSTER_PG_URL": postgres_url,
        "MISSION_TRACKER_WAREHOUSE_DIR": str(warehouse),
        "MISSION_TRACKER_NIGHTLY_CRON": "* * * * *",
    }
    env.pop("MISSION_TRACKER_SCHEDULE", None)  # serve turns the schedule on by itself
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / "serve-postgres.log"
    cli = str(Path(sys.executable).with_name("mission-tracker"))
    with log.open("w") as out:
        serve = subprocess.Popen(
            [cli, "serve", "--port", str(port)],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=PROJECT_ROOT,
        )
    try:
        _wait_for_http(f"http://127.0.0.1:{port}/server_info", serve, log, timeout=300)
        text = log.read_text()
        assert "storage: PostgreSQL" in text and "nightly schedule RUNNING" in text
        assert "code server for orchestration.definitions on 127.0.0.1:" in text
        assert "postgres_url" in (home / "dagster.yaml").read_text()

        deadline = time.monotonic() + 480
        first: tuple | None = None
        stopped = False
        while time.monotonic() < deadline:
            assert serve.poll() is None, log.read_text()[-4000:]
            runs = _sql(postgres_url, "select run_id, status from runs order by create_timestamp, id")
            if runs and not stopped:  # the first tick fired: stop the schedule, as an operator would
                _stop_schedule(env, home)
                stopped = True
            if runs and runs[0][1] in ("SUCCESS", "FAILURE", "CANCELED"):
                first = runs[0]
                break
            time.sleep(3)
        assert first is not None, (
            f"no run of a tick finished in 8 minutes; Dagster's ticks:\n{_ticks(postgres_url)}\n"
            f"{log.read_text()[-4000:]}"
        )
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=60)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait()
        _end_leftover_runs(home)
    assert serve.returncode == 0, log.read_text()[-4000:]
    run_id, status = first
    assert status == "SUCCESS", log.read_text()[-6000:]

    tags = dict(_sql(postgres_url, "select key, value from run_tags where run_id = %s", run_id))
    assert tags["dagster/schedule_name"] == SCHEDULE
    assert tags["mission_tracker/writes"] == "warehouse"
    events = [
        kind
        for (kind,) in _sql(
            postgres_url,
            "select dagster_event_type from event_logs where run_id = %s order by id",
            run_id,
        )
    ]
    # queued by Dagster's run queue, then launched by the daemon's queue (STARTING), exactly once
    enqueued, starting, start, success = (
        kind.value for kind in (T.RUN_ENQUEUED, T.RUN_STARTING, T.RUN_START, T.RUN_SUCCESS)
    )
    assert enqueued in events and starting in events, sorted(set(events))
    assert events.index(enqueued) < events.index(starting) < events.index(start)
    assert events.count(start) == 1 and events.count(success) == 1
    published = _sql(
        postgres_url,
        "select count(*) from event_logs where run_id = %s and dagster_event_type = 'ASSET_MATERIALIZATION' "
        "and asset_key like %s",
        run_id,
        '%"published_warehouse"%',
    )
    assert published == [(1,)]

    # every tick launched at most one run, and a later tick's run waited in the queue for the first
    runs = _sql(postgres_url, "select run_id from runs order by create_timestamp, id")
    ticks = [
        value for (value,) in _sql(postgres_url, "select value from run_tags where key = 'dagster/tick'")
    ]
    assert len(ticks) == len(runs) == len(set(ticks)), (ticks, runs, _ticks(postgres_url))
    ended = _run_times(postgres_url, run_id)[success]
    for (later,) in runs[1:]:
        started = _run_times(postgres_url, later).get(start)
        assert started is None or started >= ended, "two runs of the schedule ran at once"

    assert (warehouse / "mission_tracker.duckdb").exists()
    import duckdb

    with duckdb.connect(str(warehouse / "mission_tracker.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from mission_summary").fetchone()[0] == 12
