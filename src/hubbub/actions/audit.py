"""The audit log: every action records who did what to which object, when,
with the state before and after. Called inside the action's transaction, so
the record commits (or rolls back) with the change it describes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert

from hubbub.people.principal import Principal
from hubbub.post import utcnow
from hubbub.store.tables import audit_log


def record(
    conn: Connection,
    actor: Principal,
    action: str,
    object_type: str,
    object_id: int | str | None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    record_many(
        conn, [entry(actor, action, object_type, object_id, before=before, after=after, at=at)]
    )


def entry(
    actor: Principal,
    action: str,
    object_type: str,
    object_id: int | str | None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """One audit row, for ``record_many``."""
    return {
        "at": at or utcnow(),
        "actor_user_id": actor.user_id,
        "actor": actor.label[:300],
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "before": _json_safe(before),
        "after": _json_safe(after),
    }


def record_many(conn: Connection, entries: Sequence[dict[str, Any]]) -> None:
    """Several records in one statement (a batch of routed conversations)."""
    if entries:
        conn.execute(insert(audit_log), list(entries))


def _json_safe(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {k: v.isoformat() if isinstance(v, datetime) else v for k, v in value.items()}
