"""The Mastodon publisher against a real HTTP server speaking the Mastodon API."""

from __future__ import annotations

from typing import Any

import pytest

from hubbub.engage.mastodon import MastodonPublisher
from hubbub.engage.publishers import PublishError, ReplyRejected, SourceAccount
from hubbub.post import Post
from hubbub.sources.mastodon.parse import status_to_post
from servers.mastodon import MastodonServer

from .conftest import MASTODON_TOKEN

SOURCE_ID = 7


def publisher(
    server: MastodonServer, token: str = MASTODON_TOKEN, source_id: int = SOURCE_ID
) -> MastodonPublisher:
    account = SourceAccount(source_id, "social", "mastodon", {"url": server.url, "token": token})
    return MastodonPublisher(account)


def inbound(server: MastodonServer, text: str = "My Acme anvil broke!", **extra: Any) -> Post:
    post = status_to_post(server.add_status("alice", text, **extra))
    post.source_id = SOURCE_ID
    return post


def test_reply_posts_a_status_in_reply_with_the_authors_mention(mastodon: MastodonServer) -> None:
    post = inbound(mastodon)
    pub = publisher(mastodon)
    text = pub.prepare(post, "Sorry to hear that, we will send a new one.")
    assert text == "@alice Sorry to hear that, we will send a new one."

    published = pub.reply(post, text, "key-1")

    (request,) = mastodon.posted()
    assert request.headers["authorization"] == f"Bearer {MASTODON_TOKEN}"
    assert request.headers["idempotency-key"] == "key-1"
    sent = request.json()
    assert sent["status"] == text
    assert sent["in_reply_to_id"] == post.raw["id"]  # type: ignore[index]
    assert sent["visibility"] == "public"
    created = mastodon.statuses[-1]
    assert created["in_reply_to_id"] == post.raw["id"]  # type: ignore[index]
    assert created["account"]["acct"] == "support"
    assert [m["acct"] for m in created["mentions"]] == ["alice"]
    assert published.external_id == created["uri"]
    assert published.url == created["url"]
    assert published.text == text


def test_same_idempotency_key_posts_once(mastodon: MastodonServer) -> None:
    post = inbound(mastodon)
    pub = publisher(mastodon)
    first = pub.reply(post, "@alice thanks", "same-key")
    again = pub.reply(post, "@alice thanks", "same-key")
    assert again.external_id == first.external_id
    assert len(mastodon.posted()) == 2  # the request was retried...
    assert [s["in_reply_to_id"] for s in mastodon.statuses].count(post.raw["id"]) == 1  # type: ignore[index]


def test_mention_is_not_doubled_and_visibility_never_widens(mastodon: MastodonServer) -> None:
    post = inbound(mastodon, visibility="private")
    pub = publisher(mastodon)
    text = pub.prepare(post, "Hi @Alice, a DM is on its way")
    assert text == "Hi @Alice, a DM is on its way"
    pub.reply(post, text, "k")
    assert mastodon.posted()[0].json()["visibility"] == "private"


def test_limit_counts_as_mastodon_does(mastodon: MastodonServer) -> None:
    post = inbound(mastodon)
    pub = publisher(mastodon)
    link = "https://example.com/" + "x" * 200  # counts 23
    body = "y" * (500 - len("@alice ") - 23 - 1) + " " + link
    text = pub.prepare(post, body)
    pub.reply(post, text, "k")  # the server agrees it fits
    assert mastodon.statuses[-1]["account"]["acct"] == "support"
    with pytest.raises(ReplyRejected, match="500"):
        pub.prepare(post, "z" + body)


def test_platform_errors_carry_the_platforms_message(mastodon: MastodonServer) -> None:
    post = inbound(mastodon)
    with pytest.raises(PublishError, match="The access token is invalid"):
        publisher(mastodon, token="wrong").reply(post, "@alice hi", "k1")
    mastodon.add_token("read-only", "support", {"read"})
    with pytest.raises(PublishError, match="outside the authorized scopes"):
        publisher(mastodon, token="read-only").reply(post, "@alice hi", "k2")
    mastodon.fail_next(422, "Validation failed: Text is a duplicate")
    with pytest.raises(PublishError, match=r"HTTP 422.*Text is a duplicate"):
        publisher(mastodon).reply(post, "@alice hi", "k3")


def test_a_post_seen_through_another_instance_is_looked_up_by_uri(
    mastodon: MastodonServer,
) -> None:
    post = inbound(mastodon)
    post.source_id = 99  # ingested by another source: its local id means nothing here
    post.raw = {**(post.raw or {}), "id": "123"}
    publisher(mastodon).reply(post, "@alice hello", "k")
    (search,) = mastodon.requests_to("GET", "/api/v2/search")
    assert search.query["q"] == [post.external_id]
    assert search.query["resolve"] == ["true"]
    assert mastodon.statuses[-1]["in_reply_to_id"] == mastodon.statuses[0]["id"]


def test_unknown_status_and_unreachable_instance(mastodon: MastodonServer) -> None:
    post = inbound(mastodon)
    post.raw = {**(post.raw or {}), "id": "1"}
    with pytest.raises(PublishError, match="Record not found"):
        publisher(mastodon).reply(post, "@alice hi", "k")
    gone = SourceAccount(SOURCE_ID, "gone", "mastodon", {"url": "http://127.0.0.1:9", "token": "t"})
    with pytest.raises(PublishError, match="could not reach"):
        MastodonPublisher(gone).reply(inbound(mastodon), "@alice hi", "k")


def test_boosts_cannot_be_answered_and_credentials_are_named(mastodon: MastodonServer) -> None:
    pub = publisher(mastodon)
    boost = inbound(mastodon)
    boost.raw = {**(boost.raw or {}), "reblog": {"uri": "x"}}
    assert not pub.can_reply_to(boost)
    assert pub.can_reply_to(inbound(mastodon))
    no_token = SourceAccount(1, "listen only", "mastodon", {"url": mastodon.url})
    assert "write:statuses" in (MastodonPublisher.credentials_missing(no_token) or "")
