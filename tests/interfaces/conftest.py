"""Fixtures for the API and web tests: an app over a seeded workspace, signed
in as each role (web sessions and API tokens made the real way)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hubbub.actions.people import create_token
from hubbub.config import Settings
from hubbub.interfaces.app import create_app
from hubbub.people.directory import find_user_id
from hubbub.people.permissions import SCOPES
from hubbub.people.principal import Principal
from hubbub.people.sessions import COOKIE, SessionPolicy, create_session
from hubbub.post import utcnow
from hubbub.workspace import api_token

from .seed import ROLE_EMAILS, seed, seed_people


def session_for(engine: Engine, settings: Settings, role: str) -> str:
    """A real session for the seeded user of ``role`` (what a login creates,
    without spending an argon2 check per test); returns the cookie value."""
    with engine.begin() as conn:
        user_id = find_user_id(conn, ROLE_EMAILS[role])
        assert user_id is not None, f"no seeded {role}"
        return create_session(conn, user_id, utcnow(), SessionPolicy.from_settings(settings))


def sign_in(
    client: TestClient, engine: Engine, settings: Settings, role: str = "admin"
) -> TestClient:
    """Sign ``client`` in as the seeded user of ``role`` (seeding the people
    first if the workspace has none): for tests that build their own app."""
    seed_people(engine)
    client.cookies.set(COOKIE, session_for(engine, settings, role))
    return client


def token_for(engine: Engine, role: str, scopes: list[str] | None = None, name: str = "") -> str:
    """A real ``hbt_`` token of the seeded user of ``role`` (every scope by default)."""
    with engine.connect() as conn:
        user_id = find_user_id(conn, ROLE_EMAILS[role])
    assert user_id is not None, f"no seeded {role}"
    return create_token(
        engine,
        Principal.system("test fixture"),
        user_id,
        name or f"{role}-token",
        list(scopes if scopes is not None else SCOPES),
    )


@pytest.fixture
def seeded(engine: Engine, settings: Settings) -> dict[str, int]:
    return seed(engine, settings)


@pytest.fixture
def app_client(settings: Settings, engine: Engine, seeded: dict[str, int]) -> Iterator[TestClient]:
    """A browser signed in as the admin (web) over the seeded workspace."""
    with TestClient(create_app(settings)) as client:
        client.cookies.set(COOKIE, session_for(engine, settings, "admin"))
        yield client


@pytest.fixture
def anonymous(app_client: TestClient) -> TestClient:
    """A second browser on the same app, signed in as nobody."""
    return TestClient(app_client.app)


@pytest.fixture
def login_as(
    app_client: TestClient, engine: Engine, settings: Settings
) -> Callable[[str], TestClient]:
    """``login_as("agent")``: a new browser on the same app, signed in as that role."""

    def make(role: str) -> TestClient:
        client = TestClient(app_client.app)
        client.cookies.set(COOKIE, session_for(engine, settings, role))
        return client

    return make


@pytest.fixture
def api(app_client: TestClient, settings: Settings) -> TestClient:
    """The API with the workspace token (an admin with every scope)."""
    app_client.headers["Authorization"] = f"Bearer {api_token(settings)}"
    return app_client


@pytest.fixture
def api_as(app_client: TestClient, engine: Engine) -> Callable[..., TestClient]:
    """``api_as("viewer")`` or ``api_as("agent", scopes=["posts:read"])``: an API
    client with a fresh personal token of that role's seeded user."""

    def make(role: str, scopes: list[str] | None = None) -> TestClient:
        client = TestClient(app_client.app)
        client.headers["Authorization"] = f"Bearer {token_for(engine, role, scopes)}"
        return client

    return make
