"""The "mastodon" source kind: a timeline of one instance, polled or streamed.

Polling (``transport: poll``, the default) pages forward from the cursor with
``min_id``: each call returns up to 40 statuses just after the newest one seen,
so the runner's "call until empty" loop catches up without gaps. The very
first poll (no cursor) starts from the newest 40.

Streaming (``sse`` or ``websocket``) reads the streaming API in a background
thread (see ``stream.py``); ``next_batch`` drains what has arrived. After every
(re)connect the thread backfills by REST from the last status it saw, and a
source restarted from a saved cursor backfills from the cursor, so a dropped
connection loses nothing; overlap is removed with the ``seen`` ids.

Cursor: ``{"last_id": instance-local id of the newest status delivered,
"seen": [uris], "ids": {local id: uri} of the newest statuses}``.

Edits (``status.update``, or any status with a newer ``edited_at``) are
delivered again, past the ``seen`` filter; the store replaces the stored text
when the version is newer. A ``delete`` event names the status by its
instance-local id: it becomes a Deletion of the uri remembered for that id
(from this run, or the cursor's newest ``ids``), and the store marks or
removes the post per the ``deletes`` setting. A delete of a status this
source never delivered, or delivered too long ago to remember, names nothing
we hold and is dropped.

The token goes only into the ``Authorization`` header (also for the WebSocket
handshake, which Mastodon accepts), never into a URL, message or cursor.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from itertools import islice
from typing import Any, ClassVar
from urllib.parse import urlencode

import httpx

from hubbub.hookspecs import hookimpl
from hubbub.post import Post, utcnow
from hubbub.sources.base import DELETE_MODES, ConfigError, Deletion, ItemError, SourceBatch
from hubbub.sources.http import (
    HttpSourceError,
    Throttle,
    json_body,
    number_setting,
    reject_unknown,
    remember,
    send,
    text_setting,
    url_setting,
)
from hubbub.sources.mastodon.parse import StreamEvents, id_key, parse_statuses
from hubbub.sources.mastodon.stream import Events, StreamReader, open_sse, open_websocket

KIND = "mastodon"
TIMELINES = ("public", "hashtag", "user")
TRANSPORTS = ("poll", "sse", "websocket")
PAGE_LIMIT = 40  # Mastodon's maximum
BACKFILL_PAGES = 25
DEFAULT_POLL_INTERVAL = 60
DEFAULT_STREAM_INTERVAL = 5  # how often the runner drains a stream's buffer
DEFAULT_TIMEOUT = 20.0
STREAM_READ_TIMEOUT = 90.0  # Mastodon sends a heartbeat every ~15 s
DRAIN_LIMIT = 500
SEEN_LIMIT = 2000
IDS_IN_CURSOR = 1000  # local id -> uri kept across restarts, for deletes
IDS_IN_MEMORY = 50_000
USER_AGENT = "Hubbub/0.1 (self-hosted social listening)"

_SETTINGS: list[dict[str, Any]] = [
    {"name": "url", "type": "str", "required": True, "default": None,
     "help": "The instance's base URL, e.g. https://mastodon.social."},
    {"name": "timeline", "type": "str", "required": False, "default": "public",
     "help": "public, hashtag (needs 'hashtag') or user (your home timeline; needs 'token')."},
    {"name": "hashtag", "type": "str", "required": False, "default": None,
     "help": "The hashtag to follow, without '#'."},
    {"name": "token", "type": "secret", "required": False, "default": None,
     "help": "An access token (read scope; add write:statuses to reply from Hubbub). Needed for 'user'; some instances need it for all."},
    {"name": "transport", "type": "str", "required": False, "default": "poll",
     "help": "poll (REST), sse or websocket (streaming API, with REST backfill)."},
    {"name": "streaming_url", "type": "str", "required": False, "default": None,
     "help": "The streaming API's base URL when the instance serves it elsewhere "
             "(its /api/v2/instance configuration.urls.streaming); default: url."},
    {"name": "local", "type": "bool", "required": False, "default": False,
     "help": "Only statuses posted on this instance."},
    {"name": "interval", "type": "int", "required": False, "default": None,
     "help": f"Seconds between polls (default {DEFAULT_POLL_INTERVAL}; "
             f"{DEFAULT_STREAM_INTERVAL} when streaming)."},
    {"name": "timeout", "type": "float", "required": False, "default": DEFAULT_TIMEOUT,
     "help": "Seconds to wait for the server before a request fails."},
    {"name": "deletes", "type": "str", "required": False, "default": "mark",
     "help": "Statuses deleted upstream (streaming): mark (kept, shown as deleted), "
             "remove, or ignore."},
]  # fmt: skip


class MastodonSource:
    kind: ClassVar[str] = KIND
    description: ClassVar[str] = (
        "Follow a Mastodon timeline (public, a hashtag, or your home) by polling or streaming."
    )

    @classmethod
    def settings_help(cls) -> list[dict[str, Any]]:
        return [dict(s) for s in _SETTINGS]

    def __init__(self, settings: dict[str, Any], cursor: dict[str, Any] | None = None) -> None:
        reject_unknown(KIND, settings, _SETTINGS)
        self.url = url_setting(KIND, settings, "url", None)
        self.streaming_url = (
            url_setting(KIND, settings, "streaming_url", None)
            if settings.get("streaming_url")
            else self.url
        )
        self.timeline = _choice(settings, "timeline", TIMELINES)
        self.transport = _choice(settings, "transport", TRANSPORTS)
        self.hashtag = (text_setting(KIND, settings, "hashtag", None) or "").lstrip("#") or None
        self._token = text_setting(KIND, settings, "token", None, secret=True)
        local = settings.get("local", False)
        if not isinstance(local, bool):
            raise ConfigError(f"{KIND}: local must be true or false, got {local!r}")
        self.local = local
        if self.timeline == "hashtag" and not self.hashtag:
            raise ConfigError(f"{KIND}: timeline 'hashtag' needs the 'hashtag' setting")
        if self.timeline == "user" and not self._token:
            raise ConfigError(f"{KIND}: timeline 'user' needs an access 'token'")
        streaming = self.transport != "poll"
        default_interval = DEFAULT_STREAM_INTERVAL if streaming else DEFAULT_POLL_INTERVAL
        if settings.get("interval") is None:
            interval = float(default_interval)
        else:
            interval = number_setting(KIND, settings, "interval", default_interval, minimum=1)
        self.timeout = number_setting(KIND, settings, "timeout", DEFAULT_TIMEOUT, minimum=0.001)
        self.deletes = _choice(settings, "deletes", DELETE_MODES)

        cursor = cursor or {}
        last_id = cursor.get("last_id")
        self._last_id: str | None = str(last_id) if last_id else None
        self._seen: list[str] = [str(u) for u in cursor.get("seen") or []]
        saved_ids = cursor.get("ids")
        self._uris: OrderedDict[str, str] = OrderedDict(
            (str(k), str(v)) for k, v in (saved_ids.items() if isinstance(saved_ids, dict) else ())
        )
        self._throttle = Throttle(interval)
        self._client = httpx.Client(timeout=self.timeout, headers=self._headers())
        self._reader: StreamReader | None = None
        self._stream_client: httpx.Client | None = None

    # -- Source -------------------------------------------------------------

    def next_awake(self) -> datetime | None:
        if self._reader is not None and self._throttle.not_before is None:
            return utcnow() + timedelta(seconds=self._throttle.interval)
        return self._throttle.next_awake()

    def snapshot(self) -> dict[str, Any]:
        newest = list(islice(reversed(self._uris.items()), IDS_IN_CURSOR))
        ids = dict(reversed(newest))
        return {"last_id": self._last_id, "seen": list(self._seen), "ids": ids}

    def close(self) -> None:
        if self._reader is not None:
            self._reader.stop(timeout=0)
        if self._stream_client is not None:
            self._stream_client.close()  # unblocks an SSE read in progress
        if self._reader is not None:
            self._reader.stop()
        self._client.close()

    def next_batch(self) -> SourceBatch:
        if self.transport == "poll":
            return self._poll()
        if self._reader is None:
            self._reader = StreamReader(self._open_stream, self._backfill, self._last_id)
            self._reader.start()
        self._throttle.started()
        chunks = self._reader.drain(DRAIN_LIMIT)
        merged = StreamEvents()
        for chunk in chunks:
            merged.posts.extend(chunk.posts)
            merged.deleted.extend(chunk.deleted)
            merged.errors.extend(chunk.errors)
        deleted = set(merged.deleted)
        posts = [p for p in merged.posts if (p.raw or {}).get("id") not in deleted]
        self._learn_ids(merged.posts)
        batch = self._deliver(posts, merged.errors)
        if self.deletes != "ignore":
            batch.deleted = self.deletions_for(merged.deleted)
            batch.delete_mode = self.deletes
            if batch.deleted and batch.cursor is None:
                batch.cursor = self.snapshot()
        return batch

    def _learn_ids(self, posts: list[Post]) -> None:
        for post in posts:
            local_id = (post.raw or {}).get("id")
            if local_id:
                self._uris[str(local_id)] = post.external_id
                self._uris.move_to_end(str(local_id))
        while len(self._uris) > IDS_IN_MEMORY:
            self._uris.popitem(last=False)

    def deletions_for(self, local_ids: list[str]) -> list[Deletion]:
        """Delete events name instance-local ids; the store knows statuses by uri."""
        found = []
        for local_id in dict.fromkeys(local_ids):
            uri = self._uris.get(local_id)
            if uri is not None:
                found.append(Deletion(KIND, uri))
        return found

    @property
    def stream_reader(self) -> StreamReader | None:
        return self._reader

    # -- polling ------------------------------------------------------------

    def _poll(self) -> SourceBatch:
        self._throttle.started()
        statuses = self._page(self._client, self._last_id)
        posts, errors = parse_statuses(statuses)
        self._learn_ids(posts)
        ids = [str(s["id"]) for s in statuses if isinstance(s, dict) and s.get("id")]
        batch = self._deliver(posts, errors, ids)
        if not statuses:
            return SourceBatch()
        return batch

    def _page(self, client: httpx.Client, since_id: str | None) -> list[Any]:
        path, params = self._timeline_endpoint()
        params["limit"] = str(PAGE_LIMIT)
        if since_id:
            params["min_id"] = since_id  # the page just after it: no gaps when paging forward
        try:
            response = send(client, "GET", self.url + path, what=KIND, params=params)
        except HttpSourceError as exc:
            self._throttle.failed(exc)
            raise
        self._throttle.saw(response)
        statuses = json_body(response, what=KIND)
        if not isinstance(statuses, list):
            raise HttpSourceError(f"{KIND}: the timeline answer is not a list of statuses")
        return statuses

    def _deliver(
        self, posts: list[Post], errors: list[ItemError], ids: list[str] | None = None
    ) -> SourceBatch:
        seen = set(self._seen)
        fresh: list[Post] = []
        for post in posts:
            # an edit comes past the seen filter: the store decides if it is newer
            if post.external_id not in seen or post.edited_at is not None:
                seen.add(post.external_id)
                fresh.append(post)
        ids = ids if ids is not None else [str((p.raw or {}).get("id")) for p in posts]
        newest = max((i for i in ids if i and i != "None"), key=id_key, default=None)
        moved = newest is not None and (
            self._last_id is None or id_key(newest) > id_key(self._last_id)
        )
        if moved:
            self._last_id = newest
        if not fresh and not errors and not moved:
            return SourceBatch()
        self._seen = remember(self._seen, [p.external_id for p in posts], SEEN_LIMIT)
        fresh.sort(key=lambda p: id_key(str((p.raw or {}).get("id"))))
        return SourceBatch(posts=fresh, errors=errors, cursor=self.snapshot())

    def _timeline_endpoint(self) -> tuple[str, dict[str, str]]:
        params = {"local": "true"} if self.local else {}
        if self.timeline == "hashtag":
            return f"/api/v1/timelines/tag/{self.hashtag}", params
        if self.timeline == "user":
            return "/api/v1/timelines/home", {}
        return "/api/v1/timelines/public", params

    # -- streaming ----------------------------------------------------------

    def _open_stream(self) -> AbstractContextManager[Events]:
        local = ":local" if self.local and self.timeline != "user" else ""
        stream = {"public": "public", "hashtag": "hashtag", "user": "user"}[self.timeline] + local
        params = {"tag": self.hashtag} if self.timeline == "hashtag" and self.hashtag else {}
        auth = {"Authorization": f"Bearer {self._token}"} if self._token else {}
        if self.transport == "websocket":
            base = "ws" + self.streaming_url.removeprefix("http")
            query = urlencode({"stream": stream, **params})
            return open_websocket(f"{base}/api/v1/streaming?{query}", auth, self.timeout)
        if self._stream_client is None:
            timeout = httpx.Timeout(self.timeout, read=STREAM_READ_TIMEOUT)
            self._stream_client = httpx.Client(timeout=timeout, headers=self._headers())
        path = "/api/v1/streaming/" + stream.replace(":", "/")
        return open_sse(self._stream_client, self.streaming_url + path, params, {})

    def _backfill(self, since_id: str) -> Iterator[StreamEvents]:
        """Runs on the reader thread, with a client of its own."""
        with httpx.Client(timeout=self.timeout, headers=self._headers()) as client:
            for _ in range(BACKFILL_PAGES):
                statuses = self._page(client, since_id)
                if not statuses:
                    return
                chunk = StreamEvents()
                chunk.posts, chunk.errors = parse_statuses(statuses)
                yield chunk
                ids = [str(s["id"]) for s in statuses if isinstance(s, dict) and s.get("id")]
                if not ids:
                    return
                since_id = max(ids, key=id_key)

    def _headers(self) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        return headers


def _choice(settings: dict[str, Any], name: str, allowed: tuple[str, ...]) -> str:
    value = settings.get(name, allowed[0])
    if value not in allowed:
        raise ConfigError(f"{KIND}: {name} must be one of {', '.join(allowed)}, got {value!r}")
    return str(value)


@hookimpl
def hubbub_source_kinds() -> list[Any]:
    return [MastodonSource]
