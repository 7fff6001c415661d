"""Coordinated bursts: a planted 8-account burst is flagged with its accounts
and window; the same kind of repeat spread over a day is not."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import timedelta

from sqlalchemy import Engine

from hubbub.analytics.campaigns import find_campaigns
from hubbub.analytics.post_scope import resolve_scope
from hubbub.post import Post, utcnow

from .synthetic import post, themed_posts

BURST = (
    "Acme rocket skates exploded on my nephew, never buy from Acme again, "
    "share this everywhere before they delete it"
)
ORGANIC = (
    "The Acme anvil sale is on this weekend at the downtown store, "
    "twenty percent off every model while stocks last"
)


def test_an_eight_account_burst_is_flagged_and_a_slow_repeat_is_not(
    engine: Engine, store: Callable[[Sequence[Post]], None]
) -> None:
    now = utcnow()
    burst_at = now - timedelta(hours=3)
    posts = themed_posts(
        {"shipping": 20, "espresso": 20}, 10, now - timedelta(hours=20), timedelta(hours=19)
    )
    # eight accounts within 12 minutes, with small variations; one more copy later
    for i in range(8):
        text = BURST + ("!" * (i % 3)) + (" #boycott" if i % 2 else "")
        posts.append(post(900 + i, text, burst_at + timedelta(minutes=1.5 * i), author=f"bot{i}"))
    posts.append(post(950, BURST, now - timedelta(minutes=30), author="late_fan"))
    # the same number of accounts repeating a text, but 2.5 hours apart
    for i in range(8):
        posts.append(post(960 + i, ORGANIC, now - timedelta(hours=22 - 2.5 * i), author=f"fan{i}"))
    store(posts)
    with engine.connect() as conn:
        found = find_campaigns(conn, now - timedelta(hours=24), now)
        scoped = find_campaigns(
            conn, now - timedelta(hours=24), now, scope=resolve_scope(conn, "rocket skates")
        )
        none = find_campaigns(conn, now - timedelta(hours=24), now, min_accounts=9)
    assert len(found) == 1, [c.text for c in found]
    campaign = found[0]
    assert campaign.accounts == [f"bot{i}" for i in range(8)]
    assert campaign.posts == 8 and campaign.cluster_posts == 9
    assert abs(campaign.window_start - burst_at) < timedelta(seconds=1)
    assert campaign.window_end - campaign.window_start == timedelta(minutes=10.5)
    assert campaign.text.startswith("Acme rocket skates exploded")
    assert 7 < campaign.score <= 8
    assert [c.cluster for c in scoped] == [campaign.cluster]
    assert none == []
