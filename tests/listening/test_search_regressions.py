"""Disagreements between stream matching and history search found by
test_stream_equals_history, each pinned by an example (both databases)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, update

from hubbub.config import Settings
from hubbub.listening.parser import parse
from hubbub.listening.search import search, to_fts5, to_tsquery
from hubbub.pipeline.runner import Pipeline
from hubbub.post import Post
from hubbub.store.posts import MAX_TOKEN_BYTES, search_text, stored_token
from hubbub.store.tables import posts

T0 = datetime(2026, 3, 1, tzinfo=UTC)
LONG = "Zyzzyva" * 90  # 630 bytes, over MAX_TOKEN_BYTES


def _ingest(engine: Engine, settings: Settings, texts: list[str | tuple[str, str]]) -> list[int]:
    batch = []
    for i, item in enumerate(texts):
        title, body = item if isinstance(item, tuple) else (None, item)
        batch.append(
            Post("reddit", f"r{i}", body, title=title, created_at=T0 + timedelta(minutes=i))
        )
    return Pipeline(engine, settings).ingest_posts(batch).post_ids


def test_over_long_words_are_stored_cut_short_and_still_found(
    engine: Engine, settings: Settings
) -> None:
    # Bug: search_text dropped a word over MAX_TOKEN_BYTES, so `zyzzyva*` or the
    # word itself matched in the stream and never in history.
    ids = _ingest(engine, settings, [f"{LONG} here", "zyzzyva short", f"{LONG}s"])
    assert max(len(t.encode()) for t in search_text(Post("x", "1", LONG)).split()) == 500
    assert stored_token(LONG.lower()) == LONG.lower()[:MAX_TOKEN_BYTES]
    with engine.connect() as conn:
        assert search(conn, parse("zyzzyva*")) == ids[::-1]
        assert search(conn, parse(LONG)) == [ids[0]]  # the cut key finds both; exact confirms
        assert search(conn, parse(LONG + "s")) == [ids[2]]
        assert search(conn, parse("here NOT " + LONG)) == []


def test_a_not_inside_a_scope_is_not_pushed_to_the_index(
    engine: Engine, settings: Settings
) -> None:
    # Bug: title:(acme NOT #acme) pushed "NOT #acme" into FTS/tsquery, which
    # dropped posts with #acme in the body only (the NOT is about the title).
    ids = _ingest(engine, settings, [("acme news", "more on #acme"), ("#acme news", "acme")])
    node = parse("title:(acme AND NOT #acme)")
    assert to_fts5(node) == '"acme"' and to_tsquery(node) == "'acme'"
    with engine.connect() as conn:
        assert search(conn, node) == [ids[0]]
        # outside a scope the NOT is exact and pushed down
        assert to_fts5(parse("acme NOT #acme")) == '("acme" NOT "#acme")'
        assert search(conn, parse("acme NOT #acme")) == []


@pytest.mark.parametrize("few", [2_000, 1])
def test_lazy_walk_orders_late_posts_by_created_at(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch, few: int
) -> None:
    """The SQLite walk by id must still return (created_at, id) order when ids
    and times disagree (backfilled posts, ties)."""
    import hubbub.listening.search as search_module

    monkeypatch.setattr(search_module, "FEW_CANDIDATES", few)
    monkeypatch.setattr(search_module, "FIRST_CHUNK", 2)
    ids = _ingest(engine, settings, [f"acme post {i}" for i in range(12)])
    times = [T0 + timedelta(minutes=m) for m in (50, 1, 2, 3, 60, 5, 6, 6, 6, 9, 10, 0)]
    with engine.begin() as conn:
        for post_id, when in zip(ids, times, strict=True):
            conn.execute(update(posts).where(posts.c.id == post_id).values(created_at=when))
    expected = [i for _, i in sorted(zip(times, ids, strict=True), reverse=True)]
    with engine.connect() as conn:
        assert search(conn, parse("acme"), limit=3) == expected[:3]
        assert search(conn, parse("acme NOT post"), limit=3) == []
        assert search(conn, parse("acme"), limit=4, before_id=expected[3]) == expected[4:8]
        assert search(conn, parse("acme"), limit=50) == expected


@pytest.mark.parametrize(
    ("query", "fts5", "exact"),
    [
        ('acme OR "acme cloud"', '"acme"', True),  # the phrase can only match where acme is
        ("acme OR title:acme OR {Acme}", '"acme"', True),
        ('"acme cloud" OR cloud*', '"cloud"*', True),
        ('acme* OR "acmecloud rocket"', '"acme"*', True),
        ('"acme cloud" OR {Cloud}', '(("acme" AND "cloud") OR "cloud")', False),
        ("acme OR acme NOT spam", '("acme" OR ("acme" NOT "spam"))', True),
    ],
)
def test_an_or_absorbs_alternatives_implied_by_an_exact_sibling(
    query: str, fts5: str, exact: bool
) -> None:
    import hubbub.listening.search as search_module

    node = parse(query)
    assert to_fts5(node) == fts5
    assert search_module._candidates(node)[1] is exact


def test_an_absorbed_or_still_finds_every_match(engine: Engine, settings: Settings) -> None:
    ids = _ingest(engine, settings, ["acme cloud down", "cloud acme", "Acme", "cloud only"])
    with engine.connect() as conn:
        assert search(conn, parse('(acme OR "acme cloud") NOT down')) == [ids[2], ids[1]]
        assert search(conn, parse('"acme cloud" OR cloud*')) == [ids[3], ids[1], ids[0]]


def test_walking_further_never_decides_a_post_twice(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bug (found by the property test): when too many posts below the walk were
    as new as the limit-th match, the walk went on with the chunk it had
    already decided, and returned a post twice."""
    import hubbub.listening.search as search_module

    monkeypatch.setattr(search_module, "FEW_CANDIDATES", 30)  # 60 candidates: walk them
    ids = _ingest(engine, settings, [f"acme post {i}" for i in range(60)])
    with engine.begin() as conn:  # one created_at for all: ties sort by id
        conn.execute(update(posts).values(created_at=T0))
    newest = ids[::-1]
    with engine.connect() as conn:
        for query in ("acme", '"acme post"'):  # decided by the index, by the matcher
            assert search(conn, parse(query), limit=2) == newest[:2]
            assert search(conn, parse(query), limit=5, before_id=newest[1]) == newest[2:7]
