"""Fetching a source's live file into the landing zone, safely.

One GET per source per night, with:

* separate connect and read timeouts (a server that accepts and then says nothing fails after the
  read timeout, not never);
* bounded retries with exponential backoff on 5xx, connection errors and timeouts, by urllib3's own
  ``Retry`` (the first retry at once, then ``backoff_seconds``, doubling); never on 4xx or on a body
  that is plainly wrong. What ``Retry`` cannot see is kept here: a body cut short after its headers
  came (retried the same way), the host allow-list on every redirect, and an HTML page served as data;
* a conditional GET (``If-None-Match`` / ``If-Modified-Since`` from the previous fetch), so an
  unchanged file costs one small request answered ``304 Not Modified``;
* a maximum size, checked against ``Content-Length`` before reading and against the bytes read;
* an allow-list of hosts (from the catalogue's URLs): a URL or a redirect to any other host is
  refused; plain http only on loopback;
* an HTML page served with status 200 (a publisher's "page moved" or login page) is refused;
* atomic landing: the body streams to a temporary file in the source's landing folder and is renamed
  to ``<landing>/<source>/<fetched-at>-<sha256[:12]>/<file name>`` only when complete and checked.
  A file identical to the previous vintage (same sha256) lands nowhere new.

The module is plain Python over ``urllib3`` (a connection pool, ``Timeout`` and ``Retry``); the Dagster
resource that uses it is in ``orchestration/defs/resources.py``.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    MaxRetryError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.util import Retry, Timeout

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
STATE_FILE = "state.json"
USER_AGENT = "levelling-up-mission-tracker/1.0 (+nightly refresh; conditional GET)"


@dataclass(frozen=True)
class FetchPolicy:
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 3  # attempts after the first
    backoff_seconds: float = (
        2.0  # the wait before the second retry, doubled after each (the first is at once)
    )
    max_bytes: int = 200 * 1024 * 1024
    allowed_hosts: frozenset[str] = frozenset()
    max_redirects: int = 5


class FetchError(Exception):
    """A fetch that did not produce a usable file: the URL and what was wrong."""

    def __init__(self, url: str, problem: str, *, retryable: bool = False) -> None:
        super().__init__(f"{url}: {problem}")
        self.url = url
        self.problem = problem
        self.retryable = retryable


@dataclass(frozen=True)
class FetchState:
    """What the last good fetch of a source left behind (``<landing>/<source>/state.json``)."""

    url: str
    path: str  # the landed file, relative to the landing root
    sha256: str
    etag: str | None
    last_modified: str | None  # the publisher's Last-Modified header, verbatim
    fetched_at: str  # when this vintage was downloaded (ISO 8601, UTC)
    checked_at: str  # when the publisher last answered 200 or 304 (ISO 8601, UTC)

    @property
    def publisher_date(self) -> datetime | None:
        return http_date(self.last_modified)


@dataclass(frozen=True)
class FetchOutcome:
    status: str  # downloaded | not_modified | same_content
    path: Path
    state: FetchState
    attempts: int
    bytes_read: int
    seconds: float
    log: list[str] = field(default_factory=list)


def http_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).astimezone(UTC).replace(tzinfo=None)
    except (TypeError, ValueError):
        return None


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def read_state(landing_root: Path, source_id: str) -> FetchState | None:
    path = landing_root / source_id / STATE_FILE
    if not path.exists():
        return None
    try:
        state = FetchState(**json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
    return state if (landing_root / state.path).exists() else None


def _write_state(landing_root: Path, source_id: str, state: FetchState) -> None:
    folder = landing_root / source_id
    temporary = folder / f".{STATE_FILE}.{os.getpid()}.tmp"
    temporary.write_text(json.dumps(asdict(state), indent=2), encoding="utf-8")
    os.replace(temporary, folder / STATE_FILE)


def check_url_allowed(url: str, policy: FetchPolicy) -> None:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host not in policy.allowed_hosts:
        raise FetchError(
            url, f"host {host or '(none)'!r} is not on the allow-list {sorted(policy.allowed_hosts)}"
        )
    if parts.scheme != "https" and not (parts.scheme == "http" and host in LOOPBACK_HOSTS):
        raise FetchError(url, f"scheme {parts.scheme!r} refused: https only (plain http only on loopback)")


def _looks_like_html(content_type: str, head: bytes) -> bool:
    start = head.lstrip()[:15].lower()
    return "text/html" in content_type.lower() or start.startswith((b"<!doctype html", b"<html"))


@dataclass
class _Response:
    status: int
    url: str
    headers: dict[str, str]
    sha256: str = ""
    bytes_read: int = 0
    attempts: int = 1
    log: list[str] = field(default_factory=list)


def _retry(policy: FetchPolicy) -> Retry:
    """urllib3's retry schedule for one request: connection errors, timeouts and 5xx, GET only.
    Redirects are not followed by urllib3: each one's target is checked against the allow-list here."""
    return Retry(
        total=policy.retries,
        connect=policy.retries,
        read=policy.retries,
        status=policy.retries,
        other=0,
        redirect=False,
        allowed_methods=frozenset({"GET"}),
        status_forcelist=frozenset(range(500, 600)),
        # urllib3 waits 0, then factor x 2, x 4 ...: half the policy's backoff makes the waits 0,
        # backoff_seconds, doubling
        backoff_factor=policy.backoff_seconds / 2,
        raise_on_status=False,
        raise_on_redirect=False,
    )


def _history(retries: Retry | None, start: int) -> list[str]:
    """What each failed attempt of one request was, from urllib3's retry history."""
    lines = []
    for number, entry in enumerate(retries.history if retries else (), start=start):
        problem = (
            f"server error {entry.status}" if entry.status else f"{type(entry.error).__name__}: {entry.error}"
        )
        lines.append(f"attempt {number} failed: {problem}; retried")
    return lines


def _stream_body(
    url: str, response: urllib3.BaseHTTPResponse, policy: FetchPolicy, into: Path
) -> tuple[str, int]:
    """Write the body to ``into``; return (sha256, bytes). Raises on oversize, HTML or truncation."""
    declared = response.headers.get("Content-Length")
    expected = int(declared) if declared and declared.isdigit() else None
    if expected is not None and expected > policy.max_bytes:
        raise FetchError(url, f"Content-Length {expected:,} bytes exceeds the limit of {policy.max_bytes:,}")
    digest = hashlib.sha256()
    size = 0
    content_type = response.headers.get("Content-Type") or ""
    with open(into, "wb") as handle:
        while True:
            try:
                block = response.read(1 << 16, decode_content=False)
            except (ProtocolError, HTTPError) as exc:
                raise FetchError(
                    url,
                    f"truncated body: the connection closed after {size:,} of "
                    f"{expected if expected is not None else 'an unknown number of'} bytes (Content-Length)",
                    retryable=True,
                ) from exc
            if not block:
                break
            if size == 0 and _looks_like_html(content_type, block):
                raise FetchError(
                    url,
                    f"an HTML page (Content-Type {content_type or 'unset'!r}) came back with status 200, "
                    "not the data file; the publisher may have moved or withdrawn it",
                )
            size += len(block)
            if size > policy.max_bytes:
                raise FetchError(
                    url, f"body exceeds the limit of {policy.max_bytes:,} bytes; download stopped"
                )
            digest.update(block)
            handle.write(block)
        handle.flush()
        os.fsync(handle.fileno())
    if expected is not None and size < expected:
        raise FetchError(
            url, f"truncated body: received {size:,} of {expected:,} bytes (Content-Length)", retryable=True
        )
    if size == 0:
        raise FetchError(url, "empty body with status 200")
    return digest.hexdigest(), size


def _failure(url: str, error: MaxRetryError | HTTPError, policy: FetchPolicy) -> FetchError:
    """A request urllib3 gave up on, in words."""
    reason = error.reason if isinstance(error, MaxRetryError) else error
    if isinstance(reason, ConnectTimeoutError):
        problem = f"no connection within {policy.connect_timeout} s"
    elif isinstance(reason, ReadTimeoutError):
        problem = f"no response within the read timeout of {policy.read_timeout} s"
    else:
        problem = f"connection failed: {type(reason).__name__}: {reason}"
    attempts = policy.retries + 1 if isinstance(error, MaxRetryError) else 1
    suffix = f" (gave up after {attempts} attempts)" if attempts > 1 else ""
    return FetchError(url, problem + suffix)


def _get_once(
    pool: urllib3.PoolManager, url: str, headers: dict[str, str], policy: FetchPolicy, into: Path
) -> _Response:
    """One GET (urllib3 retrying connection errors, timeouts and 5xx), following redirects only to
    allowed hosts."""
    log: list[str] = []
    attempts = 0
    for _ in range(policy.max_redirects + 1):
        check_url_allowed(url, policy)
        try:
            response = pool.request(
                "GET", url, headers=headers, preload_content=False, decode_content=False,
                redirect=False, retries=_retry(policy),
            )  # fmt: skip
        except (MaxRetryError, HTTPError) as exc:
            raise _failure(url, exc, policy) from exc
        try:
            log += _history(response.retries, start=attempts + 1)
            attempts += len(response.retries.history) + 1 if response.retries else 1
            found = {name.lower(): value for name, value in response.headers.items()}
            if response.status in REDIRECT_STATUSES and "location" in found:
                url = urljoin(url, found["location"])
                continue
            if response.status == 304:
                return _Response(304, url, found, attempts=attempts, log=log)
            if response.status >= 500:
                suffix = f" (gave up after {attempts} attempts)" if attempts > 1 else ""
                raise FetchError(url, f"server error {response.status} {response.reason}{suffix}")
            if response.status != 200:
                raise FetchError(url, f"HTTP {response.status} {response.reason}")
            sha, size = _stream_body(url, response, policy, into)
            return _Response(200, url, found, sha, size, attempts, log)
        finally:
            response.release_conn()
    raise FetchError(url, f"more than {policy.max_redirects} redirects")


def fetch_to_landing(
    source_id: str,
    url: str,
    file_name: str,
    landing_root: Path,
    policy: FetchPolicy,
    *,
    sleep: Callable[[float], None] = time.sleep,
) -> FetchOutcome:
    """Fetch ``url`` for ``source_id`` into the landing zone; raise :class:`FetchError` when it can't."""
    started = time.perf_counter()
    folder = landing_root / source_id
    folder.mkdir(parents=True, exist_ok=True)
    previous = read_state(landing_root, source_id)
    # one request per connection: a redirect's or an error's unread body never meets the next request
    headers = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity", "Connection": "close"}
    if previous is not None and previous.url == url:
        if previous.etag:
            headers["If-None-Match"] = previous.etag
        if previous.last_modified:
            headers["If-Modified-Since"] = previous.last_modified
    log: list[str] = []
    incoming = folder / f".incoming.{os.getpid()}"
    attempt = 0
    pool = urllib3.PoolManager(timeout=Timeout(connect=policy.connect_timeout, read=policy.read_timeout))
    try:
        # urllib3 retries what fails before the body (its Retry); a body cut short is retried here,
        # on the same schedule and within the same bound of attempts
        truncations = 0
        while True:
            try:
                response = _get_once(pool, url, headers, policy, incoming)
                attempt += response.attempts
                log += response.log
                break
            except FetchError as exc:
                attempt += 1
                if not exc.retryable or truncations >= policy.retries:
                    suffix = (
                        f" (gave up after {truncations + 1} attempts)"
                        if exc.retryable and truncations
                        else ""
                    )
                    raise FetchError(exc.url, exc.problem + suffix, retryable=False) from exc
                truncations += 1
                wait = policy.backoff_seconds * 2 ** (truncations - 1)
                log.append(f"attempt {attempt} failed: {exc.problem}; retrying in {wait:g} s")
                sleep(wait)
        now = _now().isoformat()
        if response.status == 304:
            if previous is None:
                raise FetchError(url, "304 Not Modified but there is no previous vintage to reuse")
            state = FetchState(**{**asdict(previous), "checked_at": now})
            _write_state(landing_root, source_id, state)
            return FetchOutcome(
                "not_modified",
                landing_root / previous.path,
                state,
                attempt,
                0,
                time.perf_counter() - started,
                log,
            )
        etag, last_modified = response.headers.get("etag"), response.headers.get("last-modified")
        if previous is not None and previous.sha256 == response.sha256:
            state = FetchState(
                url, previous.path, previous.sha256, etag, last_modified, previous.fetched_at, now
            )
            _write_state(landing_root, source_id, state)
            return FetchOutcome(
                "same_content",
                landing_root / previous.path,
                state,
                attempt,
                response.bytes_read,
                time.perf_counter() - started,
                log,
            )
        stamp = _now().strftime("%Y%m%dT%H%M%SZ")
        vintage = folder / f"{stamp}-{response.sha256[:12]}"
        vintage.mkdir(exist_ok=True)
        target = vintage / file_name
        os.replace(incoming, target)
        state = FetchState(
            url, str(target.relative_to(landing_root)), response.sha256, etag, last_modified, now, now
        )
        _write_state(landing_root, source_id, state)
        return FetchOutcome(
            "downloaded", target, state, attempt, response.bytes_read, time.perf_counter() - started, log
        )
    finally:
        incoming.unlink(missing_ok=True)
