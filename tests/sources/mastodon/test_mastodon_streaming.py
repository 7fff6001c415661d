"""MastodonSource streaming over SSE and WebSocket from real local servers:
updates, a malformed frame, heartbeats, a disconnect mid-stream, then a
reconnect whose REST backfill fills the gap. Nothing lost, nothing doubled."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from api_testkit import ApiServer, Reply, Request, json_reply, wait_for
from mastodon_statuses import status
from sqlalchemy import Engine, select
from websockets.sync.server import ServerConnection, serve

from hubbub.actions.sources import add_source
from hubbub.config import Settings
from hubbub.pipeline.runner import Pipeline, SourceRunner
from hubbub.post import Post
from hubbub.sources.base import SourceError
from hubbub.sources.mastodon.connector import MastodonSource
from hubbub.store.tables import posts as posts_table
from hubbub.store.tables import sources as sources_table

PUBLIC = "/api/v1/timelines/public"
ALL = [status(n) for n in range(1, 7)]  # 4 and 5 are posted while the stream is down
TOKEN = "stream-secret-token"


class Scenario:
    """Connection 1 streams statuses 1-3 (with a heartbeat and a malformed
    frame) and drops; connection 2 streams 6, then only heartbeats."""

    def __init__(self) -> None:
        self.connections = 0
        self.stop = threading.Event()

    def frames(self) -> Iterator[tuple[str, str] | None]:
        """(event, data) to send, None for a heartbeat; ends = disconnect."""
        self.connections += 1
        if self.connections == 1:
            yield None
            for s in ALL[:3]:
                yield ("update", json.dumps(s))
            yield ("update", "{this is not json")
            yield ("notification", json.dumps({"id": "1", "type": "mention"}))
            return
        yield ("update", json.dumps(ALL[5]))
        while not self.stop.is_set():
            yield None
            time.sleep(0.05)


def timeline(request: Request) -> Reply:
    ordered = ALL
    if "min_id" in request.query:
        ordered = [s for s in ALL if int(s["id"]) > int(request.query["min_id"])]
    return json_reply(list(reversed(ordered[: int(request.query["limit"])])))


def sse_route(scenario: Scenario) -> Any:
    def chunks() -> Iterator[bytes]:
        for frame in scenario.frames():
            if frame is None:
                yield b":thump\n\n"
            else:
                event, data = frame
                yield f"event: {event}\ndata: {data}\n\n".encode()

    return lambda request: Reply(
        200, headers={"Content-Type": "text/event-stream"}, chunks=chunks()
    )


def drain_until(src: MastodonSource, count: int) -> tuple[list[Post], list[Any]]:
    got: list[Post] = []
    errors: list[Any] = []

    def enough() -> bool:
        batch = src.next_batch()
        got.extend(batch.posts)
        errors.extend(batch.errors)
        return len(got) >= count

    wait_for(enough, timeout=10)
    time.sleep(0.2)  # anything late (a duplicate) would show up now
    got.extend(src.next_batch().posts)
    return got, errors


def ids(posts: list[Post]) -> list[str]:
    return [p.raw["id"] for p in posts if p.raw]


@pytest.fixture
def scenario() -> Iterator[Scenario]:
    s = Scenario()
    yield s
    s.stop.set()


def test_sse_reconnects_and_backfills(api_server: ApiServer, scenario: Scenario) -> None:
    api_server.serve("/api/v1/streaming/public", sse_route(scenario))
    api_server.serve(PUBLIC, timeline)
    src = MastodonSource({"url": api_server.base, "transport": "sse", "token": TOKEN})
    posts, errors = drain_until(src, 6)
    assert sorted(ids(posts)) == [s["id"] for s in ALL]
    assert [e.item for e in errors] == ["stream update event"]
    stream_requests = api_server.requests_to("/api/v1/streaming/public")
    assert len(stream_requests) == 2
    assert stream_requests[0].headers["accept"] == "text/event-stream"
    assert stream_requests[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert api_server.requests_to(PUBLIC)[0].query["min_id"] == ALL[2]["id"]  # the backfill
    assert src.snapshot()["last_id"] == ALL[5]["id"]
    reader = src.stream_reader
    src.close()
    assert reader is not None and not reader.alive


def test_websocket_reconnects_and_backfills(api_server: ApiServer, scenario: Scenario) -> None:
    api_server.serve(PUBLIC, timeline)
    seen_requests: list[Any] = []

    def handler(ws: ServerConnection) -> None:
        assert ws.request is not None
        seen_requests.append(ws.request)
        for frame in scenario.frames():
            if frame is None:
                continue  # WebSocket heartbeats are pings, handled by the library
            event, data = frame
            ws.send(json.dumps({"event": event, "stream": ["public"], "payload": data}))
        ws.send("not json at all")  # a malformed frame, then the connection drops

    with serve(handler, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        port = server.socket.getsockname()[1]
        src = MastodonSource(
            {
                "url": api_server.base,
                "streaming_url": f"http://127.0.0.1:{port}",  # as instances announce it
                "transport": "websocket",
                "token": TOKEN,
            }
        )
        try:
            posts, errors = drain_until(src, 6)
        finally:
            reader = src.stream_reader
            src.close()
            scenario.stop.set()  # ends the handler's heartbeat loop
            server.shutdown()
            thread.join(5)
    assert sorted(ids(posts)) == [s["id"] for s in ALL]
    assert {e.item for e in errors} == {"stream update event", "stream message"}
    assert seen_requests[0].path == "/api/v1/streaming?stream=public"
    assert seen_requests[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert reader is not None and not reader.alive


def test_a_refused_stream_token_is_a_source_error(api_server: ApiServer) -> None:
    api_server.serve("/api/v1/streaming/public", json_reply({"error": "invalid token"}, 401))
    src = MastodonSource({"url": api_server.base, "transport": "sse", "token": TOKEN})
    src.next_batch()

    def raised() -> bool:
        try:
            src.next_batch()
        except SourceError as exc:
            assert "credentials" in str(exc) and TOKEN not in str(exc)
            return True
        return False

    wait_for(raised)
    src.close()


def test_streamed_posts_through_the_pipeline(
    engine: Engine, settings: Settings, api_server: ApiServer, scenario: Scenario
) -> None:
    api_server.serve("/api/v1/streaming/public", sse_route(scenario))
    api_server.serve(PUBLIC, timeline)
    source_id = add_source(
        engine, "mastodon", {"url": api_server.base, "transport": "sse", "interval": 1}
    )
    runner = SourceRunner(engine, Pipeline(engine, settings))

    def stored() -> list[str]:
        with engine.connect() as conn:
            row = conn.execute(select(sources_table).where(sources_table.c.id == source_id)).one()
        runner.run_source(row)
        with engine.connect() as conn:
            return [r.external_id for r in conn.execute(select(posts_table.c.external_id))]

    try:
        wait_for(lambda: len(stored()) >= 6, timeout=15)
        time.sleep(0.2)
        external_ids = stored()
    finally:
        runner.close()
    assert sorted(external_ids) == sorted(s["uri"] for s in ALL)
    with engine.connect() as conn:
        cursor = conn.execute(
            select(sources_table.c.cursor).where(sources_table.c.id == source_id)
        ).scalar_one()
    assert cursor["last_id"] == ALL[5]["id"]
