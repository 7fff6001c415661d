"""The reply and saved-reply routes over HTTP: the web forms (signed in,
with CSRF) and the API (personal tokens with scopes)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from hubbub.actions.conversations import assign
from hubbub.actions.people import create_token
from hubbub.actions.saved_replies import create_saved_reply
from hubbub.actions.sources import set_enabled
from hubbub.config import Settings
from hubbub.interfaces.app import create_app
from hubbub.people.principal import Principal
from hubbub.people.sessions import COOKIE, SessionPolicy, create_session
from hubbub.post import utcnow
from hubbub.store.tables import replies, saved_replies
from interfaces.seed import team_id
from servers.mastodon import MastodonServer

from .conftest import MASTODON_TOKEN
from .flow import (
    COMPLAINT,
    SYSTEM,
    ingest_status,
    mastodon_source,
    person,
    setup_workspace,
)


@dataclass
class World:
    app: FastAPI
    cid: int
    people: dict[str, Principal]
    status: dict[str, object]


@pytest.fixture
def world(engine: Engine, settings: Settings, mastodon: MastodonServer) -> Iterator[World]:
    setup_workspace(engine)
    source_id = mastodon_source(engine, settings, mastodon, MASTODON_TOKEN)
    status, cid = ingest_status(engine, settings, mastodon, source_id, "alice", COMPLAINT)
    people = {
        "agent": person(engine),
        "manager": person(engine, "maria@example.com", "Maria Garcia", role="manager"),
        "viewer": person(engine, "vic@example.com", "Vic", role="viewer"),
    }
    with TestClient(create_app(settings)) as client:
        yield World(client.app, cid, people, status)  # type: ignore[arg-type]


def browser(world: World, engine: Engine, settings: Settings, role: str) -> TestClient:
    client = TestClient(world.app)
    user_id = world.people[role].user_id
    assert user_id is not None
    with engine.begin() as conn:
        client.cookies.set(
            COOKIE, create_session(conn, user_id, utcnow(), SessionPolicy.from_settings(settings))
        )
    return client


def form_of(client: TestClient, url: str) -> dict[str, str]:
    html = client.get(url).text
    found = dict(re.findall(r'name="(csrf_token|idempotency_key)" value="([^"]+)"', html))
    assert "csrf_token" in found, f"{url} has no form"
    return found


def api_client(world: World, engine: Engine, role: str, scopes: list[str]) -> TestClient:
    user_id = world.people[role].user_id
    assert user_id is not None
    secret = create_token(
        engine, Principal.system("test"), user_id, f"{role}-{len(scopes)}", scopes
    )
    client = TestClient(world.app)
    client.headers["Authorization"] = f"Bearer {secret}"
    return client


def test_web_reply_from_the_composer(
    world: World, engine: Engine, settings: Settings, mastodon: MastodonServer
) -> None:
    ana = browser(world, engine, settings, "agent")
    url = f"/conversations/{world.cid}"
    fields = form_of(ana, url)
    assert "idempotency_key" in fields
    submit = {**fields, "body": "Sorry Alice, a new anvil ships today."}

    first = ana.post(f"{url}/reply", data=submit, follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"] == f"{url}?done=reply"
    again = ana.post(f"{url}/reply", data=submit, follow_redirects=False)  # a double click
    assert again.status_code == 303
    assert len(mastodon.posted()) == 1
    shown = ana.get(url).text
    assert "@alice Sorry Alice, a new anvil ships today." in shown

    mastodon.fail_next(503, "Mastodon is down for maintenance")
    fields = form_of(ana, url)
    failed = ana.post(f"{url}/reply", data={**fields, "body": "Typed <b>with care</b>"})
    assert failed.status_code == 502
    assert "Mastodon is down for maintenance" in failed.text
    assert "@alice Typed &lt;b&gt;with care&lt;/b&gt;" in failed.text  # the failed reply, escaped

    with_csrf = {"csrf_token": fields["csrf_token"], "body": "x" * 600, "idempotency_key": "long"}
    too_long = ana.post(f"{url}/reply", data=with_csrf)
    assert too_long.status_code == 400 and "limit is 500" in too_long.text

    no_csrf = ana.post(f"{url}/reply", data={"body": "hi", "idempotency_key": "nocsrf"})
    assert no_csrf.status_code == 403
    vic = browser(world, engine, settings, "viewer")
    vic_fields = form_of(vic, url)
    denied = vic.post(f"{url}/reply", data={**vic_fields, "body": "hi", "idempotency_key": "vic"})
    assert denied.status_code == 403
    assert len(mastodon.statuses) == 2  # alice's and the one reply


def test_web_reply_error_keeps_the_typed_text(
    world: World, engine: Engine, settings: Settings
) -> None:
    ana = browser(world, engine, settings, "agent")
    url = f"/conversations/{world.cid}"
    fields = form_of(ana, url)
    rejected = ana.post(f"{url}/reply", data={**fields, "body": "<i>long</i> " + "x" * 600})
    assert rejected.status_code == 400
    box = re.search(r'<textarea id="reply-body"[^>]*>([^<]*)</textarea>', rejected.text)
    assert box is not None and box.group(1).startswith("&lt;i&gt;long&lt;/i&gt; xxx")


def test_composer_offers_the_conversations_team_replies_and_says_when_it_cannot_send(
    world: World, engine: Engine, settings: Settings
) -> None:
    for name, team in (("Support steps", "customer-service"), ("Sales pitch", "sales")):
        create_saved_reply(engine, SYSTEM, name=name, body="Hi", team_id=team_id(engine, team))
    ana = browser(world, engine, settings, "agent")  # in customer service only
    url = f"/conversations/{world.cid}"

    def picker() -> str:
        html = ana.get(url).text
        found = re.search(r'<select id="saved-reply"[^>]*>(.*?)</select>', html, re.S)
        assert found, "no saved-reply picker"
        return found.group(1)

    assign(engine, SYSTEM, world.cid, team_id=team_id(engine, "customer-service"))
    assert "Support steps" in picker() and "Sales pitch" not in picker()
    assign(engine, SYSTEM, world.cid, team_id=team_id(engine, "sales"))
    assert "Sales pitch" in picker()  # the team the conversation is with

    assert 'role="note"' not in ana.get(url).text  # the source can post: no warning
    set_enabled(engine, "social.example", False)
    html = ana.get(url).text
    notice = re.search(r'<p class="notice" role="note">([^<]*)</p>', html)
    assert notice and "no enabled mastodon source" in notice.group(1), html[:2000]
    assert "handled elsewhere" in notice.group(1)


def test_web_handled_elsewhere_and_saved_reply_preview(
    world: World, engine: Engine, settings: Settings
) -> None:
    saved_id = create_saved_reply(
        engine, world.people["manager"], name="Sorry",
        body="Hi {{author.handle}}, {{agent.first_name}} here.",
        team_id=team_id(engine, "customer-service"),
    )  # fmt: skip
    ana = browser(world, engine, settings, "agent")
    url = f"/conversations/{world.cid}"
    preview = ana.get(f"{url}/saved-reply-preview", params={"saved_reply_id": saved_id})
    assert preview.json() == {"text": "Hi @alice, Ana here."}
    assert ana.get(f"{url}/saved-reply-preview", params={"saved_reply_id": 999}).status_code == 404

    fields = form_of(ana, url)
    bad = ana.post(f"{url}/handled-elsewhere", data={**fields, "url": "javascript:alert(1)"})
    assert bad.status_code == 400
    done = ana.post(
        f"{url}/handled-elsewhere",
        data={**fields, "url": "https://social.example/@support/9", "note": "by phone"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == f"{url}?done=elsewhere"
    with engine.connect() as conn:
        row = conn.execute(select(replies.c.status, replies.c.url)).one()
    assert tuple(row) == ("handled_elsewhere", "https://social.example/@support/9")


def test_saved_replies_page(world: World, engine: Engine, settings: Settings) -> None:
    maria = browser(world, engine, settings, "manager")
    fields = form_of(maria, "/saved-replies")
    cs = team_id(engine, "customer-service")
    bad = maria.post(
        "/saved-replies",
        data={
            **fields,
            "name": "Oops",
            "body": "Dear {{customer}} <script>x</script>",
            "team_id": str(cs),
        },
    )
    assert bad.status_code == 400
    assert "unknown variable {{customer}}" in bad.text
    assert "Dear {{customer}} &lt;script&gt;x&lt;/script&gt;" in bad.text  # kept, escaped
    made = maria.post(
        "/saved-replies",
        data={
            **fields,
            "name": "Refund",
            "body": "Refund on its way, {{author.name}}",
            "team_id": str(cs),
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    with engine.connect() as conn:
        saved_id = conn.execute(select(saved_replies.c.id)).scalar_one()
    edited = maria.post(
        f"/saved-replies/{saved_id}",
        data={**fields, "name": "Refund", "body": "Refunded.", "team_id": ""},
        follow_redirects=False,
    )
    assert edited.status_code == 303

    ana = browser(world, engine, settings, "agent")
    page = ana.get("/saved-replies").text
    assert "Refunded." in page and 'action="/saved-replies"' not in page  # agents read only
    ana_fields = form_of(ana, "/saved-replies")
    denied = ana.post(f"/saved-replies/{saved_id}/delete", data=ana_fields)
    assert denied.status_code == 403
    gone = maria.post(f"/saved-replies/{saved_id}/delete", data=fields, follow_redirects=False)
    assert gone.status_code == 303
    with engine.connect() as conn:
        assert conn.execute(select(saved_replies.c.id)).first() is None


def test_api_replies(world: World, engine: Engine, mastodon: MastodonServer) -> None:
    agent = api_client(world, engine, "agent", ["conversations:read", "conversations:write"])
    url = f"/api/v1/conversations/{world.cid}"
    options = agent.get(f"{url}/reply-options").json()
    assert options["available"] is True and "social" in options["label"]

    payload = {"body": "On it!", "idempotency_key": "api-1"}
    sent = agent.post(f"{url}/replies", json=payload)
    assert sent.status_code == 201, sent.text
    body = sent.json()
    assert body["status"] == "sent" and body["body"] == "@alice On it!"
    assert body["external_id"] == mastodon.statuses[-1]["uri"]
    assert agent.post(f"{url}/replies", json=payload).json()["id"] == body["id"]
    assert len(mastodon.posted()) == 1

    mastodon.fail_next(429, "Too many requests")
    failed = agent.post(f"{url}/replies", json={"body": "again", "idempotency_key": "api-2"})
    assert failed.status_code == 502
    assert "Too many requests" in failed.json()["detail"]["message"]
    assert (
        agent.post(
            f"{url}/replies", json={"body": "x" * 600, "idempotency_key": "api-3"}
        ).status_code
        == 422
    )
    assert [r["status"] for r in agent.get(f"{url}/replies").json()] == ["sent", "failed"]

    elsewhere = agent.post(
        f"{url}/handled-elsewhere", json={"url": "https://example.com/a", "status": "resolved"}
    )
    assert elsewhere.status_code == 201 and elsewhere.json()["status"] == "handled_elsewhere"
    assert agent.get(url).json()["status"] == "resolved"

    read_only = api_client(world, engine, "agent", ["conversations:read"])
    assert (
        read_only.post(f"{url}/replies", json={"body": "x", "idempotency_key": "ro"}).status_code
        == 403
    )
    viewer = api_client(world, engine, "viewer", ["conversations:read", "conversations:write"])
    assert (
        viewer.post(f"{url}/replies", json={"body": "x", "idempotency_key": "v"}).status_code == 403
    )
    assert (
        agent.post(
            "/api/v1/conversations/999999/replies", json={"body": "x", "idempotency_key": "nf"}
        ).status_code
        == 404
    )


def test_api_saved_replies(world: World, engine: Engine) -> None:
    manager = api_client(world, engine, "manager", ["saved_replies:write", "conversations:read"])
    agent = api_client(world, engine, "agent", ["conversations:read", "saved_replies:write"])
    cs = team_id(engine, "customer-service")
    made = manager.post(
        "/api/v1/saved-replies", json={"name": "Hi", "body": "Hi {{author.name}}", "team_id": cs}
    )
    assert made.status_code == 201, made.text
    sid = made.json()["id"]
    assert made.json()["team_name"] == "Customer service"
    assert (
        manager.post(
            "/api/v1/saved-replies", json={"name": "Hi", "body": "dup", "team_id": cs}
        ).status_code
        == 409
    )
    bad = manager.post("/api/v1/saved-replies", json={"name": "Bad", "body": "{{nope}}"})
    assert bad.status_code == 422 and "known variables" in bad.json()["detail"]
    assert agent.post("/api/v1/saved-replies", json={"name": "A", "body": "b"}).status_code == 403

    assert [s["id"] for s in agent.get("/api/v1/saved-replies").json()] == [sid]
    text = agent.get(f"/api/v1/conversations/{world.cid}/saved-replies/{sid}/preview").json()[
        "text"
    ]
    assert text == "Hi Alice"
    updated = manager.put(
        f"/api/v1/saved-replies/{sid}", json={"name": "Hello", "body": "Hello!", "team_id": None}
    )
    assert updated.status_code == 200 and updated.json()["team_id"] is None
    assert manager.delete(f"/api/v1/saved-replies/{sid}").status_code == 204
    assert manager.delete(f"/api/v1/saved-replies/{sid}").status_code == 404
