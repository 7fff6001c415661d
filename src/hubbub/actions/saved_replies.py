"""Saved replies: a team's shared answers (``team_id`` NULL: everyone's).
Managers and admins write them; the body is checked as a template on save, so
an unknown variable is refused then rather than when an agent uses it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from hubbub.actions import audit
from hubbub.engage.saved import SavedReplyNotFound
from hubbub.engage.templates import check
from hubbub.people.principal import Principal
from hubbub.post import utcnow
from hubbub.store.tables import saved_replies, teams

MAX_NAME = 200
MAX_BODY = 5000
_UNSET: Any = object()


class DuplicateSavedReply(ValueError):
    pass


def _clean(name: str, body: str) -> tuple[str, str]:
    name, body = name.strip(), body.strip()
    if not name:
        raise ValueError("a saved reply needs a name")
    if len(name) > MAX_NAME:
        raise ValueError(f"the name is over {MAX_NAME} characters")
    if not body:
        raise ValueError("a saved reply needs a text")
    if len(body) > MAX_BODY:
        raise ValueError(f"the text is over {MAX_BODY} characters")
    check(body)  # TemplateError (a ValueError) names the unknown variables
    return name, body


def _check_team(conn: Connection, team_id: int | None) -> None:
    if (
        team_id is not None
        and conn.execute(select(teams.c.id).where(teams.c.id == team_id)).first() is None
    ):
        raise ValueError(f"team {team_id} does not exist")


def _duplicate(name: str) -> DuplicateSavedReply:
    return DuplicateSavedReply(f"this team already has a saved reply named {name!r}")


def _name_taken(conn: Connection, team_id: int | None, name: str, other_than: int | None) -> bool:
    # the unique constraint does not hold for NULL team ids: check shared ones here
    query = select(saved_replies.c.id).where(saved_replies.c.name == name)
    query = query.where(
        saved_replies.c.team_id.is_(None) if team_id is None else saved_replies.c.team_id == team_id
    )
    if other_than is not None:
        query = query.where(saved_replies.c.id != other_than)
    return conn.execute(query).first() is not None


def _snapshot(conn: Connection, saved_reply_id: int) -> dict[str, Any]:
    row = conn.execute(
        select(saved_replies.c.team_id, saved_replies.c.name, saved_replies.c.body).where(
            saved_replies.c.id == saved_reply_id
        )
    ).first()
    if row is None:
        raise SavedReplyNotFound(f"saved reply {saved_reply_id} not found")
    return {"team_id": row.team_id, "name": row.name, "body": row.body}


def create_saved_reply(
    engine: Engine, actor: Principal, *, name: str, body: str, team_id: int | None = None
) -> int:
    actor.require("saved_reply.manage")
    name, body = _clean(name, body)
    now = utcnow()
    try:
        with engine.begin() as conn:
            _check_team(conn, team_id)
            if _name_taken(conn, team_id, name, None):
                raise _duplicate(name)
            saved_id = int(
                conn.execute(
                    insert(saved_replies).values(
                        team_id=team_id,
                        name=name,
                        body=body,
                        created_by=actor.user_id,
                        created_at=now,
                        updated_at=now,
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
            )
            after = {"team_id": team_id, "name": name, "body": body}
            audit.record(conn, actor, "saved_reply.create", "saved_reply", saved_id, after=after)
    except IntegrityError as exc:
        raise _duplicate(name) from exc
    return saved_id


def update_saved_reply(
    engine: Engine,
    actor: Principal,
    saved_reply_id: int,
    *,
    name: str | None = None,
    body: str | None = None,
    team_id: int | None = _UNSET,
) -> None:
    """Change the name, text or team (``team_id=None``: shared with everyone)."""
    actor.require("saved_reply.manage")
    try:
        with engine.begin() as conn:
            before = _snapshot(conn, saved_reply_id)
            new_team = before["team_id"] if team_id is _UNSET else team_id
            new_name, new_body = _clean(
                before["name"] if name is None else name, before["body"] if body is None else body
            )
            _check_team(conn, new_team)
            if _name_taken(conn, new_team, new_name, saved_reply_id):
                raise _duplicate(new_name)
            after = {"team_id": new_team, "name": new_name, "body": new_body}
            conn.execute(
                update(saved_replies)
                .where(saved_replies.c.id == saved_reply_id)
                .values(**after, updated_at=utcnow())
            )
            audit.record(
                conn, actor, "saved_reply.update", "saved_reply", saved_reply_id,
                before=before, after=after,
            )  # fmt: skip
    except IntegrityError as exc:
        raise _duplicate(name or "") from exc


def delete_saved_reply(engine: Engine, actor: Principal, saved_reply_id: int) -> None:
    actor.require("saved_reply.manage")
    with engine.begin() as conn:
        before = _snapshot(conn, saved_reply_id)
        conn.execute(delete(saved_replies).where(saved_replies.c.id == saved_reply_id))
        audit.record(
            conn, actor, "saved_reply.delete", "saved_reply", saved_reply_id, before=before
        )
