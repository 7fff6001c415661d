"""Contacts: one per author per platform, keyed by the stable author id where
the platform has one (a Bluesky DID survives a handle change), else the handle.
Upserted as their posts enter conversations; their history is read from the
conversations they opened and the posts they wrote in any conversation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, select

from hubbub.post import Post, utcnow
from hubbub.store.posts import dialect_insert
from hubbub.store.tables import contacts, conversation_posts, conversations, posts


def author_key(post: Post) -> str | None:
    return post.author_id or post.author_handle or None


def upsert_contact(conn: Connection, post: Post, now: datetime | None = None) -> int | None:
    """The contact for the post's author, created or refreshed (handle, name,
    followers when known, last seen); None for a post with no author."""
    key = author_key(post)
    if key is None:
        return None
    seen = post.created_at or now or utcnow()
    stmt = dialect_insert(conn, contacts).values(
        platform=post.platform,
        author_key=key[:500],
        handle=post.author_handle,
        name=post.author_name,
        followers=post.author_followers,
        first_seen_at=seen,
        last_seen_at=seen,
    )
    new = stmt.excluded
    stmt = stmt.on_conflict_do_update(
        index_elements=["platform", "author_key"],
        set_={
            "handle": func.coalesce(new.handle, contacts.c.handle),
            "name": func.coalesce(new.name, contacts.c.name),
            "followers": func.coalesce(new.followers, contacts.c.followers),
            # posts arrive out of order: the seen times only ever widen
            "last_seen_at": case(
                (new.last_seen_at > contacts.c.last_seen_at, new.last_seen_at),
                else_=contacts.c.last_seen_at,
            ),
            "first_seen_at": case(
                (new.first_seen_at < contacts.c.first_seen_at, new.first_seen_at),
                else_=contacts.c.first_seen_at,
            ),
        },
    ).returning(contacts.c.id)
    return int(conn.execute(stmt).scalar_one())


@dataclass
class ContactHistory:
    contact: dict[str, Any]
    conversations: list[dict[str, Any]]  # newest activity first
    posts: list[dict[str, Any]]  # their posts in any conversation, newest first


def contact_history(conn: Connection, contact_id: int, limit: int = 50) -> ContactHistory | None:
    """A contact with the conversations they opened and what they wrote in
    any conversation (someone else's thread included)."""
    contact = conn.execute(select(contacts).where(contacts.c.id == contact_id)).mappings().first()
    if contact is None:
        return None
    opened = conn.execute(
        select(
            conversations.c.id,
            conversations.c.subject,
            conversations.c.status,
            conversations.c.priority,
            conversations.c.team_id,
            conversations.c.assignee_id,
            conversations.c.post_count,
            conversations.c.opened_at,
            conversations.c.last_activity_at,
        )
        .where(conversations.c.contact_id == contact_id)
        .order_by(conversations.c.last_activity_at.desc(), conversations.c.id.desc())
        .limit(limit)
    ).mappings()
    author = func.coalesce(posts.c.author_id, posts.c.author_handle)
    written = conn.execute(
        select(
            posts.c.id,
            posts.c.url,
            posts.c.text,
            posts.c.created_at,
            posts.c.sentiment_label,
            conversation_posts.c.conversation_id,
        )
        .join(conversation_posts, conversation_posts.c.post_id == posts.c.id)
        .where(posts.c.platform == contact["platform"], author == contact["author_key"])
        .order_by(posts.c.created_at.desc(), posts.c.id.desc())
        .limit(limit)
    ).mappings()
    return ContactHistory(
        contact=dict(contact),
        conversations=[dict(r) for r in opened],
        posts=[dict(r) for r in written],
    )


def set_contact_notes(conn: Connection, contact_id: int, notes: str) -> dict[str, Any] | None:
    """Replace a contact's notes; the row before the change (None: no such contact).
    Called by the contact action, which checks permission and audits."""
    before = conn.execute(select(contacts).where(contacts.c.id == contact_id)).mappings().first()
    if before is None:
        return None
    conn.execute(contacts.update().where(contacts.c.id == contact_id).values(notes=notes))
    return dict(before)
