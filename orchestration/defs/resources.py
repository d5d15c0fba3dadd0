"""The source fetcher resource: where each ingest asset gets its file.

``bundled`` (the default, no network): the snapshot under ``data/bundled/``.
``live``: the publisher's file at the catalogue URL, fetched into the landing zone with the safeguards
of :mod:`orchestration.ingest.fetch`. Sources with no live file (synthetic samples, derived tables, lookups
published as web pages) use their bundled snapshot in both modes, and say so.

Every field left unset comes from the environment (``orchestration/settings.py``), so the nightly job
needs no run config; tests construct the resource with explicit values.
"""

import dataclasses
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

from dagster import ConfigurableResource

from orchestration.ingest.fetch import FetchOutcome, FetchPolicy, fetch_to_landing
from orchestration.ingest.sources.catalogue import Source, load_catalogue
from orchestration.settings import SOURCE_MODES, Settings, get_settings


@dataclass(frozen=True)
class SourceFile:
    """The file an ingest asset parses, and where it came from."""

    path: Path
    mode: str  # bundled | live
    url: str | None  # the URL fetched (live only)
    fetch_status: str  # bundled | downloaded | not_modified | same_content
    fetched_at: datetime | None
    publisher_date: datetime | None  # the publisher's Last-Modified, where it sent one
    attempts: int = 0
    log: tuple[str, ...] = ()


def rewrite_to_mirror(url: str, mirror: str | None) -> str:
    """The same path on the mirror's scheme and host (a publisher mirror, or the tests' loopback)."""
    if not mirror:
        return url
    return mirror.rstrip("/") + urlsplit(url).path


class WarehouseConfig(ConfigurableResource):
    """Where this run's warehouse, inputs and outputs are, and how it publishes: the configuration every
    asset, check and sensor that touches the warehouse is given (the resource key ``warehouse``).

    A field set here (a test, or the Launchpad's run config) wins; a field left unset is read from the
    environment when the run starts (``orchestration/settings.py``, the one place that reads it), so the
    nightly job needs no run config and the CLI, which builds its settings from the same environment,
    agrees with the runs it starts."""

    warehouse_dir: str | None = None
    bundled_dir: str | None = None
    keep_versions: int | None = None
    alert_webhook: str | None = None

    def resolve(self) -> Settings:
        """The run's settings: this resource's fields over the environment's."""
        overrides: dict[str, object] = {}
        if self.warehouse_dir is not None:
            overrides["warehouse_dir"] = Path(self.warehouse_dir).expanduser().resolve()
        if self.bundled_dir is not None:
            overrides["bundled_dir"] = Path(self.bundled_dir).expanduser().resolve()
        if self.keep_versions is not None:
            overrides["keep_versions"] = max(int(self.keep_versions), 1)
        if self.alert_webhook is not None:
            overrides["alert_webhook"] = self.alert_webhook or None
        return dataclasses.replace(get_settings(), **overrides)

    @classmethod
    def from_settings(cls, settings: Settings) -> "WarehouseConfig":
        """The resource that resolves to ``settings`` (the CLI's, read from the environment once)."""
        return cls(
            warehouse_dir=str(settings.warehouse_dir),
            bundled_dir=str(settings.bundled_dir),
            keep_versions=settings.keep_versions,
            alert_webhook=settings.alert_webhook or "",
        )


class SourceFetcher(ConfigurableResource):
    """Fetches each catalogue source in ``live`` mode; hands over the bundled snapshot otherwise."""

    mode: str | None = None
    mirror: str | None = None
    connect_timeout: float | None = None
    read_timeout: float | None = None
    retries: int | None = None
    backoff_seconds: float | None = None
    max_megabytes: float | None = None

    def resolved_mode(self) -> str:
        mode = self.mode or get_settings().source_mode
        if mode not in SOURCE_MODES:
            raise ValueError(f"source mode {mode!r} is not one of {SOURCE_MODES}")
        return mode

    def resolved_mirror(self) -> str | None:
        return self.mirror if self.mirror is not None else get_settings().source_mirror

    def policy(self) -> FetchPolicy:
        settings = get_settings()
        hosts = {urlsplit(source.url).hostname or "" for source in load_catalogue() if source.fetchable}
        mirror = self.resolved_mirror()
        if mirror:
            hosts.add(urlsplit(mirror).hostname or "")
        megabytes = self.max_megabytes if self.max_megabytes is not None else settings.fetch_max_megabytes
        return FetchPolicy(
            connect_timeout=self.connect_timeout or settings.fetch_connect_timeout,
            read_timeout=self.read_timeout or settings.fetch_read_timeout,
            retries=self.retries if self.retries is not None else settings.fetch_retries,
            backoff_seconds=self.backoff_seconds
            if self.backoff_seconds is not None
            else settings.fetch_backoff,
            max_bytes=int(megabytes * 1024 * 1024),
            allowed_hosts=frozenset(host.lower() for host in hosts if host),
        )

    def live_url(self, source: Source) -> str:
        return rewrite_to_mirror(source.url, self.resolved_mirror())

    def locate(self, source: Source, settings: Settings | None = None) -> SourceFile:
        """The file to parse: fetched (live mode, fetchable source) or bundled, under the run's settings
        (the ``warehouse`` resource's; the environment's when not given). Raises FetchError."""
        settings = settings or get_settings()
        if self.resolved_mode() == "bundled" or not source.fetchable:
            return SourceFile(
                settings.bundled_dir / source.bundled_path, "bundled", None, "bundled", None, None
            )
        url = self.live_url(source)
        outcome: FetchOutcome = fetch_to_landing(
            source.id, url, Path(source.bundled_path).name, settings.landing_dir, self.policy()
        )
        return SourceFile(
            path=outcome.path,
            mode="live",
            url=outcome.state.url,
            fetch_status=outcome.status,
            fetched_at=datetime.fromisoformat(outcome.state.fetched_at).replace(tzinfo=None),
            publisher_date=outcome.state.publisher_date,
            attempts=outcome.attempts,
            log=tuple(outcome.log),
        )


class RefreshLock(ConfigurableResource):
    """Holds the warehouse's refresh lock (:mod:`orchestration.operations.refresh_lock`) for the whole run.

    Every asset that writes the warehouse folder requires it; with the in-process executor resources
    are set up once per run, so the lock is taken before the first step and let go after the last.
    A run the CLI started holds it already (the CLI takes it first, in the same process). A run the UI
    or the schedule launched while a CLI refresh holds it waits for that refresh, saying so in its
    log, and fails with one line, before any step, only if it is still held after ``wait_seconds``
    (unset: MISSION_TRACKER_RUN_LOCK_WAIT, default an hour).
    """

    warehouse: WarehouseConfig  # the lock lives in the run's warehouse folder
    wait_seconds: float | None = None

    @contextmanager
    def yield_for_execution(self, context):  # type: ignore[override]
        from orchestration.operations.refresh_lock import held_by_this_process, read_holder, refresh_lock

        settings = self.warehouse.resolve()
        wait = settings.run_lock_wait if self.wait_seconds is None else self.wait_seconds
        run_id = context.run_id if context.run_id else "unknown"
        other = None if held_by_this_process(settings.warehouse_dir) else read_holder(settings.warehouse_dir)
        if wait and other is not None and context.log is not None:
            context.log.info(f"waiting up to {wait:g} s for the refresh lock ({other.describe()} holds it)")
        with refresh_lock(settings.warehouse_dir, run_id=run_id, wait_seconds=wait) as held:
            if context.log is not None:
                if held.stale is not None:
                    context.log.warning(
                        "cleared a stale refresh lock left by a process that is gone "
                        f"({held.stale.describe()})"
                    )
                context.log.info(f"refresh lock held: {held.path} ({held.holder.describe()})")
            yield self
