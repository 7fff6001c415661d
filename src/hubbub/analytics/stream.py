"""The mentions stream: filtered, newest-first, keyset-paginated posts, and
everything one page of them needs, loaded in a fixed handful of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, func, or_, select

from hubbub.listening.ast import Node
from hubbub.listening.search import search
from hubbub.post import Post
from hubbub.store.posts import load_posts
from hubbub.store.tables import listening_queries, matches, posts

MAX_LIMIT = 200
SENTIMENTS = ("positive", "neutral", "negative")
# with a listening query, how many search pages to read while other filters
# discard rows, before giving up on filling the page
MAX_SEARCH_ROUNDS = 20


@dataclass
class StreamFilter:
    query_id: int | None = None
    sentiment: str | None = None
    language: str | None = None
    platform: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    node: Node | None = None  # a parsed listening query

    def sql_conditions(self) -> list[Any]:
        conds: list[Any] = []
        if self.query_id is not None:
            conds.append(
                posts.c.id.in_(select(matches.c.post_id).where(matches.c.query_id == self.query_id))
            )
        if self.sentiment:
            conds.append(posts.c.sentiment_label == self.sentiment)
        if self.language:
            conds.append(posts.c.language == self.language)
        if self.platform:
            conds.append(posts.c.platform == self.platform)
        if self.since is not None:
            conds.append(posts.c.created_at >= self.since)
        if self.until is not None:
            conds.append(posts.c.created_at < self.until)
        return conds


def _after(conn: Connection, before_id: int) -> Any | None:
    created = conn.execute(select(posts.c.created_at).where(posts.c.id == before_id)).scalar()
    if created is None:
        return None
    return or_(
        posts.c.created_at < created,
        and_(posts.c.created_at == created, posts.c.id < before_id),
    )


def stream_ids(
    conn: Connection, flt: StreamFilter, *, limit: int = 50, before_id: int | None = None
) -> list[int]:
    """Ids of the newest posts passing ``flt`` (created_at DESC, id DESC),
    continuing after ``before_id`` when given."""
    limit = max(1, min(limit, MAX_LIMIT))
    conds = flt.sql_conditions()
    if flt.node is None:
        stmt: Select[Any] = select(posts.c.id).where(*conds)
        if before_id is not None:
            after = _after(conn, before_id)
            if after is None:
                return []
            stmt = stmt.where(after)
        stmt = stmt.order_by(posts.c.created_at.desc(), posts.c.id.desc()).limit(limit)
        return [r[0] for r in conn.execute(stmt)]
    # Listening query: search confirms text matches exactly; the plain
    # filters then narrow each page in one IN query.
    found: list[int] = []
    cursor = before_id
    for _ in range(MAX_SEARCH_ROUNDS):
        page = search(conn, flt.node, limit=limit, before_id=cursor)
        if not page:
            break
        if conds:
            keep = {
                r[0] for r in conn.execute(select(posts.c.id).where(posts.c.id.in_(page), *conds))
            }
            page_kept = [i for i in page if i in keep]
        else:
            page_kept = page
        found.extend(page_kept)
        if len(found) >= limit or len(page) < limit:
            break
        cursor = page[-1]
    return found[:limit]


@dataclass
class StreamItem:
    post: Post
    copies: int = 1  # posts in its duplicate cluster (1 = unique)
    copy_number: int = 1  # this post's rank in its cluster, first stored first
    queries: list[tuple[int, str]] = field(default_factory=list)


def load_items(
    conn: Connection, ids: Sequence[int], *, with_enrichments: bool = False
) -> list[StreamItem]:
    """Posts in ``ids`` order with their duplicate-cluster position and the
    queries they matched: three or four queries whatever the page size."""
    loaded = load_posts(conn, ids, with_enrichments=with_enrichments)
    clusters = {
        p.enrichments["dedup"]["cluster"]
        for p in loaded
        if isinstance(p.enrichments.get("dedup"), dict) and p.enrichments["dedup"].get("cluster")
    }
    members: dict[str, list[int]] = defaultdict(list)
    if clusters:
        rows = conn.execute(
            select(posts.c.dup_cluster, posts.c.id)
            .where(posts.c.dup_cluster.in_(list(clusters)))
            .order_by(posts.c.id)
        )
        for r in rows:
            members[r.dup_cluster].append(r.id)
    by_post: dict[int, list[tuple[int, str]]] = defaultdict(list)
    if ids:
        rows = conn.execute(
            select(matches.c.post_id, listening_queries.c.id, listening_queries.c.name)
            .join(listening_queries, listening_queries.c.id == matches.c.query_id)
            .where(matches.c.post_id.in_(list(ids)))
            .order_by(listening_queries.c.name)
        )
        for r in rows:
            by_post[r.post_id].append((r.id, r.name))
    items = []
    for p in loaded:
        assert p.id is not None
        cluster = (p.enrichments.get("dedup") or {}).get("cluster")
        group = members.get(cluster, []) if cluster else []
        item = StreamItem(post=p, queries=by_post.get(p.id, []))
        if len(group) > 1 and p.id in group:
            item.copies = len(group)
            item.copy_number = group.index(p.id) + 1
        items.append(item)
    return items


def count_matches(conn: Connection, query_id: int) -> int:
    return int(
        conn.execute(
            select(func.count()).select_from(matches).where(matches.c.query_id == query_id)
        ).scalar_one()
    )
