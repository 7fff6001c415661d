"""A small workspace built the real way: posts through the pipeline, queries,
sources, people and teams through actions."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from hubbub.actions.people import create_team, create_user
from hubbub.actions.queries import create_query
from hubbub.actions.sources import add_source
from hubbub.config import Settings
from hubbub.people.directory import find_team_id, find_user_id
from hubbub.people.passwords import hash_password
from hubbub.people.principal import Principal
from hubbub.pipeline.runner import Pipeline, SourceRunner
from hubbub.post import Post, utcnow
from hubbub.store.tables import sources as sources_table

XSS_TEXT = '<script>alert(1)</script> "><img src=x onerror=alert(2)> acme'
XSS_AUTHOR = '"><img src=x onerror=alert(3)>'
XSS_URL = "javascript:alert(4)"

DUP_TEXT = (
    "Acme Rocket Skates flash sale today only: forty percent off every pair, "
    "free shipping to every desert in the country, order now before they run out"
)


def _post(n: int, text: str, hours_ago: float, **kw: Any) -> Post:
    fields: dict[str, Any] = {
        "platform": "mastodon",
        "url": f"https://social.example/@fan{n}/{n}",
        "author_handle": f"fan{n}",
        "author_name": f"Fan Number {n}",
        "author_followers": 100 * n,
        "created_at": utcnow() - timedelta(hours=hours_ago),
        **kw,
    }
    return Post(external_id=f"p{n}", text=text, **fields)


def seed_posts() -> list[Post]:
    posts = [
        _post(1, "I love my new Acme anvil, it is wonderful and works great!", 2),
        _post(2, "Acme support is terrible, awful experience, I want a refund now. Worst ever.", 5),
        _post(3, "The Acme catalogue arrived on Tuesday.", 30),
        _post(
            4,
            "Ich liebe den neuen Acme Amboss, er ist wirklich wunderbar und sehr stabil.",
            50,
            platform="reddit",
        ),
        _post(5, "Globex quarterly results were published this morning.", 80, platform="rss"),
        _post(6, "Acme refund process was quick and painless, thank you, great service!", 100),
        _post(7, XSS_TEXT, 1, author_name=XSS_AUTHOR, url=XSS_URL),
    ]
    # Three near-identical copies: one duplicate cluster.
    for i, suffix in enumerate(("", " !", " !!")):
        posts.append(_post(20 + i, DUP_TEXT + suffix, 60 + i, platform="reddit"))
    return posts


# One person per role, all with this password; sign in as ROLE_EMAILS[role].
TEST_PASSWORD = "correct horse battery staple"
ROLE_EMAILS = {role: f"{role}@example.com" for role in ("admin", "manager", "agent", "viewer")}
# the role's teams: the agent and the manager work in customer service
ROLE_TEAMS = {
    "admin": (),
    "manager": ("customer-service",),
    "agent": ("customer-service",),
    "viewer": (),
}
DEFAULT_TEAMS = {
    "customer-service": "Customer service",
    "sales": "Sales",
    "product": "Product",
    "pr": "PR",
    "hr": "HR",
}
_password_hash: list[str] = []


def seeded_password_hash() -> str:
    """The test password's argon2 hash, computed once per test run: argon2 is
    deliberately slow, and every seeded workspace has four users."""
    if not _password_hash:
        _password_hash.append(hash_password(TEST_PASSWORD))
    return _password_hash[0]


def seed_people(engine: Engine) -> dict[str, int]:
    """The five default teams and a user of every role; returns their ids as
    "team.<slug>" and "user.<role>"."""
    operator = Principal.system("test seed")
    ids: dict[str, int] = {}
    for slug, name in DEFAULT_TEAMS.items():
        with engine.connect() as conn:
            existing = find_team_id(conn, slug)
        ids[f"team.{slug}"] = existing or create_team(engine, operator, slug, name)
    for role, email in ROLE_EMAILS.items():
        with engine.connect() as conn:
            existing = find_user_id(conn, email)
        ids[f"user.{role}"] = existing or create_user(
            engine,
            operator,
            email,
            f"{role.title()} Example",
            role,
            team_slugs=ROLE_TEAMS[role],
            password_hash=seeded_password_hash(),
        )
    return ids


def seed(engine: Engine, settings: Settings) -> dict[str, int]:
    """Stores the posts, two queries (ids by name), the default teams and a
    user of every role (see seed_people)."""
    Pipeline(engine, settings).ingest_posts(seed_posts())
    return {
        "acme": create_query(engine, "Acme brand", "acme"),
        "refunds": create_query(engine, "Refunds", "refund*"),
        **seed_people(engine),
    }


def run_file_source(engine: Engine, settings: Settings, tmp_path: Path) -> int:
    """A JSONL file source with one good record and one broken line, run once
    through the real runner: gives a healthy source with an ingest error."""
    path = tmp_path / "import.jsonl"
    good: dict[str, Any] = {
        "platform": "forum",
        "id": "f1",
        "text": "Imported Acme review from the forum",
        "created_at": "2026-01-02T03:04:05Z",
    }
    path.write_text(json.dumps(good) + "\n{not json at all\n")
    source_id = add_source(engine, "file", {"path": str(path)}, name="forum export")
    runner = SourceRunner(engine, Pipeline(engine, settings))
    try:
        runner.run_once(only=[source_id])
    finally:
        runner.close()
    return source_id


def run_failing_feed(engine: Engine, settings: Settings, failures: int = 1) -> int:
    """An RSS source pointed at a closed local port, run ``failures`` times."""
    source_id = add_source(engine, "rss", {"url": "http://127.0.0.1:9/feed.xml"}, name="dead feed")
    runner = SourceRunner(engine, Pipeline(engine, settings))
    try:
        for _ in range(failures):
            with engine.connect() as conn:
                row = conn.execute(
                    sources_table.select().where(sources_table.c.id == source_id)
                ).one()
            runner.run_source(row)
    finally:
        runner.close()
    return source_id


def team_id(engine: Engine, slug: str) -> int:
    """A seeded team's id by its slug."""
    with engine.connect() as conn:
        found = find_team_id(conn, slug)
    assert found is not None, f"no team {slug!r}"
    return found
