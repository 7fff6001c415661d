"""Emerging terms: a planted rising theme is the top one, with the posts
driving it; a small wobble is no news; one account repeating itself is no trend."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

from sqlalchemy import Engine

from hubbub.analytics.post_scope import Selection, resolve_scope
from hubbub.analytics.trends import emerging_terms, rank_emerging, smoothed_growth
from hubbub.post import Post, utcnow

from .synthetic import post, themed_posts


def test_smoothing_keeps_small_numbers_small() -> None:
    assert smoothed_growth(3, 1) < 1.5  # 1 -> 3 is not "3x"
    assert smoothed_growth(60, 4) > 6  # 4 -> 60 is news
    assert smoothed_growth(30, 10, scale=3.0) == 1.0  # everything tripled: no trend


def test_the_rising_theme_is_the_top_emerging_term(
    engine: Engine, store: Callable[[Sequence[Post]], None]
) -> None:
    now = utcnow()
    week = timedelta(days=7)
    store(themed_posts({"shipping": 40, "espresso": 40, "battery": 4}, 30, now - 2 * week, week))
    store(
        themed_posts(
            {"shipping": 40, "espresso": 40, "battery": 60},
            30,
            now - week + timedelta(minutes=1),
            week - timedelta(hours=1),
            seed=11,
            first_id=5_000,
        )
    )
    with engine.connect() as conn:
        result = emerging_terms(conn, resolve_scope(conn, None), week, end=now)
    assert result.current_total == 170 and result.previous_total == 114
    top = result.terms[0]
    assert top.term == "battery drain", [t.term for t in result.terms]
    assert 55 <= top.current <= 60 and top.previous <= 4 and top.growth > 4
    assert top.authors >= 50
    assert len(top.posts) == 3 and all("battery drain" in p.text.lower() for p in top.posts)
    # stable themes are not emerging, and the overlapping words are merged away
    terms = [t.term for t in result.terms]
    assert "shipping delay" not in terms and "espresso machine" not in terms
    assert "battery" not in terms and "drain" not in terms


def test_one_account_repeating_itself_is_no_trend() -> None:
    now = utcnow()
    spam = [
        post(i, f"Buy cheap followers today, offer {i}", now, author="spammer") for i in range(20)
    ]
    from hubbub.analytics.post_scope import ScopedPost

    scoped = [
        ScopedPost(i, "x", p.text, None, None, "x:spammer", "spammer", now, None, None, 0, [])
        for i, p in enumerate(spam)
    ]
    found = rank_emerging(Selection(scoped, 20, False), Selection([], 0, False))
    assert found == []
