"""The "bluesky" source kind: Bluesky posts from a Jetstream v1 WebSocket.

A background thread owns the WebSocket and pushes parsed events into a
bounded queue; ``next_batch`` only drains that queue, so it never waits on
the network. Cursor: ``{"time_us": int}``, the newest event drained. On every
(re)connect the stream resumes ``rewind_seconds`` before the newest event
received; the overlap is harmless because ingest is idempotent on the AT URI.

An update commit is a new version of a post (``edited_at`` = the event's
time), which the store applies if newer; a delete commit becomes a Deletion
the store marks or removes per the ``deletes`` setting. Authors arrive as
DIDs: each drained batch is named with handles (``handles.py``).
"""

from __future__ import annotations

import queue
import random
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlencode, urlsplit

import orjson
import zstandard
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from hubbub.hookspecs import hookimpl
from hubbub.post import Post, utcnow
from hubbub.sources.base import (
    DELETE_MODES,
    ConfigError,
    Deletion,
    ItemError,
    SourceBatch,
    SourceError,
)
from hubbub.sources.bluesky.handles import DEFAULT_APPVIEW, HandleCache, HandleResolver
from hubbub.sources.bluesky.parse import (
    PLATFORM,
    POST_COLLECTION,
    Deleted,
    Identity,
    event_time_us,
    parse_event,
)
from hubbub.sources.settings import reject_unknown, url_setting

DEFAULT_REWIND = 5
DEFAULT_MAX_BATCH = 500
DEFAULT_FAIL_AFTER_SECONDS = 60.0
DEFAULT_FAIL_AFTER_ATTEMPTS = 5
DEFAULT_HANDLE_TTL_HOURS = 24.0
QUEUE_LIMIT = 10_000  # the reader stalls (and the server buffers) beyond this
MAX_FRAME_BYTES = 2 * 1024 * 1024
BACKOFF_INITIAL = 0.5
BACKOFF_MAX = 30.0
AWAKE_CONNECTED = timedelta(seconds=1)
AWAKE_DISCONNECTED = timedelta(seconds=5)
_RECV_TICK = 0.25  # how often the reader looks at the stop flag

_SETTINGS: list[dict[str, Any]] = [
    {
        "name": "url",
        "type": "str",
        "required": True,
        "default": None,
        "help": "Jetstream base URL, ws:// or wss:// (e.g. wss://jetstream2.us-east.bsky.network).",
    },
    {
        "name": "dids",
        "type": "list[str]",
        "required": False,
        "default": [],
        "help": "Only posts by these DIDs (empty: the whole network's firehose).",
    },
    {
        "name": "identifier",
        "type": "str",
        "required": False,
        "default": None,
        "help": "Handle or DID to reply as (replies from Hubbub; docs/replies.md).",
    },
    {
        "name": "app_password",
        "type": "secret",
        "required": False,
        "default": None,
        "help": "An app password of that account (never the account password).",
    },
    {
        "name": "pds_url",
        "type": "str",
        "required": False,
        "default": "https://bsky.social",
        "help": "The account's PDS, for posting replies.",
    },
    {
        "name": "rewind_seconds",
        "type": "int",
        "required": False,
        "default": DEFAULT_REWIND,
        "help": "On reconnect, resume this many seconds before the last event seen.",
    },
    {
        "name": "max_batch",
        "type": "int",
        "required": False,
        "default": DEFAULT_MAX_BATCH,
        "help": "Most events handed to the pipeline per batch.",
    },
    {
        "name": "compress",
        "type": "bool",
        "required": False,
        "default": False,
        "help": "Ask for zstd frames (needs a server that compresses without a dictionary).",
    },
    {
        "name": "deletes",
        "type": "str",
        "required": False,
        "default": "mark",
        "help": "Posts deleted upstream: mark (kept, shown as deleted upstream), remove, or ignore.",
    },
    {
        "name": "resolve_handles",
        "type": "bool",
        "required": False,
        "default": True,
        "help": "Name authors by handle (asked of the AppView) instead of by DID.",
    },
    {
        "name": "appview_url",
        "type": "str",
        "required": False,
        "default": DEFAULT_APPVIEW,
        "help": "The AppView answering app.bsky.actor.getProfiles, for handles.",
    },
    {
        "name": "handle_ttl_hours",
        "type": "float",
        "required": False,
        "default": DEFAULT_HANDLE_TTL_HOURS,
        "help": "Ask again for a handle learnt this long ago (handles can change).",
    },
    {
        "name": "fail_after_seconds",
        "type": "float",
        "required": False,
        "default": DEFAULT_FAIL_AFTER_SECONDS,
        "help": "Report the source as failing once disconnected this long.",
    },
    {
        "name": "fail_after_attempts",
        "type": "int",
        "required": False,
        "default": DEFAULT_FAIL_AFTER_ATTEMPTS,
        "help": "...or after this many failed connection attempts in a row.",
    },
]


class BlueskySource:
    kind: ClassVar[str] = "bluesky"
    description: ClassVar[str] = "Stream Bluesky posts live from a Jetstream server."

    @classmethod
    def settings_help(cls) -> list[dict[str, Any]]:
        """One dict per setting: name, type, required, default, help."""
        return [dict(s) for s in _SETTINGS]

    def __init__(self, settings: dict[str, Any], cursor: dict[str, Any] | None = None) -> None:
        reject_unknown(self.kind, settings, _SETTINGS)
        self.url = _ws_url(settings.get("url"))
        self.dids = _dids(settings.get("dids"))
        self.rewind_us = _int(settings, "rewind_seconds", DEFAULT_REWIND, 0) * 1_000_000
        self.max_batch = _int(settings, "max_batch", DEFAULT_MAX_BATCH, 1)
        self.compress = _bool(settings, "compress")
        self.deletes = settings.get("deletes", "mark")
        if self.deletes not in DELETE_MODES:
            raise ConfigError(f"bluesky: deletes must be one of {', '.join(DELETE_MODES)}")
        self.fail_after_seconds = _float(
            settings, "fail_after_seconds", DEFAULT_FAIL_AFTER_SECONDS, 0.0
        )
        self.fail_after_attempts = _int(
            settings, "fail_after_attempts", DEFAULT_FAIL_AFTER_ATTEMPTS, 1
        )
        self.handle_cache = HandleCache()
        self.resolver: HandleResolver | None = None
        if _bool(settings, "resolve_handles", default=True):
            appview = url_setting(self.kind, settings, "appview_url", DEFAULT_APPVIEW)
            ttl = _float(settings, "handle_ttl_hours", DEFAULT_HANDLE_TTL_HOURS, 0.0) * 3600
            self.resolver = HandleResolver(appview, self.handle_cache, ttl=ttl)

        saved = (cursor or {}).get("time_us")
        self._cursor: int | None = saved if isinstance(saved, int) and saved > 0 else None
        self._received: int | None = self._cursor  # newest time_us the reader has seen
        self._queue: queue.Queue[tuple[int | None, Any]] = queue.Queue(QUEUE_LIMIT)
        self._frames = 0

        self._lock = threading.Lock()
        self._connected = False
        self._down_since = time.monotonic()
        self._failures = 0
        self._last_error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the Source protocol -------------------------------------------------

    def next_batch(self) -> SourceBatch:
        self._start()
        batch = SourceBatch()
        drained = 0
        while drained < self.max_batch:
            try:
                time_us, result = self._queue.get_nowait()
            except queue.Empty:
                break
            drained += 1
            self._take(result, batch)
            if time_us is not None and (self._cursor is None or time_us > self._cursor):
                self._cursor = time_us
        if drained:
            self._name_authors(batch.posts)
            batch.cursor = self.snapshot()
            return batch
        failing = self._failing()
        if failing:
            raise SourceError(failing)
        return batch

    def next_awake(self) -> datetime | None:
        with self._lock:
            connected = self._connected
        return utcnow() + (AWAKE_CONNECTED if connected else AWAKE_DISCONNECTED)

    def snapshot(self) -> dict[str, Any]:
        return {"time_us": self._cursor} if self._cursor is not None else {}

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self.resolver is not None:
            self.resolver.close()

    @property
    def connected(self) -> bool:
        with self._lock:
            return self._connected

    # -- draining --------------------------------------------------------------

    def _take(self, result: Any, batch: SourceBatch) -> None:
        if isinstance(result, Post):
            batch.posts.append(result)
        elif isinstance(result, ItemError):
            batch.errors.append(result)
        elif isinstance(result, Deleted) and self.deletes != "ignore":
            at = datetime.fromtimestamp(result.time_us / 1_000_000, UTC)
            batch.deleted.append(Deletion(PLATFORM, result.external_id, at))
            batch.delete_mode = self.deletes

    def _name_authors(self, posts: list[Post]) -> None:
        """Handles for the batch's DIDs: cached, else asked of the AppView (within
        a time budget); a DID not resolved stays the author until a later batch."""
        if self.resolver is not None:
            self.resolver.resolve(p.author_id for p in posts if p.author_id)
        for post in posts:
            did = post.author_id
            profile = self.handle_cache.get(did) if did else None
            if profile is None or did is None:
                continue
            post.author_handle = profile.handle
            post.author_name = post.author_name or profile.display_name
            if post.url:
                post.url = post.url.replace(f"/profile/{did}/", f"/profile/{profile.handle}/")

    def _failing(self) -> str | None:
        with self._lock:
            if self._connected:
                return None
            down_for = time.monotonic() - self._down_since
            failures, error = self._failures, self._last_error
        if failures >= self.fail_after_attempts or (
            failures and down_for >= self.fail_after_seconds
        ):
            return (
                f"Jetstream {self.url} unreachable for {down_for:.0f}s "
                f"({failures} failed attempt(s)); last error: {error}"
            )
        return None

    # -- the reader thread -------------------------------------------------------

    def _start(self) -> None:
        if self._thread is None and not self._stop.is_set():
            self._thread = threading.Thread(
                target=self._run, name=f"bluesky-jetstream {self.url}", daemon=True
            )
            self._thread.start()

    def subscribe_url(self) -> str:
        """The URL the next connection opens: resumes before the newest event seen."""
        params: list[tuple[str, str]] = [("wantedCollections", POST_COLLECTION)]
        params += [("wantedDids", did) for did in self.dids]
        if self._received is not None:
            params.append(("cursor", str(max(0, self._received - self.rewind_us))))
        if self.compress:
            params.append(("compress", "true"))
        return f"{self.url}/subscribe?{urlencode(params)}"

    def _run(self) -> None:
        delay = BACKOFF_INITIAL
        while not self._stop.is_set():
            try:
                with connect(
                    self.subscribe_url(),
                    open_timeout=10,
                    close_timeout=1,
                    max_size=MAX_FRAME_BYTES,
                ) as ws:
                    with self._lock:
                        self._connected, self._failures, self._last_error = True, 0, None
                    delay = BACKOFF_INITIAL
                    self._read(ws)
                    error = "the server closed the stream"
            except ConnectionClosed as exc:
                error = f"connection lost: {exc}"
            except Exception as exc:  # refused, DNS, TLS, handshake: all mean "retry later"
                error = f"{type(exc).__name__}: {exc}"
            with self._lock:
                if self._connected:
                    self._down_since = time.monotonic()
                self._connected = False
                self._failures += 1
                self._last_error = error
            if self._stop.wait(random.uniform(delay / 2, delay)):  # jitter: no thundering herd
                return
            delay = min(delay * 2, BACKOFF_MAX)

    def _read(self, ws: Any) -> None:
        decompressor = zstandard.ZstdDecompressor() if self.compress else None
        while not self._stop.is_set():
            try:
                frame = ws.recv(timeout=_RECV_TICK)
            except TimeoutError:
                continue
            self._frames += 1
            item = f"frame {self._frames}"
            time_us, result = self._decode(frame, item, decompressor)
            if isinstance(result, Identity):
                self._remember_handle(result)
            if time_us is not None and (self._received is None or time_us > self._received):
                self._received = time_us
            # Ignored events are queued too: they move the saved cursor on.
            self._put((time_us, result))

    def _decode(
        self, frame: str | bytes, item: str, decompressor: zstandard.ZstdDecompressor | None
    ) -> tuple[int | None, Any]:
        try:
            if isinstance(frame, bytes) and decompressor is not None:
                frame = decompressor.decompressobj().decompress(frame)
            event = orjson.loads(frame)  # ~3x json.loads; this runs per event
        except (ValueError, zstandard.ZstdError) as exc:
            preview = frame[:80] if isinstance(frame, str) else repr(frame[:40])
            return None, ItemError(item, f"not a JSON event ({exc}): {preview!r}")
        time_us = event_time_us(event)
        return time_us, parse_event(event, item=f"{item} (time_us {time_us})")

    def _remember_handle(self, identity: Identity) -> None:
        self.handle_cache.put(identity.did, identity.handle)

    def _put(self, entry: tuple[int | None, Any]) -> None:
        # Backpressure: a full queue stalls the reader rather than dropping events.
        while not self._stop.is_set():
            try:
                self._queue.put(entry, timeout=_RECV_TICK)
                return
            except queue.Full:
                continue


def _ws_url(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError("bluesky: setting 'url' is required (a ws:// or wss:// Jetstream URL)")
    url = value.strip().rstrip("/")
    if url.endswith("/subscribe"):
        url = url[: -len("/subscribe")]
    parts = urlsplit(url)
    if parts.scheme not in ("ws", "wss") or not parts.netloc or parts.query:
        raise ConfigError(
            f"bluesky: url must be a ws:// or wss:// URL without a query, got {url!r}"
        )
    return url


def _dids(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [v.strip() for v in value.split(",") if v.strip()]
    if not isinstance(value, list) or not all(
        isinstance(v, str) and v.startswith("did:") for v in value
    ):
        raise ConfigError("bluesky: dids must be a list of DIDs (did:plc:... or did:web:...)")
    return list(value)


def _bool(settings: dict[str, Any], name: str, default: bool = False) -> bool:
    value = settings.get(name, default)
    if isinstance(value, str) and value.strip().lower() in ("true", "false", "1", "0", "yes", "no"):
        return value.strip().lower() in ("true", "1", "yes")
    if not isinstance(value, bool):
        raise ConfigError(f"bluesky: {name} must be true or false, got {value!r}")
    return value


def _int(settings: dict[str, Any], name: str, default: int, minimum: int) -> int:
    return int(_float(settings, name, default, minimum, kind=int))


def _float(
    settings: dict[str, Any], name: str, default: float, minimum: float, kind: type = float
) -> float:
    value = settings.get(name, default)
    if isinstance(value, str):
        try:
            value = kind(value.strip())
        except ValueError:
            raise ConfigError(f"bluesky: {name} must be a number, got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"bluesky: {name} must be a number, got {value!r}")
    if value < minimum:
        raise ConfigError(f"bluesky: {name} must be at least {minimum:g}, got {value!r}")
    return float(kind(value))


@hookimpl
def hubbub_source_kinds() -> list[Any]:
    return [BlueskySource]
