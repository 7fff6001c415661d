"""The caller's own notifications: list (unread first) and mark read."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field

from hubbub.actions.notifications import mark_read
from hubbub.interfaces.api.deps import ConnDep, EngineDep, requires
from hubbub.notify.reads import list_for, unread_count
from hubbub.people.principal import Principal

router = APIRouter(tags=["notifications"])


class NotificationPublic(BaseModel):
    id: int
    kind: str  # mention | assignment | sla_breach | rule | reply_failed
    conversation_id: int | None
    subject: str | None  # the conversation's
    body: str
    created_at: datetime
    read_at: datetime | None


class NotificationList(BaseModel):
    unread: int
    items: list[NotificationPublic]


class MarkRead(BaseModel):
    ids: list[int] = Field(default_factory=list, max_length=1000)
    all: bool = False


class Marked(BaseModel):
    marked: int


@router.get("/notifications", response_model=NotificationList)
def list_notifications(
    conn: ConnDep,
    actor: Principal = requires("notification.view"),
    unread_only: Annotated[bool, Query(description="Only the unread ones.")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> NotificationList:
    """Unread first, newest first within each. The workspace token is nobody: empty."""
    items = list_for(conn, actor.user_id, unread_only=unread_only, limit=limit)
    return NotificationList(
        unread=unread_count(conn, actor.user_id),
        items=[NotificationPublic(**i) for i in items],
    )


@router.post("/notifications/read", response_model=Marked)
def read_notifications(
    engine: EngineDep, body: MarkRead, actor: Principal = requires("notification.view")
) -> Marked:
    """Mark `ids` (or, with `all`, every unread one) read; others' ids are ignored."""
    if not body.all and not body.ids:
        raise HTTPException(422, detail="give ids, or all: true")
    which: list[int] | Literal["all"] = "all" if body.all else body.ids
    return Marked(marked=mark_read(engine, actor, which))
