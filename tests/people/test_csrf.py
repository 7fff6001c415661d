"""CSRF: every web POST needs the signed double-submit token, the login and
invitation forms included (no login CSRF)."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.params import Depends as DependsParam
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from hubbub.interfaces.web import csrf
from hubbub.interfaces.web.routes import MODULES
from hubbub.store.tables import audit_log, teams
from interfaces.seed import TEST_PASSWORD

from .helpers import csrf_of


def test_every_web_post_route_verifies_the_token() -> None:
    posts = [
        route
        for module in MODULES
        for route in module.router.routes
        if isinstance(route, APIRoute) and "POST" in route.methods
    ]
    assert len(posts) > 10
    unprotected = [
        route.path
        for route in posts
        if not any(
            isinstance(d, DependsParam) and d.dependency is csrf.verify for d in route.dependencies
        )
    ]
    assert not unprotected, f"POST routes without Depends(csrf.verify): {unprotected}"


def test_login_needs_the_token(anonymous: TestClient, engine: Engine) -> None:
    form = {"email": "admin@example.com", "password": TEST_PASSWORD}
    assert anonymous.post("/login", data=form).status_code == 403
    token = csrf_of(anonymous, "/login")
    assert anonymous.post("/login", data={**form, "csrf_token": token + "x"}).status_code == 403
    # a validly signed token from another browser does not match this one's cookie
    other = csrf_of(TestClient(anonymous.app), "/login")
    assert anonymous.post("/login", data={**form, "csrf_token": other}).status_code == 403
    with engine.connect() as conn:
        logins = conn.execute(
            select(func.count()).select_from(audit_log).where(audit_log.c.action == "user.login")
        ).scalar_one()
    assert logins == 0  # none of those even reached the password check
    ok = anonymous.post("/login", data={**form, "csrf_token": token}, follow_redirects=False)
    assert ok.status_code == 303


def test_signed_in_forms_need_the_token(
    login_as: Callable[[str], TestClient], engine: Engine
) -> None:
    admin = login_as("admin")
    attempts = [
        ("/people/teams", {"slug": "sneaky", "name": "Sneaky"}),
        ("/people/invite", {"email": "sneaky@example.com", "role": "admin"}),
        ("/people/tokens", {"name": "sneaky", "scope": "posts:read"}),
        ("/logout", {}),
    ]
    token = csrf_of(admin, "/people")
    for url, data in attempts:
        missing = admin.post(url, data=data, follow_redirects=False)
        assert missing.status_code == 403 and "did not come from Hubbub" in missing.text, url
        forged = admin.post(url, data={**data, "csrf_token": token[:-1]}, follow_redirects=False)
        assert forged.status_code == 403, url
    with engine.connect() as conn:
        assert conn.execute(select(teams.c.id).where(teams.c.slug == "sneaky")).first() is None
    assert admin.get("/people", follow_redirects=False).status_code == 200  # still signed in
    done = admin.post(
        "/people/teams",
        data={"slug": "real", "name": "Real", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
