"""The demo corpus loads through the real pipeline and shows what the demo promises."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import Engine, func, select

from hubbub.config import Settings
from hubbub.demo.loader import demo_posts, demo_queries, load_demo
from hubbub.listening.parser import parse
from hubbub.store.tables import listening_queries, matches, posts


def test_corpus_is_varied_and_every_query_parses() -> None:
    corpus = demo_posts()
    assert 400 <= len(corpus) <= 1000
    assert len({p.key for p in corpus}) == len(corpus)
    assert len({p.platform for p in corpus}) >= 5
    for q in demo_queries():
        parse(q["query"])


def test_demo_loads_through_the_pipeline_idempotently(engine: Engine, settings: Settings) -> None:
    first = load_demo(engine, settings)
    corpus_size = len(demo_posts())
    assert first["stored"] == corpus_size
    assert first["queries"] == len(demo_queries())
    again = load_demo(engine, settings)
    assert again == {
        "stored": 0,
        "skipped": corpus_size,
        "queries": 0,
        "login": first["login"],  # the same demo sign-in every time
    }
    with engine.connect() as conn:
        per_query = dict(
            conn.execute(
                select(listening_queries.c.name, func.count(matches.c.post_id))
                .join(matches, matches.c.query_id == listening_queries.c.id)
                .group_by(listening_queries.c.name)
            ).all()
        )
        languages = Counter(conn.execute(select(posts.c.language)).scalars())
        sentiments = Counter(conn.execute(select(posts.c.sentiment_label)).scalars())
        biggest_cluster = conn.execute(
            select(func.count())
            .select_from(posts)
            .where(posts.c.dup_cluster.is_not(None))
            .group_by(posts.c.dup_cluster)
            .order_by(func.count().desc())
            .limit(1)
        ).scalar_one()
    # every demo query finds something, so every dashboard line has data
    assert set(per_query) == {q["name"] for q in demo_queries()}
    assert all(n > 0 for n in per_query.values())
    # several languages, all three sentiments, and the reposted press release
    assert len([lang for lang, n in languages.items() if lang and n >= 3]) >= 5
    assert all(sentiments[label] >= 30 for label in ("positive", "neutral", "negative"))
    assert biggest_cluster >= 15
