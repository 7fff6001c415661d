"""Listening queries: list, editor with preview and explanations, and changes
via actions. Saving re-matches stored history in the background; the editor
polls ``/queries/{id}/backfill`` (progress is on the query row, so any web
node can answer)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from sqlalchemy import Engine
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from hubbub.actions import queries as actions
from hubbub.analytics.backfill import BackfillStatus, backfill_status, backfill_statuses
from hubbub.analytics.counts import get_query, list_queries
from hubbub.analytics.query_preview import explain_post, find_post, preview, since_from
from hubbub.analytics.stream import load_items
from hubbub.interfaces.web import charts, csrf
from hubbub.interfaces.web.auth import web_requires
from hubbub.interfaces.web.render import page, redirect
from hubbub.listening.errors import QuerySyntaxError
from hubbub.listening.parser import parse

router = APIRouter()
TEST_CAP = 10_000
SAMPLE = 10
WINDOWS: tuple[tuple[str, str], ...] = (
    ("24h", "Last 24 hours"),
    ("7d", "Last 7 days"),
    ("30d", "Last 30 days"),
    ("90d", "Last 90 days"),
    ("all", "All history"),
)
DEFAULT_WINDOW = "30d"


def _form_text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


@router.get(
    "/queries",
    response_class=HTMLResponse,
    name="queries",
    dependencies=[web_requires("query.view")],
)
def queries_page(request: Request) -> HTMLResponse:
    with request.app.state.engine.connect() as conn:
        queries = list_queries(conn)
        statuses = backfill_statuses(conn)
    return page(
        request,
        "queries.html",
        {
            "nav": "queries",
            "queries": queries,
            "backfills": statuses,
            "done": request.query_params.get("done"),
        },
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
    window: str = DEFAULT_WINDOW,
    why: str = "",
    backfill: BackfillStatus | None = None,
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
            "windows": WINDOWS,
            "window": window,
            "why": why,
            "backfill": backfill,
            "done": request.query_params.get("done"),
        },
        status_code=status_code,
    )


@router.get(
    "/queries/new",
    response_class=HTMLResponse,
    name="query_new",
    dependencies=[web_requires("query.manage")],
)
def query_new(request: Request) -> HTMLResponse:
    return _editor(
        request, query=None, name="", text=request.query_params.get("q", ""), enabled=True
    )


@router.get(
    "/queries/{query_id}",
    response_class=HTMLResponse,
    name="query_edit",
    dependencies=[web_requires("query.view")],
)
def query_edit(request: Request, query_id: int) -> HTMLResponse:
    with request.app.state.engine.connect() as conn:
        query = get_query(conn, query_id)
        status = backfill_status(conn, query_id)
    if query is None:
        return page(request, "error.html", {"status": 404, "message": "No such query."}, 404)
    return _editor(
        request,
        query=query,
        name=query["name"],
        text=query["query"],
        enabled=query["enabled"],
        backfill=status,
    )


@router.get(
    "/queries/{query_id}/backfill", name="query_backfill", dependencies=[web_requires("query.view")]
)
def query_backfill(request: Request, query_id: int) -> JSONResponse:
    """The backfill's progress, polled by the editor."""
    with request.app.state.engine.connect() as conn:
        status = backfill_status(conn, query_id)
        query = get_query(conn, query_id) if status is not None else None
    if status is None or query is None:
        return JSONResponse({"detail": "No such query."}, status_code=404)
    return JSONResponse(status.to_dict() | {"match_count": query["match_count"]})


def _dry_run(request: Request, text: str, window: str, why: str) -> dict[str, Any]:
    """Raises QuerySyntaxError, or ValueError for a bad window."""
    node = parse(text)
    since = since_from(window)
    with request.app.state.engine.connect() as conn:
        result = preview(conn, node, since=since, limit=SAMPLE, cap=TEST_CAP)
        items = load_items(conn, [s.post.id for s in result.sample if s.post.id is not None])
        hits = {s.post.id: s.hits for s in result.sample}
        explained: dict[str, Any] | None = None
        if why:
            post_id = find_post(conn, why)
            found = explain_post(conn, node, post_id) if post_id is not None else None
            if found is None or post_id is None:
                explained = {"missing": True}
            else:
                hits[post_id] = found.hits
                explained = {"tree": found.tree, "items": load_items(conn, [post_id])}
    labels = [d for d, _ in result.per_day]
    values = [n for _, n in result.per_day]
    chart = charts.stacked_bars(
        "Matching posts per day (UTC)", labels, [charts.Series("Matches", values, "#2457c5")]
    )
    return {
        "count": result.count,
        "capped": result.capped,
        "since": result.since,
        "chart": chart if labels else None,
        "items": items,
        "hits": hits,
        "explained": explained,
    }


def _run_in_background(engine: Engine, query_id: int) -> BackgroundTask:
    """Mark the backfill pending now (the editor shows it at once), run it
    after the response. A newer save supersedes a run still going."""
    run = actions.request_backfill(engine, query_id)
    return BackgroundTask(actions.backfill_query, engine, query_id, run=run)


async def _save(request: Request, query_id: int | None) -> Response:
    form = await request.form()
    name, text = _form_text(form, "name"), _form_text(form, "query")
    window = _form_text(form, "since") or DEFAULT_WINDOW
    why = _form_text(form, "why")
    enabled = form.get("enabled") == "on"
    engine = request.app.state.engine
    query = None
    status = None
    if query_id is not None:
        with engine.connect() as conn:
            query = get_query(conn, query_id)
            status = backfill_status(conn, query_id)
        if query is None:
            return page(request, "error.html", {"status": 404, "message": "No such query."}, 404)

    def again(**kw: Any) -> HTMLResponse:
        return _editor(
            request,
            query=query,
            name=name,
            text=text,
            enabled=enabled,
            window=window,
            why=why,
            backfill=status,
            **kw,
        )

    try:
        if form.get("action") == "test":
            # a preview can read many posts: off the event loop, so polls keep flowing
            test = await run_in_threadpool(_dry_run, request, text, window, why)
            return again(test=test)
        if not name or not text:
            return again(message="A query needs a name and a query.", status_code=400)
        if query_id is None:
            query_id = actions.create_query(engine, name, text, enabled=enabled, backfill=False)
            response = redirect(f"/queries/{query_id}?done=created")
            if enabled:
                response.background = _run_in_background(engine, query_id)
            return response
        actions.update_query(
            engine, query_id, name=name, query=text, enabled=enabled, backfill=False
        )
        response = redirect(f"/queries/{query_id}?done=saved")
        response.background = _run_in_background(engine, query_id)
        return response
    except QuerySyntaxError as err:
        return again(error=err, status_code=400)
    except (actions.DuplicateQueryName, ValueError) as err:
        return again(message=str(err), status_code=400)


@router.post(
    "/queries",
    dependencies=[web_requires("query.manage"), Depends(csrf.verify)],
    name="query_create",
)
async def query_create(request: Request) -> Response:
    return await _save(request, None)


@router.post(
    "/queries/{query_id}",
    dependencies=[web_requires("query.manage"), Depends(csrf.verify)],
    name="query_update",
)
async def query_update(request: Request, query_id: int) -> Response:
    return await _save(request, query_id)


@router.post(
    "/queries/{query_id}/backfill",
    dependencies=[web_requires("query.manage"), Depends(csrf.verify)],
)
async def query_rematch(request: Request, query_id: int) -> Response:
    """Run the backfill again (after one failed or stalled)."""
    engine = request.app.state.engine
    with engine.connect() as conn:
        if get_query(conn, query_id) is None:
            return page(request, "error.html", {"status": 404, "message": "No such query."}, 404)
    response = redirect(f"/queries/{query_id}")
    response.background = _run_in_background(engine, query_id)
    return response


@router.post(
    "/queries/{query_id}/enabled", dependencies=[web_requires("query.manage"), Depends(csrf.verify)]
)
async def query_toggle(request: Request, query_id: int) -> Response:
    form = await request.form()
    enabled = form.get("enabled") == "1"
    engine = request.app.state.engine
    try:
        actions.update_query(engine, query_id, enabled=enabled, backfill=False)
    except actions.QueryNotFound:
        return page(request, "error.html", {"status": 404, "message": "No such query."}, 404)
    response = redirect(f"/queries?done=saved#query-{query_id}")
    if enabled:  # matches made while it was off are missing: re-match history
        response.background = _run_in_background(engine, query_id)
    return response


@router.post(
    "/queries/{query_id}/delete", dependencies=[web_requires("query.manage"), Depends(csrf.verify)]
)
async def query_delete(request: Request, query_id: int) -> Response:
    try:
        actions.delete_query(request.app.state.engine, query_id)
    except actions.QueryNotFound:
        return page(request, "error.html", {"status": 404, "message": "No such query."}, 404)
    return redirect("/queries?done=deleted")
