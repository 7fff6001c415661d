"""Topics, trends, campaigns and facets through the API, the web page and the
CLI, over posts stored by the real pipeline."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from analytics.synthetic import post, themed_posts
from flows.cli import cli_env
from hubbub.config import Settings
from hubbub.pipeline.runner import Pipeline
from hubbub.post import utcnow

XSS = '<script>alert("t")</script> battery drain after the update, <img src=x onerror=alert(1)>'


@pytest.fixture
def corpus(engine: Engine, settings: Settings, seeded: dict[str, int]) -> None:
    now = utcnow()
    posts = themed_posts(
        {"battery": 30, "shipping": 30, "espresso": 30},
        10,
        now - timedelta(days=6),
        timedelta(days=5),
    )
    posts.append(post(990, XSS, now - timedelta(hours=2), author='"><b>x</b>'))
    for i in range(6):
        posts.append(
            post(
                1000 + i,
                "Switch to Globex today, Acme skates are dangerous, everyone is leaving",
                now - timedelta(hours=5, minutes=i),
                author=f"sock{i}",
            )
        )
    Pipeline(engine, settings).ingest_posts(posts)


def test_api_topics_trends_campaigns_facets(api: TestClient, corpus: None) -> None:
    r = api.get("/api/v1/topics", params={"since": "7d", "method": "tfidf"})
    assert r.status_code == 200, r.text
    body = r.json()
    labels = " | ".join(t["label"] for t in body["topics"])
    for key in ("battery drain", "shipping delay", "espresso machine"):
        assert key in labels, labels
    assert body["method"] == "tfidf" and body["sampled"] is False
    topic = body["topics"][0]
    assert {"keywords", "size", "estimated", "sentiment", "samples", "growth"} <= set(topic)

    trends = api.get("/api/v1/trends", params={"since": "7d"}).json()
    assert trends["terms"] and trends["terms"][0]["posts"]

    found = api.get("/api/v1/campaigns", params={"since": "24h"}).json()["campaigns"]
    assert [len(c["accounts"]) for c in found] == [6]

    facets = api.get("/api/v1/facets", params={"since": "7d", "query": "acme"}).json()
    assert facets["total"] >= 6
    assert {"hashtags", "mentions", "domains", "cashtags", "phrases"} <= set(facets)


def test_api_errors_and_permissions(
    api: TestClient, api_as: Callable[..., TestClient], corpus: None
) -> None:
    bad = api.get("/api/v1/topics", params={"query": "(acme OR"})
    assert bad.status_code == 400 and bad.json()["detail"]["position"] == 8
    assert api.get("/api/v1/trends", params={"since": "soon"}).status_code == 422
    assert api_as("viewer").get("/api/v1/facets").status_code == 200
    narrow = api_as("agent", scopes=["posts:read"])
    assert narrow.get("/api/v1/topics").status_code == 403


def test_web_page_shows_topics_trends_and_campaigns_escaped(
    app_client: TestClient, corpus: None
) -> None:
    r = app_client.get("/topics", params={"since": "7d"})
    assert r.status_code == 200, r.text
    html = r.text
    for key in ("battery drain", "shipping delay", "espresso machine"):
        assert key in html
    assert '<svg class="chart"' in html and "Posts per topic" in html
    assert "Coordinated bursts" in html and "sock0" in html
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>x</b>" not in html
    assert "&lt;script&gt;" in html or "battery" in html
    bad = app_client.get("/topics", params={"q": "(acme OR"})
    assert bad.status_code == 400 and 'role="alert"' in bad.text


# The real `hubbub` entry point.
_MAIN = """
import sys
from hubbub.interfaces.cli.app import main
sys.argv[0] = "hubbub"
sys.exit(main())
"""


def hubbub(settings: Settings, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-c", _MAIN, *args],
        env=cli_env(settings),
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check:
        assert proc.returncode == 0, f"{args} exited {proc.returncode}: {proc.stdout}{proc.stderr}"
    return proc


def test_cli_topics_and_campaigns(settings: Settings, corpus: None) -> None:
    out = hubbub(settings, "topics", "--since", "7d", "--method", "tfidf", "--json").stdout
    labels = " | ".join(t["label"] for t in json.loads(out)["topics"])
    assert "battery drain" in labels, labels
    table = hubbub(settings, "topics", "--since", "7d", "--method", "tfidf").stdout
    assert "battery drain" in table and "Growth" in table
    bursts = json.loads(hubbub(settings, "campaigns", "--since", "24h", "--json").stdout)
    assert sorted(bursts[0]["accounts"]) == [f"sock{i}" for i in range(6)]
    trends = hubbub(settings, "trends", "--since", "7d").stdout
    assert "Emerging" in trends
    bad = hubbub(settings, "topics", "(acme OR", check=False)
    assert bad.returncode == 1 and "position 8" in bad.stderr
