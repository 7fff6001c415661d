"""Topics: planted themes come back as topics labelled with their words, on
both databases, with growth against the previous period."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from hubbub.actions.queries import create_query
from hubbub.analytics.post_scope import ScopedPost, resolve_scope, sample_ids
from hubbub.analytics.topics import cluster_posts, find_topics
from hubbub.post import Post, utcnow

from .synthetic import themed_posts

PLANTED = {"battery": "battery drain", "shipping": "shipping delay", "espresso": "espresso machine"}


def _scoped(posts: Sequence[Post]) -> list[ScopedPost]:
    return [
        ScopedPost(
            i + 1,
            p.platform,
            p.text,
            None,
            None,
            f"x:{p.author_handle}",
            p.author_handle,
            p.created_at or utcnow(),
            "neutral",
            None,
            0,
            [],
        )
        for i, p in enumerate(posts)
    ]


def test_three_planted_themes_and_noise_give_three_labelled_topics() -> None:
    now = utcnow()
    posts = themed_posts({t: 60 for t in PLANTED}, 40, now - timedelta(days=7), timedelta(days=7))
    found = cluster_posts(_scoped(posts), method="tfidf")
    labels = [t.label for t in found.topics]
    themed = [t for t in found.topics if any(k in t.label for k in PLANTED.values())]
    assert sorted(k for t in themed for k in PLANTED.values() if k in t.label) == sorted(
        PLANTED.values()
    ), labels
    for topic in themed:
        assert 50 <= topic.size <= 70, (topic.label, topic.size)
        key = next(k for k in PLANTED.values() if k in topic.label)
        # the most central posts are on the theme
        assert all(key.split()[0] in p.text.lower() for p in topic.samples)
    # the noise is not labelled as any planted theme
    assert len(themed) == 3


def test_too_few_posts_give_no_topics() -> None:
    posts = themed_posts({"battery": 3}, 2, utcnow(), timedelta(hours=1))
    found = cluster_posts(_scoped(posts), method="tfidf")
    assert found.topics == [] and found.unclustered == 5


def test_sampling_is_deterministic_and_spread() -> None:
    ids = list(range(1, 10_001))
    sample = sample_ids(ids, 1_000)
    assert sample == sample_ids(list(reversed(ids)), 1_000)
    assert len(sample) == 1_000 and sample == sorted(sample)
    # spread over the whole range, not the first thousand
    assert sum(1 for i in sample if i > 5_000) > 400


def test_topics_of_stored_posts_with_growth(
    engine: Engine, store: Callable[[Sequence[Post]], None]
) -> None:
    now = utcnow()
    week = timedelta(days=7)
    # the week before: shipping and espresso only; this week battery drain appears
    store(themed_posts({"shipping": 40, "espresso": 40}, 20, now - 2 * week, week, seed=1))
    store(
        themed_posts(
            {t: 40 for t in PLANTED},
            20,
            now - week + timedelta(minutes=5),
            week - timedelta(hours=1),
            seed=2,
            first_id=10_000,
        )
    )
    with engine.connect() as conn:
        result = find_topics(conn, resolve_scope(conn, None), week, end=now, method="tfidf")
    assert result.total == 140 and result.analysed == 140 and not result.sampled
    by_theme = {k: t for t in result.topics for k in PLANTED.values() if k in t.label}
    assert set(by_theme) == set(PLANTED.values()), [t.label for t in result.topics]
    battery, shipping = by_theme["battery drain"], by_theme["shipping delay"]
    assert battery.previous is not None and battery.previous <= 3
    assert battery.growth is not None and battery.growth > 3
    assert shipping.growth is not None and 0.6 < shipping.growth < 1.6
    assert set(battery.sentiment) <= {"positive", "neutral", "negative"}
    assert sum(battery.sentiment.values()) == battery.size


def test_a_saved_query_and_a_query_text_scope_the_posts(
    engine: Engine, store: Callable[[Sequence[Post]], None]
) -> None:
    now = utcnow()
    store(themed_posts({t: 30 for t in PLANTED}, 10, now - timedelta(days=3), timedelta(days=2)))
    create_query(engine, "Coffee", '"espresso machine"')
    with engine.connect() as conn:
        saved = resolve_scope(conn, "Coffee")
        text = resolve_scope(conn, "shipping NOT espresso")
        assert saved.query_id is not None and text.node is not None
        coffee = find_topics(conn, saved, timedelta(days=7), end=now, method="tfidf")
        ship = find_topics(conn, text, timedelta(days=7), end=now, method="tfidf")
    assert coffee.total == 30 and ship.total == 30
    assert all("espresso" not in t.label for t in ship.topics)


def test_a_cap_samples_the_posts(engine: Engine, store: Callable[[Sequence[Post]], None]) -> None:
    now = utcnow()
    store(themed_posts({t: 30 for t in PLANTED}, 10, now - timedelta(days=3), timedelta(days=2)))
    with engine.connect() as conn:
        result = find_topics(
            conn,
            resolve_scope(conn, "all"),
            timedelta(days=7),
            end=now,
            method="tfidf",
            max_posts=60,
            compare_previous=False,
        )
    assert result.total == 100 and result.analysed == 60 and result.sampled
    assert result.topics
    for topic in result.topics:  # sizes are scaled from the sample to all posts
        assert topic.estimated == round(topic.size * 100 / 60)


@pytest.mark.intents
def test_sentence_embeddings_find_the_same_topics() -> None:
    posts = themed_posts({t: 25 for t in PLANTED}, 15, utcnow(), timedelta(days=1), seed=3)
    found = cluster_posts(_scoped(posts), method="embeddings")
    labels = " | ".join(t.label for t in found.topics)
    for key in PLANTED.values():
        assert key in labels, labels
