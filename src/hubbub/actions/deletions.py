"""Storing upstream deletes: a tombstone for every deleted key (so a replayed
or late create never brings the post back), then the stored post marked
(``deleted_at``) or removed with its matches and enrichments (full-text rows
follow by trigger). Part of store_batch's transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, update

from hubbub.post import as_utc
from hubbub.sources.base import Deletion
from hubbub.store.posts import dialect_insert, ids_for_keys
from hubbub.store.tables import enrichments, matches, post_tombstones, posts

# A replay reaches back hours (Jetstream keeps about a day): a week of
# tombstones is ample, and keeps the table from growing without end.
TOMBSTONE_DAYS = 7
_CHUNK = 500


def apply_deletions(
    conn: Connection, deletions: list[Deletion], mode: str, now: datetime
) -> list[int]:
    """Returns the ids of stored posts marked or removed (none for replays)."""
    if not deletions or mode not in ("mark", "remove"):
        return []
    deleted_at = {d.key: as_utc(d.at) or now for d in deletions}
    conn.execute(
        dialect_insert(conn, post_tombstones).on_conflict_do_nothing(),
        [
            {"platform": p, "external_id": e, "deleted_at": at, "recorded_at": now}
            for (p, e), at in deleted_at.items()
        ],
    )
    conn.execute(
        delete(post_tombstones).where(
            post_tombstones.c.recorded_at < now - timedelta(days=TOMBSTONE_DAYS)
        )
    )
    ids = ids_for_keys(conn, deleted_at)
    if mode == "remove":
        return _remove(conn, sorted(ids.values()))
    marked = []
    for key, post_id in ids.items():
        result = conn.execute(
            update(posts)
            .where(posts.c.id == post_id, posts.c.deleted_at.is_(None))
            .values(deleted_at=deleted_at[key])
        )
        if result.rowcount:
            marked.append(post_id)
    return sorted(marked)


def _remove(conn: Connection, ids: list[int]) -> list[int]:
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        # explicit, not left to ON DELETE CASCADE: holds whatever the engine's FK setting
        conn.execute(delete(matches).where(matches.c.post_id.in_(chunk)))
        conn.execute(delete(enrichments).where(enrichments.c.post_id.in_(chunk)))
        conn.execute(delete(posts).where(posts.c.id.in_(chunk)))
    return ids
