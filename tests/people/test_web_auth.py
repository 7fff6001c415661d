"""Signing in and out of the web UI, and that no page opens without it."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, select

from hubbub.actions.people import LOGIN_FAILURE_LIMIT
from hubbub.interfaces.web.routes import MODULES, PUBLIC_PATHS
from hubbub.people.sessions import COOKIE
from hubbub.store.tables import audit_log
from interfaces.seed import TEST_PASSWORD

from .helpers import csrf_of


def _sign_in(client: TestClient, email: str, password: str, next_path: str = "/") -> Response:
    token = csrf_of(client, "/login")
    return client.post(
        "/login",
        data={"email": email, "password": password, "next": next_path, "csrf_token": token},
        follow_redirects=False,
    )


def _page_paths() -> list[str]:
    """Every GET page of the web UI, path parameters filled with 1."""
    return [
        re.sub(r"\{[^}]+\}", "1", route.path)
        for module in MODULES
        for route in module.router.routes
        if isinstance(route, APIRoute) and "GET" in route.methods and route.path not in PUBLIC_PATHS
    ]


def test_every_page_sends_a_stranger_to_login(anonymous: TestClient) -> None:
    paths = _page_paths()
    assert {"/", "/queries", "/people", "/audit", "/people/tokens"} <= set(paths)
    for path in paths:
        r = anonymous.get(path, follow_redirects=False)
        assert r.status_code == 303, path
        assert r.headers["location"] == f"/login?next={path}", path
    # and POSTs neither act nor leak: the login page, whatever the CSRF token
    r = anonymous.post("/queries/1/delete", data={"csrf_token": "x"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_public_paths_stay_public(anonymous: TestClient) -> None:
    assert anonymous.get("/login").status_code == 200
    assert anonymous.get("/healthz").status_code == 200
    assert anonymous.get("/static/app.css").status_code == 200
    assert anonymous.get("/invite/not-a-token").status_code == 404  # the page, not a redirect


def test_sign_in_goes_where_the_person_was_going(anonymous: TestClient, engine: Engine) -> None:
    r = anonymous.get("/queries?x=1")
    assert r.url.path == "/login"
    assert 'name="next" value="/queries?x=1"' in r.text
    r = _sign_in(anonymous, "Agent@Example.com ", TEST_PASSWORD, "/queries?x=1")
    assert r.status_code == 303 and r.headers["location"] == "/queries?x=1"
    cookie = r.headers["set-cookie"]
    assert f"{COOKIE}=" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie  # plain http here; https requests get Secure
    assert anonymous.get("/queries").status_code == 200
    # the login page now just forwards
    assert (
        anonymous.get("/login?next=/sources", follow_redirects=False).headers["location"]
        == "/sources"
    )
    with engine.connect() as conn:
        actions = [r.action for r in conn.execute(select(audit_log.c.action))]
    assert "user.login" in actions


@pytest.mark.parametrize(
    "next_path",
    ["https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"],
)
def test_next_never_leaves_the_site(anonymous: TestClient, next_path: str) -> None:
    r = _sign_in(anonymous, "viewer@example.com", TEST_PASSWORD, next_path)
    assert r.headers["location"] == "/"


def test_wrong_password_unknown_address_and_throttling(
    anonymous: TestClient, engine: Engine
) -> None:
    for email, password in (
        ("agent@example.com", "wrong password!"),
        ("nobody@example.com", TEST_PASSWORD),
    ):
        r = _sign_in(anonymous, email, password)
        assert r.status_code == 401
        assert "wrong e-mail address or password" in r.text
        assert COOKIE not in r.headers.get("set-cookie", "")
    with engine.connect() as conn:
        failures = conn.execute(
            select(audit_log.c.object_id, audit_log.c.after).where(
                audit_log.c.action == "user.login_failed"
            )
        ).all()
    assert [(f.object_id, f.after["reason"]) for f in failures] == [
        ("agent@example.com", "wrong password"),
        ("nobody@example.com", "unknown address"),
    ]
    # after too many failures even the right password is refused for a while
    for _ in range(LOGIN_FAILURE_LIMIT - 1):
        _sign_in(anonymous, "agent@example.com", "wrong password!")
    r = _sign_in(anonymous, "agent@example.com", TEST_PASSWORD)
    assert r.status_code == 401 and "too many failed attempts" in r.text
    # other addresses are not affected
    assert _sign_in(anonymous, "viewer@example.com", TEST_PASSWORD).status_code == 303


def test_sign_out_ends_the_session(anonymous: TestClient, engine: Engine) -> None:
    _sign_in(anonymous, "manager@example.com", TEST_PASSWORD)
    session = anonymous.cookies.get(COOKIE)
    assert session and anonymous.get("/people").status_code == 200
    token = csrf_of(anonymous, "/people")
    r = anonymous.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?done=logout"
    assert anonymous.get("/people", follow_redirects=False).status_code == 303
    # the old cookie is dead on the server too, not only deleted in this browser
    again = TestClient(anonymous.app)
    again.cookies.set(COOKIE, session)
    assert again.get("/people", follow_redirects=False).status_code == 303
    with engine.connect() as conn:
        assert (
            conn.execute(
                select(audit_log.c.actor).where(audit_log.c.action == "user.logout")
            ).scalar()
            == "manager@example.com"
        )


def test_a_role_change_applies_to_the_open_session(
    login_as: Callable[[str], TestClient], api: TestClient, seeded: dict[str, int]
) -> None:
    manager = login_as("manager")
    assert manager.get("/audit").status_code == 200
    r = api.patch(f"/api/v1/users/{seeded['user.manager']}", json={"role": "viewer"})
    assert r.status_code == 200 and r.json()["role"] == "viewer"
    assert manager.get("/audit").status_code == 403
