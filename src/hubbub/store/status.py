"""Counts and source health, for `hubbub status`, the API and the UI."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, func, select

from hubbub.store.tables import listening_queries, matches, posts, sources

FAILING_AFTER = 1  # consecutive failures before a source shows as failing
DOWN_AFTER = 3  # ... and as down: it is retried ever more slowly, but shown


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.isoformat()


def source_health(row: Any) -> dict[str, Any]:
    """A source row's health as people read it."""
    if not row.enabled:
        state = "disabled"
    elif row.consecutive_failures >= DOWN_AFTER:
        state = "down"
    elif row.consecutive_failures >= FAILING_AFTER:
        state = "failing"
    elif row.last_run_at is None and row.last_success_at is None:
        state = "never run"
    else:
        state = "ok"
    return {
        "id": row.id,
        "name": row.name,
        "kind": row.kind,
        "state": state,
        "last_run_at": _iso(row.last_run_at),
        "last_success_at": _iso(row.last_success_at),
        "last_error_at": _iso(row.last_error_at),
        "last_error": row.last_error,
        "consecutive_failures": row.consecutive_failures,
        "items_ingested": row.items_ingested,
        "items_rejected": row.items_rejected,
        "next_run_at": _iso(row.next_run_at),
    }


def workspace_status(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        n_posts = conn.execute(select(func.count()).select_from(posts)).scalar_one()
        n_matches = conn.execute(select(func.count()).select_from(matches)).scalar_one()
        n_queries = conn.execute(select(func.count()).select_from(listening_queries)).scalar_one()
        rows = conn.execute(select(sources).order_by(sources.c.id)).all()
    return {
        "posts": n_posts,
        "matches": n_matches,
        "queries": n_queries,
        "sources_count": len(rows),
        "sources": [source_health(r) for r in rows],
    }
