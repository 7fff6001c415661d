"""The scheduler: every few seconds, mark service-level breaches, wake snoozed
conversations whose time has come, and send pending notifications.

One loop per cluster: whoever runs it (``hubbub serve``'s thread, or a worker)
holds the "scheduler" lease first. The lease only saves work: every step is
safe to run twice at once (breaches are marked by a conditional UPDATE,
deliveries are claimed one by one), so a lapse during a long tick costs
nothing but a duplicate check.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from hubbub.actions.conversations import wake_snoozed
from hubbub.actions.sla import check_breaches
from hubbub.bus.base import Bus
from hubbub.config import Settings
from hubbub.notify.deliver import DeliveryResult, run_deliveries
from hubbub.post import utcnow
from hubbub.workers.lease import Lease, holder_id

log = logging.getLogger(__name__)

SCHEDULER_LEASE = "scheduler"


@dataclass
class TickResult:
    breaches: int = 0
    woken: int = 0
    deliveries: DeliveryResult = field(default_factory=DeliveryResult)
    errors: list[str] = field(default_factory=list)


def run_once(
    engine: Engine, settings: Settings, now: datetime | None = None, bus: Bus | None = None
) -> TickResult:
    """One tick; a failing step is logged and does not stop the others."""
    now = now or utcnow()
    result = TickResult()
    try:
        result.breaches = check_breaches(engine, now, bus)
    except Exception as exc:
        log.exception("checking service levels failed")
        result.errors.append(f"sla: {exc!r}")
    try:
        result.woken = wake_snoozed(engine, now)
    except Exception as exc:
        log.exception("waking snoozed conversations failed")
        result.errors.append(f"snooze: {exc!r}")
    try:
        # after the checks, so a breach found this tick is e-mailed this tick
        result.deliveries = run_deliveries(engine, settings, now)
    except Exception as exc:
        log.exception("delivering notifications failed")
        result.errors.append(f"notify: {exc!r}")
    return result


def run_scheduler(
    engine: Engine,
    settings: Settings,
    stop: threading.Event,
    *,
    bus: Bus | None = None,
    holder: str | None = None,
    interval: float | None = None,
) -> None:
    """Tick every ``interval`` seconds while holding the scheduler lease, until
    ``stop`` is set."""
    every = interval or settings.scheduler_interval_seconds
    ttl = max(30.0, 3 * every)  # renewed every tick, so it outlives a slow one
    lease = Lease(engine, SCHEDULER_LEASE, holder or holder_id(), ttl)
    held = False
    try:
        while not stop.is_set():
            try:
                now_held = lease.acquire()
            except Exception as exc:  # the store is away: we cannot know we hold it
                log.warning("cannot renew the scheduler lease: %r", exc)
                now_held = False
            if now_held != held:
                log.info("scheduler lease %s by %s", "taken" if now_held else "lost", lease.holder)
                held = now_held
            if held:
                run_once(engine, settings, bus=bus)
            stop.wait(every)
    finally:
        if held:
            try:
                lease.release()
            except Exception:
                log.warning("could not release the scheduler lease; it lapses in %ss", ttl)


def start_scheduler(
    engine: Engine, settings: Settings, stop: threading.Event, *, bus: Bus | None = None
) -> threading.Thread:
    """The scheduler on a daemon thread (``hubbub serve``, workers)."""
    thread = threading.Thread(
        target=run_scheduler,
        args=(engine, settings, stop),
        kwargs={"bus": bus},
        name="hubbub-scheduler",
        daemon=True,
    )
    thread.start()
    return thread
