from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jetstream_testkit import FIXTURES, load_events

from hubbub.post import Post
from hubbub.sources.base import ItemError
from hubbub.sources.bluesky.parse import Deleted, Identity, parse_event

EVENTS = load_events(FIXTURES / "jetstream_events.jsonl")
ALICE = "did:plc:alice000000000000000000aa"
BOB = "did:plc:bob00000000000000000000bb"


def _parse(event: Any, handles: dict[str, str] | None = None) -> Any:
    return parse_event(event, item="frame 1", handles=handles)


def test_identity_event_gives_the_handle() -> None:
    assert _parse(EVENTS[0]) == Identity(ALICE, "alice.example.com")


def test_post_with_facets_embed_and_langs() -> None:
    post = _parse(EVENTS[1], {ALICE: "alice.example.com"})
    assert isinstance(post, Post)
    assert post.platform == "bluesky"
    assert post.external_id == f"at://{ALICE}/app.bsky.feed.post/3kroot1"
    assert post.url == "https://bsky.app/profile/alice.example.com/post/3kroot1"
    assert post.author_handle == "alice.example.com"
    assert post.text.startswith("Loving the new #hubbub release")
    assert "@bob.example.org" in post.text
    assert post.language == "en"
    assert post.created_at == datetime(2024, 9, 9, 19, 46, 1, 500000, tzinfo=UTC)
    assert post.links == ["https://example.com/notes", "https://example.com/card"]
    record = EVENTS[1]["commit"]["record"]
    # facets (tags, mentions) stay available there; what Post holds is not repeated
    assert post.raw["facets"] == record["facets"] and post.raw["embed"] == record["embed"]
    assert post.raw["did"] == ALICE and post.raw["time_us"] == EVENTS[1]["time_us"]
    assert "text" not in post.raw and "commit" not in post.raw
    assert post.reply_to is None and post.thread_root is None


def test_unknown_handle_falls_back_to_the_did() -> None:
    post = _parse(EVENTS[1])
    assert post.author_handle == ALICE
    assert post.url == f"https://bsky.app/profile/{ALICE}/post/3kroot1"


def test_reply_has_parent_and_root() -> None:
    post = _parse(EVENTS[2])
    root = f"at://{ALICE}/app.bsky.feed.post/3kroot1"
    assert post.reply_to == root and post.thread_root == root


def test_other_collections_and_account_events_are_ignored() -> None:
    assert _parse(EVENTS[3]) is None  # a like
    assert _parse(EVENTS[8]) is None  # an account event


def test_bad_created_at_falls_back_to_time_us_and_record_with_media_link() -> None:
    post = _parse(EVENTS[4])
    assert post.created_at == datetime.fromtimestamp(EVENTS[4]["time_us"] / 1e6, UTC)
    assert post.links == ["https://example.org/media"]
    assert post.language is None


def test_update_is_the_new_version_under_the_same_id() -> None:
    original, edited = _parse(EVENTS[2]), _parse(EVENTS[6])
    assert edited.external_id == original.external_id
    assert edited.text == "Agreed, it is great (edited)"


def test_delete_is_a_marker() -> None:
    assert _parse(EVENTS[7]) == Deleted(
        f"at://{ALICE}/app.bsky.feed.post/3kquote1", ALICE, EVENTS[7]["time_us"]
    )


def test_malformed_events_are_item_errors() -> None:
    good = EVENTS[1]
    cases = [
        [1, 2],
        {**good, "did": 5},
        {**good, "time_us": "soon"},
        {**good, "commit": "x"},
        {**good, "commit": {**good["commit"], "rkey": None}},
        {**good, "commit": {**good["commit"], "operation": "explode"}},
        {**good, "commit": {**good["commit"], "record": None}},
        {**good, "commit": {**good["commit"], "record": {"text": 42}}},
    ]
    for case in cases:
        result = _parse(case)
        assert isinstance(result, ItemError), case
        assert result.item == "frame 1"


def test_shared_capture(shared_dir: Path) -> None:
    events = load_events(shared_dir / "fixtures/bluesky/jetstream_v1_capture.jsonl")
    results = [parse_event(e, item=f"line {i}") for i, e in enumerate(events, 1)]
    posts = [r for r in results if isinstance(r, Post)]
    assert len(events) == 152
    assert not [r for r in results if isinstance(r, ItemError)]
    assert len(posts) == 17
    assert len([r for r in results if isinstance(r, Deleted)]) == 1
    assert len({p.external_id for p in posts}) == 17
    assert all(p.external_id.startswith("at://did:") for p in posts)
    assert all(p.created_at is not None for p in posts)
    youtube = next(p for p in posts if "youtube" in (p.text or ""))
    assert youtube.links == ["https://www.youtube.com/watch?v=V5lDo-jw8mA"]
    assert {p.language for p in posts} >= {"en", "ko"}
    assert any(p.reply_to for p in posts)
