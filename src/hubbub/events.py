"""Domain events, published on the bus after the write they describe commits.
Small, frozen, JSON-safe; ``v`` is the schema version."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar

EVENTS_SUBJECT = "hubbub.events"


@dataclass(frozen=True)
class Event:
    type: ClassVar[str] = "event"
    v: ClassVar[int] = 1

    def to_message(self) -> dict[str, Any]:
        return {"type": self.type, "v": self.v, **asdict(self)}


@dataclass(frozen=True)
class PostsStored(Event):
    type: ClassVar[str] = "posts.stored"
    source_id: int | None
    post_ids: list[int] = field(default_factory=list)
    duplicates_skipped: int = 0
    # stored posts this batch replaced with an edit, and marked or removed
    edited_ids: list[int] = field(default_factory=list)
    deleted_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class QueryMatched(Event):
    type: ClassVar[str] = "query.matched"
    query_id: int
    post_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class SourceFailed(Event):
    type: ClassVar[str] = "source.failed"
    source_id: int
    error: str


@dataclass(frozen=True)
class QueryChanged(Event):
    type: ClassVar[str] = "query.changed"
    query_id: int
    action: str  # created | updated | deleted


@dataclass(frozen=True)
class PostsEdited(Event):
    """Stored posts replaced by a newer upstream version (same ids)."""

    type: ClassVar[str] = "posts.edited"
    source_id: int | None
    post_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class PostsDeleted(Event):
    """Stored posts deleted upstream: ``mode`` "mark" (kept, with deleted_at)
    or "remove" (gone, with their matches and enrichments)."""

    type: ClassVar[str] = "posts.deleted"
    source_id: int | None
    mode: str
    post_ids: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class IntentsCorrected(Event):
    """A person set a post's intents (they replace the model's)."""

    type: ClassVar[str] = "intents.corrected"
    post_id: int
    labels: list[str] = field(default_factory=list)
    corrected_by: str = ""


# --- Conversations (H2) ------------------------------------------------------


@dataclass(frozen=True)
class ConversationOpened(Event):
    """A matched post opened a conversation (and routing placed it)."""

    type: ClassVar[str] = "conversation.opened"
    conversation_id: int
    post_id: int
    team_id: int | None = None
    assignee_id: int | None = None
    priority: str = "normal"
    spam: bool = False


@dataclass(frozen=True)
class ConversationUpdated(Event):
    """A conversation changed: ``fields`` names what (``posts`` when posts
    joined it, ``status`` when it was reopened or resolved, ...)."""

    type: ClassVar[str] = "conversation.updated"
    conversation_id: int
    fields: list[str] = field(default_factory=list)
    actor: str = ""


@dataclass(frozen=True)
class NoteAdded(Event):
    type: ClassVar[str] = "note.added"
    conversation_id: int
    note_id: int
    author_id: int | None = None
    mentions: list[int] = field(default_factory=list)
