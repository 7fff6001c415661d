"""A small Jetstream on 127.0.0.1 for tests: replays a list of events from the
requested ``cursor`` on, as the real server does, and records every request."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import zstandard
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

FIXTURES = Path(__file__).parent / "fixtures"


def load_events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


class JetstreamServer:
    """``frames``: events (dicts) or raw frames (str) to send. ``close_after``:
    on the first connection only, close after sending that many frames.
    ``compress``: send each event as a dictionary-less zstd frame."""

    def __init__(
        self,
        frames: list[Any],
        *,
        close_after: int | None = None,
        compress: bool = False,
    ) -> None:
        self.frames = frames
        self.close_after = close_after
        self.compress = compress
        self.paths: list[str] = []
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}"

    def query(self, n: int) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.paths[n]).query)

    def start(self) -> JetstreamServer:
        self._server = serve(self._handle, "127.0.0.1", 0)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _handle(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        self.paths.append(connection.request.path)
        first = len(self.paths) == 1
        cursor = self.query(len(self.paths) - 1).get("cursor")
        since = int(cursor[0]) if cursor else 0
        sent = 0
        for frame in self.frames:
            if isinstance(frame, dict) and frame.get("time_us", 0) < since:
                continue
            if first and self.close_after is not None and sent >= self.close_after:
                connection.close()
                return
            connection.send(self._encode(frame))
            sent += 1
        try:  # then stay open and quiet, like a stream with nothing new
            for _ in connection:
                pass
        except ConnectionClosed:
            pass

    def _encode(self, frame: Any) -> str | bytes:
        text = frame if isinstance(frame, str) else json.dumps(frame)
        if self.compress:
            return zstandard.ZstdCompressor().compress(text.encode())
        return text


def poll(check: Callable[[], bool], timeout: float = 10.0, interval: float = 0.02) -> None:
    """Wait until ``check()`` holds, failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)
