"""The "reddit" source kind: new submissions and comments of subreddits, and a search.

Auth is OAuth client credentials (application-only): a token is fetched with
HTTP basic auth, cached until shortly before ``expires_in``, and fetched again
once if the API answers 401.

Each listing (``r/<sub>/new``, ``r/<sub>/comments``, the search) has its own
cursor ``{"before": newest fullname delivered, "seen": [fullnames]}``; the
whole cursor is ``{"listings": {listing key: that}}``. A poll asks for
``before=<newest>`` (what is newer than it), one page per listing per
``next_batch``; a listing that returns a full page is asked again on the next
call, so the runner's "call until empty" loop catches up page by page. The
first poll of a listing starts from its newest 100. Caveat (Reddit's): if the
``before`` thing is deleted Reddit answers with nothing; the cursor then moves
on at the next poll that finds a thing, since every empty answer is retried
without ``before`` and filtered by ``seen``.
"""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any, ClassVar

import httpx

from hubbub.hookspecs import hookimpl
from hubbub.post import Post, utcnow
from hubbub.sources.base import ConfigError, ItemError, SourceBatch
from hubbub.sources.http import (
    AuthError,
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
from hubbub.sources.reddit.parse import ThingError, parse_listing

KIND = "reddit"
DEFAULT_AUTH_URL = "https://www.reddit.com"
DEFAULT_API_URL = "https://oauth.reddit.com"
DEFAULT_INTERVAL = 120
MIN_INTERVAL = 10
DEFAULT_TIMEOUT = 20.0
PAGE_LIMIT = 100
SEEN_LIMIT = 1000
TOKEN_MARGIN = 60  # seconds before expiry at which a token is renewed

_SETTINGS: list[dict[str, Any]] = [
    {"name": "client_id", "type": "str", "required": True, "default": None,
     "help": "The app's client id (reddit.com/prefs/apps, a 'script' or 'web' app)."},
    {"name": "client_secret", "type": "secret", "required": True, "default": None,
     "help": "The app's secret."},
    {"name": "user_agent", "type": "str", "required": True, "default": None,
     "help": "Required by Reddit's API rules: '<platform>:<app id>:<version> (by /u/<you>)'."},
    {"name": "subreddits", "type": "list[str]", "required": False, "default": [],
     "help": "Subreddits whose new submissions and comments to read (without 'r/')."},
    {"name": "search", "type": "str", "required": False, "default": None,
     "help": "A search across Reddit, newest first."},
    {"name": "auth_url", "type": "str", "required": False, "default": DEFAULT_AUTH_URL,
     "help": "Where tokens come from."},
    {"name": "api_url", "type": "str", "required": False, "default": DEFAULT_API_URL,
     "help": "The OAuth API base URL."},
    {"name": "interval", "type": "int", "required": False, "default": DEFAULT_INTERVAL,
     "help": f"Seconds between polls (at least {MIN_INTERVAL})."},
    {"name": "timeout", "type": "float", "required": False, "default": DEFAULT_TIMEOUT,
     "help": "Seconds to wait for the server before a request fails."},
]  # fmt: skip


class RedditSource:
    kind: ClassVar[str] = KIND
    description: ClassVar[str] = (
        "Read new submissions and comments of subreddits, and a Reddit search, via the OAuth API."
    )

    @classmethod
    def settings_help(cls) -> list[dict[str, Any]]:
        return [dict(s) for s in _SETTINGS]

    def __init__(self, settings: dict[str, Any], cursor: dict[str, Any] | None = None) -> None:
        reject_unknown(KIND, settings, _SETTINGS)
        client_id = text_setting(KIND, settings, "client_id", None)
        secret = text_setting(KIND, settings, "client_secret", None, secret=True)
        user_agent = text_setting(KIND, settings, "user_agent", None)
        if not client_id or not secret:
            raise ConfigError(f"{KIND}: client_id and client_secret are required")
        if not user_agent:
            raise ConfigError(f"{KIND}: user_agent is required by Reddit's API rules")
        self._credentials = (client_id, secret)
        self.subreddits = _subreddits(settings.get("subreddits", []))
        self.search = text_setting(KIND, settings, "search", None)
        if not self.subreddits and not self.search:
            raise ConfigError(f"{KIND}: give at least one of 'subreddits' or 'search'")
        self.auth_url = url_setting(KIND, settings, "auth_url", DEFAULT_AUTH_URL)
        self.api_url = url_setting(KIND, settings, "api_url", DEFAULT_API_URL)
        interval = number_setting(
            KIND, settings, "interval", DEFAULT_INTERVAL, minimum=MIN_INTERVAL
        )
        timeout = number_setting(KIND, settings, "timeout", DEFAULT_TIMEOUT, minimum=0.001)

        self._listings: dict[str, tuple[str, dict[str, str]]] = {}
        for sub in self.subreddits:
            self._listings[f"r/{sub}/new"] = (f"/r/{sub}/new", {})
            self._listings[f"r/{sub}/comments"] = (f"/r/{sub}/comments", {})
        if self.search:
            self._listings["search"] = ("/search", {"q": self.search, "sort": "new"})
        saved = (cursor or {}).get("listings") or {}
        self._cursors: dict[str, dict[str, Any]] = {
            key: {
                "before": (saved.get(key) or {}).get("before"),
                "seen": list((saved.get(key) or {}).get("seen") or []),
            }
            for key in self._listings
        }
        self._pending: list[str] = []  # listings still catching up in this poll
        self._token: str | None = None
        self._token_expires = 0.0
        self._throttle = Throttle(interval)
        self._client = httpx.Client(
            timeout=timeout, headers={"User-Agent": user_agent, "Accept": "application/json"}
        )

    def next_awake(self) -> datetime | None:
        return self._throttle.next_awake()

    def snapshot(self) -> dict[str, Any]:
        return {
            "listings": {
                k: {"before": v["before"], "seen": list(v["seen"])}
                for k, v in self._cursors.items()
            }
        }

    def close(self) -> None:
        self._client.close()

    def next_batch(self) -> SourceBatch:
        if not self._pending:
            due = self._throttle.next_awake()
            if due is not None and utcnow() < due:
                return SourceBatch()  # this poll has caught up; wait for the next
            self._throttle.started()
            self._pending = list(self._listings)
        posts: list[Post] = []
        errors: list[ItemError] = []
        for key in list(self._pending):
            new, bad, full_page = self._read(key)
            posts.extend(new)
            errors.extend(bad)
            if not full_page:
                self._pending.remove(key)
        if not posts and not errors:
            return SourceBatch(cursor=self.snapshot())
        posts.sort(key=lambda p: (p.created_at or utcnow(), p.external_id))
        return SourceBatch(posts=posts, errors=errors, cursor=self.snapshot())

    # -- one listing ---------------------------------------------------------

    def _read(self, key: str) -> tuple[list[Post], list[ItemError], bool]:
        path, params = self._listings[key]
        cursor = self._cursors[key]
        query = {**params, "limit": str(PAGE_LIMIT), "raw_json": "1"}
        if cursor["before"]:
            query["before"] = cursor["before"]
        listing = self._listing(path, query)
        if not listing.names and cursor["before"]:
            # The anchor may have been deleted (Reddit then lists nothing): look at the newest.
            query.pop("before")
            listing = self._listing(path, query)
        seen = set(cursor["seen"])
        fresh = [p for p in listing.posts if p.external_id not in seen]
        if listing.names:
            cursor["before"] = listing.names[0]  # newest first
            cursor["seen"] = remember(cursor["seen"], list(reversed(listing.names)), SEEN_LIMIT)
        full_page = "before" in query and len(listing.names) >= PAGE_LIMIT
        named = [
            ItemError(f"{key} {e.item}", e.message) for e in listing.errors if e.item not in seen
        ]
        return fresh, named, full_page

    def _listing(self, path: str, query: dict[str, str]) -> Any:
        response = self._get(self.api_url + path, query)
        try:
            return parse_listing(json_body(response, what=KIND))
        except ThingError as exc:
            raise HttpSourceError(f"{KIND}: {path}: {exc}") from None

    def _get(self, url: str, params: dict[str, str]) -> httpx.Response:
        for attempt in (1, 2):
            headers = {"Authorization": f"bearer {self._access_token()}"}
            try:
                response = send(self._client, "GET", url, what=KIND, params=params, headers=headers)
            except AuthError:
                if attempt == 2:
                    raise
                self._token = None  # expired or revoked early: fetch a new one, once
                continue
            except HttpSourceError as exc:
                self._throttle.failed(exc)
                raise
            self._throttle.saw(response)
            return response
        raise AssertionError("unreachable")

    def _access_token(self) -> str:
        if self._token is not None and time.monotonic() < self._token_expires:
            return self._token
        try:
            response = send(
                self._client,
                "POST",
                self.auth_url + "/api/v1/access_token",
                what=KIND,
                auth=self._credentials,
                data={"grant_type": "client_credentials"},
            )
        except AuthError:
            raise AuthError(
                f"{KIND}: {self.auth_url} refused the client id or secret; check the app's credentials"
            ) from None
        except HttpSourceError as exc:
            self._throttle.failed(exc)
            raise
        data = json_body(response, what=KIND)
        token = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str) or not token:
            error = data.get("error") if isinstance(data, dict) else None
            raise AuthError(f"{KIND}: no access token from {self.auth_url} (error: {error!r})")
        expires_in = data.get("expires_in")
        lifetime = float(expires_in) if isinstance(expires_in, int | float) else 3600.0
        self._token = token
        self._token_expires = time.monotonic() + max(0.0, lifetime - TOKEN_MARGIN)
        return token


def _subreddits(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [s for s in value.replace(",", " ").split()]
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise ConfigError(f"{KIND}: subreddits must be a list of names, got {value!r}")
    names = [s.strip().removeprefix("/").removeprefix("r/").strip("/") for s in value]
    for name in names:
        if not name or not all(c.isalnum() or c in "_+" for c in name):
            raise ConfigError(f"{KIND}: {name!r} is not a subreddit name")
    return list(dict.fromkeys(names))


@hookimpl
def hubbub_source_kinds() -> list[Any]:
    return [RedditSource]
