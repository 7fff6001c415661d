"""The route stage on real `hubbub worker` processes: two workers, threads whose
posts are spread over batches they store and route concurrently, and a
redelivered route message; every thread is one conversation holding each of
its posts once."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select

from hubbub.actions.queries import create_query
from hubbub.actions.routing import ensure_default_routing
from hubbub.bus.jetstream import JetStreamBus
from hubbub.config import Settings
from hubbub.pipeline import messages as m
from hubbub.pipeline.messages import PostBatch, StoredPosts
from hubbub.post import Post, utcnow
from hubbub.store.tables import audit_log, conversation_posts, conversations, matches
from hubbub.workers.topology import open_bus

from .conftest import NatsServer, Workers
from .load import publish, wait_for

THREADS = 20


@pytest.fixture
def bus(settings: Settings, nats_server: NatsServer) -> Iterator[JetStreamBus]:
    b = open_bus(settings.model_copy(update={"nats_url": nats_server.url}))
    yield b
    b.close()


def thread_posts() -> list[Post]:
    """A root and two replies per thread, every one naming acme (so whichever
    a worker routes first opens the thread's conversation)."""
    start = utcnow() - timedelta(hours=1)
    out = []
    for t in range(THREADS):
        root = f"at://did:plc:user{t}/app.bsky.feed.post/root{t}"
        for r in range(3):
            out.append(
                Post(
                    platform="bluesky",
                    external_id=root
                    if r == 0
                    else f"at://did:plc:fan{r}/app.bsky.feed.post/re{t}x{r}",
                    text=f"acme order {t} broken, reply {r}: still waiting for a refund #{t}x{r}",
                    author_id=f"did:plc:user{t}" if r == 0 else f"did:plc:fan{r}",
                    created_at=start + timedelta(minutes=r),
                    thread_root=None if r == 0 else root,
                    reply_to=None if r == 0 else root,
                )
            )
    random.Random(7).shuffle(out)
    return out


def tally(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            "conversations": conn.execute(
                select(func.count()).select_from(conversations)
            ).scalar_one(),
            "placed": conn.execute(
                select(func.count()).select_from(conversation_posts)
            ).scalar_one(),
            "counted": conn.execute(
                select(func.coalesce(func.sum(conversations.c.post_count), 0))
            ).scalar_one(),
            "opened": conn.execute(
                select(func.count()).where(audit_log.c.action == "conversation.open")
            ).scalar_one(),
        }


def settled(bus: JetStreamBus) -> bool:
    return all(x.pending == 0 and x.in_flight == 0 for x in bus.lag())


def test_two_route_workers_open_each_thread_once_despite_redelivery(
    settings: Settings, engine: Engine, bus: JetStreamBus, workers: Workers
) -> None:
    ensure_default_routing(engine)
    create_query(engine, "acme", "acme")
    posts = thread_posts()
    batches = [PostBatch(posts=posts[i : i + 6]) for i in range(0, len(posts), 6)]
    publish(bus, batches)
    for _ in range(2):
        workers.start("--ack-wait", "5", "--max-deliver", "3", "--no-sources")
    expected = {
        "conversations": THREADS,
        "placed": 3 * THREADS,
        "counted": 3 * THREADS,
        "opened": THREADS,
    }
    wait_for(
        lambda: tally(engine)["placed"] >= 3 * THREADS and settled(bus),
        25,
        lambda: f"{tally(engine)} {bus.lag()}\n{workers.output()}",
    )
    assert tally(engine) == expected
    assert {lag.subject for lag in bus.lag()} >= {m.STORED}

    # the store stage's hand-over delivered again (its batch id, and under a
    # new id as a republish after the duplicate window would be)
    with engine.connect() as conn:
        matched: dict[int, list[int]] = {}
        for post_id, query_id in conn.execute(select(matches.c.post_id, matches.c.query_id)):
            matched.setdefault(post_id, []).append(query_id)
    again = StoredPosts(post_ids=sorted(matched), matched=matched, id="replayed-handover")
    bus.publish(m.STORED, again.to_message())
    bus.publish(m.STORED, again.to_message())
    wait_for(lambda: settled(bus), 15, lambda: str(bus.lag()))
    assert tally(engine) == expected
    with engine.connect() as conn:
        sizes = conn.execute(select(conversations.c.post_count)).scalars().all()
    assert sizes == [3] * THREADS
    assert bus.dead_letter_count() == 0
