"""`hubbub query ...`: listening queries."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from hubbub.interfaces.cli.common import err, fail, workspace
from hubbub.interfaces.cli.output import one_line, posts_table

query_app = typer.Typer(help="Listening queries: add, list, test, match.", no_args_is_help=True)
console = Console()


def syntax_error(exc: Exception) -> str:
    caret = getattr(exc, "caret", None)
    return f"{exc}\n{caret()}" if callable(caret) else str(exc)


@query_app.command("add")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="A name, e.g. 'Brand'.")],
    query: Annotated[str, typer.Argument(help="The query, e.g. '(acme OR #acme) NOT jobs'.")],
    disabled: Annotated[bool, typer.Option("--disabled", help="Save without matching.")] = False,
) -> None:
    """Save a query and match it against every stored post."""
    from hubbub.actions.queries import DuplicateQueryName, create_query
    from hubbub.listening.parser import QuerySyntaxError

    ws = workspace(ctx)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("Matching stored posts", total=None)
        try:
            query_id = create_query(
                ws.engine,
                name,
                query,
                enabled=not disabled,
                progress=lambda done, total: progress.update(task, completed=done, total=total),
            )
        except QuerySyntaxError as exc:
            fail(syntax_error(exc))
        except DuplicateQueryName as exc:
            fail(str(exc))
    console.print(f"[green]Saved query {query_id}[/green] {one_line(name)}")


@query_app.command("list")
def list_(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List saved queries with their match counts."""
    from sqlalchemy import func, select

    from hubbub.store.tables import listening_queries, matches

    ws = workspace(ctx)
    with ws.engine.connect() as conn:
        counts: dict[int, int] = dict(
            conn.execute(
                select(matches.c.query_id, func.count()).group_by(matches.c.query_id)
            ).all()
        )
        rows = conn.execute(select(listening_queries).order_by(listening_queries.c.id)).all()
    data = [
        {
            "id": r.id,
            "name": r.name,
            "query": r.query,
            "enabled": r.enabled,
            "matches": counts.get(r.id, 0),
        }
        for r in rows
    ]
    if as_json:
        print(json.dumps(data, indent=2))
        return
    table = Table(title="Listening queries")
    for col in ("id", "name", "enabled", "matches", "query"):
        table.add_column(col, overflow="fold")
    for q in data:
        table.add_row(
            str(q["id"]),
            one_line(q["name"]),
            "yes" if q["enabled"] else "no",
            f"{q['matches']:,}",
            one_line(q["query"], 200),
        )
    console.print(table)


@query_app.command("remove")
def remove(
    ctx: typer.Context, ref: Annotated[str, typer.Argument(help="Query id or name.")]
) -> None:
    """Delete a query and its matches."""
    from hubbub.actions.queries import QueryNotFound, delete_query

    try:
        delete_query(workspace(ctx).engine, ref)
    except QueryNotFound as exc:
        fail(str(exc))
    console.print(f"Removed query {ref}.")


@query_app.command("test")
def test(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="A query to try against stored posts.")],
    limit: Annotated[int, typer.Option(help="How many sample posts to show.")] = 10,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Check a query's syntax and show stored posts it matches, without saving it."""
    from hubbub.listening.parser import QuerySyntaxError, parse
    from hubbub.listening.search import search
    from hubbub.store.posts import load_posts

    try:
        node = parse(query)
    except QuerySyntaxError as exc:
        fail(syntax_error(exc))
    ws = workspace(ctx)
    with ws.engine.connect() as conn:
        ids = search(conn, node, limit=limit)
        sample = load_posts(conn, ids)
    if as_json:
        print(
            json.dumps(
                {"query": query, "sample": [p.to_dict() | {"raw": None} for p in sample]},
                default=str,
            )
        )
        return
    console.print(f"[green]Valid query.[/green] Newest {len(sample)} matching stored posts:")
    console.print(posts_table(sample, title="Sample"))


@query_app.command("match")
def match(
    queries: Annotated[
        Path, typer.Option("--queries", help='JSONL of {"name": ..., "query": ...}.')
    ],
    posts: Annotated[
        Path, typer.Option("--posts", help="JSONL or CSV posts in the import schema.")
    ],
    out: Annotated[
        Path | None, typer.Option("--out", help="Write matches here (default stdout).")
    ] = None,
) -> None:
    """Match posts from a file against queries from a file. Nothing is stored.
    Writes one JSON line per match: {"query": NAME, "post": ID}."""
    from hubbub.listening.matcher import QueryIndex
    from hubbub.listening.parser import QuerySyntaxError, parse
    from hubbub.sources.files.connector import FileSource

    index = QueryIndex()
    names: dict[int, str] = {}
    for n, line in enumerate(queries.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            text = record["query"] if isinstance(record, dict) else str(record)
            name = (
                str(record.get("name") or record.get("id") or n)
                if isinstance(record, dict)
                else str(n)
            )
            index.add(n, parse(text))
            names[n] = name
        except QuerySyntaxError as exc:
            err.print(f"{queries}:{n}: query not used: {syntax_error(exc)}", highlight=False)
        except (ValueError, KeyError, TypeError) as exc:
            err.print(f"{queries}:{n}: not a query record: {exc}", highlight=False)
    sink = out.open("w", encoding="utf-8") if out else sys.stdout
    source = FileSource({"path": str(posts)})
    try:
        while True:
            batch = source.next_batch()
            for e in batch.errors:
                err.print(f"{posts}: {e}", highlight=False)
            for post in batch.posts:
                for query_id in sorted(int(str(q)) for q in index.match(post)):
                    sink.write(
                        json.dumps({"query": names[query_id], "post": post.external_id}) + "\n"
                    )
            if batch.done:
                break
    finally:
        source.close()
        if out:
            sink.close()
