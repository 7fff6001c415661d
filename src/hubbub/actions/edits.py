"""Storing an edit: a post already stored, re-delivered with a newer
``edited_at``, replaces the stored text and everything derived from it
(search text, enrichments, matches) and keeps its id. Part of store_batch's
transaction; the conditions in the UPDATE make a replayed or older version,
or an edit of a post deleted upstream, a no-op."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, or_, select, update

from hubbub.pipeline.messages import PostBatch
from hubbub.post import as_utc
from hubbub.store.posts import dialect_insert
from hubbub.store.tables import enrichments, listening_queries, matches, posts

# What an edit never changes: the post's identity and when it was first seen.
_KEPT_ON_EDIT = frozenset({"platform", "external_id", "created_at", "ingested_at", "source_id"})


def apply_edits(
    conn: Connection, batch: PostBatch, rows: dict[int, dict[str, Any]]
) -> dict[tuple[str, str], int]:
    """``rows``: batch index -> the post's row, for posts whose key was already
    stored. Returns the key -> id of those updated."""
    edited: dict[tuple[str, str], int] = {}
    for i, row in rows.items():
        post = batch.posts[i]
        edited_at = as_utc(post.edited_at)
        if edited_at is None:
            continue
        values = {k: v for k, v in row.items() if k not in _KEPT_ON_EDIT}
        values.update(edited_at=edited_at, duplicate_of=None)  # re-resolved below
        post_id = conn.execute(
            update(posts)
            .where(posts.c.platform == post.platform, posts.c.external_id == post.external_id)
            .where(posts.c.deleted_at.is_(None))
            .where(or_(posts.c.edited_at.is_(None), posts.c.edited_at < edited_at))
            .values(**values)
            .returning(posts.c.id)
        ).scalar()
        if post_id is not None:
            edited[post.key] = post_id
    if edited:
        conn.execute(delete(enrichments).where(enrichments.c.post_id.in_(list(edited.values()))))
    return edited


def replace_matches(
    conn: Connection, batch: PostBatch, edited: dict[tuple[str, str], int], now: datetime
) -> dict[int, list[int]]:
    """Make an edited post's matches what the matcher says of its new text.
    Matches of disabled queries are history the matcher did not look at: kept.
    Returns query id -> post ids newly matched."""
    added: dict[int, list[int]] = defaultdict(list)
    enabled = select(listening_queries.c.id).where(listening_queries.c.enabled)
    for post, query_ids in zip(batch.posts, batch.matches or [], strict=False):
        post_id = edited.get(post.key)
        if post_id is None:
            continue
        conn.execute(
            delete(matches)
            .where(matches.c.post_id == post_id)
            .where(matches.c.query_id.in_(enabled))
            .where(matches.c.query_id.not_in(query_ids))
        )
        if not query_ids:
            continue
        inserted = conn.execute(
            dialect_insert(conn, matches).on_conflict_do_nothing().returning(matches.c.query_id),
            [{"query_id": q, "post_id": post_id, "matched_at": now} for q in query_ids],
        )
        for query_id in inserted.scalars():
            added[query_id].append(post_id)
    return dict(added)
