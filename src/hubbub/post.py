"""The Post: the one shape every stage of the pipeline passes along.

A Post is plain data. It crosses process boundaries as JSON (see ``to_dict`` /
``from_dict``), so everything on it must survive a JSON round trip.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

# Hard limits applied by the normalize stage; a post over them is truncated,
# never dropped, and the truncation is recorded on the post.
MAX_TEXT_CHARS = 100_000
MAX_FIELD_CHARS = 2_000


@dataclass
class Post:
    platform: str
    external_id: str
    text: str
    url: str | None = None
    title: str | None = None
    author_handle: str | None = None
    author_name: str | None = None
    author_followers: int | None = None
    language: str | None = None
    created_at: datetime | None = None
    ingested_at: datetime | None = None
    reply_to: str | None = None
    thread_root: str | None = None
    likes: int | None = None
    reposts: int | None = None
    replies: int | None = None
    links: list[str] = field(default_factory=list)
    raw: dict[str, Any] | None = None
    source_id: int | None = None
    # the platform's stable author id when the handle can change (a Bluesky DID)
    author_id: str | None = None
    # the version of the post: set when it was edited upstream; a post re-delivered
    # with a newer edited_at replaces the stored text (see actions.ingest)
    edited_at: datetime | None = None
    # when the platform said it was deleted (a stored post marked, not removed)
    deleted_at: datetime | None = None
    # enricher name -> its result, e.g. {"sentiment": {"label": "negative", "score": -0.6}}
    enrichments: dict[str, Any] = field(default_factory=dict)
    # store id, once stored
    id: int | None = None

    @property
    def key(self) -> tuple[str, str]:
        """The natural key: ingest is idempotent on it."""
        return (self.platform, self.external_id)

    def to_dict(self) -> dict[str, Any]:
        # Shallow on purpose (dataclasses.asdict deep-copies raw payloads, and was
        # the pipeline's largest cost): the dict is encoded at once, never mutated.
        d = dict(self.__dict__)
        for name in _DATETIMES:
            value = d[name]
            d[name] = value.isoformat() if value is not None else None
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Post:
        known = {k: v for k, v in d.items() if k in _FIELDS}
        for name in _DATETIMES:
            value = known.get(name)
            if isinstance(value, str):
                known[name] = parse_datetime(value)
        if known.get("links") is None:
            known["links"] = []
        if known.get("enrichments") is None:
            known["enrichments"] = {}
        return cls(**known)


_FIELDS = set(Post.__dataclass_fields__)
_DATETIMES = ("created_at", "ingested_at", "edited_at", "deleted_at")


def parse_datetime(value: str) -> datetime:
    """ISO 8601 (with 'Z'), always returned timezone-aware in UTC."""
    dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """Aware UTC (SQLite hands back naive datetimes; everything here is UTC)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def is_newer_edit(incoming: datetime | None, stored: datetime | None) -> bool:
    """Whether a re-delivered post is a later version than the one held. A post
    without ``edited_at`` is the original: never newer than what is held."""
    incoming, stored = as_utc(incoming), as_utc(stored)
    if incoming is None:
        return False
    return stored is None or incoming > stored


def utcnow() -> datetime:
    return datetime.now(UTC)
