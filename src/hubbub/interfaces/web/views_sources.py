"""Sources: health, recent errors, add an RSS feed, enable/disable/remove."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from hubbub.actions import sources as actions
from hubbub.analytics.sources import list_sources, recent_errors
from hubbub.interfaces.web import csrf
from hubbub.interfaces.web.auth import web_requires
from hubbub.interfaces.web.render import page, redirect
from hubbub.post import utcnow
from hubbub.sources.base import ConfigError
from hubbub.store.credentials import CredentialCipher

router = APIRouter()


def _sources_page(
    request: Request,
    *,
    message: str | None = None,
    url: str = "",
    name: str = "",
    status: int = 200,
) -> HTMLResponse:
    now = utcnow()
    failing_after = request.app.state.settings.source_failing_after
    with request.app.state.engine.connect() as conn:
        sources = list_sources(conn, failing_after, now)
        errors = recent_errors(conn, limit=20)
    for source in sources:
        source["shown"] = _shown_health(source["health"], now)
    return page(
        request,
        "sources.html",
        {
            "nav": "sources",
            "sources": sources,
            "failing": [s for s in sources if s["health"]["state"] == "failing"],
            "errors": errors,
            "message": message,
            "url": url,
            "name": name,
            "done": request.query_params.get("done"),
        },
        status_code=status,
    )


def duration(seconds: float) -> str:
    """Seconds as a short human figure: 45s, 12m, 3h, 2d."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f}{unit}"
    return f"{seconds:.0f}s"


def _shown_health(health: dict[str, Any], now: datetime) -> dict[str, str]:
    """The health figures as short text for the table."""
    next_run: datetime | None = health["next_run_at"]
    if health["state"] == "disabled":
        next_try = "—"
    elif next_run is None or next_run <= now:
        next_try = "now"
    else:
        next_try = "in " + duration((next_run - now).total_seconds())
    lag = health["lag_seconds"]
    rates = (health["items_per_minute_15m"], health["items_per_minute_60m"])
    return {
        "next_try": next_try,
        "lag": "—" if lag is None else duration(lag),
        "rates": " · ".join("—" if r is None else f"{r:g}" for r in rates),
    }


@router.get(
    "/sources",
    response_class=HTMLResponse,
    name="sources",
    dependencies=[web_requires("source.view")],
)
def sources_page(request: Request) -> HTMLResponse:
    return _sources_page(request)


@router.post("/sources", dependencies=[web_requires("source.manage"), Depends(csrf.verify)])
async def source_add(request: Request) -> Response:
    form = await request.form()
    url = str(form.get("url") or "").strip()
    name = str(form.get("name") or "").strip()
    try:
        source_id = actions.add_source(
            request.app.state.engine,
            "rss",
            {"url": url},
            name=name or None,
            cipher=CredentialCipher(request.app.state.settings),
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


@router.post(
    "/sources/{source_id}/enable",
    dependencies=[web_requires("source.manage"), Depends(csrf.verify)],
)
async def source_enable(request: Request, source_id: int) -> Response:
    return await _change(request, source_id, "enable")


@router.post(
    "/sources/{source_id}/disable",
    dependencies=[web_requires("source.manage"), Depends(csrf.verify)],
)
async def source_disable(request: Request, source_id: int) -> Response:
    return await _change(request, source_id, "disable")


@router.post(
    "/sources/{source_id}/remove",
    dependencies=[web_requires("source.manage"), Depends(csrf.verify)],
)
async def source_remove(request: Request, source_id: int) -> Response:
    return await _change(request, source_id, "remove")
