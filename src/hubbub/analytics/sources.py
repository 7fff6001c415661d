"""Source health and safe views of source settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from hubbub.post import utcnow
from hubbub.store.credentials import mask_settings
from hubbub.store.tables import ingest_errors, posts, sources

# the default of the source_failing_after setting
DEFAULT_FAILING_AFTER = 3
HEALTH_STATES = ("ok", "idle", "backing off", "failing", "disabled", "never run")
UNHEALTHY_STATES = ("backing off", "failing")
RATE_WINDOWS = (15, 60)  # minutes over which items per minute are counted
IDLE_MINUTES = 60  # a working source that stored nothing for this long is "idle"


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything in Hubbub is UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def health_state(
    row: Any, failing_after: int = DEFAULT_FAILING_AFTER, items_last_hour: int | None = None
) -> str:
    """``disabled`` | ``failing`` (``failing_after`` or more failures in a row)
    | ``backing off`` (fewer: retried later, ever more slowly) | ``never run``
    | ``idle`` (works, but stored nothing in the last hour) | ``ok``.
    Disabled wins: nobody expects it to run."""
    if not row.enabled:
        return "disabled"
    failures = row.consecutive_failures or 0
    if failures >= failing_after:
        return "failing"
    if failures >= 1:
        return "backing off"
    if row.last_run_at is None and row.last_success_at is None:
        return "never run"
    if items_last_hour == 0:
        return "idle"
    return "ok"


def _cursor_time(cursor: Mapping[str, Any] | None) -> datetime | None:
    # A connector whose cursor is a time says how far it has read (Bluesky: microseconds).
    time_us = (cursor or {}).get("time_us")
    if isinstance(time_us, int) and not isinstance(time_us, bool) and time_us > 0:
        return datetime.fromtimestamp(time_us / 1_000_000, UTC)
    return None


def source_health(
    row: Any, failing_after: int = DEFAULT_FAILING_AFTER, now: datetime | None = None
) -> dict[str, Any]:
    """The health of one ``sources`` row (any object with its columns as
    attributes, plus ``newest_item_at``, ``items_15m`` and ``items_60m`` when
    read by ``list_sources``). Datetimes are timezone-aware UTC; see
    ``interfaces/api/schemas.py`` SourceHealth for each field."""
    now = now or utcnow()
    counts = {m: getattr(row, f"items_{m}m", None) for m in RATE_WINDOWS}
    newest = _aware(getattr(row, "newest_item_at", None))
    read_up_to = _cursor_time(row.cursor)
    lag_basis = "cursor" if read_up_to else ("newest item" if newest else None)
    live_edge = read_up_to or newest
    lag = max(0.0, (now - live_edge).total_seconds()) if live_edge else None
    return {
        "state": health_state(row, failing_after, counts[60]),
        "consecutive_failures": row.consecutive_failures or 0,
        "failing_after": failing_after,
        "last_run_at": _aware(row.last_run_at),
        "last_success_at": _aware(row.last_success_at),
        "last_error_at": _aware(row.last_error_at),
        "last_error": row.last_error,
        "next_run_at": _aware(row.next_run_at),
        "newest_item_at": newest,
        "lag_seconds": lag,
        "lag_basis": lag_basis,
        "items_per_minute_15m": None if counts[15] is None else round(counts[15] / 15, 2),
        "items_per_minute_60m": None if counts[60] is None else round(counts[60] / 60, 2),
        "items_ingested": row.items_ingested or 0,
        "items_rejected": row.items_rejected or 0,
    }


def public_settings(kind: str, settings: Mapping[str, Any] | None) -> dict[str, Any]:
    """Source settings as they may be shown: credentials replaced by ``********``."""
    return mask_settings(kind, settings)


def source_view(
    row: Any, failing_after: int = DEFAULT_FAILING_AFTER, now: datetime | None = None
) -> dict[str, Any]:
    """A source as it may be shown: identity, safe settings and health."""
    return {
        "id": row.id,
        "kind": row.kind,
        "name": row.name,
        "enabled": bool(row.enabled),
        "created_at": _aware(row.created_at),
        "settings": public_settings(row.kind, row.settings),
        "health": source_health(row, failing_after, now),
    }


def _with_activity(now: datetime) -> Any:
    """Every source with its newest item's time and its items in each window:
    correlated subqueries, each an index range on posts (source_id, ...)."""
    p = posts.alias("p")
    columns = [
        select(func.max(p.c.created_at))
        .where(p.c.source_id == sources.c.id)
        .scalar_subquery()
        .label("newest_item_at")
    ]
    for minutes in RATE_WINDOWS:
        columns.append(
            select(func.count())
            .select_from(p)
            .where(
                p.c.source_id == sources.c.id, p.c.ingested_at >= now - timedelta(minutes=minutes)
            )
            .scalar_subquery()
            .label(f"items_{minutes}m")
        )
    return select(sources, *columns)


def list_sources(
    conn: Connection, failing_after: int = DEFAULT_FAILING_AFTER, now: datetime | None = None
) -> list[dict[str, Any]]:
    now = now or utcnow()
    rows = conn.execute(_with_activity(now).order_by(sources.c.name)).all()
    return [source_view(r, failing_after, now) for r in rows]


def get_source(
    conn: Connection,
    source_id: int,
    failing_after: int = DEFAULT_FAILING_AFTER,
    now: datetime | None = None,
) -> dict[str, Any] | None:
    now = now or utcnow()
    row = conn.execute(_with_activity(now).where(sources.c.id == source_id)).first()
    return source_view(row, failing_after, now) if row is not None else None


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
