"""Reading a query's backfill progress (written by actions.queries.backfill_query)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from hubbub.post import utcnow
from hubbub.store.tables import listening_queries

# A pending or running backfill whose heartbeat is older than this died with
# its process (a chunk takes well under a second); it is shown as "stalled".
STALE_AFTER = timedelta(minutes=2)
ACTIVE = ("pending", "running")


@dataclass(frozen=True)
class BackfillStatus:
    state: str  # never | pending | running | done | failed | stalled
    done: int
    total: int | None
    matched: int | None
    error: str | None
    updated_at: datetime | None

    @property
    def active(self) -> bool:
        return self.state in ACTIVE

    @property
    def percent(self) -> int:
        if self.state == "done":
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)

    def to_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "matched": self.matched,
            "percent": self.percent,
            "error": self.error,
            "updated_at": self.updated_at.isoformat() if self.updated_at else None,
        }


_COLUMNS = (
    listening_queries.c.id,
    listening_queries.c.backfill_state,
    listening_queries.c.backfill_done,
    listening_queries.c.backfill_total,
    listening_queries.c.backfill_matched,
    listening_queries.c.backfill_error,
    listening_queries.c.backfill_updated_at,
)


def _status(row: Any, now: datetime) -> BackfillStatus:
    updated = row.backfill_updated_at
    if updated is not None and updated.tzinfo is None:
        updated = updated.replace(tzinfo=UTC)  # SQLite hands back naive UTC
    state = row.backfill_state or "never"
    if state in ACTIVE and (updated is None or now - updated > STALE_AFTER):
        state = "stalled"
    return BackfillStatus(
        state=state,
        done=int(row.backfill_done or 0),
        total=row.backfill_total,
        matched=row.backfill_matched,
        error=row.backfill_error,
        updated_at=updated,
    )


def backfill_status(
    conn: Connection, query_id: int, now: datetime | None = None
) -> BackfillStatus | None:
    """The query's backfill progress; None if there is no such query."""
    row = conn.execute(select(*_COLUMNS).where(listening_queries.c.id == query_id)).first()
    return _status(row, now or utcnow()) if row is not None else None


def backfill_statuses(conn: Connection, now: datetime | None = None) -> dict[int, BackfillStatus]:
    """Every query's backfill progress by query id."""
    when = now or utcnow()
    return {r.id: _status(r, when) for r in conn.execute(select(*_COLUMNS))}
