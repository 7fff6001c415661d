"""Emerging terms: the phrases whose frequency grew most against the previous
period of the same length, with the posts that drive them.

Terms are the n-grams of content words (``enrich.phrases.ngrams``: 1-3 words,
never across a stopword) and hashtags, counted once per post. Growth is
smoothed so that a rare term is no news: ``(now + α) / (expected + α)`` with
α = ``SMOOTHING`` posts, where ``expected`` is the previous count scaled by the
change in total volume. 1 → 3 posts is 1.3×, 4 → 60 is 7×. A term must be in
``min_count`` posts from ``min_authors`` distinct accounts this period (one
account repeating itself is a campaign, not a trend). Overlapping terms
("battery", "battery drain", "drain") are merged: the longer phrase is kept
when it carries most of the posts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from hubbub.analytics.post_scope import Scope, ScopedPost, Selection, select_posts
from hubbub.enrich.phrases import content_runs, hashtags, ngrams

SMOOTHING = 5.0
MIN_COUNT = 5
MIN_AUTHORS = 3
# posts read per period; more are sampled (counts are then scaled to the total)
MAX_POSTS = 20_000
DRIVING_POSTS = 3
# a term is the same news as a kept one when their posts overlap this much
OVERLAP = 0.5
# a longer phrase replaces a shorter kept one if it has this share of its posts
LONGER_KEEPS = 0.6


def smoothed_growth(current: float, previous: float, scale: float = 1.0) -> float:
    """How many times more often than expected, damped by SMOOTHING posts."""
    return (current + SMOOTHING) / (previous * scale + SMOOTHING)


def volume_scale(current_total: int, previous_total: int) -> float:
    """The overall volume change: a term growing only as fast as everything is no trend."""
    return current_total / previous_total if previous_total else 1.0


@dataclass
class EmergingTerm:
    term: str
    current: int  # posts this period (scaled to the total when sampled)
    previous: int  # posts the period before
    growth: float  # smoothed ratio
    authors: int  # distinct accounts this period (in the posts read)
    posts: list[ScopedPost] = field(default_factory=list)  # the ones driving it

    def to_dict(self) -> dict[str, Any]:
        return {
            "term": self.term,
            "current": self.current,
            "previous": self.previous,
            "growth": round(self.growth, 2),
            "authors": self.authors,
            "posts": [p.summary() for p in self.posts],
        }


@dataclass
class Trends:
    scope: Scope
    start: datetime
    end: datetime
    previous_start: datetime
    current_total: int
    previous_total: int
    sampled: bool
    terms: list[EmergingTerm]

    def to_dict(self) -> dict[str, Any]:
        return {
            "scope": self.scope.to_dict(),
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "previous_start": self.previous_start.isoformat(),
            "current_total": self.current_total,
            "previous_total": self.previous_total,
            "sampled": self.sampled,
            "terms": [t.to_dict() for t in self.terms],
        }


def post_terms(post: ScopedPost) -> set[str]:
    text = f"{post.title}. {post.text}" if post.title else post.text
    terms = ngrams(content_runs(text))
    if "#" in text:
        terms.update("#" + tag for tag in hashtags(text))
    return terms


def emerging_terms(
    conn: Connection,
    scope: Scope,
    period: timedelta,
    *,
    end: datetime,
    limit: int = 10,
    min_count: int = MIN_COUNT,
    min_authors: int = MIN_AUTHORS,
    max_posts: int = MAX_POSTS,
) -> Trends:
    """The terms of ``scope`` that grew most in [end - period, end) over the period before."""
    start = end - period
    previous_start = start - period
    current = select_posts(conn, scope, start, end, cap=max_posts)
    previous = select_posts(conn, scope, previous_start, start, cap=max_posts)
    terms = rank_emerging(
        current, previous, limit=limit, min_count=min_count, min_authors=min_authors
    )
    return Trends(
        scope,
        start,
        end,
        previous_start,
        current.total,
        previous.total,
        current.sampled or previous.sampled,
        terms,
    )


def rank_emerging(
    current: Selection,
    previous: Selection,
    *,
    limit: int = 10,
    min_count: int = MIN_COUNT,
    min_authors: int = MIN_AUTHORS,
) -> list[EmergingTerm]:
    """Pure ranking over two selections (see the module docstring)."""
    now_terms = [post_terms(p) for p in current.posts]
    before = Counter(t for p in previous.posts for t in post_terms(p))
    now_scale = current.total / len(current.posts) if current.posts else 1.0
    before_scale = previous.total / len(previous.posts) if previous.posts else 1.0
    counts = Counter(t for terms in now_terms for t in terms)
    # a term must clear min_count in the posts actually read, however they scale
    candidates = [t for t, n in counts.items() if n >= min_count]
    members: dict[str, list[int]] = defaultdict(list)
    wanted = set(candidates)
    for i, terms in enumerate(now_terms):
        for t in terms & wanted:
            members[t].append(i)
    scale = volume_scale(current.total, previous.total)
    ranked: list[tuple[float, str]] = []
    for term in candidates:
        authors = {current.posts[i].author or f"post:{current.posts[i].id}" for i in members[term]}
        if len(authors) < min_authors:
            continue
        growth = smoothed_growth(counts[term] * now_scale, before[term] * before_scale, scale)
        if growth > 1.0:
            ranked.append((growth, term))
    ranked.sort(key=lambda gt: (-gt[0], -counts[gt[1]], gt[1]))
    kept = _merge_overlapping([t for _, t in ranked], members, limit)
    growth_of = {t: g for g, t in ranked}
    out = []
    for term in kept:
        rows = [current.posts[i] for i in members[term]]
        out.append(
            EmergingTerm(
                term=term,
                current=round(counts[term] * now_scale),
                previous=round(before[term] * before_scale),
                growth=growth_of[term],
                authors=len({p.author or f"post:{p.id}" for p in rows}),
                posts=_driving(rows),
            )
        )
    return out


def _merge_overlapping(ordered: list[str], members: dict[str, list[int]], limit: int) -> list[str]:
    kept: list[str] = []
    sets: dict[str, set[int]] = {}
    for term in ordered:
        mine = sets.setdefault(term, set(members[term]))
        for at, other in enumerate(kept):
            theirs = sets[other]
            if len(mine & theirs) / len(mine | theirs) < OVERLAP:
                continue
            longer = len(term.split()) > len(other.split())
            if longer and len(mine) >= LONGER_KEEPS * len(theirs) and term not in kept:
                kept[at] = term
            break
        else:
            kept.append(term)
        if len(kept) >= limit:
            break
    return kept


def _driving(rows: Sequence[ScopedPost]) -> list[ScopedPost]:
    """The most engaged, then newest, posts with the term; one per text."""
    seen: set[str] = set()
    out: list[ScopedPost] = []
    for post in sorted(rows, key=lambda p: (-p.engagement, -p.created_at.timestamp(), -p.id)):
        key = post.dup_cluster or post.text
        if key in seen:
            continue
        seen.add(key)
        out.append(post)
        if len(out) >= DRIVING_POSTS:
            break
    return out
