"""Configuring sources and recording their health."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from hubbub.bus.base import Bus
from hubbub.events import EVENTS_SUBJECT, SourceFailed
from hubbub.plugins import source_kinds
from hubbub.post import utcnow
from hubbub.sources.base import ConfigError
from hubbub.store.tables import sources

MAX_BACKOFF = timedelta(hours=1)


class SourceNotFound(LookupError):
    pass


def add_source(engine: Engine, kind: str, settings: dict[str, Any], name: str | None = None) -> int:
    kinds = source_kinds()
    if kind not in kinds:
        raise ConfigError(f"unknown source kind {kind!r}; known kinds: {', '.join(sorted(kinds))}")
    kinds[kind](settings, None)  # validates the settings; raises ConfigError
    name = name or f"{kind}:{settings.get('url') or settings.get('path') or 'source'}"
    with engine.begin() as conn:
        if conn.execute(select(sources.c.id).where(sources.c.name == name)).first():
            raise ConfigError(f"a source named {name!r} already exists")
        return int(
            conn.execute(
                insert(sources).values(
                    kind=kind,
                    name=name,
                    settings=settings,
                    cursor=None,
                    enabled=True,
                    created_at=utcnow(),
                    consecutive_failures=0,
                    items_ingested=0,
                    items_rejected=0,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        )


def find_source(engine: Engine, ref: str | int) -> int:
    with engine.connect() as conn:
        if isinstance(ref, int) or str(ref).isdigit():
            row = conn.execute(select(sources.c.id).where(sources.c.id == int(ref))).first()
        else:
            row = conn.execute(select(sources.c.id).where(sources.c.name == ref)).first()
    if row is None:
        raise SourceNotFound(f"no source {ref!r}")
    return int(row.id)


def remove_source(engine: Engine, ref: str | int) -> None:
    source_id = find_source(engine, ref)
    with engine.begin() as conn:
        conn.execute(delete(sources).where(sources.c.id == source_id))


def set_enabled(engine: Engine, ref: str | int, enabled: bool) -> None:
    source_id = find_source(engine, ref)
    with engine.begin() as conn:
        conn.execute(update(sources).where(sources.c.id == source_id).values(enabled=enabled))


def record_failure(
    engine: Engine,
    source_id: int,
    error: str,
    base_interval: float,
    bus: Bus | None = None,
    retry_after: float | None = None,
) -> None:
    """Save the error on the source and push its next run back: exponential
    backoff with jitter, capped, so a failing source is shown failing and
    retried ever more slowly rather than hammered."""
    now = utcnow()
    with engine.begin() as conn:
        row = conn.execute(
            select(sources.c.consecutive_failures).where(sources.c.id == source_id)
        ).first()
        if row is None:
            return
        failures = row.consecutive_failures + 1
        delay = min(timedelta(seconds=base_interval * 2 ** min(failures, 12)), MAX_BACKOFF)
        delay *= random.uniform(0.5, 1.0)
        if retry_after is not None:  # the server said when: never sooner than that
            delay = max(delay, timedelta(seconds=retry_after))
        conn.execute(
            update(sources)
            .where(sources.c.id == source_id)
            .values(
                last_error=error[:4000],
                last_error_at=now,
                consecutive_failures=failures,
                next_run_at=now + delay,
            )
        )
    if bus is not None:
        bus.publish(
            EVENTS_SUBJECT, SourceFailed(source_id=source_id, error=error[:4000]).to_message()
        )


def record_run(engine: Engine, source_id: int, next_run_at: Any) -> None:
    with engine.begin() as conn:
        conn.execute(
            update(sources)
            .where(sources.c.id == source_id)
            .values(last_run_at=utcnow(), next_run_at=next_run_at)
        )
