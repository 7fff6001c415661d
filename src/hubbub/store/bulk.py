"""Many rows in one INSERT ... ON CONFLICT DO NOTHING RETURNING, the way each
engine does it fastest.

On PostgreSQL the rows go as one array per column through ``unnest``: the
statement's text is the same for every batch, so psycopg parses it once and
the server prepares it once. SQLAlchemy's own multi-row form (insertmanyvalues)
writes a new ``VALUES (...), (...)`` text for every batch size, with one
parameter per value, and psycopg re-parses that text each time: for a batch
of 500 posts, 13,000 parameters, which was ~20 % of a worker's CPU
(docs/deploy.md). SQLite keeps SQLAlchemy's form (no arrays there).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import JSON, Column, Connection, Row, String, Table
from sqlalchemy.dialects import postgresql

from hubbub.store.posts import dialect_insert


def insert_new(
    conn: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    *,
    conflict: Sequence[str],
    returning: Sequence[Column[Any]],
) -> list[Row[Any]]:
    """Insert ``rows`` (dicts with the same keys) skipping those that clash
    on ``conflict`` (a unique index's columns, or a clash within ``rows``),
    and return ``returning`` of the rows that were inserted, in no order."""
    if not rows:
        return []
    if conn.dialect.name != "postgresql":
        stmt = (
            dialect_insert(conn, table)
            .on_conflict_do_nothing(index_elements=list(conflict))
            .returning(*returning)
        )
        return list(conn.execute(stmt, list(rows)))
    names = list(rows[0])
    sql = _unnest_insert(table, tuple(names), tuple(conflict), tuple(c.name for c in returning))
    arrays = [_column_values(table.c[name], [row[name] for row in rows]) for name in names]
    return list(conn.exec_driver_sql(sql, tuple(arrays)))


def _column_values(column: Column[Any], values: list[Any]) -> list[Any]:
    if isinstance(column.type, JSON):
        # what SQLAlchemy's JSON type stores: None as the JSON value null
        return [json.dumps(v) for v in values]
    return values


_statements: dict[tuple[Any, ...], str] = {}


def _unnest_insert(
    table: Table,
    names: tuple[str, ...],
    conflict: tuple[str, ...],
    returning: tuple[str, ...],
) -> str:
    key = (table.name, names, conflict, returning)
    sql = _statements.get(key)
    if sql is None:
        dialect = postgresql.dialect()
        quote = dialect.identifier_preparer.quote
        arrays, selected = [], []
        for name in names:
            column = table.c[name]
            if isinstance(column.type, JSON):
                arrays.append("%s::text[]")
                selected.append(f"u.{quote(name)}::json")
            elif isinstance(column.type, String):
                # text[], not varchar(n)[]: an explicit cast to varchar(n) cuts
                # an over-long value silently, the insert's own cast refuses it
                arrays.append("%s::text[]")
                selected.append(f"u.{quote(name)}")
            else:
                arrays.append(f"%s::{column.type.compile(dialect=dialect)}[]")
                selected.append(f"u.{quote(name)}")
        columns = ", ".join(quote(n) for n in names)
        sql = (
            f"INSERT INTO {quote(table.name)} ({columns}) "
            f"SELECT {', '.join(selected)} FROM unnest({', '.join(arrays)}) AS u({columns}) "
            f"ON CONFLICT ({', '.join(quote(n) for n in conflict)}) DO NOTHING "
            f"RETURNING {', '.join(quote(n) for n in returning)}"
        )
        _statements[key] = sql
    return sql
