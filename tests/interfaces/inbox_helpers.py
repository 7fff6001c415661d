"""Shared by the inbox API and web tests: the seeded posts opened as
conversations the real way (H2's route_posts with the stored matches)."""

from __future__ import annotations

from sqlalchemy import Engine, select

from hubbub.actions.conversations import route_posts
from hubbub.store.tables import conversations, matches, posts


def open_seeded_conversations(engine: Engine) -> dict[str, int]:
    """Every seeded post that matched a query becomes (part of) a conversation;
    returns conversation ids by their opening post's external id."""
    with engine.connect() as conn:
        post_ids = list(conn.execute(select(posts.c.id).order_by(posts.c.id)).scalars())
        matched: dict[int, list[int]] = {}
        for m in conn.execute(select(matches.c.post_id, matches.c.query_id)):
            matched.setdefault(m.post_id, []).append(m.query_id)
    route_posts(engine, post_ids, matched)
    with engine.connect() as conn:
        rows = conn.execute(
            select(posts.c.external_id, conversations.c.id).join(
                posts, posts.c.id == conversations.c.root_post_id
            )
        )
        return {r.external_id: r.id for r in rows}
