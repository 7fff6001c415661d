"""Mastodon ``status.update`` (edits) and ``delete`` events, streamed over SSE
and WebSocket from real local servers, into the store on both databases."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from api_testkit import ApiServer, Reply, json_reply, wait_for
from mastodon_statuses import status
from sqlalchemy import Engine, select
from websockets.sync.server import ServerConnection, serve

from hubbub.actions.queries import create_query
from hubbub.actions.sources import add_source
from hubbub.config import Settings
from hubbub.pipeline.runner import Pipeline, SourceRunner
from hubbub.sources.base import SourceBatch
from hubbub.sources.mastodon.connector import MastodonSource
from hubbub.store.tables import matches, posts, sources

PUBLIC = "/api/v1/timelines/public"
KETTLE = status(1, "my new kettle")
GONE = status(2, "soon deleted")
EDITED = {**status(1, "my new toaster"), "edited_at": "2025-01-06T10:05:00.000Z"}


class Stream:
    """Sends the two statuses, waits for ``go``, then the edit and the delete
    (and a delete of a status never seen), then heartbeats until stopped."""

    def __init__(self) -> None:
        self.go = threading.Event()
        self.stop = threading.Event()

    def frames(self) -> Iterator[tuple[str, str] | None]:
        yield ("update", json.dumps(KETTLE))
        yield ("update", json.dumps(GONE))
        while not self.go.is_set() and not self.stop.is_set():
            yield None
            time.sleep(0.05)
        yield ("status.update", json.dumps(EDITED))
        yield ("delete", GONE["id"])
        yield ("delete", "999999")
        while not self.stop.is_set():
            yield None
            time.sleep(0.05)


@pytest.fixture
def stream() -> Iterator[Stream]:
    s = Stream()
    yield s
    s.stop.set()


def sse(stream: Stream) -> Any:
    def chunks() -> Iterator[bytes]:
        for frame in stream.frames():
            if frame is None:
                yield b":thump\n\n"
            else:
                yield f"event: {frame[0]}\ndata: {frame[1]}\n\n".encode()

    return lambda request: Reply(
        200, headers={"Content-Type": "text/event-stream"}, chunks=chunks()
    )


def drain(src: MastodonSource, until: Any) -> SourceBatch:
    total = SourceBatch()

    def enough() -> bool:
        batch = src.next_batch()
        total.posts += batch.posts
        total.deleted += batch.deleted
        total.delete_mode = batch.delete_mode
        return bool(until(total))

    wait_for(enough, timeout=10)
    return total


def check_stream(src: MastodonSource, stream: Stream) -> None:
    first = drain(src, lambda b: len(b.posts) >= 2)
    assert [p.edited_at for p in first.posts] == [None, None]
    stream.go.set()
    later = drain(src, lambda b: b.posts and b.deleted)
    (edit,) = later.posts
    assert edit.external_id == KETTLE["uri"] and "toaster" in edit.text
    assert edit.edited_at is not None and edit.edited_at.minute == 5
    assert [d.key for d in later.deleted] == [("mastodon", GONE["uri"])]  # 999999: unknown
    assert later.delete_mode == "remove"
    assert src.snapshot()["ids"][GONE["id"]] == GONE["uri"]


def test_edits_and_deletes_over_sse(api_server: ApiServer, stream: Stream) -> None:
    api_server.serve("/api/v1/streaming/public", sse(stream))
    api_server.serve(PUBLIC, json_reply([]))
    src = MastodonSource({"url": api_server.base, "transport": "sse", "deletes": "remove"})
    try:
        check_stream(src, stream)
    finally:
        src.close()


def test_edits_and_deletes_over_websocket(api_server: ApiServer, stream: Stream) -> None:
    api_server.serve(PUBLIC, json_reply([]))

    def handler(ws: ServerConnection) -> None:
        for frame in stream.frames():
            if frame is not None:
                ws.send(json.dumps({"event": frame[0], "stream": ["public"], "payload": frame[1]}))

    with serve(handler, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        port = server.socket.getsockname()[1]
        src = MastodonSource(
            {
                "url": api_server.base,
                "streaming_url": f"http://127.0.0.1:{port}",
                "transport": "websocket",
                "deletes": "remove",
            }
        )
        try:
            check_stream(src, stream)
        finally:
            src.close()
            stream.stop.set()
            server.shutdown()
            thread.join(5)


def test_a_restarted_source_still_knows_recent_ids(api_server: ApiServer) -> None:
    src = MastodonSource(
        {"url": api_server.base, "transport": "sse"},
        {"last_id": GONE["id"], "seen": [GONE["uri"]], "ids": {GONE["id"]: GONE["uri"]}},
    )
    assert [d.external_id for d in src.deletions_for([GONE["id"], "1"])] == [GONE["uri"]]
    assert src.snapshot()["ids"] == {GONE["id"]: GONE["uri"]}
    src.close()


@pytest.mark.parametrize("mode", ["mark", "remove", "ignore"])
def test_streamed_edits_and_deletes_reach_the_store(
    engine: Engine, settings: Settings, api_server: ApiServer, stream: Stream, mode: str
) -> None:
    kettle = create_query(engine, "kettle", "kettle")
    toaster = create_query(engine, "toaster", "toaster")
    api_server.serve("/api/v1/streaming/public", sse(stream))
    api_server.serve(PUBLIC, json_reply([]))
    source_id = add_source(
        engine,
        "mastodon",
        {"url": api_server.base, "transport": "sse", "interval": 1, "deletes": mode},
    )
    runner = SourceRunner(engine, Pipeline(engine, settings))

    def rows() -> dict[str, Any]:
        with engine.connect() as conn:
            row = conn.execute(select(sources).where(sources.c.id == source_id)).one()
        runner.run_source(row)
        with engine.connect() as conn:
            return {r.external_id: r for r in conn.execute(select(posts))}

    try:
        wait_for(lambda: len(rows()) == 2, timeout=15)
        first_id = rows()[KETTLE["uri"]].id
        stream.go.set()
        wait_for(lambda: "toaster" in rows()[KETTLE["uri"]].text, timeout=15)
        deleted = {
            "mark": lambda r: r[GONE["uri"]].deleted_at is not None,
            "remove": lambda r: GONE["uri"] not in r,
            "ignore": lambda r: True,  # nothing to wait for: the edit came first
        }[mode]
        wait_for(lambda: deleted(rows()), timeout=15)
        time.sleep(0.3)  # anything late (an ignored delete) would be stored now
        final = rows()
    finally:
        runner.close()
    edited = final[KETTLE["uri"]]
    assert edited.id == first_id and edited.edited_at is not None
    with engine.connect() as conn:
        matched = {
            r.query_id for r in conn.execute(select(matches).where(matches.c.post_id == first_id))
        }
    assert matched == {toaster} and kettle not in matched
    if mode == "mark":
        assert final[GONE["uri"]].deleted_at is not None
    elif mode == "remove":
        assert GONE["uri"] not in final
    else:
        assert final[GONE["uri"]].deleted_at is None
