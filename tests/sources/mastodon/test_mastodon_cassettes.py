"""The shared, real Mastodon API recordings (vcrpy cassettes in ../shared),
replayed from a local server: every recorded status must parse."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from api_testkit import ApiServer, Reply

from hubbub.sources.mastodon.connector import MastodonSource
from hubbub.sources.mastodon.parse import status_to_post

yaml = pytest.importorskip("yaml", reason="PyYAML reads the shared cassettes")

CASSETTES = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "mastodon"
# test_search's recorded results hold accounts only; notifications carry their status.
NAMES = [
    "test_public_tl",
    "test_hashtag_tl",
    "test_status",
    "test_status_reply",
    "test_notifications_mentions_only",
]

pytestmark = pytest.mark.skipif(
    not CASSETTES.is_dir(), reason=f"shared Mastodon cassettes not found at {CASSETTES}"
)


def recorded_bodies(name: str) -> list[tuple[str, str, Any]]:
    cassette = yaml.safe_load((CASSETTES / f"{name}.yaml").read_text())
    found = []
    for interaction in cassette["interactions"]:
        body = interaction["response"]["body"]["string"]
        if interaction["response"]["status"]["code"] == 200 and body.startswith(("{", "[")):
            found.append(
                (interaction["request"]["method"], interaction["request"]["uri"], json.loads(body))
            )
    return found


def statuses_in(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return [s for item in data for s in statuses_in(item)]
    if isinstance(data, dict) and "content" in data and "uri" in data:
        return [data]
    if isinstance(data, dict):
        return statuses_in(data.get("statuses") or data.get("status"))
    return []


@pytest.mark.parametrize("name", NAMES)
def test_every_recorded_status_parses(name: str) -> None:
    statuses = [s for _, _, body in recorded_bodies(name) for s in statuses_in(body)]
    assert statuses, f"{name} holds no status"
    for recorded in statuses:
        post = status_to_post(recorded)
        assert post.external_id == recorded["uri"] and post.text
        assert post.author_handle == recorded["account"]["acct"]


@pytest.mark.parametrize(
    ("name", "path", "settings"),
    [
        ("test_public_tl", "/api/v1/timelines/public", {}),
        (
            "test_hashtag_tl",
            "/api/v1/timelines/tag/hoot",
            {"timeline": "hashtag", "hashtag": "hoot"},
        ),
    ],
)
def test_recorded_timelines_replayed_through_the_connector(
    api_server: ApiServer, name: str, path: str, settings: dict[str, Any]
) -> None:
    bodies = [
        body for method, uri, body in recorded_bodies(name) if method == "GET" and path in uri
    ]
    body = json.dumps(bodies[0]).encode()
    api_server.serve(path, Reply(200, body, {"Content-Type": "application/json; charset=utf-8"}))
    src = MastodonSource({"url": api_server.base, **settings})
    batch = src.next_batch()
    assert batch.errors == [] and len(batch.posts) == len(bodies[0])
    src.close()
