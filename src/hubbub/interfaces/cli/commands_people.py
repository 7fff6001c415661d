"""`hubbub user|team|token ...`: people, teams and API tokens. The CLI acts as
the workspace's operator (an admin), named in the audit log as ``cli:<login>``."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine

from hubbub.interfaces.cli.common import fail, operator, workspace
from hubbub.interfaces.cli.output import one_line

console = Console()
user_app = typer.Typer(help="People: add, list, roles, invitations.", no_args_is_help=True)
team_app = typer.Typer(help="Teams (departments): add, list, members.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens with scopes: create, list, revoke.", no_args_is_help=True)

UserRef = Annotated[str, typer.Argument(help="E-mail address or id.")]
TeamRef = Annotated[str, typer.Argument(help="Team slug or id.")]


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
    app.add_typer(team_app, name="team")
    app.add_typer(token_app, name="token")


@contextmanager
def _refusals() -> Iterator[None]:
    """An action's refusal (bad input, unknown person or team, the last admin)
    ends the command with its message."""
    try:
        yield
    except (ValueError, LookupError) as exc:
        fail(str(exc))


def _read_password(from_stdin: bool, *, required: bool) -> str | None:
    """From stdin (first line), else a hidden prompt on a terminal."""
    if from_stdin:
        line = sys.stdin.readline().rstrip("\r\n")
        if not line:
            fail("no password on stdin")
        return line
    if sys.stdin.isatty():
        password: str = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        return password
    if required:
        fail("give the password with --password-stdin")
    return None


def _user_id(engine: Engine, ref: str) -> int:
    from hubbub.people.directory import find_user_id

    with engine.connect() as conn:
        found = find_user_id(conn, ref)
    if found is None:
        fail(f"no user {ref!r}")
    return found


def _team_id(engine: Engine, ref: str) -> int:
    from hubbub.people.directory import find_team_id

    with engine.connect() as conn:
        found = find_team_id(conn, ref)
    if found is None:
        fail(f"no team {ref!r}")
    return found


# --- users -------------------------------------------------------------------


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="Their e-mail address (also the login).")],
    name: Annotated[str, typer.Option("--name", help="Their name.")] = "",
    role: Annotated[str, typer.Option("--role", help="admin, manager, agent or viewer.")] = "agent",
    team: Annotated[
        list[str] | None, typer.Option("--team", help="A team slug; repeat for several.")
    ] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
) -> None:
    """Add a user. Asks for the password (hidden) on a terminal."""
    from hubbub.actions import people

    password = _read_password(password_stdin, required=False)
    ws = workspace(ctx)
    with _refusals():
        user_id = people.create_user(ws.engine, operator(), email, name, role, password, team or ())
    console.print(f"[green]Added user {user_id}[/green] {one_line(email.strip().lower())} ({role})")
    if password is None:
        console.print("No password set: they cannot sign in until `hubbub user set-password`.")


@user_app.command("list")
def user_list(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every user with role, teams and state."""
    from hubbub.people.directory import list_users

    ws = workspace(ctx)
    with ws.engine.connect() as conn:
        users = list_users(conn)
    if as_json:
        print(json.dumps(users, default=str, indent=2))
        return
    table = Table(title="Users")
    for col in ("id", "email", "name", "role", "teams", "active", "last login"):
        table.add_column(col, overflow="fold")
    for u in users:
        table.add_row(
            str(u["id"]),
            one_line(u["email"]),
            one_line(u["name"]),
            u["role"],
            ", ".join(u["teams"]),
            "yes" if u["active"] else "no",
            str(u["last_login_at"] or "never"),
        )
    console.print(table)


@user_app.command("set-role")
def user_set_role(
    ctx: typer.Context,
    user: UserRef,
    role: Annotated[str, typer.Argument(help="admin, manager, agent or viewer.")],
) -> None:
    """Change someone's role."""
    from hubbub.actions import people

    ws = workspace(ctx)
    with _refusals():
        people.set_role(ws.engine, operator(), _user_id(ws.engine, user), role)
    console.print(f"{one_line(user)} is now {role}.")


@user_app.command("set-password")
def user_set_password(
    ctx: typer.Context,
    user: UserRef,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
) -> None:
    """Set someone's password (signs them out everywhere)."""
    from hubbub.actions import people

    password = _read_password(password_stdin, required=True)
    assert password is not None
    ws = workspace(ctx)
    with _refusals():
        people.set_password(ws.engine, operator(), _user_id(ws.engine, user), password)
    console.print(f"Password of {one_line(user)} set.")


@user_app.command("deactivate")
def user_deactivate(ctx: typer.Context, user: UserRef) -> None:
    """Sign someone out everywhere and stop their tokens; their history stays."""
    from hubbub.actions import people

    ws = workspace(ctx)
    with _refusals():
        people.deactivate(ws.engine, operator(), _user_id(ws.engine, user))
    console.print(f"Deactivated {one_line(user)}.")


@user_app.command("reactivate")
def user_reactivate(ctx: typer.Context, user: UserRef) -> None:
    """Let a deactivated user sign in again."""
    from hubbub.actions import people

    ws = workspace(ctx)
    with _refusals():
        people.reactivate(ws.engine, operator(), _user_id(ws.engine, user))
    console.print(f"Reactivated {one_line(user)}.")


@user_app.command("invite")
def user_invite(
    ctx: typer.Context,
    email: Annotated[str, typer.Argument(help="Their e-mail address.")],
    role: Annotated[str, typer.Option("--role", help="admin, manager, agent or viewer.")] = "agent",
    name: Annotated[str | None, typer.Option("--name")] = None,
    team: Annotated[
        list[str] | None, typer.Option("--team", help="A team slug; repeat for several.")
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url", help="Where people reach Hubbub (default: public_url, else host:port)."
        ),
    ] = None,
) -> None:
    """Print a link (valid once, for a week) with which they choose a password."""
    from hubbub.actions import people

    ws = workspace(ctx)
    with _refusals():
        invitation = people.invite(
            ws.engine, operator(), email, role, name=name, team_slugs=team or ()
        )
    # public_url (a notifications setting) when set: where people reach Hubbub
    public: str | None = getattr(ws.settings, "public_url", None)
    origin = (base_url or public or f"http://{ws.settings.host}:{ws.settings.port}").rstrip("/")
    print(origin + invitation.path)


# --- teams -------------------------------------------------------------------


@team_app.command("add")
def team_add(
    ctx: typer.Context,
    slug: Annotated[str, typer.Argument(help="Short name: lower-case letters, digits, dashes.")],
    name: Annotated[str, typer.Option("--name", help="The team's name.")] = "",
) -> None:
    """Add a team."""
    from hubbub.actions import people

    ws = workspace(ctx)
    with _refusals():
        team_id = people.create_team(ws.engine, operator(), slug, name or slug)
    console.print(f"[green]Added team {team_id}[/green] {one_line(slug)}")


@team_app.command("list")
def team_list(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every team and its members."""
    from hubbub.people.directory import list_teams

    ws = workspace(ctx)
    with ws.engine.connect() as conn:
        teams = list_teams(conn)
    if as_json:
        print(json.dumps(teams, default=str, indent=2))
        return
    table = Table(title="Teams")
    for col in ("id", "slug", "name", "members"):
        table.add_column(col, overflow="fold")
    for t in teams:
        members = ", ".join(m["email"] for m in t["members"])
        table.add_row(str(t["id"]), t["slug"], one_line(t["name"]), one_line(members, 300))
    console.print(table)


@team_app.command("add-member")
def team_add_member(ctx: typer.Context, team: TeamRef, user: UserRef) -> None:
    """Put someone in a team."""
    _change_membership(ctx, team, user, add=True)
    console.print(f"{one_line(user)} is in {one_line(team)}.")


@team_app.command("remove-member")
def team_remove_member(ctx: typer.Context, team: TeamRef, user: UserRef) -> None:
    """Take someone out of a team."""
    _change_membership(ctx, team, user, add=False)
    console.print(f"{one_line(user)} is no longer in {one_line(team)}.")


def _change_membership(ctx: typer.Context, team: str, user: str, *, add: bool) -> None:
    from hubbub.actions import people

    ws = workspace(ctx)
    change = people.add_member if add else people.remove_member
    with _refusals():
        change(ws.engine, operator(), _team_id(ws.engine, team), _user_id(ws.engine, user))


# --- tokens ------------------------------------------------------------------


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    user: Annotated[str, typer.Option("--user", help="Whose token: e-mail address or id.")],
    name: Annotated[str, typer.Option("--name", help="What it is for, e.g. ci-bot.")],
    scope: Annotated[
        list[str], typer.Option("--scope", help="A scope, e.g. posts:read; repeat for several.")
    ],
    expires_days: Annotated[
        int | None, typer.Option("--expires-days", min=1, help="Unset: never expires.")
    ] = None,
) -> None:
    """Create a token and print its secret (once: only its hash is stored)."""
    from hubbub.actions import people
    from hubbub.post import utcnow

    ws = workspace(ctx)
    expires_at = utcnow() + timedelta(days=expires_days) if expires_days else None
    with _refusals():
        secret = people.create_token(
            ws.engine, operator(), _user_id(ws.engine, user), name, scope, expires_at
        )
    print(secret)


@token_app.command("list")
def token_list(
    ctx: typer.Context,
    user: Annotated[str | None, typer.Option("--user", help="Only this user's.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Tokens (never their secrets): owner, scopes, expiry, last use."""
    from hubbub.people.tokens import list_tokens

    ws = workspace(ctx)
    user_id = _user_id(ws.engine, user) if user else None
    with ws.engine.connect() as conn:
        rows = list_tokens(conn, user_id)
    if as_json:
        print(json.dumps(rows, default=str, indent=2))
        return
    table = Table(title="API tokens")
    for col in ("id", "user", "name", "prefix", "scopes", "expires", "last used", "state"):
        table.add_column(col, overflow="fold")
    for t in rows:
        table.add_row(
            str(t["id"]),
            one_line(t["email"]),
            one_line(t["name"]),
            t["prefix"] + "…",
            " ".join(t["scopes"]),
            str(t["expires_at"] or "never"),
            str(t["last_used_at"] or "never"),
            "revoked" if t["revoked_at"] else "active",
        )
    console.print(table)


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context, token_id: Annotated[int, typer.Argument(help="The token's id.")]
) -> None:
    """Revoke a token: requests with it get 401 from now on."""
    from hubbub.actions import people

    ws = workspace(ctx)
    with _refusals():
        people.revoke_token(ws.engine, operator(), token_id)
    console.print(f"Revoked token {token_id}.")
