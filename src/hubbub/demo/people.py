"""The demo's people: a sign-in for whoever starts the demo, an agent per
team, and a few saved replies, so the inbox is worked the way a company would.

One random password for every demo account, kept in HOME/demo_password (0600)
so running the demo again prints the same one."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sqlalchemy import Engine, select

from hubbub.actions.people import create_user
from hubbub.actions.routing import ensure_default_routing
from hubbub.actions.saved_replies import create_saved_reply
from hubbub.people.directory import find_team_id
from hubbub.people.principal import Principal
from hubbub.store.tables import saved_replies, users

ADMIN_EMAIL = "admin@demo.example"

# (e-mail, name, role, teams)
DEMO_PEOPLE: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    (ADMIN_EMAIL, "Demo Admin", "admin", ()),
    ("maya@demo.example", "Maya Lindqvist", "manager", ("customer-service", "product")),
    ("casey@demo.example", "Casey Okafor", "agent", ("customer-service",)),
    ("jordan@demo.example", "Jordan Reyes", "agent", ("customer-service",)),
    ("sam@demo.example", "Sam Novak", "agent", ("sales",)),
    ("priya@demo.example", "Priya Raman", "agent", ("product",)),
    ("lee@demo.example", "Lee Hart", "agent", ("pr",)),
    ("noor@demo.example", "Noor Haddad", "agent", ("hr",)),
)

# (team slug or None for everyone, name, body)
DEMO_SAVED_REPLIES: tuple[tuple[str | None, str, str], ...] = (
    (
        "customer-service",
        "Sorry, looking into it",
        "Hi {{author.handle}}, I'm sorry about this. Could you send us a direct message "
        "with your order number? I'll look into it right away. {{agent.first_name}}",
    ),
    (
        "customer-service",
        "Known issue, fix coming",
        "Thanks for flagging this, {{author.handle}}. It's a known issue and a fix is "
        "rolling out this week. {{agent.first_name}} from {{team.name}}",
    ),
    (
        "sales",
        "Pricing and a demo",
        "Hi {{author.handle}}, happy to help! Our plans are on our pricing page, and "
        "I can set up a short demo this week if you like. {{agent.first_name}}",
    ),
    (
        None,
        "Thanks for the kind words",
        "Thank you, {{author.handle}}! We'll pass this on to the team.",
    ),
)


def demo_password(home: Path) -> str:
    path = home / "demo_password"
    if path.exists():
        return path.read_text().strip()
    home.mkdir(parents=True, exist_ok=True)
    password = secrets.token_urlsafe(12)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(password + "\n")
    return password


def setup_demo_people(engine: Engine, home: Path) -> tuple[str, str]:
    """Default teams and routing rules, the demo people and saved replies
    (what is missing of them); returns the admin's e-mail and password."""
    ensure_default_routing(engine)
    actor = Principal.system("demo")
    password = demo_password(home)
    with engine.connect() as conn:
        existing = set(conn.execute(select(users.c.email)).scalars())
        replies = set(conn.execute(select(saved_replies.c.name)).scalars())
    for email, name, role, team_slugs in DEMO_PEOPLE:
        if email not in existing:
            create_user(engine, actor, email, name, role, password, team_slugs)
    for slug, name, body in DEMO_SAVED_REPLIES:
        if name in replies:
            continue
        with engine.connect() as conn:
            team_id = find_team_id(conn, slug) if slug else None
        create_saved_reply(engine, actor, name=name, body=body, team_id=team_id)
    return ADMIN_EMAIL, password
