"""Request and response bodies of the conversations API (the inbox)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from hubbub.interfaces.api.schemas import PostDetail

Status = Literal["open", "pending", "snoozed", "resolved"]
Priority = Literal["low", "normal", "high", "urgent"]


class PersonPublic(BaseModel):
    id: int
    name: str


class TeamPublic(BaseModel):
    id: int
    slug: str
    name: str


class ContactPublic(BaseModel):
    id: int
    platform: str
    handle: str | None
    name: str | None
    followers: int | None


class TimerPublic(BaseModel):
    kind: str = Field(description="first_response, resolution or none.")
    state: str = Field(description="ok, warning, breached, met or none.")
    label: str = Field(description='For people: "first response due in 1h 20m".')
    due_at: datetime | None


class SlaPublic(BaseModel):
    first_response_due_at: datetime | None
    resolution_due_at: datetime | None
    first_response_at: datetime | None
    first_response_seconds: int | None = Field(description="Business seconds to first response.")
    resolution_seconds: int | None = Field(description="Business seconds to resolution.")
    first_response_breached: bool
    resolution_breached: bool
    timer: TimerPublic = Field(description="The timer that matters now.")


class ConversationSummary(BaseModel):
    id: int
    subject: str
    platform: str
    status: Status
    priority: Priority
    tags: list[str]
    spam: bool
    post_count: int
    opened_at: datetime
    last_activity_at: datetime
    last_inbound_at: datetime | None
    snoozed_until: datetime | None
    resolved_at: datetime | None
    root_post_id: int | None
    sentiment: str | None = Field(description="The opening post's sentiment.")
    intents: list[str] = Field(description="The opening post's intents.")
    contact: ContactPublic | None
    team: TeamPublic | None
    assignee: PersonPublic | None
    sla: SlaPublic


class TabPublic(BaseModel):
    queue: str = Field(description="Pass as queue=: mine, team:<slug>, unassigned, all.")
    label: str
    count: int


class ConversationPage(BaseModel):
    items: list[ConversationSummary]
    next_cursor: str | None = Field(
        None, description="Pass as cursor= for the next page; null on the last page."
    )
    total: int = Field(description="Conversations in this queue with these filters.")
    status_counts: dict[str, int] = Field(description="Per status, for this queue and filters.")
    tabs: list[TabPublic] = Field(description="Per queue, for this status and filters.")


class NotePublic(BaseModel):
    id: int
    author: PersonPublic | None
    body: str
    mentions: list[int] = Field(description="Ids of the people the note @mentions.")
    created_at: datetime


class ReplyPublic(BaseModel):
    id: int
    author: PersonPublic | None
    body: str
    platform: str
    status: str = Field(description="sending, sent, failed or handled_elsewhere.")
    url: str | None
    error: str | None
    in_reply_to_post_id: int | None
    created_at: datetime
    sent_at: datetime | None


class ContactHistoryItem(BaseModel):
    id: int
    subject: str
    status: str
    opened_at: datetime
    last_activity_at: datetime


class ContactDetail(ContactPublic):
    notes: str | None
    first_seen_at: datetime | None
    last_seen_at: datetime | None
    conversations: list[ContactHistoryItem] = Field(
        description="Their conversations, newest activity first (this one included)."
    )


class ConversationDetailPublic(ConversationSummary):
    posts: list[PostDetail] = Field(description="The thread, oldest first, with enrichments.")
    replies: list[ReplyPublic]
    notes: list[NotePublic]
    contact_detail: ContactDetail | None


class ConversationUpdate(BaseModel):
    """Only the fields sent change; send null for team_id or assignee_id to clear it."""

    status: Status | None = None
    snoozed_until: datetime | None = Field(None, description="Required with status snoozed.")
    priority: Priority | None = None
    team_id: int | None = None
    assignee_id: int | None = None
    tags: list[str] | None = Field(None, description="Replaces the tags.")


class NoteCreate(BaseModel):
    body: str = Field(
        min_length=1, max_length=20_000, description="@ana or @ana@example.com notify."
    )


class NoteCreated(BaseModel):
    id: int


class BulkUpdate(BaseModel):
    ids: list[int] = Field(min_length=1, max_length=500)
    status: Status | None = None
    priority: Priority | None = None
    team_id: int | None = None
    assignee_id: int | None = None
    add_tags: list[str] = Field(default_factory=list)


class BulkResult(BaseModel):
    updated: int
