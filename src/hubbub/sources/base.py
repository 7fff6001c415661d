"""The Source protocol: a non-blocking partition with a resumable cursor.

Modelled on bytewax's ``StatefulSourcePartition``: the runner asks a source for
``next_batch()`` no earlier than ``next_awake()``, and saves ``snapshot()`` only
after the batch's posts are durable, so a crash at any point neither loses nor
doubles a post on restart (ingest is idempotent on the natural key as well).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol, runtime_checkable

from hubbub.post import Post


class SourceError(Exception):
    """The whole fetch failed (unreachable, unparseable feed). Nothing is saved;
    the runner records it on the source's health and tries again later."""


class ConfigError(ValueError):
    """A source was configured with settings it cannot use."""


@dataclass
class ItemError:
    """One item of a batch that could not become a Post. The rest of the batch
    is kept; the error names the item so a person can find it."""

    item: str
    message: str

    def __str__(self) -> str:
        return f"{self.item}: {self.message}"


DELETE_MODES = ("mark", "remove", "ignore")


@dataclass(frozen=True)
class Deletion:
    """A post deleted upstream, by its natural key. ``at``: when, if the
    platform says (else the store uses the time it learns of it)."""

    platform: str
    external_id: str
    at: datetime | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, self.external_id)


@dataclass
class SourceBatch:
    posts: list[Post] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)
    # The cursor to save once ``posts`` are durable (None: leave it as it is).
    cursor: dict[str, Any] | None = None
    # A finite source (a file) says it has nothing more.
    done: bool = False
    # Posts deleted upstream, applied after ``posts`` in the same transaction.
    deleted: list[Deletion] = field(default_factory=list)
    # What the store does with them: "mark" (set deleted_at) or "remove".
    # A source set to "ignore" simply reports none.
    delete_mode: str = "mark"


@runtime_checkable
class Source(Protocol):
    kind: ClassVar[str]

    def next_batch(self) -> SourceBatch:
        """Return what is available now without waiting for more."""
        ...

    def next_awake(self) -> datetime | None:
        """When to call ``next_batch`` again (None: as soon as possible)."""
        ...

    def snapshot(self) -> dict[str, Any]:
        """The resumable cursor as of the last batch returned."""
        ...

    def close(self) -> None: ...


class SourceKind(Protocol):
    """What a plugin registers: a kind name, its settings, and a factory."""

    kind: ClassVar[str]
    description: ClassVar[str]

    def __call__(
        self, settings: dict[str, Any], cursor: dict[str, Any] | None = None
    ) -> Source: ...
