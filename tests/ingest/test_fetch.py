"""The fetcher against a real HTTP server on 127.0.0.1: every fault ends in a good file or a clear error,
and a failed fetch leaves the previous vintage exactly as it was. Nothing here leaves loopback."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.ingest.fetch import FetchError, FetchPolicy, fetch_to_landing, read_state
from tests.helpers import BUNDLED_DIR
from tests.loopback import LoopbackPublisher

FILE = "ons_els/homicide-offences.csv"  # small
POLICY = FetchPolicy(
    connect_timeout=2.0,
    read_timeout=0.5,
    retries=2,
    backoff_seconds=0.01,
    max_bytes=50 * 1024 * 1024,
    allowed_hosts=frozenset({"127.0.0.1"}),
)


@pytest.fixture
def publisher(tmp_path: Path) -> Iterator[LoopbackPublisher]:
    root = tmp_path / "publisher"
    (root / "ons_els").mkdir(parents=True)
    shutil.copy(BUNDLED_DIR / FILE, root / FILE)
    server = LoopbackPublisher(root).start()
    yield server
    server.stop()


def _fetch(publisher: LoopbackPublisher, landing: Path, policy: FetchPolicy = POLICY):
    return fetch_to_landing(
        "homicide", publisher.url(FILE), "homicide.csv", landing, policy, sleep=lambda s: None
    )


def _snapshot(landing: Path) -> dict[str, bytes]:
    return {str(p.relative_to(landing)): p.read_bytes() for p in sorted(landing.rglob("*")) if p.is_file()}


def test_first_fetch_lands_the_file_and_the_second_is_a_304(publisher, tmp_path):
    landing = tmp_path / "landing"
    first = _fetch(publisher, landing)
    original = (BUNDLED_DIR / FILE).read_bytes()
    assert first.status == "downloaded" and first.attempts == 1
    assert first.path.read_bytes() == original
    assert first.state.sha256 == hashlib.sha256(original).hexdigest()
    assert first.path.parent.name.endswith(first.state.sha256[:12])
    assert first.state.publisher_date is not None and first.state.publisher_date.year == 2023

    second = _fetch(publisher, landing)
    assert second.status == "not_modified" and second.path == first.path and second.bytes_read == 0
    assert publisher.statuses(FILE) == [200, 304]
    assert publisher.requests[-1].headers["If-None-Match"] == first.state.etag
    assert len([p for p in (landing / "homicide").iterdir() if p.is_dir()]) == 1  # no new vintage


def test_a_revised_file_is_a_new_vintage_beside_the_old(publisher, tmp_path):
    landing = tmp_path / "landing"
    first = _fetch(publisher, landing)
    revised = first.path.read_bytes().replace(b"\n", b"\r\n", 1)  # any byte change is a new release
    (publisher.root / FILE).write_bytes(revised)
    second = _fetch(publisher, landing)
    assert second.status == "downloaded" and second.path != first.path
    assert second.path.read_bytes() == revised and first.path.exists()
    assert read_state(landing, "homicide") == second.state


def test_a_server_error_is_retried_then_succeeds(publisher, tmp_path):
    publisher.faults[FILE] = ["500", "ok"]
    outcome = _fetch(publisher, tmp_path / "landing")
    assert outcome.status == "downloaded" and outcome.attempts == 2
    assert publisher.statuses(FILE) == [500, 200]
    assert "server error 500" in outcome.log[0]


def _fails_and_keeps_previous(publisher, tmp_path, faults, policy=POLICY) -> FetchError:
    landing = tmp_path / "landing"
    previous = _fetch(publisher, landing)
    (publisher.root / FILE).write_bytes(previous.path.read_bytes() + b"\n")  # a new release is out
    before = _snapshot(landing)
    publisher.faults[FILE] = faults
    with pytest.raises(FetchError) as failure:
        _fetch(publisher, landing, policy)
    assert _snapshot(landing) == before  # previous vintage and state untouched, no temporary left
    assert read_state(landing, "homicide") == previous.state
    return failure.value


def test_a_server_error_that_persists_fails_after_bounded_retries(publisher, tmp_path):
    error = _fails_and_keeps_previous(publisher, tmp_path, ["500"])
    assert "server error 500" in str(error) and "gave up after 3 attempts" in str(error)
    assert publisher.statuses(FILE) == [200, 500, 500, 500]


def test_a_hang_longer_than_the_read_timeout_fails_in_bounded_time(publisher, tmp_path):
    publisher.hang_seconds = 2.0
    started = time.perf_counter()
    error = _fails_and_keeps_previous(publisher, tmp_path, ["hang"])
    elapsed = time.perf_counter() - started
    assert "no response within the read timeout of 0.5 s" in str(error)
    assert elapsed < 3 * 0.5 + 1.5  # three attempts of 0.5 s, never the server's 2 s each


def test_a_truncated_body_is_refused(publisher, tmp_path):
    error = _fails_and_keeps_previous(publisher, tmp_path, ["truncate"])
    assert "truncated body" in str(error) and "Content-Length" in str(error)


def test_an_html_page_with_status_200_is_refused_without_retrying(publisher, tmp_path):
    error = _fails_and_keeps_previous(publisher, tmp_path, ["html"])
    assert "an HTML page" in str(error) and "text/html" in str(error)
    assert publisher.statuses(FILE) == [200, 200]  # one attempt: a retry would not help


def test_a_file_over_the_size_limit_is_refused(publisher, tmp_path):
    size = (BUNDLED_DIR / FILE).stat().st_size
    small = FetchPolicy(**{**POLICY.__dict__, "max_bytes": size})  # the revised file is 1 byte over
    error = _fails_and_keeps_previous(publisher, tmp_path, ["ok"], small)
    assert f"Content-Length {size + 1:,} bytes exceeds the limit of {size:,}" in str(error)


def test_a_redirect_off_the_allow_list_is_not_followed(publisher, tmp_path):
    error = _fails_and_keeps_previous(
        publisher, tmp_path, ["redirect:https://files.example.org/homicide.csv"]
    )
    assert "'files.example.org' is not on the allow-list ['127.0.0.1']" in str(error)
    assert publisher.statuses(FILE) == [200, 302]


def test_a_redirect_on_the_allow_list_is_followed(publisher, tmp_path):
    (publisher.root / "moved").mkdir()
    shutil.copy(BUNDLED_DIR / FILE, publisher.root / "moved" / "homicide.csv")
    publisher.faults[FILE] = [f"redirect:{publisher.url('moved/homicide.csv')}"]
    outcome = _fetch(publisher, tmp_path / "landing")
    assert outcome.status == "downloaded" and outcome.path.read_bytes() == (BUNDLED_DIR / FILE).read_bytes()
    assert publisher.statuses(FILE) == [302] and publisher.statuses("moved/homicide.csv") == [200]
    assert outcome.state.url == publisher.url(FILE)  # the URL asked for: the next conditional GET uses it


def test_hosts_and_schemes_off_the_list_are_refused_before_any_request(tmp_path):
    with pytest.raises(FetchError, match="not on the allow-list"):
        fetch_to_landing("x", "https://example.org/x.csv", "x.csv", tmp_path, POLICY)
    https_only = FetchPolicy(allowed_hosts=frozenset({"example.org"}))
    with pytest.raises(FetchError, match="https only"):
        fetch_to_landing("x", "http://example.org/x.csv", "x.csv", tmp_path, https_only)
    assert json.dumps(sorted(p.name for p in tmp_path.rglob("*") if p.is_file())) == "[]"
