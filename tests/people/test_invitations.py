"""Invitations end to end: an admin invites, the person opens the link,
chooses a password, is signed in with the role and teams; the link then
stops working. Also through the API and the CLI."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from hubbub.actions.people import accept_invitation, invite
from hubbub.config import Settings
from hubbub.people.principal import Principal
from hubbub.store.tables import audit_log, invitations, users

from .helpers import csrf_of

if TYPE_CHECKING:  # the client the TestClient is built on (httpx, or its successor httpx2)
    from starlette.testclient import httpx


def choose_password(
    client: TestClient,
    link: str,
    csrf_token: str,
    password: str,
    again: str | None = None,
    name: str = "New Bie",
) -> httpx.Response:
    """Submit the invitation page's form (``again`` defaults to the same password)."""
    return client.post(
        link,
        data={
            "name": name,
            "password": password,
            "password_again": password if again is None else again,
            "csrf_token": csrf_token,
        },
        follow_redirects=False,
    )


def test_invite_accept_and_sign_in(
    login_as: Callable[[str], TestClient], anonymous: TestClient, engine: Engine
) -> None:
    admin = login_as("admin")
    token = csrf_of(admin, "/people")
    r = admin.post(
        "/people/invite",
        data={
            "email": "Newbie@Example.com",
            "name": "New Bie",
            "role": "agent",
            "team": ["sales", "product"],
            "csrf_token": token,
        },
    )
    assert r.status_code == 200
    found = re.search(
        r'<code class="secret" id="invite-url">http://testserver(/invite/[^<]+)</code>', r.text
    )
    assert found, r.text
    link = found.group(1)
    with engine.connect() as conn:
        stored = conn.execute(select(invitations.c.token_hash, invitations.c.email)).one()
    assert stored.email == "newbie@example.com" and link.split("/")[-1] not in stored.token_hash

    page = anonymous.get(link)
    assert page.status_code == 200 and "newbie@example.com" in page.text and "agent" in page.text
    form_token = csrf_of(anonymous, link)
    differ = choose_password(anonymous, link, form_token, "a fine password", "another one!")
    assert differ.status_code == 400 and "passwords differ" in differ.text
    short = choose_password(anonymous, link, form_token, "short")
    assert short.status_code == 400 and "at least" in short.text
    accepted = choose_password(anonymous, link, form_token, "a fine password")
    assert accepted.status_code == 303 and accepted.headers["location"] == "/"
    # signed in as the new agent: may correct intents, may not see the audit log
    assert anonymous.get("/").status_code == 200
    assert anonymous.get("/audit").status_code == 403
    people = admin.get("/people").text
    assert "newbie@example.com" in people
    with engine.connect() as conn:
        user = conn.execute(select(users).where(users.c.email == "newbie@example.com")).one()
        trail = [
            r.action for r in conn.execute(select(audit_log.c.action).order_by(audit_log.c.id))
        ]
    assert (
        user.role == "agent"
        and user.name == "New Bie"
        and user.password_hash.startswith("$argon2id$")
    )
    assert trail[-3:] == ["invitation.create", "invitation.accept", "user.create"]
    # the link worked once
    assert TestClient(anonymous.app).get(link).status_code == 404


def test_expired_and_unknown_links(
    anonymous: TestClient, engine: Engine, settings: Settings
) -> None:
    old = invite(
        engine, Principal.system(), "late@example.com", "viewer", valid_for=timedelta(seconds=-1)
    )
    r = anonymous.get(old.path)
    assert r.status_code == 404 and "unknown, used or expired" in r.text
    token = csrf_of(anonymous, "/login")
    r = choose_password(anonymous, old.path, token, "a fine password", name="Late")
    assert r.status_code == 404
    with engine.connect() as conn:
        assert (
            conn.execute(select(users.c.id).where(users.c.email == "late@example.com")).first()
            is None
        )


def test_an_invitation_is_used_once_even_when_raced(engine: Engine, settings: Settings) -> None:
    invitation = invite(engine, Principal.system(), "once@example.com", "viewer")
    accept_invitation(engine, settings, invitation.token, "Once", "a fine password")
    try:
        accept_invitation(engine, settings, invitation.token, "Twice", "a fine password")
    except LookupError as exc:
        assert "used or expired" in str(exc)
    else:
        raise AssertionError("a used invitation was accepted again")


def test_invite_over_the_api(api: TestClient, seeded: dict[str, int]) -> None:
    r = api.post(
        "/api/v1/invitations", json={"email": "api@example.com", "role": "manager", "teams": ["pr"]}
    )
    assert r.status_code == 201 and r.json()["url"].startswith("http://testserver/invite/")
    dup = api.post("/api/v1/invitations", json={"email": "agent@example.com", "role": "viewer"})
    assert dup.status_code == 409
    bad = api.post("/api/v1/invitations", json={"email": "x@example.com", "role": "owner"})
    assert bad.status_code == 422
    no_team = api.post(
        "/api/v1/invitations", json={"email": "y@example.com", "role": "viewer", "teams": ["nope"]}
    )
    assert no_team.status_code == 404
