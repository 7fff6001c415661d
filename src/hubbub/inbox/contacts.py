"""Contacts: one per author per platform, keyed by the stable author id where
the platform has one (a Bluesky DID survives a handle change), else the handle.
Upserted as their posts enter conversations; their history is read from the
conversations they opened and the posts they wrote in any conversation."""

from __future__ import annotations

from collections.abc import Sequence
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
    return upsert_contacts(conn, [post], now).get((post.platform, key[:500]))


def upsert_contacts(
    conn: Connection, authored: Sequence[Post], now: datetime | None = None
) -> dict[tuple[str, str], int]:
    """upsert_contact for many posts in one statement per chunk: (platform,
    author key) -> contact id. Posts by the same author are merged first (a
    statement may not touch a row twice), and the rows go in key order, so two
    workers upserting overlapping authors lock them in the same order."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    fallback = now or utcnow()
    for post in sorted(authored, key=lambda p: p.created_at or fallback):
        key = author_key(post)
        if key is None:
            continue
        seen = post.created_at or fallback
        row = merged.setdefault(
            (post.platform, key[:500]),
            {
                "platform": post.platform,
                "author_key": key[:500],
                "handle": None,
                "name": None,
                "followers": None,
                "first_seen_at": seen,
                "last_seen_at": seen,
            },
        )
        # the newest known value wins, as the upsert's coalesce does
        for field, value in (
            ("handle", post.author_handle),
            ("name", post.author_name),
            ("followers", post.author_followers),
        ):
            if value is not None:
                row[field] = value
        row["first_seen_at"] = min(row["first_seen_at"], seen)
        row["last_seen_at"] = max(row["last_seen_at"], seen)
    if not merged:
        return {}
    stmt = dialect_insert(conn, contacts)
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
    ).returning(contacts.c.id, contacts.c.platform, contacts.c.author_key)
    # executemany: sent as multi-row statements from one compiled form
    rows = conn.execute(stmt, [merged[k] for k in sorted(merged)])
    found = {(r.platform, r.author_key): int(r.id) for r in rows}
    return found


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
