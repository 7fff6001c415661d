"""API tokens: ``hbt_<random>``, stored as a sha256, each with scopes (from
hubbub.people.permissions.SCOPES), an optional expiry and a revocation time.
A token acts as its user, limited to its scopes: the user's role still decides."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from hubbub.people.hashing import aware, digest, new_secret
from hubbub.people.permissions import check_scopes
from hubbub.store.tables import api_tokens, team_members, users

PREFIX = "hbt_"
# last_used_at is written at most this often, not on every request
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class TokenHolder:
    token_id: int
    name: str
    user_id: int
    email: str
    role: str
    scopes: frozenset[str]
    team_ids: frozenset[int]


def issue_token(
    conn: Connection,
    user_id: int,
    name: str,
    scopes: list[str],
    now: datetime,
    expires_at: datetime | None = None,
) -> tuple[int, str]:
    """Store a new token; returns (its id, the secret: shown once, never again)."""
    name = name.strip()
    if not name:
        raise ValueError("an API token needs a name")
    if not scopes:
        raise ValueError("an API token needs at least one scope")
    secret = PREFIX + new_secret()
    token_id = conn.execute(
        insert(api_tokens).values(
            user_id=user_id,
            name=name[:200],
            token_hash=digest(secret),
            prefix=secret[: len(PREFIX) + 4],
            scopes=check_scopes(scopes),
            created_at=now,
            expires_at=expires_at,
        )
    ).inserted_primary_key[0]  # type: ignore[index]
    return int(token_id), secret


def load_token(engine: Engine, secret: str, now: datetime) -> TokenHolder | None:
    """The holder of a valid token, or None (unknown, revoked, expired, or its
    user deactivated)."""
    if not secret.startswith(PREFIX):
        return None
    with engine.connect() as conn:
        # one statement per request: the token, its user, their teams
        rows = conn.execute(
            select(
                api_tokens.c.id,
                api_tokens.c.name,
                api_tokens.c.user_id,
                api_tokens.c.scopes,
                api_tokens.c.expires_at,
                api_tokens.c.revoked_at,
                api_tokens.c.last_used_at,
                users.c.email,
                users.c.role,
                users.c.active,
                team_members.c.team_id,
            )
            .join(users, users.c.id == api_tokens.c.user_id)
            .outerjoin(team_members, team_members.c.user_id == api_tokens.c.user_id)
            .where(api_tokens.c.token_hash == digest(secret))
        ).all()
    if not rows:
        return None
    row = rows[0]
    if row.revoked_at is not None or not row.active:
        return None
    if row.expires_at is not None and now >= aware(row.expires_at):
        return None
    if row.last_used_at is None or now - aware(row.last_used_at) >= TOUCH_EVERY:
        with engine.begin() as conn:
            conn.execute(
                update(api_tokens).where(api_tokens.c.id == row.id).values(last_used_at=now)
            )
    return TokenHolder(
        token_id=int(row.id),
        name=row.name,
        user_id=int(row.user_id),
        email=row.email,
        role=row.role,
        scopes=frozenset(row.scopes),
        team_ids=frozenset(int(r.team_id) for r in rows if r.team_id is not None),
    )


def token_row(conn: Connection, token_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        select(
            api_tokens.c.id,
            api_tokens.c.user_id,
            api_tokens.c.name,
            api_tokens.c.prefix,
            api_tokens.c.scopes,
            api_tokens.c.created_at,
            api_tokens.c.expires_at,
            api_tokens.c.last_used_at,
            api_tokens.c.revoked_at,
        ).where(api_tokens.c.id == token_id)
    ).first()
    return None if row is None else dict(row._mapping)


def list_tokens(conn: Connection, user_id: int | None = None) -> list[dict[str, Any]]:
    """Tokens (never their secrets), newest first; one user's if ``user_id``."""
    query = (
        select(
            api_tokens.c.id,
            api_tokens.c.user_id,
            users.c.email,
            api_tokens.c.name,
            api_tokens.c.prefix,
            api_tokens.c.scopes,
            api_tokens.c.created_at,
            api_tokens.c.expires_at,
            api_tokens.c.last_used_at,
            api_tokens.c.revoked_at,
        )
        .join(users, users.c.id == api_tokens.c.user_id)
        .order_by(api_tokens.c.id.desc())
    )
    if user_id is not None:
        query = query.where(api_tokens.c.user_id == user_id)
    return [dict(r._mapping) for r in conn.execute(query)]


def mark_revoked(conn: Connection, token_id: int, now: datetime) -> None:
    conn.execute(
        update(api_tokens)
        .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def token_id_for(conn: Connection, secret: str) -> int | None:
    found = conn.execute(
        select(api_tokens.c.id).where(api_tokens.c.token_hash == digest(secret))
    ).scalar()
    return None if found is None else int(found)
