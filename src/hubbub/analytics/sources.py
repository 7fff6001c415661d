"""Source health and safe views of source settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from hubbub.store.tables import ingest_errors, sources

# consecutive failures from which a failing source is reported "down"
DOWN_AFTER_FAILURES = 3
SECRET_MARKERS = ("token", "secret", "password", "key")
HEALTH_STATES = ("disabled", "never run", "ok", "failing", "down")


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything in Hubbub is UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def health_state(row: Any) -> str:
    """``disabled`` | ``never run`` | ``ok`` | ``failing`` (1-2 consecutive
    failures) | ``down`` (3 or more). Disabled wins: nobody expects it to run."""
    if not row.enabled:
        return "disabled"
    failures = row.consecutive_failures or 0
    if failures >= DOWN_AFTER_FAILURES:
        return "down"
    if failures >= 1:
        return "failing"
    if row.last_run_at is None and row.last_success_at is None:
        return "never run"
    return "ok"


def source_health(row: Any) -> dict[str, Any]:
    """The health of one ``sources`` row (any object with its columns as attributes):
    state (see ``health_state``), consecutive_failures, last_run_at,
    last_success_at, last_error_at, last_error, next_run_at, items_ingested,
    items_rejected. Datetimes are timezone-aware UTC."""
    return {
        "state": health_state(row),
        "consecutive_failures": row.consecutive_failures or 0,
        "last_run_at": _aware(row.last_run_at),
        "last_success_at": _aware(row.last_success_at),
        "last_error_at": _aware(row.last_error_at),
        "last_error": row.last_error,
        "next_run_at": _aware(row.next_run_at),
        "items_ingested": row.items_ingested or 0,
        "items_rejected": row.items_rejected or 0,
    }


def is_secret_setting(name: str) -> bool:
    lowered = name.lower()
    return any(marker in lowered for marker in SECRET_MARKERS)


def public_settings(settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """Source settings without anything that looks like a credential."""
    return {k: v for k, v in (settings or {}).items() if not is_secret_setting(k)}


def source_view(row: Any) -> dict[str, Any]:
    """A source as it may be shown: identity, safe settings and health."""
    return {
        "id": row.id,
        "kind": row.kind,
        "name": row.name,
        "enabled": bool(row.enabled),
        "created_at": _aware(row.created_at),
        "settings": public_settings(row.settings),
        "health": source_health(row),
    }


def list_sources(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(select(sources).order_by(sources.c.name)).all()
    return [source_view(r) for r in rows]


def get_source(conn: Connection, source_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(sources).where(sources.c.id == source_id)).first()
    return source_view(row) if row is not None else None


def recent_errors(
    conn: Connection, source_ids: Sequence[int] | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """Newest ingest errors (all sources, or those given), with the source's name."""
    stmt = (
        select(
            ingest_errors.c.id,
            ingest_errors.c.source_id,
            sources.c.name.label("source_name"),
            ingest_errors.c.item,
            ingest_errors.c.message,
            ingest_errors.c.created_at,
        )
        .select_from(ingest_errors.outerjoin(sources, sources.c.id == ingest_errors.c.source_id))
        .order_by(ingest_errors.c.created_at.desc(), ingest_errors.c.id.desc())
        .limit(limit)
    )
    if source_ids is not None:
        stmt = stmt.where(ingest_errors.c.source_id.in_(list(source_ids)))
    return [
        {
            "id": r.id,
            "source_id": r.source_id,
            "source_name": r.source_name,
            "item": r.item,
            "message": r.message,
            "created_at": _aware(r.created_at),
        }
        for r in conn.execute(stmt)
    ]


def error_count(conn: Connection, source_id: int) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(ingest_errors)
            .where(ingest_errors.c.source_id == source_id)
        ).scalar_one()
    )
