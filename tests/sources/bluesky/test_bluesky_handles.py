"""DID -> handle resolution against a local AppView speaking getProfiles:
batches of at most 25, a time budget, a backoff on failure, a TTL."""

from __future__ import annotations

import time
from typing import Any

from jetstream_testkit import FIXTURES, load_events, poll

from hubbub.sources.base import SourceBatch
from hubbub.sources.bluesky.handles import HandleCache, HandleResolver

EVENTS = load_events(FIXTURES / "jetstream_events.jsonl")
ALICE = "did:plc:alice000000000000000000aa"
BOB = EVENTS[2]["did"]


class Clock:
    """A clock the test moves: the TTL and the backoff are hours and minutes."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def dids(n: int) -> list[str]:
    return [f"did:plc:user{i:04d}" for i in range(n)]


def test_stream_authors_are_named_by_handle(jetstream: Any, appview: Any, bluesky: Any) -> None:
    server = appview({BOB: {"handle": "bob.example.net", "displayName": "Bob B."}})
    source = bluesky(
        {"url": jetstream(EVENTS).url, "resolve_handles": True, "appview_url": server.url}
    )
    got = SourceBatch()

    def five() -> bool:
        got.posts += source.next_batch().posts
        return len(got.posts) >= 5

    poll(five)
    by_rkey = {p.external_id.rsplit("/", 1)[1]: p for p in got.posts}
    reply = by_rkey["3kreply1"]
    assert reply.author_handle == "bob.example.net" and reply.author_id == BOB
    assert reply.author_name == "Bob B."
    assert reply.url == "https://bsky.app/profile/bob.example.net/post/3kreply1"
    root = by_rkey["3kroot1"]
    assert root.author_handle == "alice.example.com" and root.author_id == ALICE
    # alice's handle came from the stream's identity event: only bob was asked, once
    assert [call for call in server.calls if call] == [[BOB]]


def test_getprofiles_is_asked_25_at_a_time(appview: Any) -> None:
    everyone = dids(60)
    server = appview({d: {"handle": f"{d[8:]}.example"} for d in everyone[:-1]})
    cache = HandleCache()
    resolver = HandleResolver(server.url, cache)
    assert resolver.resolve(everyone + everyone[:10]) == 59
    assert [len(c) for c in server.calls] == [25, 25, 10]
    assert cache.get(everyone[0]).handle == "user0000.example"  # type: ignore[union-attr]
    assert cache.get(everyone[-1]) is None  # unknown to the AppView: stays a DID
    assert (
        resolver.resolve(everyone) == 0 and len(server.calls) == 3
    )  # cached; unknown not re-asked
    resolver.close()


def test_a_failing_appview_keeps_dids_and_retries_later(appview: Any) -> None:
    server = appview({d: {"handle": f"{d[8:]}.example"} for d in dids(3)})
    server.status = 502
    clock = Clock()
    cache = HandleCache(clock=clock)
    resolver = HandleResolver(server.url, cache)
    assert resolver.resolve(dids(3)) == 0
    assert "HTTP 502" in (resolver.last_error or "") and len(cache) == 0
    resolver.resolve(dids(3))
    assert len(server.calls) == 1  # backing off: the stream is not slowed batch after batch
    server.status = 200
    clock.now += 60
    assert resolver.resolve(dids(3)) == 3 and len(server.calls) == 2
    resolver.close()


def test_a_slow_appview_costs_at_most_the_budget(appview: Any) -> None:
    server = appview({d: {"handle": "x.example"} for d in dids(3)})
    server.delay = 3.0
    resolver = HandleResolver(server.url, HandleCache(), budget=0.3)
    started = time.monotonic()
    assert resolver.resolve(dids(3)) == 0
    assert time.monotonic() - started < 1.5
    assert "getProfiles failed" in (resolver.last_error or "")
    resolver.close()


def test_stale_handles_are_refreshed_after_the_ttl(appview: Any) -> None:
    (did,) = dids(1)
    server = appview({did: {"handle": "old.example"}})
    clock = Clock()
    cache = HandleCache(clock=clock)
    resolver = HandleResolver(server.url, cache, ttl=3600)
    resolver.resolve([did])
    server.profiles[did] = {"handle": "new.example"}
    clock.now += 1800
    resolver.resolve([did])
    assert cache.get(did).handle == "old.example" and len(server.calls) == 1  # type: ignore[union-attr]
    clock.now += 3600
    resolver.resolve([did])
    assert cache.get(did).handle == "new.example" and len(server.calls) == 2  # type: ignore[union-attr]
    # a stale handle whose refresh fails is still used: better than the DID
    server.status = 500
    clock.now += 7200
    resolver.resolve([did])
    assert cache.get(did).handle == "new.example"  # type: ignore[union-attr]
    resolver.close()


def test_the_cache_is_bounded() -> None:
    cache = HandleCache(limit=3)
    for i, did in enumerate(dids(5)):
        cache.put(did, f"h{i}.example")
    assert len(cache) == 3 and cache.get(dids(5)[0]) is None
    assert cache.get(dids(5)[4]).handle == "h4.example"  # type: ignore[union-attr]
