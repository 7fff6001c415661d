"""People correct a post's intents through the API and the web UI: the
correction is stored, replaces the model's labels on the post, re-matches
``intent:`` queries, and comes back as training data (both databases)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from flows.cli import hubbub
from hubbub.actions.intents import corrected_examples
from hubbub.actions.queries import create_query
from hubbub.config import Settings
from hubbub.enrich.intent import load_model
from hubbub.store.tables import enrichments, intent_corrections, matches, posts

from .seed import XSS_AUTHOR, XSS_TEXT

pytestmark = pytest.mark.intents  # the enricher runs in the pipeline here

DATA = Path(__file__).resolve().parents[2] / "data" / "intents"


@pytest.fixture
def ids(engine: Engine, seeded: dict[str, int]) -> dict[str, int]:
    """Stored post ids of the seeded posts by external id (p1, p2, ...)."""
    with engine.connect() as conn:
        return {r.external_id: r.id for r in conn.execute(select(posts.c.external_id, posts.c.id))}


def _stored(engine: Engine, post_id: int) -> tuple[dict[str, object], str, int]:
    with engine.connect() as conn:
        row = conn.execute(
            select(enrichments.c.data, enrichments.c.version).where(
                enrichments.c.post_id == post_id, enrichments.c.enricher == "intents"
            )
        ).one()
        count = conn.execute(
            select(func.count())
            .select_from(intent_corrections)
            .where(intent_corrections.c.post_id == post_id)
        ).scalar_one()
    return row.data, row.version, count


def _matched(engine: Engine, query_id: int) -> set[int]:
    with engine.connect() as conn:
        return set(
            conn.execute(select(matches.c.post_id).where(matches.c.query_id == query_id)).scalars()
        )


def test_posts_come_in_with_model_intents(
    api: TestClient, engine: Engine, ids: dict[str, int]
) -> None:
    body = api.get(f"/api/v1/posts/{ids['p2']}").json()
    intents = body["enrichments"]["intents"]
    assert intents["model"] == load_model().version
    assert "complaint" in intents["labels"]
    # the model's version is recorded with every stored enrichment
    assert _stored(engine, ids["p2"])[1] == load_model().version


def test_api_correction_replaces_the_model_and_rematches(
    api: TestClient, engine: Engine, ids: dict[str, int]
) -> None:
    post_id = ids["p3"]  # "The Acme catalogue arrived on Tuesday."
    bugs = create_query(engine, "Bugs", "acme intent:bug_report")
    before = _matched(engine, bugs)  # whatever the model called a bug report
    assert post_id not in before
    response = api.put(
        f"/api/v1/posts/{post_id}/intents", json={"labels": ["bug_report", "complaint"]}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    # stored in the model's label order, whatever order they were given in
    assert body["labels"] == ["complaint", "bug_report"]
    assert body["model"] == "human"
    assert body["scores"] == {"complaint": 1.0, "bug_report": 1.0}
    assert [c["labels"] for c in body["corrections"]] == [["complaint", "bug_report"]]
    assert body["corrections"][0]["corrected_by"] == "api"
    data, version, count = _stored(engine, post_id)
    assert version == "human" and data["model"] == "human" and count == 1
    # the query now has the post, in the API's stream and in search
    assert _matched(engine, bugs) == before | {post_id}
    listed = api.get("/api/v1/posts", params={"query_id": bugs}).json()["items"]
    assert {p["id"] for p in listed} == before | {post_id}
    found = api.get("/api/v1/posts", params={"q": "intent:bug_report"}).json()["items"]
    assert post_id in [p["id"] for p in found]
    # a second correction wins, and the post leaves the query
    again = api.put(f"/api/v1/posts/{post_id}/intents", json={"labels": ["other"]})
    assert again.json()["labels"] == ["other"]
    assert len(again.json()["corrections"]) == 2
    assert _matched(engine, bugs) == before
    with engine.connect() as conn:
        examples = dict(corrected_examples(conn))
    assert examples == {"The Acme catalogue arrived on Tuesday.": ["other"]}


def test_api_rejects_bad_corrections_and_keeps_the_model_result(
    api: TestClient, app_client: TestClient, engine: Engine, ids: dict[str, int]
) -> None:
    post_id = ids["p1"]
    before = _stored(engine, post_id)
    for labels, message in (
        (["complaint", "angry"], "unknown intent(s) angry"),
        (["other", "spam"], "'other' means none of the others"),
    ):
        response = api.put(f"/api/v1/posts/{post_id}/intents", json={"labels": labels})
        assert response.status_code == 422
        assert message in response.json()["detail"]
    assert api.put(f"/api/v1/posts/{post_id}/intents", json={"labels": []}).status_code == 422
    assert api.put(f"/api/v1/posts/{post_id}/intents", json={}).status_code == 422
    missing = api.put("/api/v1/posts/999999/intents", json={"labels": ["spam"]})
    assert missing.status_code == 404
    assert _stored(engine, post_id) == before
    del app_client.headers["Authorization"]
    denied = app_client.put(f"/api/v1/posts/{post_id}/intents", json={"labels": ["spam"]})
    assert denied.status_code == 401
    assert _stored(engine, post_id) == before


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def test_web_form_corrects_intents(
    app_client: TestClient, engine: Engine, ids: dict[str, int]
) -> None:
    post_id = ids["p6"]
    complaints = create_query(engine, "Complaints", "intent:complaint")
    page = app_client.get(f"/posts/{post_id}")
    assert page.status_code == 200
    html = page.text
    # one accessible checkbox per intent, labelled, the model's labels ticked
    for label in ("complaint", "purchase_intent", "other"):
        assert f'<input type="checkbox" id="intent-{label}" name="intent" value="{label}"' in html
        assert f'<label for="intent-{label}">' in html
    assert "<legend>Correct the intents" in html
    model_labels = _stored(engine, post_id)[0]["labels"]
    assert isinstance(model_labels, list)
    for label in model_labels:
        assert f'value="{label}" checked' in html
    # without the CSRF token nothing happens
    forged = app_client.post(f"/posts/{post_id}/intents", data={"intent": ["complaint"]})
    assert forged.status_code == 403
    assert _stored(engine, post_id)[2] == 0
    token = _csrf(html)
    saved = app_client.post(
        f"/posts/{post_id}/intents",
        data={"csrf_token": token, "intent": ["complaint", "question"]},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/posts/{post_id}?done=intents"
    data, version, count = _stored(engine, post_id)
    assert data["labels"] == ["complaint", "question"] and version == "human" and count == 1
    assert post_id in _matched(engine, complaints)
    after = app_client.get(saved.headers["location"]).text
    assert "Intents saved." in after and "set by a person" in after
    assert 'value="complaint" checked' in after and 'value="question" checked' in after
    assert 'value="praise" checked' not in after
    assert "complaint, question · web" in after


def test_web_form_errors_keep_everything(
    app_client: TestClient, engine: Engine, ids: dict[str, int]
) -> None:
    post_id = ids["p5"]
    token = _csrf(app_client.get(f"/posts/{post_id}").text)
    before = _stored(engine, post_id)
    empty = app_client.post(f"/posts/{post_id}/intents", data={"csrf_token": token})
    assert empty.status_code == 400
    assert 'role="alert"' in empty.text and "give at least one intent" in empty.text
    mixed = app_client.post(
        f"/posts/{post_id}/intents", data={"csrf_token": token, "intent": ["other", "spam"]}
    )
    assert mixed.status_code == 400
    # what the person ticked stays ticked so they can fix it
    assert 'value="spam" checked' in mixed.text
    assert _stored(engine, post_id) == before
    assert app_client.get("/posts/999999").status_code == 404


def test_post_page_escapes_untrusted_text(app_client: TestClient, ids: dict[str, int]) -> None:
    html = app_client.get(f"/posts/{ids['p7']}").text
    assert XSS_TEXT not in html and XSS_AUTHOR not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # the list pages link to the post page
    assert f'href="/posts/{ids["p7"]}"' in app_client.get("/").text


def test_train_with_corrections_reads_the_workspace(
    api: TestClient, settings: Settings, ids: dict[str, int], tmp_path: Path
) -> None:
    api.put(f"/api/v1/posts/{ids['p3']}/intents", json={"labels": ["spam"]})
    api.put(f"/api/v1/posts/{ids['p3']}/intents", json={"labels": ["question"]})  # latest wins
    api.put(f"/api/v1/posts/{ids['p5']}/intents", json={"labels": ["other"]})
    # a few posts of every label, so that training is quick
    per_label: dict[str, int] = {}
    lines = []
    for line in (DATA / "train.jsonl").read_text().splitlines():
        first = json.loads(line)["labels"][0]
        if per_label.get(first, 0) < 4:
            per_label[first] = per_label.get(first, 0) + 1
            lines.append(line)
    data = tmp_path / "small.jsonl"
    data.write_text("\n".join(lines) + "\n")
    out = tmp_path / "model.json"
    proc = hubbub(
        settings,
        "train",
        "intent",
        "--data",
        str(data),
        "--folds",
        "2",
        "--corrections",
        "--out",
        str(out),
    )
    assert f"Training on {len(lines) + 2} posts (2 corrections)" in proc.stderr
    trained = load_model(out).trained
    assert trained["corrections"] == 2 and trained["examples"] == len(lines) + 2
