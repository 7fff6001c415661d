"""Answering over the API: replies through the platform, "handled elsewhere",
saved replies and their preview for a conversation. Writes go through
hubbub.actions.replies and hubbub.actions.saved_replies."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from hubbub.actions import replies as actions
from hubbub.actions import saved_replies as saved_actions
from hubbub.engage import saved
from hubbub.engage.publishers import reply_options
from hubbub.engage.templates import VARIABLES, TemplateError
from hubbub.interfaces.api.deps import ConnDep, EngineDep, SettingsDep, requires
from hubbub.interfaces.api.errors import not_found
from hubbub.people.principal import Principal
from hubbub.store.posts import load_posts
from hubbub.store.tables import conversations

router = APIRouter(tags=["replies"])

Replier = Annotated[Principal, requires("conversation.reply")]
Viewer = Annotated[Principal, requires("conversation.view")]
SavedViewer = Annotated[Principal, requires("saved_reply.view")]
SavedManager = Annotated[Principal, requires("saved_reply.manage")]


class ReplyCreate(BaseModel):
    body: str = Field(description="The reply; the author's @mention is added on Mastodon.")
    idempotency_key: str = Field(
        max_length=100, description="Unique per submit: a retry with the same key posts once."
    )
    saved_reply_id: int | None = None
    in_reply_to_post_id: int | None = Field(
        None, description="The post to answer (default: the newest from outside)."
    )
    status: Literal["open", "pending", "resolved"] | None = Field(
        None, description="The conversation's status afterwards (default: pending)."
    )


class HandledElsewhere(BaseModel):
    url: str = Field(description="The http(s) link to where it was answered.")
    note: str = ""
    status: Literal["open", "pending", "resolved"] | None = None
    idempotency_key: str | None = Field(None, max_length=100)


class ReplyOut(BaseModel):
    id: int
    conversation_id: int
    status: str = Field(description="sending, sent, failed or handled_elsewhere.")
    platform: str
    body: str
    external_id: str | None
    url: str | None
    error: str | None
    in_reply_to_post_id: int | None
    saved_reply_id: int | None
    author_id: int | None
    created_at: datetime
    sent_at: datetime | None


class ReplyOptionsOut(BaseModel):
    available: bool = Field(description="Whether Hubbub can post the reply itself.")
    platform: str
    label: str | None = Field(None, description="Who posts it.")
    max_chars: int | None = None
    reason: str | None = Field(None, description="Why not (then: handled elsewhere).")


class SavedReplyIn(BaseModel):
    name: str = Field(max_length=200)
    body: str = Field(description="Text with {{variables}}: " + ", ".join(VARIABLES))
    team_id: int | None = Field(None, description="The team it belongs to; null: everyone's.")


class SavedReplyOut(BaseModel):
    id: int
    team_id: int | None
    team_name: str | None
    name: str
    body: str
    created_by: int | None
    created_at: datetime
    updated_at: datetime


class Preview(BaseModel):
    text: str


def _reply(conn: Any, reply_id: int) -> ReplyOut:
    found = actions.get_reply(conn, reply_id)
    if found is None:
        raise not_found(f"reply {reply_id}")
    return ReplyOut(**found)


@router.post("/conversations/{conversation_id}/replies", response_model=ReplyOut, status_code=201)
async def send_reply(
    engine: EngineDep,
    settings: SettingsDep,
    actor: Replier,
    conversation_id: int,
    body: ReplyCreate,
) -> ReplyOut:
    """Post a reply through the platform (Mastodon, Bluesky). 409 when Hubbub
    cannot post there (the detail says why: mark it handled elsewhere), 422
    for a reply the platform would not take (too long), 502 when the platform
    refused it (stored as failed, with its message)."""
    try:
        reply_id = await run_in_threadpool(
            actions.send_reply,
            engine, settings, actor, conversation_id, body.body,
            idempotency_key=body.idempotency_key,
            saved_reply_id=body.saved_reply_id,
            in_reply_to_post_id=body.in_reply_to_post_id,
            status=body.status,
        )  # fmt: skip
    except actions.ConversationNotFound as exc:
        raise not_found(f"conversation {conversation_id}") from exc
    except (actions.ReplyUnavailable, actions.IdempotencyConflict) as exc:
        raise HTTPException(409, detail=str(exc)) from exc
    except actions.ReplyRejected as exc:
        raise HTTPException(422, detail=str(exc)) from exc
    except actions.ReplyFailed as exc:
        raise HTTPException(502, detail={"message": str(exc), "reply_id": exc.reply_id}) from exc
    with engine.connect() as conn:
        out = _reply(conn, reply_id)
    if out.status == "failed":  # a retry of a submit that failed: same answer
        raise HTTPException(502, detail={"message": out.error, "reply_id": out.id})
    return out


@router.post(
    "/conversations/{conversation_id}/handled-elsewhere", response_model=ReplyOut, status_code=201
)
def handled_elsewhere(
    engine: EngineDep, actor: Replier, conversation_id: int, body: HandledElsewhere
) -> ReplyOut:
    """Record that it was answered outside Hubbub (counts as the first response)."""
    try:
        reply_id = actions.mark_handled_elsewhere(
            engine, actor, conversation_id, body.url, body.note,
            status=body.status, idempotency_key=body.idempotency_key,
        )  # fmt: skip
    except actions.ConversationNotFound as exc:
        raise not_found(f"conversation {conversation_id}") from exc
    except actions.IdempotencyConflict as exc:
        raise HTTPException(409, detail=str(exc)) from exc
    except actions.ReplyRejected as exc:
        raise HTTPException(422, detail=str(exc)) from exc
    with engine.connect() as conn:
        return _reply(conn, reply_id)


@router.get("/conversations/{conversation_id}/replies", response_model=list[ReplyOut])
def list_replies(conn: ConnDep, actor: Viewer, conversation_id: int) -> list[ReplyOut]:
    return [ReplyOut(**r) for r in actions.list_replies(conn, conversation_id)]


@router.get("/conversations/{conversation_id}/reply-options", response_model=ReplyOptionsOut)
def options(
    conn: ConnDep, settings: SettingsDep, actor: Viewer, conversation_id: int
) -> ReplyOptionsOut:
    """Whether Hubbub can post a reply in this conversation, as whom, or why not."""
    root = conn.execute(
        select(conversations.c.root_post_id, conversations.c.platform).where(
            conversations.c.id == conversation_id
        )
    ).first()
    if root is None:
        raise not_found(f"conversation {conversation_id}")
    found = load_posts(conn, [root.root_post_id]) if root.root_post_id is not None else []
    if not found:
        return ReplyOptionsOut(available=False, platform=root.platform, reason="no post to answer")
    return ReplyOptionsOut(**asdict(reply_options(conn, settings, found[0])))


@router.get(
    "/conversations/{conversation_id}/saved-replies/{saved_reply_id}/preview",
    response_model=Preview,
)
def preview(
    conn: ConnDep, actor: SavedViewer, conversation_id: int, saved_reply_id: int
) -> Preview:
    """The saved reply with its variables filled in for this conversation."""
    try:
        return Preview(text=saved.preview(conn, actor, conversation_id, saved_reply_id))
    except saved.ConversationNotFound as exc:
        raise not_found(f"conversation {conversation_id}") from exc
    except saved.SavedReplyNotFound as exc:
        raise not_found(f"saved reply {saved_reply_id}") from exc
    except TemplateError as exc:
        raise HTTPException(422, detail=str(exc)) from exc


@router.get("/saved-replies", response_model=list[SavedReplyOut], tags=["saved replies"])
def list_saved(
    conn: ConnDep,
    actor: SavedViewer,
    team_id: Annotated[
        int | None, Query(description="Also this team's (a conversation's).")
    ] = None,
) -> list[SavedReplyOut]:
    """Everyone's saved replies and those of the caller's teams."""
    return [SavedReplyOut(**s) for s in saved.list_saved_replies(conn, actor, team_id=team_id)]


def _saved_errors(exc: Exception) -> HTTPException:
    if isinstance(exc, saved_actions.DuplicateSavedReply):
        return HTTPException(409, detail=str(exc))
    if isinstance(exc, saved.SavedReplyNotFound):
        return HTTPException(404, detail=str(exc))
    return HTTPException(422, detail=str(exc))  # TemplateError, an empty name, ...


@router.post(
    "/saved-replies", response_model=SavedReplyOut, status_code=201, tags=["saved replies"]
)
def create_saved(engine: EngineDep, actor: SavedManager, body: SavedReplyIn) -> SavedReplyOut:
    try:
        saved_id = saved_actions.create_saved_reply(
            engine, actor, name=body.name, body=body.body, team_id=body.team_id
        )
    except (ValueError, LookupError) as exc:
        raise _saved_errors(exc) from exc
    with engine.connect() as conn:
        return SavedReplyOut(**saved.get_saved_reply(conn, saved_id))


@router.put("/saved-replies/{saved_reply_id}", response_model=SavedReplyOut, tags=["saved replies"])
def update_saved(
    engine: EngineDep, actor: SavedManager, saved_reply_id: int, body: SavedReplyIn
) -> SavedReplyOut:
    try:
        saved_actions.update_saved_reply(
            engine, actor, saved_reply_id, name=body.name, body=body.body, team_id=body.team_id
        )
    except (ValueError, LookupError) as exc:
        raise _saved_errors(exc) from exc
    with engine.connect() as conn:
        return SavedReplyOut(**saved.get_saved_reply(conn, saved_reply_id))


@router.delete("/saved-replies/{saved_reply_id}", status_code=204, tags=["saved replies"])
def delete_saved(engine: EngineDep, actor: SavedManager, saved_reply_id: int) -> Response:
    try:
        saved_actions.delete_saved_reply(engine, actor, saved_reply_id)
    except LookupError as exc:
        raise _saved_errors(exc) from exc
    return Response(status_code=204)
