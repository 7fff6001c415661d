"""Commands that move posts: ingest, import, enrich, reenrich, search, demo."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from hubbub.demo.live import HN_URL as LIVE_HN_URL
from hubbub.demo.live import JETSTREAM_URL as LIVE_JETSTREAM_URL
from hubbub.interfaces.cli.common import err, fail, workspace
from hubbub.interfaces.cli.output import one_line, posts_table
from hubbub.workspace import Workspace

console = Console()


def register(app: typer.Typer) -> None:
    app.command()(ingest)
    app.command("import")(import_file)
    app.command()(enrich)
    app.command()(reenrich)
    app.command()(search)
    app.command()(demo)


def ingest(
    ctx: typer.Context,
    follow: Annotated[
        bool, typer.Option("--follow", help="Keep polling until interrupted.")
    ] = False,
    source: Annotated[str | None, typer.Option(help="Only this source (id or name).")] = None,
) -> None:
    """Fetch every due source once (or keep following them) through the pipeline."""
    from hubbub.actions.sources import SourceNotFound, find_source
    from hubbub.pipeline.runner import Pipeline, SourceRunner

    ws = workspace(ctx)
    only = None
    if source is not None:
        try:
            only = [find_source(ws.engine, source)]
        except SourceNotFound as exc:
            fail(str(exc))
    runner = SourceRunner(ws.engine, Pipeline(ws.engine, ws.settings))
    try:
        while True:
            stored = runner.run_once(only)
            console.print(f"Stored {stored:,} new posts.")
            if not follow:
                break
            time.sleep(max(1.0, runner.next_wakeup()))
    except KeyboardInterrupt:
        console.print("Stopped.")
    finally:
        runner.close()
    from hubbub.analytics.status import workspace_status

    found = workspace_status(ws.engine, ws.settings.source_failing_after)["sources"]
    failing = [s for s in found if s["state"] in ("failing", "backing off")]
    for s in failing:
        err.print(
            f"source {s['id']} ({one_line(s['name'])}) is {s['state']}: {one_line(s['last_error'], 300)}"
        )


def import_file(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help="JSONL or CSV in the import schema (docs/import-format.md).")
    ],
    platform: Annotated[str, typer.Option(help="Platform for records that name none.")] = "import",
    format_: Annotated[
        str | None, typer.Option("--format", help="jsonl or csv (default: by extension).")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(help="Pipeline processes (default: every core for files over 4 MB, else 1)."),
    ] = None,
) -> None:
    """Import posts from a file through the whole pipeline. Importing the same
    file again adds only what is new."""
    import os

    from hubbub.pipeline.messages import PostBatch
    from hubbub.pipeline.parallel import ParallelPipeline
    from hubbub.pipeline.runner import Pipeline
    from hubbub.sources.files.connector import FileSource

    if not file.is_file():
        fail(f"no such file: {file}")
    ws = workspace(ctx)
    settings: dict[str, object] = {"path": str(file), "platform": platform}
    if format_:
        settings["format"] = format_
    source = FileSource(settings)
    if workers is None:
        workers = (os.cpu_count() or 1) if file.stat().st_size > 4 * 2**20 else 1
    pipeline: Pipeline | ParallelPipeline = (
        ParallelPipeline(ws.engine, ws.settings, workers)
        if workers > 1
        else Pipeline(ws.engine, ws.settings)
    )
    rejected = 0
    columns = (TextColumn("Importing"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    try:
        with Progress(*columns, console=err) as progress:
            task = progress.add_task("import", total=file.stat().st_size)
            while True:
                batch = source.next_batch()
                for e in batch.errors:
                    progress.console.print(
                        f"[yellow]skipped[/yellow] {file.name} {one_line(str(e), 300)}"
                    )
                pipeline.submit(PostBatch(posts=batch.posts, errors=batch.errors))
                rejected += len(batch.errors)
                progress.update(
                    task, completed=(batch.cursor or source.snapshot()).get("offset", 0)
                )
                if batch.done:
                    break
            pipeline.flush()
    finally:
        source.close()
        pipeline.close()
    stored = sum(len(e.post_ids) for e in pipeline.stored)
    skipped = sum(e.duplicates_skipped for e in pipeline.stored)
    console.print(
        f"Imported {stored:,} new posts ({skipped:,} already stored, {rejected:,} rejected)."
    )


def enrich(
    in_: Annotated[Path, typer.Option("--in", help="JSONL (or CSV) posts in the import schema.")],
    out: Annotated[
        Path, typer.Option("--out", help="JSONL of the same posts with their enrichments.")
    ],
) -> None:
    """Enrich posts from a file (language, sentiment, duplicates). Nothing is stored."""
    from hubbub import plugins
    from hubbub.config import load_settings
    from hubbub.pipeline.messages import PostBatch
    from hubbub.pipeline.normalize import normalize
    from hubbub.pipeline.stages import EnrichStage
    from hubbub.post import utcnow
    from hubbub.sources.files.connector import FileSource
    from hubbub.sources.files.schema import post_to_record

    stage = EnrichStage(plugins.enrichers(load_settings()))
    source = FileSource({"path": str(in_)})
    count = 0
    try:
        with out.open("w", encoding="utf-8") as sink:
            while True:
                batch = source.next_batch()
                for e in batch.errors:
                    err.print(f"skipped {in_.name} {one_line(str(e), 300)}")
                enriched = stage(normalize(PostBatch(posts=batch.posts), utcnow()))
                for e in enriched.errors:
                    err.print(f"note: {one_line(str(e), 300)}")
                for post in enriched.posts:
                    sink.write(
                        json.dumps(post_to_record(post), ensure_ascii=False, default=str) + "\n"
                    )
                    count += 1
                if batch.done:
                    break
    finally:
        source.close()
    err.print(f"Enriched {count:,} posts into {out}.")


def reenrich(
    ctx: typer.Context,
    since: Annotated[
        str, typer.Option(help="Posts created in this window (12h, 30d, 2w), or 'all'.")
    ] = "30d",
    enricher: Annotated[
        list[str] | None,
        typer.Option(
            "--enricher", help="Only this enricher (repeat for several). Default: all but dedup."
        ),
    ] = None,
) -> None:
    """Re-run the enrichers over stored posts, after a model or setting changed
    (`hubbub train intent`, sentiment_model, sentiment_languages). Matches follow;
    conversations are not opened or moved."""
    from hubbub import plugins
    from hubbub.actions.reenrich import reenrich, rerunnable, stored_post_ids
    from hubbub.analytics.query_preview import since_from

    ws = workspace(ctx)
    try:
        start = since_from(since)
        chosen = rerunnable(plugins.enrichers(ws.settings), enricher)
    except ValueError as exc:  # NotRerunnable too
        fail(str(exc))
    with ws.engine.connect() as conn:
        ids = stored_post_ids(conn, start)
    names = ", ".join(e.name for e in chosen)
    columns = (TextColumn(f"Re-enriching ({names})"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeRemainingColumn(), console=err) as progress:
        task = progress.add_task("reenrich", total=len(ids))
        report = reenrich(
            ws.engine,
            chosen,
            ids,
            batch_size=ws.settings.batch_size,
            progress=lambda done, total: progress.update(task, completed=done),
        )
    for problem in report.errors[:20]:
        err.print(f"[yellow]note:[/yellow] {one_line(problem, 300)}")
    changed = ", ".join(f"{n} {report.changed.get(n, 0):,}" for n in report.enrichers)
    console.print(
        f"Re-enriched {report.posts:,} posts; results changed: {changed}; "
        f"{report.matches_added:,} new query matches."
    )


def search(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help="A listening query.")],
    limit: Annotated[int, typer.Option(help="How many posts, newest first.")] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False,
) -> None:
    """Search stored posts with the listening-query language."""
    from hubbub.interfaces.cli.commands_queries import syntax_error
    from hubbub.listening.parser import QuerySyntaxError, parse
    from hubbub.listening.search import search as run_search
    from hubbub.sources.files.schema import post_to_record
    from hubbub.store.posts import load_posts

    try:
        node = parse(query)
    except QuerySyntaxError as exc:
        fail(syntax_error(exc))
    ws = workspace(ctx)
    with ws.engine.connect() as conn:
        found = load_posts(conn, run_search(conn, node, limit=limit), with_enrichments=True)
    if as_json:
        for post in found:
            sys.stdout.write(
                json.dumps(
                    {"db_id": post.id, **post_to_record(post)}, ensure_ascii=False, default=str
                )
                + "\n"
            )
        return
    console.print(posts_table(found, title=f"{len(found)} newest matches"))


def demo(
    ctx: typer.Context,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the UI afterwards.")
    ] = True,
    host: Annotated[str | None, typer.Option(help="Address to serve on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to serve on.")] = None,
    live: Annotated[
        bool,
        typer.Option(
            "--live",
            help="Listen to real posts (needs internet): the Bluesky firehose through "
            "Jetstream and Hacker News searches, with queries made for them.",
        ),
    ] = False,
    corpus: Annotated[
        bool | None,
        typer.Option(
            "--corpus/--no-corpus",
            help="Load the fictional corpus (default: yes, but not with --live).",
        ),
    ] = None,
    jetstream_url: Annotated[
        str, typer.Option("--jetstream-url", help="Jetstream server for --live.")
    ] = LIVE_JETSTREAM_URL,
    hn_url: Annotated[
        str, typer.Option("--hn-url", help="HN Search (Algolia) API for --live.")
    ] = LIVE_HN_URL,
    appview_url: Annotated[
        str | None,
        typer.Option(
            "--appview-url",
            help="Bluesky AppView asked for authors' handles in --live "
            "(default: the bluesky source's, https://public.api.bsky.app).",
        ),
    ] = None,
) -> None:
    """Load the demo corpus (a fictional company) through the real pipeline, then
    serve. With --live, listen to the real Bluesky firehose and Hacker News."""
    from hubbub.demo.people import setup_demo_people
    from hubbub.workspace import api_token

    ws = workspace(ctx)
    email, password = setup_demo_people(ws.engine, ws.settings.home)
    if corpus if corpus is not None else not live:
        _load_corpus(ws)
    if live:
        _add_live_sources(ws, jetstream_url, hn_url, appview_url)
    console.print(
        f"Sign in as [bold]{email}[/bold] with password [bold]{password}[/bold] "
        "(every demo account, e.g. casey@demo.example, an agent in customer service, "
        f"has it; kept in {ws.settings.home / 'demo_password'}).",
        soft_wrap=True,
    )
    if serve:
        from hubbub.interfaces.cli.commands_serve import run_server

        h = host or ws.settings.host
        p = port or ws.settings.port
        console.print(f"Open [bold]http://{h}:{p}/inbox[/bold]")
        # soft_wrap: a token broken across lines cannot be copied
        console.print(
            f"REST API: http://{h}:{p}/api/v1  token: {api_token(ws.settings)}", soft_wrap=True
        )
        run_server(ws, h, p)
    elif live:
        console.print("Run [bold]hubbub serve[/bold] to start listening.")


def _load_corpus(ws: Workspace) -> None:
    from hubbub.demo.loader import load_demo

    with Progress(console=err) as progress:
        task = progress.add_task("Loading demo corpus", total=None)
        summary = load_demo(
            ws.engine,
            ws.settings,
            progress=lambda done, total: progress.update(task, completed=done, total=total),
        )
    console.print(
        f"Demo workspace at {ws.settings.home}: {summary['stored']:,} new posts, "
        f"{summary['queries']:,} queries ({summary['skipped']:,} posts already there)."
    )


def _add_live_sources(
    ws: Workspace, jetstream_url: str, hn_url: str, appview_url: str | None
) -> None:
    from hubbub.demo.loader import load_live_demo
    from hubbub.sources.base import ConfigError

    try:
        summary = load_live_demo(ws.engine, jetstream_url, hn_url, appview_url)
    except ConfigError as exc:  # a malformed --jetstream-url, --hn-url or --appview-url
        fail(str(exc))
    console.print(
        f"Live demo at {ws.settings.home}: {summary['queries']:,} new queries; "
        f"sources: {', '.join(summary['sources'])}. Every Bluesky post (about 50 a second) "
        "is stored; the queries pick out coffee, AI, programming, open source, outages "
        "and hiring."
    )
