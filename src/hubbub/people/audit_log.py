"""Reading the audit log: filtered, newest first, in pages keyed on the id
(stable while new entries arrive)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from hubbub.people.hashing import aware
from hubbub.store.tables import audit_log

MAX_PAGE = 200


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None  # substring of the actor's label, or "user:<id>"
    action: str | None = None  # exact, or a prefix ending in "." ("conversation.")
    object_type: str | None = None
    object_id: str | None = None
    since: datetime | None = None


def list_entries(
    conn: Connection, flt: AuditFilter, *, limit: int = 50, before_id: int | None = None
) -> list[dict[str, Any]]:
    query = select(audit_log).order_by(audit_log.c.id.desc()).limit(min(max(limit, 1), MAX_PAGE))
    if flt.actor:
        if flt.actor.startswith("user:") and flt.actor[5:].isdigit():
            query = query.where(audit_log.c.actor_user_id == int(flt.actor[5:]))
        else:
            pattern = "%" + flt.actor.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(audit_log.c.actor.ilike(pattern + "%", escape="\\"))
    if flt.action:
        if flt.action.endswith("."):
            query = query.where(audit_log.c.action.startswith(flt.action, autoescape=True))
        else:
            query = query.where(audit_log.c.action == flt.action)
    if flt.object_type:
        query = query.where(audit_log.c.object_type == flt.object_type)
    if flt.object_id:
        query = query.where(audit_log.c.object_id == flt.object_id)
    if flt.since is not None:
        query = query.where(audit_log.c.at >= flt.since)
    if before_id is not None:
        query = query.where(audit_log.c.id < before_id)
    return [{**dict(r._mapping), "at": aware(r.at)} for r in conn.execute(query)]
