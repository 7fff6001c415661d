"""The JetStream bus and `hubbub worker` on both databases: posts flow through
worker processes to the store exactly once; a poison message goes to the
dead-letter subject without blocking the others, and is listed and replayed."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from hubbub.bus.jetstream import CONSUMER, JetStreamBus, JetStreamOptions, stream_name
from hubbub.config import Settings
from hubbub.pipeline import messages as m
from hubbub.pipeline.messages import PostBatch
from hubbub.workers.topology import open_bus

from .conftest import NatsServer, Workers
from .load import counts, expected_matches, make_batches, publish, wait_for


@pytest.fixture
def bus(settings: Settings, nats_server: NatsServer) -> Iterator[JetStreamBus]:
    b = open_bus(settings.model_copy(update={"nats_url": nats_server.url}))
    yield b
    b.close()


def add_query(engine: Engine) -> None:
    from hubbub.actions.queries import create_query

    create_query(engine, "acme", "acme")


def test_topology_set_up_is_idempotent(nats_server: NatsServer) -> None:
    subjects = [m.INGESTED, m.NORMALIZED]
    first = JetStreamBus(nats_server.url, subjects, options=JetStreamOptions(ack_wait=5))
    # a second node starting with other settings updates, never fails
    second = JetStreamBus(nats_server.url, subjects, options=JetStreamOptions(ack_wait=7))
    try:
        second.ensure_topology()
        assert [lag.pending for lag in second.lag()] == [0, 0]
        first.publish(m.INGESTED, {"v": 1, "id": "one"})
        first.publish(m.INGESTED, {"v": 1, "id": "one"})  # same id: deduplicated
        assert [lag.pending for lag in second.lag()] == [1, 0]
    finally:
        first.close()
        second.close()


def _ack_wait(url: str, subject: str) -> float:
    """The shared consumer's ack wait, read from the server itself."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    import nats

    async def read() -> float:
        nc = await nats.connect(url)
        try:
            info = await nc.jetstream().consumer_info(stream_name(subject), CONSUMER)
            return float(info.config.ack_wait or 0)
        finally:
            await nc.close()

    # a thread of its own: another test's event loop (Playwright's) may be
    # running on this one
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, read()).result()


def test_a_publisher_never_resets_the_workers_consumer_settings(nats_server: NatsServer) -> None:
    subjects = [m.INGESTED]
    worker = JetStreamBus(nats_server.url, subjects, options=JetStreamOptions(ack_wait=5))
    # a web node or `hubbub status` connecting later, with the default options
    publisher = JetStreamBus(nats_server.url, subjects, configure_consumers=False)
    try:
        assert _ack_wait(nats_server.url, m.INGESTED) == 5
    finally:
        worker.close()
        publisher.close()
    # on a server no worker has reached yet, a publisher creates the consumer
    other = [m.NORMALIZED]
    first = JetStreamBus(nats_server.url, other, configure_consumers=False)
    try:
        assert _ack_wait(nats_server.url, m.NORMALIZED) == JetStreamOptions().ack_wait
    finally:
        first.close()


@pytest.mark.slow
def test_worker_stores_every_post_once_and_dead_letters_a_poison_message(
    settings: Settings, engine: Engine, bus: JetStreamBus, workers: Workers
) -> None:
    add_query(engine)
    batches = make_batches(600, 50)
    publish(bus, batches[:6])
    # a poison message: valid JSON, a schema version no worker knows
    bus.publish(m.INGESTED, {"v": 99, "id": "poison-1", "posts": []})
    publish(bus, batches[6:])
    workers.start("--ack-wait", "5", "--max-deliver", "3")
    wait_for(
        lambda: (
            counts(engine)["posts"] >= 600
            and counts(engine)["conversations"] >= expected_matches(600)
            and bus.dead_letter_count() == 1
        ),
        90,
        lambda: f"{counts(engine)} dlq={bus.dead_letter_count()}\n{workers.output()}",
    )
    assert counts(engine) == {
        "posts": 600,
        "distinct": 600,
        "matches": expected_matches(600),
        "errors": 0,
        "conversations": expected_matches(600),
        "in_conversations": expected_matches(600),
    }
    [letter] = bus.dead_letters()
    assert letter.subject == m.INGESTED
    assert "version 99" in letter.error
    assert letter.message_id == "poison-1"
    wait_for(lambda: all(x.pending == 0 and x.in_flight == 0 for x in bus.lag()), 30)
    # replayed as it is, it fails again and comes back to the dead letters
    assert bus.replay(letter.seq) is not None
    wait_for(lambda: [d.message_id for d in bus.dead_letters()] == ["poison-1"], 60)
    # the same batches published again (a client retrying): nothing doubles
    for b in batches[:4]:
        b.id = b.id + "-again"
    publish(bus, batches[:4])
    wait_for(lambda: all(x.pending == 0 and x.in_flight == 0 for x in bus.lag()), 60)
    assert counts(engine)["posts"] == 600
    assert counts(engine)["matches"] == expected_matches(600)


def test_a_batch_over_the_servers_size_limit_is_split(nats_server: NatsServer) -> None:
    from hubbub.workers.publish import BatchPublisher

    from .load import make_post

    bus = JetStreamBus(nats_server.url, [m.INGESTED])
    try:
        posts = [make_post(n) for n in range(300)]
        for p in posts:
            p.text += " filler" * 800  # ~5 KB each: ~1.5 MB in all, over the 1 MB default
        batch = PostBatch(posts=posts, cursor={"page": 9}, seq=3)
        BatchPublisher(bus).publish(m.INGESTED, batch.to_message())
        [lag] = bus.lag()
        assert lag.pending == 2
        # the parts carry every post once, and only the last one the cursor
        got: list[PostBatch] = []
        stop = threading.Event()

        def take(message: dict[str, object]) -> None:
            got.append(PostBatch.from_message(message))
            if len(got) == 2:
                stop.set()

        bus.consume(m.INGESTED, take, stop)
        assert sorted(p.external_id for b in got for p in b.posts) == sorted(
            p.external_id for p in posts
        )
        assert [b.cursor for b in got] == [None, {"page": 9}]
        assert len({b.id for b in got}) == 2 and all(b.id.startswith(batch.id) for b in got)
    finally:
        bus.close()


def test_a_web_node_enqueues_and_the_embedded_default_stores(
    settings: Settings, engine: Engine, bus: JetStreamBus, nats_server: NatsServer
) -> None:
    from hubbub.workers.enqueue import enqueue_pipeline

    from .load import make_post

    web = enqueue_pipeline(engine, settings.model_copy(update={"nats_url": nats_server.url}))
    try:
        web.submit(PostBatch(posts=[make_post(1)]))
    finally:
        web.bus.close()  # type: ignore[attr-defined]
    assert bus.lag()[0].pending == 1
    assert counts(engine)["posts"] == 0  # the workers store it, not the web node
    embedded = enqueue_pipeline(engine, settings)
    embedded.submit(PostBatch(posts=[make_post(2)]))
    assert counts(engine)["posts"] == 1
