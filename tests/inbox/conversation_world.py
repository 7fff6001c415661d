"""A small company for the conversation tests: the default teams and routing
rules, a few people, a listening query, and realistic Bluesky posts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select

from hubbub.actions.people import create_user
from hubbub.actions.queries import create_query
from hubbub.actions.routing import ensure_default_routing
from hubbub.bus.inline import InlineBus
from hubbub.config import Settings
from hubbub.events import EVENTS_SUBJECT
from hubbub.people.principal import Principal
from hubbub.pipeline.runner import Pipeline
from hubbub.post import Post
from hubbub.store.tables import conversation_posts, conversations, teams

ADMIN = Principal.system("test admin")
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@dataclass
class World:
    engine: Engine
    pipeline: Pipeline
    events: list[dict[str, Any]]
    query_id: int
    team_ids: dict[str, int]
    ana: Principal  # agent, customer service
    bob: Principal  # agent, customer service
    viewer: Principal

    def ingest(self, *posts: Post) -> list[int]:
        return self.pipeline.ingest_posts(list(posts)).post_ids


def person(engine: Engine, email: str, role: str, teams_: tuple[str, ...] = ()) -> Principal:
    user_id = create_user(
        engine, ADMIN, email, email.split("@")[0].title(), role, team_slugs=teams_
    )
    return Principal(label=email, role=role, user_id=user_id)


def make_world(engine: Engine, settings: Settings) -> World:
    ensure_default_routing(engine)
    with engine.connect() as conn:
        team_ids = dict(conn.execute(select(teams.c.slug, teams.c.id)).all())
    bus = InlineBus()
    events: list[dict[str, Any]] = []
    bus.subscribe(EVENTS_SUBJECT, events.append)
    return World(
        engine=engine,
        pipeline=Pipeline(engine, settings, bus),
        events=events,
        query_id=create_query(engine, "Acme", "acme OR #acme OR @acme"),
        team_ids=team_ids,
        ana=person(engine, "ana@example.com", "agent", ("customer-service",)),
        bob=person(engine, "bob@example.com", "agent", ("customer-service",)),
        viewer=person(engine, "vic@example.com", "viewer"),
    )


def bsky(
    rkey: str,
    text: str,
    *,
    did: str = "did:plc:carol7x2",
    handle: str = "carol.bsky.social",
    minutes: int = 0,
    root: str | None = None,
    parent: str | None = None,
    followers: int | None = 120,
) -> Post:
    """A post as the Bluesky connector makes it: at-uri ids, the DID as author id."""
    return Post(
        platform="bluesky",
        external_id=uri(did, rkey),
        url=f"https://bsky.app/profile/{handle}/post/{rkey}",
        text=text,
        author_id=did,
        author_handle=handle,
        author_name=handle.split(".")[0].title(),
        author_followers=followers,
        created_at=T0 + timedelta(minutes=minutes),
        reply_to=parent,
        thread_root=root,
    )


def uri(did: str, rkey: str) -> str:
    return f"at://{did}/app.bsky.feed.post/{rkey}"


def conversation(engine: Engine, cid: int) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(select(conversations).where(conversations.c.id == cid)).mappings().one()
    return dict(row)


def only_conversation(engine: Engine) -> dict[str, Any]:
    with engine.connect() as conn:
        rows = conn.execute(select(conversations)).mappings().all()
    assert len(rows) == 1, rows
    return dict(rows[0])


def counts(engine: Engine) -> tuple[int, int, int]:
    """(conversations, posts in conversations, sum of post_count)"""
    with engine.connect() as conn:
        return (
            conn.execute(select(func.count()).select_from(conversations)).scalar_one(),
            conn.execute(select(func.count()).select_from(conversation_posts)).scalar_one(),
            conn.execute(
                select(func.coalesce(func.sum(conversations.c.post_count), 0))
            ).scalar_one(),
        )


def thread_post_ids(engine: Engine, cid: int) -> list[int]:
    with engine.connect() as conn:
        return list(
            conn.execute(
                select(conversation_posts.c.post_id)
                .where(conversation_posts.c.conversation_id == cid)
                .order_by(conversation_posts.c.post_id)
            ).scalars()
        )


# Three customers' complaints (the default rules send them to customer service).
COMPLAINT_TEXTS = (
    "@acme my order arrived broken and support is not answering. I want a refund.",
    "acme charged twice for one order, still waiting on a refund",
    "The acme app crashes every time I open settings. Help?",
)
