"""One conversation as the conversation view and GET /conversations/{id} show
it: the listing row, the thread's posts with their enrichments, our replies
and internal notes on one timeline, and the author's contact with history.
A fixed number of statements whatever the thread's length."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select

from hubbub.inbox.contacts import ContactHistory, contact_history
from hubbub.inbox.queue import QueueRow, load_rows
from hubbub.post import Post
from hubbub.store.posts import load_posts
from hubbub.store.tables import (
    conversation_notes,
    conversation_posts,
    posts,
    replies,
    users,
)


@dataclass(frozen=True)
class Note:
    id: int
    author_id: int | None
    author_name: str | None
    body: str
    mentions: list[int]
    created_at: datetime


@dataclass(frozen=True)
class Reply:
    id: int
    author_id: int | None
    author_name: str | None
    body: str
    platform: str
    status: str  # sending | sent | failed | handled_elsewhere
    url: str | None
    error: str | None
    in_reply_to_post_id: int | None
    created_at: datetime
    sent_at: datetime | None


@dataclass(frozen=True)
class Entry:
    """One item of the timeline: kind "post", "reply" or "note"."""

    kind: str
    at: datetime
    item: Post | Reply | Note


@dataclass
class ConversationDetail:
    row: QueueRow
    posts: list[Post]  # the thread, oldest first
    replies: list[Reply]
    notes: list[Note]
    contact: ContactHistory | None

    @property
    def timeline(self) -> list[Entry]:
        """Posts, replies and notes in time order (a stable merge: ties keep
        posts before our replies before notes)."""
        entries = [Entry("post", _aware(p.created_at or p.ingested_at), p) for p in self.posts]
        entries += [Entry("reply", r.created_at, r) for r in self.replies]
        entries += [Entry("note", n.created_at, n) for n in self.notes]
        return sorted(entries, key=lambda e: e.at)


def load_conversation(conn: Connection, conversation_id: int) -> ConversationDetail | None:
    found = load_rows(conn, [conversation_id])
    if not found:
        return None
    row = found[0]
    post_ids = list(
        conn.execute(
            select(conversation_posts.c.post_id)
            .join(posts, posts.c.id == conversation_posts.c.post_id)
            .where(conversation_posts.c.conversation_id == conversation_id)
            .order_by(posts.c.created_at, posts.c.id)
        ).scalars()
    )
    if row.root_post_id is not None and row.root_post_id not in post_ids:
        post_ids.insert(0, row.root_post_id)
    thread = load_posts(conn, post_ids, with_enrichments=True)
    return ConversationDetail(
        row=row,
        posts=thread,
        replies=_replies(conn, conversation_id),
        notes=_notes(conn, conversation_id),
        contact=contact_history(conn, row.contact.id) if row.contact is not None else None,
    )


def _notes(conn: Connection, conversation_id: int) -> list[Note]:
    n = conversation_notes.c
    rows = conn.execute(
        select(n.id, n.author_id, users.c.name, n.body, n.mentions, n.created_at)
        .outerjoin(users, users.c.id == n.author_id)
        .where(n.conversation_id == conversation_id)
        .order_by(n.created_at, n.id)
    )
    return [
        Note(r.id, r.author_id, r.name, r.body, list(r.mentions or []), _aware(r.created_at))
        for r in rows
    ]


def _replies(conn: Connection, conversation_id: int) -> list[Reply]:
    c = replies.c
    rows = conn.execute(
        select(
            c.id,
            c.author_id,
            users.c.name,
            c.body,
            c.platform,
            c.status,
            c.url,
            c.error,
            c.in_reply_to_post_id,
            c.created_at,
            c.sent_at,
        )
        .outerjoin(users, users.c.id == c.author_id)
        .where(c.conversation_id == conversation_id)
        .order_by(c.created_at, c.id)
    )
    return [
        Reply(
            r.id,
            r.author_id,
            r.name,
            r.body,
            r.platform,
            r.status,
            r.url,
            r.error,
            r.in_reply_to_post_id,
            _aware(r.created_at),
            _aware(r.sent_at) if r.sent_at is not None else None,
        )
        for r in rows
    ]


def mention_names(conn: Connection, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = conn.execute(select(users.c.id, users.c.name).where(users.c.id.in_(list(user_ids))))
    return {r.id: r.name for r in rows}


def _aware(value: datetime | None) -> datetime:
    if value is None:
        return datetime.min.replace(tzinfo=UTC)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
