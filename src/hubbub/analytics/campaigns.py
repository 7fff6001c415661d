"""Coordinated bursts: many distinct accounts posting near-identical text
within a short window.

Near-identical texts share the dedup enricher's cluster (``posts.dup_cluster``:
exact copies, and MinHash near-duplicates at ``settings.dedup_threshold``). A
cluster is a campaign when at least ``min_accounts`` distinct accounts (per
platform, by stable author id, else handle) posted it within ``window``. The
window reported is the densest one (most accounts); the score is the number
of accounts in it times the share of the cluster's posts that fell inside it,
so a tight burst of 8 scores 8 and the same text trickling in all day scores
far less (and is not flagged at all unless ``min_accounts`` of it ever fall in
one window).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select

from hubbub.analytics.post_scope import Scope, ScopedPost, load_scoped, select_posts
from hubbub.store.tables import matches, posts

MIN_ACCOUNTS = 5
WINDOW = timedelta(minutes=30)


@dataclass
class Campaign:
    cluster: str
    text: str  # the earliest post's text in the window (untrusted)
    accounts: list[str]  # handles (or ids) of the accounts in the window
    posts: int  # posts in the window
    cluster_posts: int  # posts of this text in the period
    window_start: datetime
    window_end: datetime
    score: float
    platforms: list[str]
    post_ids: list[int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "cluster": self.cluster,
            "text": self.text,
            "accounts": self.accounts,
            "posts": self.posts,
            "cluster_posts": self.cluster_posts,
            "window_start": self.window_start.isoformat(),
            "window_end": self.window_end.isoformat(),
            "score": round(self.score, 2),
            "platforms": self.platforms,
            "post_ids": self.post_ids,
        }


def find_campaigns(
    conn: Connection,
    start: datetime | None,
    end: datetime | None,
    *,
    scope: Scope | None = None,
    min_accounts: int = MIN_ACCOUNTS,
    window: timedelta = WINDOW,
    limit: int = 50,
) -> list[Campaign]:
    """Campaigns among posts created in [start, end), best score first."""
    if scope is not None and scope.node is not None:
        candidates = select_posts(conn, scope, start, end).posts
    else:
        candidates = _posts_of_crowded_clusters(conn, start, end, scope, min_accounts)
    return detect_bursts(candidates, min_accounts=min_accounts, window=window)[:limit]


def _posts_of_crowded_clusters(
    conn: Connection,
    start: datetime | None,
    end: datetime | None,
    scope: Scope | None,
    min_accounts: int,
) -> list[ScopedPost]:
    """Posts of clusters with enough distinct accounts in the period (found in SQL)."""
    author = posts.c.platform + ":" + func.coalesce(posts.c.author_id, posts.c.author_handle)
    conds: list[ColumnElement[bool]] = [posts.c.dup_cluster.is_not(None), author.is_not(None)]
    if start is not None:
        conds.append(posts.c.created_at >= start)
    if end is not None:
        conds.append(posts.c.created_at < end)
    if scope is not None and scope.query_id is not None:
        conds.append(
            posts.c.id.in_(select(matches.c.post_id).where(matches.c.query_id == scope.query_id))
        )
    crowded = (
        select(posts.c.dup_cluster)
        .where(*conds)
        .group_by(posts.c.dup_cluster)
        .having(func.count(func.distinct(author)) >= min_accounts)
    )
    ids = [
        r.id
        for r in conn.execute(select(posts.c.id).where(*conds, posts.c.dup_cluster.in_(crowded)))
    ]
    return list(load_scoped(conn, ids))


def detect_bursts(
    candidates: Sequence[ScopedPost],
    *,
    min_accounts: int = MIN_ACCOUNTS,
    window: timedelta = WINDOW,
) -> list[Campaign]:
    """The pure core: group by cluster, slide the window, keep the densest."""
    by_cluster: dict[str, list[ScopedPost]] = defaultdict(list)
    for post in candidates:
        if post.dup_cluster and post.author:
            by_cluster[post.dup_cluster].append(post)
    found: list[Campaign] = []
    for cluster, members in by_cluster.items():
        if len({p.author for p in members}) < min_accounts:
            continue
        members.sort(key=lambda p: (p.created_at, p.id))
        burst = _densest_window(members, window)
        accounts = {p.author for p in burst}
        if len(accounts) < min_accounts:
            continue
        found.append(
            Campaign(
                cluster=cluster,
                text=burst[0].text,
                accounts=sorted({p.author_handle or str(p.author) for p in burst}),
                posts=len(burst),
                cluster_posts=len(members),
                window_start=burst[0].created_at,
                window_end=burst[-1].created_at,
                score=len(accounts) * len(burst) / len(members),
                platforms=sorted({p.platform for p in burst}),
                post_ids=[p.id for p in burst],
            )
        )
    found.sort(key=lambda c: (-c.score, c.window_start, c.cluster))
    return found


def _densest_window(members: Sequence[ScopedPost], window: timedelta) -> list[ScopedPost]:
    """The run of posts spanning at most ``window`` with the most distinct accounts."""
    best: tuple[int, int, int] = (0, 0, 0)  # (accounts, first, last+1)
    inside: Counter[str] = Counter()
    left = 0
    for right, post in enumerate(members):
        inside[str(post.author)] += 1
        while post.created_at - members[left].created_at > window:
            gone = str(members[left].author)
            inside[gone] -= 1
            if not inside[gone]:
                del inside[gone]
            left += 1
        if len(inside) > best[0]:
            best = (len(inside), left, right + 1)
    return list(members[best[1] : best[2]])
