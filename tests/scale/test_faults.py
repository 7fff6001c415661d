"""Fault tests against a real NATS server (our own) and the real PostgreSQL
(a schema of our own), with real `hubbub worker` processes. Each ends with
every post stored exactly once and no match lost or doubled.

A poison message is covered in test_worker_basics (on both databases)."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hubbub.actions.sources import add_source
from hubbub.bus.jetstream import JetStreamBus
from hubbub.config import Settings
from hubbub.workers.lease import SOURCES_LEASE, Lease
from hubbub.workers.topology import open_bus

from .conftest import NatsServer, Workers
from .load import counts, expected_matches, make_batches, publish, wait_for
from .proxy import TcpProxy

pytestmark = [
    pytest.mark.slow,
    # the faults are PostgreSQL's and NATS's; SQLite runs the basics
    pytest.mark.parametrize("db_kind", ["postgresql"], indirect=True),
]

WORKER_ARGS = ("--ack-wait", "5", "--max-deliver", "3", "--concurrency", "2")


@pytest.fixture
def bus(settings: Settings, nats_server: NatsServer) -> Iterator[JetStreamBus]:
    b = open_bus(settings.model_copy(update={"nats_url": nats_server.url}))
    yield b
    b.close()


@pytest.fixture
def acme(engine: Engine) -> None:
    from hubbub.actions.queries import create_query

    create_query(engine, "acme", "acme")


def settled(bus: JetStreamBus) -> bool:
    return all(x.pending == 0 and x.in_flight == 0 for x in bus.lag())


def assert_exactly_once(engine: Engine, bus: JetStreamBus, total: int, workers: Workers) -> None:
    wait_for(
        lambda: counts(engine)["posts"] >= total and settled(bus),
        120,
        lambda: f"{counts(engine)} {bus.lag()}\n{workers.output()}",
    )
    assert counts(engine) == {
        "posts": total,
        "distinct": total,
        "matches": expected_matches(total),
        "errors": 0,
        "conversations": expected_matches(total),
        "in_conversations": expected_matches(total),
    }
    assert bus.dead_letter_count() == 0


def test_a_worker_killed_mid_batch(
    engine: Engine, bus: JetStreamBus, workers: Workers, acme: None
) -> None:
    total = 2000
    publish(bus, make_batches(total, 50))
    victim = workers.start(*WORKER_ARGS)
    workers.start(*WORKER_ARGS)
    wait_for(lambda: counts(engine)["posts"] >= 200, 60, workers.output)
    os.kill(victim.pid, signal.SIGKILL)  # no clean-up: its in-flight messages come back
    victim.wait()
    assert counts(engine)["posts"] < total, "the load finished before the kill; make it bigger"
    assert_exactly_once(engine, bus, total, workers)


def test_nats_restarted_under_load(
    engine: Engine, bus: JetStreamBus, workers: Workers, nats_server: NatsServer, acme: None
) -> None:
    total = 1500
    batches = make_batches(total, 50)
    workers.start(*WORKER_ARGS)
    workers.start(*WORKER_ARGS)

    def publisher() -> None:  # a web node enqueuing throughout; publish retries
        for b in batches:
            publish(bus, [b])
            time.sleep(0.02)

    feeding = threading.Thread(target=publisher)
    feeding.start()
    wait_for(lambda: counts(engine)["posts"] >= 200, 60, workers.output)
    nats_server.stop()
    time.sleep(2)
    nats_server.start()  # same port, same store directory: the streams survive
    feeding.join(120)
    assert not feeding.is_alive()
    assert_exactly_once(engine, bus, total, workers)


def test_postgresql_unreachable_for_30_seconds(
    settings: Settings,
    engine: Engine,
    bus: JetStreamBus,
    workers: Workers,
    pg_proxy: TcpProxy,
    acme: None,
) -> None:
    assert settings.database_url is not None
    via_proxy = settings.database_url.replace(":5432/", f":{pg_proxy.port}/")
    total = 1600
    workers.start(*WORKER_ARGS, database_url=via_proxy)
    workers.start(*WORKER_ARGS, database_url=via_proxy)
    publish(bus, make_batches(800, 50))
    wait_for(lambda: counts(engine)["posts"] >= 200, 60, workers.output)
    pg_proxy.cut()
    cut_at = counts(engine)["posts"]
    publish(bus, make_batches(800, 50, start=800))  # load keeps coming meanwhile
    time.sleep(30)
    assert counts(engine)["posts"] < total
    stuck = counts(engine)["posts"]
    pg_proxy.restore()
    assert cut_at <= stuck
    assert_exactly_once(engine, bus, total, workers)
    assert all(p.poll() is None for p in workers.procs), "a worker died of the outage"


def test_the_sources_lease_moves_when_its_holder_is_killed(
    engine: Engine, bus: JetStreamBus, workers: Workers, tmp_path: Path, acme: None
) -> None:
    total = 1500
    feed = tmp_path / "posts.jsonl"
    feed.write_text(
        "".join(
            json.dumps({"id": p.external_id, "platform": p.platform, "text": p.text}) + "\n"
            for b in make_batches(total, 500)
            for p in b.posts
        )
    )
    add_source(engine, "file", {"path": str(feed)}, name="feed")
    lease = Lease(engine, SOURCES_LEASE, "observer")
    args = (*WORKER_ARGS, "--lease-ttl", "3")
    first = workers.start(*args)
    wait_for(lambda: _holder_pid(lease) == first.pid, 60, workers.output)
    second = workers.start(*args)
    os.kill(first.pid, signal.SIGKILL)
    first.wait()
    wait_for(lambda: _holder_pid(lease) == second.pid, 60, workers.output)
    assert_exactly_once(engine, bus, total, workers)


def _holder_pid(lease: Lease) -> int | None:
    holder = lease.current_holder()
    return int(holder.split(":")[1]) if holder else None
