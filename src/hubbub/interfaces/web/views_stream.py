"""Mentions (the filtered stream) and Search (a listening query)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from hubbub.analytics.counts import facet_values, list_queries
from hubbub.analytics.stream import SENTIMENTS, load_items, stream_ids
from hubbub.interfaces.web.auth import web_requires
from hubbub.interfaces.web.filters import RANGES, before_id, read_form
from hubbub.interfaces.web.render import page
from hubbub.listening.errors import QuerySyntaxError
from hubbub.listening.matcher import compile_query
from hubbub.listening.parser import parse
from hubbub.listening.search import search

router = APIRouter()
PAGE_SIZE = 50


@router.get(
    "/", response_class=HTMLResponse, name="mentions", dependencies=[web_requires("post.view")]
)
def mentions(request: Request) -> HTMLResponse:
    form = read_form(request.query_params)
    with request.app.state.engine.connect() as conn:
        ids = stream_ids(
            conn, form.to_filter(), limit=PAGE_SIZE, before_id=before_id(request.query_params)
        )
        items = load_items(conn, ids)
        queries = list_queries(conn)
        facets = facet_values(conn)
    return page(
        request,
        "mentions.html",
        {
            "nav": "mentions",
            "items": items,
            "form": form,
            "queries": queries,
            "facets": facets,
            "sentiments": SENTIMENTS,
            "ranges": list(RANGES),
            "next_before": ids[-1] if len(ids) == PAGE_SIZE else None,
            "paged": before_id(request.query_params) is not None,
        },
    )


@router.get(
    "/search", response_class=HTMLResponse, name="search", dependencies=[web_requires("post.view")]
)
def search_page(request: Request) -> HTMLResponse:
    q = request.query_params.get("q", "")
    context: dict[str, object] = {"nav": "search", "q": q, "items": None, "error": None}
    status = 200
    if q.strip():
        try:
            node = parse(q)
        except QuerySyntaxError as err:
            context["error"] = err
            status = 400
        else:
            with request.app.state.engine.connect() as conn:
                ids = search(conn, node, limit=PAGE_SIZE, before_id=before_id(request.query_params))
                items = load_items(conn, ids)
            compiled = compile_query(node)
            context["items"] = items
            context["hits"] = {i.post.id: compiled.explain(i.post).hits for i in items}
            context["next_before"] = ids[-1] if len(ids) == PAGE_SIZE else None
    return page(request, "search.html", context, status_code=status)
