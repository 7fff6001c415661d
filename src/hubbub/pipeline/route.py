"""The route stage's input: after a batch is stored, the posts it stored and
the listening queries each matched (read back from ``matches``, which the
store wrote in the same transaction as the posts)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import Engine, select

from hubbub.pipeline.messages import StoredPosts
from hubbub.store.tables import matches

_CHUNK = 500


def stored_posts(engine: Engine, batch_id: str, post_ids: Sequence[int]) -> StoredPosts:
    ids = sorted(set(post_ids))
    matched: dict[int, list[int]] = defaultdict(list)
    with engine.connect() as conn:
        for start in range(0, len(ids), _CHUNK):
            rows = conn.execute(
                select(matches.c.post_id, matches.c.query_id)
                .where(matches.c.post_id.in_(ids[start : start + _CHUNK]))
                .order_by(matches.c.post_id, matches.c.query_id)
            )
            for post_id, query_id in rows:
                matched[post_id].append(query_id)
    return StoredPosts(post_ids=ids, matched=dict(matched), id=batch_id)
