"""Inbox test data written straight into the tables.

The queue is a read over conversation rows, so its tests state each row's
fields exactly, and the performance bound needs 10,000 open conversations in
seconds: routing that many posts through the pipeline would take minutes. This
is test setup only: the product writes conversations through hubbub.actions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, insert, select

from hubbub.post import utcnow
from hubbub.store.tables import (
    contacts,
    conversations,
    enrichments,
    posts,
    team_members,
    teams,
    users,
)

TEAMS = (("customer-service", "Customer service"), ("sales", "Sales"), ("product", "Product"))


@dataclass
class Spec:
    """One conversation; fields left None get defaults from its position."""

    subject: str = ""
    status: str = "open"
    priority: str = "normal"
    platform: str = "mastodon"
    team: str | None = None  # slug
    assignee: str | None = None  # e-mail
    tags: list[str] = field(default_factory=list)
    sentiment: str | None = None
    intents: list[str] = field(default_factory=list)
    last_activity_at: datetime | None = None
    last_inbound_at: datetime | None = None
    first_response_due_at: datetime | None = None
    resolution_due_at: datetime | None = None
    first_response_at: datetime | None = None
    breached: bool = False
    spam: bool = False
    author_name: str | None = None
    author_handle: str | None = None
    text: str | None = None


@dataclass
class Seeded:
    user_ids: dict[str, int]  # by e-mail
    team_ids: dict[str, int]  # by slug
    conversation_ids: list[int]


def ensure_people(
    conn: Connection, emails: Sequence[str] = ("ana@example.com", "ben@example.com")
) -> tuple[dict[str, int], dict[str, int]]:
    """Users (agents, each in every team) and the teams, created when absent."""
    now = utcnow()
    team_ids = {r.slug: r.id for r in conn.execute(select(teams.c.slug, teams.c.id))}
    for slug, name in TEAMS:
        if slug not in team_ids:
            team_ids[slug] = conn.execute(
                insert(teams).values(slug=slug, name=name, created_at=now).returning(teams.c.id)
            ).scalar_one()
    user_ids = {r.email: r.id for r in conn.execute(select(users.c.email, users.c.id))}
    for email in emails:
        if email not in user_ids:
            user_ids[email] = conn.execute(
                insert(users)
                .values(
                    email=email,
                    name=email.split("@")[0].title(),
                    role="agent",
                    active=True,
                    available=True,
                    notify_email=True,
                    created_at=now,
                )
                .returning(users.c.id)
            ).scalar_one()
            conn.execute(
                insert(team_members),
                [{"team_id": t, "user_id": user_ids[email]} for t in team_ids.values()],
            )
    return user_ids, team_ids


def insert_conversations(
    engine: Engine, specs: Sequence[Spec], *, now: datetime | None = None
) -> Seeded:
    """Each spec as a root post (with its sentiment and intents), a contact and a
    conversation, in one transaction of a few multi-row inserts."""
    now = now or utcnow()
    with engine.begin() as conn:
        user_ids, team_ids = ensure_people(conn)
        start = conn.execute(select(posts.c.id).order_by(posts.c.id.desc()).limit(1)).scalar() or 0
        tag = f"s{start}"
        post_rows: list[dict[str, Any]] = []
        contact_rows: list[dict[str, Any]] = []
        for i, s in enumerate(specs):
            created = s.last_inbound_at or s.last_activity_at or now - timedelta(minutes=i)
            handle = s.author_handle or f"author{i}_{tag}"
            post_rows.append(
                {
                    "platform": s.platform,
                    "external_id": f"bulk-{tag}-{i}",
                    "url": f"https://social.example/@{handle}/{i}",
                    "author_handle": handle,
                    "author_name": s.author_name or f"Author {i}",
                    "author_followers": 10 * i,
                    "text": s.text or s.subject or f"post {i}",
                    "search_text": "",
                    "created_at": created,
                    "ingested_at": created,
                    "sentiment_label": s.sentiment,
                    "links": [],
                }
            )
            contact_rows.append(
                {
                    "platform": s.platform,
                    "author_key": f"{handle}",
                    "handle": handle,
                    "name": s.author_name or f"Author {i}",
                    "followers": 10 * i,
                    "first_seen_at": created,
                    "last_seen_at": created,
                }
            )
        post_ids = list(
            conn.execute(
                insert(posts).returning(posts.c.id, sort_by_parameter_order=True), post_rows
            ).scalars()
        )
        contact_ids = list(
            conn.execute(
                insert(contacts).returning(contacts.c.id, sort_by_parameter_order=True),
                contact_rows,
            ).scalars()
        )
        intent_rows = [
            {
                "post_id": post_ids[i],
                "enricher": "intents",
                "version": "test",
                "data": {"labels": s.intents, "scores": {}, "model": "test"},
            }
            for i, s in enumerate(specs)
            if s.intents
        ]
        if intent_rows:
            conn.execute(insert(enrichments), intent_rows)
        conv_rows = []
        for i, s in enumerate(specs):
            activity = s.last_activity_at or now - timedelta(minutes=i)
            conv_rows.append(
                {
                    "platform": s.platform,
                    "thread_key": f"bulk-{tag}-{i}",
                    "root_post_id": post_ids[i],
                    "contact_id": contact_ids[i],
                    "subject": s.subject or f"Conversation {i}",
                    "status": s.status,
                    "priority": s.priority,
                    "team_id": team_ids[s.team] if s.team else None,
                    "assignee_id": user_ids[s.assignee] if s.assignee else None,
                    "tags": s.tags,
                    "spam": s.spam,
                    "post_count": 1,
                    "snoozed_until": now + timedelta(hours=1) if s.status == "snoozed" else None,
                    "opened_at": activity,
                    "last_activity_at": activity,
                    "last_inbound_at": s.last_inbound_at or activity,
                    "updated_at": activity,
                    "resolved_at": activity if s.status == "resolved" else None,
                    "first_response_due_at": s.first_response_due_at,
                    "resolution_due_at": s.resolution_due_at,
                    "first_response_at": s.first_response_at,
                    "first_response_breached": s.breached,
                    "resolution_breached": False,
                }
            )
        conversation_ids = list(
            conn.execute(
                insert(conversations).returning(conversations.c.id, sort_by_parameter_order=True),
                conv_rows,
            ).scalars()
        )
    return Seeded(user_ids, team_ids, conversation_ids)


def many_open(n: int, *, now: datetime | None = None) -> list[Spec]:
    """``n`` open conversations spread over teams, people, priorities and tags."""
    now = now or utcnow()
    slugs = [slug for slug, _ in TEAMS]
    people = ["ana@example.com", "ben@example.com", None]
    priorities = ["low", "normal", "normal", "high", "urgent"]
    return [
        Spec(
            subject=f"Order {i} has not arrived <b>yet</b>",
            priority=priorities[i % len(priorities)],
            team=slugs[i % len(slugs)],
            assignee=people[i % len(people)],
            tags=["shipping"] if i % 4 == 0 else [],
            sentiment=("negative", "neutral", "positive")[i % 3],
            intents=["complaint"] if i % 3 == 0 else ["question"],
            last_activity_at=now - timedelta(seconds=37 * i),
            last_inbound_at=now - timedelta(seconds=(53 * i) % 86_400),
            first_response_due_at=now + timedelta(minutes=(i * 7) % 600 - 60),
            resolution_due_at=now + timedelta(hours=24),
            breached=i % 11 == 0,
        )
        for i in range(n)
    ]
