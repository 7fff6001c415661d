"""Edits and upstream deletes through the real pipeline, on both databases:
an edit replaces text, enrichments and matches and keeps the id; a replay is a
no-op; a delete marks or removes the post per the source's setting, in the
transaction that saves the cursor; a delete seen before its create keeps the
post out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from hubbub.actions.queries import create_query, update_query
from hubbub.actions.sources import add_source
from hubbub.bus.inline import InlineBus
from hubbub.config import Settings
from hubbub.events import EVENTS_SUBJECT
from hubbub.listening.parser import parse
from hubbub.listening.search import search
from hubbub.pipeline.messages import MessageVersionError, PostBatch
from hubbub.pipeline.runner import Pipeline
from hubbub.post import Post
from hubbub.sources.base import Deletion
from hubbub.store.posts import load_posts
from hubbub.store.tables import (
    author_handles,
    enrichments,
    matches,
    post_tombstones,
    posts,
    sources,
)

T0 = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def post(external_id: str, text: str, edited: int | None = None, **kw: Any) -> Post:
    return Post(
        platform="mastodon",
        external_id=external_id,
        text=text,
        created_at=T0,
        edited_at=T0 + timedelta(minutes=edited) if edited is not None else None,
        **kw,
    )


class Harness:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.bus = InlineBus()
        self.events: list[dict[str, Any]] = []
        self.bus.subscribe(EVENTS_SUBJECT, self.events.append)
        self.pipeline = Pipeline(engine, settings, self.bus)
        self.seq = 0

    def submit(self, posts_: list[Post], **kw: Any) -> Any:
        self.events.clear()
        self.pipeline.stored.clear()
        self.seq += 1
        self.pipeline.submit(PostBatch(posts=posts_, seq=self.seq, **kw))
        return self.pipeline.stored[-1]

    def events_of(self, kind: str) -> list[dict[str, Any]]:
        return [e for e in self.events if e["type"] == kind]

    def row(self, external_id: str) -> Any:
        with self.engine.connect() as conn:
            return conn.execute(select(posts).where(posts.c.external_id == external_id)).first()

    def matched(self, post_id: int) -> set[int]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(matches.c.query_id).where(matches.c.post_id == post_id))
            return {r.query_id for r in rows}

    def found(self, query: str) -> list[int]:
        with self.engine.connect() as conn:
            return search(conn, parse(query), limit=100)

    def count(self, table: Any) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


@pytest.fixture
def h(engine: Engine, settings: Settings) -> Harness:
    return Harness(engine, settings)


def test_an_edit_replaces_text_and_matches_and_keeps_the_id(h: Harness) -> None:
    toaster = create_query(h.engine, "toaster", "toaster")
    kettle = create_query(h.engine, "kettle", "kettle")
    acme = create_query(h.engine, "acme", "acme")
    first = h.submit([post("s1", "My Acme toaster is wonderful, I love it")])
    (post_id,) = first.post_ids
    assert h.matched(post_id) == {toaster, acme}
    assert h.row("s1").sentiment_label == "positive"

    edit = h.submit([post("s1", "My Acme kettle is terrible, I hate it", edited=5)])
    assert edit.post_ids == [] and edit.edited_ids == [post_id]
    row = h.row("s1")
    assert row.id == post_id and row.text == "My Acme kettle is terrible, I hate it"
    assert row.edited_at.replace(tzinfo=UTC) == T0 + timedelta(minutes=5)
    assert row.sentiment_label == "negative"
    assert h.matched(post_id) == {kettle, acme}  # toaster removed, kettle added, acme kept
    assert h.found("kettle") == [post_id] and h.found("toaster") == []  # full-text follows
    with h.engine.connect() as conn:
        (stored,) = load_posts(conn, [post_id], with_enrichments=True)
    assert stored.enrichments["sentiment"]["label"] == "negative"
    assert h.events_of("posts.edited") == [
        {"type": "posts.edited", "v": 1, "source_id": None, "post_ids": [post_id]}
    ]
    assert [e["query_id"] for e in h.events_of("query.matched")] == [kettle]  # only the new one
    assert h.count(posts) == 1


def test_replays_and_older_versions_are_no_ops(h: Harness) -> None:
    create_query(h.engine, "kettle", "kettle")
    (post_id,) = h.submit([post("s1", "an old toaster")]).post_ids
    h.submit([post("s1", "a new kettle", edited=5)])
    for replay in (
        post("s1", "a new kettle", edited=5),  # the same version again
        post("s1", "a middle version", edited=2),  # older than the stored one
        post("s1", "an old toaster"),  # the original create
    ):
        result = h.submit([replay])
        assert result.post_ids == [] and result.edited_ids == []
        assert result.duplicates_skipped == 1
        assert h.events_of("posts.edited") == []
    assert h.row("s1").text == "a new kettle" and h.row("s1").id == post_id
    assert h.count(posts) == 1


def test_an_edit_keeps_matches_of_disabled_queries(h: Harness) -> None:
    toaster = create_query(h.engine, "toaster", "toaster")
    (post_id,) = h.submit([post("s1", "an old toaster")]).post_ids
    update_query(h.engine, toaster, enabled=False)
    h.submit([post("s1", "now about something else", edited=1)])
    assert h.matched(post_id) == {toaster}  # history the matcher did not look at


def test_an_edit_of_a_post_never_seen_is_stored_as_new(h: Harness) -> None:
    result = h.submit([post("s9", "first seen as an edit", edited=3)])
    assert len(result.post_ids) == 1
    assert h.row("s9").edited_at is not None


def _source(h: Harness, deletes: str) -> int:
    return add_source(
        h.engine, "mastodon", {"url": "https://social.example", "deletes": deletes}, name=deletes
    )


def _cursor(h: Harness, source_id: int) -> Any:
    with h.engine.connect() as conn:
        return conn.execute(select(sources.c.cursor).where(sources.c.id == source_id)).scalar()


def test_delete_marks_the_post_in_the_cursors_transaction(h: Harness) -> None:
    acme = create_query(h.engine, "acme", "acme")
    source_id = _source(h, "mark")
    kept, gone = h.submit(
        [post("s1", "acme one", source_id=source_id), post("s2", "acme two")],
        source_id=source_id,
    ).post_ids
    upstream = T0 + timedelta(hours=1)
    result = h.submit(
        [],
        source_id=source_id,
        cursor={"last_id": "7"},
        deletions=[Deletion("mastodon", "s2", upstream), Deletion("mastodon", "never-stored")],
        delete_mode="mark",
    )
    assert result.deleted_ids == [gone]
    row = h.row("s2")
    assert row.deleted_at.replace(tzinfo=UTC) == upstream and row.text == "acme two"
    assert h.row("s1").deleted_at is None
    assert h.matched(gone) == {acme}  # a marked post keeps its history
    assert _cursor(h, source_id)["last_id"] == "7"
    (event,) = h.events_of("posts.deleted")
    assert event == {
        "type": "posts.deleted",
        "v": 1,
        "source_id": source_id,
        "mode": "mark",
        "post_ids": [gone],
    }
    # replays: the delete again, the create again, an edit after the delete
    again = h.submit(
        [post("s2", "acme two"), post("s2b", "x")][:1],
        deletions=[Deletion("mastodon", "s2")],
    )
    assert again.deleted_ids == [] and again.post_ids == []
    assert h.submit([post("s2", "edited after its delete", edited=9)]).edited_ids == []
    assert h.row("s2").text == "acme two" and h.row("s2").deleted_at is not None
    assert h.count(posts) == 2 and kept != gone


def test_delete_removes_the_post_and_everything_derived(h: Harness) -> None:
    create_query(h.engine, "acme", "acme")
    (kept, gone) = h.submit([post("s1", "acme one"), post("s2", "acme two")]).post_ids
    assert h.found("two") == [gone]
    result = h.submit([], deletions=[Deletion("mastodon", "s2")], delete_mode="remove")
    assert result.deleted_ids == [gone]
    assert h.row("s2") is None and h.found("two") == []  # the FTS row followed
    assert h.matched(gone) == set()
    with h.engine.connect() as conn:
        left = conn.execute(select(enrichments.c.post_id).distinct()).scalars().all()
    assert left == [kept]
    # a replay of the create does not bring it back
    assert h.submit([post("s2", "acme two")]).post_ids == []
    assert h.row("s2") is None
    assert h.events_of("posts.deleted") == []


@pytest.mark.parametrize("mode", ["mark", "remove"])
def test_a_delete_before_its_create_keeps_the_post_out(h: Harness, mode: str) -> None:
    early = h.submit([], deletions=[Deletion("mastodon", "late")], delete_mode=mode)
    assert early.deleted_ids == [] and h.events_of("posts.deleted") == []
    assert h.count(post_tombstones) == 1
    late = h.submit([post("late", "the create, replayed after its delete"), post("ok", "fine")])
    assert len(late.post_ids) == 1 and h.row("late") is None and h.row("ok") is not None


def test_create_and_delete_in_one_batch(h: Harness) -> None:
    result = h.submit(
        [post("s1", "here and gone")], deletions=[Deletion("mastodon", "s1")], delete_mode="mark"
    )
    assert result.deleted_ids == result.post_ids and h.row("s1").deleted_at is not None


def test_ignore_leaves_posts_untouched(h: Harness) -> None:
    h.submit([post("s1", "stays")])
    result = h.submit([], deletions=[Deletion("mastodon", "s1")], delete_mode="ignore")
    assert result.deleted_ids == [] and h.row("s1").deleted_at is None
    assert h.count(post_tombstones) == 0


def test_handles_learnt_fill_in_authors_known_only_by_id(h: Harness) -> None:
    did = "did:plc:bob"
    bsky: dict[str, Any] = {"platform": "bluesky", "author_id": did}
    h.submit([Post(external_id="at://1", text="one", author_handle="bob.example", **bsky)])
    with h.engine.connect() as conn:
        cached = conn.execute(select(author_handles.c.author_id, author_handles.c.handle)).all()
    assert [tuple(r) for r in cached] == [(did, "bob.example")]
    # a later post whose connector could not resolve the DID in time
    h.submit([Post(external_id="at://2", text="two", author_handle=did, **bsky)])
    row = h.row("at://2")
    assert row.author_handle == "bob.example" and row.author_id == did


def test_message_versions() -> None:
    batch = PostBatch(
        posts=[post("s1", "x", edited=1, author_id="a1")],
        deletions=[Deletion("mastodon", "s2", T0), Deletion("bluesky", "at://x")],
        delete_mode="remove",
    )
    back = PostBatch.from_message(batch.to_message())
    assert back.deletions == batch.deletions and back.delete_mode == "remove"
    assert back.posts[0].edited_at == T0 + timedelta(minutes=1)
    assert back.posts[0].author_id == "a1"
    v1 = {"v": 1, "id": "b1", "posts": [post("s1", "x").to_dict()]}
    assert PostBatch.from_message(v1).deletions == []
    with pytest.raises(MessageVersionError):
        PostBatch.from_message({**v1, "v": 3})


def test_the_ui_and_the_api_show_edits_and_deletes(h: Harness, settings: Settings) -> None:
    from fastapi.testclient import TestClient

    from hubbub.interfaces.app import create_app
    from hubbub.workspace import api_token
    from interfaces.conftest import sign_in

    gone, edited, plain = h.submit(
        [post("s1", "<b>gone</b> soon"), post("s2", "before"), post("s3", "as it was")]
    ).post_ids
    h.submit([post("s2", "after the edit", edited=4)])
    h.submit([], deletions=[Deletion("mastodon", "s1", T0 + timedelta(hours=2))])
    with TestClient(create_app(settings)) as client:
        sign_in(client, h.engine, settings)
        html = client.get("/").text
        client.headers["Authorization"] = f"Bearer {api_token(settings)}"
        shown = {i: client.get(f"/api/v1/posts/{i}").json() for i in (gone, edited, plain)}
    assert html.count("data-deleted>deleted upstream<") == 1
    assert "&lt;b&gt;gone&lt;/b&gt; soon" in html  # still escaped
    assert html.count('class="edited"') == 1 and "after the edit" in html
    assert shown[gone]["deleted_at"].startswith("2026-11-01T14:00:00")
    assert shown[edited]["edited_at"].startswith("2026-11-01T12:04:00")
    assert shown[plain]["deleted_at"] is None and shown[plain]["edited_at"] is None


def _refuse_cursor_writes(engine: Engine, on: bool) -> None:
    """A real database failure at the end of the store's transaction."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse BEFORE UPDATE ON sources "
                "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END"
                if on
                else "DROP TRIGGER refuse"
            )
        elif on:
            conn.exec_driver_sql(
                "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'disk on fire'; END $$ LANGUAGE plpgsql"
            )
            conn.exec_driver_sql(
                "CREATE TRIGGER refuse BEFORE UPDATE ON sources "
                "FOR EACH ROW EXECUTE FUNCTION refuse()"
            )
        else:
            conn.exec_driver_sql("DROP TRIGGER refuse ON sources")


def test_a_failed_transaction_loses_neither_the_delete_nor_the_cursor(h: Harness) -> None:
    from sqlalchemy.exc import DBAPIError

    source_id = _source(h, "remove")
    h.submit([post("s1", "doomed")], source_id=source_id, cursor={"last_id": "1"})
    batch = {
        "source_id": source_id,
        "cursor": {"last_id": "2"},
        "deletions": [Deletion("mastodon", "s1")],
        "delete_mode": "remove",
    }
    _refuse_cursor_writes(h.engine, True)
    with pytest.raises(DBAPIError, match="disk on fire"):
        h.submit([], **batch)
    assert h.row("s1") is not None and h.count(post_tombstones) == 0
    assert _cursor(h, source_id)["last_id"] == "1"
    _refuse_cursor_writes(h.engine, False)
    assert h.submit([], **batch).deleted_ids  # the restarted source sends it again
    assert h.row("s1") is None and _cursor(h, source_id)["last_id"] == "2"
