"""Contacts over the API and the web UI: a contact with their history, and
their notes edited by the roles that may (audited, CSRF-checked, escaped)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from hubbub.actions.contacts import MAX_NOTES_CHARS
from hubbub.actions.conversations import route_posts
from hubbub.config import Settings
from hubbub.pipeline.runner import Pipeline
from hubbub.post import Post, utcnow
from hubbub.store.tables import audit_log, contacts, conversations, posts

from .inbox_helpers import open_seeded_conversations

HOSTILE_NOTES = '<script>alert("notes")</script> "><img src=x onerror=alert(5)> VIP'


@pytest.fixture
def convs(app_client: TestClient, engine: Engine) -> dict[str, int]:
    return open_seeded_conversations(engine)


def _contact_of(engine: Engine, conversation_id: int) -> int:
    with engine.connect() as conn:
        found = conn.execute(
            select(conversations.c.contact_id).where(conversations.c.id == conversation_id)
        ).scalar_one()
    assert found is not None
    return int(found)


def _notes(engine: Engine, contact_id: int) -> str | None:
    with engine.connect() as conn:
        notes: str | None = conn.execute(
            select(contacts.c.notes).where(contacts.c.id == contact_id)
        ).scalar_one()
        return notes


def _audited(engine: Engine, contact_id: int) -> list[dict[str, object]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(audit_log)
            .where(audit_log.c.action == "contact.notes")
            .where(audit_log.c.object_id == str(contact_id))
            .order_by(audit_log.c.id)
        ).mappings()
        return [dict(r) for r in rows]


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "page has no CSRF field"
    return found.group(1)


# -- API -------------------------------------------------------------------------------


def test_api_contact_with_history_across_threads(
    api: TestClient, engine: Engine, settings: Settings, convs: dict[str, int]
) -> None:
    # fan2, who opened p2's conversation, also answers in fan1's thread (p1)
    reply = Post(
        platform="mastodon",
        external_id="p2-in-p1",
        text="Same here, Acme anvils rock",
        author_handle="fan2",
        author_name="Fan Number 2",
        reply_to="p1",
        thread_root="p1",
        url="https://social.example/@fan2/99",
        created_at=utcnow() - timedelta(minutes=30),
    )
    Pipeline(engine, settings).ingest_posts([reply])
    with engine.connect() as conn:
        reply_id = conn.execute(
            select(posts.c.id).where(posts.c.external_id == "p2-in-p1")
        ).scalar_one()
    route_posts(engine, [reply_id], {})
    contact_id = _contact_of(engine, convs["p2"])

    body = api.get(f"/api/v1/contacts/{contact_id}").json()
    assert (body["id"], body["platform"], body["handle"]) == (contact_id, "mastodon", "fan2")
    assert body["name"] == "Fan Number 2" and body["followers"] == 200
    assert body["notes"] is None
    assert [c["id"] for c in body["conversations"]] == [convs["p2"]]  # the one they opened
    written = {p["id"]: p["conversation_id"] for p in body["posts"]}
    assert written[reply_id] == convs["p1"]  # and what they wrote in someone else's
    assert convs["p2"] in written.values()
    assert body["posts"][0]["id"] == reply_id  # newest first

    missing = api.get("/api/v1/contacts/999999")
    assert missing.status_code == 404 and "contact 999999" in missing.json()["detail"]


def test_api_notes_set_trimmed_audited_and_cleared(
    api_as: Callable[..., TestClient], engine: Engine, convs: dict[str, int]
) -> None:
    contact_id = _contact_of(engine, convs["p7"])
    agent = api_as("agent")
    saved = agent.put(
        f"/api/v1/contacts/{contact_id}/notes", json={"notes": f"  {HOSTILE_NOTES}\n"}
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["notes"] == HOSTILE_NOTES  # JSON carries the text as it is, trimmed
    assert _notes(engine, contact_id) == HOSTILE_NOTES
    assert agent.get(f"/api/v1/contacts/{contact_id}").json()["notes"] == HOSTILE_NOTES
    # the conversation's contact detail shows the same notes
    detail = agent.get(f"/api/v1/conversations/{convs['p7']}").json()
    assert detail["contact_detail"]["notes"] == HOSTILE_NOTES

    cleared = agent.put(f"/api/v1/contacts/{contact_id}/notes", json={"notes": ""})
    assert cleared.status_code == 200 and cleared.json()["notes"] == ""
    trail = _audited(engine, contact_id)
    assert [(a["before"], a["after"]) for a in trail] == [
        ({"notes": None}, {"notes": HOSTILE_NOTES}),
        ({"notes": HOSTILE_NOTES}, {"notes": ""}),
    ]
    assert all(str(a["actor"]).startswith("token ") for a in trail)
    assert all(a["actor_user_id"] is not None for a in trail)


def test_api_notes_refusals_change_nothing(
    api_as: Callable[..., TestClient], engine: Engine, convs: dict[str, int]
) -> None:
    contact_id = _contact_of(engine, convs["p1"])
    url = f"/api/v1/contacts/{contact_id}/notes"
    viewer = api_as("viewer").put(url, json={"notes": "viewer was here"})
    assert viewer.status_code == 403 and "contact.manage" in viewer.json()["detail"]
    # an agent's token without the write scope may read the contact, not change it
    read_only = api_as("agent", scopes=["conversations:read"])
    assert read_only.get(f"/api/v1/contacts/{contact_id}").status_code == 200
    scoped = read_only.put(url, json={"notes": "read-only token"})
    assert scoped.status_code == 403 and "conversations:write" in scoped.json()["detail"]
    agent = api_as("agent")
    too_long = agent.put(url, json={"notes": "x" * (MAX_NOTES_CHARS + 1)})
    assert too_long.status_code == 422 and "at most" in too_long.json()["detail"]
    assert agent.put(url, json={}).status_code == 422  # notes is required
    assert agent.put("/api/v1/contacts/999999/notes", json={"notes": "x"}).status_code == 404
    assert _notes(engine, contact_id) is None
    assert _audited(engine, contact_id) == []
    assert api_as("viewer").get(f"/api/v1/contacts/{contact_id}").status_code == 200


# -- web -------------------------------------------------------------------------------


def test_web_form_saves_escaped_notes_and_goes_back(
    login_as: Callable[[str], TestClient], engine: Engine, convs: dict[str, int]
) -> None:
    contact_id = _contact_of(engine, convs["p7"])
    page_url = f"/conversations/{convs['p7']}"
    agent = login_as("agent")
    html = agent.get(page_url).text
    assert f'action="/contacts/{contact_id}/notes"' in html
    assert re.search(r'<label for="contact-notes">', html)
    assert re.search(r'<textarea id="contact-notes" name="notes"', html)
    saved = agent.post(
        f"/contacts/{contact_id}/notes",
        data={"csrf_token": _csrf(html), "notes": HOSTILE_NOTES, "next": page_url},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{page_url}?done=contact"
    assert _notes(engine, contact_id) == HOSTILE_NOTES
    assert len(_audited(engine, contact_id)) == 1

    shown = agent.get(page_url).text
    assert '<script>alert("notes")' not in shown and "<img src=x onerror=alert(5)" not in shown
    assert "&lt;script&gt;alert(&#34;notes&#34;)&lt;/script&gt;" in shown
    # a viewer reads the notes (escaped) without a form to change them
    viewer_page = login_as("viewer").get(page_url).text
    assert f'action="/contacts/{contact_id}/notes"' not in viewer_page
    assert '<p class="contact-notes">&lt;script&gt;' in viewer_page


def test_web_next_stays_on_this_site(
    login_as: Callable[[str], TestClient], engine: Engine, convs: dict[str, int]
) -> None:
    contact_id = _contact_of(engine, convs["p1"])
    agent = login_as("agent")
    token = _csrf(agent.get(f"/conversations/{convs['p1']}").text)
    where: dict[str, str] = {}
    for given in ("https://evil.example/x", "//evil.example/x", "/\\evil.example", "", "/inbox"):
        response = agent.post(
            f"/contacts/{contact_id}/notes",
            data={"csrf_token": token, "notes": "fine", "next": given},
            follow_redirects=False,
        )
        assert response.status_code == 303
        where[given] = response.headers["location"]
    assert where == {
        "https://evil.example/x": "/",
        "//evil.example/x": "/",
        "/\\evil.example": "/",
        "": "/inbox",
        "/inbox": "/inbox",
    }


def test_web_refusals_change_nothing(
    login_as: Callable[[str], TestClient], engine: Engine, convs: dict[str, int]
) -> None:
    contact_id = _contact_of(engine, convs["p2"])
    url = f"/contacts/{contact_id}/notes"
    agent = login_as("agent")
    token = _csrf(agent.get(f"/conversations/{convs['p2']}").text)

    no_csrf = agent.post(url, data={"notes": "forged"}, follow_redirects=False)
    assert no_csrf.status_code == 403 and "did not come from Hubbub" in no_csrf.text
    wrong_csrf = agent.post(url, data={"notes": "forged", "csrf_token": "x.y"})
    assert wrong_csrf.status_code == 403

    viewer = login_as("viewer")
    viewer_token = _csrf(viewer.get("/people/tokens").text)
    denied = viewer.post(url, data={"notes": "viewer", "csrf_token": viewer_token})
    assert denied.status_code == 403 and "does not allow" in denied.text

    anonymous = TestClient(agent.app)
    signed_out = anonymous.post(
        url,
        data={"notes": "x", "csrf_token": _csrf(anonymous.get("/login").text)},
        follow_redirects=False,
    )
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/login")

    too_long = agent.post(url, data={"notes": "x" * (MAX_NOTES_CHARS + 1), "csrf_token": token})
    assert too_long.status_code == 400 and "at most" in too_long.text
    missing = agent.post(
        "/contacts/999999/notes", data={"notes": "x", "csrf_token": token}, follow_redirects=False
    )
    assert missing.status_code == 404 and "No contact 999999" in missing.text
    assert _notes(engine, contact_id) is None
    assert _audited(engine, contact_id) == []
