"""The Dagster instance's event log on SQLite, with its connections pooled.

Dagster's ``SqliteEventLogStorage`` creates a SQLAlchemy engine, opens a connection and disposes of
both for every statement it runs: ~1.7 ms each here, and a refresh stores ~1,500 events, several
statements each (the run's shard, the cross-run index, asset and check tables). That was ~6 s of a
55 s refresh. This subclass keeps one engine, with its small connection pool, per database file it
has used recently, and otherwise stores exactly what Dagster's does, in the same files: the UI, the
daemon and `dagster` commands read them as before (SQLite's WAL mode lets them read while a run
writes). deploy/dagster.yaml selects it; the PostgreSQL configuration does not use it.

Its connections commit with ``synchronous=NORMAL``, SQLite's recommended setting in WAL mode: a
commit no longer waits for the disk to confirm the write (FULL, the default, did: ~0.12 ms here,
~10,000 commits a refresh). The database cannot be corrupted either way; a power cut (not a crashed
process) may lose the last events written before it.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

from dagster import Field, StringSource
from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

#: Engines kept open at once: the index shard and the latest few runs' shards (the UI reads old runs
#: now and then; an engine for one is made again when it is needed).
MAX_ENGINES = 8
BUSY_TIMEOUT_SECONDS = 15  # as Dagster's own SQLite storages wait for a lock held by another process


def _commit_without_waiting_for_the_disk(dbapi_connection, _record) -> None:
    dbapi_connection.execute("pragma synchronous = normal")


class PooledSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` with an engine per shard kept (LRU), instead of one per statement."""

    def __init__(self, base_dir: str | None = None, inst_data=None) -> None:
        self._engines: OrderedDict[str, Engine] = OrderedDict()  # before Dagster's set-up uses _connect
        # the default is where Dagster's own default SQLite storage keeps the event log
        super().__init__(base_dir or os.path.join(os.environ["DAGSTER_HOME"], "history", "runs"), inst_data)

    @classmethod
    def config_type(cls):
        return {"base_dir": Field(StringSource, is_required=False)}

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> PooledSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine(self, shard: str) -> Engine:
        engine = self._engines.get(shard)
        if engine is not None:
            self._engines.move_to_end(shard)
            return engine
        engine = create_engine(
            self.conn_string_for_shard(shard), connect_args={"timeout": BUSY_TIMEOUT_SECONDS}
        )
        event.listen(engine, "connect", _commit_without_waiting_for_the_disk)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        while len(self._engines) > MAX_ENGINES:
            _, oldest = self._engines.popitem(last=False)
            oldest.dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock, self._engine(shard).connect() as conn, conn.begin():
            yield conn

    def _dispose_engines(self) -> None:
        with self._db_lock:
            while self._engines:
                _, engine = self._engines.popitem()
                engine.dispose()

    def wipe(self) -> None:
        self._dispose_engines()  # the files are deleted: no connection may outlive them
        super().wipe()

    def dispose(self) -> None:
        self._dispose_engines()
        super().dispose()
