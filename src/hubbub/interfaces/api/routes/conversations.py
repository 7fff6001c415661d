"""The inbox over the API: GET /conversations (a queue page), GET, PATCH
/conversations/{id}, POST /conversations/{id}/notes, POST /conversations/bulk.
Writes go through hubbub.actions.conversations, which checks and audits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query

import hubbub.actions.conversations as actions
from hubbub.analytics.stream import StreamItem
from hubbub.inbox.detail import ConversationDetail, load_conversation
from hubbub.inbox.queue import PAGE_SIZE, SORTS, InvalidQueue, QueueFilter, QueueRow, list_queue
from hubbub.inbox.sla import timer_state
from hubbub.interfaces.api.convert import post_detail
from hubbub.interfaces.api.deps import ConnDep, EngineDep, requires
from hubbub.interfaces.api.errors import not_found
from hubbub.interfaces.api.schemas_inbox import (
    BulkResult,
    BulkUpdate,
    ContactDetail,
    ContactHistoryItem,
    ContactPublic,
    ConversationDetailPublic,
    ConversationPage,
    ConversationSummary,
    ConversationUpdate,
    NoteCreate,
    NoteCreated,
    NotePublic,
    PersonPublic,
    ReplyPublic,
    SlaPublic,
    TabPublic,
    TeamPublic,
    TimerPublic,
)
from hubbub.people.principal import PermissionDenied, Principal
from hubbub.post import utcnow

router = APIRouter(prefix="/conversations", tags=["conversations"])

Viewer = Annotated[Principal, requires("conversation.view")]
Updater = Annotated[Principal, requires("conversation.update")]
Noter = Annotated[Principal, requires("conversation.note")]
Bulk = Annotated[Principal, requires("conversation.bulk")]


@router.get("", response_model=ConversationPage)
def list_conversations(
    conn: ConnDep,
    actor: Viewer,
    queue: Annotated[
        str | None,
        Query(description="mine (default for a person), team:<slug>, unassigned, all."),
    ] = None,
    status: Annotated[Literal["open", "pending", "snoozed", "resolved", "any"], Query()] = "open",
    priority: Literal["low", "normal", "high", "urgent"] | None = None,
    platform: str | None = None,
    tag: str | None = None,
    assignee_id: int | None = None,
    sentiment: Literal["positive", "neutral", "negative"] | None = None,
    intent: str | None = None,
    breached: bool | None = None,
    spam: bool = False,
    q: Annotated[
        str | None, Query(description="Text in the subject or the contact's name.")
    ] = None,
    sort: Annotated[str, Query(description=", ".join(SORTS))] = "newest",
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page.")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = PAGE_SIZE,
) -> ConversationPage:
    """One page of a queue, with counts per status and per queue."""
    with _bad_request():
        flt = QueueFilter(
            queue=queue or ("mine" if actor.user_id is not None else "all"),
            status=None if status == "any" else status,
            priority=priority,
            platform=platform,
            tag=tag,
            assignee_id=assignee_id,
            sentiment=sentiment,
            intent=intent,
            breached=breached,
            spam=spam,
            text=q,
        )
        result = list_queue(
            conn,
            flt,
            user_id=actor.user_id,
            tab_team_ids=sorted(actor.team_ids) or None,
            sort=sort,
            cursor=cursor,
            page_size=limit,
        )
    now = utcnow()
    return ConversationPage(
        items=[summary(r, now) for r in result.rows],
        next_cursor=result.next_cursor,
        total=result.total,
        status_counts=result.status_counts,
        tabs=[TabPublic(queue=t.queue, label=t.label, count=t.count) for t in result.tabs],
    )


@router.get("/{conversation_id}", response_model=ConversationDetailPublic)
def get_conversation(
    conn: ConnDep, actor: Viewer, conversation_id: int
) -> ConversationDetailPublic:
    """The thread with enrichments, our replies, internal notes, the contact and SLA timers."""
    found = load_conversation(conn, conversation_id)
    if found is None:
        raise not_found(f"conversation {conversation_id}")
    return detail(found)


@router.patch("/{conversation_id}", response_model=ConversationDetailPublic)
def update_conversation(
    engine: EngineDep, actor: Updater, conversation_id: int, body: ConversationUpdate
) -> ConversationDetailPublic:
    """Change status (snoozed needs snoozed_until), priority, team, assignee or tags."""
    sent = body.model_fields_set
    with _action_errors(conversation_id):
        if "team_id" in sent or "assignee_id" in sent:
            assign: dict[str, Any] = {}
            if "team_id" in sent:
                assign["team_id"] = body.team_id
            if "assignee_id" in sent:
                assign["assignee_id"] = body.assignee_id
            actions.assign(engine, actor, conversation_id, **assign)
        if body.priority is not None:
            actions.set_priority(engine, actor, conversation_id, body.priority)
        if body.tags is not None:
            actions.set_tags(engine, actor, conversation_id, body.tags)
        if body.status is not None:
            actions.set_status(
                engine, actor, conversation_id, body.status, snoozed_until=body.snoozed_until
            )
    with engine.connect() as conn:
        found = load_conversation(conn, conversation_id)
    if found is None:
        raise not_found(f"conversation {conversation_id}")
    return detail(found)


@router.post("/{conversation_id}/notes", response_model=NoteCreated, status_code=201)
def add_note(
    engine: EngineDep, actor: Noter, conversation_id: int, body: NoteCreate
) -> NoteCreated:
    """An internal note; @mentions (e-mail local part or address) notify those people."""
    with _action_errors(conversation_id):
        note_id = actions.add_note(engine, actor, conversation_id, body.body)
    return NoteCreated(id=note_id)


@router.post("/bulk", response_model=BulkResult)
def bulk_update(engine: EngineDep, actor: Bulk, body: BulkUpdate) -> BulkResult:
    """The same change to many conversations at once; team_id/assignee_id null clears."""
    sent = body.model_fields_set
    assign: dict[str, Any] = {}
    if "team_id" in sent:
        assign["team_id"] = body.team_id
    if "assignee_id" in sent:
        assign["assignee_id"] = body.assignee_id
    with _action_errors(None):
        updated = actions.bulk_update(
            engine,
            actor,
            body.ids,
            status=body.status,
            priority=body.priority,
            add_tags=tuple(body.add_tags),
            **assign,
        )
    return BulkResult(updated=updated)


# -- conversions -------------------------------------------------------------------


def summary(row: QueueRow, now: Any) -> ConversationSummary:
    return ConversationSummary(**_summary_fields(row, now))


def _summary_fields(row: QueueRow, now: Any) -> dict[str, Any]:
    timer = timer_state(row, now)
    return {
        "id": row.id,
        "subject": row.subject,
        "platform": row.platform,
        "status": row.status,
        "priority": row.priority,
        "tags": row.tags,
        "spam": row.spam,
        "post_count": row.post_count,
        "opened_at": row.opened_at,
        "last_activity_at": row.last_activity_at,
        "last_inbound_at": row.last_inbound_at,
        "snoozed_until": row.snoozed_until,
        "resolved_at": row.resolved_at,
        "root_post_id": row.root_post_id,
        "sentiment": row.sentiment,
        "intents": row.intents,
        "contact": ContactPublic(**vars(row.contact)) if row.contact else None,
        "team": TeamPublic(**vars(row.team)) if row.team else None,
        "assignee": PersonPublic(**vars(row.assignee)) if row.assignee else None,
        "sla": SlaPublic(
            first_response_due_at=row.first_response_due_at,
            resolution_due_at=row.resolution_due_at,
            first_response_at=row.first_response_at,
            first_response_seconds=row.first_response_seconds,
            resolution_seconds=row.resolution_seconds,
            first_response_breached=row.first_response_breached,
            resolution_breached=row.resolution_breached,
            timer=TimerPublic(
                kind=timer.kind, state=timer.state, label=timer.label, due_at=timer.due_at
            ),
        ),
    }


def _person(user_id: int | None, name: str | None) -> PersonPublic | None:
    return PersonPublic(id=user_id, name=name or "") if user_id is not None else None


def detail(found: ConversationDetail) -> ConversationDetailPublic:
    contact = None
    if found.contact is not None:
        c = found.contact.contact
        contact = ContactDetail(
            id=c["id"],
            platform=c["platform"],
            handle=c.get("handle"),
            name=c.get("name"),
            followers=c.get("followers"),
            notes=c.get("notes"),
            first_seen_at=c.get("first_seen_at"),
            last_seen_at=c.get("last_seen_at"),
            conversations=[
                ContactHistoryItem(
                    id=h["id"],
                    subject=h["subject"] or "",
                    status=h["status"],
                    opened_at=h["opened_at"],
                    last_activity_at=h["last_activity_at"],
                )
                for h in found.contact.conversations
            ],
        )
    return ConversationDetailPublic(
        **_summary_fields(found.row, utcnow()),
        posts=[post_detail(StreamItem(post=p)) for p in found.posts],
        replies=[
            ReplyPublic(
                id=r.id,
                author=_person(r.author_id, r.author_name),
                body=r.body,
                platform=r.platform,
                status=r.status,
                url=r.url,
                error=r.error,
                in_reply_to_post_id=r.in_reply_to_post_id,
                created_at=r.created_at,
                sent_at=r.sent_at,
            )
            for r in found.replies
        ],
        notes=[
            NotePublic(
                id=n.id,
                author=_person(n.author_id, n.author_name),
                body=n.body,
                mentions=n.mentions,
                created_at=n.created_at,
            )
            for n in found.notes
        ],
        contact_detail=contact,
    )


# -- errors ------------------------------------------------------------------------


@contextmanager
def _bad_request() -> Iterator[None]:
    try:
        yield
    except InvalidQueue as exc:
        raise HTTPException(400, detail=str(exc)) from exc


@contextmanager
def _action_errors(conversation_id: int | None) -> Iterator[None]:
    """The actions' refusals as HTTP answers: 403 not allowed, 404 no such
    conversation (or person, team), 422 a value the action rejects."""
    try:
        yield
    except PermissionDenied as exc:
        raise HTTPException(403, detail=str(exc)) from exc
    except LookupError as exc:
        what = f"conversation {conversation_id}" if conversation_id is not None else "conversation"
        raise HTTPException(404, detail=str(exc) or f"no {what}") from exc
    except ValueError as exc:
        raise HTTPException(422, detail=str(exc)) from exc
