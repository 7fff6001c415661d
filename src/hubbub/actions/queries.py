"""Saving listening queries, and keeping their matches consistent with history."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine, delete, func, insert, select, update

from hubbub.bus.base import Bus
from hubbub.events import EVENTS_SUBJECT, QueryChanged
from hubbub.listening.matcher import compile_query
from hubbub.listening.parser import parse
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
    progress: Progress | None = None,
    bus: Bus | None = None,
) -> int:
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
    if query is not None or enabled:
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


def backfill_query(engine: Engine, query_id: int, *, progress: Progress | None = None) -> int:
    """Re-evaluate one query over every stored post and make its matches exactly
    what the exact matcher says (adds the missing, removes the stale).
    Returns the number of matching posts."""
    with engine.connect() as conn:
        text = conn.execute(
            select(listening_queries.c.query).where(listening_queries.c.id == query_id)
        ).scalar_one()
        total = conn.execute(select(func.count()).select_from(posts)).scalar_one()
    compiled = compile_query(parse(text))
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
            last_id = rows[-1].id
            hits = [r.id for r in rows if compiled.matches(row_to_post(r))]
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
    return matched
