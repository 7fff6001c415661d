"""People through H1's actions, and conversation rows for the service-level
and notification tests. Conversations are written straight into the table:
these tests are about the clocks and the notices, and state each row's
opening time exactly (the product opens them through hubbub.actions.route)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, insert, select

from hubbub.actions import people
from hubbub.people.principal import Principal
from hubbub.store.tables import conversations, notifications

SYSTEM = Principal.system("test")


def make_team(engine: Engine, slug: str, hours: dict | None = None) -> int:
    return people.create_team(engine, SYSTEM, slug, slug.title(), business_hours=hours)


def make_user(engine: Engine, email: str, role: str = "agent", teams: tuple[str, ...] = ()) -> int:
    return people.create_user(engine, SYSTEM, email, email.split("@")[0], role, team_slugs=teams)


def principal(engine: Engine, user_id: int, role: str = "agent") -> Principal:
    from hubbub.store.tables import users

    with engine.connect() as conn:
        email = conn.execute(select(users.c.email).where(users.c.id == user_id)).scalar_one()
    return Principal(label=email, role=role, user_id=user_id)


def make_conversation(
    engine: Engine,
    opened_at: datetime,
    *,
    team_id: int | None = None,
    assignee_id: int | None = None,
    priority: str = "normal",
    status: str = "open",
    subject: str = "My order never arrived",
    key: str | None = None,
) -> int:
    opened_at = opened_at.astimezone(UTC)  # as the product stores times
    with engine.begin() as conn:
        return int(
            conn.execute(
                insert(conversations).values(
                    platform="mastodon",
                    thread_key=key or f"{subject}-{opened_at.isoformat()}-{team_id}-{priority}",
                    subject=subject,
                    status=status,
                    priority=priority,
                    team_id=team_id,
                    assignee_id=assignee_id,
                    tags=[],
                    spam=False,
                    post_count=1,
                    opened_at=opened_at,
                    last_activity_at=opened_at,
                    updated_at=opened_at,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        )


def conversation(engine: Engine, cid: int) -> dict:
    with engine.connect() as conn:
        return dict(
            conn.execute(select(conversations).where(conversations.c.id == cid)).mappings().one()
        )


def notices(engine: Engine) -> list[dict]:
    with engine.connect() as conn:
        return [
            dict(r)
            for r in conn.execute(select(notifications).order_by(notifications.c.id)).mappings()
        ]
