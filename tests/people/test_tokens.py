"""Personal API tokens: scopes limit the role, never widen it; revoked,
expired, unknown and deactivated-owner tokens get 401; the workspace token
stays an admin."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from hubbub.actions.people import deactivate, revoke_token
from hubbub.people.principal import Principal
from hubbub.people.tokens import PREFIX, issue_token, load_token, token_id_for
from hubbub.post import utcnow
from hubbub.store.tables import api_tokens, listening_queries
from interfaces.conftest import token_for

NEW_QUERY = {"name": "Anvils", "query": "anvil"}


def _bearer(app_client: TestClient, secret: str) -> TestClient:
    client = TestClient(app_client.app)
    client.headers["Authorization"] = f"Bearer {secret}"
    return client


def test_a_token_needs_the_scope_for_the_request(
    api_as: Callable[..., TestClient], engine: Engine
) -> None:
    reader = api_as("manager", scopes=["queries:read"])
    assert reader.get("/api/v1/queries").status_code == 200
    denied = reader.post("/api/v1/queries", json=NEW_QUERY)
    assert denied.status_code == 403
    assert "queries:write" in denied.json()["detail"]
    with engine.connect() as conn:
        assert (
            conn.execute(
                select(listening_queries.c.id).where(listening_queries.c.name == "Anvils")
            ).first()
            is None
        )

    writer = api_as("manager", scopes=["queries:read", "queries:write"])
    assert writer.post("/api/v1/queries", json=NEW_QUERY).status_code == 201
    # a scope is not a permission: other areas stay closed to this token
    assert writer.get("/api/v1/posts").status_code == 403


def test_a_scope_never_widens_the_role(api_as: Callable[..., TestClient]) -> None:
    viewer = api_as("viewer", scopes=["queries:read", "queries:write"])
    denied = viewer.post("/api/v1/queries", json=NEW_QUERY)
    assert denied.status_code == 403 and "role 'viewer'" in denied.json()["detail"]


def test_me_names_the_token_and_its_permissions(api_as: Callable[..., TestClient]) -> None:
    me = api_as("agent", scopes=["posts:read", "posts:write"]).get("/api/v1/me").json()
    assert me["label"].startswith("token agent-token (agent@example.com")
    assert me["role"] == "agent" and me["scopes"] == ["posts:read", "posts:write"]
    assert me["permissions"] == ["post.view", "post.correct"]


def test_revoked_expired_unknown_and_deactivated_get_401(
    app_client: TestClient, engine: Engine, seeded: dict[str, int]
) -> None:
    def status(secret: str) -> int:
        return _bearer(app_client, secret).get("/api/v1/posts").status_code

    good = token_for(engine, "agent")
    assert status(good) == 200

    revoked = token_for(engine, "agent", name="to revoke")
    with engine.connect() as conn:
        revoked_id = token_id_for(conn, revoked)
    assert revoked_id is not None
    revoke_token(engine, Principal.system(), revoked_id)
    assert status(revoked) == 401

    with engine.begin() as conn:
        # issued two days ago, valid for one
        _, expired = issue_token(
            conn,
            seeded["user.agent"],
            "short-lived",
            ["posts:read"],
            utcnow() - timedelta(days=2),
            expires_at=utcnow() - timedelta(days=1),
        )
    assert status(expired) == 401
    assert status(PREFIX + "not-a-real-token") == 401
    assert status("") == 401
    unauthenticated = TestClient(app_client.app).get("/api/v1/posts")
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["www-authenticate"] == "Bearer"

    deactivate(engine, Principal.system(), seeded["user.agent"])
    assert status(good) == 401


def test_expiry_is_checked_against_now(engine: Engine, seeded: dict[str, int]) -> None:
    t0 = utcnow()
    with engine.begin() as conn:
        _, secret = issue_token(
            conn, seeded["user.viewer"], "week", ["posts:read"], t0, t0 + timedelta(days=7)
        )
    assert load_token(engine, secret, t0 + timedelta(days=6, hours=23)) is not None
    assert load_token(engine, secret, t0 + timedelta(days=7)) is None


def test_last_used_is_recorded(api_as: Callable[..., TestClient], engine: Engine) -> None:
    api_as("viewer", scopes=["posts:read"]).get("/api/v1/posts")
    with engine.connect() as conn:
        used = conn.execute(select(api_tokens.c.last_used_at)).scalars().all()
    assert len(used) == 1 and used[0] is not None


def test_the_workspace_token_is_an_admin(api: TestClient) -> None:
    me = api.get("/api/v1/me").json()
    assert me["label"] == "workspace token" and me["role"] == "admin" and me["scopes"] is None
    assert api.post("/api/v1/queries", json=NEW_QUERY).status_code == 201


def test_own_tokens_over_the_api(api_as: Callable[..., TestClient]) -> None:
    agent = api_as("agent", scopes=["tokens:write", "posts:read"])
    created = agent.post(
        "/api/v1/tokens", json={"name": "script", "scopes": ["posts:read"], "expires_days": 30}
    )
    assert created.status_code == 201
    body = created.json()
    assert body["token"].startswith(PREFIX) and body["expires_at"]
    listed = agent.get("/api/v1/tokens").json()
    assert {t["name"] for t in listed} == {"agent-token", "script"}
    assert all("token" not in t and t["prefix"].startswith(PREFIX) for t in listed)
    # the new token works, limited to its scope
    script = TestClient(agent.app)
    script.headers["Authorization"] = f"Bearer {body['token']}"
    assert script.get("/api/v1/posts").status_code == 200
    assert script.get("/api/v1/queries").status_code == 403
    # an agent cannot make tokens for someone else, nor revoke theirs
    other = agent.post("/api/v1/tokens", json={"name": "x", "scopes": ["posts:read"], "user_id": 1})
    assert other.status_code == 403
    assert (
        agent.post("/api/v1/tokens", json={"name": "x", "scopes": ["no:such"]}).status_code == 422
    )
    assert agent.delete(f"/api/v1/tokens/{body['id']}").status_code == 204
    assert script.get("/api/v1/posts").status_code == 401
