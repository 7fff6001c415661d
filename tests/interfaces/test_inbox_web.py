"""The inbox and conversation pages, signed in for real: tabs, filters, bulk
actions without JavaScript, the conversation's controls, the navigation, and
hostile post text escaped everywhere."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from hubbub.actions.saved_replies import create_saved_reply
from hubbub.people.principal import Principal
from hubbub.store.tables import conversation_notes, conversations, teams, users

from .inbox_helpers import open_seeded_conversations
from .seed import ROLE_EMAILS


@pytest.fixture
def convs(app_client: TestClient, engine: Engine) -> dict[str, int]:
    return open_seeded_conversations(engine)


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "page has no CSRF field"
    return found.group(1)


def _row_ids(html: str) -> list[int]:
    return [
        int(i) for i in re.findall(r'<tr class="conversation[^"]*" id="conversation-(\d+)"', html)
    ]


def _conv(engine: Engine, cid: int) -> dict[str, object]:
    with engine.connect() as conn:
        return dict(
            conn.execute(select(conversations).where(conversations.c.id == cid)).mappings().one()
        )


def test_inbox_tabs_filters_and_escaping(app_client: TestClient, convs: dict[str, int]) -> None:
    mine = app_client.get("/inbox")
    assert mine.status_code == 200
    assert _row_ids(mine.text) == []  # the admin has nothing assigned yet: their queue is empty
    assert re.search(r'aria-current="page">Mine <span class="tab-count">0<', mine.text)
    assert re.search(rf'>All <span class="tab-count">{len(convs)}<', mine.text)
    every = app_client.get("/inbox?queue=all").text
    assert sorted(_row_ids(every)) == sorted(convs.values())
    # the hostile post (text, author, link) is text, never markup
    assert "<script>alert(1)" not in every and "&lt;script&gt;alert(1)" in every
    assert "<img src=x" not in every
    assert 'href="javascript:' not in every
    negative = app_client.get("/inbox?queue=all&sentiment=negative").text
    assert convs["p2"] in _row_ids(negative) and convs["p1"] not in _row_ids(negative)
    found = app_client.get("/inbox?queue=all&q=refund+now").text
    assert _row_ids(found) == [convs["p2"]]
    broken = app_client.get("/inbox?queue=all&cursor=garbage")
    assert broken.status_code == 400 and "page link is broken" in broken.text
    unknown = app_client.get("/inbox?queue=team:nope")
    assert unknown.status_code == 400 and "no team" in unknown.text


def test_bulk_actions_work_without_javascript(
    app_client: TestClient,
    engine: Engine,
    convs: dict[str, int],
    login_as: Callable[[str], TestClient],
) -> None:
    html = app_client.get("/inbox?queue=all").text
    assert 'form="bulk-form"' in html and 'name="ids"' in html
    two = [convs["p1"], convs["p6"]]
    form = {"csrf_token": _csrf(html), "ids": [str(i) for i in two], "action": "resolve",
            "next": "/inbox?queue=all"}  # fmt: skip
    r = app_client.post("/inbox/bulk", data=form, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/inbox?queue=all&bulk=resolve&n=2"
    after = app_client.get(r.headers["location"]).text
    assert "2 conversations resolved." in after
    assert not set(two) & set(_row_ids(after))
    assert all(_conv(engine, i)["status"] == "resolved" for i in two)
    # assign to me, a priority, a tag
    cid = convs["p2"]
    for action, extra in (
        ("assign_me", {}),
        ("priority", {"priority": "urgent"}),
        ("tag", {"tag": "vip, press"}),
    ):
        r = app_client.post(
            "/inbox/bulk",
            data={"csrf_token": _csrf(html), "ids": [str(cid)], "action": action, **extra},
            follow_redirects=False,
        )
        assert r.status_code == 303, action
    row = _conv(engine, cid)
    with engine.connect() as conn:
        admin = conn.execute(
            select(users.c.id).where(users.c.email == ROLE_EMAILS["admin"])
        ).scalar_one()
    assert (
        row["assignee_id"] == admin
        and row["priority"] == "urgent"
        and row["tags"] == ["vip", "press"]
    )
    assert _row_ids(app_client.get("/inbox").text) == [cid]  # now in the admin's own queue
    # no CSRF token, or a viewer: refused
    assert (
        app_client.post("/inbox/bulk", data={"ids": [str(cid)], "action": "resolve"}).status_code
        == 403
    )
    viewer = login_as("viewer")
    viewer_html = viewer.get("/inbox?queue=all").text
    assert 'id="bulk-form"' not in viewer_html
    r = viewer.post(
        "/inbox/bulk",
        data={"csrf_token": _csrf(viewer_html), "ids": [str(cid)], "action": "resolve"},
    )
    assert r.status_code == 403
    assert _conv(engine, cid)["status"] == "open"


def test_navigation_follows_the_role(
    app_client: TestClient, convs: dict[str, int], login_as: Callable[[str], TestClient]
) -> None:
    html = app_client.get("/inbox").text
    assert '<a href="/inbox" aria-current="page" data-nav="inbox">Inbox' in html
    for href in (
        "/",
        "/queries",
        "/sources",
        "/dashboard",
        "/rules",
        "/saved-replies",
        "/people",
        "/workers",
    ):
        assert f'<a href="{href}"' in html, href
    assert 'href="/notifications"' in html and 'action="/logout"' in html
    viewer = login_as("viewer").get("/inbox").text
    assert 'href="/inbox"' in viewer and 'href="/people"' not in viewer
    assert ">Viewer<" in viewer or "viewer@example.com" in viewer
    login = TestClient(app_client.app).get("/login").text
    assert 'aria-label="Main"' not in login and 'action="/logout"' not in login
    assert TestClient(app_client.app).get("/inbox", follow_redirects=False).status_code == 303


def test_conversation_page_and_its_forms(
    app_client: TestClient,
    engine: Engine,
    convs: dict[str, int],
    login_as: Callable[[str], TestClient],
) -> None:
    with engine.connect() as conn:
        cs = conn.execute(select(teams.c.id).where(teams.c.slug == "customer-service")).scalar_one()
        sales = conn.execute(select(teams.c.id).where(teams.c.slug == "sales")).scalar_one()
    lead = Principal.system("test")
    create_saved_reply(engine, lead, name="Refund steps", body="Hi {{author.name}}", team_id=cs)
    create_saved_reply(engine, lead, name="Sales only", body="Buy", team_id=sales)
    create_saved_reply(engine, lead, name="Thanks", body="Thank you!")
    cid = convs["p2"]
    agent = login_as("agent")  # in customer service
    html = agent.get(f"/conversations/{cid}").text
    assert "Acme support is terrible" in html and "@fan2" in html
    assert 'class="badge badge-negative"' in html  # the post's enrichments
    assert f'action="/conversations/{cid}/reply"' in html and 'name="body"' in html
    keys = re.findall(r'name="idempotency_key" value="([0-9a-f]{32})"', html)
    again = re.findall(
        r'name="idempotency_key" value="([0-9a-f]{32})"', agent.get(f"/conversations/{cid}").text
    )
    assert len(keys) == 1 and keys != again  # a fresh key per render
    picker = re.search(
        r'<select id="saved-reply" name="saved_reply_id"[^>]*>(.*?)</select>', html, re.S
    )
    assert picker and "Refund steps" in picker.group(1) and "Thanks" in picker.group(1)
    assert "Sales only" not in picker.group(1)  # not the agent's team
    assert f'action="/conversations/{cid}/handled-elsewhere"' in html and 'name="url"' in html
    token = _csrf(html)
    steps = [
        ("priority", {"priority": "high"}, "Priority changed."),
        ("tags", {"tags": "refund, angry"}, "Tags saved."),
        ("assign", {"assignee_id": "me"}, "Assignment changed."),
        ("notes", {"body": "@manager please check <b>this</b>"}, "Note added."),
        ("status", {"status": "snoozed", "snooze_for": "1d"}, "Status changed."),
    ]
    for path, data, message in steps:
        r = agent.post(
            f"/conversations/{cid}/{path}",
            data={"csrf_token": token, **data},
            follow_redirects=False,
        )
        assert r.status_code == 303, (path, r.text)
        assert message in agent.get(r.headers["location"]).text
    row = _conv(engine, cid)
    assert (
        row["priority"] == "high"
        and row["tags"] == ["refund", "angry"]
        and row["status"] == "snoozed"
    )
    assert row["snoozed_until"] is not None
    page = agent.get(f"/conversations/{cid}").text
    assert '<li class="entry entry-note"' in page and "&lt;b&gt;this&lt;/b&gt;" in page
    assert "Notified: Manager" in page or "Notified:" in page
    with engine.connect() as conn:
        assert conn.execute(select(conversation_notes.c.mentions)).scalar_one()
    bad = agent.post(
        f"/conversations/{cid}/status", data={"csrf_token": token, "status": "snoozed"}
    )
    assert bad.status_code == 400 and "how long to snooze" in bad.text
    assert agent.post(f"/conversations/{cid}/priority", data={"priority": "low"}).status_code == 403
    viewer = login_as("viewer")
    seen = viewer.get(f"/conversations/{cid}").text
    assert f'action="/conversations/{cid}/reply"' not in seen and 'id="note-body"' not in seen
    denied = viewer.post(
        f"/conversations/{cid}/priority", data={"csrf_token": _csrf(seen), "priority": "low"}
    )
    assert denied.status_code == 403
    assert agent.get("/conversations/999999").status_code == 404


def test_hostile_post_is_escaped_on_its_conversation(
    app_client: TestClient, convs: dict[str, int]
) -> None:
    html = app_client.get(f"/conversations/{convs['p7']}").text
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x onerror" not in html
    assert 'href="javascript:' not in html
