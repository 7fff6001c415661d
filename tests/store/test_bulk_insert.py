"""insert_new: the rows SQLAlchemy's own multi-row INSERT would store, on both
engines (PostgreSQL sends them as arrays through unnest)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import DataError

from hubbub.store.bulk import insert_new
from hubbub.store.tables import posts

WHEN = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
RETURNING = [posts.c.id, posts.c.platform, posts.c.external_id]


def _row(external_id: str, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "platform": "mastodon",
        "external_id": external_id,
        "url": None,
        "text": f"post {external_id}",
        "search_text": "",
        "author_followers": None,
        "created_at": WHEN,
        "ingested_at": WHEN,
        "links": None,
        "raw": None,
        "sentiment_score": None,
    }
    return row | values


def test_only_new_rows_are_inserted_and_returned(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(insert(posts), [_row("old")])
        rows = [_row("old"), _row("a"), _row("b"), _row("a", text="a clash within the batch")]
        new = insert_new(
            conn, posts, rows, conflict=["platform", "external_id"], returning=RETURNING
        )
        assert sorted(r.external_id for r in new) == ["a", "b"]
        stored = dict(conn.execute(select(posts.c.external_id, posts.c.id)).all())
    assert {r.external_id: r.id for r in new} == {"a": stored["a"], "b": stored["b"]}
    assert len(stored) == 3
    with engine.begin() as conn:
        again = insert_new(
            conn, posts, rows, conflict=["platform", "external_id"], returning=RETURNING
        )
    assert again == []


def test_values_read_back_as_the_orm_insert_stores_them(engine: Engine) -> None:
    """Each column type (JSON with null, nested and non-ASCII values, timestamps,
    integers, floats, text with quotes and NULLs) as a plain INSERT stores it."""
    varied = [
        _row(
            "x",
            url="https://example.com/a?b='c'&d=\"e\"",
            text="naïve ' \" \\ 🙂 {braces} %s %(name)s",
            author_followers=1234,
            created_at=WHEN - timedelta(days=3, microseconds=7),
            links=["https://a.example/", "https://b.example/ü"],
            raw={"nested": {"list": [1, None, "ü"]}, "flag": True},
            sentiment_score=-0.4567,
        ),
        _row("y"),  # every optional value NULL / JSON null
    ]
    with engine.begin() as conn:
        insert_new(conn, posts, varied, conflict=["platform", "external_id"], returning=RETURNING)
        conn.execute(
            insert(posts), [r | {"external_id": "orm-" + r["external_id"]} for r in varied]
        )
        columns = [posts.c[name] for name in varied[0] if name != "external_id"]
        got = {
            r.external_id: tuple(r[1:]) for r in conn.execute(select(posts.c.external_id, *columns))
        }
    assert got["x"] == got["orm-x"]
    assert got["y"] == got["orm-y"]
    x = dict(zip([c.name for c in columns], got["x"], strict=True))
    assert x["raw"] == {"nested": {"list": [1, None, "ü"]}, "flag": True}
    assert x["links"] == ["https://a.example/", "https://b.example/ü"]
    assert x["created_at"].replace(tzinfo=UTC) == WHEN - timedelta(days=3, microseconds=7)
    assert x["text"] == "naïve ' \" \\ 🙂 {braces} %s %(name)s"
    assert dict(zip([c.name for c in columns], got["y"], strict=True))["raw"] is None


def test_no_rows_is_no_statement(engine: Engine) -> None:
    with engine.begin() as conn:
        assert (
            insert_new(conn, posts, [], conflict=["platform", "external_id"], returning=RETURNING)
            == []
        )


def test_an_over_long_value_is_refused_not_cut(engine: Engine) -> None:
    """As a plain INSERT does on PostgreSQL (SQLite does not enforce lengths)."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite does not enforce VARCHAR lengths")
    too_long = [_row("x" * 501)]  # external_id is VARCHAR(500)
    with pytest.raises(DataError), engine.begin() as conn:
        conn.execute(insert(posts), too_long)
    with pytest.raises(DataError), engine.begin() as conn:
        insert_new(conn, posts, too_long, conflict=["platform", "external_id"], returning=RETURNING)
