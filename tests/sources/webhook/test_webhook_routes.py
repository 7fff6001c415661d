from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from hubbub.actions.sources import add_source
from hubbub.config import Settings
from hubbub.interfaces.app import create_app
from hubbub.sources.base import ConfigError
from hubbub.sources.webhook.connector import WebhookSource
from hubbub.sources.webhook.routes import MAX_BODY_BYTES, router
from hubbub.sources.webhook.verify import sign
from hubbub.store.credentials import CredentialCipher
from hubbub.store.tables import posts, sources

SECRET = "review-site-secret-0123"


@pytest.fixture
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)
    app.include_router(router)
    with TestClient(app) as client:
        yield client


@pytest.fixture
def source_id(engine: Engine, settings: Settings) -> int:
    settings_ = {"secret": SECRET, "platform": "reviews"}
    return add_source(
        engine, "webhook", settings_, name="reviews", cipher=CredentialCipher(settings)
    )


def _post(
    client: TestClient, source_id: int, payload: Any, *, secret: str = SECRET, **headers: str
) -> Any:
    body = json.dumps(payload).encode()
    timestamp = str(int(time.time()))
    signed = {
        "X-Hubbub-Signature": sign(secret, body, timestamp),
        "X-Hubbub-Timestamp": timestamp,
        "Content-Type": "application/json",
    }
    return client.post(f"/hooks/{source_id}", content=body, headers={**signed, **headers})


def _stored(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(conn.execute(select(posts).order_by(posts.c.external_id)))


REVIEWS = {
    "posts": [
        {
            "id": "r1",
            "text": "Great service, fast delivery",
            "author": "ann",
            "created_at": "2024-05-01T10:00:00Z",
            "stars": 5,
        },
        {"id": "r2", "text": "Never again", "author": "bob"},
    ]
}


def test_signed_delivery_is_stored(client: TestClient, engine: Engine, source_id: int) -> None:
    response = _post(client, source_id, REVIEWS)
    assert response.status_code == 202, response.text
    assert response.json() == {
        "received": 2,
        "stored": 2,
        "duplicates": 0,
        "dropped": 0,
        "rejected": [],
    }
    rows = _stored(engine)
    assert [(r.platform, r.external_id, r.author_handle, r.source_id) for r in rows] == [
        ("reviews", "r1", "ann", source_id),
        ("reviews", "r2", "bob", source_id),
    ]
    with engine.connect() as conn:
        assert (
            conn.execute(
                select(sources.c.items_ingested).where(sources.c.id == source_id)
            ).scalar_one()
            == 2
        )


def test_single_post_object_and_unsigned_timestamp_free(
    client: TestClient, engine: Engine, source_id: int
) -> None:
    body = json.dumps({"id": "one", "text": "Just one"}).encode()
    response = client.post(
        f"/hooks/{source_id}", content=body, headers={"X-Hubbub-Signature": sign(SECRET, body)}
    )
    assert response.status_code == 202
    assert [r.external_id for r in _stored(engine)] == ["one"]


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Hubbub-Signature": ""},
        {"X-Hubbub-Signature": "sha256=" + "0" * 64},
        {"X-Hubbub-Timestamp": "1000"},  # old and no longer what was signed
    ],
)
def test_bad_or_missing_signature_stores_nothing(
    client: TestClient, engine: Engine, source_id: int, headers: dict[str, str]
) -> None:
    response = _post(client, source_id, REVIEWS, **headers)
    assert response.status_code == 401
    assert response.json()["error"]
    assert _stored(engine) == []


def test_wrong_secret_is_refused(client: TestClient, engine: Engine, source_id: int) -> None:
    assert _post(client, source_id, REVIEWS, secret="some-other-secret-xyz").status_code == 401
    assert _stored(engine) == []


def test_replayed_delivery_adds_nothing(client: TestClient, engine: Engine, source_id: int) -> None:
    assert _post(client, source_id, REVIEWS).status_code == 202
    again = _post(client, source_id, REVIEWS)
    assert again.status_code == 202
    assert again.json()["stored"] == 0 and again.json()["duplicates"] == 2
    assert len(_stored(engine)) == 2


def test_bad_record_is_named_and_the_good_ones_kept(
    client: TestClient, engine: Engine, source_id: int
) -> None:
    payload = {"posts": [REVIEWS["posts"][0], {"id": "r9"}, "junk", REVIEWS["posts"][1]]}
    response = _post(client, source_id, payload)
    assert response.status_code == 207
    body = response.json()
    assert body["stored"] == 2
    assert [r["index"] for r in body["rejected"]] == [1, 2]
    assert "text" in body["rejected"][0]["error"]
    assert [r.external_id for r in _stored(engine)] == ["r1", "r2"]


def test_nothing_good_is_a_400(client: TestClient, engine: Engine, source_id: int) -> None:
    response = _post(client, source_id, {"posts": [{"id": "x"}]})
    assert response.status_code == 400
    assert response.json()["rejected"][0]["index"] == 0
    assert _post(client, source_id, [1, 2]).status_code == 400
    assert _stored(engine) == []


def test_unknown_or_other_kind_is_404(
    client: TestClient, engine: Engine, source_id: int, tmp_path: Any
) -> None:
    feed = tmp_path / "a.jsonl"
    feed.write_text("")
    assert _post(client, 9999, REVIEWS).status_code == 404
    with engine.connect() as conn:
        other = conn.execute(select(func.count()).select_from(sources)).scalar_one()
    assert other == 1
    rss = add_source(engine, "rss", {"url": "https://example.com/feed"})
    assert _post(client, rss, REVIEWS).status_code == 404


def test_oversized_body_is_413(client: TestClient, engine: Engine, source_id: int) -> None:
    body = b"x" * (MAX_BODY_BYTES + 1)
    response = client.post(
        f"/hooks/{source_id}", content=body, headers={"X-Hubbub-Signature": sign(SECRET, body)}
    )
    assert response.status_code == 413
    assert _stored(engine) == []


def test_source_settings() -> None:
    with pytest.raises(ConfigError):
        WebhookSource({"secret": "short"})
    with pytest.raises(ConfigError):
        WebhookSource({"secret": SECRET, "colour": "red"})
    source = WebhookSource({"secret": SECRET})
    assert source.platform == "webhook"
    assert source.next_batch().posts == [] and source.snapshot() == {}
