"""MastodonSource polling the REST API of a real HTTP server on 127.0.0.1."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from api_testkit import ApiServer, Reply, Request, json_reply
from mastodon_statuses import status

from hubbub.post import utcnow
from hubbub.sources.base import ConfigError, Source, SourceError
from hubbub.sources.http import AuthError, HttpSourceError
from hubbub.sources.mastodon.connector import MastodonSource

PUBLIC = "/api/v1/timelines/public"
TOKEN = "s3cret-token-value"


def source(
    server: ApiServer, cursor: dict[str, Any] | None = None, **settings: Any
) -> MastodonSource:
    return MastodonSource({"url": server.base, **settings}, cursor)


def timeline(statuses: list[dict[str, Any]]) -> Any:
    """A server that answers min_id like Mastodon: the 40 just after it, newest first."""

    def route(request: Request) -> Reply:
        ordered = sorted(statuses, key=lambda s: int(s["id"]))
        if "min_id" in request.query:
            after = [s for s in ordered if int(s["id"]) > int(request.query["min_id"])]
            page = after[: int(request.query["limit"])]
        else:
            page = ordered[-int(request.query["limit"]) :]
        return json_reply(list(reversed(page)))

    return route


def test_settings_are_validated() -> None:
    with pytest.raises(ConfigError, match="url"):
        MastodonSource({})
    with pytest.raises(ConfigError, match="hashtag"):
        MastodonSource({"url": "https://x.example", "timeline": "hashtag"})
    with pytest.raises(ConfigError, match="token") as caught:
        MastodonSource({"url": "https://x.example", "timeline": "user"})
    with pytest.raises(ConfigError, match="transport"):
        MastodonSource({"url": "https://x.example", "transport": "carrier-pigeon"})
    with pytest.raises(ConfigError) as caught:
        MastodonSource({"url": "https://x.example", "token": 12345})
    assert "12345" not in str(caught.value)
    src = MastodonSource({"url": "https://x.example/", "token": TOKEN})
    assert isinstance(src, Source) and src.url == "https://x.example"
    assert TOKEN not in repr(src.snapshot())
    src.close()


def test_polls_pages_forward_from_the_cursor_without_duplicates(api_server: ApiServer) -> None:
    statuses = [status(n) for n in range(1, 51)]
    api_server.serve(PUBLIC, timeline(statuses))
    src = source(api_server, token=TOKEN, local=True)
    first = src.next_batch()
    assert len(first.posts) == 40  # the newest 40
    assert first.cursor is not None and first.cursor["last_id"] == statuses[-1]["id"]
    sent = api_server.requests_to(PUBLIC)[0]
    assert sent.query == {"limit": "40", "local": "true"}
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"

    assert src.next_batch().posts == []
    assert api_server.requests_to(PUBLIC)[-1].query["min_id"] == statuses[-1]["id"]

    statuses.extend(status(n) for n in range(51, 101))  # 50 new: two pages
    second = src.next_batch()
    third = src.next_batch()
    assert [p.raw["id"] for p in second.posts + third.posts if p.raw] == [
        s["id"] for s in statuses[50:]
    ]
    assert src.next_batch().posts == []
    restarted = source(api_server, third.cursor)
    assert restarted.next_batch().posts == []
    src.close()
    restarted.close()


def test_hashtag_timeline(api_server: ApiServer) -> None:
    api_server.serve("/api/v1/timelines/tag/hubbub", json_reply([status(1)]))
    src = source(api_server, timeline="hashtag", hashtag="#hubbub")
    assert len(src.next_batch().posts) == 1
    src.close()


def test_malformed_statuses_and_non_json(api_server: ApiServer) -> None:
    api_server.serve(PUBLIC, json_reply([status(2), {"id": "7"}, status(1)]))
    src = source(api_server)
    batch = src.next_batch()
    assert len(batch.posts) == 2 and [e.item for e in batch.errors] == ["status 7"]
    api_server.serve(PUBLIC, Reply(200, b"<html>maintenance</html>"))
    with pytest.raises(SourceError, match="JSON"):
        src.next_batch()
    api_server.serve(PUBLIC, json_reply({"error": "odd"}))
    with pytest.raises(SourceError, match="not a list"):
        src.next_batch()
    src.close()


def test_server_error_rate_limit_and_timeout(api_server: ApiServer) -> None:
    src = source(api_server, timeout=0.3)
    api_server.serve(PUBLIC, Reply(503, b"down"))
    with pytest.raises(SourceError, match="503"):
        src.next_batch()
    api_server.serve(PUBLIC, Reply(429, b"", {"Retry-After": "600"}))
    with pytest.raises(HttpSourceError) as caught:
        src.next_batch()
    assert caught.value.retry_after == 600
    awake = src.next_awake()
    assert awake is not None and awake > utcnow() + timedelta(seconds=590)
    api_server.serve(PUBLIC, Reply(200, b"[]", delay=2.0))
    with pytest.raises(SourceError, match="timed out"):
        src.next_batch()
    src.close()


def test_low_rate_limit_remaining_delays_the_next_poll(api_server: ApiServer) -> None:
    reset = (utcnow() + timedelta(minutes=10)).isoformat().replace("+00:00", "Z")
    headers = {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset}
    api_server.serve(PUBLIC, json_reply([status(1)], headers=headers))
    src = source(api_server, interval=30)
    src.next_batch()
    awake = src.next_awake()
    assert awake is not None and awake > utcnow() + timedelta(minutes=9)
    src.close()


def test_a_refused_token_is_named_without_the_token(api_server: ApiServer) -> None:
    api_server.serve(PUBLIC, json_reply({"error": "The access token is invalid"}, 401))
    src = source(api_server, token=TOKEN)
    with pytest.raises(AuthError) as caught:
        src.next_batch()
    message = str(caught.value)
    assert "credentials" in message and "401" in message and TOKEN not in message
    src.close()
