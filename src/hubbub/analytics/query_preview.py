"""Previewing a query over stored posts: what the CLI, API and web editor show.

``preview`` reads the matching posts newest first within a time window, in
one pass: the full-text index narrows the candidates (``to_fts5`` /
``to_tsquery``, a superset), the window is a SQL condition, and the exact
matcher confirms each row, so the count agrees with what the stream and a
backfill would store. The pass stops at ``cap`` matches (then ``capped``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, and_, or_, select, text

from hubbub.listening.ast import Node
from hubbub.listening.explain import Clause, explain, matched_hits
from hubbub.listening.matcher import Hit, compile_query
from hubbub.listening.search import (
    load_enrichments,
    to_fts5,
    to_tsquery,
    uses_stored_enrichments,
)
from hubbub.post import Post, utcnow
from hubbub.store.posts import POST_COLUMNS, load_posts, row_to_post
from hubbub.store.tables import posts

DEFAULT_CAP = 10_000
FIRST_CHUNK, MAX_CHUNK = 500, 8_000  # rows per read, doubling: a big window costs few reads
MAX_CHART_DAYS = 366  # per-day counts cover at most the last year of the window

_DURATION = re.compile(r"\s*(\d{1,5})\s*([hdw])\s*", re.I)
_UNITS = {"h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


def parse_duration(value: str) -> timedelta:
    """``12h``, ``30d``, ``2w`` -> a timedelta; ValueError with the accepted forms otherwise."""
    m = _DURATION.fullmatch(value or "")
    if m is None or int(m.group(1)) == 0:
        raise ValueError(
            f"cannot read the duration {value!r}: use a number and a unit, e.g. 12h, 30d or 2w"
        )
    return int(m.group(1)) * _UNITS[m.group(2).lower()]


def since_from(value: str | None, now: datetime | None = None) -> datetime | None:
    """The window start for ``--since`` style text; None or "all" means all history."""
    if value is None or value.strip().lower() in ("", "all"):
        return None
    return (now or utcnow()) - parse_duration(value)


@dataclass(frozen=True)
class SamplePost:
    post: Post
    hits: list[Hit]  # char spans per part of the words that matched; never overlapping


@dataclass(frozen=True)
class Preview:
    count: int
    capped: bool  # the count stopped at the cap: there are at least that many
    since: datetime | None
    per_day: list[tuple[str, int]]  # ("YYYY-MM-DD", matches created that UTC day), zero-filled
    sample: list[SamplePost]  # the newest matches, newest first

    def to_dict(self) -> dict[str, Any]:
        return {
            "count": self.count,
            "capped": self.capped,
            "since": self.since.isoformat() if self.since else None,
            "per_day": [{"day": d, "count": n} for d, n in self.per_day],
            # each sample post as before, plus its highlights (as in the API)
            "sample": [
                s.post.to_dict() | {"raw": None, "highlights": hits_json(s.hits)}
                for s in self.sample
            ],
        }


def preview(
    conn: Connection,
    node: Node,
    *,
    since: datetime | None = None,
    limit: int = 10,
    cap: int = DEFAULT_CAP,
    now: datetime | None = None,
) -> Preview:
    """Matches of ``node`` created at or after ``since`` (all history if None)."""
    matcher = compile_query(node)
    with_enrichments = uses_stored_enrichments(node)
    days: Counter[str] = Counter()
    sample: list[SamplePost] = []
    count = 0
    cursor: tuple[Any, int] | None = None
    chunk = FIRST_CHUNK
    window = [posts.c.created_at >= since] if since is not None else []
    while count < cap:
        rows = conn.execute(candidate_page(conn, node, window, cursor, chunk)).all()
        extra = load_enrichments(conn, [r.id for r in rows]) if with_enrichments and rows else {}
        for row in rows:
            post = row_to_post(row, extra.get(row.id))
            if not matcher.matches(post):
                continue
            count += 1
            assert post.created_at is not None
            days[post.created_at.astimezone(UTC).date().isoformat()] += 1
            if len(sample) < limit:
                sample.append(SamplePost(post, merge_hits(matched_hits(node, post))))
            if count >= cap:
                break
        if len(rows) < chunk:
            break
        cursor = (rows[-1].created_at, rows[-1].id)
        chunk = min(chunk * 2, MAX_CHUNK)
    return Preview(count, count >= cap, since, _per_day(days, since, now), sample)


def candidate_page(
    conn: Connection,
    node: Node,
    window: Sequence[ColumnElement[bool]],
    cursor: tuple[Any, int] | None,
    limit: int,
) -> Select[Any]:
    """Up to ``limit`` posts, newest first and older than ``cursor`` (created_at,
    id), within the ``window`` conditions, that the full-text index says ``node``
    may match: a superset for the exact matcher to confirm."""
    stmt = select(*POST_COLUMNS).where(*window)
    if conn.dialect.name == "sqlite":
        fts = to_fts5(node)
        if fts is not None:
            stmt = stmt.where(
                posts.c.id.in_(text("SELECT rowid FROM posts_fts WHERE posts_fts MATCH :fts_q"))
            ).params(fts_q=fts)
    else:
        tsq = to_tsquery(node)
        if tsq is not None:
            stmt = stmt.where(text("posts.search_tsv @@ CAST(:ts_q AS tsquery)")).params(ts_q=tsq)
    if cursor is not None:
        created, last_id = cursor
        stmt = stmt.where(
            or_(
                posts.c.created_at < created,
                and_(posts.c.created_at == created, posts.c.id < last_id),
            )
        )
    return stmt.order_by(posts.c.created_at.desc(), posts.c.id.desc()).limit(limit)


def _per_day(
    days: Counter[str], since: datetime | None, now: datetime | None
) -> list[tuple[str, int]]:
    today = (now or utcnow()).astimezone(UTC).date()
    last = max([today, *(date.fromisoformat(d) for d in days)])
    first = (
        since.astimezone(UTC).date() if since else min(map(date.fromisoformat, days), default=last)
    )
    first = max(first, last - timedelta(days=MAX_CHART_DAYS - 1))
    span = (last - first).days + 1
    keys = [(first + timedelta(days=i)).isoformat() for i in range(span)]
    return [(k, days.get(k, 0)) for k in keys]


def merge_hits(hits: list[Hit]) -> list[Hit]:
    """Overlapping spans in one part become one (``#acme`` is found as ``#acme``
    and as ``acme``); the merged hit names every term, space-separated."""
    out: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.part != "title", h.start, -h.end)):
        prev = out[-1] if out else None
        if prev is not None and prev.part == hit.part and hit.start < prev.end:
            terms = prev.term.split(" ")
            if hit.term not in terms:
                terms.append(hit.term)
            out[-1] = Hit(" ".join(terms), prev.part, prev.start, max(prev.end, hit.end))
        else:
            out.append(hit)
    return out


def hits_json(hits: list[Hit]) -> list[dict[str, Any]]:
    """Spans as JSON: ``start``/``end`` are code-point offsets into the post's ``part``."""
    return [
        {"part": h.part, "start": h.start, "end": h.end, "terms": h.term.split(" ")} for h in hits
    ]


# -- explaining one stored post ------------------------------------------------------


@dataclass(frozen=True)
class PostExplanation:
    post: Post
    tree: Clause
    hits: list[Hit]

    @property
    def matched(self) -> bool:
        return self.tree.matched


def explain_post(conn: Connection, node: Node, post_id: int) -> PostExplanation | None:
    """Why the stored post ``post_id`` does or does not match; None if no such post."""
    found = load_posts(conn, [post_id], with_enrichments=True)
    if not found:
        return None
    post = found[0]
    return PostExplanation(post, explain(post, node), merge_hits(matched_hits(node, post)))


def find_post(conn: Connection, ref: str) -> int | None:
    """A stored post's id from what a person pastes: its id, its URL or its external id."""
    ref = (ref or "").strip()
    if not ref:
        return None
    by_id = ref.isdigit() and len(ref) < 18  # a bigger number is no row id (an external id?)
    if by_id and conn.execute(select(posts.c.id).where(posts.c.id == int(ref))).first():
        return int(ref)
    for column in (posts.c.url, posts.c.external_id):
        row = conn.execute(
            select(posts.c.id).where(column == ref).order_by(posts.c.id).limit(1)
        ).first()
        if row is not None:
            return int(row.id)
    return None
