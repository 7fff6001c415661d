"""Server-side web sessions. The cookie holds a random token; the row holds
its sha256, the user, and two clocks: an absolute end (``expires_at``, set at
login) and an idle limit counted from ``last_seen_at``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, delete, insert, select, update

from hubbub.config import Settings
from hubbub.people.hashing import aware, digest, new_secret
from hubbub.store.tables import team_members, users, web_sessions

COOKIE = "hubbub_session"
# last_seen_at is written at most this often: one write a minute, not one a request
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class SessionPolicy:
    idle: timedelta
    max_age: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> SessionPolicy:
        return cls(
            idle=timedelta(minutes=settings.session_idle_minutes),
            max_age=timedelta(hours=settings.session_max_hours),
        )


@dataclass(frozen=True)
class SessionUser:
    user_id: int
    email: str
    role: str
    team_ids: frozenset[int]
    token_hash: str


def create_session(conn: Connection, user_id: int, now: datetime, policy: SessionPolicy) -> str:
    """A new session for ``user_id``; returns the cookie's token (shown once)."""
    token = new_secret()
    conn.execute(
        insert(web_sessions).values(
            token_hash=digest(token),
            user_id=user_id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + policy.max_age,
        )
    )
    return token


def load_session(
    engine: Engine, token: str | None, now: datetime, policy: SessionPolicy
) -> SessionUser | None:
    """The active user behind ``token``, or None (unknown, expired, idle too long,
    or the user deactivated). Expired rows are removed as they are found."""
    if not token:
        return None
    token_hash = digest(token)
    with engine.connect() as conn:
        # one statement for every request: the session, its user, their teams
        rows = conn.execute(
            select(
                web_sessions.c.user_id,
                web_sessions.c.last_seen_at,
                web_sessions.c.expires_at,
                users.c.email,
                users.c.role,
                users.c.active,
                team_members.c.team_id,
            )
            .join(users, users.c.id == web_sessions.c.user_id)
            .outerjoin(team_members, team_members.c.user_id == web_sessions.c.user_id)
            .where(web_sessions.c.token_hash == token_hash)
        ).all()
    if not rows:
        return None
    row = rows[0]
    last_seen = aware(row.last_seen_at)
    if now >= aware(row.expires_at) or now >= last_seen + policy.idle or not row.active:
        with engine.begin() as conn:
            conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == token_hash))
        return None
    if now - last_seen >= TOUCH_EVERY:
        with engine.begin() as conn:
            conn.execute(
                update(web_sessions)
                .where(web_sessions.c.token_hash == token_hash)
                .values(last_seen_at=now)
            )
    return SessionUser(
        user_id=int(row.user_id),
        email=row.email,
        role=row.role,
        team_ids=frozenset(int(r.team_id) for r in rows if r.team_id is not None),
        token_hash=token_hash,
    )


def end_session(conn: Connection, token: str) -> int | None:
    """Delete the session; returns its user id (None if there was none)."""
    token_hash = digest(token)
    user_id = conn.execute(
        select(web_sessions.c.user_id).where(web_sessions.c.token_hash == token_hash)
    ).scalar()
    conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == token_hash))
    return None if user_id is None else int(user_id)


def end_all_sessions(conn: Connection, user_id: int) -> int:
    """Sign a user out everywhere (deactivation, password change)."""
    result = conn.execute(delete(web_sessions).where(web_sessions.c.user_id == user_id))
    return int(result.rowcount or 0)


def purge_expired(engine: Engine, now: datetime, policy: SessionPolicy) -> int:
    with engine.begin() as conn:
        result = conn.execute(
            delete(web_sessions).where(
                (web_sessions.c.expires_at <= now)
                | (web_sessions.c.last_seen_at <= now - policy.idle)
            )
        )
    return int(result.rowcount or 0)
