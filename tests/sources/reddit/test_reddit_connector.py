"""RedditSource against a real HTTP server speaking Reddit's OAuth and Listing formats."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from api_testkit import ApiServer, Reply, Request, json_reply

from hubbub.post import utcnow
from hubbub.sources.base import ConfigError, Source, SourceError
from hubbub.sources.http import AuthError, HttpSourceError
from hubbub.sources.reddit.connector import RedditSource

SECRET = "very-secret-value"
TOKEN_PATH = "/api/v1/access_token"
NEW = "/r/python/new"
COMMENTS = "/r/python/comments"


def submission(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "t3",
        "data": {
            "id": f"s{n}",
            "name": f"t3_s{n}",
            "title": f"Submission {n}",
            "selftext": "",
            "author": "alice",
            "created_utc": 1736157600.0 + n,
            "score": 10,
            "num_comments": 4,
            "permalink": f"/r/python/comments/s{n}/submission_{n}/",
            "url": f"https://example.com/{n}",
            "is_self": False,
            "subreddit": "python",
            **extra,
        },
    }


def comment(n: int) -> dict[str, Any]:
    return {
        "kind": "t1",
        "data": {
            "id": f"c{n}",
            "name": f"t1_c{n}",
            "body": f"**comment** {n}",
            "author": "bob",
            "created_utc": 1736157700 + n,
            "score": 2,
            "parent_id": "t3_s1",
            "link_id": "t3_s1",
            "permalink": f"/r/python/comments/s1/submission_1/c{n}/",
            "subreddit": "python",
        },
    }


def listing(children: list[Any]) -> dict[str, Any]:
    return {"kind": "Listing", "data": {"children": children, "after": None, "before": None}}


class Reddit:
    """A fake Reddit: issues tokens, serves newest-first listings honouring ``before``."""

    def __init__(self, server: ApiServer) -> None:
        self.server = server
        self.things: dict[str, list[dict[str, Any]]] = {NEW: [], COMMENTS: []}
        self.tokens_issued = 0
        self.valid_token: str | None = None
        server.serve(TOKEN_PATH, self.token)
        for path in self.things:
            server.serve(path, self.listing)

    def token(self, request: Request) -> Reply:
        expected = "Basic " + base64.b64encode(f"app-id:{SECRET}".encode()).decode()
        if request.headers.get("authorization") != expected:
            return json_reply({"error": 401}, 401)
        assert request.body == b"grant_type=client_credentials"
        self.tokens_issued += 1
        self.valid_token = f"token-{self.tokens_issued}"
        return json_reply(
            {"access_token": self.valid_token, "token_type": "bearer", "expires_in": 86400}
        )

    def listing(self, request: Request) -> Reply:
        if request.headers.get("authorization") != f"bearer {self.valid_token}":
            return json_reply({"message": "Unauthorized", "error": 401}, 401)
        newest_first = list(reversed(self.things[request.path]))
        before = request.query.get("before")
        if before:
            names = [t["data"]["name"] for t in newest_first]
            newest_first = newest_first[: names.index(before)] if before in names else []
            newest_first = newest_first[-int(request.query["limit"]) :]
        else:
            newest_first = newest_first[: int(request.query["limit"])]
        headers = {
            "X-Ratelimit-Remaining": "590.0",
            "X-Ratelimit-Reset": "300",
            "X-Ratelimit-Used": "10",
        }
        return json_reply(listing(newest_first), headers=headers)


@pytest.fixture
def reddit(api_server: ApiServer) -> Reddit:
    return Reddit(api_server)


def source(
    server: ApiServer, cursor: dict[str, Any] | None = None, **settings: Any
) -> RedditSource:
    base = {
        "client_id": "app-id",
        "client_secret": SECRET,
        "user_agent": "test:hubbub:0.1 (by /u/tester)",
        "subreddits": ["python"],
        "auth_url": server.base,
        "api_url": server.base,
        "interval": 10,
    }
    return RedditSource({**base, **settings}, cursor)


def test_settings_are_validated() -> None:
    with pytest.raises(ConfigError, match="client_id"):
        RedditSource({"user_agent": "x", "subreddits": ["a"]})
    with pytest.raises(ConfigError, match="user_agent"):
        RedditSource({"client_id": "a", "client_secret": SECRET, "subreddits": ["a"]})
    with pytest.raises(ConfigError, match="subreddits"):
        RedditSource({"client_id": "a", "client_secret": SECRET, "user_agent": "x"})
    with pytest.raises(ConfigError, match="not a subreddit"):
        RedditSource(
            {"client_id": "a", "client_secret": SECRET, "user_agent": "x", "subreddits": ["a/b?c"]}
        )
    src = RedditSource(
        {
            "client_id": "a",
            "client_secret": SECRET,
            "user_agent": "x",
            "subreddits": "r/python, rust",
        }
    )
    assert isinstance(src, Source) and src.subreddits == ["python", "rust"]
    assert SECRET not in repr(src.snapshot())
    src.close()


def test_things_become_posts_and_the_cursor_avoids_duplicates(
    api_server: ApiServer, reddit: Reddit
) -> None:
    reddit.things[NEW] = [
        submission(1),
        submission(2, is_self=True, selftext="Self *text*", url=""),
    ]
    reddit.things[COMMENTS] = [comment(1)]
    src = source(api_server)
    first = src.next_batch()
    assert first.errors == []
    link, selfpost, reply = first.posts
    assert link.platform == "reddit" and link.external_id == "t3_s1"
    assert link.url == "https://www.reddit.com/r/python/comments/s1/submission_1/"
    assert link.title == link.text == "Submission 1"
    assert link.links == ["https://example.com/1"] and link.likes == 10 and link.replies == 4
    assert link.created_at == datetime.fromtimestamp(1736157601, UTC)
    assert link.raw is not None and link.raw["subreddit"] == "python"
    assert selfpost.text == "Self *text*" and selfpost.links == []
    assert reply.external_id == "t1_c1" and reply.text == "**comment** 1"
    assert reply.reply_to == "t3_s1" and reply.thread_root == "t3_s1" and reply.title is None
    assert src.next_batch().posts == []  # caught up until the next poll is due

    reddit.things[NEW].append(submission(3))
    again = source(api_server, first.cursor)
    second = again.next_batch()
    assert [p.external_id for p in second.posts] == ["t3_s3"]
    new_requests = api_server.requests_to(NEW)
    assert new_requests[-1].query["before"] == "t3_s2"
    assert new_requests[-1].query["limit"] == "100"
    assert new_requests[-1].headers["user-agent"] == "test:hubbub:0.1 (by /u/tester)"
    src.close()
    again.close()


def test_catches_up_page_by_page(api_server: ApiServer, reddit: Reddit) -> None:
    reddit.things[NEW] = [submission(0)]
    src = source(api_server)
    first = src.next_batch()
    reddit.things[NEW].extend(submission(n) for n in range(1, 151))
    src = source(api_server, first.cursor)
    got = []
    for _ in range(5):
        batch = src.next_batch()
        if not batch.posts:
            break
        got.extend(p.external_id for p in batch.posts)
    assert got == [f"t3_s{n}" for n in range(1, 151)]
    src.close()


def test_search_listing(api_server: ApiServer, reddit: Reddit) -> None:
    api_server.serve("/search", lambda r: json_reply(listing([submission(7)])))
    src = source(api_server, subreddits=[], search="hubbub")
    assert [p.external_id for p in src.next_batch().posts] == ["t3_s7"]
    assert api_server.requests_to("/search")[0].query["q"] == "hubbub"
    assert api_server.requests_to("/search")[0].query["sort"] == "new"
    src.close()


def test_an_expired_token_is_renewed_once(api_server: ApiServer, reddit: Reddit) -> None:
    reddit.things[NEW] = [submission(1)]
    src = source(api_server)
    src.next_batch()
    reddit.valid_token = "revoked-early"  # the server no longer accepts token-1
    reddit.things[NEW].append(submission(2))
    src._pending = []
    src._throttle.last_fetch = utcnow() - timedelta(minutes=5)
    batch = src.next_batch()
    assert [p.external_id for p in batch.posts] == ["t3_s2"]
    assert reddit.tokens_issued == 2
    src.close()


def test_bad_credentials_do_not_leak_the_secret(api_server: ApiServer, reddit: Reddit) -> None:
    src = source(api_server, client_secret="wrong-" + SECRET)
    with pytest.raises(AuthError) as caught:
        src.next_batch()
    assert "refused" in str(caught.value) and SECRET not in str(caught.value)
    src.close()


def test_malformed_things_and_bodies(api_server: ApiServer, reddit: Reddit) -> None:
    reddit.things[NEW] = [submission(1), {"kind": "t3", "data": {"name": "t3_bad"}}, {"kind": "t5"}]
    src = source(api_server)
    batch = src.next_batch()
    assert [p.external_id for p in batch.posts] == ["t3_s1"]
    assert [e.item for e in batch.errors] == ["r/python/new child 1", "r/python/new t3_bad"]
    api_server.serve(NEW, Reply(200, b"<html>we're down</html>"))
    src = source(api_server)
    with pytest.raises(SourceError, match="JSON"):
        src.next_batch()
    src.close()


def test_server_errors_rate_limits_and_timeouts(api_server: ApiServer, reddit: Reddit) -> None:
    api_server.serve(NEW, Reply(500, b"boom"))
    src = source(api_server, timeout=0.3)
    with pytest.raises(SourceError, match="500"):
        src.next_batch()
    when = (datetime.now(UTC) + timedelta(minutes=10)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    api_server.serve(NEW, Reply(429, b"", {"Retry-After": when}))
    with pytest.raises(HttpSourceError) as caught:
        source(api_server).next_batch()
    assert caught.value.retry_after is not None and caught.value.retry_after > 590
    limited = source(api_server)
    with pytest.raises(HttpSourceError):
        limited.next_batch()
    awake = limited.next_awake()
    assert awake is not None and awake > utcnow() + timedelta(seconds=590)
    api_server.serve(NEW, Reply(200, b"{}", delay=2.0))
    slow = source(api_server, timeout=0.3)
    with pytest.raises(SourceError, match="timed out"):
        slow.next_batch()
    for s in (src, limited, slow):
        s.close()


def test_low_remaining_quota_delays_the_next_poll(api_server: ApiServer, reddit: Reddit) -> None:
    api_server.serve(
        NEW,
        lambda r: json_reply(
            listing([]), headers={"X-Ratelimit-Remaining": "0.0", "X-Ratelimit-Reset": "420"}
        ),
    )
    src = source(api_server)
    src.next_batch()
    awake = src.next_awake()
    assert awake is not None and awake > utcnow() + timedelta(seconds=400)
    src.close()
