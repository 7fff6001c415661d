"""A Mastodon streaming connection (SSE or WebSocket) read by a background thread.

The thread connects, backfills the gap since the last status it saw with REST
(so a disconnect, or a restart from a saved cursor, loses nothing), then reads
events into a bounded queue that ``drain()`` empties without waiting. When the
connection drops it reconnects with exponential backoff and jitter. A refused
token stops it for good: ``drain()`` then raises that error.
"""

from __future__ import annotations

import logging
import queue
import random
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import httpx
from websockets.exceptions import InvalidStatus, WebSocketException
from websockets.sync.client import connect as ws_connect

from hubbub.sources.http import AuthError, HttpSourceError, check_status, safe_url
from hubbub.sources.mastodon.parse import (
    StreamEvents,
    id_key,
    parse_event,
    parse_websocket_message,
)

log = logging.getLogger(__name__)

QUEUE_LIMIT = 1000  # events; when full the reader waits (the server buffers, then drops us)
BACKOFF_FIRST = 0.5
BACKOFF_MAX = 60.0
POLL_STOP = 0.25  # how often a blocked reader looks at the stop flag

Events = Iterator[StreamEvents]
Opener = Callable[[], AbstractContextManager[Events]]
# since_id -> the statuses after it, as events (a REST backfill)
Backfill = Callable[[str], Iterable[StreamEvents]]


class StreamReader:
    def __init__(self, open_stream: Opener, backfill: Backfill, last_id: str | None) -> None:
        self._open = open_stream
        self._backfill = backfill
        self._last_id = last_id  # newest status id the reader has queued
        self._queue: queue.Queue[StreamEvents] = queue.Queue(QUEUE_LIMIT)
        self._stop = threading.Event()
        self.fatal: HttpSourceError | None = None
        self.last_error: str | None = None
        self.connects = 0
        self._thread = threading.Thread(target=self._run, name="mastodon-stream", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def drain(self, limit: int) -> list[StreamEvents]:
        items: list[StreamEvents] = []
        while len(items) < limit:
            try:
                items.append(self._queue.get_nowait())
            except queue.Empty:
                break
        if not items and self.fatal is not None:
            raise self.fatal
        return items

    def _run(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            try:
                with self._open() as events:
                    self.connects += 1
                    attempt = 0
                    if self._last_id is not None:
                        for chunk in self._backfill(self._last_id):
                            self._put(chunk)
                    for chunk in events:
                        self._put(chunk)
                        if self._stop.is_set():
                            return
            except AuthError as exc:
                self.fatal = exc
                return
            except Exception as exc:  # any disconnect: reconnect below
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.info("mastodon stream dropped (%s); reconnecting", self.last_error)
            if self._stop.is_set():
                return
            delay = min(BACKOFF_MAX, BACKOFF_FIRST * 2**attempt) * random.uniform(0.5, 1.0)
            attempt += 1
            self._stop.wait(delay)

    def _put(self, chunk: StreamEvents) -> None:
        if not (chunk.posts or chunk.deleted or chunk.errors):
            return
        for post in chunk.posts:
            local_id = (post.raw or {}).get("id")
            if local_id and (self._last_id is None or id_key(local_id) > id_key(self._last_id)):
                self._last_id = local_id
        while not self._stop.is_set():
            try:
                self._queue.put(chunk, timeout=POLL_STOP)
                return
            except queue.Full:
                continue


@contextmanager
def open_sse(
    client: httpx.Client, url: str, params: dict[str, str], headers: dict[str, str]
) -> Iterator[Events]:
    """``event:``/``data:`` lines, a blank line ends an event; ``:`` lines are heartbeats."""
    with client.stream(
        "GET", url, params=params, headers={**headers, "Accept": "text/event-stream"}
    ) as response:
        if response.status_code >= 400:
            response.read()
            check_status(response, what="mastodon")
        yield _sse_events(response.iter_lines())


def _sse_events(lines: Iterable[str]) -> Events:
    event, data = "", list[str]()
    for line in lines:
        if not line:
            if event and data:
                chunk = StreamEvents()
                parse_event(event, "\n".join(data), chunk)
                yield chunk
            event, data = "", []
        elif line.startswith(":"):
            yield StreamEvents()  # a heartbeat (":thump"): lets the reader look at its stop flag
        else:
            name, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)


@contextmanager
def open_websocket(url: str, headers: dict[str, str], timeout: float) -> Iterator[Events]:
    """JSON messages ``{"event": ..., "payload": "<JSON string>"}``."""
    try:
        ws = ws_connect(url, additional_headers=headers, open_timeout=timeout, close_timeout=1)
    except InvalidStatus as exc:
        status = exc.response.status_code
        message = f"mastodon: {safe_url(url)} refused the streaming connection (HTTP {status})"
        if status in (401, 403):
            raise AuthError(message + "; check the token", status=status) from None
        raise HttpSourceError(message, status=status) from None
    except (OSError, WebSocketException, TimeoutError) as exc:
        raise HttpSourceError(
            f"mastodon: could not open {safe_url(url)}: {type(exc).__name__}"
        ) from None
    with ws:
        yield _ws_events(ws)


def _ws_events(ws: Any) -> Events:
    while True:
        try:
            message = ws.recv(timeout=POLL_STOP)
        except TimeoutError:
            yield StreamEvents()  # lets the reader look at its stop flag
            continue
        chunk = StreamEvents()
        parse_websocket_message(message, chunk)
        yield chunk
