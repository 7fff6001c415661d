"""The "hackernews" source kind: polls Algolia's HN Search ``search_by_date``.

Cursor: ``{"since": int, "seen": [objectIDs]}``. ``since`` is the newest
``created_at_i`` delivered; the next poll asks for ``created_at_i>=since`` (not
``>``: several hits can share a second, and one of them may not be indexed
yet) and drops the ids in ``seen``, the hits already delivered at or near
``since``. All pages of new hits are fetched in one ``next_batch`` so the cursor
only moves past hits that are in the same batch.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

import httpx

from hubbub.hookspecs import hookimpl
from hubbub.sources.base import ConfigError, SourceBatch
from hubbub.sources.hackernews.parse import parse_hits
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

KIND = "hackernews"
DEFAULT_URL = "https://hn.algolia.com/api/v1"
DEFAULT_TAGS = "(story,comment)"
DEFAULT_INTERVAL = 300
MIN_INTERVAL = 10
DEFAULT_TIMEOUT = 20.0
HITS_PER_PAGE = 100
MAX_PAGES = 10  # Algolia serves at most 1,000 hits per query anyway
SEEN_LIMIT = 500
USER_AGENT = "Hubbub/0.1 (self-hosted social listening)"

_SETTINGS: list[dict[str, Any]] = [
    {"name": "query", "type": "str", "required": True, "default": None,
     "help": "Search words, as on hn.algolia.com."},
    {"name": "tags", "type": "str", "required": False, "default": DEFAULT_TAGS,
     "help": "Algolia tags filter, e.g. story, comment, (story,comment), author_pg."},
    {"name": "url", "type": "str", "required": False, "default": DEFAULT_URL,
     "help": "Base URL of the HN Search API."},
    {"name": "interval", "type": "int", "required": False, "default": DEFAULT_INTERVAL,
     "help": f"Seconds between polls (at least {MIN_INTERVAL})."},
    {"name": "timeout", "type": "float", "required": False, "default": DEFAULT_TIMEOUT,
     "help": "Seconds to wait for the server before the fetch fails."},
]  # fmt: skip


class HackerNewsSource:
    kind: ClassVar[str] = KIND
    description: ClassVar[str] = "Search Hacker News stories and comments (Algolia HN Search API)."

    @classmethod
    def settings_help(cls) -> list[dict[str, Any]]:
        return [dict(s) for s in _SETTINGS]

    def __init__(self, settings: dict[str, Any], cursor: dict[str, Any] | None = None) -> None:
        reject_unknown(KIND, settings, _SETTINGS)
        query = text_setting(KIND, settings, "query", None)
        if not query:
            raise ConfigError(f"{KIND}: setting 'query' is required (the words to search for)")
        self.query = query
        self.tags = text_setting(KIND, settings, "tags", DEFAULT_TAGS)
        self.url = url_setting(KIND, settings, "url", DEFAULT_URL)
        interval = number_setting(
            KIND, settings, "interval", DEFAULT_INTERVAL, minimum=MIN_INTERVAL
        )
        timeout = number_setting(KIND, settings, "timeout", DEFAULT_TIMEOUT, minimum=0.001)
        cursor = cursor or {}
        since = cursor.get("since")
        self._since: int | None = since if isinstance(since, int) else None
        self._seen: list[str] = [str(i) for i in cursor.get("seen") or []]
        self._throttle = Throttle(interval)
        self._client = httpx.Client(timeout=timeout, headers={"User-Agent": USER_AGENT})

    def next_awake(self) -> datetime | None:
        return self._throttle.next_awake()

    def snapshot(self) -> dict[str, Any]:
        return {"since": self._since, "seen": list(self._seen)}

    def close(self) -> None:
        self._client.close()

    def next_batch(self) -> SourceBatch:
        self._throttle.started()
        hits: list[Any] = []
        for page in range(MAX_PAGES):
            data = self._page(page)
            page_hits = data.get("hits")
            if not isinstance(page_hits, list):
                raise HttpSourceError(f"{KIND}: the search answer has no list of hits")
            hits.extend(page_hits)
            pages = data.get("nbPages")
            if not isinstance(pages, int) or page + 1 >= pages or not page_hits:
                break

        posts, errors = parse_hits(hits)
        seen = set(self._seen)
        fresh = [p for p in posts if p.external_id not in seen]
        fresh = list({p.external_id: p for p in fresh}.values())  # a hit moving between pages
        if not fresh and not errors:
            return SourceBatch()
        stamps = [int(p.created_at.timestamp()) for p in posts if p.created_at is not None]
        if stamps:
            self._since = max([*stamps, self._since or 0])
        self._seen = remember(self._seen, [p.external_id for p in posts], SEEN_LIMIT)
        fresh.sort(key=lambda p: (p.created_at, p.external_id))
        return SourceBatch(posts=fresh, errors=errors, cursor=self.snapshot())

    def _page(self, page: int) -> dict[str, Any]:
        params: dict[str, Any] = {"query": self.query, "hitsPerPage": HITS_PER_PAGE, "page": page}
        if self.tags:
            params["tags"] = self.tags
        if self._since is not None:
            params["numericFilters"] = f"created_at_i>={self._since}"
        try:
            response = send(
                self._client, "GET", f"{self.url}/search_by_date", what=KIND, params=params
            )
        except Exception as exc:
            self._throttle.failed(exc)
            raise
        self._throttle.saw(response)
        data = json_body(response, what=KIND)
        if not isinstance(data, dict):
            raise HttpSourceError(f"{KIND}: the search answer is not a JSON object")
        return data


@hookimpl
def hubbub_source_kinds() -> list[Any]:
    return [HackerNewsSource]
