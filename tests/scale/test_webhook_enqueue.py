"""Webhook deliveries at scale: `hubbub serve` with HUBBUB_NATS_URL answers a
signed delivery once JetStream holds it, a `hubbub worker` stores its posts,
and a delivery sent again (the same bytes, or the same posts re-encoded) is
not stored twice."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select

from hubbub.actions.sources import add_source
from hubbub.bus.jetstream import JetStreamBus
from hubbub.config import Settings
from hubbub.pipeline import messages as m
from hubbub.sources.webhook.verify import sign
from hubbub.store.credentials import CredentialCipher
from hubbub.store.tables import posts
from hubbub.testing import free_port, wait_port
from hubbub.workers.topology import open_bus

from .conftest import NatsServer, Workers, cli_env
from .load import wait_for

SECRET = "scale-webhook-secret-0123"
DELIVERY = {
    "posts": [
        {"id": "rev-1", "text": "Parcel arrived crushed, third time this month", "author": "ann"},
        {"id": "rev-2", "text": "Quick refund, thank you!", "author": "bob"},
        {"id": "rev-3", "text": "Does the kettle come in blue?", "author": "cy"},
    ]
}


@pytest.fixture
def bus(settings: Settings, nats_server: NatsServer) -> Iterator[JetStreamBus]:
    b = open_bus(settings.model_copy(update={"nats_url": nats_server.url}))
    yield b
    b.close()


@pytest.fixture
def web_node(settings: Settings, nats_server: NatsServer, tmp_path: Path) -> Iterator[str]:
    """A real `hubbub serve` process as a web node: NATS configured, no sources polled."""
    port = free_port()
    env = cli_env(settings) | {"HUBBUB_NATS_URL": nats_server.url}
    env["HUBBUB_INTENT_ENABLED"] = "false"
    log = open(tmp_path / "web.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, "-m", "hubbub", "serve", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_port(port, timeout=20)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


def deliver(url: str, source_id: int, body: bytes) -> httpx.Response:
    timestamp = str(int(time.time()))
    headers = {
        "X-Hubbub-Signature": sign(SECRET, body, timestamp),
        "X-Hubbub-Timestamp": timestamp,
        "Content-Type": "application/json",
    }
    return httpx.post(f"{url}/hooks/{source_id}", content=body, headers=headers, timeout=20)


def stored(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(posts.c.external_id, posts.c.platform, posts.c.source_id).order_by(
                    posts.c.external_id
                )
            )
        )


def ingest_pending(bus: JetStreamBus) -> int:
    return {lag.subject: lag.pending for lag in bus.lag()}[m.INGESTED]


def idle(bus: JetStreamBus) -> bool:
    return all(lag.pending == 0 and lag.in_flight == 0 for lag in bus.lag())


def test_a_web_node_enqueues_a_delivery_that_a_worker_stores_once(
    settings: Settings,
    engine: Engine,
    bus: JetStreamBus,
    workers: Workers,
    web_node: str,
    tmp_path: Path,
) -> None:
    source_id = add_source(
        engine,
        "webhook",
        {"secret": SECRET, "platform": "reviews"},
        name="reviews",
        cipher=CredentialCipher(settings),
    )
    body = json.dumps(DELIVERY).encode()

    # no worker yet: the answer comes once the batch is in the ingest stream
    response = deliver(web_node, source_id, body)
    assert response.status_code == 202, response.text
    assert response.json() == {"received": 3, "queued": 3, "rejected": []}
    assert ingest_pending(bus) == 1
    assert stored(engine) == []  # the web node ran no stage

    # the sender did not hear the answer and sends the same bytes again: the
    # stream drops the copy (same batch id within its duplicate window)
    assert deliver(web_node, source_id, body).status_code == 202
    assert ingest_pending(bus) == 1

    workers.start("--no-sources")
    expected = [(f"rev-{n}", "reviews", source_id) for n in (1, 2, 3)]
    wait_for(
        lambda: len(stored(engine)) >= 3 and idle(bus),
        25,
        lambda: f"{stored(engine)} {bus.lag()}\n{workers.output()}",
    )
    assert stored(engine) == expected

    # the same posts in other bytes (re-encoded by the sender): a new batch,
    # which the workers' dedupe stage finds already stored
    reencoded = json.dumps(DELIVERY, indent=2, sort_keys=True).encode()
    assert deliver(web_node, source_id, reencoded).status_code == 202
    wait_for(lambda: idle(bus), 15, lambda: f"{bus.lag()}\n{workers.output()}")
    assert stored(engine) == expected
    assert bus.dead_letter_count() == 0
