"""Source credentials encrypted at rest: the stored row, the connector that
still authenticates, key rotation, a wrong key, and errors and logs that never
carry a credential. Real SQLite and PostgreSQL, a real HTTP server."""

from __future__ import annotations

import json
import logging
import stat
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import Engine, func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent / "hackernews"))
sys.path.insert(0, str(Path(__file__).resolve().parent / "mastodon"))

from api_testkit import ApiServer, Reply, Request, json_reply
from mastodon_statuses import status

from hubbub.actions.sources import add_source, rekey_sources, update_settings
from hubbub.analytics.sources import get_source
from hubbub.config import Settings
from hubbub.interfaces.app import create_app
from hubbub.pipeline.runner import Pipeline, SourceRunner
from hubbub.post import utcnow
from hubbub.sources.base import ConfigError, SourceBatch, SourceError
from hubbub.sources.webhook.verify import sign
from hubbub.store.credentials import (
    MASK,
    PREFIX,
    CredentialCipher,
    CredentialError,
    new_key,
)
from hubbub.store.tables import posts, sources
from hubbub.testing import registered_source_kinds

TOKEN = "mastodon-token-7f3a9c51e2"
TIMELINE = "/api/v1/timelines/public"


@pytest.fixture
def server() -> Iterator[ApiServer]:
    api = ApiServer()
    api.start()
    yield api
    api.stop()


def authenticated_timeline(statuses: list[dict[str, Any]]) -> Any:
    """Mastodon's public timeline that answers only the right bearer token."""

    def route(request: Request) -> Reply:
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return json_reply({"error": "The access token is invalid"}, status=401)
        return json_reply([] if "min_id" in request.query else statuses)

    return route


def raw_settings(engine: Engine, source_id: int) -> str:
    """The settings column exactly as the database holds it."""
    with engine.connect() as conn:
        value = conn.execute(
            text("SELECT CAST(settings AS TEXT) FROM sources WHERE id = :id"), {"id": source_id}
        ).scalar_one()
    return str(value)


def with_key(settings: Settings, key: str) -> Settings:
    return settings.model_copy(update={"secret_key": SecretStr(key)})


def run(engine: Engine, settings: Settings) -> int:
    """Run every enabled source once, whenever it is next due (backoff included)."""
    runner = SourceRunner(engine, Pipeline(engine, settings))
    try:
        return sum(runner.run_source(r) for r in runner.due_sources(utcnow() + timedelta(days=1)))
    finally:
        runner.close()


def health(engine: Engine, source_id: int) -> dict[str, Any]:
    with engine.connect() as conn:
        found = get_source(conn, source_id)
    assert found is not None
    return found["health"]


def add_mastodon(engine: Engine, settings: Settings, server: ApiServer, name: str) -> int:
    return add_source(
        engine,
        "mastodon",
        {"url": server.base, "token": TOKEN},
        name=name,
        cipher=CredentialCipher(settings),
    )


def test_the_stored_row_holds_no_credential_and_the_connector_still_authenticates(
    engine: Engine, settings: Settings, server: ApiServer
) -> None:
    server.serve(TIMELINE, authenticated_timeline([status(1), status(2)]))
    source_id = add_mastodon(engine, settings, server, "social")

    stored = raw_settings(engine, source_id)
    assert TOKEN not in stored and PREFIX in stored
    assert server.base in stored  # only credentials are encrypted
    key_file = settings.home / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    assert run(engine, settings) == 2
    assert health(engine, source_id)["state"] == "ok"
    assert {r.headers["authorization"] for r in server.requests_to(TIMELINE)} == {f"Bearer {TOKEN}"}


def test_a_wrong_key_fails_that_source_only_with_an_error_naming_the_setting(
    engine: Engine, settings: Settings, server: ApiServer, tmp_path: Path
) -> None:
    server.serve(TIMELINE, authenticated_timeline([status(1)]))
    secret_id = add_mastodon(engine, with_key(settings, new_key()), server, "social")
    feed = tmp_path / "posts.jsonl"
    feed.write_text('{"platform": "forum", "id": "f1", "text": "still ingested"}\n')
    file_id = add_source(engine, "file", {"path": str(feed)}, name="forum")

    run(engine, with_key(settings, new_key()))  # a different key: the old one was lost

    failed = health(engine, secret_id)
    assert failed["state"] == "backing off" and failed["consecutive_failures"] == 1
    assert "setting 'token' of source 'social'" in failed["last_error"]
    assert "HUBBUB_SECRET_KEY" in failed["last_error"] and TOKEN not in failed["last_error"]
    assert server.requests_to(TIMELINE) == []  # nothing was sent without the credential
    assert health(engine, file_id)["state"] == "ok"
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(posts)).scalar_one() == 1


def test_key_rotation_and_plaintext_rows_from_before(
    engine: Engine, settings: Settings, server: ApiServer
) -> None:
    server.serve(TIMELINE, authenticated_timeline([status(1)]))
    old, new = new_key(), new_key()
    rotated_id = add_mastodon(engine, with_key(settings, old), server, "rotated")
    with engine.begin() as conn:  # a row written before encryption existed
        legacy_id = conn.execute(
            insert(sources).values(
                kind="mastodon",
                name="legacy",
                settings={"url": server.base, "token": TOKEN},
                enabled=True,
                created_at=utcnow(),
                consecutive_failures=0,
                items_ingested=0,
                items_rejected=0,
            )
        ).inserted_primary_key[0]  # type: ignore[index]

    both = with_key(settings, f"{new},{old}")  # the new key first: it encrypts
    run(engine, both)
    for source_id in (rotated_id, legacy_id):  # plain rows from before keep working
        assert health(engine, source_id)["last_success_at"] is not None
        assert health(engine, source_id)["last_error"] is None

    before = raw_settings(engine, rotated_id)
    report = rekey_sources(engine, CredentialCipher(both))
    assert report.resealed == 2 and report.failed == []
    assert raw_settings(engine, rotated_id) != before
    assert TOKEN not in raw_settings(engine, legacy_id)

    only_new = with_key(settings, new)  # the old key can go now
    assert run(engine, only_new) == 0  # nothing new upstream, but no error either
    for source_id in (rotated_id, legacy_id):
        assert health(engine, source_id)["consecutive_failures"] == 0

    with pytest.raises(CredentialError, match="setting 'token' of source 'rotated'"):
        update_settings(
            engine, rotated_id, {"interval": 30}, CredentialCipher(with_key(settings, old))
        )
    report = rekey_sources(engine, CredentialCipher(with_key(settings, old)))
    assert report.resealed == 0 and len(report.failed) == 2
    assert all(TOKEN not in problem for problem in report.failed)


def test_update_re_encrypts_and_keeps_the_credential(
    engine: Engine, settings: Settings, server: ApiServer
) -> None:
    server.serve(TIMELINE, authenticated_timeline([status(1)]))
    source_id = add_source(
        engine,
        "mastodon",
        {"url": server.base, "token": "a-wrong-token"},
        name="social",
        cipher=CredentialCipher(settings),
    )
    run(engine, settings)
    assert health(engine, source_id)["state"] == "backing off"
    update_settings(engine, source_id, {"token": TOKEN}, CredentialCipher(settings))
    assert TOKEN not in raw_settings(engine, source_id)
    update_settings(engine, source_id, {"interval": 30}, CredentialCipher(settings))
    run(engine, settings)
    assert health(engine, source_id)["state"] == "ok"


def test_credentials_are_never_stored_in_the_clear_or_shown(
    engine: Engine, settings: Settings
) -> None:
    with pytest.raises(ConfigError, match="workspace key"):
        add_source(engine, "webhook", {"secret": "0123456789abcdef0123"})
    bad_key = with_key(settings, "not-a-key")
    with pytest.raises(ConfigError, match="HUBBUB_SECRET_KEY does not hold valid keys"):
        add_source(
            engine, "webhook", {"secret": "0123456789abcdef0123"}, cipher=CredentialCipher(bad_key)
        )
    source_id = add_source(
        engine, "webhook", {"secret": "0123456789abcdef0123"}, cipher=CredentialCipher(settings)
    )
    with engine.connect() as conn:
        shown = get_source(conn, source_id)
    assert shown is not None and shown["settings"]["secret"] == MASK


# -- credentials in errors and logs --------------------------------------------------


class EchoingSource:
    """A connector whose errors quote its credential, as careless ones do."""

    kind: ClassVar[str] = "test-echo"
    description: ClassVar[str] = "fails, quoting its api_key"

    def __init__(self, settings: dict[str, Any], cursor: dict[str, Any] | None = None) -> None:
        self.key = settings["api_key"]
        self.mode = settings.get("mode", "source-error")

    def next_batch(self) -> SourceBatch:
        if self.mode == "bug":
            raise RuntimeError(f"crashed holding {self.key}")
        raise SourceError(f"401 from upstream for key {self.key}")

    def next_awake(self) -> None:
        return None

    def snapshot(self) -> dict[str, Any]:
        return {}

    def close(self) -> None:
        pass


@pytest.fixture
def echo_kind() -> Iterator[None]:
    with registered_source_kinds(EchoingSource):
        yield


@pytest.mark.parametrize("mode", ["source-error", "bug"])
def test_errors_and_logs_never_carry_the_credential(
    engine: Engine,
    settings: Settings,
    echo_kind: None,
    mode: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    key = "echoed-api-key-5521"
    source_id = add_source(
        engine, "test-echo", {"api_key": key, "mode": mode}, cipher=CredentialCipher(settings)
    )
    with caplog.at_level(logging.DEBUG):
        run(engine, settings)
    error = health(engine, source_id)["last_error"]
    assert key not in error and MASK in error
    assert key not in caplog.text
    if mode == "bug":
        assert "RuntimeError" in caplog.text


def test_a_webhook_whose_secret_cannot_be_read_answers_503_and_shows_why(
    engine: Engine, settings: Settings
) -> None:
    secret = "webhook-shared-secret-30c7"
    source_id = add_source(
        engine, "webhook", {"secret": secret}, name="reviews",
        cipher=CredentialCipher(with_key(settings, new_key())),
    )  # fmt: skip
    body = json.dumps({"id": "r1", "text": "Great service"}).encode()
    headers = {"X-Hubbub-Signature": sign(secret, body), "Content-Type": "application/json"}
    with TestClient(create_app(with_key(settings, new_key()))) as client:
        response = client.post(f"/hooks/{source_id}", content=body, headers=headers)
    assert response.status_code == 503 and secret not in response.text
    failed = health(engine, source_id)
    assert "setting 'secret' of source 'reviews' cannot be decrypted" in failed["last_error"]
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(posts)).scalar_one() == 0
