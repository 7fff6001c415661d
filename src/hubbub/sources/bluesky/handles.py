"""DID -> handle for Bluesky authors: an in-memory LRU, filled by identity
events and by the AppView's ``app.bsky.actor.getProfiles`` (up to 25 actors a
call), and refreshed once an entry is older than its TTL.

Resolution runs once per drained batch, outside the per-event path, within a
time budget: the stream keeps reading meanwhile. When the AppView fails, the
DIDs stay as they are and nothing is asked again until a backoff has passed;
a DID the AppView does not know is not asked again for a while either. The
store keeps every handle learnt (``author_handles``) and fills in posts whose
DID was not resolved in time.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpx

DEFAULT_APPVIEW = "https://public.api.bsky.app"
GET_PROFILES = "/xrpc/app.bsky.actor.getProfiles"
MAX_ACTORS = 25  # the lexicon's limit per call
CACHE_LIMIT = 50_000
DEFAULT_TTL = 24 * 3600.0
DEFAULT_BUDGET = 2.0  # seconds per batch spent resolving, at most
DEFAULT_TIMEOUT = 5.0  # per call, and never beyond the budget
RETRY_FIRST = 15.0
RETRY_MAX = 600.0
INVALID_HANDLE = "handle.invalid"


@dataclass(frozen=True)
class Profile:
    handle: str
    display_name: str | None
    fetched_at: float  # the clock's reading when learnt


class HandleCache:
    """A bounded LRU of profiles by DID; safe to share between the reader
    thread (identity events) and the thread that drains batches."""

    def __init__(self, limit: int = CACHE_LIMIT, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.clock = clock
        self._entries: OrderedDict[str, Profile] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, did: str) -> Profile | None:
        with self._lock:
            return self._entries.get(did)

    def put(self, did: str, handle: str, display_name: str | None = None) -> None:
        with self._lock:
            old = self._entries.get(did)
            if display_name is None and old is not None:
                display_name = old.display_name  # identity events carry no name
            self._entries[did] = Profile(handle, display_name, self.clock())
            self._entries.move_to_end(did)
            while len(self._entries) > self.limit:
                self._entries.popitem(last=False)


class AppViewError(Exception):
    pass


class HandleResolver:
    def __init__(
        self,
        appview_url: str,
        cache: HandleCache,
        *,
        ttl: float = DEFAULT_TTL,
        budget: float = DEFAULT_BUDGET,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.url = appview_url.rstrip("/") + GET_PROFILES
        self.cache = cache
        self.ttl = ttl
        self.budget = budget
        self.timeout = timeout
        self.calls = 0
        self.last_error: str | None = None
        self._retry_at = 0.0
        self._backoff = RETRY_FIRST
        self._unknown: OrderedDict[str, float] = OrderedDict()  # DID -> ask again after
        self._client = httpx.Client(headers={"Accept": "application/json"})

    def close(self) -> None:
        self._client.close()

    def wanted(self, dids: Iterable[str]) -> list[str]:
        """The DIDs worth asking about now: not cached, or cached longer than the TTL."""
        now = self.cache.clock()
        found = []
        for did in dict.fromkeys(dids):
            profile = self.cache.get(did)
            if profile is not None and now - profile.fetched_at < self.ttl:
                continue
            if self._unknown.get(did, 0.0) > now:
                continue
            found.append(did)
        return found

    def resolve(self, dids: Iterable[str]) -> int:
        """Ask the AppView about the DIDs that need it, 25 a call, until the
        budget is spent. Returns how many were resolved."""
        clock = self.cache.clock
        start = clock()
        if start < self._retry_at:
            return 0
        resolved = 0
        wanted = self.wanted(dids)
        for i in range(0, len(wanted), MAX_ACTORS):
            left = self.budget - (clock() - start)
            if left <= 0:
                break  # the rest wait for the next batch
            chunk = wanted[i : i + MAX_ACTORS]
            try:
                profiles = self._get_profiles(chunk, min(self.timeout, left))
            except AppViewError as exc:
                self.last_error = str(exc)
                self._retry_at = clock() + self._backoff
                self._backoff = min(self._backoff * 2, RETRY_MAX)
                break
            self._backoff = RETRY_FIRST
            for did in chunk:
                profile = profiles.get(did)
                if profile is None:
                    self._forget_for_a_while(did, clock())
                    continue
                self.cache.put(did, *profile)
                resolved += 1
        return resolved

    def _forget_for_a_while(self, did: str, now: float) -> None:
        # Unknown to the AppView (deleted, taken down, invalid handle); a stale
        # cached handle is still better than the DID, so it stays.
        self._unknown[did] = now + self.ttl
        self._unknown.move_to_end(did)
        while len(self._unknown) > self.cache.limit:
            self._unknown.popitem(last=False)

    def _get_profiles(self, dids: list[str], timeout: float) -> dict[str, tuple[str, str | None]]:
        self.calls += 1
        try:
            response = self._client.get(
                self.url, params=[("actors", d) for d in dids], timeout=timeout
            )
        except httpx.HTTPError as exc:
            raise AppViewError(f"getProfiles failed: {type(exc).__name__}: {exc}") from None
        if response.status_code != 200:
            raise AppViewError(f"getProfiles answered HTTP {response.status_code}")
        try:
            body: Any = response.json()
        except ValueError:
            raise AppViewError("getProfiles answered with something other than JSON") from None
        return _profiles(body)


def _profiles(body: Any) -> dict[str, tuple[str, str | None]]:
    """``{"profiles": [{"did", "handle", "displayName"?, ...}]}`` -> did -> (handle, name)."""
    profiles = body.get("profiles") if isinstance(body, dict) else None
    if not isinstance(profiles, list):
        raise AppViewError("getProfiles answer has no 'profiles' list")
    found: dict[str, tuple[str, str | None]] = {}
    for profile in profiles:
        if not isinstance(profile, dict):
            continue
        did, handle = profile.get("did"), profile.get("handle")
        if not isinstance(did, str) or not isinstance(handle, str) or not handle:
            continue
        if handle == INVALID_HANDLE:
            continue
        name = profile.get("displayName")
        name = name.strip() if isinstance(name, str) else ""
        found[did] = (handle, name or None)
    return found
