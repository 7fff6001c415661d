"""Test kit for the RSS tests: a real HTTP server on 127.0.0.1 scripted route by
route, and the fixture feeds."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Request:
    path: str
    headers: dict[str, str]


Route = Callable[[Request], Reply]


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                request = Request(self.path, {k.lower(): v for k, v in self.headers.items()})
                server.requests.append(request)
                route = server.routes.get(self.path)
                reply = route(request) if route else Reply(404, b"not found")
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for name, value in reply.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the timeout test)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    def url(self, path: str) -> str:
        port = self._httpd.server_address[1]
        return f"http://127.0.0.1:{port}{path}"

    def serve(self, path: str, route: Route | Reply) -> str:
        if isinstance(route, Reply):
            fixed = route
            self.routes[path] = lambda _request: fixed
        else:
            self.routes[path] = route
        return self.url(path)

    def requests_to(self, path: str) -> list[Request]:
        return [r for r in self.requests if r.path == path]

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._httpd.shutdown()  # blocks until serve_forever returns: only if it runs
        self._httpd.server_close()


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def conditional(
    body: bytes,
    *,
    content_type: str = "application/rss+xml",
    etag: str | None = None,
    last_modified: str | None = None,
) -> Route:
    """A route that answers 304 when the client's validators match, like a well-behaved server."""

    def route(request: Request) -> Reply:
        headers = {"Content-Type": content_type}
        if etag:
            headers["ETag"] = etag
        if last_modified:
            headers["Last-Modified"] = last_modified
        if etag and request.headers.get("if-none-match") == etag:
            return Reply(304, b"", headers)
        if last_modified and not etag and request.headers.get("if-modified-since") == last_modified:
            return Reply(304, b"", headers)
        return Reply(200, body, headers)

    return route
