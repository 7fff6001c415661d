"""A lease in the database: at most one holder of a named role across the
cluster. The holder renews it well before it lapses; if the holder dies, the
lease expires and the next worker to ask takes it over.

Times are the workers' UTC clocks: keep them in sync (NTP) to well under the
lease's time to live.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta

from sqlalchemy import Engine, delete, or_, select, update

from hubbub.post import utcnow
from hubbub.store.posts import dialect_insert
from hubbub.store.tables import leases

SOURCES_LEASE = "sources"


def holder_id() -> str:
    """Who this process is, for the leases table and the operator reading it."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Lease:
    def __init__(self, engine: Engine, name: str, holder: str, ttl: float = 30.0) -> None:
        self.engine = engine
        self.name = name
        self.holder = holder
        self.ttl = timedelta(seconds=ttl)

    def acquire(self) -> bool:
        """Take the lease if it is free or lapsed, or renew it if we hold it.
        True if we hold it afterwards."""
        now = utcnow()
        with self.engine.begin() as conn:
            taken = conn.execute(
                dialect_insert(conn, leases)
                .values(
                    name=self.name, holder=self.holder, expires_at=now + self.ttl, acquired_at=now
                )
                .on_conflict_do_nothing()
                .returning(leases.c.name)  # rowcount is -1 here on psycopg
            ).first()
            if taken is not None:
                return True
            # one statement, so two workers racing for a lapsed lease cannot both win
            renewed = conn.execute(
                update(leases)
                .where(
                    leases.c.name == self.name,
                    or_(leases.c.holder == self.holder, leases.c.expires_at < now),
                )
                .values(holder=self.holder, expires_at=now + self.ttl)
                .returning(leases.c.name)
            ).first()
        return renewed is not None

    def release(self) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                delete(leases).where(leases.c.name == self.name, leases.c.holder == self.holder)
            )

    def current_holder(self) -> str | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(leases.c.holder, leases.c.expires_at).where(leases.c.name == self.name)
            ).first()
        if row is None:
            return None
        expires = row.expires_at
        if expires.tzinfo is None:  # SQLite keeps the naive UTC value
            expires = expires.replace(tzinfo=utcnow().tzinfo)
        return str(row.holder) if expires > utcnow() else None
