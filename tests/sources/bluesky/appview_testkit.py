"""A small Bluesky AppView on 127.0.0.1 for tests: answers
``GET /xrpc/app.bsky.actor.getProfiles?actors=...&actors=...`` in the documented
format (``{"profiles": [profileViewDetailed, ...]}``, unknown actors left out),
and records every call's actors."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


class AppViewServer:
    def __init__(self, profiles: dict[str, dict[str, Any]]) -> None:
        self.profiles = profiles  # did -> {"handle": ..., "displayName": ...}
        self.calls: list[list[str]] = []
        self.status = 200
        self.delay = 0.0
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                actors = parse_qs(parts.query).get("actors", [])
                server.calls.append(actors)
                time.sleep(server.delay)
                if parts.path != "/xrpc/app.bsky.actor.getProfiles":
                    status, body = 404, {"error": "MethodNotImplemented"}
                elif len(actors) > 25:
                    status, body = 400, {"error": "InvalidRequest", "message": "too many"}
                elif server.status != 200:
                    status, body = server.status, {"error": "InternalServerError"}
                else:
                    status, body = 200, {"profiles": server._answer(actors)}
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (the budget tests)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)

    def _answer(self, actors: list[str]) -> list[dict[str, Any]]:
        return [
            {"did": did, "viewer": {"muted": False}, "labels": [], **self.profiles[did]}
            for did in actors
            if did in self.profiles
        ]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._httpd.server_address[1]}"

    def start(self) -> AppViewServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)
