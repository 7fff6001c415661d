"""POST /api/v1/queries/test (count, per day, highlighted sample, explanations)
and the backfill state on GET /api/v1/queries/{id}, over the seeded workspace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from hubbub.store.tables import posts

from .seed import XSS_TEXT


def _post_id(engine: Engine, external_id: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(select(posts.c.id).where(posts.c.external_id == external_id)).scalar_one()
        )


def test_dry_run_counts_per_day_and_highlights(api: TestClient) -> None:
    r = api.post(
        "/api/v1/queries/test", json={"query": "acme NOT refund*", "since": "30d", "limit": 3}
    )
    assert r.status_code == 200
    body = r.json()
    # p1 p3 p4 p7 and the three duplicates mention acme without a refund
    assert (body["count"], body["capped"]) == (7, False)
    since = datetime.fromisoformat(body["since"])
    assert timedelta(days=29.9) < datetime.now(UTC) - since < timedelta(days=30.1)
    days = body["per_day"]
    assert len(days) == 31 and days[-1]["day"] == datetime.now(UTC).date().isoformat()
    assert sum(d["count"] for d in days) == 7
    assert [p["external_id"] for p in body["sample"]] == ["p7", "p1", "p3"]  # newest first
    for post in body["sample"]:
        assert post["highlights"], post["external_id"]
        for span in post["highlights"]:
            assert span["terms"] == ["acme"]
            assert post[span["part"]][span["start"] : span["end"]].lower() == "acme"
    # the untrusted text comes back as data, unchanged
    assert body["sample"][0]["text"] == XSS_TEXT


def test_dry_run_window_and_sample_size(api: TestClient) -> None:
    r = api.post("/api/v1/queries/test", json={"query": "acme", "since": "12h", "sample_size": 1})
    body = r.json()
    assert body["count"] == 3  # p7 (1h), p1 (2h), p2 (5h)
    assert len(body["per_day"]) in (1, 2)  # 12 hours can straddle midnight
    assert len(body["sample"]) == 1 and body["explanations"] == []
    everything = api.post("/api/v1/queries/test", json={"query": "acme", "since": "all"}).json()
    assert everything["since"] is None and everything["count"] == 9
    # without a window the count covers all history, as it always has
    assert api.post("/api/v1/queries/test", json={"query": "acme"}).json() == everything


def test_dry_run_explains_posts(api: TestClient, engine: Engine) -> None:
    refund, catalogue = _post_id(engine, "p2"), _post_id(engine, "p3")
    r = api.post(
        "/api/v1/queries/test",
        json={"query": "acme AND refund*", "post_ids": [refund, catalogue, 10**9], "limit": 0},
    )
    assert r.status_code == 200
    found, missed, unknown = r.json()["explanations"]
    assert found["post_id"] == refund and found["matched"] is True
    assert found["tree"]["kind"] == "all" and found["tree"]["detail"] == "2 of 2 hold; all must"
    assert {s["terms"][0] for s in found["highlights"]} == {"acme", "refund*"}

    assert missed["matched"] is False
    acme, refunds = missed["tree"]["children"]
    assert (acme["matched"], refunds["matched"]) == (True, False)
    assert refunds == {
        "text": "refund*",
        "kind": "term",
        "matched": False,
        "detail": "not in the post",
        "children": [],
    }
    assert missed["highlights"] == []
    assert unknown == {
        "post_id": 10**9,
        "found": False,
        "matched": None,
        "tree": None,
        "highlights": [],
    }


def test_dry_run_rejects_bad_queries_and_windows_with_422(api: TestClient) -> None:
    bad = api.post("/api/v1/queries/test", json={"query": "acme AND (refund"})
    assert bad.status_code == 422
    assert bad.json()["detail"] == {
        "message": "Expected a closing ')' at position 16",
        "position": 16,
        "expected": "a closing ')'",
    }
    window = api.post("/api/v1/queries/test", json={"query": "acme", "since": "3 fortnights"})
    assert window.status_code == 422 and "12h, 30d or 2w" in window.json()["detail"]["message"]
    too_many = api.post("/api/v1/queries/test", json={"query": "acme", "limit": 51})
    assert too_many.status_code == 422


def test_query_reports_its_backfill(api: TestClient) -> None:
    created = api.post("/api/v1/queries", json={"name": "Anvils", "query": "anvil OR amboss"})
    assert created.status_code == 201
    backfill = created.json()["backfill"]
    assert backfill["state"] == "done" and backfill["matched"] == 2 and backfill["percent"] == 100
    assert backfill["done"] == backfill["total"] == 10  # every seeded post was evaluated
    got = api.get(f"/api/v1/queries/{created.json()['id']}").json()
    assert got["backfill"]["state"] == "done" and got["match_count"] == 2
    listed = {q["name"]: q["backfill"]["state"] for q in api.get("/api/v1/queries").json()}
    assert listed == {"Acme brand": "done", "Anvils": "done", "Refunds": "done"}


def test_editor_polls_backfill_progress_as_json(
    app_client: TestClient, seeded: dict[str, int]
) -> None:
    r = app_client.get(f"/queries/{seeded['acme']}/backfill")
    assert r.status_code == 200
    body = r.json()
    assert (body["state"], body["percent"], body["matched"], body["match_count"]) == (
        "done",
        100,
        9,
        9,
    )
    assert app_client.get("/queries/999999/backfill").status_code == 404
