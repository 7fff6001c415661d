"""HackerNewsSource against a real HTTP server speaking the Algolia HN Search format."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from api_testkit import ApiServer, Reply, Request, json_reply

from hubbub.post import utcnow
from hubbub.sources.base import ConfigError, Source, SourceError
from hubbub.sources.hackernews.connector import HackerNewsSource
from hubbub.sources.http import HttpSourceError

STORY = {
    "objectID": "41000001",
    "created_at": "2024-07-18T10:00:00Z",
    "created_at_i": 1721296800,
    "title": "Show HN: Hubbub, self-hosted listening",
    "url": "https://hubbub.example/",
    "author": "alice",
    "points": 42,
    "num_comments": 7,
    "story_text": None,
    "comment_text": None,
    "story_id": None,
    "parent_id": None,
    "_tags": ["story", "author_alice", "story_41000001"],
}
COMMENT = {
    "objectID": "41000002",
    "created_at_i": 1721296860,
    "title": None,
    "url": None,
    "author": "bob",
    "points": None,
    "comment_text": '<p>Nice &amp; tidy. See <a href="https://docs.example/x">docs</a></p>',
    "story_id": 41000001,
    "parent_id": 41000001,
    "story_title": "Show HN: Hubbub, self-hosted listening",
    "_tags": ["comment", "author_bob", "story_41000001"],
}


def answer(hits: list[Any], page: int = 0, pages: int = 1) -> dict[str, Any]:
    return {"hits": hits, "page": page, "nbPages": pages, "hitsPerPage": 100, "nbHits": len(hits)}


def source(
    server: ApiServer, cursor: dict[str, Any] | None = None, **settings: Any
) -> HackerNewsSource:
    return HackerNewsSource({"url": server.base, "query": "hubbub", **settings}, cursor)


def test_settings_are_validated() -> None:
    with pytest.raises(ConfigError, match="query"):
        HackerNewsSource({})
    with pytest.raises(ConfigError, match="unknown"):
        HackerNewsSource({"query": "x", "bogus": 1})
    with pytest.raises(ConfigError, match="url"):
        HackerNewsSource({"query": "x", "url": "ftp://x"})
    src = HackerNewsSource({"query": "x"})
    assert isinstance(src, Source) and src.url == "https://hn.algolia.com/api/v1"
    assert [s["name"] for s in HackerNewsSource.settings_help()][:2] == ["query", "tags"]
    src.close()


def test_hits_become_posts(api_server: ApiServer) -> None:
    api_server.serve("/search_by_date", json_reply(answer([COMMENT, STORY])))
    src = source(api_server)
    batch = src.next_batch()
    assert batch.errors == []
    story, comment = batch.posts  # oldest first
    assert story.platform == "hackernews" and story.external_id == "41000001"
    assert story.url == "https://news.ycombinator.com/item?id=41000001"
    assert story.title == story.text == "Show HN: Hubbub, self-hosted listening"
    assert story.author_handle == "alice" and story.likes == 42 and story.replies == 7
    assert story.created_at == datetime(2024, 7, 18, 10, 0, tzinfo=UTC)
    assert story.links == ["https://hubbub.example/"] and story.reply_to is None
    assert comment.text == "Nice & tidy. See docs" and comment.title is None
    assert comment.reply_to == "41000001" and comment.thread_root == "41000001"
    assert comment.links == ["https://docs.example/x"]
    sent = api_server.requests_to("/search_by_date")[0].query
    assert sent["query"] == "hubbub" and sent["tags"] == "(story,comment)"
    assert sent["hitsPerPage"] == "100" and "numericFilters" not in sent
    assert batch.cursor == {"since": 1721296860, "seen": ["41000002", "41000001"]}
    src.close()


def test_cursor_filters_and_drops_same_second_duplicates(api_server: ApiServer) -> None:
    later = {**COMMENT, "objectID": "41000003", "comment_text": "same second, new"}

    def route(request: Request) -> Reply:
        if "numericFilters" not in request.query:
            return json_reply(answer([COMMENT, STORY]))
        return json_reply(answer([later, COMMENT]))  # the server repeats the boundary hit

    api_server.serve("/search_by_date", route)
    src = source(api_server)
    assert len(src.next_batch().posts) == 2
    second = src.next_batch()
    assert [p.external_id for p in second.posts] == ["41000003"]
    assert api_server.requests[-1].query["numericFilters"] == "created_at_i>=1721296860"
    # Restarting from the saved cursor delivers nothing again.
    api_server.serve("/search_by_date", json_reply(answer([later, COMMENT])))
    restarted = source(api_server, second.cursor)
    assert restarted.next_batch().posts == []
    src.close()
    restarted.close()


def test_pages_through_all_new_hits(api_server: ApiServer) -> None:
    hits = [{**STORY, "objectID": str(i), "created_at_i": 1721296800 + i} for i in range(250)]
    pages = [hits[0:100], hits[100:200], hits[200:]]
    api_server.serve(
        "/search_by_date",
        lambda r: json_reply(answer(pages[int(r.query["page"])], int(r.query["page"]), 3)),
    )
    src = source(api_server)
    batch = src.next_batch()
    assert len(batch.posts) == 250 and len(api_server.requests) == 3
    assert batch.cursor is not None and batch.cursor["since"] == 1721296800 + 249
    src.close()


def test_a_malformed_hit_is_reported_and_the_rest_kept(api_server: ApiServer) -> None:
    broken = [{"objectID": "9", "title": "no date"}, {"created_at_i": 5}, "junk", STORY]
    api_server.serve("/search_by_date", json_reply(answer(broken)))
    src = source(api_server)
    batch = src.next_batch()
    assert [p.external_id for p in batch.posts] == ["41000001"]
    assert [e.item for e in batch.errors] == ["hit 9", "hit 2", "hit 3"]
    src.close()


def test_not_json_and_server_errors_are_source_errors(api_server: ApiServer) -> None:
    api_server.serve(
        "/search_by_date", Reply(200, b"<html>oops</html>", {"Content-Type": "text/html"})
    )
    src = source(api_server)
    with pytest.raises(SourceError, match="JSON"):
        src.next_batch()
    api_server.serve("/search_by_date", Reply(500, b"boom"))
    with pytest.raises(SourceError, match="500"):
        src.next_batch()
    src.close()


def test_429_retry_after_pushes_next_awake_back(api_server: ApiServer) -> None:
    api_server.serve("/search_by_date", Reply(429, b"slow down", {"Retry-After": "3600"}))
    src = source(api_server, interval=60)
    with pytest.raises(HttpSourceError) as caught:
        src.next_batch()
    assert caught.value.retry_after == 3600
    awake = src.next_awake()
    assert awake is not None and awake > utcnow() + timedelta(minutes=59)
    src.close()


def test_a_hanging_server_times_out(api_server: ApiServer) -> None:
    api_server.serve("/search_by_date", Reply(200, b"{}", delay=2.0))
    src = source(api_server, timeout=0.2)
    with pytest.raises(SourceError, match="timed out"):
        src.next_batch()
    src.close()
