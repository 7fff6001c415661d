"""Invitations: a link with a random token, valid for a while, that lets the
invited person choose a password and become a user with the given role and
teams. The row keeps only the token's sha256."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert, select, update

from hubbub.people.hashing import aware, digest, new_secret
from hubbub.store.tables import invitations

VALID_FOR = timedelta(days=7)


def store_invitation(
    conn: Connection,
    *,
    email: str,
    role: str,
    name: str | None,
    team_ids: list[int],
    invited_by: int | None,
    now: datetime,
    valid_for: timedelta = VALID_FOR,
) -> tuple[int, str]:
    """Returns (invitation id, the token for the accept link)."""
    token = new_secret()
    invitation_id = conn.execute(
        insert(invitations).values(
            email=email,
            name=name,
            role=role,
            team_ids=sorted(set(team_ids)),
            token_hash=digest(token),
            invited_by=invited_by,
            created_at=now,
            expires_at=now + valid_for,
        )
    ).inserted_primary_key[0]  # type: ignore[index]
    return int(invitation_id), token


def open_invitation(conn: Connection, token: str, now: datetime) -> dict[str, Any] | None:
    """The invitation behind ``token`` if it is neither used nor expired."""
    row = conn.execute(select(invitations).where(invitations.c.token_hash == digest(token))).first()
    if row is None or row.accepted_at is not None or now >= aware(row.expires_at):
        return None
    return dict(row._mapping)


def mark_accepted(conn: Connection, invitation_id: int, now: datetime) -> bool:
    """Marks it used; False if it already was (two tabs submitting at once)."""
    result = conn.execute(
        update(invitations)
        .where(invitations.c.id == invitation_id, invitations.c.accepted_at.is_(None))
        .values(accepted_at=now)
    )
    return bool(result.rowcount)


def accept_path(token: str) -> str:
    return f"/invite/{token}"
