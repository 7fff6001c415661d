"""The route stage, exactly once per message, and the store stage's hand-over
to it.

The route message is published by the store stage after its commit. A worker
that dies between that commit and the publish gets the batch again, finds it
stored (``store_once`` returns None) and publishes the route message from
what the store holds, so no stored post misses routing. Routing claims the
message id in ``processed_messages`` in the same transaction as its writes;
and a post is in at most one conversation (the primary key of
``conversation_posts``), so a post that reaches routing twice by any path is
placed once."""

from __future__ import annotations

from sqlalchemy import Engine

from hubbub.actions.conversations import RouteResult, route_posts_in
from hubbub.actions.route import publish
from hubbub.bus.base import Bus
from hubbub.events import PostsStored
from hubbub.pipeline.messages import PostBatch, StoredPosts
from hubbub.pipeline.route import stored_posts
from hubbub.post import utcnow
from hubbub.store.posts import ids_for_keys
from hubbub.workers.store import claim, store_once

STAGE = "route"


def store_then_hand_over(engine: Engine, batch: PostBatch, bus: Bus | None) -> StoredPosts | None:
    """The store stage: store the batch once; what the route stage must see."""
    event: PostsStored | None = store_once(engine, batch, bus)
    if event is not None:
        post_ids = [*event.post_ids, *event.edited_ids]
    else:  # stored by an earlier delivery, which may have died before handing over
        with engine.connect() as conn:
            post_ids = list(ids_for_keys(conn, [p.key for p in batch.posts]).values())
    if not post_ids:
        return None
    return stored_posts(engine, batch.id, post_ids)


def route_once(engine: Engine, message: StoredPosts, bus: Bus | None = None) -> RouteResult | None:
    """Route the stored posts unless this message was routed before (then None);
    events are published after the commit."""
    with engine.begin() as conn:
        if not claim(conn, STAGE, message.id):
            return None
        result = route_posts_in(conn, message.post_ids, message.matched, utcnow())
    publish(bus, result.events)
    return result
