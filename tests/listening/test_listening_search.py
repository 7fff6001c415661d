"""Full-text candidates and search() over stored posts, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert

from hubbub.listening.matcher import compile_query
from hubbub.listening.parser import parse
from hubbub.listening.search import search, to_fts5, to_tsquery
from hubbub.listening.tokenize import index_text
from hubbub.post import Post
from hubbub.store.tables import enrichments, posts


@pytest.mark.parametrize(
    ("query", "fts5", "tsquery"),
    [
        ("acme", '"acme"', "'acme'"),
        ("acme rocket", '("acme" AND "rocket")', "('acme' & 'rocket')"),
        ("acme OR globex", '("acme" OR "globex")', "('acme' | 'globex')"),
        ("acme NOT spam", '("acme" NOT "spam")', "('acme' & !'spam')"),
        ("acme NOT spa*", '("acme" NOT "spa"*)', "('acme' & !'spa':*)"),
        ("acme NOT spa?m", '"acme"', "'acme'"),
        ('acme NOT "spam now"', '"acme"', "'acme'"),
        ("acme NOT {Spam}", '"acme"', "'acme'"),
        ("acme NOT title:spam", '"acme"', "'acme'"),
        (
            "acme rocket NOT (spam OR scam) NOT buy",
            '((("acme" AND "rocket") NOT ("spam" OR "scam")) NOT "buy")',
            "((('acme' & 'rocket') & !('spam' | 'scam')) & !'buy')",
        ),
        ("lang:en NOT spam", None, None),
        (
            '"acme rocket" NEAR/2 launch',
            '(("acme" AND "rocket") AND "launch")',
            "(('acme' & 'rocket') & 'launch')",
        ),
        ("acme* #Glob*", '("acme"* AND "#glob"*)', "('acme':* & '#glob':*)"),
        ("{Apple} title:news", '("apple" AND "news")', "('apple' & 'news')"),
        ("東京都", '("東京" AND "京都")', "('東京' & '京都')"),
        ("😀 lang:en", '"_u1f600"', "'_u1f600'"),
        ("it's", '("it" AND "s")', "('it' & 's')"),
        ("platform:reddit lang:de", None, None),
        ("acme OR lang:de", None, None),
        (
            "acme OR (globex NOT spam)",
            '("acme" OR ("globex" NOT "spam"))',
            "('acme' | ('globex' & !'spam'))",
        ),
    ],
)
def test_candidate_expressions(query: str, fts5: str | None, tsquery: str | None) -> None:
    node = parse(query)
    assert to_fts5(node) == fts5
    assert to_tsquery(node) == tsquery


T0 = datetime(2026, 1, 1, tzinfo=UTC)

CORPUS: list[dict[str, Any]] = [
    {"text": "I love the #Acme rocket", "title": "Launch day"},
    {"text": "Acme's anvil broke again, terrible", "sentiment_label": "negative"},
    {"text": "globex is better than acme", "language": "en"},
    {"text": "acme spam spam buy now"},
    {"text": "东京 and 東京都に行きました acme"},
    {"text": "nothing to see", "title": "Acme weekly"},
    {"text": "café acme 😀", "language": "fr"},
    {"text": "RT @acme: new rocket", "reply_to": "9"},
    {"text": "acmecorp rockets https://i.redd.it/x.jpg", "links": ["https://i.redd.it/x.jpg"]},
    {"text": "it's the Apple store, not an apple", "platform": "mastodon", "author_followers": 500},
]

QUERIES = [
    "acme",
    "acme NOT spam",
    "acme* rocket*",
    "#acme",
    "title:acme",
    '"acme rocket"',
    "acme NEAR/3 rocket",
    "東京都",
    "😀",
    "cafe",
    "{Apple}",
    "platform:mastodon",
    "acme sentiment:negative",
    "acme intent:complaint",
    "has:media acme*",
    "is:reply OR is:repost",
    "followers>100 it's",
    "acme OR globex NOT spam",
]


def _store(engine: Engine) -> None:
    with engine.begin() as conn:
        for i, fields in enumerate(CORPUS):
            row = {
                "platform": fields.get("platform", "reddit"),
                "external_id": str(i),
                "text": fields["text"],
                "title": fields.get("title"),
                "search_text": index_text(fields["text"], fields.get("title")),
                "language": fields.get("language"),
                "created_at": T0 + timedelta(hours=i % 4),  # ties on created_at on purpose
                "ingested_at": T0,
                "links": fields.get("links", []),
                "reply_to": fields.get("reply_to"),
                "sentiment_label": fields.get("sentiment_label"),
                "author_followers": fields.get("author_followers"),
            }
            post_id = conn.execute(insert(posts).values(**row).returning(posts.c.id)).scalar_one()
            fields["id"] = post_id
            if i == 1:
                conn.execute(
                    insert(enrichments).values(
                        post_id=post_id,
                        enricher="intent",
                        version="1",
                        data=[{"label": "complaint", "score": 0.8}],
                    )
                )


def _expected(query: str) -> list[int]:
    matcher = compile_query(parse(query))
    hits = []
    for i, fields in enumerate(CORPUS):
        p = Post(
            platform=fields.get("platform", "reddit"),
            external_id=str(i),
            text=fields["text"],
            title=fields.get("title"),
            language=fields.get("language"),
            links=fields.get("links", []),
            reply_to=fields.get("reply_to"),
            author_followers=fields.get("author_followers"),
            enrichments={
                **(
                    {"sentiment": {"label": fields["sentiment_label"]}}
                    if "sentiment_label" in fields
                    else {}
                ),
                **({"intent": [{"label": "complaint"}]} if i == 1 else {}),
            },
        )
        if matcher.matches(p):
            hits.append((T0 + timedelta(hours=i % 4), fields["id"]))
    return [post_id for _, post_id in sorted(hits, reverse=True)]


def test_search_equals_stream_matching(engine: Engine) -> None:
    _store(engine)
    with engine.connect() as conn:
        for query in QUERIES:
            expected = _expected(query)
            assert search(conn, parse(query)) == expected, query
            assert search(conn, parse(query), limit=2) == expected[:2], query
            if expected:
                assert search(conn, parse(query), before_id=expected[0]) == expected[1:], query
    assert all(_expected(q) for q in QUERIES), "every query should find something"


def test_search_pages_through_many_candidates(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hubbub.listening.search as search_module

    monkeypatch.setattr(search_module, "FIRST_CHUNK", 1)  # force several chunks
    monkeypatch.setattr(search_module, "FEW_CANDIDATES", 2)  # and the lazy FTS5 walk
    _store(engine)
    with engine.connect() as conn:
        for query in ("acme NOT spam", "has:media OR acme", "acme*"):
            assert search(conn, parse(query)) == _expected(query)
        assert search(conn, parse("acme"), limit=0) == []
        assert search(conn, parse("acme"), before_id=10_000) == []
