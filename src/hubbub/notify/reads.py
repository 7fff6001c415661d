"""Reading a person's notifications (the page, the API, the nav badge)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from hubbub.store.tables import conversations, notifications

FIELDS = ("id", "kind", "conversation_id", "body", "created_at", "read_at")


def unread_count(conn: Connection, user_id: int | None) -> int:
    if user_id is None:  # the workspace token is nobody
        return 0
    return int(
        conn.execute(
            select(func.count())
            .select_from(notifications)
            .where(notifications.c.user_id == user_id, notifications.c.read_at.is_(None))
        ).scalar_one()
    )


def list_for(
    conn: Connection, user_id: int | None, *, unread_only: bool = False, limit: int = 100
) -> list[dict[str, Any]]:
    """A person's notifications, unread first, newest first within each, with
    the conversation's subject."""
    if user_id is None:
        return []
    query = (
        select(*(notifications.c[f] for f in FIELDS), conversations.c.subject)
        .select_from(
            notifications.outerjoin(
                conversations, conversations.c.id == notifications.c.conversation_id
            )
        )
        .where(notifications.c.user_id == user_id)
        .order_by(
            notifications.c.read_at.is_not(None),
            notifications.c.created_at.desc(),
            notifications.c.id.desc(),
        )
        .limit(limit)
    )
    if unread_only:
        query = query.where(notifications.c.read_at.is_(None))
    return [dict(r) for r in conn.execute(query).mappings()]
