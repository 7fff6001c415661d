"""Sources: health, recent errors, add an RSS feed, enable/disable/remove."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from hubbub.actions import sources as actions
from hubbub.analytics.sources import list_sources, recent_errors
from hubbub.interfaces.web import csrf
from hubbub.interfaces.web.render import page, redirect
from hubbub.sources.base import ConfigError

router = APIRouter()


def _sources_page(
    request: Request,
    *,
    message: str | None = None,
    url: str = "",
    name: str = "",
    status: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as conn:
        sources = list_sources(conn)
        errors = recent_errors(conn, limit=20)
    return page(
        request,
        "sources.html",
        {
            "nav": "sources",
            "sources": sources,
            "errors": errors,
            "message": message,
            "url": url,
            "name": name,
            "done": request.query_params.get("done"),
        },
        status_code=status,
    )


@router.get("/sources", response_class=HTMLResponse, name="sources")
def sources_page(request: Request) -> HTMLResponse:
    return _sources_page(request)


@router.post("/sources", dependencies=[Depends(csrf.verify)])
async def source_add(request: Request) -> Response:
    form = await request.form()
    url = str(form.get("url") or "").strip()
    name = str(form.get("name") or "").strip()
    try:
        source_id = actions.add_source(
            request.app.state.engine, "rss", {"url": url}, name=name or None
        )
    except ConfigError as err:
        return _sources_page(request, message=str(err), url=url, name=name, status=400)
    return redirect(f"/sources?done=added#source-{source_id}")


async def _change(request: Request, source_id: int, change: str) -> Response:
    engine = request.app.state.engine
    try:
        if change == "remove":
            actions.remove_source(engine, source_id)
            return redirect("/sources?done=removed")
        actions.set_enabled(engine, source_id, change == "enable")
    except actions.SourceNotFound:
        return page(request, "error.html", {"status": 404, "message": "No such source."}, 404)
    return redirect(f"/sources?done=saved#source-{source_id}")


@router.post("/sources/{source_id}/enable", dependencies=[Depends(csrf.verify)])
async def source_enable(request: Request, source_id: int) -> Response:
    return await _change(request, source_id, "enable")


@router.post("/sources/{source_id}/disable", dependencies=[Depends(csrf.verify)])
async def source_disable(request: Request, source_id: int) -> Response:
    return await _change(request, source_id, "disable")


@router.post("/sources/{source_id}/remove", dependencies=[Depends(csrf.verify)])
async def source_remove(request: Request, source_id: int) -> Response:
    return await _change(request, source_id, "remove")
