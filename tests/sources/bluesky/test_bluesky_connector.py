from __future__ import annotations

import socket
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from jetstream_testkit import FIXTURES, load_events, poll
from sqlalchemy import func, select

from hubbub.actions.sources import add_source
from hubbub.config import Settings
from hubbub.pipeline.runner import Pipeline, SourceRunner
from hubbub.post import Post
from hubbub.sources.base import ConfigError, ItemError, SourceBatch, SourceError
from hubbub.sources.bluesky.connector import BlueskySource
from hubbub.store.tables import posts, sources

EVENTS = load_events(FIXTURES / "jetstream_events.jsonl")
ALICE = "did:plc:alice000000000000000000aa"


def _collect(source: BlueskySource, until: int, timeout: float = 10.0) -> SourceBatch:
    """Drain batches until ``until`` posts+errors arrived (or fail at the deadline)."""
    total = SourceBatch()

    def more() -> bool:
        batch = source.next_batch()
        total.posts += batch.posts
        total.errors += batch.errors
        total.deleted += batch.deleted
        total.cursor = batch.cursor or total.cursor
        return len(total.posts) + len(total.errors) >= until

    poll(more, timeout)
    return total


def test_streams_posts_with_their_fields(jetstream: Any, bluesky: Any) -> None:
    server = jetstream(EVENTS)
    source = bluesky({"url": server.url, "dids": [ALICE]})
    batch = _collect(source, 5)
    assert [p.external_id.rsplit("/", 1)[1] for p in batch.posts] == [
        "3kroot1",
        "3kreply1",
        "3kquote1",
        "3kimg1",
        "3kreply1",  # the update: same id, new text
    ]
    root = batch.posts[0]
    assert root.author_handle == "alice.example.com"  # learnt from the identity event
    assert root.url == "https://bsky.app/profile/alice.example.com/post/3kroot1"
    assert root.links == ["https://example.com/notes", "https://example.com/card"]
    assert root.author_id == ALICE and root.edited_at is None
    assert batch.posts[1].reply_to == root.external_id
    update = batch.posts[4]
    assert update.text.endswith("(edited)")
    assert update.edited_at == datetime.fromtimestamp(EVENTS[6]["time_us"] / 1e6, UTC)
    last = {"time_us": EVENTS[-1]["time_us"]}

    def drained() -> bool:
        batch.deleted += source.next_batch().deleted
        return source.snapshot() == last

    poll(drained)
    (deleted,) = batch.deleted
    assert deleted.key == ("bluesky", f"at://{ALICE}/app.bsky.feed.post/3kquote1")
    assert deleted.at == datetime.fromtimestamp(EVENTS[7]["time_us"] / 1e6, UTC)
    query = server.query(0)
    assert query["wantedCollections"] == ["app.bsky.feed.post"]
    assert query["wantedDids"] == [ALICE]
    assert "cursor" not in query and "compress" not in query
    assert source.connected
    assert source.next_batch() == SourceBatch()  # nothing new: empty, no cursor change


def test_saved_cursor_resumes_with_rewind(jetstream: Any, bluesky: Any) -> None:
    server = jetstream(EVENTS)
    saved = EVENTS[4]["time_us"]
    source = bluesky({"url": server.url, "rewind_seconds": 0}, {"time_us": saved})
    batch = _collect(source, 3)
    assert server.query(0)["cursor"] == [str(saved)]
    assert [p.external_id.rsplit("/", 1)[1] for p in batch.posts] == [
        "3kquote1",
        "3kimg1",
        "3kreply1",
    ]


def test_malformed_frames_are_item_errors_and_the_rest_is_kept(
    jetstream: Any, bluesky: Any
) -> None:
    frames = ["{not json", EVENTS[1], "[1, 2]", {"did": ALICE, "kind": "commit"}, EVENTS[2]]
    source = bluesky({"url": jetstream(frames).url})
    batch = _collect(source, 5)
    assert len(batch.posts) == 2
    assert [e.item.split(" (")[0] for e in batch.errors] == ["frame 1", "frame 3", "frame 4"]
    assert "not a JSON event" in batch.errors[0].message
    assert all(isinstance(e, ItemError) for e in batch.errors)


def test_compressed_frames(jetstream: Any, bluesky: Any) -> None:
    server = jetstream(EVENTS, compress=True)
    source = bluesky({"url": server.url, "compress": True})
    batch = _collect(source, 5)
    assert len(batch.posts) == 5 and not batch.errors
    assert server.query(0)["compress"] == ["true"]


def test_silent_server_gives_empty_batches(jetstream: Any, bluesky: Any) -> None:
    source = bluesky({"url": jetstream([]).url})
    source.next_batch()
    poll(lambda: source.connected)
    for _ in range(5):
        assert source.next_batch() == SourceBatch()
    awake = source.next_awake()
    assert awake is not None


def test_refused_connections_fail_after_the_threshold(bluesky: Any) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    source = bluesky({"url": f"ws://127.0.0.1:{port}", "fail_after_attempts": 2})
    assert source.next_batch() == SourceBatch()  # too early to call it failing
    error: list[str] = []

    def failing() -> bool:
        try:
            source.next_batch()
        except SourceError as exc:
            error.append(str(exc))
            return True
        return False

    poll(failing, timeout=10)
    assert f"127.0.0.1:{port}" in error[0] and "last error" in error[0]


def test_reconnects_rewound_without_duplicates(
    jetstream: Any, engine: Any, settings: Settings
) -> None:
    base = EVENTS[1]["time_us"]
    stream = [
        {
            **EVENTS[1],
            "time_us": base + i * 1_000_000,
            "commit": {**EVENTS[1]["commit"], "rkey": f"3kp{i}"},
        }
        for i in range(6)
    ]
    server = jetstream(stream, close_after=4)
    source_id = add_source(
        engine, "bluesky", {"url": server.url, "rewind_seconds": 2, "resolve_handles": False}
    )
    runner = SourceRunner(engine, Pipeline(engine, settings))
    try:

        def all_stored() -> bool:
            with engine.connect() as conn:
                row = conn.execute(select(sources).where(sources.c.id == source_id)).one()
            runner.run_source(row)
            with engine.connect() as conn:
                return conn.execute(select(func.count()).select_from(posts)).scalar_one() == 6

        poll(all_stored, timeout=15)
    finally:
        runner.close()
    assert len(server.paths) == 2
    assert "cursor" not in server.query(0)
    # the last event of the first connection, rewound by 2 s: two posts come twice
    assert server.query(1)["cursor"] == [str(stream[3]["time_us"] - 2_000_000)]
    with engine.connect() as conn:
        ids = [r.external_id for r in conn.execute(select(posts.c.external_id))]
        row = conn.execute(select(sources).where(sources.c.id == source_id)).one()
    assert sorted(ids) == sorted(f"at://{ALICE}/app.bsky.feed.post/3kp{i}" for i in range(6))
    assert row.cursor["time_us"] == stream[-1]["time_us"]
    assert row.items_ingested == 6


def test_shared_capture_through_the_socket(shared_dir: Path, jetstream: Any, bluesky: Any) -> None:
    events = load_events(shared_dir / "fixtures/bluesky/jetstream_v1_capture.jsonl")
    source = bluesky({"url": jetstream(events).url})
    batch = _collect(source, 17)
    assert len(batch.posts) == 17 and not batch.errors
    assert all(isinstance(p, Post) and p.platform == "bluesky" for p in batch.posts)
    assert batch.cursor == {"time_us": max(e["time_us"] for e in events)}


@pytest.mark.parametrize(
    "settings",
    [
        {},
        {"url": "https://jetstream.example"},
        {"url": "wss://x", "deletes": "shred"},
        {"url": "wss://x", "dids": ["alice"]},
        {"url": "wss://x", "max_batch": 0},
        {"url": "wss://x", "compress": "maybe"},
        {"url": "wss://x", "colour": "blue"},
        {"url": "wss://x", "appview_url": "ftp://appview.example"},
        {"url": "wss://x", "resolve_handles": "sometimes"},
        {"url": "wss://x", "handle_ttl_hours": -1},
    ],
)
def test_bad_settings(settings: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        BlueskySource(settings)


def test_settings_help_and_url_normalised() -> None:
    names = [s["name"] for s in BlueskySource.settings_help()]
    assert names[0] == "url" and "deletes" in names
    source = BlueskySource({"url": "wss://jetstream.example/subscribe/"})
    assert (
        source.subscribe_url()
        == "wss://jetstream.example/subscribe?wantedCollections=app.bsky.feed.post"
    )
    assert time.time() > 0
