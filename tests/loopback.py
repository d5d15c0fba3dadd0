"""A real HTTP server on 127.0.0.1 that serves files like a publisher does, and misbehaves on demand.

Files are served from a folder (``root``) at ``/<relative path>`` with an ETag (the sha256) and a
Last-Modified header, and answer conditional GETs with 304. ``faults`` maps a path to a list of
behaviours used one per request (the last one repeats), e.g. ``["500", "ok"]``:

ok, 500, hang (say nothing for ``hang_seconds``), truncate (promise more bytes than sent),
html (a 200 HTML error page), redirect:<url>, 404.

Every request is recorded in ``requests`` (method, path, status, request headers).
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Recorded:
    path: str
    status: int
    headers: dict[str, str]


@dataclass
class LoopbackPublisher:
    root: Path
    faults: dict[str, list[str]] = field(default_factory=dict)
    requests: list[Recorded] = field(default_factory=list)
    posted: list[bytes] = field(default_factory=list)  # bodies POSTed to any path (a webhook)
    hang_seconds: float = 3.0
    last_modified: float = 1_700_000_000.0  # a fixed publisher date unless a test moves it
    server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, relative: str) -> str:
        return f"{self.base_url}/{relative}"

    def statuses(self, relative: str) -> list[int]:
        return [r.status for r in self.requests if r.path == f"/{relative}"]

    def _behaviour(self, path: str) -> str:
        queue = self.faults.get(path.lstrip("/"))
        if not queue:
            return "ok"
        return queue.pop(0) if len(queue) > 1 else queue[0]

    def start(self) -> LoopbackPublisher:
        publisher = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # keep pytest output clean
                pass

            def end_headers(self) -> None:
                # a server that will close the connection says so in its response (RFC 9112, 9.6), as
                # real publishers' servers do when a client sends "Connection: close": a client then
                # never reuses a connection the server is about to drop (without it, the retry after a
                # 500 could race the close and meet a dead socket)
                if self.close_connection:
                    self.send_header("Connection", "close")
                super().end_headers()

            def _record(self, status: int) -> None:
                publisher.requests.append(Recorded(self.path, status, dict(self.headers.items())))

            def _send(self, status: int, body: bytes, content_type: str, extra: dict[str, str] | None = None):
                self._record(status)  # before answering, so a client that has its answer sees it
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (extra or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                publisher.posted.append(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
                self._send(204 if publisher._behaviour(self.path) == "ok" else 500, b"", "text/plain")

            def do_GET(self) -> None:
                behaviour = publisher._behaviour(self.path)
                file = publisher.root / self.path.lstrip("/")
                if behaviour == "500":
                    return self._send(500, b"internal error", "text/plain")
                if behaviour == "404" or not file.is_file():
                    return self._send(404, b"not found", "text/plain")
                if behaviour == "hang":
                    self._record(0)
                    time.sleep(publisher.hang_seconds)
                    self.close_connection = True
                    return None
                if behaviour == "html":
                    page = b"<!DOCTYPE html><html><body><h1>This page has moved</h1></body></html>"
                    return self._send(200, page, "text/html; charset=utf-8")
                if behaviour.startswith("redirect:"):
                    return self._send(302, b"", "text/plain", {"Location": behaviour.split(":", 1)[1]})
                body = file.read_bytes()
                etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
                modified = formatdate(publisher.last_modified, usegmt=True)
                if self.headers.get("If-None-Match") == etag:
                    self._record(304)
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return None
                if behaviour == "truncate":
                    self._record(200)
                    self.send_response(200)
                    self.send_header("Content-Type", "text/csv")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return None
                return self._send(
                    200, body, "text/csv; charset=utf-8", {"ETag": etag, "Last-Modified": modified}
                )

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
