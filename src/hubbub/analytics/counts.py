"""Totals for the status page, /healthz and the dashboard."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, func, select

from hubbub.store.tables import listening_queries, matches, posts, sources


def totals(conn: Connection) -> dict[str, int]:
    """Row counts: posts, matches, sources, queries (one round trip)."""
    row = conn.execute(
        select(
            select(func.count()).select_from(posts).scalar_subquery().label("posts"),
            select(func.count()).select_from(matches).scalar_subquery().label("matches"),
            select(func.count()).select_from(sources).scalar_subquery().label("sources"),
            select(func.count()).select_from(listening_queries).scalar_subquery().label("queries"),
        )
    ).one()
    return {
        "posts": row.posts,
        "matches": row.matches,
        "sources": row.sources,
        "queries": row.queries,
    }


def _queries_with_counts() -> Select[Any]:
    counts = (
        select(matches.c.query_id, func.count().label("n")).group_by(matches.c.query_id).subquery()
    )
    return (
        select(listening_queries, func.coalesce(counts.c.n, 0).label("match_count"))
        .select_from(
            listening_queries.outerjoin(counts, counts.c.query_id == listening_queries.c.id)
        )
        .order_by(listening_queries.c.name)
    )


def list_queries(conn: Connection) -> list[dict[str, Any]]:
    """Every saved query with its number of stored matches, by name."""
    return [_query_view(r) for r in conn.execute(_queries_with_counts())]


def get_query(conn: Connection, query_id: int) -> dict[str, Any] | None:
    row = conn.execute(_queries_with_counts().where(listening_queries.c.id == query_id)).first()
    return _query_view(row) if row is not None else None


def _query_view(r: Any) -> dict[str, Any]:
    return {
        "id": r.id,
        "name": r.name,
        "query": r.query,
        "enabled": bool(r.enabled),
        "created_at": r.created_at,
        "updated_at": r.updated_at,
        "match_count": int(r.match_count),
    }


def facet_values(conn: Connection) -> dict[str, list[str]]:
    """Distinct platforms and languages present, for filter drop-downs."""
    platforms = [r[0] for r in conn.execute(select(posts.c.platform).distinct()) if r[0]]
    languages = [r[0] for r in conn.execute(select(posts.c.language).distinct()) if r[0]]
    return {"platforms": sorted(platforms), "languages": sorted(languages)}
