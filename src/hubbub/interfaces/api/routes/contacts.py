"""Contacts over the API: GET /contacts/{id} (who they are, their
conversations and posts) and PUT /contacts/{id}/notes (what colleagues should
know about them). The write goes through hubbub.actions.contacts, which
checks and audits."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from hubbub.actions.contacts import MAX_NOTES_CHARS, ContactNotFound, set_notes
from hubbub.inbox.contacts import ContactHistory, contact_history
from hubbub.interfaces.api.deps import ConnDep, EngineDep, requires
from hubbub.interfaces.api.errors import not_found
from hubbub.interfaces.api.schemas_inbox import ContactDetail, ContactHistoryItem
from hubbub.people.principal import Principal

router = APIRouter(prefix="/contacts", tags=["contacts"])

Viewer = Annotated[Principal, requires("conversation.view")]
Manager = Annotated[Principal, requires("contact.manage")]

HISTORY_LIMIT = 50


class ContactPost(BaseModel):
    id: int
    conversation_id: int
    url: str | None
    text: str
    created_at: datetime | None
    sentiment_label: str | None


class ContactWithHistory(ContactDetail):
    posts: list[ContactPost] = Field(
        description="What they wrote in any conversation (others' threads too), newest first."
    )


class NotesUpdate(BaseModel):
    notes: str = Field(
        description=f"Replaces the notes (at most {MAX_NOTES_CHARS:,} characters once "
        "trimmed); an empty string clears them."
    )


@router.get("/{contact_id}", response_model=ContactWithHistory)
def get_contact(conn: ConnDep, actor: Viewer, contact_id: int) -> ContactWithHistory:
    """A contact with their last 50 conversations and last 50 posts in conversations."""
    found = contact_history(conn, contact_id, limit=HISTORY_LIMIT)
    if found is None:
        raise not_found(f"contact {contact_id}")
    return with_history(found)


@router.put("/{contact_id}/notes", response_model=ContactWithHistory)
def put_notes(
    engine: EngineDep, actor: Manager, contact_id: int, body: NotesUpdate
) -> ContactWithHistory:
    """Replace the contact's notes (trimmed); answers the contact as it is now."""
    try:
        set_notes(engine, actor, contact_id, body.notes)
    except ContactNotFound as exc:
        raise not_found(f"contact {contact_id}") from exc
    except ValueError as exc:
        raise HTTPException(422, detail=str(exc)) from exc
    with engine.connect() as conn:
        found = contact_history(conn, contact_id, limit=HISTORY_LIMIT)
    if found is None:  # removed in between
        raise not_found(f"contact {contact_id}")
    return with_history(found)


def with_history(found: ContactHistory) -> ContactWithHistory:
    c = found.contact
    return ContactWithHistory(
        id=c["id"],
        platform=c["platform"],
        handle=c["handle"],
        name=c["name"],
        followers=c["followers"],
        notes=c["notes"],
        first_seen_at=c["first_seen_at"],
        last_seen_at=c["last_seen_at"],
        conversations=[
            ContactHistoryItem(
                id=h["id"],
                subject=h["subject"] or "",
                status=h["status"],
                opened_at=h["opened_at"],
                last_activity_at=h["last_activity_at"],
            )
            for h in found.conversations
        ],
        posts=[
            ContactPost(
                id=p["id"],
                conversation_id=p["conversation_id"],
                url=p["url"],
                text=p["text"] or "",
                created_at=p["created_at"],
                sentiment_label=p["sentiment_label"],
            )
            for p in found.posts
        ],
    )
