"""Dead letters and lag through every edge: `hubbub dlq` and `hubbub status`
(subprocesses), the API (/cluster, /dlq) and the Workers page, against a real
NATS server. The dead letters are made by the real ingest stage handler."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hubbub.bus.jetstream import JetStreamBus
from hubbub.config import Settings
from hubbub.interfaces.app import create_app
from hubbub.pipeline import messages as m
from hubbub.workers.stages import build_stage, handler
from hubbub.workers.topology import open_bus
from hubbub.workspace import api_token
from interfaces.conftest import sign_in

from .conftest import NatsServer, cli_env
from .load import make_batches, publish, wait_for

EVIL = "<script>alert(1)</script>"


@pytest.fixture
def cluster_settings(settings: Settings, nats_server: NatsServer) -> Settings:
    return settings.model_copy(update={"nats_url": nats_server.url})


@pytest.fixture
def bus(cluster_settings: Settings) -> Iterator[JetStreamBus]:
    b = open_bus(cluster_settings)
    yield b
    b.close()


def run_ingest_stage(bus: JetStreamBus, engine: Engine, settings: Settings) -> threading.Event:
    stage = build_stage("ingest", engine, settings, bus)
    stop = threading.Event()
    threading.Thread(
        target=bus.consume, args=(m.INGESTED, handler(stage, bus), stop), daemon=True
    ).start()
    return stop


def hubbub(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = cli_env(settings)
    env["HUBBUB_NATS_URL"] = str(settings.nats_url)
    return subprocess.run(
        [sys.executable, "-m", "hubbub", *args], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.slow
def test_dead_letters_listed_replayed_and_dropped_everywhere(
    cluster_settings: Settings, engine: Engine, bus: JetStreamBus
) -> None:
    bus.publish(m.INGESTED, {"v": EVIL, "id": "poison-a", "posts": []})
    bus.publish(m.INGESTED, {"v": 99, "id": "poison-b", "posts": []})
    publish(bus, make_batches(20, 10))  # good ones behind them, not blocked
    stop = run_ingest_stage(bus, engine, cluster_settings)
    try:
        wait_for(lambda: bus.dead_letter_count() == 2, 30)
        wait_for(lambda: bus.lag()[1].pending == 2, 30, lambda: str(bus.lag()))
    finally:
        stop.set()

    # CLI
    listed = hubbub(cluster_settings, "dlq", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    letters = json.loads(listed.stdout)
    assert [d["message_id"] for d in letters] == ["poison-a", "poison-b"]
    assert all(d["subject"] == m.INGESTED for d in letters)
    first, second = (d["seq"] for d in letters)
    table = hubbub(cluster_settings, "dlq", "list")
    assert "poison-b" in table.stdout and "version 99" in table.stdout
    status = hubbub(cluster_settings, "status", "--json")
    assert status.returncode == 0, status.stderr
    cluster = json.loads(status.stdout)["cluster"]
    assert cluster["dead_letters"] == 2
    assert {s["stage"]: s["pending"] for s in cluster["stages"]}["enrich"] == 2
    assert "Workers" in hubbub(cluster_settings, "status").stdout
    missing = hubbub(cluster_settings, "dlq", "replay", "99999")
    assert missing.returncode != 0 and "no dead letter with seq 99999" in missing.stderr

    # API
    with TestClient(create_app(cluster_settings)) as client:
        sign_in(client, engine, cluster_settings)
        client.headers["Authorization"] = f"Bearer {api_token(cluster_settings)}"
        body = client.get("/api/v1/cluster").json()
        assert body["enabled"] and body["dead_letters"] == 2
        assert [s["stage"] for s in body["stages"]] == [
            "ingest",
            "enrich",
            "match",
            "store",
            "route",
        ]
        found = client.get("/api/v1/dlq", params={"with_message": True}).json()
        assert found[0]["message_id"] == "poison-a" and EVIL in found[0]["message"]
        assert client.post("/api/v1/dlq/99999/replay").status_code == 404
        assert client.delete(f"/api/v1/dlq/{second}").status_code == 204
        assert client.delete(f"/api/v1/dlq/{second}").status_code == 404
        assert [d["seq"] for d in client.get("/api/v1/dlq").json()] == [first]

        # UI: the error and message are shown escaped; replay needs the CSRF token
        html = client.get("/workers").text
        assert EVIL not in html and "&lt;script&gt;" in html
        token = re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert token is not None
        assert client.post(f"/workers/dlq/{first}/replay").status_code == 403
        done = client.post(f"/workers/dlq/{first}/replay", data={"csrf_token": token.group(1)})
        assert done.status_code == 200 and "Dead letter replayed." in done.text
        assert client.get("/api/v1/cluster").json()["dead_letters"] == 0
    # replayed onto its subject: waiting for the ingest stage again
    assert bus.lag()[0].pending == 1
    assert hubbub(cluster_settings, "dlq", "list").stdout.strip() == "No dead letters."


def test_without_nats_the_edges_say_so(settings: Settings, engine: Engine) -> None:
    with TestClient(create_app(settings)) as client:
        sign_in(client, engine, settings)
        client.headers["Authorization"] = f"Bearer {api_token(settings)}"
        assert client.get("/api/v1/cluster").json()["enabled"] is False
        assert client.get("/api/v1/dlq").status_code == 503
        assert "embedded default" in client.get("/workers").text
    env = cli_env(settings)
    out = subprocess.run(
        [sys.executable, "-m", "hubbub", "dlq", "list"], env=env, capture_output=True, text=True
    )
    assert out.returncode == 1 and "HUBBUB_NATS_URL is not set" in out.stderr
