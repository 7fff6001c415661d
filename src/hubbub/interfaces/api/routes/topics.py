"""Understanding a query's posts: topics, emerging terms, campaigns, facets.

``query`` is a saved query's name or id, or a query text; omitted (or "all")
means every post. ``since`` is a period (12h, 7d, 2w) ending now; trends
compare it with the period before.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Request

from hubbub.analytics.campaigns import find_campaigns
from hubbub.analytics.facets import facets as compute_facets
from hubbub.analytics.post_scope import Scope, resolve_scope
from hubbub.analytics.query_preview import parse_duration
from hubbub.analytics.topics import find_topics
from hubbub.analytics.trends import emerging_terms
from hubbub.interfaces.api.deps import ConnDep, requires
from hubbub.interfaces.api.errors import syntax_error
from hubbub.listening.errors import QuerySyntaxError
from hubbub.post import utcnow

router = APIRouter(tags=["topics"], dependencies=[requires("analytics.view")])

QueryParam = Annotated[
    str | None, Query(description="A saved query's name or id, or a query text; omit for all.")
]
SinceParam = Annotated[str, Query(description="Period ending now: 12h, 7d, 2w.")]


def _scope(conn: Any, query: str | None) -> Scope:
    try:
        return resolve_scope(conn, query)
    except QuerySyntaxError as err:
        raise syntax_error(err) from err


def _period(since: str) -> timedelta:
    try:
        return parse_duration(since)
    except ValueError as err:
        raise HTTPException(422, detail=f"since: {err}") from err


@router.get("/topics")
def topics(
    conn: ConnDep,
    request: Request,
    query: QueryParam = None,
    since: SinceParam = "7d",
    method: Literal["auto", "embeddings", "tfidf"] = "auto",
    max_posts: Annotated[int, Query(ge=20, le=20_000)] = 5_000,
    max_topics: Annotated[int, Query(ge=2, le=30)] = 12,
) -> dict[str, Any]:
    """Posts clustered into labelled topics (largest first), each with size,
    estimated size, sentiment mix, central sample posts and growth against the
    previous period. ``sampled`` says the posts were a deterministic sample."""
    scope = _scope(conn, query)
    result = find_topics(
        conn,
        scope,
        _period(since),
        end=utcnow(),
        method=method,
        settings=request.app.state.settings,
        max_posts=max_posts,
        max_topics=max_topics,
    )
    return result.to_dict()


@router.get("/trends")
def trends(
    conn: ConnDep,
    query: QueryParam = None,
    since: SinceParam = "7d",
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> dict[str, Any]:
    """Terms that grew most against the previous period, with their driving posts."""
    scope = _scope(conn, query)
    return emerging_terms(conn, scope, _period(since), end=utcnow(), limit=limit).to_dict()


@router.get("/campaigns")
def campaigns(
    conn: ConnDep,
    query: QueryParam = None,
    since: SinceParam = "24h",
    min_accounts: Annotated[int, Query(ge=2, le=1_000)] = 5,
    window_minutes: Annotated[int, Query(ge=1, le=24 * 60)] = 30,
) -> dict[str, Any]:
    """Coordinated bursts: near-identical text from many accounts in a short window."""
    scope = _scope(conn, query)
    end = utcnow()
    found = find_campaigns(
        conn,
        end - _period(since),
        end,
        scope=scope,
        min_accounts=min_accounts,
        window=timedelta(minutes=window_minutes),
    )
    return {"scope": scope.to_dict(), "campaigns": [c.to_dict() for c in found]}


@router.get("/facets")
def facets(
    conn: ConnDep,
    query: QueryParam = None,
    since: SinceParam = "7d",
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> dict[str, Any]:
    """Top hashtags, mentions, domains, cashtags and key phrases (posts per value)."""
    scope = _scope(conn, query)
    end = utcnow()
    return compute_facets(conn, scope, end - _period(since), end, limit=limit)
