"""`hubbub source ...`: configure connectors."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console

from hubbub.interfaces.cli.common import err, fail, workspace
from hubbub.interfaces.cli.output import one_line, sources_table

source_app = typer.Typer(
    help="Configure sources (connectors): add, list, change, remove; their credentials' key.",
    no_args_is_help=True,
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


def _prompt_secrets(names: list[str]) -> dict[str, str]:
    # typed at a hidden prompt: a credential on the command line stays in shell history
    return {name: typer.prompt(f"{name}", hide_input=True) for name in names}


SecretsOption = Annotated[
    list[str] | None,
    typer.Option("--secret", help="A credential setting to type at a hidden prompt (repeatable)."),
]


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
    secret: SecretsOption = None,
) -> None:
    """Add a source. Its settings are checked by its connector before saving;
    its credentials are stored encrypted."""
    from hubbub.actions.sources import add_source
    from hubbub.sources.base import ConfigError
    from hubbub.store.credentials import CredentialCipher

    settings = _parse_sets(set_ or [])
    for key, value in (("url", url), ("path", path), ("interval", interval)):
        if value is not None:
            settings[key] = value
    settings.update(_prompt_secrets(secret or []))
    ws = workspace(ctx)
    try:
        source_id = add_source(
            ws.engine, kind, settings, name, cipher=CredentialCipher(ws.settings)
        )
    except ConfigError as exc:
        fail(str(exc))
    console.print(
        f"[green]Added source {source_id}[/green] ({kind}). Run [bold]hubbub ingest[/bold] to fetch it."
    )


@source_app.command("list")
def list_(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List sources with their health."""
    from hubbub.analytics.status import workspace_status

    ws = workspace(ctx)
    rows = workspace_status(ws.engine, ws.settings.source_failing_after)["sources"]
    if as_json:
        print(json.dumps(rows, indent=2))
    elif not rows:
        console.print("No sources yet. Add one with [bold]hubbub source add rss --url URL[/bold].")
    else:
        console.print(sources_table(rows))


@source_app.command("set")
def set_settings(
    ctx: typer.Context,
    ref: Annotated[str, typer.Argument(help="Source id or name.")],
    pairs: Annotated[
        list[str] | None, typer.Argument(help="Settings to change, KEY=VALUE.")
    ] = None,
    secret: SecretsOption = None,
    unset: Annotated[
        list[str] | None, typer.Option(help="A setting to drop (back to its default).")
    ] = None,
) -> None:
    """Change settings of a source, checked by its connector; credentials are
    stored encrypted (plain ones from older versions too)."""
    from hubbub.actions.sources import SourceNotFound, update_settings
    from hubbub.sources.base import ConfigError
    from hubbub.store.credentials import CredentialCipher

    changes = {**_parse_sets(pairs or []), **_prompt_secrets(secret or [])}
    if not changes and not unset:
        fail("nothing to change: give KEY=VALUE, --secret NAME or --unset NAME")
    ws = workspace(ctx)
    try:
        update_settings(ws.engine, ref, changes, CredentialCipher(ws.settings), unset=unset or ())
    except (SourceNotFound, ConfigError) as exc:
        fail(str(exc))
    console.print(f"Source {one_line(ref)} updated.")


@source_app.command("rekey")
def rekey(ctx: typer.Context) -> None:
    """Encrypt every stored credential with the first key: after putting a new
    key first in HUBBUB_SECRET_KEY or the key file, and for credentials stored
    in the clear by older versions. Then the old key can be dropped."""
    from hubbub.actions.sources import rekey_sources
    from hubbub.sources.base import ConfigError
    from hubbub.store.credentials import CredentialCipher

    ws = workspace(ctx)
    try:
        report = rekey_sources(ws.engine, CredentialCipher(ws.settings))
    except ConfigError as exc:
        fail(str(exc))
    console.print(f"Re-encrypted {report.resealed} credential(s).")
    for problem in report.failed:
        err.print(f"[red]not re-encrypted:[/red] {one_line(problem, 400)}", highlight=False)
    if report.failed:
        raise typer.Exit(1)


@source_app.command("new-key")
def new_key() -> None:
    """Print a new credentials key (for HUBBUB_SECRET_KEY or the key file)."""
    from hubbub.store.credentials import new_key as make_key

    print(make_key())


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
