"""Jetstream updates and deletes through the real pipeline into the store, on
both databases: an update replaces the post's text and matches and keeps its
id; a delete marks or removes it per the source's setting; replaying the whole
stream again creates nothing and resurrects nothing; authors become handles."""

from __future__ import annotations

from typing import Any

import pytest
from jetstream_testkit import poll
from sqlalchemy import Engine, select

from hubbub.actions.queries import create_query
from hubbub.actions.sources import add_source
from hubbub.config import Settings
from hubbub.pipeline.runner import Pipeline, SourceRunner
from hubbub.store.tables import author_handles, matches, posts, sources

BOB = "did:plc:bob0000000000000000000bb"
T = 1_725_911_162_000_000


def commit(n: int, operation: str, rkey: str, text: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "rev": f"3l{n}",
        "operation": operation,
        "collection": "app.bsky.feed.post",
        "rkey": rkey,
    }
    if text is not None:
        body["record"] = {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": "2024-09-09T19:46:02.000Z",
            "langs": ["en"],
        }
        body["cid"] = f"bafy{n}"
    return {"did": BOB, "time_us": T + n * 1000, "kind": "commit", "commit": body}


STREAM = [
    commit(1, "create", "3kp1", "My new acme kettle is here"),
    commit(2, "create", "3kp2", "Second acme post, soon gone"),
    commit(3, "create", "3kp3", "Third acme post"),
    commit(4, "update", "3kp1", "My new acme toaster is here"),
    commit(5, "delete", "3kp2"),
]


def run(engine: Engine, settings: Settings, source_id: int, want: int) -> None:
    runner = SourceRunner(engine, Pipeline(engine, settings))

    def done() -> bool:
        with engine.connect() as conn:
            row = conn.execute(select(sources).where(sources.c.id == source_id)).one()
        runner.run_source(row)
        with engine.connect() as conn:
            row = conn.execute(select(sources).where(sources.c.id == source_id)).one()
        return bool(row.cursor) and row.cursor.get("time_us") == T + want * 1000

    try:
        poll(done, timeout=15)
    finally:
        runner.close()


def stored(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        return {r.external_id.rsplit("/", 1)[1]: r for r in conn.execute(select(posts))}


@pytest.mark.parametrize("mode", ["mark", "remove", "ignore"])
def test_update_and_delete_reach_the_store(
    engine: Engine, settings: Settings, jetstream: Any, appview: Any, mode: str
) -> None:
    kettle = create_query(engine, "kettle", "kettle")
    toaster = create_query(engine, "toaster", "toaster")
    view = appview({BOB: {"handle": "bob.example.net", "displayName": "Bob"}})
    url = jetstream(STREAM).url
    options = {"url": url, "deletes": mode, "appview_url": view.url}
    source_id = add_source(engine, "bluesky", options)
    run(engine, settings, source_id, 5)

    rows = stored(engine)
    edited = rows["3kp1"]
    assert edited.text == "My new acme toaster is here" and edited.edited_at is not None
    assert edited.author_handle == "bob.example.net" and edited.author_id == BOB
    with engine.connect() as conn:
        matched = {
            (r.query_id, r.post_id)
            for r in conn.execute(select(matches.c.query_id, matches.c.post_id))
        }
        handles = conn.execute(select(author_handles.c.author_id, author_handles.c.handle)).all()
    assert (toaster, edited.id) in matched and (kettle, edited.id) not in matched
    assert [tuple(h) for h in handles] == [(BOB, "bob.example.net")]
    if mode == "mark":
        assert rows["3kp2"].deleted_at is not None
    elif mode == "remove":
        assert "3kp2" not in rows
    else:
        assert rows["3kp2"].deleted_at is None
    before = {k: (r.id, r.text) for k, r in rows.items()}

    # the whole stream again, from the start: nothing new, nothing back
    again = add_source(engine, "bluesky", options, name="from the start")
    run(engine, settings, again, 5)
    assert {k: (r.id, r.text) for k, r in stored(engine).items()} == before
