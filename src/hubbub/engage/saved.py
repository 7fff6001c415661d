"""Reading saved replies and filling them in for a conversation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, or_, select

from hubbub.engage.templates import ReplyContext, render
from hubbub.people.principal import Principal
from hubbub.store.tables import (
    contacts,
    conversations,
    posts,
    saved_replies,
    teams,
    users,
)


class SavedReplyNotFound(LookupError):
    pass


class ConversationNotFound(LookupError):
    pass


def _row(r: Any, team_names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": r.id,
        "team_id": r.team_id,
        "team_name": team_names.get(r.team_id) if r.team_id is not None else None,
        "name": r.name,
        "body": r.body,
        "created_by": r.created_by,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    }


def sees_every_team(actor: Principal) -> bool:
    """Admins and the workspace token see every team's saved replies."""
    return actor.role == "admin" or actor.user_id is None


def list_saved_replies(
    conn: Connection, actor: Principal, *, team_id: int | None = None
) -> list[dict[str, Any]]:
    """The shared saved replies and those of the actor's teams (plus ``team_id``'s,
    the team of the conversation being answered), shared first, by name."""
    query = select(saved_replies)
    if not sees_every_team(actor):
        visible = set(actor.team_ids) | ({team_id} if team_id is not None else set())
        query = query.where(
            or_(saved_replies.c.team_id.is_(None), saved_replies.c.team_id.in_(visible))
        )
    elif team_id is not None:
        query = query.where(
            or_(saved_replies.c.team_id.is_(None), saved_replies.c.team_id == team_id)
        )
    rows = conn.execute(query).all()
    names = {r.id: r.name for r in conn.execute(select(teams.c.id, teams.c.name))}
    found = [_row(r, names) for r in rows]
    found.sort(key=lambda s: (s["team_id"] is not None, s["team_name"] or "", s["name"].lower()))
    return found


def get_saved_reply(conn: Connection, saved_reply_id: int) -> dict[str, Any]:
    row = conn.execute(select(saved_replies).where(saved_replies.c.id == saved_reply_id)).first()
    if row is None:
        raise SavedReplyNotFound(f"saved reply {saved_reply_id} not found")
    names = {r.id: r.name for r in conn.execute(select(teams.c.id, teams.c.name))}
    return _row(row, names)


def may_use(actor: Principal, saved: dict[str, Any], conversation_team_id: int | None) -> bool:
    team = saved["team_id"]
    return (
        team is None
        or sees_every_team(actor)
        or team in actor.team_ids
        or team == conversation_team_id
    )


def reply_context(conn: Connection, actor: Principal, conversation_id: int) -> ReplyContext:
    """The values of the saved-reply variables for ``actor`` answering a conversation."""
    convo = conn.execute(
        select(
            conversations.c.id,
            conversations.c.team_id,
            conversations.c.contact_id,
            conversations.c.root_post_id,
        ).where(conversations.c.id == conversation_id)
    ).first()
    if convo is None:
        raise ConversationNotFound(f"conversation {conversation_id} not found")
    handle = name = None
    if convo.contact_id is not None:
        contact = conn.execute(
            select(contacts.c.handle, contacts.c.name).where(contacts.c.id == convo.contact_id)
        ).first()
        if contact is not None:
            handle, name = contact.handle, contact.name
    if handle is None and convo.root_post_id is not None:
        root = conn.execute(
            select(posts.c.author_handle, posts.c.author_name).where(
                posts.c.id == convo.root_post_id
            )
        ).first()
        if root is not None:
            handle, name = root.author_handle, name or root.author_name
    team_name = None
    if convo.team_id is not None:
        team_name = conn.execute(select(teams.c.name).where(teams.c.id == convo.team_id)).scalar()
    agent = None
    if actor.user_id is not None:
        agent = conn.execute(select(users.c.name).where(users.c.id == actor.user_id)).scalar()
    return ReplyContext(
        author_handle=handle,
        author_name=name,
        agent_name=agent or actor.label,
        team_name=team_name,
        conversation_id=convo.id,
    )


def preview(conn: Connection, actor: Principal, conversation_id: int, saved_reply_id: int) -> str:
    """A saved reply filled in for a conversation (SavedReplyNotFound if the
    actor may not use it: another team's replies are not shown either)."""
    context = reply_context(conn, actor, conversation_id)
    saved = get_saved_reply(conn, saved_reply_id)
    team_id = conn.execute(
        select(conversations.c.team_id).where(conversations.c.id == conversation_id)
    ).scalar()
    if not may_use(actor, saved, team_id):
        raise SavedReplyNotFound(f"saved reply {saved_reply_id} not found")
    return render(saved["body"], context)
