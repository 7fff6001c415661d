"""The store stage, exactly once per message.

JetStream delivers at least once: a worker that dies after its commit but
before its ack gets the batch again. The posts and matches would survive that
anyway (unique keys, ON CONFLICT DO NOTHING), but the rejected items and the
source's counters would not. So the batch id is claimed in
``processed_messages`` inside the same transaction that stores the batch: a
redelivered batch finds its claim and changes nothing.

``actions.ingest.store_batch`` opens its own transaction; it is joined to ours
through a stand-in whose ``begin()`` hands back our connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Connection, Engine, delete
from sqlalchemy.exc import DBAPIError

from hubbub.actions.ingest import store_batch
from hubbub.bus.base import Bus, Handler, Message
from hubbub.events import PostsStored
from hubbub.pipeline.messages import PostBatch
from hubbub.pipeline.normalize import item_name
from hubbub.post import utcnow
from hubbub.sources.base import ItemError
from hubbub.store.posts import dialect_insert
from hubbub.store.tables import processed_messages
from hubbub.workers.transient import is_transient

STAGE = "store"


class _Joined:
    """Looks like an Engine to store_batch; its transaction is the caller's."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        yield self._conn


class _Held:
    """A Bus that keeps what store_batch publishes until the commit."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, Message]] = []

    def publish(self, subject: str, message: Message) -> None:
        self.messages.append((subject, message))

    def subscribe(self, subject: str, handler: Handler) -> None:
        raise TypeError("the store's held bus only collects what it publishes")

    def drain(self) -> None:
        pass


def claim(conn: Connection, stage: str, message_id: str) -> bool:
    """Record that ``stage`` applied ``message_id``; False if it already had.
    Concurrent claims of one id serialise on the primary key."""
    stmt = (
        dialect_insert(conn, processed_messages)
        .values(stage=stage, message_id=message_id[:100], processed_at=utcnow())
        .on_conflict_do_nothing()
        # RETURNING, not rowcount: psycopg reports -1 for this statement
        .returning(processed_messages.c.message_id)
    )
    return conn.execute(stmt).first() is not None


def store_once(engine: Engine, batch: PostBatch, bus: Bus | None = None) -> PostsStored | None:
    """Store the batch unless this batch id was stored before (then None).
    Events are published after the commit. An unreachable store raises (the
    message is retried), never turns into rejected posts."""
    held = _Held()
    try:
        with engine.begin() as conn:
            if not claim(conn, STAGE, batch.id):
                return None
            event = store_batch(cast(Engine, _Joined(conn)), batch, held)
    except DBAPIError as exc:
        if is_transient(exc) or len(batch.posts) < 2:
            raise
        held = _Held()
        event = _post_by_post(engine, batch, held, exc)
    if bus is not None:
        for subject, message in held.messages:
            bus.publish(subject, message)
    return event


def _post_by_post(engine: Engine, batch: PostBatch, held: _Held, cause: DBAPIError) -> PostsStored:
    """The database refuses one of the posts: store the others one by one (each
    unique by key, so a retry after a crash half-way doubles nothing), name the
    refused ones, then store the errors and cursor with the batch's claim."""
    stored: list[int] = []
    skipped = batch.duplicates_skipped
    errors = list(batch.errors)
    for i, post in enumerate(batch.posts):
        single = replace(
            batch,
            posts=[post],
            matches=batch.matches[i : i + 1],
            search_texts=batch.search_texts[i : i + 1],
            errors=[],
            cursor=None,
            deletions=[],
            duplicates_skipped=0,
        )
        try:
            event = store_batch(engine, single, held)
        except DBAPIError as exc:
            if is_transient(exc):
                raise
            errors.append(ItemError(item_name(post), f"the database refused this post: {exc.orig}"))
            continue
        stored += event.post_ids
        skipped += event.duplicates_skipped
    if len(errors) - len(batch.errors) == len(batch.posts):
        raise cause  # it refuses everything: not a bad post
    rest = replace(batch, posts=[], matches=[], search_texts=[], errors=errors)
    with engine.begin() as conn:
        if claim(conn, STAGE, batch.id):
            store_batch(cast(Engine, _Joined(conn)), rest, held)
    return PostsStored(source_id=batch.source_id, post_ids=stored, duplicates_skipped=skipped)


def prune_processed(engine: Engine, older_than: timedelta = timedelta(days=7)) -> int:
    """Forget claims older than any redelivery could be (JetStream redelivers
    within minutes; a replayed dead letter is stored again only if it never was)."""
    with engine.begin() as conn:
        result: Any = conn.execute(
            delete(processed_messages).where(
                processed_messages.c.processed_at < utcnow() - older_than
            )
        )
    return int(result.rowcount or 0)
