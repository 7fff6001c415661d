"""`hubbub rules ...`: routing rules (docs/routing.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from hubbub.interfaces.cli.common import fail, operator, workspace
from hubbub.interfaces.cli.output import one_line

rules_app = typer.Typer(
    help="Routing rules: list, add, test against stored posts, delete, defaults.",
    no_args_is_help=True,
)
console = Console()

FileOption = Annotated[
    Path, typer.Option("--file", "-f", help="A JSON file with one rule ('-' reads stdin).")
]


def register(app: typer.Typer) -> None:
    app.add_typer(rules_app, name="rules")


def _read(path: Path) -> Any:
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
        return json.loads(text)
    except OSError as exc:
        fail(f"cannot read {path}: {exc}")
    except json.JSONDecodeError as exc:
        fail(f"{path}: not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")


@rules_app.command("list")
def list_(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every rule in evaluation order, in words."""
    from hubbub.inbox.routing.store import rule_records

    with workspace(ctx).engine.connect() as conn:
        records = rule_records(conn)
    if as_json:
        print(json.dumps(records, indent=2, default=str, ensure_ascii=False))
        return
    table = Table(title="Routing rules (evaluated top to bottom)")
    for col in ("#", "id", "name", "state", "rule"):
        table.add_column(col, overflow="fold")
    for i, r in enumerate(records, 1):
        state = ("on" if r["enabled"] else "off") + (" · default" if r["builtin"] else "")
        table.add_row(
            str(i),
            str(r["id"]),
            one_line(r["name"]),
            state,
            r["error"] or one_line(r["summary"], 400),
        )
    console.print(table)


@rules_app.command("add")
def add(
    ctx: typer.Context,
    file: FileOption,
    position: Annotated[
        int | None, typer.Option(min=1, help="1 = first; later rules move down. Default: last.")
    ] = None,
) -> None:
    """Save a rule from a JSON file."""
    from hubbub.actions.routing import DuplicateRuleName, RuleError, create_rule

    spec = _read(file)
    try:
        rule_id = create_rule(workspace(ctx).engine, operator(), spec, position=position)
    except (RuleError, DuplicateRuleName) as exc:
        fail(str(exc))
    console.print(f"[green]Saved rule {rule_id}[/green] {one_line(spec.get('name', ''))}")


@rules_app.command("test")
def test(
    ctx: typer.Context,
    file: FileOption,
    since: Annotated[str, typer.Option(help="How far back: 24h, 7d, 30d or 'all'.")] = "7d",
    limit: Annotated[int, typer.Option(min=0, help="Sample posts to show.")] = 10,
    alongside: Annotated[
        bool,
        typer.Option(
            "--alongside/--alone",
            help="Evaluate among the saved rules (in --rule-id's place, else last), or alone.",
        ),
    ] = False,
    rule_id: Annotated[int | None, typer.Option(help="The saved rule the file edits.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Dry-run a rule over stored posts without saving it."""
    from hubbub.actions.routing import RuleError, test_rule
    from hubbub.analytics.query_preview import since_from

    spec = _read(file)
    try:
        window = since_from(since)
    except ValueError as exc:
        fail(f"--since: {exc}")
    try:
        result = test_rule(
            workspace(ctx).engine,
            spec,
            window,
            limit_samples=limit,
            rule_id=rule_id,
            alongside_saved=alongside,
        )
    except RuleError as exc:
        fail(str(exc))
    if as_json:
        data = result.to_dict()
        data["samples"] = [
            {"post_id": s.post.id, "url": s.post.url, "text": s.post.text,
             "decision": s.decision.to_dict()}
            for s in result.samples
        ]  # fmt: skip
        print(json.dumps(data, indent=2, default=str, ensure_ascii=False))
        return
    window_text = "all stored posts" if window is None else f"posts since {since}"
    console.print(
        f"This rule would have fired on [bold]{result.fired:,}[/bold] of {result.evaluated:,} "
        f"{window_text} ({result.fired_matched:,} of the {result.evaluated_matched:,} that "
        f"matched a listening query and open conversations), in {result.seconds:.1f}s."
    )
    for team, count in result.per_team:
        console.print(f"  → {team or 'no team'}: {count:,}")
    for sample in result.samples:
        post = sample.post
        console.print(
            f"[dim]{post.id} {post.platform} {post.created_at:%Y-%m-%d %H:%M}[/dim] "
            f"{one_line(post.text, 160)}",
            highlight=False,
            markup=False,
        )


@rules_app.command("delete")
def delete(ctx: typer.Context, rule_id: Annotated[int, typer.Argument(help="Rule id.")]) -> None:
    """Delete a rule."""
    from hubbub.actions.routing import RuleNotFound, delete_rule

    try:
        delete_rule(workspace(ctx).engine, operator(), rule_id)
    except RuleNotFound as exc:
        fail(str(exc))
    console.print(f"Deleted rule {rule_id}.")


@rules_app.command("defaults")
def defaults(
    ctx: typer.Context,
    restore: Annotated[
        bool, typer.Option(help="Add back default rules that were deleted (matched by name).")
    ] = False,
) -> None:
    """Create the five default teams and the default rules if missing."""
    from hubbub.actions.routing import ensure_default_routing

    result = ensure_default_routing(workspace(ctx).engine, restore=restore)
    console.print(
        f"Teams created: {', '.join(result.teams_created) or 'none'}. "
        f"Rules created: {len(result.rules_created)}."
    )
