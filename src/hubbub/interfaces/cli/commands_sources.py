"""`hubbub source ...`: configure connectors."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console

from hubbub.interfaces.cli.common import fail, workspace
from hubbub.interfaces.cli.output import sources_table

source_app = typer.Typer(
    help="Configure sources (connectors): add, list, remove.", no_args_is_help=True
)
console = Console()


def _parse_sets(pairs: list[str]) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for pair in pairs:
        if "=" not in pair:
            fail(f"--set takes KEY=VALUE, got {pair!r}")
        key, value = pair.split("=", 1)
        try:
            settings[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            settings[key.strip()] = value
    return settings


@source_app.command("add")
def add(
    ctx: typer.Context,
    kind: Annotated[str, typer.Argument(help="Connector kind, e.g. rss or file.")],
    url: Annotated[str | None, typer.Option(help="Endpoint URL (feeds, APIs, instances).")] = None,
    path: Annotated[str | None, typer.Option(help="File path (file sources).")] = None,
    name: Annotated[
        str | None, typer.Option(help="A name for the source (default: kind:url).")
    ] = None,
    interval: Annotated[int | None, typer.Option(help="Seconds between polls.")] = None,
    set_: Annotated[
        list[str] | None, typer.Option("--set", help="Any other setting, KEY=VALUE.")
    ] = None,
) -> None:
    """Add a source. Its settings are checked by its connector before saving."""
    from hubbub.actions.sources import add_source
    from hubbub.sources.base import ConfigError

    settings = _parse_sets(set_ or [])
    for key, value in (("url", url), ("path", path), ("interval", interval)):
        if value is not None:
            settings[key] = value
    ws = workspace(ctx)
    try:
        source_id = add_source(ws.engine, kind, settings, name)
    except ConfigError as exc:
        fail(str(exc))
    console.print(
        f"[green]Added source {source_id}[/green] ({kind}). Run [bold]hubbub ingest[/bold] to fetch it."
    )


@source_app.command("list")
def list_(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List sources with their health."""
    from hubbub.analytics.status import workspace_status

    rows = workspace_status(workspace(ctx).engine)["sources"]
    if as_json:
        print(json.dumps(rows, indent=2))
    elif not rows:
        console.print("No sources yet. Add one with [bold]hubbub source add rss --url URL[/bold].")
    else:
        console.print(sources_table(rows))


@source_app.command("remove")
def remove(
    ctx: typer.Context, ref: Annotated[str, typer.Argument(help="Source id or name.")]
) -> None:
    """Remove a source. Its posts stay."""
    from hubbub.actions.sources import SourceNotFound, remove_source

    try:
        remove_source(workspace(ctx).engine, ref)
    except SourceNotFound as exc:
        fail(str(exc))
    console.print(f"Removed source {ref}.")


@source_app.command("kinds")
def kinds() -> None:
    """List the installed connector kinds."""
    from hubbub.plugins import source_kinds

    for kind, cls in sorted(source_kinds().items()):
        console.print(f"[bold]{kind}[/bold]  {getattr(cls, 'description', '')}")
