"""Counts over time: volume per query and sentiment per bucket."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import Connection, func, literal_column, select

from hubbub.post import utcnow
from hubbub.store.tables import listening_queries, matches, posts

Bucket = Literal["day", "hour"]
SENTIMENT_LABELS = ("positive", "neutral", "negative")


def _bucket_expr(conn: Connection, bucket: Bucket) -> Any:
    """A SQL expression naming a post's bucket as text: 'YYYY-MM-DD' or 'YYYY-MM-DDTHH'."""
    if conn.dialect.name == "postgresql":
        fmt = "YYYY-MM-DD" if bucket == "day" else 'YYYY-MM-DD"T"HH24'
        return func.to_char(func.timezone("UTC", posts.c.created_at), fmt)
    # SQLite stores the UTC time as 'YYYY-MM-DD HH:MM:SS[.ffffff]'
    fmt = "%Y-%m-%d" if bucket == "day" else "%Y-%m-%dT%H"
    return func.strftime(fmt, posts.c.created_at)


def bucket_keys(days: int, bucket: Bucket, now: datetime | None = None) -> list[str]:
    """Every bucket of the window, oldest first, so quiet periods show as zero."""
    now = (now or utcnow()).astimezone(UTC)
    if bucket == "day":
        start = (now - timedelta(days=days - 1)).date()
        return [(start + timedelta(days=i)).isoformat() for i in range(days)]
    first = now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=days * 24 - 1)
    return [(first + timedelta(hours=i)).strftime("%Y-%m-%dT%H") for i in range(days * 24)]


def window_start(days: int, bucket: Bucket, now: datetime | None = None) -> datetime:
    now = (now or utcnow()).astimezone(UTC)
    if bucket == "day":
        return datetime.combine((now - timedelta(days=days - 1)).date(), datetime.min.time(), UTC)
    return now.replace(minute=0, second=0, microsecond=0) - timedelta(hours=days * 24 - 1)


def volume(
    conn: Connection,
    *,
    query_id: int | None = None,
    days: int = 14,
    bucket: Bucket = "day",
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Posts per bucket over the last ``days``: all posts, or one query's matches.
    ``[{"bucket": "2026-11-20", "count": 3}, ...]`` oldest first."""
    b = _bucket_expr(conn, bucket).label("b")
    stmt = select(b, func.count().label("n")).where(
        posts.c.created_at >= window_start(days, bucket, now)
    )
    if query_id is not None:
        stmt = stmt.where(
            posts.c.id.in_(select(matches.c.post_id).where(matches.c.query_id == query_id))
        )
    counts = {r.b: r.n for r in conn.execute(stmt.group_by(literal_column("b")))}
    return [{"bucket": k, "count": int(counts.get(k, 0))} for k in bucket_keys(days, bucket, now)]


def volume_by_query(
    conn: Connection, *, days: int = 14, bucket: Bucket = "day", now: datetime | None = None
) -> list[dict[str, Any]]:
    """One series per saved query, in one grouped SQL query:
    ``[{"query_id", "name", "points": [{"bucket", "count"}]}]``."""
    b = _bucket_expr(conn, bucket).label("b")
    stmt = (
        select(matches.c.query_id, b, func.count().label("n"))
        .join(posts, posts.c.id == matches.c.post_id)
        .where(posts.c.created_at >= window_start(days, bucket, now))
        .group_by(matches.c.query_id, literal_column("b"))
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for r in conn.execute(stmt):
        counts[r.query_id][r.b] = int(r.n)
    keys = bucket_keys(days, bucket, now)
    queries = conn.execute(
        select(listening_queries.c.id, listening_queries.c.name).order_by(listening_queries.c.name)
    ).all()
    return [
        {
            "query_id": q.id,
            "name": q.name,
            "points": [{"bucket": k, "count": counts[q.id].get(k, 0)} for k in keys],
        }
        for q in queries
    ]


def sentiment_over_time(
    conn: Connection,
    *,
    query_id: int | None = None,
    days: int = 14,
    bucket: Bucket = "day",
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Per bucket, posts per sentiment label (positive, neutral, negative;
    posts without a label count as ``unknown``), oldest first."""
    b = _bucket_expr(conn, bucket).label("b")
    stmt = select(b, posts.c.sentiment_label, func.count().label("n")).where(
        posts.c.created_at >= window_start(days, bucket, now)
    )
    if query_id is not None:
        stmt = stmt.where(
            posts.c.id.in_(select(matches.c.post_id).where(matches.c.query_id == query_id))
        )
    stmt = stmt.group_by(literal_column("b"), posts.c.sentiment_label)
    counts: dict[str, dict[str, int]] = defaultdict(dict)
    for r in conn.execute(stmt):
        label = r.sentiment_label if r.sentiment_label in SENTIMENT_LABELS else "unknown"
        counts[r.b][label] = counts[r.b].get(label, 0) + int(r.n)
    out = []
    for k in bucket_keys(days, bucket, now):
        row: dict[str, Any] = {"bucket": k}
        for label in (*SENTIMENT_LABELS, "unknown"):
            row[label] = counts[k].get(label, 0)
        out.append(row)
    return out


def sentiment_totals(conn: Connection, *, query_id: int | None = None) -> dict[str, int]:
    stmt = select(posts.c.sentiment_label, func.count().label("n")).group_by(
        posts.c.sentiment_label
    )
    if query_id is not None:
        stmt = stmt.where(
            posts.c.id.in_(select(matches.c.post_id).where(matches.c.query_id == query_id))
        )
    out = dict.fromkeys((*SENTIMENT_LABELS, "unknown"), 0)
    for r in conn.execute(stmt):
        label = r.sentiment_label if r.sentiment_label in SENTIMENT_LABELS else "unknown"
        out[label] += int(r.n)
    return out
