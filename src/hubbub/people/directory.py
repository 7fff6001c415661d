"""Reads about people: users, teams and memberships, and the Principal a
signed-in user or an API token acts as."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, select

from hubbub.people.principal import Principal
from hubbub.store.tables import team_members, teams, users

USER_COLUMNS = (
    users.c.id,
    users.c.email,
    users.c.name,
    users.c.role,
    users.c.active,
    users.c.available,
    users.c.notify_email,
    users.c.created_at,
    users.c.last_login_at,
)


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    local, _, domain = email.partition("@")
    if not local or "." not in domain or any(c.isspace() for c in email):
        raise ValueError(f"not an e-mail address: {email!r}")
    return email


def team_ids_of(conn: Connection, user_id: int) -> frozenset[int]:
    rows = conn.execute(select(team_members.c.team_id).where(team_members.c.user_id == user_id))
    return frozenset(int(r.team_id) for r in rows)


def principal_for(
    conn: Connection,
    *,
    user_id: int,
    email: str,
    role: str,
    scopes: frozenset[str] | None = None,
    label: str | None = None,
) -> Principal:
    return Principal(
        label=label or email,
        role=role,
        user_id=user_id,
        scopes=scopes,
        team_ids=team_ids_of(conn, user_id),
    )


def get_user(conn: Connection, user_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(*USER_COLUMNS).where(users.c.id == user_id)).first()
    return None if row is None else dict(row._mapping)


def find_user_id(conn: Connection, ref: str | int) -> int | None:
    """A user by id or e-mail address."""
    if isinstance(ref, int) or str(ref).isdigit():
        found = conn.execute(select(users.c.id).where(users.c.id == int(ref))).scalar()
    else:
        found = conn.execute(
            select(users.c.id).where(users.c.email == str(ref).strip().lower())
        ).scalar()
    return None if found is None else int(found)


def find_team_id(conn: Connection, ref: str | int) -> int | None:
    """A team by id or slug."""
    if isinstance(ref, int) or str(ref).isdigit():
        found = conn.execute(select(teams.c.id).where(teams.c.id == int(ref))).scalar()
    else:
        found = conn.execute(select(teams.c.id).where(teams.c.slug == str(ref).strip())).scalar()
    return None if found is None else int(found)


def list_users(conn: Connection) -> list[dict[str, Any]]:
    """Every user with the slugs of their teams, by e-mail."""
    memberships: dict[int, list[str]] = {}
    for r in conn.execute(
        select(team_members.c.user_id, teams.c.slug)
        .join(teams, teams.c.id == team_members.c.team_id)
        .order_by(teams.c.slug)
    ):
        memberships.setdefault(int(r.user_id), []).append(r.slug)
    return [
        {**dict(r._mapping), "teams": memberships.get(int(r.id), [])}
        for r in conn.execute(select(*USER_COLUMNS).order_by(users.c.email))
    ]


def list_teams(conn: Connection) -> list[dict[str, Any]]:
    """Every team with its members (id, e-mail, name), by slug."""
    members: dict[int, list[dict[str, Any]]] = {}
    for r in conn.execute(
        select(team_members.c.team_id, users.c.id, users.c.email, users.c.name)
        .join(users, users.c.id == team_members.c.user_id)
        .order_by(users.c.email)
    ):
        members.setdefault(int(r.team_id), []).append(
            {"id": int(r.id), "email": r.email, "name": r.name}
        )
    return [
        {
            "id": int(r.id),
            "slug": r.slug,
            "name": r.name,
            "business_hours": r.business_hours,
            "created_at": r.created_at,
            "members": members.get(int(r.id), []),
        }
        for r in conn.execute(select(teams).order_by(teams.c.slug))
    ]


def active_admin_count(conn: Connection) -> int:
    return int(
        conn.execute(
            select(func.count()).select_from(users).where(users.c.role == "admin", users.c.active)
        ).scalar_one()
    )
