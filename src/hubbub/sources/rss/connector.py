"""The "rss" source kind: polls one RSS/Atom feed with conditional GET.

Cursor: ``{"etag": str | None, "last_modified": str | None, "seen": [external ids]}``.
``seen`` holds the ids of the most recent entries so a server that ignores
conditional GET (or rewrites its ETag on every request) does not make us
deliver the same posts again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx

from hubbub.hookspecs import hookimpl
from hubbub.post import utcnow
from hubbub.sources.base import ConfigError, SourceBatch, SourceError
from hubbub.sources.http import check_status
from hubbub.sources.rss.parse import parse_feed
from hubbub.sources.settings import reject_unknown

DEFAULT_INTERVAL = 300
MIN_INTERVAL = 30
DEFAULT_TIMEOUT = 20.0
DEFAULT_USER_AGENT = "Hubbub/0.1 (self-hosted social listening; feed reader)"
SEEN_LIMIT = 500
MAX_FEED_BYTES = 20 * 1024 * 1024
ACCEPT = "application/atom+xml, application/rss+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"

_SETTINGS: list[dict[str, Any]] = [
    {
        "name": "url",
        "type": "str",
        "required": True,
        "default": None,
        "help": "The feed's http(s) URL (RSS 2.0, RSS 1.0 or Atom).",
    },
    {
        "name": "interval",
        "type": "int",
        "required": False,
        "default": DEFAULT_INTERVAL,
        "help": f"Seconds between polls (at least {MIN_INTERVAL}).",
    },
    {
        "name": "timeout",
        "type": "float",
        "required": False,
        "default": DEFAULT_TIMEOUT,
        "help": "Seconds to wait for the server before the fetch fails.",
    },
    {
        "name": "user_agent",
        "type": "str",
        "required": False,
        "default": DEFAULT_USER_AGENT,
        "help": "User-Agent header sent with every request.",
    },
]


class RssSource:
    kind: ClassVar[str] = "rss"
    description: ClassVar[str] = (
        "Poll an RSS 2.0, RSS 1.0 or Atom feed (reddit.com feeds become platform 'reddit')."
    )

    @classmethod
    def settings_help(cls) -> list[dict[str, Any]]:
        """One dict per setting: name, type, required, default, help."""
        return [dict(s) for s in _SETTINGS]

    def __init__(self, settings: dict[str, Any], cursor: dict[str, Any] | None = None) -> None:
        reject_unknown(self.kind, settings, _SETTINGS)
        self.url = _feed_url(settings.get("url"))
        self.interval = _number(settings, "interval", int, DEFAULT_INTERVAL, minimum=MIN_INTERVAL)
        self.timeout = _number(settings, "timeout", float, DEFAULT_TIMEOUT, minimum=0.001)
        user_agent = settings.get("user_agent", DEFAULT_USER_AGENT)
        if not isinstance(user_agent, str) or not user_agent.strip():
            raise ConfigError("rss: user_agent must be a non-empty string")
        self.user_agent = user_agent

        cursor = cursor or {}
        self._etag: str | None = cursor.get("etag")
        self._last_modified: str | None = cursor.get("last_modified")
        self._seen: list[str] = [str(i) for i in cursor.get("seen") or []]
        self._last_fetch: datetime | None = None
        self._client = httpx.Client(follow_redirects=True, timeout=self.timeout)

    def next_awake(self) -> datetime | None:
        if self._last_fetch is None:
            return None
        return self._last_fetch + timedelta(seconds=self.interval)

    def snapshot(self) -> dict[str, Any]:
        return {"etag": self._etag, "last_modified": self._last_modified, "seen": list(self._seen)}

    def close(self) -> None:
        self._client.close()

    def next_batch(self) -> SourceBatch:
        self._last_fetch = utcnow()
        response, body = self._fetch()
        if response.status_code == 304:
            return SourceBatch()  # unchanged; the cursor stays as it is

        parsed = parse_feed(
            body,
            content_type=response.headers.get("content-type"),
            feed_url=str(response.url),  # after redirects: the base for relative links
            fetched_at=self._last_fetch,
            source_url=self.url,
        )
        seen = set(self._seen)
        posts = []
        for post in parsed.posts:
            if post.external_id not in seen:
                seen.add(post.external_id)
                posts.append(post)

        self._etag = response.headers.get("etag")
        self._last_modified = response.headers.get("last-modified")
        self._seen = _remember(self._seen, [p.external_id for p in parsed.posts])
        return SourceBatch(posts=posts, errors=parsed.errors, cursor=self.snapshot())

    def _fetch(self) -> tuple[httpx.Response, bytes]:
        headers = {"User-Agent": self.user_agent, "Accept": ACCEPT}
        if self._etag:
            headers["If-None-Match"] = self._etag
        if self._last_modified:
            headers["If-Modified-Since"] = self._last_modified
        try:
            with self._client.stream("GET", self.url, headers=headers) as response:
                # 4xx/5xx, with Retry-After honoured on 429 and 503
                check_status(response, what="rss")
                if response.status_code != 304 and response.status_code >= 300:
                    raise SourceError(
                        f"HTTP {response.status_code} from {response.url} without a usable redirect"
                    )
                return response, self._read_body(response)
        except httpx.TimeoutException as exc:
            raise SourceError(f"timed out after {self.timeout:g}s fetching {self.url}") from exc
        except httpx.HTTPError as exc:
            raise SourceError(f"could not fetch {self.url}: {exc or type(exc).__name__}") from exc

    def _read_body(self, response: httpx.Response) -> bytes:
        # Read at most MAX_FEED_BYTES: a runaway or hostile server cannot exhaust memory.
        body = bytearray()
        for chunk in response.iter_bytes():
            body += chunk
            if len(body) > MAX_FEED_BYTES:
                raise SourceError(
                    f"{response.url} sent more than {MAX_FEED_BYTES} bytes; not a feed we will read"
                )
        return bytes(body)


def _remember(seen: list[str], current: list[str]) -> list[str]:
    """Old ids first, the feed's current ids last, bounded. Never drop an id
    that is in the feed now, however long the feed is."""
    current_set = set(current)
    merged = [i for i in seen if i not in current_set] + list(dict.fromkeys(current))
    return merged[-max(SEEN_LIMIT, len(current_set)) :]


def _feed_url(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError("rss: setting 'url' is required (the feed's http or https URL)")
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"rss: url must be an http or https URL, got {url!r}")
    return url


def _number(
    settings: dict[str, Any], name: str, kind: type, default: float, *, minimum: float
) -> Any:
    value = settings.get(name, default)
    if isinstance(value, str):
        try:
            value = kind(value.strip())
        except ValueError:
            raise ConfigError(f"rss: {name} must be a number, got {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ConfigError(f"rss: {name} must be a number, got {value!r}")
    if value < minimum:
        raise ConfigError(f"rss: {name} must be at least {minimum:g}, got {value!r}")
    return kind(value)


@hookimpl
def hubbub_source_kinds() -> list[Any]:
    return [RssSource]
