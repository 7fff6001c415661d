"""Notifications and service levels through the real app: the API with
personal tokens and the web pages with real sessions, CSRF and roles."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from hubbub.actions import sla
from hubbub.actions.people import create_token
from hubbub.config import Settings
from hubbub.interfaces.app import create_app
from hubbub.people.directory import find_user_id
from hubbub.people.permissions import SCOPES
from hubbub.people.sessions import COOKIE, SessionPolicy, create_session
from hubbub.post import utcnow
from hubbub.store.tables import teams
from interfaces.seed import ROLE_EMAILS, seed_people

from .sla_helpers import SYSTEM, conversation, make_conversation
from .test_notifications import send

XSS = '<img src=x onerror="alert(1)">'


@pytest.fixture
def ids(engine: Engine) -> dict[str, int]:
    return seed_people(engine)


@pytest.fixture
def app(settings: Settings, engine: Engine, ids: dict[str, int]) -> Iterator[FastAPI]:
    with TestClient(create_app(settings)) as client:
        yield client.app  # type: ignore[misc]


@pytest.fixture
def browser(app: FastAPI, engine: Engine, settings: Settings) -> Callable[[str], TestClient]:
    def make(role: str) -> TestClient:
        client = TestClient(app)
        with engine.begin() as conn:
            user_id = find_user_id(conn, ROLE_EMAILS[role])
            assert user_id is not None
            token = create_session(conn, user_id, utcnow(), SessionPolicy.from_settings(settings))
        client.cookies.set(COOKIE, token)
        return client

    return make


@pytest.fixture
def api_as(app: FastAPI, engine: Engine, ids: dict[str, int]) -> Callable[..., TestClient]:
    def make(role: str, scopes: list[str] | None = None) -> TestClient:
        token = create_token(
            engine, SYSTEM, ids[f"user.{role}"], f"{role}-t", list(scopes or SCOPES)
        )
        client = TestClient(app)
        client.headers["Authorization"] = f"Bearer {token}"
        return client

    return make


def csrf(client: TestClient, url: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text)
    assert found, f"{url} has no CSRF field"
    return found.group(1)


# --- notifications -------------------------------------------------------------


def test_notifications_api_lists_own_and_marks_read(
    engine: Engine, ids: dict[str, int], api_as: Callable[..., TestClient]
) -> None:
    agent, manager = ids["user.agent"], ids["user.manager"]
    cid = make_conversation(engine, utcnow(), subject="Lost parcel")
    (mine,) = send(engine, cid, [agent], "a", "You were mentioned")
    (other,) = send(engine, None, [manager], "b", "Not for the agent")
    client = api_as("agent")
    listed = client.get("/api/v1/notifications").json()
    assert listed["unread"] == 1
    assert [(n["id"], n["subject"]) for n in listed["items"]] == [(mine, "Lost parcel")]
    assert client.post("/api/v1/notifications/read", json={}).status_code == 422
    assert client.post("/api/v1/notifications/read", json={"ids": [other]}).json() == {"marked": 0}
    assert client.post("/api/v1/notifications/read", json={"ids": [mine]}).json() == {"marked": 1}
    assert client.get("/api/v1/notifications?unread_only=true").json() == {"unread": 0, "items": []}
    assert api_as("manager").post("/api/v1/notifications/read", json={"all": True}).json() == {
        "marked": 1
    }
    # a token without the notifications scope may not
    narrow = api_as("agent", scopes=["posts:read"])
    assert narrow.get("/api/v1/notifications").status_code == 403


def test_notifications_page_escapes_and_marks_read(
    engine: Engine, ids: dict[str, int], browser: Callable[[str], TestClient]
) -> None:
    agent = ids["user.agent"]
    cid = make_conversation(engine, utcnow(), subject=XSS)
    (n1,) = send(engine, cid, [agent], "a", f"Mentioned by {XSS}")
    (n2,) = send(engine, None, [agent], "b", "Second")
    client = browser("agent")
    page = client.get("/notifications")
    assert page.status_code == 200
    assert XSS not in page.text and "&lt;img src=x" in page.text
    assert 'aria-live="polite"' in page.text and "2 unread" in page.text
    assert f'href="/conversations/{cid}"' in page.text
    token = csrf(client, "/notifications")
    # without the CSRF field: refused, nothing marked
    assert client.post("/notifications/read", data={"id": str(n1)}).status_code == 403
    opened = client.post(
        "/notifications/read",
        data={"csrf_token": token, "id": str(n1), "next": f"/conversations/{cid}"},
        follow_redirects=False,
    )
    assert (opened.status_code, opened.headers["location"]) == (303, f"/conversations/{cid}")
    assert client.get("/notifications/count").json() == {"unread": 1}
    done = client.post("/notifications/read", data={"csrf_token": token, "all": "1"})
    assert "All read" in done.text
    assert client.get("/notifications/count").json() == {"unread": 0}
    assert n2  # both are read now
    # another person's browser sees none of them
    assert "Nothing yet" in browser("viewer").get("/notifications").text


def test_pages_need_a_session(app: FastAPI) -> None:
    anonymous = TestClient(app)
    for path in ("/notifications", "/service-levels", "/teams/1/service-levels"):
        r = anonymous.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")


# --- service levels ------------------------------------------------------------


def test_team_sla_api_round_trip_and_permissions(
    engine: Engine, ids: dict[str, int], api_as: Callable[..., TestClient]
) -> None:
    team = ids["team.sales"]
    got = api_as("viewer").get(f"/api/v1/teams/{team}/sla").json()
    assert got["slug"] == "sales" and got["business_hours"] is None
    assert [p["priority"] for p in got["policies"]] == ["urgent", "high", "normal", "low"]
    assert got["policies"][0]["first_response_minutes"] == 30
    change = {
        "business_hours": {"timezone": "Europe/Berlin", "days": {"mon": [["09:00", "17:00"]]}},
        "policies": [
            {"priority": "high", "first_response_minutes": 45, "resolution_minutes": None}
        ],
    }
    assert api_as("agent").put(f"/api/v1/teams/{team}/sla", json=change).status_code == 403
    put = api_as("manager").put(f"/api/v1/teams/{team}/sla", json=change)
    assert put.status_code == 200, put.text
    body = put.json()
    assert body["business_hours"]["days"] == {"mon": [["09:00", "17:00"]]}
    high = next(p for p in body["policies"] if p["priority"] == "high")
    assert (high["first_response_minutes"], high["resolution_minutes"]) == (45, None)
    bad = api_as("manager").put(
        f"/api/v1/teams/{team}/sla", json={"business_hours": {"timezone": "Nowhere", "days": {}}}
    )
    assert bad.status_code == 422 and "unknown timezone" in bad.json()["detail"]
    # only what is given changes: the hours stay when just policies are sent
    api_as("manager").put(
        f"/api/v1/teams/{team}/sla",
        json={"policies": [{"priority": "low", "first_response_minutes": 60}]},
    )
    again = api_as("viewer").get(f"/api/v1/teams/{team}/sla").json()
    assert again["business_hours"]["timezone"] == "Europe/Berlin"
    cleared = api_as("admin").put(f"/api/v1/teams/{team}/sla", json={"business_hours": None})
    assert cleared.json()["business_hours"] is None
    assert api_as("viewer").get("/api/v1/teams/999999/sla").status_code == 404


def test_sla_report_api(
    engine: Engine, ids: dict[str, int], api_as: Callable[..., TestClient]
) -> None:
    cs = ids["team.customer-service"]
    opened = utcnow() - timedelta(hours=3)
    for i, minutes in enumerate((5, 15, 100)):
        cid = make_conversation(engine, opened, team_id=cs, priority="high", key=f"r{i}")
        with engine.begin() as conn:
            sla.apply_sla(conn, cid, opened)
            sla.record_first_response(conn, cid, opened + timedelta(minutes=minutes))
    sla.check_breaches(engine)
    report = api_as("viewer").get("/api/v1/reports/sla?since=1d").json()
    teams_ = {t["team_slug"]: t for t in report["teams"]}
    assert teams_["customer-service"]["first_response_median_seconds"] == 15 * 60
    assert teams_["customer-service"]["first_response_breaches"] == 1
    assert teams_["sales"]["opened"] == 0
    assert api_as("viewer").get("/api/v1/reports/sla?since=soon").status_code == 422


def test_team_service_levels_page(
    engine: Engine, ids: dict[str, int], browser: Callable[[str], TestClient]
) -> None:
    team = ids["team.customer-service"]
    cid = make_conversation(engine, utcnow(), team_id=team, priority="urgent")
    with engine.begin() as conn:
        sla.apply_sla(conn, cid, utcnow())
    manager = browser("manager")
    url = f"/teams/{team}/service-levels"
    page = manager.get(url)
    assert page.status_code == 200
    assert 'name="fr_urgent" value="30m"' in page.text
    token = csrf(manager, url)
    saved = manager.post(
        f"{url}/targets",
        data={"csrf_token": token, "fr_urgent": "15m", "res_urgent": "2h", "fr_high": "1h",
              "res_high": "8h", "fr_normal": "4h", "res_normal": "1d", "fr_low": "",
              "res_low": "3d"},
    )  # fmt: skip
    assert saved.status_code == 200 and "Targets saved." in saved.text
    with engine.connect() as conn:
        policies = {p.priority: p for p in sla.policies_for(conn, team)}
    assert (policies["urgent"].first_response_minutes, policies["urgent"].resolution_minutes) == (
        15,
        120,
    )
    assert policies["low"].first_response_minutes is None
    due = conversation(engine, cid)["first_response_due_at"]
    opened = conversation(engine, cid)["opened_at"]
    assert due - opened == timedelta(minutes=15)  # re-applied to the open conversation
    wrong = manager.post(f"{url}/targets", data={"csrf_token": token, "fr_urgent": "soon"})
    assert wrong.status_code == 400 and "not a duration" in wrong.text
    assert 'value="soon"' in wrong.text  # what was typed comes back
    hours = {"csrf_token": token, "timezone": "Europe/Berlin", "holidays": "2026-12-25"}
    hours |= {f"day_{d}": "09:00-12:00, 13:00-17:30" for d in ("mon", "tue", "wed", "thu", "fri")}
    assert "Business hours saved." in manager.post(f"{url}/hours", data=hours).text
    with engine.connect() as conn:
        stored = conn.execute(select(teams.c.business_hours).where(teams.c.id == team)).scalar()
    assert stored["days"]["mon"] == [["09:00", "12:00"], ["13:00", "17:30"]]
    assert stored["holidays"] == ["2026-12-25"]
    broken = manager.post(f"{url}/hours", data={**hours, "day_sat": "18:00-09:00"})
    assert broken.status_code == 400 and "ends before it starts" in broken.text
    around = manager.post(f"{url}/hours", data={"csrf_token": token, "always": "1"})
    assert "Business hours saved." in around.text
    # an agent sees the targets but gets no form, and may not post
    agent = browser("agent")
    seen = agent.get(url)
    assert seen.status_code == 200 and 'name="fr_urgent"' not in seen.text
    denied = agent.post(f"{url}/targets", data={"csrf_token": csrf(agent, url), "fr_urgent": "1m"})
    assert denied.status_code == 403
    assert browser("viewer").get("/service-levels").status_code == 200
    assert manager.get("/teams/999999/service-levels").status_code == 404
