"""Query preview: highlights and explanations from the matcher, counts per day
over the real store (SQLite and PostgreSQL), and backfill progress on the row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update

from hubbub.actions.queries import backfill_query, create_query, request_backfill
from hubbub.analytics.backfill import STALE_AFTER, backfill_status
from hubbub.analytics.query_preview import (
    explain_post,
    find_post,
    parse_duration,
    preview,
    since_from,
)
from hubbub.config import Settings
from hubbub.listening.explain import explain, matched_hits
from hubbub.listening.parser import parse
from hubbub.pipeline.runner import Pipeline
from hubbub.post import Post
from hubbub.store.tables import listening_queries, matches

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _marked(post: Post, query: str) -> list[tuple[str, str]]:
    """(part, the text under each highlight)."""
    out = []
    for hit in matched_hits(parse(query), post):
        source = post.title if hit.part == "title" else post.text
        assert source is not None
        out.append((hit.part, source[hit.start : hit.end]))
    return out


def _post(text: str, **kw: Any) -> Post:
    return Post(platform="x", external_id="1", text=text, **kw)


# -- highlights -----------------------------------------------------------------


def test_highlights_only_the_words_that_made_clauses_true() -> None:
    post = _post("Acme refund was slow; Globex jobs are open. Acme again.")
    assert _marked(post, "acme AND refund*") == [
        ("text", "Acme"),
        ("text", "refund"),
        ("text", "Acme"),
    ]
    # an alternative that failed, and a NOT clause, mark nothing
    assert _marked(post, "(refund OR initech) NOT initech") == [("text", "refund")]
    assert _marked(post, "acme AND NOT globex") == []  # no match: nothing marked
    # NEAR marks the close pair only, not every occurrence of each side
    assert _marked(post, "acme NEAR/1 refund") == [("text", "Acme"), ("text", "refund")]
    assert _marked(post, '"globex jobs"') == [("text", "Globex"), ("text", "jobs")]


def test_highlights_follow_the_tokenizer_offsets() -> None:
    post = _post("Café crème at #Acme 🙂 東京タワー", title="ACME news")
    assert _marked(post, "cafe AND #acme") == [("text", "Café"), ("text", "#Acme")]
    assert _marked(post, "title:acme") == [("title", "ACME")]
    assert _marked(post, "{ACME}") == [("title", "ACME")]  # case-sensitive: not '#Acme'
    assert _marked(post, "東京") == [("text", "東"), ("text", "京")]
    assert _marked(post, "🙂") == [("text", "🙂")]


# -- explanations ------------------------------------------------------------------


def test_explain_says_which_clause_failed_and_why() -> None:
    post = _post(
        "Acme support never answered",
        language="de",
        enrichments={"sentiment": {"label": "negative"}},
    )
    tree = explain(post, parse("acme AND (refund OR support) AND lang:en"))
    assert not tree.matched and tree.kind == "all"
    assert tree.detail == "2 of 3 hold; all must"
    term, alternatives, lang = tree.children
    assert (term.text, term.matched, term.detail) == ("acme", True, "found 1× in the text")
    assert alternatives.kind == "any" and alternatives.matched
    assert [c.matched for c in alternatives.children] == [False, True]
    assert alternatives.children[0].detail == "not in the post"
    assert (lang.matched, lang.detail) == (False, "the post's language is 'de'")

    near = explain(post, parse("acme NEAR/0 answered")).to_dict()
    assert near["matched"] is False
    assert (
        near["detail"]
        == "both sides are present but never next to each other (closest: 2 words apart)"
    )
    assert explain(post, parse("sentiment:negative acme")).matched
    excluded = explain(post, parse("acme NOT support"))
    assert excluded.children[1].detail == "the excluded clause is present"
    phrase = explain(post, parse('"support acme"'))
    assert phrase.detail == "its words are in the post but never together in this order"


def test_durations() -> None:
    assert parse_duration("30d") == timedelta(days=30)
    assert parse_duration("12h") == timedelta(hours=12)
    assert parse_duration(" 2W ") == timedelta(weeks=2)
    assert since_from("all") is None and since_from(None) is None
    assert since_from("1d", NOW) == NOW - timedelta(days=1)
    for bad in ("", "30", "d", "0d", "3x", "1.5d", "-2d"):
        with pytest.raises(ValueError, match=r"e\.g\. 12h, 30d or 2w"):
            parse_duration(bad)


# -- over the store ------------------------------------------------------------------


def _store(engine: Engine, settings: Settings, now: datetime) -> None:
    def at(n: int, text: str, days_ago: float, **kw: Any) -> Post:
        return Post(
            platform="forum",
            external_id=f"e{n}",
            url=f"https://forum.example/t/{n}",
            text=text,
            created_at=now - timedelta(days=days_ago),
            **kw,
        )

    Pipeline(engine, settings).ingest_posts(
        [
            at(1, "acme anvil dropped again", 0.1),
            at(2, "acme refund took weeks", 0.2),
            at(3, "nothing to see here", 0.3),
            at(4, "acme rocket skates", 2.5),
            at(5, "acme jobs board", 2.6),
            at(6, "acme widgets, old news", 40),
            # media found by an enricher: only in the enrichments table
            at(7, "acme refund request", 1.5, enrichments={"media": [{"type": "image"}]}),
        ]
    )


def test_preview_counts_per_day_and_samples_newest_first(
    engine: Engine, settings: Settings
) -> None:
    now = datetime.now(UTC)
    _store(engine, settings, now)
    node = parse("acme NOT jobs")
    with engine.connect() as conn:
        week = preview(conn, node, since=now - timedelta(days=7), limit=2, now=now)
        everything = preview(conn, node, since=None, limit=10, now=now)
        capped = preview(conn, node, since=None, cap=2, now=now)
        media = preview(conn, parse("acme has:media"), now=now)
    assert (week.count, week.capped) == (4, False)
    assert [s.post.external_id for s in week.sample] == ["e1", "e2"]
    assert [(h.part, h.start, h.end, h.term) for h in week.sample[0].hits] == [
        ("text", 0, 4, "acme")
    ]
    days = dict(week.per_day)
    assert len(week.per_day) == 8  # the window's first (partial) day through today
    assert sum(days.values()) == 4 and week.per_day[-1][0] == now.date().isoformat()
    assert days[(now - timedelta(days=2.5)).date().isoformat()] == 1
    assert list(days.values()).count(0) >= 4  # quiet days are there, as zeros

    assert everything.count == 5 and everything.per_day[0][1] == 1  # from the oldest match
    assert len(everything.per_day) == (now.date() - (now - timedelta(days=40)).date()).days + 1
    assert (capped.count, capped.capped) == (2, True)
    assert [s.post.external_id for s in media.sample] == ["e7"]  # stored enrichment read


def test_preview_count_agrees_with_the_backfill(engine: Engine, settings: Settings) -> None:
    _store(engine, settings, datetime.now(UTC))
    for text in ("acme", "acme NOT (jobs OR refund)", "refund* OR skates", "has:media acme"):
        query_id = create_query(engine, text, text)
        with engine.connect() as conn:
            stored = conn.execute(
                select(func.count()).select_from(matches).where(matches.c.query_id == query_id)
            ).scalar_one()
            assert preview(conn, parse(text)).count == stored, text


def test_explain_a_stored_post_found_by_id_url_or_external_id(
    engine: Engine, settings: Settings
) -> None:
    _store(engine, settings, datetime.now(UTC))
    with engine.connect() as conn:
        by_external = find_post(conn, "e5")
        assert by_external is not None
        assert find_post(conn, str(by_external)) == by_external
        assert find_post(conn, "https://forum.example/t/5") == by_external
        assert find_post(conn, "https://forum.example/t/999") is None
        assert find_post(conn, "  ") is None
        why = explain_post(conn, parse("acme NOT jobs"), by_external)
        assert why is not None and not why.matched
        assert why.tree.children[1].detail == "the excluded clause is present"
        assert why.hits == []
        assert explain_post(conn, parse("acme"), 10**9) is None


# -- backfill progress ------------------------------------------------------------------


def test_backfill_progress_is_kept_on_the_query_row(engine: Engine, settings: Settings) -> None:
    _store(engine, settings, datetime.now(UTC))
    seen: list[tuple[int, int]] = []
    query_id = create_query(
        engine, "Acme", "acme", progress=lambda done, total: seen.append((done, total))
    )
    assert seen == [(7, 7)]
    with engine.connect() as conn:
        status = backfill_status(conn, query_id)
    assert status is not None
    assert (status.state, status.done, status.total, status.matched, status.percent) == (
        "done",
        7,
        7,
        6,
        100,
    )
    # a pending run whose process died shows as stalled once its heartbeat is old
    request_backfill(engine, query_id)
    with engine.connect() as conn:
        fresh = backfill_status(conn, query_id)
        later = backfill_status(conn, query_id, now=datetime.now(UTC) + STALE_AFTER * 2)
    assert fresh is not None and later is not None
    assert (fresh.state, fresh.active, later.state) == ("pending", True, "stalled")


def test_a_newer_backfill_supersedes_an_older_run(engine: Engine, settings: Settings) -> None:
    _store(engine, settings, datetime.now(UTC))
    query_id = create_query(engine, "Acme", "acme", backfill=False)
    old_run = request_backfill(engine, query_id)
    new_run = request_backfill(engine, query_id)
    assert backfill_query(engine, query_id, run=old_run) == 0  # superseded: writes nothing
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(matches)).scalar_one() == 0
        status = backfill_status(conn, query_id)
        assert status is not None and status.state == "pending"
    assert backfill_query(engine, query_id, run=new_run) == 6


def test_a_failing_backfill_is_reported(engine: Engine, settings: Settings) -> None:
    query_id = create_query(engine, "Acme", "acme", backfill=False)
    with engine.begin() as conn:  # a query saved before a grammar change broke it
        conn.execute(
            update(listening_queries)
            .where(listening_queries.c.id == query_id)
            .values(query="acme AND (")
        )
    with pytest.raises(ValueError, match="position"):
        backfill_query(engine, query_id)
    with engine.connect() as conn:
        status = backfill_status(conn, query_id)
    assert status is not None and status.state == "failed"
    assert status.error == "QuerySyntaxError: Expected a term, a phrase or '(' at position 10"
