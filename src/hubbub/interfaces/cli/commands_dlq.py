"""`hubbub dlq`: messages the workers gave up on (HUBBUB_NATS_URL): list, replay, drop."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from hubbub.config import Settings, load_settings
from hubbub.interfaces.cli.common import fail

console = Console()
dlq_app = typer.Typer(
    help="Dead letters: messages that failed every delivery.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(dlq_app, name="dlq")


def _settings(ctx: typer.Context) -> Settings:
    return load_settings((ctx.find_root().obj or {}).get("home"))


@dlq_app.command("list")
def dlq_list(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, oldest first.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="JSON, with each message.")] = False,
) -> None:
    """List the dead letters: where each failed, why, and how often it was tried."""
    from hubbub.workers.inspect import ClusterUnavailable, list_dead_letters

    try:
        letters = list_dead_letters(_settings(ctx), limit, with_message=as_json)
    except ClusterUnavailable as exc:
        fail(str(exc))
    if as_json:
        print(json.dumps(letters, indent=2))
        return
    if not letters:
        console.print("No dead letters.")
        return
    table = Table("seq", "stage subject", "message id", "tries", "failed at", "error")
    for d in letters:
        # error text may quote post content: plain Text, never Rich markup
        table.add_row(
            str(d["seq"]),
            Text(d["subject"]),
            Text(d["message_id"] or "—"),
            str(d["deliveries"]),
            Text(d["failed_at"]),
            Text(d["error"]),
        )
    console.print(table)


@dlq_app.command("replay")
def dlq_replay(
    ctx: typer.Context,
    seqs: Annotated[list[int] | None, typer.Argument(help="Dead letters to replay (seq).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Replay every dead letter.")] = False,
) -> None:
    """Publish dead letters again on the subject they failed on (after a fix)."""
    from hubbub.workers.inspect import ClusterUnavailable, replay_dead_letters

    if not seqs and not all_:
        fail("name the dead letters to replay (seq), or --all", code=2)
    try:
        done = replay_dead_letters(_settings(ctx), None if all_ else list(seqs or []))
    except ClusterUnavailable as exc:
        fail(str(exc))
    missing = sorted(set(seqs or []) - set(done))
    console.print(f"Replayed {len(done)} dead letter(s).")
    if missing:
        fail(f"no dead letter with seq {', '.join(map(str, missing))}")


@dlq_app.command("drop")
def dlq_drop(
    ctx: typer.Context,
    seq: Annotated[int, typer.Argument(help="The dead letter to delete for good.")],
) -> None:
    """Delete a dead letter without replaying it."""
    from hubbub.workers.inspect import ClusterUnavailable, drop_dead_letter

    try:
        dropped = drop_dead_letter(_settings(ctx), seq)
    except ClusterUnavailable as exc:
        fail(str(exc))
    if not dropped:
        fail(f"no dead letter with seq {seq}")
    console.print(f"Dropped dead letter {seq}.")
