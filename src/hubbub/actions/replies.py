"""Answering a conversation: a reply posted through the platform's publisher,
or a note that it was handled elsewhere (a link to where).

Sending is three steps, so that no crash can post twice without a trace:
the reply row is committed as ``sending`` first (its idempotency key unique:
a retried submit finds it and posts nothing), then the platform is called
outside any transaction, then the row becomes ``sent`` (with the platform's
id and link) or ``failed`` (with the platform's message). A row left
``sending`` by a crash stays visible as such and is never re-posted on its own.

The first reply (or handled-elsewhere) records the conversation's first
response for its service level; afterwards the conversation waits on the
customer (``pending``) unless the agent chose another status in the same submit.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, Engine, and_, insert, select, update
from sqlalchemy.exc import IntegrityError

from hubbub.actions import audit
from hubbub.actions.conversations import set_status
from hubbub.actions.sla import record_first_response
from hubbub.config import Settings
from hubbub.engage.publishers import (
    PublishError,
    ReplyRejected,
    ReplyUnavailable,
    find_publisher,
)
from hubbub.engage.saved import ConversationNotFound
from hubbub.people.principal import Principal
from hubbub.post import Post, utcnow
from hubbub.store.posts import load_posts
from hubbub.store.tables import conversation_posts, conversations, posts, replies

STATUSES = ("open", "pending", "resolved")  # snoozing needs a time: set_status does that
MAX_KEY = 100
MAX_BODY = 10_000
MAX_URL = 2000

__all__ = [
    "ConversationNotFound",
    "IdempotencyConflict",
    "ReplyFailed",
    "ReplyRejected",
    "ReplyUnavailable",
    "mark_handled_elsewhere",
    "send_reply",
]


class IdempotencyConflict(ValueError):
    """The key was already used for a reply to another conversation."""


class ReplyFailed(PublishError):
    """The platform did not take the reply; the row is ``failed`` with this message."""

    def __init__(self, reply_id: int, message: str) -> None:
        super().__init__(message)
        self.reply_id = reply_id


@dataclass(frozen=True)
class _Target:
    conversation_id: int
    platform: str
    post: Post


def send_reply(
    engine: Engine,
    settings: Settings,
    actor: Principal,
    conversation_id: int,
    body: str,
    *,
    idempotency_key: str,
    saved_reply_id: int | None = None,
    in_reply_to_post_id: int | None = None,
    status: str | None = None,
) -> int:
    """Post ``body`` as a reply to the conversation (to ``in_reply_to_post_id``,
    else its newest post from outside) and return the reply's id.

    Raises ConversationNotFound, ReplyRejected (empty, too long, no post to
    answer: nothing was posted), ReplyUnavailable (the platform cannot be
    posted to: handled elsewhere it is), ReplyFailed (the platform refused:
    the reply is stored as failed). The same ``idempotency_key`` again
    returns the first call's reply id and posts nothing."""
    actor.require("conversation.reply")
    key = _check_key(idempotency_key)
    _check_status(status)
    if len(body) > MAX_BODY:
        raise ReplyRejected(f"the reply is over {MAX_BODY} characters")
    existing = _reply_for_key(engine, key, conversation_id)
    if existing is not None:
        return existing

    with engine.connect() as conn:
        target = _target(conn, conversation_id, in_reply_to_post_id)
        publisher = find_publisher(conn, settings, target.post)  # ReplyUnavailable: say why
    text = publisher.prepare(target.post, body)

    # 1. the trace, committed before the platform hears of it
    try:
        with engine.begin() as conn:
            reply_id = int(
                conn.execute(
                    insert(replies).values(
                        conversation_id=conversation_id,
                        author_id=actor.user_id,
                        in_reply_to_post_id=target.post.id,
                        body=text,
                        platform=target.platform,
                        status="sending",
                        saved_reply_id=saved_reply_id,
                        idempotency_key=key,
                        created_at=utcnow(),
                    )
                ).inserted_primary_key[0]  # type: ignore[index]
            )
    except IntegrityError:
        # the same submit raced us here: it is the one that posts
        existing = _reply_for_key(engine, key, conversation_id)
        if existing is None:
            raise
        return existing

    # 2. the platform, outside any transaction
    try:
        published = publisher.reply(target.post, text, key)
    except Exception as exc:
        message = str(exc) if isinstance(exc, PublishError) else f"internal error: {exc!r}"
        _finish_failed(engine, actor, conversation_id, reply_id, message)
        if isinstance(exc, PublishError):
            raise ReplyFailed(reply_id, message) from exc
        raise

    # 3. the outcome, the first response, the conversation's activity
    at = utcnow()
    with engine.begin() as conn:
        conn.execute(
            update(replies)
            .where(replies.c.id == reply_id)
            .values(
                status="sent",
                body=published.text,
                external_id=published.external_id[:500],
                url=published.url,
                sent_at=at,
            )
        )
        _answered(conn, conversation_id, at)
        audit.record(
            conn, actor, "conversation.reply", "conversation", conversation_id,
            after={
                "reply_id": reply_id,
                "status": "sent",
                "platform": target.platform,
                "external_id": published.external_id,
                "url": published.url,
                "saved_reply_id": saved_reply_id,
            },
        )  # fmt: skip
    _set_status(engine, actor, conversation_id, status or "pending")
    return reply_id


def mark_handled_elsewhere(
    engine: Engine,
    actor: Principal,
    conversation_id: int,
    url: str,
    note: str = "",
    *,
    status: str | None = None,
    idempotency_key: str | None = None,
) -> int:
    """Record that the conversation was answered outside Hubbub, at ``url``
    (its first response, like a reply); returns the record's id."""
    actor.require("conversation.reply")
    link = _check_url(url)
    _check_status(status)
    key = _check_key(idempotency_key) if idempotency_key else f"elsewhere-{uuid.uuid4().hex}"
    existing = _reply_for_key(engine, key, conversation_id)
    if existing is not None:
        return existing
    at = utcnow()
    with engine.begin() as conn:
        platform = conn.execute(
            select(conversations.c.platform).where(conversations.c.id == conversation_id)
        ).scalar()
        if platform is None:
            raise ConversationNotFound(f"conversation {conversation_id} not found")
        reply_id = int(
            conn.execute(
                insert(replies).values(
                    conversation_id=conversation_id,
                    author_id=actor.user_id,
                    body=note.strip()[:MAX_BODY],
                    platform=platform,
                    status="handled_elsewhere",
                    url=link,
                    idempotency_key=key,
                    created_at=at,
                    sent_at=at,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        )
        _answered(conn, conversation_id, at)
        audit.record(
            conn, actor, "conversation.handled_elsewhere", "conversation", conversation_id,
            after={"reply_id": reply_id, "url": link, "note": note.strip()[:MAX_BODY]},
        )  # fmt: skip
    _set_status(engine, actor, conversation_id, status or "pending")
    return reply_id


def list_replies(conn: Connection, conversation_id: int) -> list[dict[str, Any]]:
    """The conversation's replies, oldest first (for the thread view and the API)."""
    rows = conn.execute(
        select(replies).where(replies.c.conversation_id == conversation_id).order_by(replies.c.id)
    ).all()
    return [reply_dict(r) for r in rows]


def get_reply(conn: Connection, reply_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(replies).where(replies.c.id == reply_id)).first()
    return reply_dict(row) if row is not None else None


def reply_dict(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "conversation_id": row.conversation_id,
        "author_id": row.author_id,
        "in_reply_to_post_id": row.in_reply_to_post_id,
        "body": row.body,
        "platform": row.platform,
        "status": row.status,
        "external_id": row.external_id,
        "url": row.url,
        "error": row.error,
        "saved_reply_id": row.saved_reply_id,
        "created_at": row.created_at,
        "sent_at": row.sent_at,
    }


# -- steps --------------------------------------------------------------------


def _check_key(key: str) -> str:
    key = (key or "").strip()
    if not key:
        raise ReplyRejected("an idempotency key is required (any unique string per submit)")
    if len(key) > MAX_KEY:
        raise ReplyRejected(f"the idempotency key is over {MAX_KEY} characters")
    return key


def _check_status(status: str | None) -> None:
    if status is not None and status not in STATUSES:
        raise ReplyRejected(f"status after replying must be one of {', '.join(STATUSES)}")


def _check_url(url: str) -> str:
    link = (url or "").strip()
    try:
        parts = urlsplit(link)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ReplyRejected("give the http(s) link to where the conversation was answered")
    if len(link) > MAX_URL:
        raise ReplyRejected(f"the link is over {MAX_URL} characters")
    return link


def _reply_for_key(engine: Engine, key: str, conversation_id: int) -> int | None:
    with engine.connect() as conn:
        row = conn.execute(
            select(replies.c.id, replies.c.conversation_id).where(replies.c.idempotency_key == key)
        ).first()
    if row is None:
        return None
    if row.conversation_id != conversation_id:
        raise IdempotencyConflict("this idempotency key was used for another conversation")
    return int(row.id)


def _target(conn: Connection, conversation_id: int, post_id: int | None) -> _Target:
    platform = conn.execute(
        select(conversations.c.platform).where(conversations.c.id == conversation_id)
    ).scalar()
    if platform is None:
        raise ConversationNotFound(f"conversation {conversation_id} not found")
    in_thread = select(conversation_posts.c.post_id).where(
        conversation_posts.c.conversation_id == conversation_id
    )
    if post_id is None:
        post_id = _newest_inbound(conn, conversation_id)
        if post_id is None:
            raise ReplyRejected("this conversation has no post to reply to")
    elif conn.execute(in_thread.where(conversation_posts.c.post_id == post_id)).first() is None:
        raise ReplyRejected(f"post {post_id} is not in conversation {conversation_id}")
    found = load_posts(conn, [post_id])
    if not found:
        raise ReplyRejected(f"post {post_id} no longer exists")
    if found[0].deleted_at is not None:
        raise ReplyRejected("the post was deleted on its platform: it cannot be answered")
    return _Target(conversation_id, str(platform), found[0])


def _newest_inbound(conn: Connection, conversation_id: int) -> int | None:
    """The newest post of the thread that is not one of our own replies
    (a reply we sent comes back through the source with the id we stored)."""
    ours = select(replies.c.id).where(
        and_(
            replies.c.conversation_id == conversation_id,
            replies.c.external_id == posts.c.external_id,
            replies.c.platform == posts.c.platform,
        )
    )
    row = conn.execute(
        select(posts.c.id)
        .join(conversation_posts, conversation_posts.c.post_id == posts.c.id)
        .where(
            conversation_posts.c.conversation_id == conversation_id,
            posts.c.deleted_at.is_(None),
            ~ours.exists(),
        )
        .order_by(posts.c.created_at.desc(), posts.c.id.desc())
        .limit(1)
    ).first()
    return int(row.id) if row is not None else None


def _finish_failed(
    engine: Engine, actor: Principal, conversation_id: int, reply_id: int, message: str
) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(replies).where(replies.c.id == reply_id).values(status="failed", error=message)
        )
        audit.record(
            conn, actor, "conversation.reply_failed", "conversation", conversation_id,
            after={"reply_id": reply_id, "status": "failed", "error": message},
        )  # fmt: skip


def _answered(conn: Connection, conversation_id: int, at: datetime) -> None:
    conn.execute(
        update(conversations)
        .where(conversations.c.id == conversation_id)
        .values(last_activity_at=at, updated_at=at)
    )
    record_first_response(conn, conversation_id, at)


def _set_status(engine: Engine, actor: Principal, conversation_id: int, status: str) -> None:
    with engine.connect() as conn:
        current = conn.execute(
            select(conversations.c.status).where(conversations.c.id == conversation_id)
        ).scalar()
    if current != status:
        set_status(engine, actor, conversation_id, status)
