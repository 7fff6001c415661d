"""Source health through the real paths: a Hacker News source against a local
server that fails, rate-limits and then recovers, run by the real runner, and
its health read back through the API, the CLI and the web page. Backoff
jitter is checked with a seeded RNG, never with sleeps."""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sources" / "hackernews"))

from api_testkit import ApiServer, Reply, json_reply

from flows.cli import hubbub
from hubbub.actions.sources import MAX_BACKOFF, add_source, backoff_delay
from hubbub.analytics.sources import source_health
from hubbub.config import Settings
from hubbub.interfaces.api.app import create_api
from hubbub.interfaces.app import create_app
from hubbub.pipeline.runner import Pipeline, SourceRunner
from hubbub.post import utcnow
from hubbub.store.credentials import CredentialCipher, new_key
from hubbub.store.tables import sources
from hubbub.workspace import api_token
from interfaces.conftest import sign_in

SEARCH = "/search_by_date"
INTERVAL = 60
SEED = 20261130


def test_backoff_doubles_is_capped_and_jittered_deterministically() -> None:
    delays = [backoff_delay(n, INTERVAL, random.Random(SEED)) for n in range(1, 16)]
    for failures, delay in enumerate(delays, start=1):
        ceiling = min(timedelta(seconds=INTERVAL * 2**failures), MAX_BACKOFF)
        assert ceiling / 2 <= delay <= ceiling
    assert max(delays) <= MAX_BACKOFF

    same = random.Random(SEED)
    again = [backoff_delay(n, INTERVAL, same) for n in range(1, 16)]
    replay = random.Random(SEED)
    assert again == [
        min(timedelta(seconds=INTERVAL * 2**n), MAX_BACKOFF) * replay.uniform(0.5, 1.0)
        for n in range(1, 16)
    ]
    # jitter: sources failing together come back at different times
    spread = {backoff_delay(3, INTERVAL, random.Random(seed)) for seed in range(20)}
    assert len(spread) == 20

    # the server's Retry-After wins over a shorter backoff, never the other way
    assert backoff_delay(1, INTERVAL, random.Random(1), retry_after=7200) == timedelta(hours=2)
    assert backoff_delay(8, INTERVAL, random.Random(1), retry_after=1) >= MAX_BACKOFF / 2


def hit(n: int, created: datetime) -> dict[str, Any]:
    return {
        "objectID": str(41000000 + n),
        "created_at_i": int(created.timestamp()),
        "title": f"Story {n} about hubbub",
        "url": f"https://story.example/{n}",
        "author": "alice",
        "points": 1,
        "_tags": ["story"],
    }


class ScriptedUpstream:
    """Answers the search with the queued replies in turn, then the last one."""

    def __init__(self, server: ApiServer) -> None:
        self.replies: list[Reply] = []
        server.serve(
            SEARCH,
            lambda _request: self.replies.pop(0) if len(self.replies) > 1 else self.replies[0],
        )


@pytest.fixture
def server() -> Iterator[ApiServer]:
    api = ApiServer()
    api.start()
    yield api
    api.stop()


@pytest.fixture
def strict(settings: Settings) -> Settings:
    """A workspace where two failures in a row make a source "failing"."""
    return settings.model_copy(update={"source_failing_after": 2})


def run_now(runner: SourceRunner, source_id: int) -> None:
    """Run the source whatever its schedule (the backoff is asserted separately)."""
    (row,) = [r for r in runner.due_sources(utcnow() + timedelta(days=1)) if r.id == source_id]
    runner.run_source(row)


def stored_row(engine: Engine, source_id: int) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(sources).where(sources.c.id == source_id)).one()


def aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def test_a_failing_then_rate_limited_then_recovered_source(
    engine: Engine, strict: Settings, server: ApiServer
) -> None:
    upstream = ScriptedUpstream(server)
    source_id = add_source(
        engine,
        "hackernews",
        {"url": server.base, "query": "hubbub", "interval": INTERVAL},
        name="hn",
        cipher=CredentialCipher(strict),
    )
    runner = SourceRunner(engine, Pipeline(engine, strict), rng=random.Random(SEED))
    expected_jitter = random.Random(SEED)
    api = sign_in(TestClient(create_app(strict)), engine, strict)
    api.headers["Authorization"] = f"Bearer {api_token(strict)}"

    def api_health() -> dict[str, Any]:
        response = api.get(f"/api/v1/sources/{source_id}")
        assert response.status_code == 200
        return response.json()["health"]

    try:
        # 1. a server error: backing off, retried after the jittered backoff
        upstream.replies = [Reply(503, b"upstream maintenance")]
        run_now(runner, source_id)
        row = stored_row(engine, source_id)
        waited = aware(row.next_run_at) - aware(row.last_error_at)
        assert waited == backoff_delay(1, INTERVAL, expected_jitter)
        health = api_health()
        assert health["state"] == "backing off" and health["consecutive_failures"] == 1
        assert "503" in health["last_error"]
        assert runner.due_sources(utcnow()) == []

        # 2. again: failing, shown everywhere with its error
        run_now(runner, source_id)
        health = api_health()
        assert health["state"] == "failing" and health["failing_after"] == 2
        listed = api.get("/api/v1/sources").json()
        assert [s["health"]["state"] for s in listed] == ["failing"]
        page = api.get("/sources").text
        assert "1 source failing" in page and "<strong>Failing:</strong>" in page
        assert 'class="state state-failing"' in page and "hackernews: HTTP 503" in page

        # 3. rate limited: the server's Retry-After is honoured exactly
        upstream.replies = [Reply(429, b"slow down", {"Retry-After": "3000"})]
        run_now(runner, source_id)
        row = stored_row(engine, source_id)
        assert aware(row.next_run_at) - aware(row.last_error_at) == timedelta(seconds=3000)
        assert "rate limited" in row.last_error and row.consecutive_failures == 3
        assert runner.due_sources(utcnow() + timedelta(seconds=2900)) == []

        # 4. recovered: ok, with its rate and its lag behind live
        newest = utcnow().replace(microsecond=0) - timedelta(minutes=5)
        hits = [hit(1, newest - timedelta(minutes=10)), hit(2, newest)]
        upstream.replies = [json_reply({"hits": hits, "page": 0, "nbPages": 1})]
        run_now(runner, source_id)
        health = api_health()
        assert health["state"] == "ok" and health["consecutive_failures"] == 0
        assert health["items_per_minute_15m"] == round(2 / 15, 2)
        assert health["items_per_minute_60m"] == round(2 / 60, 2)
        assert datetime.fromisoformat(health["newest_item_at"]) == newest
        assert health["lag_basis"] == "newest item"
        assert 300 <= health["lag_seconds"] < 360
        assert health["last_error"]  # the last error stays visible, with its time

        # 5. nothing new upstream: still works, so "ok" while it stored lately
        upstream.replies = [json_reply({"hits": [], "page": 0, "nbPages": 1})]
        run_now(runner, source_id)
        assert api_health()["state"] == "ok"
    finally:
        runner.close()
        api.close()


def test_the_cli_shows_a_failing_source_in_words(
    engine: Engine, strict: Settings, server: ApiServer
) -> None:
    ScriptedUpstream(server).replies = [Reply(500, b"boom")]
    source_id = add_source(
        engine, "hackernews", {"url": server.base, "query": "hubbub"}, name="hn feed"
    )
    token = "cli-listed-token-93ab1"
    add_source(
        engine,
        "webhook",
        {"secret": f"{token}-long-enough"},
        name="hooks",
        cipher=CredentialCipher(strict),
    )
    runner = SourceRunner(engine, Pipeline(engine, strict))
    try:
        for _ in range(2):
            run_now(runner, source_id)
    finally:
        runner.close()
    # the CLI reads the workspace's settings.json
    (strict.home / "settings.json").write_text(json.dumps({"source_failing_after": 2}))

    table = hubbub(strict, "source", "list").stdout
    assert "failing" in table and "2 in a row" in table
    assert "FAILING source" in table and "hackernews: HTTP 500" in table
    status = hubbub(strict, "status").stdout
    assert "FAILING source" in status
    rows = json.loads(hubbub(strict, "source", "list", "--json").stdout)
    by_name = {r["name"]: r for r in rows}
    assert by_name["hn feed"]["state"] == "failing"
    assert by_name["hooks"]["state"] == "never run"
    assert {"lag_seconds", "items_per_minute_15m", "next_run_at"} <= set(by_name["hn feed"])
    for output in (table, status, json.dumps(rows)):
        assert token not in output


def test_idle_state_and_lag_from_a_time_cursor() -> None:
    now = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    row = SimpleNamespace(
        enabled=True,
        consecutive_failures=0,
        last_run_at=now,
        last_success_at=now,
        last_error_at=None,
        last_error=None,
        next_run_at=None,
        items_ingested=10,
        items_rejected=0,
        cursor={"time_us": int((now - timedelta(seconds=42)).timestamp() * 1_000_000)},
        newest_item_at=now - timedelta(hours=3),
        items_15m=0,
        items_60m=0,
    )
    health = source_health(row, now=now)
    assert health["state"] == "idle"
    # the cursor says how far the connector has read: it beats the newest post's age
    assert health["lag_basis"] == "cursor" and health["lag_seconds"] == 42
    assert (
        source_health(SimpleNamespace(**{**vars(row), "enabled": False}), now=now)["state"]
        == "disabled"
    )


def test_the_schema_documents_the_health_fields() -> None:
    schemas = create_api().openapi()["components"]["schemas"]
    fields = schemas["SourceHealth"]["properties"]
    for name in ("lag_seconds", "items_per_minute_15m", "items_per_minute_60m", "next_run_at"):
        assert fields[name].get("description"), name
    states = set(fields["state"]["enum"])
    assert states == {"ok", "idle", "backing off", "failing", "disabled", "never run"}
    assert "********" in schemas["SourcePublic"]["properties"]["settings"]["description"]


def raw_settings(engine: Engine, source_id: int) -> str:
    with engine.connect() as conn:
        value = conn.execute(
            text("SELECT CAST(settings AS TEXT) FROM sources WHERE id = :id"), {"id": source_id}
        ).scalar_one()
    return str(value)


def test_api_and_web_store_credentials_encrypted_and_never_show_them(
    engine: Engine, settings: Settings
) -> None:
    first, second = "api-token-first-6d1f0a", "api-token-second-88c2e4"
    with TestClient(create_app(settings)) as client:
        sign_in(client, engine, settings)
        client.headers["Authorization"] = f"Bearer {api_token(settings)}"
        created = client.post(
            "/api/v1/sources",
            json={
                "kind": "mastodon",
                "name": "social",
                "settings": {"url": "https://bob:hunter22@social.example", "token": first},
            },
        )
        assert created.status_code == 201, created.text
        source_id = created.json()["id"]
        assert created.json()["settings"]["token"] == "********"
        assert first not in raw_settings(engine, source_id)

        changed = client.patch(f"/api/v1/sources/{source_id}", json={"settings": {"token": second}})
        assert changed.status_code == 200 and changed.json()["settings"]["token"] == "********"
        stored = raw_settings(engine, source_id)
        assert first not in stored and second not in stored
        refused = client.patch(
            f"/api/v1/sources/{source_id}", json={"settings": {"timeline": "nowhere"}}
        )
        assert refused.status_code == 422 and second not in refused.text
        assert client.patch("/api/v1/sources/999999", json={}).status_code == 404

        shown = [
            client.get(url).text
            for url in (
                "/api/v1/sources",
                f"/api/v1/sources/{source_id}",
                "/api/v1/status",
                "/sources",
                "/dashboard",
            )
        ]
    assert "social" in shown[0] and "social" in shown[3]
    for text_ in shown:
        assert first not in text_ and second not in text_ and "hunter22" not in text_


def test_cli_credentials_prompt_rekey_and_new_key(engine: Engine, settings: Settings) -> None:
    secret = "prompted-webhook-secret-4411"
    hubbub(
        settings, "source", "add", "webhook", "--name", "hooks", "--secret", "secret",
        input=secret + "\n",
    )  # fmt: skip
    with engine.connect() as conn:
        (source_id,) = conn.execute(select(sources.c.id)).scalars()
    assert secret not in raw_settings(engine, source_id)
    listed = hubbub(settings, "source", "list").stdout + hubbub(settings, "status").stdout
    assert "hooks" in listed and secret not in listed

    key = hubbub(settings, "source", "new-key").stdout.strip()
    old = (settings.home / "secret.key").read_text().strip()
    (settings.home / "secret.key").write_text(f"{key}\n{old}\n")  # rotation: the new key first
    before = raw_settings(engine, source_id)
    assert "Re-encrypted 1 credential" in hubbub(settings, "source", "rekey").stdout
    assert raw_settings(engine, source_id) != before

    (settings.home / "secret.key").write_text(f"{new_key()}\n")  # the key is lost
    failed = hubbub(settings, "source", "rekey", check=False)
    assert failed.returncode == 1
    assert "setting 'secret' of source 'hooks' cannot be decrypted" in " ".join(
        failed.stderr.split()
    )
    changed = hubbub(settings, "source", "set", "hooks", "platform=reviews", check=False)
    assert changed.returncode == 1 and "cannot be decrypted" in changed.stderr
    assert secret not in failed.stderr + changed.stderr
