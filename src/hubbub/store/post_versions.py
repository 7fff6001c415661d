"""What the store knows about posts arriving again: the version stored under a
key (for edits), the keys deleted upstream (tombstones), and the handles known
for stable author ids."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from hubbub.post import as_utc
from hubbub.store.tables import author_handles, post_tombstones, posts

_CHUNK = 500  # keys per IN (...) list


@dataclass(frozen=True)
class StoredVersion:
    id: int
    edited_at: datetime | None
    deleted_at: datetime | None


def _by_platform(keys: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for platform, external_id in set(keys):
        grouped[platform].append(external_id)
    return grouped


def stored_versions(
    conn: Connection, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], StoredVersion]:
    found: dict[tuple[str, str], StoredVersion] = {}
    for platform, ids in _by_platform(keys).items():
        for start in range(0, len(ids), _CHUNK):
            rows = conn.execute(
                select(posts.c.id, posts.c.external_id, posts.c.edited_at, posts.c.deleted_at)
                .where(posts.c.platform == platform)
                .where(posts.c.external_id.in_(ids[start : start + _CHUNK]))
            )
            for r in rows:
                found[(platform, r.external_id)] = StoredVersion(
                    r.id, as_utc(r.edited_at), as_utc(r.deleted_at)
                )
    return found


def tombstoned_keys(conn: Connection, keys: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The keys deleted upstream: such a post is never stored (again)."""
    found: set[tuple[str, str]] = set()
    for platform, ids in _by_platform(keys).items():
        for start in range(0, len(ids), _CHUNK):
            rows = conn.execute(
                select(post_tombstones.c.external_id)
                .where(post_tombstones.c.platform == platform)
                .where(post_tombstones.c.external_id.in_(ids[start : start + _CHUNK]))
            )
            found.update((platform, r.external_id) for r in rows)
    return found


def known_handles(
    conn: Connection, author_keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], tuple[str, datetime]]:
    """(platform, author_id) -> (handle, resolved_at) for those in the cache table."""
    found: dict[tuple[str, str], tuple[str, datetime]] = {}
    for platform, ids in _by_platform(author_keys).items():
        for start in range(0, len(ids), _CHUNK):
            rows = conn.execute(
                select(author_handles.c.author_id, author_handles.c.handle)
                .add_columns(author_handles.c.resolved_at)
                .where(author_handles.c.platform == platform)
                .where(author_handles.c.author_id.in_(ids[start : start + _CHUNK]))
            )
            for r in rows:
                resolved = as_utc(r.resolved_at)
                assert resolved is not None
                found[(platform, r.author_id)] = (r.handle, resolved)
    return found
