"""Notifications: what a person is told (a mention, an assignment, an SLA
breach, a rule's "notify"). ``notify`` runs inside the caller's transaction so
the notification commits with its cause; its dedupe key makes a replayed
cause (a redelivered message, a re-run check) notify nobody twice.
E-mail and webhook sends happen later, in hubbub.notify.deliver."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Literal

from sqlalchemy import Connection, Engine, select, update

from hubbub.actions import audit
from hubbub.people.principal import Principal
from hubbub.post import utcnow
from hubbub.store.posts import dialect_insert
from hubbub.store.tables import notifications, users

KINDS = ("mention", "assignment", "sla_breach", "rule", "reply_failed")
_KEY_MAX = 200  # notifications.dedupe_key


def row_key(dedupe_key: str, user_id: int) -> str:
    """The stored key: one notification per cause and person."""
    key = f"{dedupe_key}:{user_id}"
    if len(key) <= _KEY_MAX:
        return key
    # a long cause key is hashed rather than cut, so two causes never collide
    return f"h:{hashlib.sha256(dedupe_key.encode()).hexdigest()}:{user_id}"


def notify(
    conn: Connection,
    user_ids: Iterable[int],
    kind: str,
    body: str,
    *,
    conversation_id: int | None = None,
    dedupe_key: str,
    at: datetime | None = None,
) -> list[int]:
    """Notify each active person once per ``dedupe_key``; the new rows' ids
    (none for a person already told, or inactive)."""
    wanted = sorted({int(u) for u in user_ids})
    if not wanted:
        return []
    active = conn.execute(
        select(users.c.id).where(users.c.id.in_(wanted), users.c.active.is_(True))
    ).scalars()
    now = at or utcnow()
    created: list[int] = []
    for user_id in sorted(active):
        new_id = conn.execute(
            dialect_insert(conn, notifications)
            .values(
                user_id=user_id,
                kind=kind,
                conversation_id=conversation_id,
                body=body[:2000],
                dedupe_key=row_key(dedupe_key, user_id),
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["dedupe_key"])
            .returning(notifications.c.id)
        ).scalar()
        if new_id is not None:
            created.append(int(new_id))
    return created


def mark_read(
    engine: Engine,
    actor: Principal,
    ids: Sequence[int] | Literal["all"],
    *,
    at: datetime | None = None,
) -> int:
    """Mark some (or all) of the actor's own unread notifications read; how many."""
    actor.require("notification.view")
    if actor.user_id is None:  # the workspace token has no notifications
        return 0
    now = at or utcnow()
    where = [notifications.c.user_id == actor.user_id, notifications.c.read_at.is_(None)]
    if ids != "all":
        wanted = sorted({int(i) for i in ids})
        if not wanted:
            return 0
        where.append(notifications.c.id.in_(wanted))
    with engine.begin() as conn:
        marked = list(
            conn.execute(
                update(notifications)
                .where(*where)
                .values(read_at=now)
                .returning(notifications.c.id)
            ).scalars()
        )
        if marked:
            audit.record(
                conn,
                actor,
                "notification.read",
                "notification",
                marked[0] if len(marked) == 1 else None,
                after={"ids": sorted(marked)},
                at=now,
            )
    return len(marked)
