"""Which posts an analysis reads: all posts, a saved query's matches, or the
posts a query text matches, within a time window, sampled to a cap.

Topics, trends, campaigns and facets all start here, so "the posts of query X
this week" means the same thing on every page. A sample is deterministic (a
fixed hash of the post id), so the same request gives the same answer.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, or_, select

from hubbub.analytics.query_preview import candidate_page
from hubbub.listening.ast import Node
from hubbub.listening.matcher import compile_query
from hubbub.listening.parser import parse
from hubbub.listening.search import load_enrichments, uses_stored_enrichments
from hubbub.post import as_utc
from hubbub.store.posts import row_to_post
from hubbub.store.tables import listening_queries, matches, posts

ALL_POSTS = ("", "*", "all")
# a query text is confirmed post by post: stop reading after this many matches
MAX_SCAN = 200_000
_CHUNK = 2_000
_COLUMNS = (
    posts.c.id,
    posts.c.platform,
    posts.c.text,
    posts.c.title,
    posts.c.url,
    posts.c.author_handle,
    posts.c.author_id,
    posts.c.created_at,
    posts.c.sentiment_label,
    posts.c.dup_cluster,
    posts.c.likes,
    posts.c.reposts,
    posts.c.links,
)


@dataclass(frozen=True)
class Scope:
    """What to analyse: ``query_id`` (a saved query's stored matches), ``node``
    (a query text matched now), or neither (every post)."""

    label: str
    query_id: int | None = None
    node: Node | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "query_id": self.query_id}


@dataclass(frozen=True)
class ScopedPost:
    id: int
    platform: str
    text: str
    title: str | None
    url: str | None
    author: str | None  # "platform:handle-or-id", None when the source gave none
    author_handle: str | None
    created_at: datetime
    sentiment: str | None
    dup_cluster: str | None
    engagement: int
    links: list[str]

    def summary(self) -> dict[str, Any]:
        """What a page or the API shows of a post (its text is untrusted)."""
        return {
            "id": self.id,
            "platform": self.platform,
            "author": self.author_handle,
            "text": self.text[:500],
            "url": self.url,
            "created_at": self.created_at.isoformat(),
            "sentiment": self.sentiment,
        }


@dataclass(frozen=True)
class Selection:
    posts: list[ScopedPost]  # oldest first
    total: int  # posts in scope and window (at least, when capped)
    sampled: bool  # posts is a sample of total
    capped: bool = False  # a query text stopped scanning at MAX_SCAN matches


def resolve_scope(conn: Connection, query: str | int | None) -> Scope:
    """None, "", "*" or "all": every post. A saved query's id or exact name: its
    stored matches. Anything else is a query text (QuerySyntaxError if malformed)."""
    if query is None or str(query).strip().lower() in ALL_POSTS:
        return Scope("all posts")
    ref = str(query).strip()
    saved = listening_queries.c
    cond = saved.name == ref
    if ref.isdigit() and len(ref) < 12:
        cond = or_(cond, saved.id == int(ref))
    row = conn.execute(select(saved.id, saved.name).where(cond).order_by(saved.id).limit(1)).first()
    if row is not None:
        return Scope(f"query {row.name}", query_id=int(row.id))
    return Scope(ref, node=parse(ref))


def select_posts(
    conn: Connection,
    scope: Scope,
    start: datetime | None,
    end: datetime | None,
    *,
    cap: int | None = None,
) -> Selection:
    """The posts of ``scope`` created in [start, end), at most ``cap`` of them."""
    if scope.node is not None:
        ids, capped = _matching_ids(conn, scope.node, start, end)
    else:
        stmt = select(posts.c.id).where(*_window(start, end))
        if scope.query_id is not None:
            stmt = stmt.where(
                posts.c.id.in_(
                    select(matches.c.post_id).where(matches.c.query_id == scope.query_id)
                )
            )
        ids, capped = [r.id for r in conn.execute(stmt)], False
    total = len(ids)
    if cap is not None and total > cap:
        ids = sample_ids(ids, cap)
    found = sorted(load_scoped(conn, ids), key=lambda p: (p.created_at, p.id))
    return Selection(found, total, len(ids) < total, capped)


def sample_ids(ids: Sequence[int], size: int) -> list[int]:
    """A deterministic, evenly spread sample: the ids with the smallest fixed hash."""
    # Knuth's multiplicative hash: consecutive ids land far apart
    return sorted(sorted(ids, key=lambda i: (i * 2654435761) % 2**32)[:size])


def load_scoped(conn: Connection, ids: Sequence[int]) -> Iterator[ScopedPost]:
    for at in range(0, len(ids), _CHUNK):
        chunk = list(ids[at : at + _CHUNK])
        for row in conn.execute(select(*_COLUMNS).where(posts.c.id.in_(chunk))):
            yield _scoped(row)


def _scoped(row: Any) -> ScopedPost:
    who = row.author_id or row.author_handle
    created = as_utc(row.created_at)
    assert created is not None  # NOT NULL column
    return ScopedPost(
        id=row.id,
        platform=row.platform,
        text=row.text or "",
        title=row.title,
        url=row.url,
        author=f"{row.platform}:{who.lower()}" if who else None,
        author_handle=row.author_handle,
        created_at=created,
        sentiment=row.sentiment_label,
        dup_cluster=row.dup_cluster,
        engagement=(row.likes or 0) + (row.reposts or 0),
        links=list(row.links or []),
    )


def _window(start: datetime | None, end: datetime | None) -> list[Any]:
    conds = []
    if start is not None:
        conds.append(posts.c.created_at >= start)
    if end is not None:
        conds.append(posts.c.created_at < end)
    return conds


def _matching_ids(
    conn: Connection, node: Node, start: datetime | None, end: datetime | None
) -> tuple[list[int], bool]:
    """Ids of posts in the window that ``node`` matches: full-text candidates
    (a superset) confirmed by the exact matcher, as history search does."""
    matcher = compile_query(node)
    with_enrichments = uses_stored_enrichments(node)
    found: list[int] = []
    window = _window(start, end)
    cursor: tuple[Any, int] | None = None
    while len(found) < MAX_SCAN:
        rows = conn.execute(candidate_page(conn, node, window, cursor, _CHUNK)).all()
        extra = load_enrichments(conn, [r.id for r in rows]) if with_enrichments and rows else {}
        found += [r.id for r in rows if matcher.matches(row_to_post(r, extra.get(r.id)))]
        if len(rows) < _CHUNK:
            return found, False
        cursor = (rows[-1].created_at, rows[-1].id)
    return found[:MAX_SCAN], True
