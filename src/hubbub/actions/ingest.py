"""Storing a batch: posts, their enrichments and matches, the items that were
rejected, and the source's cursor and health, in one transaction."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import DBAPIError

from hubbub.bus.base import Bus
from hubbub.events import EVENTS_SUBJECT, PostsStored, QueryMatched
from hubbub.pipeline.messages import PostBatch
from hubbub.pipeline.normalize import item_name
from hubbub.post import Post, utcnow
from hubbub.sources.base import ItemError
from hubbub.store.posts import dialect_insert, ids_for_keys, search_text
from hubbub.store.tables import enrichments, ingest_errors, matches, posts, sources

CURSOR_SEQ = "_seq"


def _post_row(post: Post, search: str | None = None) -> dict[str, Any]:
    sentiment = post.enrichments.get("sentiment") or {}
    dedup = post.enrichments.get("dedup") or {}
    return {
        "platform": post.platform,
        "external_id": post.external_id,
        "url": post.url,
        "title": post.title,
        "author_handle": post.author_handle,
        "author_name": post.author_name,
        "author_followers": post.author_followers,
        "text": post.text,
        "search_text": search if search is not None else search_text(post),
        "language": post.language,
        "created_at": post.created_at,
        "ingested_at": post.ingested_at,
        "reply_to": post.reply_to,
        "thread_root": post.thread_root,
        "likes": post.likes,
        "reposts": post.reposts,
        "replies": post.replies,
        "links": post.links,
        "raw": post.raw,
        "source_id": post.source_id,
        "sentiment_label": sentiment.get("label"),
        "sentiment_score": sentiment.get("score"),
        "dup_cluster": dedup.get("cluster"),
    }


def store_batch(engine: Engine, batch: PostBatch, bus: Bus | None = None) -> PostsStored:
    now = utcnow()
    with engine.begin() as conn:
        new_ids: list[int] = []
        if batch.posts:
            texts = batch.search_texts if len(batch.search_texts) == len(batch.posts) else []
            rows = [_post_row(p, texts[i] if texts else None) for i, p in enumerate(batch.posts)]
            stmt = (
                dialect_insert(conn, posts)
                .on_conflict_do_nothing(index_elements=["platform", "external_id"])
                .returning(posts.c.id, posts.c.platform, posts.c.external_id)
            )
            inserted = {(r.platform, r.external_id): r.id for r in conn.execute(stmt, rows)}
            new_ids = list(inserted.values())
            skipped = len(batch.posts) - len(inserted)
            _store_enrichments(conn, batch, inserted)
            _resolve_duplicates(conn, batch, inserted)
            matched = _store_matches(conn, batch, inserted, now)
        else:
            skipped, matched = 0, {}
        if batch.errors:
            conn.execute(
                ingest_errors.insert(),
                [
                    {
                        "source_id": batch.source_id,
                        "item": e.item[:2000],
                        "message": e.message[:4000],
                        "created_at": now,
                    }
                    for e in batch.errors
                ],
            )
        if batch.source_id is not None:
            _update_source(conn, batch, len(new_ids), now)
    event = PostsStored(
        source_id=batch.source_id,
        post_ids=new_ids,
        duplicates_skipped=batch.duplicates_skipped + skipped,
    )
    if bus is not None:
        bus.publish(EVENTS_SUBJECT, event.to_message())
        for query_id, post_ids in matched.items():
            bus.publish(
                EVENTS_SUBJECT, QueryMatched(query_id=query_id, post_ids=post_ids).to_message()
            )
    return event


def _store_enrichments(conn: Any, batch: PostBatch, inserted: dict[tuple[str, str], int]) -> None:
    rows = []
    for post in batch.posts:
        post_id = inserted.get(post.key)
        if post_id is None:
            continue
        for name, data in post.enrichments.items():
            rows.append(
                {
                    "post_id": post_id,
                    "enricher": name,
                    "version": batch.enricher_versions.get(name, "?"),
                    "data": data,
                }
            )
    if rows:
        conn.execute(enrichments.insert(), rows)


def _resolve_duplicates(conn: Any, batch: PostBatch, inserted: dict[tuple[str, str], int]) -> None:
    """Turn the dedup enricher's "platform:external_id" of the first-seen copy into a post id."""
    wanted: dict[int, tuple[str, str]] = {}
    for post in batch.posts:
        original = (post.enrichments.get("dedup") or {}).get("duplicate_of")
        post_id = inserted.get(post.key)
        if post_id is not None and isinstance(original, str) and ":" in original:
            platform, external_id = original.split(":", 1)
            wanted[post_id] = (platform, external_id)
    if not wanted:
        return
    known = ids_for_keys(conn, set(wanted.values()))
    for post_id, key in wanted.items():
        if key in known and known[key] != post_id:
            conn.execute(update(posts).where(posts.c.id == post_id).values(duplicate_of=known[key]))


def _store_matches(
    conn: Any, batch: PostBatch, inserted: dict[tuple[str, str], int], now: datetime
) -> dict[int, list[int]]:
    by_query: dict[int, list[int]] = defaultdict(list)
    for post, query_ids in zip(batch.posts, batch.matches or [], strict=False):
        post_id = inserted.get(post.key)
        if post_id is None:
            continue
        for query_id in query_ids:
            by_query[query_id].append(post_id)
    rows = [
        {"query_id": q, "post_id": p, "matched_at": now} for q, ids in by_query.items() for p in ids
    ]
    if rows:
        conn.execute(dialect_insert(conn, matches).on_conflict_do_nothing(), rows)
    return dict(by_query)


def _update_source(conn: Any, batch: PostBatch, stored: int, now: datetime) -> None:
    current = conn.execute(select(sources.c.cursor).where(sources.c.id == batch.source_id)).first()
    if current is None:  # the source was removed while its batch was in flight
        return
    values: dict[str, Any] = {
        "items_ingested": sources.c.items_ingested + stored,
        "items_rejected": sources.c.items_rejected + len(batch.errors),
        "last_success_at": now,
        "consecutive_failures": 0,
    }
    stored_seq = (current.cursor or {}).get(CURSOR_SEQ, -1)
    # Batches may be stored out of order at scale: never move a cursor backwards.
    if batch.cursor is not None and batch.seq > stored_seq:
        values["cursor"] = {**batch.cursor, CURSOR_SEQ: batch.seq}
    conn.execute(update(sources).where(sources.c.id == batch.source_id).values(**values))


def store_batch_safely(engine: Engine, batch: PostBatch, bus: Bus | None = None) -> PostsStored:
    """store_batch, and if the database refuses the batch, find the post it
    refuses, report it by name and store the others: one odd post never loses
    its neighbours. A database that refuses everything is not a bad post: raise."""
    try:
        return store_batch(engine, batch, bus)
    except DBAPIError as exc:
        if exc.connection_invalidated or len(batch.posts) < 2:
            raise
        cause = exc
    stored: list[int] = []
    skipped = batch.duplicates_skipped
    errors = list(batch.errors)
    for i, post in enumerate(batch.posts):
        single = PostBatch(
            posts=[post],
            source_id=batch.source_id,
            enricher_versions=batch.enricher_versions,
            matches=batch.matches[i : i + 1],
            search_texts=batch.search_texts[i : i + 1],
        )
        try:
            event = store_batch(engine, single, bus)
        except DBAPIError as exc:
            if exc.connection_invalidated:
                raise
            errors.append(ItemError(item_name(post), f"the database refused this post: {exc.orig}"))
            continue
        stored += event.post_ids
        skipped += event.duplicates_skipped
    if len(errors) - len(batch.errors) == len(batch.posts):
        raise cause
    # the errors and the cursor, now that every storable post is durable
    rest = PostBatch(
        posts=[], errors=errors, source_id=batch.source_id, cursor=batch.cursor, seq=batch.seq
    )
    store_batch(engine, rest, bus)
    return PostsStored(source_id=batch.source_id, post_ids=stored, duplicates_skipped=skipped)
