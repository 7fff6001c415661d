"""Shared fixtures. Every test that takes ``settings`` or ``engine`` runs twice:
on SQLite in a temporary workspace and on PostgreSQL in a schema of its own."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from hubbub.config import Settings, load_settings
from hubbub.store.db import open_engine

PG_URL = os.environ.get("HUBBUB_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"


def _pg_available() -> bool:
    try:
        with create_engine(PG_URL).connect() as conn:
            conn.execute(text("select 1"))
        return True
    except Exception:
        return False


PG_AVAILABLE = _pg_available()


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    # A developer's own HUBBUB_* settings must not leak into tests.
    for name in list(os.environ):
        if name.startswith("HUBBUB_") and name != "HUBBUB_TEST_PG_URL":
            monkeypatch.delenv(name)
    # The intents enricher embeds every post with MiniLM (~100 posts/s a core and
    # seconds to load in every CLI subprocess). Tests marked ``intents`` run it
    # through the real pipeline; the rest of the suite runs without it.
    if request.node.get_closest_marker("intents") is None:
        monkeypatch.setenv("HUBBUB_INTENT_ENABLED", "false")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_kind(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql" and not PG_AVAILABLE:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {PG_URL}")
        pytest.skip(f"PostgreSQL is not reachable at {PG_URL}")
    return str(request.param)


def pg_schema_url(schema: str) -> str:
    return f"{PG_URL}?options=-csearch_path%3D{schema}"


@pytest.fixture
def settings(db_kind: str, tmp_path: Path) -> Iterator[Settings]:
    home = tmp_path / "home"
    if db_kind == "sqlite":
        yield load_settings(home)
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield load_settings(home, database_url=pg_schema_url(schema))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = open_engine(settings)
    yield engine
    engine.dispose()


@pytest.fixture
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(
            f"../shared is absent ({SHARED}); real recorded fixtures are not available here"
        )
    return SHARED
