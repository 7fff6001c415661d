"""The cluster as the CLI, API and UI show it: lag per stage, the dead
letters (list, replay, drop) and who holds the sources lease. Each call opens
a short connection; a NATS that does not answer is reported, not waited for."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import Engine

from hubbub.bus.jetstream import BusUnavailable, JetStreamBus, JetStreamOptions
from hubbub.config import Settings
from hubbub.workers.lease import SOURCES_LEASE, Lease
from hubbub.workers.topology import STAGE_OF, open_bus

T = TypeVar("T")

# an operator's look, not a worker's patience
QUICK = JetStreamOptions(connect_timeout=2.0, publish_timeout=5.0)


class ClusterUnavailable(RuntimeError):
    pass


@contextmanager
def cluster_bus(settings: Settings) -> Iterator[JetStreamBus]:
    if not settings.nats_url:
        raise ClusterUnavailable("HUBBUB_NATS_URL is not set: this workspace runs in one process")
    try:
        bus = open_bus(settings, QUICK, name="hubbub-inspect")
    except (BusUnavailable, OSError) as exc:
        raise ClusterUnavailable(str(exc)) from exc
    try:
        yield bus
    finally:
        bus.close()


def _with_bus(settings: Settings, fn: Callable[[JetStreamBus], T]) -> T:
    with cluster_bus(settings) as bus:
        try:
            return fn(bus)
        except BusUnavailable as exc:
            raise ClusterUnavailable(str(exc)) from exc


def cluster_status(settings: Settings, engine: Engine) -> dict[str, Any] | None:
    """Lag per stage, dead letters and the sources lease; None on the embedded
    default (no NATS); ``{"error": ...}`` when NATS does not answer."""
    if not settings.nats_url:
        return None
    holder = Lease(engine, SOURCES_LEASE, "").current_holder()
    try:

        def read(bus: JetStreamBus) -> dict[str, Any]:
            stages = [
                {"stage": STAGE_OF.get(x.subject, x.subject), **x.to_dict()} for x in bus.lag()
            ]
            return {"stages": stages, "dead_letters": bus.dead_letter_count()}

        found = _with_bus(settings, read)
    except ClusterUnavailable as exc:
        return {"error": str(exc), "sources_lease_holder": holder}
    return {**found, "sources_lease_holder": holder}


def list_dead_letters(
    settings: Settings, limit: int = 100, with_message: bool = False
) -> list[dict[str, Any]]:
    return _with_bus(
        settings,
        lambda bus: [d.to_dict(with_message) for d in bus.dead_letters(limit)],
    )


def replay_dead_letters(settings: Settings, seqs: list[int] | None) -> list[int]:
    """Replay the given dead letters (all when ``seqs`` is None); the replayed seqs."""

    def replay(bus: JetStreamBus) -> list[int]:
        wanted = seqs if seqs is not None else [d.seq for d in bus.dead_letters(limit=100_000)]
        return [seq for seq in wanted if bus.replay(seq) is not None]

    return _with_bus(settings, replay)


def drop_dead_letter(settings: Settings, seq: int) -> bool:
    return _with_bus(settings, lambda bus: bus.drop(seq))
