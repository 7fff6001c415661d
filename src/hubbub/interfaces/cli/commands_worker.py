"""`hubbub worker`: a scale-out worker on NATS JetStream (HUBBUB_NATS_URL)."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from hubbub.interfaces.cli.common import fail

console = Console(stderr=True)


def register(app: typer.Typer) -> None:
    app.command()(worker)


def worker(
    ctx: typer.Context,
    stages: Annotated[
        str,
        typer.Option(
            help="Comma-separated stages to consume: ingest (normalize and dedupe), "
            "enrich, match, store, route (stored posts into conversations)."
        ),
    ] = "ingest,enrich,match,store,route",
    concurrency: Annotated[
        int, typer.Option(min=1, max=64, help="Pull loops per stage in this process.")
    ] = 1,
    sources: Annotated[
        bool,
        typer.Option(
            "--sources/--no-sources",
            help="Compete for the lease that runs the configured sources (once per cluster).",
        ),
    ] = True,
    ack_wait: Annotated[
        float, typer.Option(min=1.0, help="Seconds before an unacked message is redelivered.")
    ] = 30.0,
    max_deliver: Annotated[
        int, typer.Option(min=1, help="Failed attempts before a message is dead-lettered.")
    ] = 5,
    lease_ttl: Annotated[
        float, typer.Option(min=2.0, help="Seconds the sources lease lasts unless renewed.")
    ] = 30.0,
) -> None:
    """Run pipeline stages as NATS JetStream consumers (needs HUBBUB_NATS_URL)."""
    from hubbub.bus.jetstream import BusUnavailable, JetStreamOptions
    from hubbub.config import load_settings
    from hubbub.workers.node import parse_stages, run_worker

    home = (ctx.find_root().obj or {}).get("home")
    settings = load_settings(home)
    if not settings.nats_url:
        fail("HUBBUB_NATS_URL is not set: a worker needs a NATS server with JetStream")
    try:
        names = parse_stages(stages)
    except ValueError as exc:
        fail(str(exc), code=2)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        # finish the message in hand, ack it, then leave
        signal.signal(sig, lambda *_: stop.set())
    console.print(f"worker: stages {','.join(names)} · concurrency {concurrency}")
    try:
        run_worker(
            settings,
            names,
            stop,
            concurrency=concurrency,
            sources=sources,
            options=JetStreamOptions(ack_wait=ack_wait, max_deliver=max_deliver),
            lease_ttl=lease_ttl,
        )
    except BusUnavailable as exc:
        fail(str(exc))


def cluster_table(cluster: dict[str, Any]) -> Table | Text:
    """`hubbub status` on a scale-out workspace: the lag of every stage."""
    if "error" in cluster:
        return Text(f"NATS: {cluster['error']}", style="red")
    table = Table(
        "stage",
        "waiting",
        "in flight",
        "redelivered",
        title=f"Workers · dead letters: {cluster['dead_letters']:,} · sources lease: "
        f"{cluster.get('sources_lease_holder') or 'nobody'}",
        title_justify="left",
    )
    for s in cluster["stages"]:
        table.add_row(
            s["stage"], f"{s['pending']:,}", f"{s['in_flight']:,}", f"{s['redelivered']:,}"
        )
    return table
