"""Topics page: a query's topics (bar chart and list), emerging terms with
their driving posts, coordinated bursts and top facets, for a chosen period."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hubbub.analytics.campaigns import find_campaigns
from hubbub.analytics.counts import list_queries
from hubbub.analytics.facets import facets
from hubbub.analytics.post_scope import resolve_scope
from hubbub.analytics.topics import find_topics
from hubbub.analytics.trends import emerging_terms
from hubbub.interfaces.web.auth import web_requires
from hubbub.interfaces.web.charts_topics import hbars
from hubbub.interfaces.web.render import page
from hubbub.listening.errors import QuerySyntaxError
from hubbub.post import utcnow

router = APIRouter()
PERIODS = {"24h": timedelta(hours=24), "7d": timedelta(days=7), "30d": timedelta(days=30)}
PERIOD_NAMES = {"24h": "last 24 hours", "7d": "last 7 days", "30d": "last 30 days"}


@router.get(
    "/topics",
    response_class=HTMLResponse,
    name="topics",
    dependencies=[web_requires("analytics.view")],
)
def topics_page(request: Request) -> HTMLResponse:
    params = request.query_params
    since = params.get("since", "7d") if params.get("since") in PERIODS else "7d"
    query = (params.get("q") or params.get("query") or "").strip()
    period = PERIODS[since]
    # by words (TF-IDF, seconds) unless asked to group by meaning: embedding
    # 5,000 posts and 2,000 of the period before takes ~20 s on two cores
    # (docs/topics.md), too long for a page by default
    method: Literal["embeddings", "tfidf"] = (
        "embeddings" if params.get("method") == "embeddings" else "tfidf"
    )
    end = utcnow()
    context: dict[str, Any] = {
        "nav": "topics",
        "method": method,
        "since": since,
        "periods": PERIOD_NAMES,
        "query": query,
        "error": None,
        "caret": None,
    }
    # page() may write (the session's last use): render after the connection is closed
    with request.app.state.engine.connect() as conn:
        context["queries"] = list_queries(conn)
        try:
            scope = resolve_scope(conn, query or None)
        except QuerySyntaxError as exc:
            context["error"], context["caret"] = exc.message, exc.caret()
            scope = None
        if scope is not None:
            found = find_topics(
                conn, scope, period, end=end, method=method, settings=request.app.state.settings
            )
            rising = emerging_terms(conn, scope, period, end=end, limit=10)
            bursts = find_campaigns(conn, end - period, end, scope=scope, limit=20)
            top = facets(conn, scope, end - period, end, limit=8)
    if scope is None:
        return page(request, "topics.html", context, status_code=400)
    context.update(
        scope=scope,
        topics=found,
        trends=rising,
        campaigns=bursts,
        facets=top,
        chart=hbars(
            f"Posts per topic, {PERIOD_NAMES[since]}",
            [(t.label, t.estimated) for t in found.topics],
        )
        if found.topics
        else None,
    )
    return page(request, "topics.html", context)
