"""The whole pipeline on both databases: normalize, dedupe, enrich, match, store."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, func, select

from hubbub.actions.queries import create_query
from hubbub.bus.inline import InlineBus
from hubbub.config import Settings
from hubbub.events import EVENTS_SUBJECT
from hubbub.listening.parser import parse
from hubbub.listening.search import search
from hubbub.pipeline.runner import Pipeline
from hubbub.post import MAX_TEXT_CHARS, Post
from hubbub.store.posts import load_posts
from hubbub.store.tables import enrichments, ingest_errors, matches, posts


def make_post(n: int, text: str, **kw: object) -> Post:
    return Post(
        platform=str(kw.pop("platform", "mastodon")),
        external_id=str(kw.pop("external_id", f"p{n}")),
        text=text,
        created_at=datetime(2026, 11, 1, 12, n % 60, tzinfo=UTC),
        **kw,  # type: ignore[arg-type]
    )


def count(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_posts_flow_through_every_stage(engine: Engine, settings: Settings) -> None:
    brand = create_query(engine, "Brand", "(acme OR #acme) NOT jobs")
    german = create_query(engine, "German", "acme AND lang:de")
    bus = InlineBus()
    events: list[dict[str, object]] = []
    bus.subscribe(EVENTS_SUBJECT, events.append)
    pipeline = Pipeline(engine, settings, bus)

    result = pipeline.ingest_posts(
        [
            make_post(1, "I love my new Acme kettle, it is wonderful! #acme", author_handle="ann"),
            make_post(2, "Acme support is terrible, still waiting for a refund after three weeks."),
            make_post(3, "Acme is hiring: see our jobs page"),
            make_post(4, "Der neue Wasserkocher von Acme ist wirklich großartig und sehr leise."),
            make_post(5, "Nothing to see here, just coffee."),
        ]
    )

    assert len(result.post_ids) == 5
    assert count(engine, posts) == 5
    with engine.connect() as conn:
        stored = {
            p.external_id: p for p in load_posts(conn, result.post_ids, with_enrichments=True)
        }
        matched = {(q, p) for q, p in conn.execute(select(matches.c.query_id, matches.c.post_id))}
        versions = dict(conn.execute(select(enrichments.c.enricher, enrichments.c.version)).all())
    assert stored["p1"].enrichments["sentiment"]["label"] == "positive"
    assert stored["p2"].enrichments["sentiment"]["label"] == "negative"
    assert stored["p4"].language == "de"
    assert stored["p1"].language == "en"
    assert set(versions) >= {"language", "sentiment", "dedup"}
    assert all(v and v != "?" for v in versions.values())
    by_id = {p.id: p.external_id for p in stored.values()}
    assert {by_id[p] for q, p in matched if q == brand} == {"p1", "p2", "p4"}
    assert {by_id[p] for q, p in matched if q == german} == {"p4"}
    # events are published after the commit, with what was written
    types = [e["type"] for e in events]
    assert "posts.stored" in types and types.count("query.matched") == 2


def test_stream_matches_equal_historical_search(engine: Engine, settings: Settings) -> None:
    queries = {
        "q1": '"refund" OR kettle*',
        "q2": "acme NOT (jobs OR hiring)",
        "q3": "#acme AND platform:bluesky",
    }
    ids = {name: create_query(engine, name, q) for name, q in queries.items()}
    texts = [
        "Waiting for a refund from Acme",
        "kettles everywhere",
        "Acme hiring now",
        "acme is fine #acme",
        "#Acme rocks",
        "unrelated text",
    ]
    Pipeline(engine, settings).ingest_posts(
        [make_post(i, t, platform="bluesky" if i % 2 else "mastodon") for i, t in enumerate(texts)]
    )
    with engine.connect() as conn:
        for name, q in queries.items():
            streamed = set(
                conn.execute(
                    select(matches.c.post_id).where(matches.c.query_id == ids[name])
                ).scalars()
            )
            assert set(search(conn, parse(q), limit=1000)) == streamed, name


def test_bad_posts_are_reported_and_the_rest_kept(engine: Engine, settings: Settings) -> None:
    huge = "acme " * (MAX_TEXT_CHARS // 2)  # over the limit: truncated, kept, reported
    result = Pipeline(engine, settings).ingest_posts(
        [
            make_post(1, "good one"),
            make_post(2, "   "),  # no text: rejected by name
            make_post(3, huge),
            make_post(4, "lone surrogate \ud800 and NUL \x00 removed"),
            make_post(5, "no id", external_id=""),
            make_post(6, "an author id over the column's 500", author_id="did:" + "d" * 600),
        ]
    )
    assert len(result.post_ids) == 4
    with engine.connect() as conn:
        errors = [r.item + " " + r.message for r in conn.execute(select(ingest_errors))]
        stored = {p.external_id: p for p in load_posts(conn, result.post_ids)}
    assert any("mastodon:p2" in e and "no text" in e for e in errors)
    assert any("mastodon:p3" in e and "truncated" in e for e in errors)
    assert any("no id" in e for e in errors)
    assert len(stored["p3"].text) == MAX_TEXT_CHARS
    assert stored["p4"].text == "lone surrogate  and NUL  removed"
    assert stored["p6"].author_id == ("did:" + "d" * 600)[:500]


def test_replaying_posts_creates_no_duplicates(engine: Engine, settings: Settings) -> None:
    create_query(engine, "all", "acme")
    batch = [make_post(i, f"acme post number {i}") for i in range(20)]
    pipeline = Pipeline(engine, settings)
    first = pipeline.ingest_posts(batch)
    again = Pipeline(engine, settings).ingest_posts(
        [make_post(i, f"acme post number {i}") for i in range(25)]
    )
    assert len(first.post_ids) == 20
    assert len(again.post_ids) == 5
    assert again.duplicates_skipped == 20
    assert count(engine, posts) == 25
    assert count(engine, matches) == 25


def _install_poison_trigger(engine: Engine) -> None:
    """A database that refuses one particular post, as a stand-in for any
    row-level refusal (a limit, a constraint) we have not foreseen."""
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql(
                "CREATE TRIGGER poison BEFORE INSERT ON posts WHEN new.text LIKE '%poison%' "
                "BEGIN SELECT RAISE(ABORT, 'poison refused'); END"
            )
        else:
            conn.exec_driver_sql(
                "CREATE FUNCTION poison() RETURNS trigger AS $$ BEGIN "
                "IF NEW.text LIKE '%%poison%%' THEN RAISE EXCEPTION 'poison refused'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            conn.exec_driver_sql(
                "CREATE TRIGGER poison BEFORE INSERT ON posts FOR EACH ROW EXECUTE FUNCTION poison()"
            )


def test_a_post_the_database_refuses_does_not_lose_its_batch(
    engine: Engine, settings: Settings
) -> None:
    _install_poison_trigger(engine)
    result = Pipeline(engine, settings).ingest_posts(
        [make_post(1, "fine"), make_post(2, "this one is poison"), make_post(3, "also fine")]
    )
    assert len(result.post_ids) == 2
    with engine.connect() as conn:
        errors = [f"{r.item} {r.message}" for r in conn.execute(select(ingest_errors))]
    assert any("mastodon:p2" in e and "poison refused" in e for e in errors)
