"""One worker process: the chosen stages as JetStream consumers, and (if
asked) the lease-guarded source runner."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

from sqlalchemy import Engine

from hubbub.bus.jetstream import JetStreamOptions
from hubbub.config import Settings
from hubbub.inbox.scheduler import run_scheduler
from hubbub.store.db import open_engine
from hubbub.workers.lease import holder_id
from hubbub.workers.publish import BatchPublisher
from hubbub.workers.sources_role import run_sources_role
from hubbub.workers.stages import STAGE_NAMES, build_stage, handler
from hubbub.workers.topology import open_bus
from hubbub.workers.transient import is_transient

log = logging.getLogger(__name__)


def parse_stages(text: str) -> tuple[str, ...]:
    """``ingest,enrich`` -> the stage names, checked."""
    names = tuple(s.strip() for s in text.split(",") if s.strip())
    unknown = [s for s in names if s not in STAGE_NAMES]
    if unknown or not names:
        raise ValueError(
            f"unknown stage(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(STAGE_NAMES)}"
        )
    return names


def open_store(settings: Settings, stop: threading.Event, patience: float = 120.0) -> Engine:
    """The store, migrated; retried while it is unreachable (workers may start
    before the database, or race each other through the first migration)."""
    deadline = time.monotonic() + patience
    while True:
        try:
            return open_engine(settings)
        except Exception as exc:
            if time.monotonic() > deadline or stop.is_set():
                raise
            log.warning("store not ready (%r); retrying", exc)
            stop.wait(1.0)


def run_worker(
    settings: Settings,
    stages: Sequence[str],
    stop: threading.Event,
    *,
    concurrency: int = 1,
    sources: bool = True,
    options: JetStreamOptions | None = None,
    lease_ttl: float = 30.0,
) -> None:
    """Run until ``stop`` is set; a message in hand is finished or handed back."""
    engine = open_store(settings, stop)
    bus = open_bus(settings, options, name=f"hubbub-worker-{holder_id()}", worker=True)
    publisher = BatchPublisher(bus)
    roles: list[threading.Thread] = []
    try:
        for name in stages:
            stage = build_stage(name, engine, settings, publisher)
            bus.subscribe(stage.consumes, handler(stage, publisher))
        if sources:
            roles.append(
                threading.Thread(
                    target=run_sources_role,
                    args=(engine, settings, publisher, holder_id(), stop, lease_ttl),
                    name="hubbub-sources",
                    daemon=True,
                )
            )
        # H4: SLA checks, snooze wake-ups, notification sends (lease "scheduler")
        roles.append(
            threading.Thread(
                target=run_scheduler,
                args=(engine, settings, stop),
                name="hubbub-scheduler",
                daemon=True,
            )
        )
        for t in roles:
            t.start()
        log.info("worker running stages %s, sources role %s", ",".join(stages), sources)
        bus.run(stop, concurrency, is_transient)
    finally:
        stop.set()
        for t in roles:
            t.join(timeout=10)
        bus.close()
        engine.dispose()
