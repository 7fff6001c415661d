"""Facets: the top hashtags, mentions, domains, cashtags and key phrases of a
query's posts in a period, counted once per post.

Values come from the stored ``phrases`` enrichment; a post stored before that
enricher existed is read from its text on the fly (same function).
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from hubbub.analytics.post_scope import Scope, select_posts
from hubbub.enrich.phrases import PhrasesEnricher, extract
from hubbub.store.tables import enrichments

FIELDS = ("hashtags", "mentions", "domains", "cashtags", "phrases")
MAX_POSTS = 50_000
_CHUNK = 1_000


def facets(
    conn: Connection,
    scope: Scope,
    start: datetime | None,
    end: datetime | None,
    *,
    limit: int = 10,
    max_posts: int = MAX_POSTS,
) -> dict[str, Any]:
    """``{"total", "analysed", "sampled", "hashtags": [{"value", "count"}], ...}``;
    counts are of the posts read (a sample when ``sampled``)."""
    selection = select_posts(conn, scope, start, end, cap=max_posts)
    stored = _stored_results(conn, [p.id for p in selection.posts])
    counts: dict[str, Counter[str]] = {f: Counter() for f in FIELDS}
    for post in selection.posts:
        found = stored.get(post.id)
        if found is None:
            text = f"{post.title}. {post.text}" if post.title else post.text
            found = extract(text, post.links)
        for field in FIELDS:
            values = found.get(field)
            if isinstance(values, list):
                counts[field].update(set(map(str, values)))
    out: dict[str, Any] = {
        "scope": scope.to_dict(),
        "total": selection.total,
        "analysed": len(selection.posts),
        "sampled": selection.sampled,
    }
    for field in FIELDS:
        top = sorted(counts[field].items(), key=lambda vc: (-vc[1], vc[0]))[:limit]
        out[field] = [{"value": v, "count": c} for v, c in top]
    return out


def _stored_results(conn: Connection, ids: list[int]) -> dict[int, dict[str, Any]]:
    found: dict[int, dict[str, Any]] = {}
    for at in range(0, len(ids), _CHUNK):
        rows = conn.execute(
            select(enrichments.c.post_id, enrichments.c.data).where(
                enrichments.c.enricher == PhrasesEnricher.name,
                enrichments.c.post_id.in_(ids[at : at + _CHUNK]),
            )
        )
        found.update((r.post_id, r.data) for r in rows if isinstance(r.data, dict))
    return found
