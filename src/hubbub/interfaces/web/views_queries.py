"""Listening queries: list, editor with dry run, and changes via actions."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from hubbub.actions import queries as actions
from hubbub.analytics.counts import get_query, list_queries
from hubbub.analytics.stream import load_items
from hubbub.interfaces.web import csrf
from hubbub.interfaces.web.render import page, redirect
from hubbub.listening.errors import QuerySyntaxError
from hubbub.listening.matcher import compile_query
from hubbub.listening.parser import parse
from hubbub.listening.search import search

router = APIRouter()
TEST_CAP = 1000
SAMPLE = 10


def _form_text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


@router.get("/queries", response_class=HTMLResponse, name="queries")
def queries_page(request: Request) -> HTMLResponse:
    with request.app.state.engine.connect() as conn:
        queries = list_queries(conn)
    return page(
        request,
        "queries.html",
        {"nav": "queries", "queries": queries, "done": request.query_params.get("done")},
    )


def _editor(
    request: Request,
    *,
    query: dict[str, Any] | None,
    name: str,
    text: str,
    enabled: bool,
    error: QuerySyntaxError | None = None,
    message: str | None = None,
    test: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return page(
        request,
        "query_edit.html",
        {
            "nav": "queries",
            "query": query,
            "name": name,
            "text": text,
            "enabled": enabled,
            "error": error,
            "message": message,
            "test": test,
        },
        status_code=status_code,
    )


@router.get("/queries/new", response_class=HTMLResponse, name="query_new")
def query_new(request: Request) -> HTMLResponse:
    return _editor(
        request, query=None, name="", text=request.query_params.get("q", ""), enabled=True
    )


@router.get("/queries/{query_id}", response_class=HTMLResponse, name="query_edit")
def query_edit(request: Request, query_id: int) -> HTMLResponse:
    with request.app.state.engine.connect() as conn:
        query = get_query(conn, query_id)
    if query is None:
        return page(request, "error.html", {"status": 404, "message": "No such query."}, 404)
    return _editor(
        request, query=query, name=query["name"], text=query["query"], enabled=query["enabled"]
    )


def _dry_run(request: Request, text: str) -> dict[str, Any]:
    node = parse(text)
    compiled = compile_query(node)
    with request.app.state.engine.connect() as conn:
        ids = search(conn, node, limit=TEST_CAP)
        items = load_items(conn, ids[:SAMPLE])
    return {
        "count": len(ids),
        "capped": len(ids) >= TEST_CAP,
        "items": items,
        "hits": {i.post.id: compiled.explain(i.post).hits for i in items},
    }


async def _save(request: Request, query_id: int | None) -> Response:
    form = await request.form()
    name, text = _form_text(form, "name"), _form_text(form, "query")
    enabled = form.get("enabled") == "on"
    engine = request.app.state.engine
    query = None
    if query_id is not None:
        with engine.connect() as conn:
            query = get_query(conn, query_id)
        if query is None:
            return page(request, "error.html", {"status": 404, "message": "No such query."}, 404)

    def again(**kw: Any) -> HTMLResponse:
        return _editor(request, query=query, name=name, text=text, enabled=enabled, **kw)

    try:
        if form.get("action") == "test":
            return again(test=_dry_run(request, text))
        if not name or not text:
            return again(message="A query needs a name and a query.", status_code=400)
        if query_id is None:
            query_id = actions.create_query(engine, name, text, enabled=enabled)
            return redirect(f"/queries?done=created#query-{query_id}")
        actions.update_query(engine, query_id, name=name, query=text, enabled=enabled)
        return redirect(f"/queries?done=saved#query-{query_id}")
    except QuerySyntaxError as err:
        return again(error=err, status_code=400)
    except (actions.DuplicateQueryName, ValueError) as err:
        return again(message=str(err), status_code=400)


@router.post("/queries", dependencies=[Depends(csrf.verify)], name="query_create")
async def query_create(request: Request) -> Response:
    return await _save(request, None)


@router.post("/queries/{query_id}", dependencies=[Depends(csrf.verify)], name="query_update")
async def query_update(request: Request, query_id: int) -> Response:
    return await _save(request, query_id)


@router.post("/queries/{query_id}/enabled", dependencies=[Depends(csrf.verify)])
async def query_toggle(request: Request, query_id: int) -> Response:
    form = await request.form()
    try:
        actions.update_query(request.app.state.engine, query_id, enabled=form.get("enabled") == "1")
    except actions.QueryNotFound:
        return page(request, "error.html", {"status": 404, "message": "No such query."}, 404)
    return redirect(f"/queries?done=saved#query-{query_id}")


@router.post("/queries/{query_id}/delete", dependencies=[Depends(csrf.verify)])
async def query_delete(request: Request, query_id: int) -> Response:
    try:
        actions.delete_query(request.app.state.engine, query_id)
    except actions.QueryNotFound:
        return page(request, "error.html", {"status": 404, "message": "No such query."}, 404)
    return redirect("/queries?done=deleted")
