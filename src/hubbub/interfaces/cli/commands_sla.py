"""`hubbub sla` (service levels: check, report, targets, business hours) and
`hubbub notify deliver`, for cron-style use beside (or instead of) the
scheduler that `hubbub serve` and the workers run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text
from sqlalchemy import select

from hubbub.interfaces.cli.common import fail, workspace
from hubbub.people.principal import Principal

console = Console()
sla_app = typer.Typer(
    help="Service levels: breach checks, reports, targets, business hours.", no_args_is_help=True
)
notify_app = typer.Typer(
    help="Notifications: send pending e-mails and webhooks.", no_args_is_help=True
)
OPERATOR = Principal.system("cli")


def register(app: typer.Typer) -> None:
    app.add_typer(sla_app, name="sla")
    app.add_typer(notify_app, name="notify")


def _team_id(ctx: typer.Context, slug: str) -> int:
    from hubbub.store.tables import teams

    with workspace(ctx).engine.connect() as conn:
        found = conn.execute(select(teams.c.id).where(teams.c.slug == slug)).scalar()
    if found is None:
        fail(f"no team {slug!r}")
    return int(found)


@sla_app.command("check")
def sla_check(ctx: typer.Context) -> None:
    """Mark overdue conversations breached and notify (what the scheduler does)."""
    from hubbub.actions.sla import check_breaches

    n = check_breaches(workspace(ctx).engine)
    console.print(f"{n} breach(es) marked")


@sla_app.command("report")
def sla_report_cmd(
    ctx: typer.Context,
    since: Annotated[str, typer.Option(help="7d, 24h, 2026-05-01 or all.")] = "7d",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Per team: conversations opened, first-response median, breaches."""
    from hubbub.inbox.sla import duration_text
    from hubbub.inbox.sla_report import parse_since, sla_report
    from hubbub.post import utcnow

    now = utcnow()
    try:
        start = parse_since(since, now)
    except ValueError as err:
        fail(str(err))
    with workspace(ctx).engine.connect() as conn:
        rows = sla_report(conn, start, now)
    if as_json:
        print(json.dumps([r.to_dict() for r in rows], indent=2))
        return
    table = Table(
        "team", "opened", "responded", "first response (median)", "breaches (first/resolution)"
    )
    for r in rows:
        median = r.first_response_median_seconds
        table.add_row(
            Text(r.team_slug or "(no team)"),
            str(r.opened),
            str(r.responded),
            "—" if median is None else duration_text(median),
            f"{r.first_response_breaches} / {r.resolution_breaches}",
        )
    console.print(table)


@sla_app.command("targets")
def sla_targets(
    ctx: typer.Context,
    team: Annotated[str, typer.Argument(help="The team's slug.")],
    priority: Annotated[str | None, typer.Option(help="Set this priority's targets.")] = None,
    first_response: Annotated[
        str | None, typer.Option(help="Business time: 30m, 4h, 2d or none.")
    ] = None,
    resolution: Annotated[str | None, typer.Option(help="Business time: 8h, 3d or none.")] = None,
) -> None:
    """Show a team's targets, or set one priority's (`--priority high --first-response 1h`)."""
    from hubbub.actions import sla
    from hubbub.inbox.sla import parse_target_minutes, target_text

    ws = workspace(ctx)
    team_id = _team_id(ctx, team)
    if priority is not None:
        with ws.engine.connect() as conn:
            current = {p.priority: p for p in sla.policies_for(conn, team_id)}
        if priority not in current:
            fail(f"unknown priority {priority!r}")
        try:
            first = (
                parse_target_minutes(first_response)
                if first_response is not None
                else current[priority].first_response_minutes
            )
            res = (
                parse_target_minutes(resolution)
                if resolution is not None
                else current[priority].resolution_minutes
            )
            sla.set_policy(ws.engine, OPERATOR, team_id, priority, first, res)
        except ValueError as err:
            fail(str(err))
    with ws.engine.connect() as conn:
        policies = sla.policies_for(conn, team_id)
    table = Table("priority", "first response", "resolution")
    for p in policies:
        table.add_row(
            p.priority,
            target_text(p.first_response_minutes) or "none",
            target_text(p.resolution_minutes) or "none",
        )
    console.print(table)


@sla_app.command("hours")
def sla_hours(
    ctx: typer.Context,
    team: Annotated[str, typer.Argument(help="The team's slug.")],
    file: Annotated[
        Path | None, typer.Option("--file", help="JSON business hours (docs/service-levels.md).")
    ] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Around the clock.")] = False,
) -> None:
    """Show or set a team's business hours."""
    from hubbub.actions import sla
    from hubbub.store.tables import teams

    ws = workspace(ctx)
    team_id = _team_id(ctx, team)
    if file is not None or clear:
        try:
            hours = None if clear else json.loads(file.read_text()) if file else None
            sla.set_business_hours(ws.engine, OPERATOR, team_id, hours)
        except (OSError, ValueError) as err:
            fail(str(err))
    with ws.engine.connect() as conn:
        stored = conn.execute(select(teams.c.business_hours).where(teams.c.id == team_id)).scalar()
    print(json.dumps(stored, indent=2) if stored else "around the clock")


@notify_app.command("deliver")
def notify_deliver(ctx: typer.Context) -> None:
    """Send the notification e-mails and webhooks that are due (with retries)."""
    from hubbub.notify.deliver import run_deliveries

    ws = workspace(ctx)
    r = run_deliveries(ws.engine, ws.settings)
    console.print(f"planned {r.planned}, sent {r.sent}, retrying {r.retrying}, failed {r.failed}")
