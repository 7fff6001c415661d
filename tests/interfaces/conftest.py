"""Fixtures for the API and web tests: an app over a seeded workspace."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hubbub.config import Settings
from hubbub.interfaces.app import create_app
from hubbub.workspace import api_token

from .seed import seed


@pytest.fixture
def seeded(engine: Engine, settings: Settings) -> dict[str, int]:
    return seed(engine, settings)


@pytest.fixture
def app_client(settings: Settings, seeded: dict[str, int]) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def api(app_client: TestClient, settings: Settings) -> TestClient:
    app_client.headers["Authorization"] = f"Bearer {api_token(settings)}"
    return app_client
