"""`hubbub serve`: the web UI and API, with the sources polled in the same process."""

from __future__ import annotations

import logging
import signal
import threading
from typing import Annotated

import typer
from rich.console import Console

from hubbub.interfaces.cli.common import workspace
from hubbub.workspace import Workspace

console = Console()
log = logging.getLogger(__name__)


def register(app: typer.Typer) -> None:
    app.command()(serve)


def _poll_sources(ws: Workspace, stop: threading.Event) -> None:
    from hubbub.pipeline.runner import Pipeline, SourceRunner

    runner = SourceRunner(ws.engine, Pipeline(ws.engine, ws.settings))
    try:
        while not stop.is_set():
            try:
                runner.run_once()
            except Exception:  # keep serving even if the store hiccups
                log.exception("polling sources failed")
            stop.wait(min(30.0, max(1.0, runner.next_wakeup())))
    finally:
        runner.close()


def _exit_on_sigterm(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def run_server(ws: Workspace, host: str, port: int, ingest: bool = True) -> None:
    import uvicorn

    from hubbub.actions.routing import ensure_default_routing
    from hubbub.interfaces.app import create_app

    ensure_default_routing(ws.engine)  # idempotent: teams and shipped rules on a new store
    stop = threading.Event()
    poller = threading.Thread(
        target=_poll_sources, args=(ws, stop), name="hubbub-sources", daemon=True
    )
    if ingest:
        poller.start()
    # service levels, snooze wake-ups and notifications, also on a web
    # node (--no-ingest): the "scheduler" lease keeps it to one per cluster
    from hubbub.inbox.scheduler import start_scheduler

    scheduler = start_scheduler(ws.engine, ws.settings, stop)
    # uvicorn re-raises a SIGTERM after its graceful shutdown; as SystemExit
    # instead of the default handler's instant death, the finally below runs
    # and the scheduler hands its lease back at once
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        uvicorn.run(create_app(ws.settings), host=host, port=port, log_level="info")
    finally:
        stop.set()
        if ingest:
            poller.join(timeout=5)
        scheduler.join(timeout=5)


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to bind (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000).")] = None,
    ingest: Annotated[
        bool | None,
        typer.Option(
            "--ingest/--no-ingest",
            help="Also poll the sources (default: yes, unless HUBBUB_NATS_URL makes "
            "this a web node beside `hubbub worker`).",
        ),
    ] = None,
) -> None:
    """Serve the web UI and the REST API (and poll sources, on the embedded default)."""
    ws = workspace(ctx)
    if ingest is None:
        # At scale the workers hold the sources lease; a web node only serves.
        ingest = not ws.settings.nats_url
    h = host or ws.settings.host
    p = port or ws.settings.port
    console.print(f"Hubbub on http://{h}:{p}/ (API: /api/v1)")
    run_server(ws, h, p, ingest)
