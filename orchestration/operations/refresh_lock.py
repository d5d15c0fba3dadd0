"""One refresh at a time per warehouse folder.

A refresh writes the build DuckDB file, and DuckDB allows one writer per file: two refreshes at once
would each die on the other's file lock. So every refresh, whoever starts it (`mission-tracker
refresh`, the schedule, a run launched from the Dagster UI), first takes an exclusive ``flock`` on
``<warehouse>/.refresh.lock`` and holds it until the run ends. The file also records who holds it
(pid, run id, start time, host, command) so that a second refresh can say who is in the way.

The operating system drops a ``flock`` when its process dies, however it dies (SIGKILL included), so a
killed refresh can never leave the warehouse locked: the next refresh takes the lock at once, finds the
dead holder's record still in the file, reports it as a stale lock it cleared, and writes its own.

Within one process the lock is re-entrant: the CLI takes it before starting the in-process run, and
the run's ``refresh_lock`` resource sees that this process already holds it.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

LOCK_NAME = ".refresh.lock"
#: Exit code of `mission-tracker refresh` when another refresh holds the lock (EX_TEMPFAIL: try later).
EXIT_ALREADY_RUNNING = 75
POLL_SECONDS = 0.5


@dataclass(frozen=True)
class LockHolder:
    pid: int
    run_id: str
    started_at: str
    host: str
    command: str

    def describe(self) -> str:
        return f"pid {self.pid}, run {self.run_id}, started at {self.started_at}, on {self.host}"


class RefreshAlreadyRunning(Exception):
    """Another refresh holds the warehouse's lock (and did not let go within the wait)."""

    def __init__(self, holder: LockHolder | None, lock_path: Path, waited: float) -> None:
        who = holder.describe() if holder else "holder unknown"
        waited_text = f" (waited {waited:.0f} s)" if waited else ""
        super().__init__(f"a refresh is already running ({who}){waited_text}")
        self.holder = holder
        self.lock_path = lock_path


@dataclass
class HeldLock:
    path: Path
    holder: LockHolder
    stale: LockHolder | None  # the record a dead holder left, cleared when this lock was taken


_held: HeldLock | None = None


def lock_path(warehouse_dir: Path) -> Path:
    return warehouse_dir / LOCK_NAME


def held_by_this_process(warehouse_dir: Path) -> HeldLock | None:
    return _held if _held is not None and _held.path == lock_path(warehouse_dir) else None


def _read_holder(fd: int) -> LockHolder | None:
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 65536).decode("utf-8", errors="replace").strip()
    if not text:
        return None
    try:
        return LockHolder(**json.loads(text))
    except (ValueError, TypeError):
        return LockHolder(pid=-1, run_id="unknown", started_at="unknown", host="unknown", command=text[:80])


def read_holder(warehouse_dir: Path) -> LockHolder | None:
    """Who the lock file names (a live holder, or a dead one's leftover record); None when empty."""
    path = lock_path(warehouse_dir)
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        return _read_holder(fd)
    finally:
        os.close(fd)


def _write_holder(fd: int, holder: LockHolder | None) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    if holder is not None:
        os.write(fd, json.dumps(asdict(holder)).encode("utf-8"))
    os.fsync(fd)


@contextmanager
def refresh_lock(warehouse_dir: Path, *, run_id: str, wait_seconds: float = 0.0) -> Iterator[HeldLock]:
    """Hold the warehouse's refresh lock for the block; raise RefreshAlreadyRunning if it stays taken.

    ``wait_seconds`` = 0 stops at once; otherwise the lock is polled until it frees or time runs out.
    """
    global _held
    existing = held_by_this_process(warehouse_dir)
    if existing is not None:  # re-entrant within a process (CLI first, then the run's resource)
        yield existing
        return
    path = lock_path(warehouse_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    started = time.monotonic()
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                waited = time.monotonic() - started
                if waited >= wait_seconds:
                    holder = _read_holder(fd)
                    raise RefreshAlreadyRunning(holder, path, waited if wait_seconds else 0) from None
                time.sleep(min(POLL_SECONDS, max(wait_seconds - waited, 0.01)))
        stale = _read_holder(fd)  # we hold the lock, so whoever the file names is gone
        holder = LockHolder(
            pid=os.getpid(),
            run_id=run_id,
            started_at=datetime.now(UTC).isoformat(timespec="seconds"),
            host=socket.gethostname(),
            command=" ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:200],
        )
        _write_holder(fd, holder)
        _held = HeldLock(path, holder, stale)
        try:
            yield _held
        finally:
            _held = None
            _write_holder(fd, None)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
