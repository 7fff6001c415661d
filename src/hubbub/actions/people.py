"""People: users, roles, teams, invitations, API tokens, and signing in and
out. Every change checks the acting Principal and is written to the audit log
in the same transaction; secrets (passwords, tokens) never reach the log."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from hubbub.actions.audit import record
from hubbub.config import Settings
from hubbub.inbox.sla import parse_business_hours
from hubbub.people import directory, invitations, sessions, tokens
from hubbub.people.directory import normalize_email
from hubbub.people.passwords import hash_password, needs_rehash, verify_password
from hubbub.people.permissions import check_role
from hubbub.people.principal import Principal
from hubbub.post import utcnow
from hubbub.store.tables import audit_log, team_members, teams, users

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")
# more failed logins than this for one address within the window: refused
# without checking the password, until the window has passed
LOGIN_FAILURE_LIMIT = 10
LOGIN_FAILURE_WINDOW = timedelta(minutes=15)


class UserNotFound(LookupError):
    pass


class TeamNotFound(LookupError):
    pass


class TokenNotFound(LookupError):
    pass


class DuplicateUser(ValueError):
    pass


class DuplicateTeam(ValueError):
    pass


class LastAdmin(ValueError):
    """The change would leave nobody able to administer the workspace."""


class InvalidCredentials(PermissionError):
    pass


class InvitationInvalid(LookupError):
    pass


# --- users -------------------------------------------------------------------


def _user_or_raise(conn: Connection, user_id: int) -> dict[str, Any]:
    user = directory.get_user(conn, user_id)
    if user is None:
        raise UserNotFound(f"no user {user_id}")
    return user


def _team_ids(conn: Connection, team_slugs: Iterable[str]) -> list[int]:
    ids = []
    for slug in team_slugs:
        team_id = directory.find_team_id(conn, slug)
        if team_id is None:
            raise TeamNotFound(f"no team {slug!r}")
        ids.append(team_id)
    return ids


def _insert_user(
    conn: Connection,
    *,
    email: str,
    name: str,
    role: str,
    password_hash: str | None,
    team_ids: list[int],
    now: datetime,
) -> int:
    if conn.execute(select(users.c.id).where(users.c.email == email)).first():
        raise DuplicateUser(f"a user with the address {email} already exists")
    try:
        with conn.begin_nested():
            user_id = int(
                conn.execute(
                    insert(users).values(
                        email=email,
                        name=name.strip()[:200] or email.split("@")[0],
                        password_hash=password_hash,
                        role=role,
                        active=True,
                        available=True,
                        notify_email=True,
                        created_at=now,
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
            )
    except IntegrityError as exc:  # a concurrent create of the same address
        raise DuplicateUser(f"a user with the address {email} already exists") from exc
    for team_id in sorted(set(team_ids)):
        conn.execute(insert(team_members).values(team_id=team_id, user_id=user_id))
    return user_id


def create_user(
    engine: Engine,
    actor: Principal,
    email: str,
    name: str,
    role: str,
    password: str | None = None,
    team_slugs: Iterable[str] = (),
    *,
    password_hash: str | None = None,
) -> int:
    """A new active user. Without a password (nor an existing ``password_hash``,
    e.g. from another system) they cannot sign in until one is set."""
    actor.require("user.manage")
    email = normalize_email(email)
    check_role(role)
    stored_hash = hash_password(password) if password is not None else password_hash
    now = utcnow()
    with engine.begin() as conn:
        team_ids = _team_ids(conn, team_slugs)
        user_id = _insert_user(
            conn,
            email=email,
            name=name,
            role=role,
            password_hash=stored_hash,
            team_ids=team_ids,
            now=now,
        )
        record(
            conn,
            actor,
            "user.create",
            "user",
            user_id,
            after={"email": email, "name": name, "role": role, "team_ids": sorted(team_ids)},
            at=now,
        )
    return user_id


def _guard_last_admin(conn: Connection, user: dict[str, Any]) -> None:
    if user["role"] == "admin" and user["active"] and directory.active_admin_count(conn) <= 1:
        raise LastAdmin(f"{user['email']} is the last active admin")


def set_role(engine: Engine, actor: Principal, user_id: int, role: str) -> None:
    actor.require("user.manage")
    check_role(role)
    with engine.begin() as conn:
        user = _user_or_raise(conn, user_id)
        if user["role"] == role:
            return
        if role != "admin":
            _guard_last_admin(conn, user)
        conn.execute(update(users).where(users.c.id == user_id).values(role=role))
        record(
            conn,
            actor,
            "user.set_role",
            "user",
            user_id,
            before={"role": user["role"]},
            after={"role": role},
        )


def _set_active(engine: Engine, actor: Principal, user_id: int, active: bool) -> None:
    actor.require("user.manage")
    with engine.begin() as conn:
        user = _user_or_raise(conn, user_id)
        if user["active"] == active:
            return
        if not active:
            _guard_last_admin(conn, user)
            sessions.end_all_sessions(conn, user_id)
        conn.execute(update(users).where(users.c.id == user_id).values(active=active))
        record(
            conn,
            actor,
            "user.reactivate" if active else "user.deactivate",
            "user",
            user_id,
            before={"active": user["active"]},
            after={"active": active},
        )


def deactivate(engine: Engine, actor: Principal, user_id: int) -> None:
    """Signs them out everywhere; their tokens stop working (the row stays, for
    the audit log and their conversations)."""
    _set_active(engine, actor, user_id, False)


def reactivate(engine: Engine, actor: Principal, user_id: int) -> None:
    _set_active(engine, actor, user_id, True)


def set_password(engine: Engine, actor: Principal, user_id: int, password: str) -> None:
    """One's own password, or anyone's for an admin. Ends the user's sessions."""
    if actor.user_id != user_id:
        actor.require("user.manage")
    new_hash = hash_password(password)
    with engine.begin() as conn:
        _user_or_raise(conn, user_id)
        conn.execute(update(users).where(users.c.id == user_id).values(password_hash=new_hash))
        sessions.end_all_sessions(conn, user_id)
        record(conn, actor, "user.set_password", "user", user_id)


def set_available(engine: Engine, actor: Principal, user_id: int, available: bool) -> None:
    """Whether assignment may pick this person (holidays, end of shift): one's
    own, or anyone's for a team lead."""
    if actor.user_id != user_id:
        actor.require("team.manage")
    with engine.begin() as conn:
        user = _user_or_raise(conn, user_id)
        if user["available"] == available:
            return
        conn.execute(update(users).where(users.c.id == user_id).values(available=available))
        record(
            conn,
            actor,
            "user.set_available",
            "user",
            user_id,
            before={"available": user["available"]},
            after={"available": available},
        )


# --- teams -------------------------------------------------------------------


def create_team(
    engine: Engine,
    actor: Principal,
    slug: str,
    name: str,
    business_hours: dict[str, Any] | None = None,
) -> int:
    actor.require("team.manage")
    slug = slug.strip().lower()
    if not SLUG.match(slug):
        raise ValueError(
            f"team slug {slug!r}: lower-case letters, digits and dashes, at most 60 characters"
        )
    name = name.strip() or slug
    # ValueError naming the bad day or time; stored in its normal form
    hours = parse_business_hours(business_hours)
    business_hours = hours.to_json() if hours else None
    now = utcnow()
    with engine.begin() as conn:
        if directory.find_team_id(conn, slug) is not None:
            raise DuplicateTeam(f"a team {slug!r} already exists")
        team_id = int(
            conn.execute(
                insert(teams).values(
                    slug=slug, name=name[:200], business_hours=business_hours, created_at=now
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        )
        record(
            conn,
            actor,
            "team.create",
            "team",
            team_id,
            after={"slug": slug, "name": name, "business_hours": business_hours},
            at=now,
        )
    return team_id


def rename_team(engine: Engine, actor: Principal, team_id: int, name: str) -> None:
    actor.require("team.manage")
    name = name.strip()
    if not name:
        raise ValueError("a team needs a name")
    with engine.begin() as conn:
        old = conn.execute(select(teams.c.name).where(teams.c.id == team_id)).scalar()
        if old is None:
            raise TeamNotFound(f"no team {team_id}")
        conn.execute(update(teams).where(teams.c.id == team_id).values(name=name[:200]))
        record(
            conn, actor, "team.rename", "team", team_id, before={"name": old}, after={"name": name}
        )


def _check_team_and_user(conn: Connection, team_id: int, user_id: int) -> None:
    if conn.execute(select(teams.c.id).where(teams.c.id == team_id)).first() is None:
        raise TeamNotFound(f"no team {team_id}")
    _user_or_raise(conn, user_id)


def add_member(engine: Engine, actor: Principal, team_id: int, user_id: int) -> None:
    actor.require("team.manage")
    with engine.begin() as conn:
        _check_team_and_user(conn, team_id, user_id)
        exists = conn.execute(
            select(team_members.c.user_id).where(
                team_members.c.team_id == team_id, team_members.c.user_id == user_id
            )
        ).first()
        if exists:
            return
        conn.execute(insert(team_members).values(team_id=team_id, user_id=user_id))
        record(conn, actor, "team.add_member", "team", team_id, after={"user_id": user_id})


def remove_member(engine: Engine, actor: Principal, team_id: int, user_id: int) -> None:
    actor.require("team.manage")
    with engine.begin() as conn:
        _check_team_and_user(conn, team_id, user_id)
        result = conn.execute(
            delete(team_members).where(
                team_members.c.team_id == team_id, team_members.c.user_id == user_id
            )
        )
        if result.rowcount:
            record(conn, actor, "team.remove_member", "team", team_id, before={"user_id": user_id})


# --- invitations -------------------------------------------------------------


@dataclass(frozen=True)
class Invitation:
    id: int
    token: str  # goes in the link; stored only as its hash

    @property
    def path(self) -> str:
        return invitations.accept_path(self.token)


def invite(
    engine: Engine,
    actor: Principal,
    email: str,
    role: str,
    *,
    name: str | None = None,
    team_slugs: Iterable[str] = (),
    valid_for: timedelta = invitations.VALID_FOR,
) -> Invitation:
    actor.require("user.manage")
    email = normalize_email(email)
    check_role(role)
    now = utcnow()
    with engine.begin() as conn:
        if directory.find_user_id(conn, email) is not None:
            raise DuplicateUser(f"a user with the address {email} already exists")
        team_ids = _team_ids(conn, team_slugs)
        invitation_id, token = invitations.store_invitation(
            conn,
            email=email,
            role=role,
            name=name,
            team_ids=team_ids,
            invited_by=actor.user_id,
            now=now,
            valid_for=valid_for,
        )
        record(
            conn,
            actor,
            "invitation.create",
            "invitation",
            invitation_id,
            after={
                "email": email,
                "role": role,
                "team_ids": sorted(team_ids),
                "expires_at": now + valid_for,
            },
            at=now,
        )
    return Invitation(id=invitation_id, token=token)


def invitation_for(engine: Engine, token: str, now: datetime | None = None) -> dict[str, Any]:
    """The open invitation behind a link (for the accept page)."""
    with engine.connect() as conn:
        found = invitations.open_invitation(conn, token, now or utcnow())
    if found is None:
        raise InvitationInvalid("this invitation link is unknown, used or expired")
    return found


@dataclass(frozen=True)
class Accepted:
    user_id: int
    session_token: str


def accept_invitation(
    engine: Engine,
    settings: Settings,
    token: str,
    name: str,
    password: str,
    *,
    now: datetime | None = None,
) -> Accepted:
    """Creates the invited user with their password and signs them in."""
    now = now or utcnow()
    new_hash = hash_password(password)  # before the transaction: argon2 is slow
    with engine.begin() as conn:
        found = invitations.open_invitation(conn, token, now)
        if found is None or not invitations.mark_accepted(conn, found["id"], now):
            raise InvitationInvalid("this invitation link is unknown, used or expired")
        existing_teams = {
            int(r.id)
            for r in conn.execute(select(teams.c.id).where(teams.c.id.in_(found["team_ids"])))
        }
        user_id = _insert_user(
            conn,
            email=found["email"],
            name=name.strip() or found["name"] or "",
            role=found["role"],
            password_hash=new_hash,
            team_ids=sorted(existing_teams),  # a team deleted since is skipped
            now=now,
        )
        conn.execute(update(users).where(users.c.id == user_id).values(last_login_at=now))
        session_token = sessions.create_session(
            conn, user_id, now, sessions.SessionPolicy.from_settings(settings)
        )
        actor = Principal(label=found["email"], role=found["role"], user_id=user_id)
        record(conn, actor, "invitation.accept", "invitation", found["id"], at=now)
        record(
            conn,
            actor,
            "user.create",
            "user",
            user_id,
            after={
                "email": found["email"],
                "name": name,
                "role": found["role"],
                "team_ids": sorted(existing_teams),
                "invitation_id": found["id"],
            },
            at=now,
        )
    return Accepted(user_id=user_id, session_token=session_token)


# --- API tokens --------------------------------------------------------------


def create_token(
    engine: Engine,
    actor: Principal,
    user_id: int,
    name: str,
    scopes: list[str],
    expires_at: datetime | None = None,
) -> str:
    """A token for ``user_id`` (one's own; anyone's for an admin). Returns the
    secret, which is shown once and never stored."""
    actor.require("token.own")
    if actor.user_id != user_id:
        actor.require("user.manage")
    now = utcnow()
    if expires_at is not None and expires_at <= now:
        raise ValueError("the expiry must be in the future")
    with engine.begin() as conn:
        _user_or_raise(conn, user_id)
        token_id, secret = tokens.issue_token(conn, user_id, name, scopes, now, expires_at)
        row = tokens.token_row(conn, token_id)
        assert row is not None
        record(
            conn,
            actor,
            "token.create",
            "api_token",
            token_id,
            after={
                "user_id": user_id,
                "name": row["name"],
                "prefix": row["prefix"],
                "scopes": row["scopes"],
                "expires_at": expires_at,
            },
            at=now,
        )
    return secret


def revoke_token(engine: Engine, actor: Principal, token_id: int) -> None:
    """One's own token; anyone's for an admin. Revoking twice changes nothing."""
    actor.require("token.own")
    now = utcnow()
    with engine.begin() as conn:
        row = tokens.token_row(conn, token_id)
        if row is None or (row["user_id"] != actor.user_id and not actor.can("user.manage")):
            # someone else's token is "not found", not "forbidden": ids leak nothing
            raise TokenNotFound(f"no API token {token_id}")
        if row["revoked_at"] is not None:
            return
        tokens.mark_revoked(conn, token_id, now)
        record(
            conn,
            actor,
            "token.revoke",
            "api_token",
            token_id,
            before={"revoked_at": None},
            after={"revoked_at": now},
            at=now,
        )


# --- signing in and out ------------------------------------------------------


def _recent_failures(conn: Connection, email: str, now: datetime) -> int:
    return int(
        conn.execute(
            select(func.count())
            .select_from(audit_log)
            .where(
                audit_log.c.object_type == "login",
                audit_log.c.object_id == email,
                audit_log.c.action == "user.login_failed",
                audit_log.c.at > now - LOGIN_FAILURE_WINDOW,
            )
        ).scalar_one()
    )


def login(
    engine: Engine,
    settings: Settings,
    email: str,
    password: str,
    *,
    now: datetime | None = None,
) -> str:
    """Checks the password and opens a session; returns the session token.
    Raises InvalidCredentials (the same message whatever was wrong)."""
    now = now or utcnow()
    email = email.strip().lower()[:320]
    with engine.connect() as conn:
        row = conn.execute(
            select(users.c.id, users.c.role, users.c.active, users.c.password_hash).where(
                users.c.email == email
            )
        ).first()
        throttled = _recent_failures(conn, email, now) >= LOGIN_FAILURE_LIMIT
    # always one argon2 run, so timing does not tell whether the address exists
    matches = verify_password(row.password_hash if row else None, password)
    reason = None
    if throttled:
        reason = "too many failed attempts"
    elif row is None:
        reason = "unknown address"
    elif not matches:
        reason = "wrong password"
    elif not row.active:
        reason = "deactivated"
    if reason is not None or row is None:
        with engine.begin() as conn:
            attempt = Principal(
                label=f"login attempt as {email}", role="viewer", user_id=row.id if row else None
            )
            record(
                conn, attempt, "user.login_failed", "login", email, after={"reason": reason}, at=now
            )
        raise InvalidCredentials(
            "too many failed attempts; try again later"
            if throttled
            else "wrong e-mail address or password"
        )
    rehashed = hash_password(password) if needs_rehash(row.password_hash) else None
    with engine.begin() as conn:
        values: dict[str, Any] = {"last_login_at": now}
        if rehashed:
            values["password_hash"] = rehashed
        conn.execute(update(users).where(users.c.id == row.id).values(**values))
        token = sessions.create_session(
            conn, row.id, now, sessions.SessionPolicy.from_settings(settings)
        )
        actor = Principal(label=email, role=row.role, user_id=row.id)
        record(conn, actor, "user.login", "user", row.id, at=now)
    return token


def logout(engine: Engine, actor: Principal, session_token: str) -> None:
    with engine.begin() as conn:
        user_id = sessions.end_session(conn, session_token)
        if user_id is not None:
            record(conn, actor, "user.logout", "user", user_id)
