"""Re-running enrichers over stored posts (`hubbub reenrich`), on both
databases: results, versions, sentiment columns and matches follow the new
answer; a failing enricher keeps what was stored; stateful enrichers are
refused; the command reports what changed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, select, update

from hubbub import plugins
from hubbub.actions.queries import create_query
from hubbub.actions.reenrich import NotRerunnable, reenrich, rerunnable, stored_post_ids
from hubbub.bus.inline import InlineBus
from hubbub.config import Settings
from hubbub.enrich.language import LanguageEnricher
from hubbub.enrich.sentiment import SentimentEnricher
from hubbub.events import EVENTS_SUBJECT
from hubbub.pipeline.messages import PostBatch
from hubbub.pipeline.runner import Pipeline
from hubbub.post import Post, utcnow
from hubbub.store.tables import enrichments, matches, posts

from .cli import hubbub

pytestmark = pytest.mark.intents

GERMAN = "Der neue Acme Amboss ist super, perfekt verpackt und sehr stabil. Vielen Dank!"
ENGLISH = "I love my new Acme anvil, it is wonderful and works great!"


def ingest(engine: Engine, settings: Settings, items: Sequence[tuple[str, str, int]]) -> None:
    """(external id, text, days ago) through the real pipeline."""
    now = utcnow()
    batch = [
        Post("mastodon", ext, text, created_at=now - timedelta(days=days))
        for ext, text, days in items
    ]
    Pipeline(engine, settings).submit(PostBatch(posts=batch, seq=1))


def stored(engine: Engine, external_id: str) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(select(posts).where(posts.c.external_id == external_id)).one()
        results = {
            e.enricher: (e.version, e.data)
            for e in conn.execute(select(enrichments).where(enrichments.c.post_id == row.id))
        }
        matched = set(
            conn.execute(select(matches.c.query_id).where(matches.c.post_id == row.id)).scalars()
        )
    return {"row": row, "results": results, "matches": matched}


@pytest.fixture
def english_only(settings: Settings) -> Settings:
    return settings.model_copy(update={"sentiment_languages": "en", "intent_enabled": False})


def test_a_changed_setting_reaches_stored_posts_and_their_matches(
    engine: Engine, english_only: Settings
) -> None:
    happy = create_query(engine, "happy acme", "acme sentiment:positive")
    ingest(engine, english_only, [("de1", GERMAN, 1), ("en1", ENGLISH, 1)])
    before = stored(engine, "de1")
    assert before["row"].sentiment_label is None  # stored as not rated
    assert before["matches"] == set()
    assert stored(engine, "en1")["matches"] == {happy}

    # every language rated now: the German post gets a sentiment and its match
    bus = InlineBus()
    events: list[dict[str, Any]] = []
    bus.subscribe(EVENTS_SUBJECT, events.append)
    with engine.connect() as conn:
        ids = stored_post_ids(conn, None)
    rate_all = [LanguageEnricher(), SentimentEnricher("vader", "*")]
    report = reenrich(engine, rerunnable(rate_all, ["sentiment"]), ids, bus=bus)
    assert report.posts == 2 and report.enrichers == ["sentiment"]
    assert report.changed == {"sentiment": 1}  # the English post's result is the same
    assert report.matches_added == 1
    after = stored(engine, "de1")
    assert after["row"].sentiment_label == "positive" and after["row"].sentiment_score > 0
    version, data = after["results"]["sentiment"]
    assert version == SentimentEnricher.version and data["label"] == "positive"
    assert after["results"]["language"] == before["results"]["language"]  # not re-run
    assert after["matches"] == {happy}
    bus.drain()
    assert [e for e in events if e["type"] == "query.matched"] == [
        {"type": "query.matched", "v": 1, "query_id": happy, "post_ids": [after["row"].id]}
    ]

    # and back: not rated again, the match that needed a sentiment goes
    back = reenrich(engine, rerunnable(plugins.enrichers(english_only), ["sentiment"]), ids)
    assert back.changed == {"sentiment": 1} and back.matches_added == 0
    again = stored(engine, "de1")
    assert again["row"].sentiment_label is None and again["row"].sentiment_score is None
    assert again["results"]["sentiment"][1]["unrated_language"] == "de"
    assert again["matches"] == set()
    assert stored(engine, "en1")["matches"] == {happy}


class Broken:
    """An enricher whose model fails on every batch."""

    name = "sentiment"
    version = "99"
    requires: tuple[str, ...] = ()

    def enrich(self, posts: Sequence[Post]) -> list[dict[str, Any]]:
        raise RuntimeError("model file is corrupt")


def test_a_failing_enricher_keeps_the_stored_results(
    engine: Engine, english_only: Settings
) -> None:
    ingest(engine, english_only, [("en1", ENGLISH, 1)])
    before = stored(engine, "en1")
    with engine.connect() as conn:
        ids = stored_post_ids(conn, None)
    report = reenrich(engine, [Broken()], ids)
    assert report.posts == 1 and report.changed == {}
    assert any("enricher sentiment failed" in e and "corrupt" in e for e in report.errors)
    after = stored(engine, "en1")
    assert after["results"] == before["results"]
    assert after["row"].sentiment_label == "positive"


def test_only_posts_of_the_window_not_deleted_upstream(
    engine: Engine, english_only: Settings
) -> None:
    ingest(engine, english_only, [("old", ENGLISH, 40), ("new", ENGLISH, 2), ("gone", ENGLISH, 1)])
    with engine.begin() as conn:
        conn.execute(update(posts).where(posts.c.external_id == "gone").values(deleted_at=utcnow()))
    with engine.connect() as conn:
        recent = stored_post_ids(conn, datetime.now(UTC) - timedelta(days=30))
        every = stored_post_ids(conn, None)
        names = {r.id: r.external_id for r in conn.execute(select(posts.c.id, posts.c.external_id))}
    assert [names[i] for i in recent] == ["new"]
    assert sorted(names[i] for i in every) == ["new", "old"]


def test_which_enrichers_can_be_re_run(settings: Settings) -> None:
    available = plugins.enrichers(settings)
    default = [e.name for e in rerunnable(available)]
    assert "dedup" not in default and {"language", "sentiment"} <= set(default)
    # the pipeline's order: sentiment reads the language result
    assert default.index("language") < default.index("sentiment")
    with pytest.raises(NotRerunnable, match="dedup cannot be re-run"):
        rerunnable(available, ["dedup"])
    with pytest.raises(NotRerunnable, match="no enricher named nope"):
        rerunnable(available, ["sentiment", "nope"])


def test_the_command_re_enriches_and_says_what_changed(
    engine: Engine, english_only: Settings
) -> None:
    ingest(engine, english_only, [("de1", GERMAN, 1), ("en1", ENGLISH, 1), ("old", GERMAN, 60)])
    create_query(engine, "happy amboss", "amboss sentiment:positive")
    # the workspace now rates every language (its settings file, as an operator would)
    english_only.home.mkdir(parents=True, exist_ok=True)
    (english_only.home / "settings.json").write_text('{"sentiment_languages": "*"}')
    done = hubbub(english_only, "reenrich", "--since", "30d", "--enricher", "sentiment")
    said = " ".join(done.stdout.split())
    # the German post of the window changes and now matches; the one of 60 days ago is left
    assert "Re-enriched 2 posts; results changed: sentiment 1; 1 new query matches." in said
    assert stored(engine, "de1")["row"].sentiment_label == "positive"
    assert stored(engine, "old")["row"].sentiment_label is None
    refused = hubbub(english_only, "reenrich", "--enricher", "dedup", check=False)
    assert refused.returncode == 1 and "dedup cannot be re-run" in refused.stderr
    bad = hubbub(english_only, "reenrich", "--since", "5x", check=False)
    assert bad.returncode == 1 and "cannot read the duration" in bad.stderr
