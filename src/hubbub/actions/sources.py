"""Configuring sources and recording their health."""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update

from hubbub.bus.base import Bus
from hubbub.events import EVENTS_SUBJECT, SourceFailed
from hubbub.plugins import source_kinds
from hubbub.post import utcnow
from hubbub.sources.base import ConfigError
from hubbub.store.credentials import (
    CredentialCipher,
    CredentialError,
    reveal_settings,
    scrub,
    seal_settings,
    secret_names,
)
from hubbub.store.tables import sources

MAX_BACKOFF = timedelta(hours=1)
MAX_ERROR_CHARS = 4000


class SourceNotFound(LookupError):
    pass


def add_source(
    engine: Engine,
    kind: str,
    settings: dict[str, Any],
    name: str | None = None,
    *,
    cipher: CredentialCipher | None = None,
) -> int:
    """Check the settings with the connector and save the source, its
    credentials encrypted with ``cipher`` (required when there are any)."""
    _check_settings(kind, settings)
    stored = _sealed(kind, settings, cipher)
    name = name or f"{kind}:{settings.get('url') or settings.get('path') or 'source'}"
    with engine.begin() as conn:
        if conn.execute(select(sources.c.id).where(sources.c.name == name)).first():
            raise ConfigError(f"a source named {name!r} already exists")
        return int(
            conn.execute(
                insert(sources).values(
                    kind=kind,
                    name=name,
                    settings=stored,
                    cursor=None,
                    enabled=True,
                    created_at=utcnow(),
                    consecutive_failures=0,
                    items_ingested=0,
                    items_rejected=0,
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        )


def update_settings(
    engine: Engine,
    ref: str | int,
    changes: dict[str, Any],
    cipher: CredentialCipher,
    *,
    unset: Iterable[str] = (),
) -> None:
    """Change some settings of a source (``unset``: back to their defaults).
    Every credential is encrypted again on the way, plain ones from before too."""
    source_id = find_source(engine, ref)
    with engine.connect() as conn:
        row = conn.execute(
            select(sources.c.kind, sources.c.name, sources.c.settings).where(
                sources.c.id == source_id
            )
        ).one()
    current = reveal_settings(row.kind, row.settings or {}, cipher, row.name)
    merged = {k: v for k, v in {**current, **changes}.items() if k not in set(unset)}
    _check_settings(row.kind, merged)
    stored = _sealed(row.kind, merged, cipher)
    with engine.begin() as conn:
        # new settings deserve a prompt try, not the old backoff
        conn.execute(
            update(sources)
            .where(sources.c.id == source_id)
            .values(settings=stored, next_run_at=None)
        )


@dataclass
class RekeyReport:
    resealed: int = 0  # credentials now encrypted with the first key
    failed: list[str] = field(default_factory=list)  # why a credential could not be


def rekey_sources(engine: Engine, cipher: CredentialCipher) -> RekeyReport:
    """Encrypt every stored credential with the first key: after a key is added
    in front (rotation) and for values stored before encryption existed. A
    credential no key opens is reported and left as it is; the others go on."""
    report = RekeyReport()
    with engine.begin() as conn:
        rows = conn.execute(
            select(sources.c.id, sources.c.kind, sources.c.name, sources.c.settings)
        )
        for row in rows.all():
            settings = dict(row.settings or {})
            changed = False
            for key in secret_names(row.kind, settings):
                value = settings[key]
                if not isinstance(value, str) or not value:
                    continue
                try:
                    settings[key] = cipher.reseal(value, f"setting {key!r} of source {row.name!r}")
                except CredentialError as exc:
                    report.failed.append(str(exc))
                    continue
                changed = True
                report.resealed += 1
            if changed:
                conn.execute(
                    update(sources).where(sources.c.id == row.id).values(settings=settings)
                )
    return report


def _check_settings(kind: str, settings: dict[str, Any]) -> None:
    kinds = source_kinds()
    if kind not in kinds:
        raise ConfigError(f"unknown source kind {kind!r}; known kinds: {', '.join(sorted(kinds))}")
    kinds[kind](settings, None).close()  # validates the settings; raises ConfigError


def _sealed(kind: str, settings: dict[str, Any], cipher: CredentialCipher | None) -> dict[str, Any]:
    if cipher is None:
        if secret_names(kind, settings):
            # never store a credential in the clear, not even by a caller's oversight
            raise ConfigError(f"{kind}: credentials need the workspace key to be stored")
        return dict(settings)
    return seal_settings(kind, settings, cipher)


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


def backoff_delay(
    failures: int,
    base_interval: float,
    rng: random.Random | None = None,
    retry_after: float | None = None,
) -> timedelta:
    """How long to wait after ``failures`` failures in a row: the interval
    doubled per failure, capped at MAX_BACKOFF, times a random 0.5-1.0 (jitter:
    sources that failed together do not all come back at once); never sooner
    than the server's Retry-After."""
    delay = min(timedelta(seconds=base_interval * 2 ** min(failures, 12)), MAX_BACKOFF)
    delay *= (rng or random).uniform(0.5, 1.0)
    if retry_after is not None:  # the server said when: never sooner than that
        delay = max(delay, timedelta(seconds=retry_after))
    return delay


def record_failure(
    engine: Engine,
    source_id: int,
    error: str,
    base_interval: float,
    bus: Bus | None = None,
    retry_after: float | None = None,
    *,
    secrets: Iterable[str] = (),
    rng: random.Random | None = None,
) -> None:
    """Save the error on the source and push its next run back (see
    ``backoff_delay``), so a failing source is shown failing and retried ever
    more slowly rather than hammered. ``secrets`` are the source's credentials,
    blanked out of the stored and published message."""
    error = scrub(error, secrets)[:MAX_ERROR_CHARS]
    now = utcnow()
    with engine.begin() as conn:
        row = conn.execute(
            select(sources.c.consecutive_failures).where(sources.c.id == source_id)
        ).first()
        if row is None:
            return
        failures = row.consecutive_failures + 1
        delay = backoff_delay(failures, base_interval, rng, retry_after)
        conn.execute(
            update(sources)
            .where(sources.c.id == source_id)
            .values(
                last_error=error,
                last_error_at=now,
                last_run_at=now,
                consecutive_failures=failures,
                next_run_at=now + delay,
            )
        )
    if bus is not None:
        bus.publish(EVENTS_SUBJECT, SourceFailed(source_id=source_id, error=error).to_message())


def record_run(engine: Engine, source_id: int, next_run_at: Any) -> None:
    """A run that raised nothing: the source works, whether or not it had news."""
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            update(sources)
            .where(sources.c.id == source_id)
            .values(
                last_run_at=now,
                last_success_at=now,
                consecutive_failures=0,
                next_run_at=next_run_at,
            )
        )
