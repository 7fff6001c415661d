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
from hubbub.interfaces.cli.output import one_line

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
    since: Annotated[
        str, typer.Option(help="How far back: 12h, 30d, 2w, or 'all' for all history.")
    ] = "30d",
    limit: Annotated[int, typer.Option(min=0, help="How many sample posts to show.")] = 10,
    post: Annotated[
        list[str] | None,
        typer.Option(
            "--post", help="Explain why this stored post (id, URL or external id) matches or not."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Try a query on stored posts without saving it: how many match, per day,
    the newest with matched words highlighted, and why a given post matches or not."""
    from hubbub.analytics.query_preview import (
        SamplePost,
        explain_post,
        find_post,
        hits_json,
        preview,
        since_from,
    )
    from hubbub.interfaces.cli.preview_output import print_explanation, print_preview
    from hubbub.listening.parser import QuerySyntaxError, parse

    try:
        node = parse(query)
    except QuerySyntaxError as exc:
        fail(syntax_error(exc))
    try:
        start = since_from(since)
    except ValueError as exc:
        fail(f"--since: {exc}")
    ws = workspace(ctx)
    explained = []
    with ws.engine.connect() as conn:
        result = preview(conn, node, since=start, limit=limit)
        for ref in post or []:
            post_id = find_post(conn, ref)
            found = explain_post(conn, node, post_id) if post_id is not None else None
            if found is None:
                fail(f"--post {one_line(ref)}: no stored post with that id, URL or external id")
            explained.append(found)
    if as_json:
        body = {"query": query} | result.to_dict()
        body["explanations"] = [
            {
                "post_id": e.post.id,
                "matched": e.matched,
                "tree": e.tree.to_dict(),
                "highlights": hits_json(e.hits),
            }
            for e in explained
        ]
        print(json.dumps(body, default=str))
        return
    print_preview(console, query, result)
    for e in explained:
        print_explanation(console, SamplePost(e.post, e.hits), e.tree)


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
    Enrichments in the file (as `hubbub enrich` writes them) are used by
    sentiment:, intent:, has:media and is:repost.
    Writes one JSON line per match: {"query": NAME, "post": ID}."""
    from hubbub.listening.matcher import ENRICHMENTS_READ, QueryIndex
    from hubbub.listening.parser import QuerySyntaxError, parse
    from hubbub.sources.files.connector import FileSource
    from hubbub.sources.files.schema import lift_enrichments

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
                # `hubbub enrich` writes sentiment etc. at the top level; the file
                # source keeps them in raw, where the filters would not see them
                lift_enrichments(post, ENRICHMENTS_READ)
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
