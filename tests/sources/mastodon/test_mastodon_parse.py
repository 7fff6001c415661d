"""Mastodon status JSON -> Post."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from mastodon_statuses import INSTANCE, status

from hubbub.sources.mastodon.parse import (
    StreamEvents,
    parse_event,
    parse_statuses,
    parse_websocket_message,
    status_to_post,
)


def test_status_fields_are_mapped() -> None:
    post = status_to_post(
        status(
            1,
            "Hello <b>world</b>",
            spoiler_text="cw: greetings",
            in_reply_to_id="109",
            media_attachments=[{"type": "image", "url": f"{INSTANCE}/media/1.png"}],
            card={"url": "https://card.example/a"},
        )
    )
    assert post.platform == "mastodon"
    assert post.external_id == f"{INSTANCE}/users/alice/statuses/110000000000000001"
    assert post.raw is not None and post.raw["id"] == "110000000000000001"
    assert post.url == f"{INSTANCE}/@alice/110000000000000001"
    assert post.text == "cw: greetings\n\nHello world link"
    assert post.author_handle == "alice" and post.author_name == "Alice"
    assert post.author_followers == 99 and post.language == "en"
    assert post.created_at == datetime(2025, 1, 6, 10, 0, tzinfo=UTC)
    assert (post.replies, post.reposts, post.likes) == (1, 2, 3)
    assert post.reply_to == "109"
    assert post.links == [
        "https://link.example/1",
        f"{INSTANCE}/media/1.png",
        "https://card.example/a",
    ]
    assert post.raw["tags"] == ["hubbub"] and not post.enrichments.get("repost")


def test_a_boost_is_the_boosters_status_marked_as_a_repost() -> None:
    original = status(1, "the original")
    boost = status(
        2,
        reblog=original,
        content="",
        account={"id": "2", "acct": "bob@other.example", "display_name": "", "followers_count": 5},
    )
    post = status_to_post(boost)
    assert post.external_id.endswith("/110000000000000002")
    assert post.author_handle == "bob@other.example" and post.author_name == "bob@other.example"
    assert post.text.startswith("the original")
    assert post.enrichments["repost"] is True
    assert post.raw is not None and post.raw["reblog"]["uri"] == original["uri"]
    assert original["url"] in post.links


def test_a_bad_status_is_an_item_error_and_the_rest_kept() -> None:
    posts, errors = parse_statuses([status(1), {"id": "5"}, "junk", status(2, account=[])])
    assert len(posts) == 1
    assert [e.item for e in errors] == ["status 5", "status 3", f"status {status(2)['uri']}"]


def test_streaming_events() -> None:
    events = StreamEvents()
    parse_event("update", json.dumps(status(1)), events)
    parse_event("status.update", json.dumps(status(2)), events)
    parse_event("delete", "110000000000000001", events)
    parse_event("notification", "{}", events)
    parse_event("update", "{not json", events)
    parse_websocket_message(
        json.dumps({"event": "update", "payload": json.dumps(status(3))}), events
    )
    parse_websocket_message("[]", events)
    assert [p.raw["id"][-1] for p in events.posts if p.raw] == ["1", "2", "3"]
    assert events.deleted == ["110000000000000001"]
    assert [e.item for e in events.errors] == ["stream update event", "stream message"]
