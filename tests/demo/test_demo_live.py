"""`hubbub demo --live` as a real subprocess, its sources pointed at a local
Jetstream and a local HN Search API (or at closed ports, as if offline)."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select

from flows.cli import cli_env
from hubbub.config import Settings
from hubbub.demo.live import HN_SEARCHES, JETSTREAM_SOURCE, live_queries
from hubbub.demo.loader import load_live_demo
from hubbub.listening.parser import parse
from hubbub.store.tables import sources as sources_table
from hubbub.testing import free_port
from hubbub.workspace import api_token
from servers.hackernews import AlgoliaServer
from servers.jetstream import JetstreamServer

BARISTA = "did:plc:barista0000000000000000"
CODER = "did:plc:coder00000000000000000000"
T0 = 1_783_175_888_000_000


def _commit(did: str, n: int, collection: str, record: dict[str, Any]) -> dict[str, Any]:
    return {
        "did": did,
        "time_us": T0 + n,
        "kind": "commit",
        "commit": {
            "rev": f"3rev{n}",
            "operation": "create",
            "collection": collection,
            "rkey": f"3kpost{n}",
            "record": record,
            "cid": f"bafy{n}",
        },
    }


def _post(did: str, n: int, text: str) -> dict[str, Any]:
    record = {
        "$type": "app.bsky.feed.post",
        "text": text,
        "langs": ["en"],
        "createdAt": "2026-11-30T12:00:00.000Z",
    }
    return _commit(did, n, "app.bsky.feed.post", record)


JETSTREAM_EVENTS = [
    {
        "did": BARISTA,
        "time_us": T0,
        "kind": "identity",
        "identity": {"did": BARISTA, "handle": "barista.example.com", "seq": 1},
    },
    _post(BARISTA, 1, "Pulled the best espresso of my life this morning"),
    _commit(
        CODER,
        2,
        "app.bsky.feed.like",
        {"subject": {"uri": f"at://{BARISTA}/app.bsky.feed.post/3kpost1", "cid": "bafy1"}},
    ),
    _post(CODER, 3, "Asked an LLM to review my pull request; it found two real bugs"),
    _post(CODER, 4, "Walking the dog before the rain starts"),
]
HN_HITS = [
    {
        "objectID": "9100001",
        "created_at_i": 1_764_500_000,
        "title": "Show HN: an open source grinder for better coffee at home",
        "url": "https://grinder.example/",
        "author": "grindhacker",
        "points": 42,
        "num_comments": 3,
        "_tags": ["story", "author_grindhacker", "story_9100001"],
    },
    {
        "objectID": "9100002",
        "created_at_i": 1_764_500_060,
        "comment_text": "Every LLM I tried <i>hallucinates</i> the API names.",
        "author": "skeptic",
        "parent_id": 9100001,
        "story_id": 9100001,
        "_tags": ["comment", "author_skeptic", "story_9100001"],
    },
]


@contextmanager
def running_demo(settings: Settings, *options: str) -> Iterator[httpx.Client]:
    """`hubbub demo --live ...` serving on a free port; yields an API client
    once the server answers, and stops the process afterwards."""
    port = free_port()
    args = ["demo", "--live", "--host", "127.0.0.1", "--port", str(port), *options]
    # The intent enricher (sentence embeddings, ~400 MB) has tests of its own;
    # without it the subprocess starts in seconds on the shared test machine.
    env = {**cli_env(settings), "HUBBUB_INTENT_ENABLED": "false"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "hubbub", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=10) as client:
            _wait(lambda: _answers(client, proc), timeout=90, what="the demo to serve")
            client.headers["Authorization"] = f"Bearer {api_token(settings)}"
            yield client
    finally:
        proc.terminate()
        try:
            output, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            output, _ = proc.communicate()
        print(output)  # shown by pytest when the test fails


def _sign_in(client: httpx.Client, settings: Settings) -> None:
    """Through the real login form, with the password the demo printed."""
    form = client.get("/login")
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert csrf is not None, form.text
    password = (settings.home / "demo_password").read_text().strip()
    done = client.post(
        "/login",
        data={
            "csrf_token": csrf.group(1),
            "next": "/",
            "email": "admin@demo.example",
            "password": password,
        },
    )
    assert done.status_code == 303, done.text


def _answers(client: httpx.Client, proc: subprocess.Popen[str]) -> bool:
    if proc.poll() is not None:
        output = proc.stdout.read() if proc.stdout else ""
        raise AssertionError(f"hubbub demo --live exited {proc.returncode}:\n{output}")
    try:
        return client.get("/healthz").status_code == 200
    except httpx.TransportError:
        return False


def _wait(check: Callable[[], Any], timeout: float, what: str) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {timeout:.0f}s")
        time.sleep(0.25)


def _posts(client: httpx.Client, platform: str) -> list[dict[str, Any]]:
    response = client.get("/api/v1/posts", params={"platform": platform, "limit": 100})
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def _sources(client: httpx.Client) -> dict[str, dict[str, Any]]:
    response = client.get("/api/v1/sources")
    assert response.status_code == 200, response.text
    return {s["name"]: s for s in response.json()}


def _all_failing(sources: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]] | None:
    failing = [s["health"]["consecutive_failures"] >= 1 for s in sources.values()]
    return sources if failing and all(failing) else None


def _saved_sources(engine: Engine) -> dict[str, tuple[int, dict[str, Any]]]:
    with engine.connect() as conn:
        return {r.name: (r.id, r.settings) for r in conn.execute(select(sources_table))}


def test_live_setup_is_idempotent_and_follows_new_urls(engine: Engine) -> None:
    for q in live_queries():
        parse(q["query"])
    first = load_live_demo(engine, "ws://127.0.0.1:1", "http://127.0.0.1:1/api/v1")
    assert first == {"queries": len(live_queries()), "sources": [JETSTREAM_SOURCE, *HN_SEARCHES]}
    saved = _saved_sources(engine)
    assert saved[JETSTREAM_SOURCE][1]["url"] == "ws://127.0.0.1:1"
    assert {saved[name][1]["query"] for name in HN_SEARCHES} == set(HN_SEARCHES.values())

    again = load_live_demo(engine, "ws://127.0.0.1:1", "http://127.0.0.1:1/api/v1")
    assert again["queries"] == 0 and _saved_sources(engine) == saved  # same rows, same cursors

    load_live_demo(engine, "ws://127.0.0.1:2", "http://127.0.0.1:1/api/v1")
    moved = _saved_sources(engine)
    assert moved[JETSTREAM_SOURCE][1]["url"] == "ws://127.0.0.1:2"
    assert all(moved[name] == saved[name] for name in HN_SEARCHES)


@pytest.mark.slow
def test_live_demo_streams_and_matches_both_sources(settings: Settings) -> None:
    jetstream = JetstreamServer(JETSTREAM_EVENTS).start()
    algolia = AlgoliaServer(HN_HITS).start()
    try:
        with running_demo(
            settings,
            "--jetstream-url",
            jetstream.url,
            "--hn-url",
            algolia.url,
            "--appview-url",
            f"http://127.0.0.1:{free_port()}",  # handles come from identity events here
        ) as client:
            bluesky = _wait(
                lambda: len(found := _posts(client, "bluesky")) >= 3 and found,
                timeout=60,
                what="the Bluesky posts",
            )
            hackernews = _wait(
                lambda: len(found := _posts(client, "hackernews")) >= 2 and found,
                timeout=60,
                what="the Hacker News posts",
            )
            queries = {q["name"]: q for q in client.get("/api/v1/queries").json()}
            sources = _sources(client)
    finally:
        jetstream.stop()
        algolia.stop()

    by_text = {p["text"]: p for p in bluesky}
    assert len(bluesky) == 3  # the like is not a post
    espresso = by_text["Pulled the best espresso of my life this morning"]
    assert espresso["author_handle"] == "barista.example.com"
    assert espresso["url"] == "https://bsky.app/profile/barista.example.com/post/3kpost1"
    coffee, ai = queries["Coffee"]["id"], queries["AI & LLMs"]["id"]
    assert espresso["queries"] == [coffee]
    llm = by_text["Asked an LLM to review my pull request; it found two real bugs"]
    assert llm["queries"] == [ai]
    assert by_text["Walking the dog before the rain starts"]["queries"] == []

    by_id = {p["external_id"]: p for p in hackernews}
    assert set(by_id) == {"9100001", "9100002"}
    assert coffee in by_id["9100001"]["queries"]
    assert queries["Open source"]["id"] in by_id["9100001"]["queries"]
    assert by_id["9100002"]["queries"] == [ai]
    assert queries["Coffee"]["match_count"] == 2 and queries["AI & LLMs"]["match_count"] == 2

    assert set(sources) == {JETSTREAM_SOURCE, *HN_SEARCHES}
    for name, source in sources.items():
        health = source["health"]
        assert health["consecutive_failures"] == 0 and not health["last_error"], (name, health)
        assert health["state"] not in ("failing", "down"), (name, health)
    assert "wantedCollections=app.bsky.feed.post" in jetstream.paths[0]
    assert {q["query"] for q in algolia.queries} == set(HN_SEARCHES.values())


@pytest.mark.slow
def test_live_demo_offline_shows_failing_sources_and_still_serves(settings: Settings) -> None:
    closed = free_port()
    with running_demo(
        settings,
        "--jetstream-url",
        f"ws://127.0.0.1:{closed}",
        "--hn-url",
        f"http://127.0.0.1:{closed}/api/v1",
        "--appview-url",
        f"http://127.0.0.1:{closed}",
    ) as client:
        sources = _wait(
            lambda: _all_failing(_sources(client)),
            timeout=60,
            what="every source to be shown failing",
        )
        status = client.get("/api/v1/status")
        _sign_in(client, settings)  # the web UI wants a person: the demo's admin
        page = client.get("/sources")

    assert set(sources) == {JETSTREAM_SOURCE, *HN_SEARCHES}
    jet_error = sources[JETSTREAM_SOURCE]["health"]["last_error"]
    assert f"ws://127.0.0.1:{closed} unreachable" in jet_error
    for name in HN_SEARCHES:
        assert sources[name]["health"]["last_error"], sources[name]
    assert all(s["health"]["state"] != "ok" for s in sources.values())
    assert status.status_code == 200 and status.json()["posts"] == 0
    assert page.status_code == 200 and JETSTREAM_SOURCE in page.text
    assert f"ws://127.0.0.1:{closed} unreachable" in page.text
