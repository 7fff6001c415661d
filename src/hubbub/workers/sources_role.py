"""The source runner, once across the cluster: connectors with a single cursor
(one Jetstream connection, one feed) must not run twice. Every worker with
the role asks for the lease; the one holding it polls the sources and
publishes their batches, renewing the lease between batches. When it dies,
its lease lapses and another worker takes over from the stored cursors."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

from hubbub.bus.base import Bus
from hubbub.config import Settings
from hubbub.pipeline.runner import Pipeline, SourceRunner
from hubbub.post import utcnow
from hubbub.workers.lease import SOURCES_LEASE, Lease
from hubbub.workers.store import prune_processed
from hubbub.workers.transient import is_transient

log = logging.getLogger(__name__)

# batches one source may publish before the lease is renewed and the others get a turn
BATCHES_PER_TURN = 20
PRUNE_EVERY = 3600.0


def run_sources_role(
    engine: Engine,
    settings: Settings,
    bus: Bus,
    holder: str,
    stop: threading.Event,
    ttl: float = 30.0,
) -> None:
    lease = Lease(engine, SOURCES_LEASE, holder, ttl)
    # stages=(): this pipeline only publishes; the stage workers consume
    runner = SourceRunner(engine, Pipeline(engine, settings, bus=bus, stages=()))
    held = False
    since_prune = PRUNE_EVERY
    try:
        while not stop.is_set():
            wait = ttl / 3
            try:
                now_held = lease.acquire()
            except Exception as exc:  # the store is away: we cannot know we hold it
                log.warning("cannot renew the sources lease: %r", exc)
                now_held = False
            if now_held != held:
                log.info("sources lease %s by %s", "taken" if now_held else "lost", holder)
                if not now_held:
                    runner.close()  # reopen from the stored cursors if we get it back
                held = now_held
            if not held:
                stop.wait(ttl / 3)
                continue
            try:
                _one_turn(runner, lease, stop)
                wait = min(wait, max(0.5, runner.next_wakeup(default=wait)))
                since_prune += ttl / 3
                if since_prune >= PRUNE_EVERY:
                    prune_processed(engine)
                    since_prune = 0.0
            except Exception as exc:
                if not is_transient(exc):
                    log.exception("polling sources failed")
                else:
                    log.warning("polling sources: %r", exc)
            stop.wait(wait)
    finally:
        runner.close()
        if held:
            try:
                lease.release()
            except Exception:
                log.warning("could not release the sources lease; it lapses in %ss", ttl)


def _one_turn(runner: SourceRunner, lease: Lease, stop: threading.Event) -> None:
    for row in runner.due_sources(utcnow()):
        if stop.is_set() or not lease.acquire():  # renew, and stop if someone else has it
            return
        runner.run_source(row, max_batches=BATCHES_PER_TURN)
