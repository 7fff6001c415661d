"""Storing a batch: posts, their enrichments and matches, the items that were
rejected, and the source's cursor and health, in one transaction."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import DBAPIError

from hubbub.actions.deletions import apply_deletions
from hubbub.actions.edits import apply_edits, replace_matches
from hubbub.bus.base import Bus
from hubbub.events import EVENTS_SUBJECT, PostsDeleted, PostsEdited, PostsStored, QueryMatched
from hubbub.pipeline.messages import PostBatch
from hubbub.pipeline.normalize import item_name
from hubbub.post import Post, as_utc, utcnow
from hubbub.sources.base import ItemError
from hubbub.store.bulk import insert_new
from hubbub.store.post_versions import known_handles, tombstoned_keys
from hubbub.store.posts import dialect_insert, ids_for_keys, search_text
from hubbub.store.tables import (
    author_handles,
    enrichments,
    ingest_errors,
    matches,
    posts,
    sources,
)

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
        "author_id": post.author_id,
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
        "edited_at": as_utc(post.edited_at),
    }


def store_batch(engine: Engine, batch: PostBatch, bus: Bus | None = None) -> PostsStored:
    now = utcnow()
    with engine.begin() as conn:
        stored = _store_posts(conn, batch, now) if batch.posts else _Stored()
        deleted = apply_deletions(conn, batch.deletions, batch.delete_mode, now)
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
            _update_source(conn, batch, len(stored.new_ids), now)
    event = PostsStored(
        source_id=batch.source_id,
        post_ids=stored.new_ids,
        duplicates_skipped=batch.duplicates_skipped + stored.skipped,
        edited_ids=stored.edited_ids,
        deleted_ids=deleted,
    )
    if bus is not None:
        _publish(bus, batch, event, stored.matched)
    return event


@dataclass
class _Stored:
    new_ids: list[int] = field(default_factory=list)
    edited_ids: list[int] = field(default_factory=list)
    skipped: int = 0
    matched: dict[int, list[int]] = field(default_factory=dict)  # query id -> new matches


def _store_posts(conn: Any, batch: PostBatch, now: datetime) -> _Stored:
    """New posts inserted, edits of stored ones applied, the rest skipped."""
    texts = batch.search_texts if len(batch.search_texts) == len(batch.posts) else []
    # the last guard: a post deleted upstream is never stored again
    gone = tombstoned_keys(conn, [p.key for p in batch.posts])
    rows = {
        i: _post_row(p, texts[i] if texts else None)
        for i, p in enumerate(batch.posts)
        if p.key not in gone
    }
    inserted: dict[tuple[str, str], int] = {}
    if rows:
        new = insert_new(
            conn,
            posts,
            list(rows.values()),
            conflict=["platform", "external_id"],
            returning=[posts.c.id, posts.c.platform, posts.c.external_id],
        )
        inserted = {(r.platform, r.external_id): r.id for r in new}
    known = {i: row for i, row in rows.items() if batch.posts[i].key not in inserted}
    edited = apply_edits(conn, batch, known)
    changed = {**inserted, **edited}
    _store_enrichments(conn, batch, changed)
    _resolve_duplicates(conn, batch, changed)
    matched = _store_matches(conn, batch, inserted, now)
    for query_id, post_ids in replace_matches(conn, batch, edited, now).items():
        matched.setdefault(query_id, []).extend(post_ids)
    _remember_handles(conn, [batch.posts[i] for i in rows], now)
    return _Stored(
        new_ids=list(inserted.values()),
        edited_ids=sorted(edited.values()),
        skipped=len(batch.posts) - len(inserted) - len(edited),
        matched=matched,
    )


def _publish(bus: Bus, batch: PostBatch, event: PostsStored, matched: dict[int, list[int]]) -> None:
    """Events, once the transaction has committed."""
    bus.publish(EVENTS_SUBJECT, event.to_message())
    if event.edited_ids:
        edited = PostsEdited(source_id=batch.source_id, post_ids=event.edited_ids)
        bus.publish(EVENTS_SUBJECT, edited.to_message())
    if event.deleted_ids:
        deleted = PostsDeleted(
            source_id=batch.source_id, mode=batch.delete_mode, post_ids=event.deleted_ids
        )
        bus.publish(EVENTS_SUBJECT, deleted.to_message())
    for query_id, post_ids in matched.items():
        bus.publish(EVENTS_SUBJECT, QueryMatched(query_id=query_id, post_ids=post_ids).to_message())


def _remember_handles(conn: Any, stored: list[Post], now: datetime) -> None:
    """Keep the handles connectors resolved for stable author ids (Bluesky DIDs),
    writing only those new or changed."""
    learnt = {
        (p.platform, p.author_id): p.author_handle
        for p in stored
        if p.author_id and p.author_handle and p.author_handle != p.author_id
    }
    if not learnt:
        return
    known = known_handles(conn, learnt)
    rows = [
        {"platform": platform, "author_id": author_id, "handle": handle, "resolved_at": now}
        for (platform, author_id), handle in learnt.items()
        if known.get((platform, author_id), ("",))[0] != handle
    ]
    if rows:
        stmt = dialect_insert(conn, author_handles)
        stmt = stmt.on_conflict_do_update(
            index_elements=["platform", "author_id"],
            set_={"handle": stmt.excluded.handle, "resolved_at": stmt.excluded.resolved_at},
        )
        conn.execute(stmt, rows)


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
    edited: list[int] = []
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
        edited += event.edited_ids
        skipped += event.duplicates_skipped
    if len(errors) - len(batch.errors) == len(batch.posts):
        raise cause
    # the errors, deletes and cursor, now that every storable post is durable
    rest = PostBatch(
        posts=[],
        errors=errors,
        source_id=batch.source_id,
        cursor=batch.cursor,
        seq=batch.seq,
        deletions=batch.deletions,
        delete_mode=batch.delete_mode,
    )
    last = store_batch(engine, rest, bus)
    return PostsStored(
        source_id=batch.source_id,
        post_ids=stored,
        duplicates_skipped=skipped,
        edited_ids=sorted(edited),
        deleted_ids=last.deleted_ids,
    )
