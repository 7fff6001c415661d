"""The REST API over a real workspace, on SQLite and PostgreSQL."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hubbub.config import Settings
from hubbub.interfaces.app import create_app
from hubbub.post import utcnow
from hubbub.sources.base import SourceBatch
from hubbub.testing import registered_source_kinds

from .seed import XSS_URL, run_failing_feed, run_file_source, seed_posts


def external_ids(body: dict[str, Any]) -> list[str]:
    return [p["external_id"] for p in body["items"]]


# -- auth ------------------------------------------------------------------------


def test_requests_without_or_with_a_wrong_token_get_401(app_client: TestClient) -> None:
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic abc"}):
        r = app_client.get("/api/v1/posts", headers=headers)
        assert r.status_code == 401
        assert "token" in r.json()["detail"]
    assert app_client.post("/api/v1/queries", json={"name": "x", "query": "x"}).status_code == 401


def test_token_file_is_created_private_and_accepted(settings: Settings, seeded: Any) -> None:
    path = settings.home / "api_token"
    path.unlink(missing_ok=True)
    with TestClient(create_app(settings)) as client:
        token = path.read_text().strip()
        assert len(token) >= 32
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        r = client.get("/api/v1/status", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200


def test_token_from_settings_wins(settings: Settings, seeded: Any) -> None:
    configured = settings.model_copy(update={"api_token": "s3cret-from-settings"})
    with TestClient(create_app(configured)) as client:
        ok = client.get("/api/v1/status", headers={"Authorization": "Bearer s3cret-from-settings"})
        assert ok.status_code == 200
        file_token = (
            (settings.home / "api_token").read_text().strip()
            if (settings.home / "api_token").exists()
            else "no-file"
        )
        assert (
            client.get(
                "/api/v1/status", headers={"Authorization": f"Bearer {file_token}"}
            ).status_code
            == 401
        )


def test_openapi_and_local_docs_need_no_cdn(app_client: TestClient) -> None:
    schema = app_client.get("/api/v1/openapi.json").json()
    assert "/posts" in schema["paths"] and "/stats/volume" in schema["paths"]
    docs = app_client.get("/api/docs")
    assert docs.status_code == 200
    assert "/api/v1/queries/test" in docs.text
    assert "cdn" not in docs.text.lower() and "unpkg" not in docs.text.lower()
    health = app_client.get("/healthz").json()
    assert health["status"] == "ok" and health["posts"] == 10 and health["queries"] == 2


# -- posts -----------------------------------------------------------------------


def test_posts_newest_first_with_cursor_pagination(api: TestClient) -> None:
    first = api.get("/api/v1/posts", params={"limit": 4}).json()
    assert external_ids(first) == ["p7", "p1", "p2", "p3"]
    assert first["next_before_id"] == first["items"][-1]["id"]
    second = api.get(
        "/api/v1/posts", params={"limit": 4, "before_id": first["next_before_id"]}
    ).json()
    assert external_ids(second) == ["p4", "p20", "p21", "p22"]
    third = api.get(
        "/api/v1/posts", params={"limit": 4, "before_id": second["next_before_id"]}
    ).json()
    assert external_ids(third) == ["p5", "p6"]
    assert third["next_before_id"] is None
    assert api.get("/api/v1/posts", params={"limit": 201}).status_code == 422


def test_posts_filters(api: TestClient, seeded: dict[str, int]) -> None:
    def ids(**params: Any) -> set[str]:
        r = api.get("/api/v1/posts", params=params)
        assert r.status_code == 200, r.text
        return set(external_ids(r.json()))

    assert ids(sentiment="negative") == {"p2"}
    assert ids(language="de") == {"p4"}
    assert ids(platform="rss") == {"p5"}
    assert ids(query_id=seeded["refunds"]) == {"p2", "p6"}
    assert ids(query_id=seeded["refunds"], sentiment="positive") == {"p6"}
    assert ids(q="acme AND refund") == {"p2", "p6"}
    assert ids(q="acme", platform="reddit") == {"p4", "p20", "p21", "p22"}
    assert len(ids(since="2000-01-01T00:00:00Z")) == 10
    three_hours_ago = (utcnow() - timedelta(hours=3)).isoformat()
    assert ids(since=three_hours_ago) == {"p7", "p1"}
    assert ids(until=three_hours_ago, sentiment="positive") == {"p6", "p20", "p21", "p22"}
    assert ids(until="2000-01-01T00:00:00Z") == set()


def test_query_syntax_error_is_400_with_position(api: TestClient) -> None:
    r = api.get("/api/v1/posts", params={"q": "acme AND (refund"})
    assert r.status_code == 400
    detail = r.json()["detail"]
    assert set(detail) == {"message", "position", "expected"}
    assert detail["position"] == len("acme AND (refund")
    assert detail["expected"]


def test_post_detail_has_enrichments_and_duplicate_count(api: TestClient) -> None:
    listing = api.get("/api/v1/posts", params={"platform": "reddit", "q": "skates"}).json()
    copies = {p["external_id"]: p for p in listing["items"]}
    assert set(copies) == {"p20", "p21", "p22"}
    assert {p["duplicate_copies"] for p in copies.values()} == {3}
    detail = api.get(f"/api/v1/posts/{copies['p21']['id']}").json()
    assert detail["enrichments"]["sentiment"]["label"] in ("positive", "neutral", "negative")
    assert "language" in detail["enrichments"] or detail["language"] == "en"
    assert api.get("/api/v1/posts/999999").status_code == 404


def test_untrusted_url_is_returned_as_data(api: TestClient) -> None:
    # The API returns stored data as JSON; only the web UI decides what is a link.
    items = api.get("/api/v1/posts", params={"limit": 1}).json()["items"]
    assert items[0]["url"] == XSS_URL


# -- queries -----------------------------------------------------------------------


def test_query_crud_through_actions(api: TestClient, seeded: dict[str, int]) -> None:
    listed = {q["name"]: q for q in api.get("/api/v1/queries").json()}
    assert listed["Acme brand"]["match_count"] == 9  # every post but the Globex one
    assert listed["Refunds"]["match_count"] == 2

    created = api.post("/api/v1/queries", json={"name": "Globex", "query": "globex"})
    assert created.status_code == 201
    body = created.json()
    assert body["match_count"] == 1 and body["enabled"] is True

    dup = api.post("/api/v1/queries", json={"name": "Globex", "query": "globex"})
    assert dup.status_code == 409

    bad = api.post("/api/v1/queries", json={"name": "Bad", "query": "globex OR"})
    assert bad.status_code == 400 and bad.json()["detail"]["position"] == len("globex OR")

    patched = api.patch(f"/api/v1/queries/{body['id']}", json={"query": "globex OR catalogue"})
    assert patched.status_code == 200
    assert patched.json()["match_count"] == 2
    assert api.patch(f"/api/v1/queries/{body['id']}", json={"query": "("}).status_code == 400
    taken = api.patch(f"/api/v1/queries/{body['id']}", json={"name": "Refunds"})
    assert taken.status_code == 409
    assert api.patch("/api/v1/queries/999999", json={"enabled": False}).status_code == 404

    assert api.get(f"/api/v1/queries/{body['id']}").json()["query"] == "globex OR catalogue"
    assert api.delete(f"/api/v1/queries/{body['id']}").status_code == 204
    assert api.get(f"/api/v1/queries/{body['id']}").status_code == 404
    assert api.delete(f"/api/v1/queries/{body['id']}").status_code == 404


def test_query_dry_run_counts_and_samples(api: TestClient) -> None:
    r = api.post("/api/v1/queries/test", json={"query": "acme AND refund*", "sample_size": 1})
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == 2 and body["capped"] is False
    assert [p["external_id"] for p in body["sample"]] == ["p2"]  # the newest of the two
    err = api.post("/api/v1/queries/test", json={"query": '"unclosed phrase'})
    assert err.status_code == 422 and err.json()["detail"]["position"] >= 0


# -- sources -------------------------------------------------------------------------


class SecretSource:
    """A third-party connector whose settings include credentials."""

    kind: ClassVar[str] = "test-secret"
    description: ClassVar[str] = "test connector with an API key"

    @classmethod
    def settings_help(cls) -> list[dict[str, Any]]:
        return []

    def __init__(self, settings: dict[str, Any], cursor: dict[str, Any] | None = None) -> None:
        self.settings = settings

    def next_batch(self) -> SourceBatch:
        return SourceBatch(done=True)

    def next_awake(self) -> None:
        return None

    def snapshot(self) -> dict[str, Any]:
        return {}

    def close(self) -> None:
        pass


@pytest.fixture
def secret_kind() -> Iterator[None]:
    with registered_source_kinds(SecretSource):
        yield


def test_sources_never_return_secrets(api: TestClient, secret_kind: Any) -> None:
    settings = {
        "endpoint": "https://api.example/v2",
        "api_key": "KEY-VALUE-1",
        "AccessToken": "TOKEN-VALUE-2",
        "client_secret": "SECRET-VALUE-3",
        "password": "PASSWORD-VALUE-4",
    }
    created = api.post(
        "/api/v1/sources", json={"kind": "test-secret", "settings": settings, "name": "vault"}
    )
    assert created.status_code == 201
    masked = {k: "********" for k in settings if k != "endpoint"}
    assert created.json()["settings"] == {"endpoint": "https://api.example/v2", **masked}
    for url in ("/api/v1/sources", f"/api/v1/sources/{created.json()['id']}", "/api/v1/status"):
        text = api.get(url).text
        assert "vault" in text
        for secret in ("KEY-VALUE-1", "TOKEN-VALUE-2", "SECRET-VALUE-3", "PASSWORD-VALUE-4"):
            assert secret not in text


def test_source_lifecycle_and_health(
    api: TestClient, engine: Engine, settings: Settings, tmp_path: Path
) -> None:
    created = api.post(
        "/api/v1/sources",
        json={"kind": "rss", "settings": {"url": "https://feeds.example/acme.xml"}},
    )
    assert created.status_code == 201
    source = created.json()
    assert source["health"]["state"] == "never run"
    assert (
        api.post(
            "/api/v1/sources", json={"kind": "rss", "settings": {"url": "ftp://x"}}
        ).status_code
        == 422
    )
    assert api.post("/api/v1/sources", json={"kind": "nope", "settings": {}}).status_code == 422

    disabled = api.post(f"/api/v1/sources/{source['id']}/disable").json()
    assert disabled["enabled"] is False and disabled["health"]["state"] == "disabled"
    enabled = api.post(f"/api/v1/sources/{source['id']}/enable").json()
    assert enabled["enabled"] is True

    file_id = run_file_source(engine, settings, tmp_path)
    dead_id = run_failing_feed(engine, settings, failures=1)
    by_id = {s["id"]: s for s in api.get("/api/v1/sources").json()}
    healthy = by_id[file_id]["health"]
    assert healthy["state"] == "ok"
    assert healthy["items_ingested"] == 1 and healthy["items_rejected"] == 1
    assert healthy["last_success_at"] is not None
    failing = by_id[dead_id]["health"]
    assert failing["state"] == "backing off"
    assert failing["last_error"] and failing["last_error_at"]

    errors = api.get(f"/api/v1/sources/{file_id}/errors").json()
    assert len(errors) == 1 and "line 2" in errors[0]["item"] + errors[0]["message"]
    assert api.get("/api/v1/sources/999999/errors").status_code == 404

    status = api.get("/api/v1/status").json()
    assert status["posts"] == 11 and status["sources"] == 3
    states = {s["health"]["state"] for s in status["source_health"]}
    assert states == {"never run", "ok", "backing off"}

    assert api.delete(f"/api/v1/sources/{source['id']}").status_code == 204
    assert api.get(f"/api/v1/sources/{source['id']}").status_code == 404
    assert api.delete(f"/api/v1/sources/{source['id']}").status_code == 404


def test_source_is_down_after_three_failures(
    api: TestClient, engine: Engine, settings: Settings
) -> None:
    dead_id = run_failing_feed(engine, settings, failures=3)
    health = api.get(f"/api/v1/sources/{dead_id}").json()["health"]
    assert health["state"] == "failing" and health["consecutive_failures"] == 3


# -- stats -------------------------------------------------------------------------


def test_volume_and_sentiment_stats(api: TestClient, seeded: dict[str, int]) -> None:
    days = api.get("/api/v1/stats/volume", params={"days": 7}).json()
    assert len(days) == 7
    assert sum(p["count"] for p in days) == 10
    today = utcnow().date()
    expected_today = sum(1 for p in seed_posts() if p.created_at and p.created_at.date() == today)
    assert days[-1]["bucket"] == today.isoformat()
    assert days[-1]["count"] == expected_today
    refunds = api.get(
        "/api/v1/stats/volume", params={"days": 7, "query_id": seeded["refunds"]}
    ).json()
    assert sum(p["count"] for p in refunds) == 2

    hours = api.get("/api/v1/stats/volume", params={"days": 1, "bucket": "hour"}).json()
    assert len(hours) == 24 and "T" in hours[0]["bucket"]
    assert sum(p["count"] for p in hours) >= 2  # p7 (1h ago) and p1 (2h ago)

    mood = api.get("/api/v1/stats/sentiment", params={"days": 7}).json()
    assert len(mood) == 7
    totals = {k: sum(p[k] for p in mood) for k in ("positive", "neutral", "negative")}
    assert totals["negative"] == 1
    assert sum(totals.values()) + sum(p["unknown"] for p in mood) == 10
    assert api.get("/api/v1/stats/volume", params={"bucket": "week"}).status_code == 422
