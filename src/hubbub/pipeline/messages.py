"""The one message that travels between stages: a batch of posts.

Version 2 (adds upstream deletions, and posts carry ``edited_at`` /
``author_id``). Version 1 messages are still read: they are version 2 without
deletions. A consumer refuses a version it does not know rather than guess.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from hubbub.post import Post, parse_datetime
from hubbub.sources.base import Deletion, ItemError

SCHEMA_VERSION = 2
READABLE_VERSIONS = (1, 2)

# Subjects, in pipeline order. A stage consumes one and publishes the next.
INGESTED = "hubbub.posts.ingested"
NORMALIZED = "hubbub.posts.normalized"
ENRICHED = "hubbub.posts.enriched"
MATCHED = "hubbub.posts.matched"
# after the store: the posts a batch stored, for the route stage (StoredPosts)
STORED = "hubbub.posts.stored"


class MessageVersionError(ValueError):
    pass


@dataclass
class PostBatch:
    posts: list[Post]
    errors: list[ItemError] = field(default_factory=list)
    source_id: int | None = None
    # the source's cursor after these posts, saved in the same transaction as them
    cursor: dict[str, Any] | None = None
    # per-source sequence: a cursor is only saved if it is newer than the stored one
    seq: int = 0
    # set by stages
    duplicates_skipped: int = 0
    enricher_versions: dict[str, str] = field(default_factory=dict)
    matches: list[list[int]] = field(default_factory=list)  # parallel to posts
    # the store's full-text tokens, computed by the match stage from the tokens
    # it already has (parallel to posts; empty: the store computes them)
    search_texts: list[str] = field(default_factory=list)
    # upstream deletes, applied by the store after the posts ("mark" or "remove")
    deletions: list[Deletion] = field(default_factory=list)
    delete_mode: str = "mark"
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def to_message(self) -> dict[str, Any]:
        return {
            "v": SCHEMA_VERSION,
            "id": self.id,
            "source_id": self.source_id,
            "cursor": self.cursor,
            "seq": self.seq,
            "duplicates_skipped": self.duplicates_skipped,
            "enricher_versions": self.enricher_versions,
            "matches": self.matches,
            "search_texts": self.search_texts,
            "errors": [{"item": e.item, "message": e.message} for e in self.errors],
            "posts": [p.to_dict() for p in self.posts],
            "deletions": [
                [d.platform, d.external_id, d.at.isoformat() if d.at else None]
                for d in self.deletions
            ],
            "delete_mode": self.delete_mode,
        }

    @classmethod
    def from_message(cls, m: dict[str, Any]) -> PostBatch:
        if m.get("v") not in READABLE_VERSIONS:
            raise MessageVersionError(
                f"post batch schema version {m.get('v')!r} is not one of {READABLE_VERSIONS}"
            )
        return cls(
            posts=[Post.from_dict(p) for p in m["posts"]],
            errors=[ItemError(e["item"], e["message"]) for e in m.get("errors", [])],
            source_id=m.get("source_id"),
            cursor=m.get("cursor"),
            seq=m.get("seq", 0),
            duplicates_skipped=m.get("duplicates_skipped", 0),
            enricher_versions=m.get("enricher_versions", {}),
            matches=m.get("matches", []),
            search_texts=m.get("search_texts", []),
            deletions=[
                Deletion(platform, external_id, parse_datetime(at) if at else None)
                for platform, external_id, at in m.get("deletions", [])
            ],
            delete_mode=m.get("delete_mode", "mark"),
            id=m["id"],
        )


STORED_VERSION = 1


@dataclass
class StoredPosts:
    """What the store stage hands the route stage: the posts a batch stored (new
    or edited) and the listening queries each matched. ``id`` is the batch's,
    so a redelivered or republished message is recognised."""

    post_ids: list[int]
    matched: dict[int, list[int]] = field(default_factory=dict)  # post id -> query ids
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def to_message(self) -> dict[str, Any]:
        return {
            "v": STORED_VERSION,
            "id": self.id,
            "post_ids": self.post_ids,
            # JSON object keys are strings
            "matched": {str(k): v for k, v in self.matched.items()},
        }

    @classmethod
    def from_message(cls, m: dict[str, Any]) -> StoredPosts:
        if m.get("v") != STORED_VERSION:
            raise MessageVersionError(
                f"stored-posts schema version {m.get('v')!r} is not {STORED_VERSION}"
            )
        return cls(
            post_ids=[int(i) for i in m["post_ids"]],
            matched={int(k): [int(q) for q in v] for k, v in m.get("matched", {}).items()},
            id=str(m["id"]),
        )
