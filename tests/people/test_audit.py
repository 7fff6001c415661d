"""The audit log: every people action records who, what, when, before and
after, in the same transaction; the log is readable (filtered, paginated)
over the API and on /audit, by admins and managers only."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from hubbub.actions import people
from hubbub.config import Settings
from hubbub.people.principal import Principal
from hubbub.post import utcnow
from hubbub.store.tables import audit_log


def _entries(engine: Engine, after_id: int = 0) -> list[Any]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(audit_log).where(audit_log.c.id > after_id).order_by(audit_log.c.id)
            )
        )


def _last_id(engine: Engine) -> int:
    rows = _entries(engine)
    return rows[-1].id if rows else 0


def test_every_people_action_is_recorded(engine: Engine, settings: Settings) -> None:
    ops = Principal.system("ops")
    start = utcnow()
    user_id = people.create_user(
        engine, ops, "ana@example.com", "Ana", "agent", "a good long password"
    )
    team_id = people.create_team(engine, ops, "support", "Support")
    lead = Principal(label="lead@example.com", role="manager", user_id=None)
    people.rename_team(engine, lead, team_id, "Customer support")
    people.add_member(engine, lead, team_id, user_id)
    people.remove_member(engine, lead, team_id, user_id)
    people.set_role(engine, ops, user_id, "manager")
    people.set_available(engine, ops, user_id, False)
    people.set_password(engine, ops, user_id, "a newer long password")
    people.deactivate(engine, ops, user_id)
    people.reactivate(engine, ops, user_id)
    invitation = people.invite(engine, ops, "bo@example.com", "viewer", team_slugs=["support"])
    secret = people.create_token(engine, ops, user_id, "bot", ["posts:read"])
    session = people.login(engine, settings, "ana@example.com", "a newer long password")
    ana = Principal(label="ana@example.com", role="manager", user_id=user_id)
    people.logout(engine, ana, session)
    token_id = next(e for e in _entries(engine) if e.action == "token.create").object_id
    people.revoke_token(engine, ana, int(token_id))

    got = [
        (e.actor, e.action, e.object_type, e.object_id, e.before, e.after) for e in _entries(engine)
    ]
    u, t = str(user_id), str(team_id)
    expected_start = [
        ("ops", "user.create", "user", u, None,
         {"email": "ana@example.com", "name": "Ana", "role": "agent", "team_ids": []}),
        ("ops", "team.create", "team", t, None,
         {"slug": "support", "name": "Support", "business_hours": None}),
        ("lead@example.com", "team.rename", "team", t, {"name": "Support"}, {"name": "Customer support"}),
        ("lead@example.com", "team.add_member", "team", t, None, {"user_id": user_id}),
        ("lead@example.com", "team.remove_member", "team", t, {"user_id": user_id}, None),
        ("ops", "user.set_role", "user", u, {"role": "agent"}, {"role": "manager"}),
        ("ops", "user.set_available", "user", u, {"available": True}, {"available": False}),
        ("ops", "user.set_password", "user", u, None, None),
        ("ops", "user.deactivate", "user", u, {"active": True}, {"active": False}),
        ("ops", "user.reactivate", "user", u, {"active": False}, {"active": True}),
    ]  # fmt: skip
    assert got[: len(expected_start)] == expected_start
    rest = got[len(expected_start) :]
    assert [(a, act, ot) for a, act, ot, *_ in rest] == [
        ("ops", "invitation.create", "invitation"),
        ("ops", "token.create", "api_token"),
        ("ana@example.com", "user.login", "user"),
        ("ana@example.com", "user.logout", "user"),
        ("ana@example.com", "token.revoke", "api_token"),
    ]
    invited = rest[0][5]
    assert invited["email"] == "bo@example.com" and invited["team_ids"] == [team_id]
    assert rest[0][3] == str(invitation.id)
    created = rest[1][5]
    assert created["scopes"] == ["posts:read"] and created["name"] == "bot"
    assert rest[4][4] == {"revoked_at": None} and rest[4][5]["revoked_at"]
    # no secret ever reaches the log
    text = repr(got)
    for secret_text in (
        "a good long password",
        "a newer long password",
        secret,
        session,
        invitation.token,
    ):
        assert secret_text not in text
    for entry in _entries(engine):
        at = entry.at if entry.at.tzinfo else entry.at.replace(tzinfo=start.tzinfo)
        assert start - timedelta(seconds=1) <= at <= utcnow()
        assert (entry.actor_user_id == user_id) == entry.actor.startswith("ana@")


def test_a_refused_action_changes_nothing_and_records_nothing(engine: Engine) -> None:
    before = _last_id(engine)
    agent = Principal(label="agent@example.com", role="agent", user_id=None)
    for attempt in (
        lambda: people.create_user(engine, agent, "x@example.com", "X", "admin"),
        lambda: people.create_team(engine, agent, "x", "X"),
        lambda: people.invite(engine, agent, "x@example.com", "admin"),
    ):
        try:
            attempt()
        except PermissionError:
            pass
        else:
            raise AssertionError("an agent administered people")
    assert _last_id(engine) == before


def test_the_last_admin_stays(engine: Engine) -> None:
    ops = Principal.system()
    only = people.create_user(engine, ops, "root@example.com", "Root", "admin")
    for change in (
        lambda: people.set_role(engine, ops, only, "viewer"),
        lambda: people.deactivate(engine, ops, only),
    ):
        try:
            change()
        except people.LastAdmin:
            pass
        else:
            raise AssertionError("the last admin was removed")
    second = people.create_user(engine, ops, "two@example.com", "Two", "admin")
    people.set_role(engine, ops, only, "viewer")
    try:
        people.deactivate(engine, ops, second)
    except people.LastAdmin:
        pass
    else:
        raise AssertionError("the last admin was deactivated")


def _audit(client: TestClient, **params: Any) -> dict[str, Any]:
    r = client.get("/api/v1/audit", params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_reading_the_log_over_the_api(api: TestClient, seeded: dict[str, int]) -> None:
    for slug in ("a", "b", "c"):
        assert (
            api.post("/api/v1/teams", json={"slug": f"team-{slug}", "name": slug}).status_code
            == 201
        )
    newest = _audit(api, action="team.create", actor="workspace")
    assert [e["after"]["slug"] for e in newest["items"][:3]] == ["team-c", "team-b", "team-a"]
    assert all(e["actor"] == "workspace token" for e in newest["items"][:3])
    # pages, newest first, keyed on the id
    first = _audit(api, action="team.", limit=2)
    assert len(first["items"]) == 2 and first["next_before_id"] == first["items"][-1]["id"]
    second = _audit(api, action="team.", limit=2, before_id=first["next_before_id"])
    assert second["items"][0]["id"] < first["items"][-1]["id"]
    assert {e["action"] for e in first["items"] + second["items"]} == {"team.create"}
    # by object, by actor id, by time
    team_id = str(newest["items"][0]["object_id"])
    by_object = _audit(api, object_type="team", object_id=team_id)
    assert [e["after"]["slug"] for e in by_object["items"]] == ["team-c"]
    seeded_by = _audit(api, actor="test seed", action="user.create")
    assert len(seeded_by["items"]) == 4
    future = (utcnow() + timedelta(hours=1)).isoformat()
    assert _audit(api, since=future)["items"] == []
    assert _audit(api, actor="user:999999")["items"] == []


def test_the_audit_page(login_as: Callable[[str], TestClient], seeded: dict[str, int]) -> None:
    manager = login_as("manager")
    page = manager.get("/audit", params={"action": "team.create"})
    assert page.status_code == 200
    assert page.text.count('<tr id="audit-') == 5  # the five seeded teams
    assert "customer-service" in page.text and "test seed" in page.text
    assert manager.get("/audit", params={"action": "no.such"}).text.count('<tr id="audit-') == 0
    assert login_as("agent").get("/audit").status_code == 403


def test_the_log_escapes_what_people_typed(
    api: TestClient, login_as: Callable[[str], TestClient], seeded: dict[str, int]
) -> None:
    evil = '<script>alert("x")</script>'
    assert api.post("/api/v1/teams", json={"slug": "evil", "name": evil}).status_code == 201
    page = login_as("admin").get("/audit").text
    assert "<script>alert" not in page
    assert "\\u003cscript\\u003e" in page or "&lt;script&gt;" in page
    people_page = login_as("admin").get("/people").text
    assert "<script>alert" not in people_page and "&lt;script&gt;" in people_page
