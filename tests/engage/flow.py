"""The real way to a conversation worth answering: a mastodon source with
credentials, a listening query, the default teams and rules, a status on the
local Mastodon server ingested through the pipeline, and a signed-up agent."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, insert, select

from hubbub.actions.people import create_user
from hubbub.actions.queries import create_query
from hubbub.actions.routing import ensure_default_routing
from hubbub.actions.sources import add_source
from hubbub.config import Settings
from hubbub.people.directory import principal_for
from hubbub.people.principal import Principal
from hubbub.pipeline.runner import Pipeline, SourceRunner
from hubbub.post import utcnow
from hubbub.store.credentials import CredentialCipher, seal_settings
from hubbub.store.tables import conversation_posts, posts, sources
from servers.mastodon import MastodonServer

COMPLAINT = "My Acme anvil broke after one day, terrible quality. I want a refund!"
SYSTEM = Principal.system("test set-up")


def setup_workspace(engine: Engine) -> None:
    ensure_default_routing(engine)
    create_query(engine, "Acme", "acme")


def mastodon_source(engine: Engine, settings: Settings, server: MastodonServer, token: str) -> int:
    return add_source(
        engine,
        "mastodon",
        {"url": server.url, "token": token},
        name="social.example",
        cipher=CredentialCipher(settings),
    )


def bluesky_source(engine: Engine, settings: Settings, account: dict[str, Any]) -> int:
    """A bluesky source holding posting credentials. Written to the table: the
    bluesky connector does not take 'identifier'/'app_password' yet (asked of
    the lead); credentials sealed exactly as add_source seals them."""
    values = {"url": "ws://127.0.0.1:9", **account}
    with engine.begin() as conn:
        return int(
            conn.execute(
                insert(sources).values(
                    kind="bluesky",
                    name="bluesky",
                    settings=seal_settings("bluesky", values, CredentialCipher(settings)),
                    enabled=False,  # never polled in tests; enabled where a test needs it
                    created_at=utcnow(),
                    consecutive_failures=0,
                    items_ingested=0,
                    items_rejected=0,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        )


def ingest(engine: Engine, settings: Settings, source_id: int) -> None:
    """One poll of the source now, whenever it is next due."""
    runner = SourceRunner(engine, Pipeline(engine, settings))
    try:
        with engine.connect() as conn:
            row = conn.execute(sources.select().where(sources.c.id == source_id)).one()
        runner.run_source(row)
    finally:
        runner.close()


def ingest_status(
    engine: Engine,
    settings: Settings,
    server: MastodonServer,
    source_id: int,
    username: str,
    text: str,
) -> tuple[dict[str, Any], int]:
    """``username`` posts ``text`` on the server and one poll brings it in:
    the status as the server holds it, and the conversation it opened."""
    status = server.add_status(username, text)
    ingest(engine, settings, source_id)
    return status, conversation_of(engine, status["uri"])


def conversation_of(engine: Engine, external_id: str) -> int:
    with engine.connect() as conn:
        cid = conn.execute(
            select(conversation_posts.c.conversation_id)
            .join(posts, posts.c.id == conversation_posts.c.post_id)
            .where(posts.c.external_id == external_id)
        ).scalar()
    assert cid is not None, f"{external_id} opened no conversation"
    return int(cid)


def person(
    engine: Engine,
    email: str = "ana@example.com",
    name: str = "Ana Lopez",
    role: str = "agent",
    teams_: tuple[str, ...] = ("customer-service",),
) -> Principal:
    user_id = create_user(engine, SYSTEM, email, name, role, team_slugs=teams_)
    with engine.connect() as conn:
        return principal_for(conn, user_id=user_id, email=email, role=role)
