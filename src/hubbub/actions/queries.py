"""Saving listening queries, and keeping their matches consistent with history."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from uuid import uuid4

from sqlalchemy import Connection, Engine, delete, func, insert, select, update

from hubbub.bus.base import Bus
from hubbub.events import EVENTS_SUBJECT, QueryChanged
from hubbub.listening.matcher import compile_query
from hubbub.listening.parser import parse
from hubbub.listening.search import load_enrichments, uses_stored_enrichments
from hubbub.post import utcnow
from hubbub.store.posts import POST_COLUMNS, dialect_insert, row_to_post
from hubbub.store.tables import listening_queries, matches, posts

Progress = Callable[[int, int], None]  # (done, total)


class QueryNotFound(LookupError):
    pass


class DuplicateQueryName(ValueError):
    pass


def find_query(engine: Engine, ref: str | int) -> int:
    with engine.connect() as conn:
        if isinstance(ref, int) or str(ref).isdigit():
            row = conn.execute(
                select(listening_queries.c.id).where(listening_queries.c.id == int(ref))
            ).first()
        else:
            row = conn.execute(
                select(listening_queries.c.id).where(listening_queries.c.name == ref)
            ).first()
    if row is None:
        raise QueryNotFound(f"no listening query {ref!r}")
    return int(row.id)


def create_query(
    engine: Engine,
    name: str,
    query: str,
    *,
    enabled: bool = True,
    backfill: bool = True,
    progress: Progress | None = None,
    bus: Bus | None = None,
) -> int:
    """Save a query (raises QuerySyntaxError with a position if it is malformed)
    and match it against stored history, as the stream would have."""
    parse(query)
    name = name.strip()
    if not name:
        raise ValueError("a listening query needs a name")
    now = utcnow()
    with engine.begin() as conn:
        if conn.execute(
            select(listening_queries.c.id).where(listening_queries.c.name == name)
        ).first():
            raise DuplicateQueryName(f"a listening query named {name!r} already exists")
        query_id = int(
            conn.execute(
                insert(listening_queries).values(
                    name=name, query=query, enabled=enabled, created_at=now, updated_at=now
                )
            ).inserted_primary_key[0]  # type: ignore[index]
        )
    if backfill and enabled:
        backfill_query(engine, query_id, progress=progress)
    if bus is not None:
        bus.publish(EVENTS_SUBJECT, QueryChanged(query_id=query_id, action="created").to_message())
    return query_id


def update_query(
    engine: Engine,
    ref: str | int,
    *,
    query: str | None = None,
    name: str | None = None,
    enabled: bool | None = None,
    backfill: bool = True,
    progress: Progress | None = None,
    bus: Bus | None = None,
) -> int:
    """Change a query; a new text, or enabling it, re-matches stored history
    before this returns (``backfill=False``: the caller runs ``backfill_query``)."""
    query_id = find_query(engine, ref)
    values: dict[str, object] = {"updated_at": utcnow()}
    if query is not None:
        parse(query)
        values["query"] = query
    if name is not None:
        values["name"] = name.strip()
    if enabled is not None:
        values["enabled"] = enabled
    with engine.begin() as conn:
        conn.execute(
            update(listening_queries).where(listening_queries.c.id == query_id).values(**values)
        )
    if backfill and (query is not None or enabled):
        backfill_query(engine, query_id, progress=progress)
    if bus is not None:
        bus.publish(EVENTS_SUBJECT, QueryChanged(query_id=query_id, action="updated").to_message())
    return query_id


def delete_query(engine: Engine, ref: str | int, bus: Bus | None = None) -> None:
    query_id = find_query(engine, ref)
    with engine.begin() as conn:
        conn.execute(delete(matches).where(matches.c.query_id == query_id))
        conn.execute(delete(listening_queries).where(listening_queries.c.id == query_id))
    if bus is not None:
        bus.publish(EVENTS_SUBJECT, QueryChanged(query_id=query_id, action="deleted").to_message())


BACKFILL_CHUNK = 2000
log = logging.getLogger(__name__)


def request_backfill(engine: Engine, query_id: int) -> str:
    """Mark the query's backfill pending under a new run id and return the id.
    A run still going for the query stops at its next chunk: it is superseded."""
    run = uuid4().hex
    with engine.begin() as conn:
        conn.execute(
            update(listening_queries)
            .where(listening_queries.c.id == query_id)
            .values(
                backfill_state="pending",
                backfill_run=run,
                backfill_done=0,
                backfill_total=None,
                backfill_matched=None,
                backfill_error=None,
                backfill_updated_at=utcnow(),
            )
        )
    return run


def backfill_query(
    engine: Engine, query_id: int, *, progress: Progress | None = None, run: str | None = None
) -> int:
    """Re-evaluate one query over every stored post and make its matches exactly
    what the exact matcher says (adds the missing, removes the stale).
    Returns the number of matching posts.

    Progress is written to the query row with each chunk (so any web node can
    show it), as part of the chunk's own transaction. ``run`` is the id from
    ``request_backfill`` (a new one is requested when None); when a newer run
    replaces it, or the query is deleted, this one stops before its next chunk.
    """
    if run is None:
        run = request_backfill(engine, query_id)
    try:
        return _backfill(engine, query_id, run, progress)
    except Exception as exc:
        with engine.begin() as conn:
            error = f"{type(exc).__name__}: {exc}"
            _set_progress(conn, query_id, run, backfill_state="failed", backfill_error=error)
        raise


def _backfill(engine: Engine, query_id: int, run: str, progress: Progress | None) -> int:
    with engine.connect() as conn:
        text = conn.execute(
            select(listening_queries.c.query).where(listening_queries.c.id == query_id)
        ).scalar_one()
        total = conn.execute(select(func.count()).select_from(posts)).scalar_one()
    node = parse(text)
    compiled = compile_query(node)
    with_enrichments = uses_stored_enrichments(node)
    with engine.begin() as conn:
        if not _set_progress(conn, query_id, run, backfill_state="running", backfill_total=total):
            return 0  # superseded before it started
    done = matched = 0
    last_id = 0
    now = utcnow()
    while True:
        with engine.begin() as conn:
            rows = conn.execute(
                select(*POST_COLUMNS)
                .where(posts.c.id > last_id)
                .order_by(posts.c.id)
                .limit(BACKFILL_CHUNK)
            ).all()
            if not rows:
                break
            # Claim the chunk first: a newer run (or a delete) wins, and its
            # row lock keeps an older run from writing after it started.
            total = max(total, done + len(rows))
            if not _set_progress(
                conn, query_id, run, backfill_done=done + len(rows), backfill_total=total
            ):
                log.info("backfill of query %s superseded; stopping", query_id)
                return matched  # nothing written in this chunk
            last_id = rows[-1].id
            extra = load_enrichments(conn, [r.id for r in rows]) if with_enrichments else {}
            hits = [r.id for r in rows if compiled.matches(row_to_post(r, extra.get(r.id)))]
            hit_set = set(hits)
            misses = [r.id for r in rows if r.id not in hit_set]
            if hits:
                conn.execute(
                    dialect_insert(conn, matches).on_conflict_do_nothing(),
                    [{"query_id": query_id, "post_id": i, "matched_at": now} for i in hits],
                )
            if misses:
                conn.execute(
                    delete(matches).where(
                        matches.c.query_id == query_id, matches.c.post_id.in_(misses)
                    )
                )
        done += len(rows)
        matched += len(hits)
        if progress:
            progress(done, total)
    with engine.begin() as conn:
        _set_progress(
            conn,
            query_id,
            run,
            backfill_state="done",
            backfill_done=done,
            backfill_total=max(total, done),
            backfill_matched=matched,
        )
    return matched


def _set_progress(conn: Connection, query_id: int, run: str, **values: Any) -> bool:
    """Update the run's progress; False when the run is not the query's current one."""
    result = conn.execute(
        update(listening_queries)
        .where(listening_queries.c.id == query_id, listening_queries.c.backfill_run == run)
        .values(backfill_updated_at=utcnow(), **values)
    )
    return bool(result.rowcount)
