"""`hubbub user|team|token` through the real command in a subprocess."""

from __future__ import annotations

import json

from sqlalchemy import Engine, select

from flows.cli import hubbub
from hubbub.config import Settings
from hubbub.people.passwords import verify_password
from hubbub.people.tokens import load_token
from hubbub.post import utcnow
from hubbub.store.tables import audit_log, users


def test_users_teams_and_tokens(engine: Engine, settings: Settings) -> None:
    hubbub(settings, "team", "add", "support", "--name", "Customer support")
    added = hubbub(
        settings,
        "user",
        "add",
        "Ana@Example.com",
        "--name",
        "Ana",
        "--role",
        "manager",
        "--team",
        "support",
        "--password-stdin",
        input="a long cli password\n",
    )
    assert "a long cli password" not in added.stdout + added.stderr
    with engine.connect() as conn:
        ana = conn.execute(select(users).where(users.c.email == "ana@example.com")).one()
    assert ana.role == "manager" and verify_password(ana.password_hash, "a long cli password")

    weak = hubbub(
        settings, "user", "add", "bo@example.com", "--password-stdin", input="short\n", check=False
    )
    assert weak.returncode == 1 and "at least" in weak.stderr
    hubbub(settings, "user", "add", "bo@example.com", "--name", "Bo", "--role", "agent", input="")
    hubbub(settings, "team", "add-member", "support", "bo@example.com")
    hubbub(settings, "user", "set-role", "bo@example.com", "viewer")
    listed = json.loads(hubbub(settings, "user", "list", "--json").stdout)
    assert [(u["email"], u["role"], u["teams"]) for u in listed] == [
        ("ana@example.com", "manager", ["support"]),
        ("bo@example.com", "viewer", ["support"]),
    ]
    teams = json.loads(hubbub(settings, "team", "list", "--json").stdout)
    assert [m["email"] for m in teams[0]["members"]] == ["ana@example.com", "bo@example.com"]
    bad = hubbub(settings, "user", "set-role", "bo@example.com", "owner", check=False)
    assert bad.returncode == 1 and "unknown role" in bad.stderr

    created = hubbub(
        settings,
        "token",
        "create",
        "--user",
        "ana@example.com",
        "--name",
        "ci",
        "--scope",
        "posts:read",
        "--scope",
        "queries:read",
        "--expires-days",
        "30",
    )
    secret = created.stdout.strip()
    holder = load_token(engine, secret, utcnow())
    assert holder is not None and holder.scopes == {"posts:read", "queries:read"}
    tokens = json.loads(hubbub(settings, "token", "list", "--json").stdout)
    assert [(t["name"], t["email"]) for t in tokens] == [("ci", "ana@example.com")]
    assert secret not in json.dumps(tokens)
    hubbub(settings, "token", "revoke", str(tokens[0]["id"]))
    assert load_token(engine, secret, utcnow()) is None

    hubbub(settings, "user", "deactivate", "bo@example.com")
    with engine.connect() as conn:
        assert (
            conn.execute(select(users.c.active).where(users.c.email == "bo@example.com")).scalar()
            is False
        )
        actors = {r.actor for r in conn.execute(select(audit_log.c.actor))}
    assert len(actors) == 1 and next(iter(actors)).startswith("cli:")


def test_invite_prints_the_link(engine: Engine, settings: Settings) -> None:
    out = hubbub(settings, "user", "invite", "new@example.com", "--role", "viewer").stdout
    assert out.startswith(f"http://{settings.host}:{settings.port}/invite/")
    out = hubbub(
        settings, "user", "invite", "other@example.com", "--base-url", "https://hubbub.example/"
    ).stdout
    assert out.startswith("https://hubbub.example/invite/")
