"""The FTS5 candidate query finds every post the exact matcher matches.

Uses a bare in-memory SQLite FTS5 table with the same tokenizer settings as
the store's ``posts_fts``, so it checks the tokenization contract directly.
"""

from __future__ import annotations

import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from hubbub.listening.errors import QuerySyntaxError
from hubbub.listening.matcher import compile_query
from hubbub.listening.parser import parse
from hubbub.listening.search import to_fts5
from hubbub.listening.tokenize import index_text
from hubbub.post import Post

PIECES = [
    "Acme",
    "acme's",
    "#acme",
    "@Acme",
    "rocket",
    "rockets",
    "café",
    "CAFE",
    "東京都",
    "東 京",
    "😀",
    "👍🏽",
    "it's",
    "acme.com",
    "https://www.acme.com/rocket",
    "ไทย",
    "Straße",
    "x_y",
    "?",
    ",",
    "(",
    "\n",
]
QUERIES = [
    "acme",
    "#acme",
    "@acme",
    "cafe",
    "rocket*",
    "roc?et",
    '"acme rocket"',
    "東京",
    "京都",
    "😀",
    "👍",
    "it's",
    "acme.com",
    "{Acme}",
    "acme NEAR/1 rocket",
    "acme NOT rocket",
    "ไทย",
    "strasse",
    "x_y",
    "title:acme OR text:rocket",
    "(acme OR cafe) rocket*",
]


def _fts() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute(
        "CREATE VIRTUAL TABLE f USING fts5(search_text, tokenize=\"unicode61 remove_diacritics 0 tokenchars '#@_'\")"
    )
    return conn


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from(PIECES), max_size=8).map(" ".join), min_size=1, max_size=6),
    st.lists(st.sampled_from(QUERIES), min_size=1, max_size=3).map(" OR ".join),
)
def test_fts5_candidates_are_a_superset(texts: list[str], query: str) -> None:
    try:
        node = parse(query)
    except QuerySyntaxError:
        return
    expression = to_fts5(node)
    assert expression is not None
    conn = _fts()
    for rowid, body in enumerate(texts, 1):
        conn.execute(
            "INSERT INTO f(rowid, search_text) VALUES (?, ?)", (rowid, index_text(body, None))
        )
    found = {r[0] for r in conn.execute("SELECT rowid FROM f WHERE f MATCH ?", (expression,))}
    matcher = compile_query(node)
    exact = {i for i, body in enumerate(texts, 1) if matcher.matches(Post("x", str(i), body))}
    assert exact <= found


def test_fts5_candidates_narrow() -> None:
    conn = _fts()
    for rowid, body in enumerate(["the acme rocket", "globex anvil", "東京都", "😀 fun"], 1):
        conn.execute("INSERT INTO f(rowid, search_text) VALUES (?, ?)", (rowid, index_text(body)))
    for query, rows in [
        ("acme", {1}),
        ("東京", {3}),
        ("😀", {4}),
        ("roc*", {1}),
        ("globex NOT anvil", set()),  # an exact NOT is pushed down
        ("globex NOT anv?l", {2}),  # one the index cannot decide is left to the matcher
    ]:
        expression = to_fts5(parse(query))
        assert {
            r[0] for r in conn.execute("SELECT rowid FROM f WHERE f MATCH ?", (expression,))
        } == rows
