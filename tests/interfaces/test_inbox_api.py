"""The conversations API over the seeded workspace, conversations opened by
the real route stage action: listing, detail, changes, notes, bulk, and who
may do what."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from hubbub.store.tables import audit_log, notifications, teams, users

from .inbox_helpers import open_seeded_conversations
from .seed import ROLE_EMAILS

URL = "/api/v1/conversations"


@pytest.fixture
def convs(api: TestClient, engine: Engine) -> dict[str, int]:
    return open_seeded_conversations(engine)


def _user_id(engine: Engine, role: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(select(users.c.id).where(users.c.email == ROLE_EMAILS[role])).scalar_one()
        )


def test_list_all_open_with_counts(api: TestClient, convs: dict[str, int]) -> None:
    assert convs, "the seeded acme posts open conversations"
    body = api.get(URL).json()  # the workspace token is nobody: its default queue is all
    ids = [c["id"] for c in body["items"]]
    assert sorted(ids) == sorted(convs.values())
    assert body["total"] == len(ids) == body["status_counts"]["open"]
    assert {t["queue"] for t in body["tabs"]} >= {"mine", "unassigned", "all"}
    assert next(t for t in body["tabs"] if t["queue"] == "all")["count"] == len(ids)
    hostile = next(c for c in body["items"] if c["id"] == convs["p7"])
    assert hostile["subject"].startswith("<script>")  # JSON carries the text as it is
    assert hostile["contact"]["handle"] == "fan7"
    first = body["items"][0]
    assert set(first["sla"]) >= {"first_response_due_at", "timer", "first_response_breached"}
    assert first["sla"]["timer"]["state"] in ("ok", "warning", "breached", "met", "none")
    times = [c["last_activity_at"] for c in body["items"]]
    assert times == sorted(times, reverse=True)


def test_filters_sort_and_pages(api: TestClient, convs: dict[str, int]) -> None:
    negative = api.get(URL, params={"sentiment": "negative"}).json()["items"]
    assert convs["p2"] in [c["id"] for c in negative]
    assert all(c["sentiment"] == "negative" for c in negative)
    found = api.get(URL, params={"q": "REFUND NOW"}).json()["items"]
    assert [c["id"] for c in found] == [convs["p2"]]
    assert api.get(URL, params={"platform": "nowhere"}).json()["items"] == []
    walked: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, "sort": "oldest_waiting"}
        if cursor:
            params["cursor"] = cursor
        page = api.get(URL, params=params).json()
        walked += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    whole = [c["id"] for c in api.get(URL, params={"sort": "oldest_waiting"}).json()["items"]]
    assert walked == whole and len(whole) == len(convs)
    assert api.get(URL, params={"queue": "team:nope"}).status_code == 400
    assert api.get(URL, params={"cursor": "garbage"}).status_code == 400
    assert api.get(URL, params={"sort": "random"}).status_code == 400
    assert api.get(URL, params={"status": "closed"}).status_code == 422


def test_detail_has_thread_enrichments_and_contact(api: TestClient, convs: dict[str, int]) -> None:
    body = api.get(f"{URL}/{convs['p2']}").json()
    assert body["subject"].startswith("Acme support is terrible")
    [post] = body["posts"]
    assert post["external_id"] == "p2"
    assert post["enrichments"]["sentiment"]["label"] == "negative"
    assert body["contact_detail"]["handle"] == "fan2"
    assert [h["id"] for h in body["contact_detail"]["conversations"]] == [convs["p2"]]
    assert body["notes"] == [] and body["replies"] == []
    assert api.get(f"{URL}/999999").status_code == 404


def test_patch_changes_through_the_actions(
    api: TestClient, engine: Engine, convs: dict[str, int]
) -> None:
    cid = convs["p2"]
    agent = _user_id(engine, "agent")  # a member of customer service
    with engine.connect() as conn:
        cs = conn.execute(select(teams.c.id).where(teams.c.slug == "customer-service")).scalar_one()
    r = api.patch(
        f"{URL}/{cid}",
        json={"priority": "urgent", "tags": ["Refund", "vip"], "team_id": cs, "assignee_id": agent},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["priority"] == "urgent"
    assert body["team"]["slug"] == "customer-service" and body["assignee"]["id"] == agent
    assert body["tags"] == ["Refund", "vip"]
    r = api.patch(f"{URL}/{cid}", json={"status": "resolved"})
    assert r.json()["status"] == "resolved" and r.json()["resolved_at"]
    assert api.patch(f"{URL}/{cid}", json={"status": "snoozed"}).status_code == 422
    assert api.patch(f"{URL}/{cid}", json={"status": "closed"}).status_code == 422
    assert api.patch(f"{URL}/999999", json={"priority": "low"}).status_code == 404
    # clearing the assignee: null is not "absent"
    assert api.patch(f"{URL}/{cid}", json={"assignee_id": None}).json()["assignee"] is None
    with engine.connect() as conn:
        actions = {
            r.action
            for r in conn.execute(
                select(audit_log.c.action).where(audit_log.c.object_id == str(cid))
            )
        }
    assert {"conversation.assign", "conversation.priority", "conversation.status"} <= actions
    resolved = api.get(URL, params={"queue": "unassigned", "status": "resolved"}).json()
    assert [c["id"] for c in resolved["items"]] == [cid]


def test_notes_mention_and_bulk(api: TestClient, engine: Engine, convs: dict[str, int]) -> None:
    cid = convs["p1"]
    r = api.post(f"{URL}/{cid}/notes", json={"body": "@agent can you take this? <b>not html</b>"})
    assert r.status_code == 201, r.text
    agent = _user_id(engine, "agent")
    [note] = api.get(f"{URL}/{cid}").json()["notes"]
    assert note["id"] == r.json()["id"] and note["mentions"] == [agent]
    with engine.connect() as conn:
        told = (
            conn.execute(
                select(notifications.c.user_id).where(notifications.c.conversation_id == cid)
            )
            .scalars()
            .all()
        )
    assert agent in told
    assert api.post(f"{URL}/{cid}/notes", json={"body": ""}).status_code == 422
    two = [convs["p1"], convs["p6"]]
    r = api.post(
        f"{URL}/bulk", json={"ids": [*two, 999999], "status": "resolved", "add_tags": ["done"]}
    )
    assert r.status_code == 200 and r.json() == {"updated": 2}
    resolved = api.get(URL, params={"status": "resolved"}).json()["items"]
    assert sorted(c["id"] for c in resolved) == sorted(two)
    assert all("done" in c["tags"] for c in resolved)


def test_who_may_do_what(
    api: TestClient, api_as: Callable[..., TestClient], engine: Engine, convs: dict[str, int]
) -> None:
    cid = convs["p2"]
    viewer = api_as("viewer")
    assert viewer.get(URL).status_code == 200
    assert viewer.get(f"{URL}/{cid}").status_code == 200
    assert viewer.patch(f"{URL}/{cid}", json={"priority": "high"}).status_code == 403
    assert viewer.post(f"{URL}/{cid}/notes", json={"body": "hi"}).status_code == 403
    assert viewer.post(f"{URL}/bulk", json={"ids": [cid], "status": "resolved"}).status_code == 403
    read_only = api_as("agent", scopes=["conversations:read"])
    assert read_only.get(URL).status_code == 200
    assert read_only.patch(f"{URL}/{cid}", json={"priority": "high"}).status_code == 403
    no_scope = api_as("agent", scopes=["posts:read"])
    assert no_scope.get(URL).status_code == 403
    anonymous = TestClient(api.app)
    assert anonymous.get(URL).status_code == 401
    # the agent's own queue: what is assigned to them
    agent = api_as("agent")
    assert agent.get(URL).json()["items"] == []
    assert (
        agent.patch(f"{URL}/{cid}", json={"assignee_id": _user_id(engine, "agent")}).status_code
        == 200
    )
    mine = agent.get(URL).json()
    assert [c["id"] for c in mine["items"]] == [cid]
    assert next(t for t in mine["tabs"] if t["queue"] == "mine")["count"] == 1
