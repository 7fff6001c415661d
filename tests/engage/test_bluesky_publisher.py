"""The Bluesky publisher against a real HTTP server speaking the PDS's XRPC."""

from __future__ import annotations

import pytest

from hubbub.engage.bluesky import BlueskyPublisher, link_facets
from hubbub.engage.publishers import PublishError, ReplyRejected, SourceAccount
from hubbub.post import Post
from hubbub.sources.bluesky.parse import parse_event
from servers.bluesky_pds import BlueskyPds

from .conftest import BLUESKY_HANDLE, BLUESKY_PASSWORD

AUTHOR = "did:plc:customer0000000000000000"


def publisher(pds: BlueskyPds, password: str = BLUESKY_PASSWORD) -> BlueskyPublisher:
    settings = {
        "url": "ws://127.0.0.1:1",
        "identifier": BLUESKY_HANDLE,
        "app_password": password,
        "pds_url": pds.url,
    }
    return BlueskyPublisher(SourceAccount(3, "firehose", "bluesky", settings))


def jetstream_post(rkey: str, text: str, cid: str, reply: dict[str, object] | None = None) -> Post:
    """A post as the Bluesky source stores it (parsed from a Jetstream commit)."""
    record: dict[str, object] = {"$type": "app.bsky.feed.post", "text": text,
                                 "createdAt": "2026-01-05T10:00:00Z", "langs": ["en"]}  # fmt: skip
    if reply:
        record["reply"] = reply
    event = {
        "did": AUTHOR,
        "time_us": 1_767_000_000_000_000,
        "kind": "commit",
        "commit": {"operation": "create", "collection": "app.bsky.feed.post", "rkey": rkey,
                   "record": record, "cid": cid, "rev": "3l"},
    }  # fmt: skip
    post = parse_event(event, item="test")
    assert isinstance(post, Post)
    return post


def test_reply_to_a_thread_starter(pds: BlueskyPds) -> None:
    post = jetstream_post("3kroot", "Acme broke my heart", "bafyroot")
    pub = publisher(pds)
    text = pub.prepare(post, "  We are on it: https://acme.example/status  ")
    published = pub.reply(post, text, "key")

    (login,) = pds.requests_to("POST", "/xrpc/com.atproto.server.createSession")
    assert login.json() == {"identifier": BLUESKY_HANDLE, "password": BLUESKY_PASSWORD}
    (create,) = pds.created()
    sent = create.json()
    account = pds.accounts[0]
    assert sent["repo"] == account.did
    assert sent["collection"] == "app.bsky.feed.post"
    record = sent["record"]
    assert record["text"] == "We are on it: https://acme.example/status"
    ref = {"uri": post.external_id, "cid": "bafyroot"}
    assert record["reply"] == {"root": ref, "parent": ref}
    assert record["langs"] == ["en"]
    assert record["facets"][0]["features"][0]["uri"] == "https://acme.example/status"
    assert published.external_id.startswith(f"at://{account.did}/app.bsky.feed.post/")
    assert published.external_id in pds.records
    rkey = published.external_id.rsplit("/", 1)[-1]
    assert published.url == f"https://bsky.app/profile/{BLUESKY_HANDLE}/post/{rkey}"
    assert not pds.requests_to("GET", "/xrpc/app.bsky.feed.getPosts")


def test_reply_inside_a_thread_names_the_threads_root(pds: BlueskyPds) -> None:
    root = pds.add_post(AUTHOR, "3kroot", "Acme broke my heart")
    parent = pds.add_post(
        AUTHOR, "3kparent", "and nobody answers", reply={"root": root, "parent": root}
    )
    post = jetstream_post(
        "3kparent", "and nobody answers", parent["cid"], {"root": root, "parent": root}
    )
    assert post.thread_root == root["uri"]

    publisher(pds).reply(post, "Answering now", "key")

    record = pds.created()[0].json()["record"]
    assert record["reply"] == {"root": root, "parent": parent}


def test_session_is_reused_and_renewed_when_it_expires(pds: BlueskyPds) -> None:
    post = jetstream_post("3kroot", "hello", "bafyroot")
    publisher(pds).reply(post, "one", "k1")
    publisher(pds).reply(post, "two", "k2")
    logins = pds.requests_to("POST", "/xrpc/com.atproto.server.createSession")
    assert len(logins) == 1  # Bluesky rate-limits logins: one session serves both
    pds.expire_sessions()
    publisher(pds).reply(post, "three", "k3")
    assert len(pds.requests_to("POST", "/xrpc/com.atproto.server.createSession")) == 2
    assert [r["record"]["text"] for r in pds.records.values()] == ["one", "two", "three"]


def test_errors_say_what_the_pds_said(pds: BlueskyPds) -> None:
    post = jetstream_post("3kroot", "hello", "bafyroot")
    with pytest.raises(PublishError, match="Invalid identifier or password"):
        publisher(pds, password="wrong-wrong-wrong").reply(post, "hi", "k")
    pds.fail_next(400, "InvalidRequest", "Record/reply/parent could not be resolved")
    with pytest.raises(PublishError, match="could not be resolved"):
        publisher(pds).reply(post, "hi", "k")


def test_limit_is_300_graphemes(pds: BlueskyPds) -> None:
    post = jetstream_post("3kroot", "hello", "bafyroot")
    pub = publisher(pds)
    thumbs = "\U0001f44d\U0001f3fd" * 300  # 600 code points, 300 characters
    pub.reply(post, pub.prepare(post, thumbs), "k")
    assert len(pds.records) == 1
    with pytest.raises(ReplyRejected, match="301 characters"):
        pub.prepare(post, thumbs + "!")


def test_link_facets_use_utf8_byte_offsets() -> None:
    text = "Grüße, see https://acme.example/ü."
    (facet,) = link_facets(text)
    start, end = facet["index"]["byteStart"], facet["index"]["byteEnd"]
    assert text.encode()[start:end].decode() == "https://acme.example/ü"


def test_credentials_are_required() -> None:
    listen_only = SourceAccount(1, "firehose", "bluesky", {"url": "wss://jetstream.example"})
    assert "app_password" in (BlueskyPublisher.credentials_missing(listen_only) or "")
