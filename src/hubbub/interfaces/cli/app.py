"""The ``hubbub`` command. Thin: parse arguments, call actions and queries,
render with Rich."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from hubbub import __version__
from hubbub.interfaces.cli import output
from hubbub.interfaces.cli.common import fail, workspace

app = typer.Typer(
    name="hubbub",
    help="Hubbub: listen to the public conversation about your business, understand it, route it.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
console = Console()


@app.callback()
def main_options(
    ctx: typer.Context,
    home: Annotated[
        Path | None,
        typer.Option(
            "--home", envvar="HUBBUB_HOME", help="Workspace directory (default ~/.hubbub)."
        ),
    ] = None,
) -> None:
    ctx.obj = {"home": home}


@app.command()
def version() -> None:
    """Print Hubbub's version."""
    console.print(__version__)


@app.command()
def init(ctx: typer.Context) -> None:
    """Create the workspace (database and API token), or bring it up to date."""
    from hubbub.actions.routing import ensure_default_routing
    from hubbub.people.directory import active_admin_count
    from hubbub.workspace import api_token

    ws = workspace(ctx)
    token = api_token(ws.settings)
    ensure_default_routing(ws.engine)  # the five teams and the shipped routing rules
    console.print(f"[green]Workspace ready[/green] at {ws.settings.home}")
    with ws.engine.connect() as conn:
        admins = active_admin_count(conn)
    if not admins:
        console.print("Nobody can sign in yet: [bold]hubbub user add EMAIL --role admin[/bold]")
    console.print(f"Store: {output.redact_url(ws.settings.db_url)}")
    console.print(f"API token (Authorization: Bearer ...): {token}", soft_wrap=True)


@app.command()
def status(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Counts of posts, matches and sources, and each source's health."""
    from hubbub.analytics.status import workspace_status

    ws = workspace(ctx)
    data = workspace_status(ws.engine, ws.settings.source_failing_after)
    if ws.settings.nats_url:  # scale-out: lag per stage and dead letters
        from hubbub.workers.inspect import cluster_status

        data["cluster"] = cluster_status(ws.settings, ws.engine)
    if as_json:
        print(json.dumps(data, default=str, indent=2))
        return
    console.print(
        f"[bold]{data['posts']:,}[/bold] posts · [bold]{data['matches']:,}[/bold] matches · "
        f"[bold]{data['queries']:,}[/bold] queries · [bold]{data['sources_count']:,}[/bold] sources"
    )
    if data["sources"]:
        console.print(output.sources_table(data["sources"]))
    if data.get("cluster"):
        from hubbub.interfaces.cli.commands_worker import cluster_table

        console.print(cluster_table(data["cluster"]))


def _register() -> None:
    # Command groups live in their own modules; importing them adds them to ``app``.
    from hubbub.interfaces.cli import (
        commands_data,
        commands_dlq,
        commands_inbox,
        commands_models,
        commands_people,
        commands_queries,
        commands_rules,
        commands_serve,
        commands_sla,
        commands_sources,
        commands_topics,
        commands_worker,
    )

    app.add_typer(commands_sources.source_app, name="source")
    app.add_typer(commands_queries.query_app, name="query")
    commands_data.register(app)
    commands_serve.register(app)
    commands_models.register(app)
    commands_worker.register(app)
    commands_dlq.register(app)
    commands_people.register(app)
    commands_inbox.register(app)
    commands_rules.register(app)
    commands_sla.register(app)
    commands_topics.register(app)
    from hubbub.plugins import get_plugin_manager

    get_plugin_manager().hook.hubbub_cli_commands(app=app)


def _hoist_home(argv: list[str]) -> list[str]:
    """Accept ``--home DIR`` anywhere on the line ("on any command"), not only
    before the command name, by moving it to the front."""
    out: list[str] = []
    hoisted: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--home" and i + 1 < len(argv):
            hoisted += [arg, argv[i + 1]]
            i += 2
            continue
        if arg.startswith("--home="):
            hoisted.append(arg)
        else:
            out.append(arg)
        i += 1
    return hoisted + out


def main() -> Any:
    _register()
    return app(args=_hoist_home(sys.argv[1:]), prog_name="hubbub")


__all__ = ["app", "fail", "main"]
