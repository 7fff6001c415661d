"""`hubbub topics`, `hubbub trends`, `hubbub campaigns`, `hubbub facets`: what
the conversation is about, what is rising, and who is posting in lockstep."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from hubbub.interfaces.cli.common import fail, workspace

console = Console()

QueryArg = Annotated[
    str | None,
    typer.Argument(
        help="A saved query's name or id, or a query text; omit (or 'all') for every post."
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _period(since: str) -> timedelta:
    from hubbub.analytics.query_preview import parse_duration

    try:
        return parse_duration(since)
    except ValueError as exc:
        fail(str(exc))


def _scope(conn: Any, query: str | None) -> Any:
    from hubbub.analytics.post_scope import resolve_scope
    from hubbub.listening.errors import QuerySyntaxError

    try:
        return resolve_scope(conn, query)
    except QuerySyntaxError as exc:
        fail(f"{exc}\n{exc.caret()}")


def _growth(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}×"


def _clip(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return escape(text if len(text) <= n else text[: n - 1] + "…")


def topics(
    ctx: typer.Context,
    query: QueryArg = None,
    since: Annotated[str, typer.Option(help="Period: 12h, 7d, 2w.")] = "7d",
    method: Annotated[
        str, typer.Option(help="auto (embeddings if the model runs here), embeddings or tfidf.")
    ] = "auto",
    max_posts: Annotated[int, typer.Option(help="Sample at most this many posts.")] = 5_000,
    max_topics: Annotated[int, typer.Option(help="At most this many topics.")] = 12,
    as_json: AsJson = False,
) -> None:
    """Cluster a query's posts of a period into labelled topics, with growth."""
    from hubbub.analytics.topics import find_topics
    from hubbub.post import utcnow

    if method not in ("auto", "embeddings", "tfidf"):
        fail("--method is one of auto, embeddings, tfidf")
    ws = workspace(ctx)
    period = _period(since)
    with ws.engine.connect() as conn:
        scope = _scope(conn, query)
        with Progress(
            TextColumn("Embedding posts"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=True,
            disable=as_json,
        ) as bar:
            task = bar.add_task("embed", total=None)
            result = find_topics(
                conn,
                scope,
                period,
                end=utcnow(),
                method=method,  # type: ignore[arg-type]
                settings=ws.settings,
                max_posts=max_posts,
                max_topics=max_topics,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    if as_json:
        print(json.dumps(result.to_dict(), default=str, indent=2))
        return
    table = Table(title=f"Topics in {escape(scope.label)}, last {since}")
    for name, justify in (("Topic", "left"), ("Posts", "right"), ("Growth", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    table.add_column("Sentiment (+/=/-)")
    table.add_column("Sample posts")
    for t in result.topics:
        mood = "/".join(str(t.sentiment.get(k, 0)) for k in ("positive", "neutral", "negative"))
        samples = "\n".join(f"• {_clip(p.text)}" for p in t.samples)
        table.add_row(escape(t.label), f"{t.estimated:,}", _growth(t.growth), mood, samples)
    console.print(table)
    note = f"{result.analysed:,} of {result.total:,} posts analysed"
    if result.sampled:
        note += " (a deterministic sample)"
    console.print(
        f"{note} with {result.method} in {result.seconds:.1f}s; {result.unclustered:,} unclustered."
    )


def trends(
    ctx: typer.Context,
    query: QueryArg = None,
    since: Annotated[str, typer.Option(help="Period, compared with the one before.")] = "7d",
    limit: Annotated[int, typer.Option(help="Terms to show.")] = 10,
    as_json: AsJson = False,
) -> None:
    """Terms and phrases that grew most against the previous period of the same length."""
    from hubbub.analytics.trends import emerging_terms
    from hubbub.post import utcnow

    ws = workspace(ctx)
    with ws.engine.connect() as conn:
        scope = _scope(conn, query)
        result = emerging_terms(conn, scope, _period(since), end=utcnow(), limit=limit)
    if as_json:
        print(json.dumps(result.to_dict(), default=str, indent=2))
        return
    table = Table(title=f"Emerging in {escape(scope.label)}, last {since} vs the {since} before")
    table.add_column("Term")
    table.add_column("Growth", justify="right")
    table.add_column("Posts (before → now)", justify="right")
    table.add_column("Accounts", justify="right")
    table.add_column("Driving posts")
    for t in result.terms:
        posts = "\n".join(f"• {_clip(p.text)}" for p in t.posts)
        table.add_row(
            escape(t.term), _growth(t.growth), f"{t.previous} → {t.current}", str(t.authors), posts
        )
    console.print(table)
    console.print(f"{result.current_total:,} posts now, {result.previous_total:,} before.")


def campaigns(
    ctx: typer.Context,
    query: QueryArg = None,
    since: Annotated[str, typer.Option(help="Look back this far.")] = "24h",
    min_accounts: Annotated[int, typer.Option(help="Distinct accounts to count as one.")] = 5,
    window_minutes: Annotated[int, typer.Option(help="Burst window in minutes.")] = 30,
    as_json: AsJson = False,
) -> None:
    """Coordinated bursts: many accounts posting near-identical text in a short window."""
    from hubbub.analytics.campaigns import find_campaigns
    from hubbub.post import utcnow

    ws = workspace(ctx)
    end = utcnow()
    with ws.engine.connect() as conn:
        scope = _scope(conn, query)
        found = find_campaigns(
            conn,
            end - _period(since),
            end,
            scope=scope,
            min_accounts=min_accounts,
            window=timedelta(minutes=window_minutes),
        )
    if as_json:
        print(json.dumps([c.to_dict() for c in found], default=str, indent=2))
        return
    if not found:
        console.print(f"No coordinated bursts in the last {since}.")
        return
    table = Table(title=f"Coordinated bursts, last {since}")
    table.add_column("Score", justify="right")
    table.add_column("Accounts", justify="right")
    table.add_column("Window (UTC)")
    table.add_column("Text")
    table.add_column("Who")
    for c in found:
        window = f"{c.window_start:%Y-%m-%d %H:%M}–{c.window_end:%H:%M}"
        who = ", ".join(c.accounts[:6]) + (" …" if len(c.accounts) > 6 else "")
        table.add_row(f"{c.score:.1f}", str(len(c.accounts)), window, _clip(c.text), escape(who))
    console.print(table)


def facets(
    ctx: typer.Context,
    query: QueryArg = None,
    since: Annotated[str, typer.Option(help="Period: 12h, 7d, 2w.")] = "7d",
    limit: Annotated[int, typer.Option(help="Values per facet.")] = 10,
    as_json: AsJson = False,
) -> None:
    """Top hashtags, mentions, domains, cashtags and key phrases."""
    from hubbub.analytics.facets import FIELDS
    from hubbub.analytics.facets import facets as compute
    from hubbub.post import utcnow

    ws = workspace(ctx)
    end = utcnow()
    with ws.engine.connect() as conn:
        scope = _scope(conn, query)
        result = compute(conn, scope, end - _period(since), end, limit=limit)
    if as_json:
        print(json.dumps(result, default=str, indent=2))
        return
    for field in FIELDS:
        table = Table(title=field.capitalize())
        table.add_column("Value")
        table.add_column("Posts", justify="right")
        for row in result[field]:
            table.add_row(escape(row["value"]), str(row["count"]))
        console.print(table)


def register(app: typer.Typer) -> None:
    for command in (topics, trends, campaigns, facets):
        app.command()(command)
