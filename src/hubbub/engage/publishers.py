"""Publishers: what posts a reply to a platform, and which credentials it uses.

A publisher kind (registered through the ``hubbub_publishers`` hook, like a
source kind) names its ``platform`` and the source kinds whose settings hold
its credentials. For a stored post, ``find_publisher`` tries the source that
ingested the post first, then every other enabled source of those kinds, and
builds a publisher from the first whose credentials are set. A platform with
no publisher, or no source with credentials, raises ``ReplyUnavailable`` with
the reason the UI shows beside "handled elsewhere".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from sqlalchemy import Connection, select

from hubbub.config import Settings
from hubbub.post import Post
from hubbub.store.credentials import CredentialCipher, CredentialError, reveal_settings
from hubbub.store.tables import sources


@dataclass(frozen=True)
class PublishedReply:
    external_id: str  # the platform's id of what we posted (status uri, AT URI)
    url: str | None
    text: str  # exactly what was posted (a mention may have been added)


class PublishError(Exception):
    """The platform refused the reply or could not be reached; the message is
    the platform's own explanation where it gave one."""


class ReplyRejected(ValueError):
    """The reply cannot be sent as written (too long, empty): nothing was posted."""


class ReplyUnavailable(LookupError):
    """Hubbub cannot post to this post's platform; the message says why."""


@dataclass(frozen=True)
class SourceAccount:
    """A configured source whose settings (revealed) hold a platform account."""

    id: int
    name: str
    kind: str
    settings: Mapping[str, Any]


class Publisher(Protocol):
    platform: ClassVar[str]
    label: str  # who posts, for the composer: "Mastodon as @support on social.example"
    max_chars: int

    def can_reply_to(self, post: Post) -> bool: ...

    def prepare(self, post: Post, body: str) -> str:
        """The text that will be posted (e.g. with the author's mention); raises
        ReplyRejected when it is over the platform's limit."""
        ...

    def reply(self, post: Post, body: str, idempotency_key: str) -> PublishedReply:
        """Post ``body`` (already prepared) as a reply to ``post``; PublishError on failure."""
        ...


class PublisherKind(Protocol):
    platform: ClassVar[str]
    source_kinds: ClassVar[tuple[str, ...]]

    @classmethod
    def credentials_missing(cls, account: SourceAccount) -> str | None:
        """Why this source cannot post (None: it can)."""
        ...

    @classmethod
    def from_source(cls, account: SourceAccount) -> Publisher: ...


@dataclass(frozen=True)
class ReplyOptions:
    """What the composer shows for a post: can Hubbub send, as whom, or why not."""

    available: bool
    platform: str
    label: str | None = None
    max_chars: int | None = None
    reason: str | None = None


def publisher_kinds() -> dict[str, PublisherKind]:
    from hubbub.plugins import publishers  # late: plugins import every connector

    return publishers()


def find_publisher(conn: Connection, settings: Settings, post: Post) -> Publisher:
    """The publisher that can reply to ``post``, or ReplyUnavailable saying why."""
    kind = publisher_kinds().get(post.platform)
    if kind is None:
        raise ReplyUnavailable(
            f"Hubbub cannot post to {post.platform}: answer there and mark the "
            "conversation handled elsewhere."
        )
    reasons: list[str] = []
    for account in _accounts(conn, settings, kind, post.source_id, reasons):
        missing = kind.credentials_missing(account)
        if missing:
            reasons.append(missing)
            continue
        publisher = kind.from_source(account)
        if publisher.can_reply_to(post):
            return publisher
        reasons.append(f"{publisher.label} cannot reply to this post")
    if not reasons:
        reasons.append(
            f"no enabled {' or '.join(kind.source_kinds)} source is configured to post with"
        )
    raise ReplyUnavailable(
        f"Hubbub cannot reply on {post.platform}: {'; '.join(reasons)}. "
        "Answer there and mark the conversation handled elsewhere."
    )


def reply_options(conn: Connection, settings: Settings, post: Post) -> ReplyOptions:
    try:
        publisher = find_publisher(conn, settings, post)
    except ReplyUnavailable as exc:
        return ReplyOptions(available=False, platform=post.platform, reason=str(exc))
    return ReplyOptions(
        available=True,
        platform=post.platform,
        label=publisher.label,
        max_chars=publisher.max_chars,
    )


def _accounts(
    conn: Connection,
    settings: Settings,
    kind: PublisherKind,
    ingested_by: int | None,
    reasons: list[str],
) -> list[SourceAccount]:
    rows = list(
        conn.execute(
            select(sources.c.id, sources.c.name, sources.c.kind, sources.c.settings)
            .where(sources.c.kind.in_(kind.source_kinds), sources.c.enabled.is_(True))
            .order_by(sources.c.id)
        )
    )
    # the source that ingested the post knows it best (its instance-local ids)
    rows.sort(key=lambda r: r.id != ingested_by)
    cipher = CredentialCipher(settings)
    found: list[SourceAccount] = []
    for row in rows:
        try:
            revealed = reveal_settings(row.kind, row.settings or {}, cipher, row.name)
        except CredentialError as exc:
            reasons.append(str(exc))
            continue
        found.append(SourceAccount(row.id, row.name, row.kind, revealed))
    return found
