"""Workers (scale-out): lag per stage and the dead letters, with replay and drop."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from hubbub.interfaces.web import csrf
from hubbub.interfaces.web.auth import web_requires
from hubbub.interfaces.web.render import page, redirect

router = APIRouter()

DONE = {"replayed": "Dead letter replayed.", "dropped": "Dead letter dropped."}


@router.get(
    "/workers",
    response_class=HTMLResponse,
    name="workers",
    dependencies=[web_requires("cluster.view")],
)
def workers_page(request: Request) -> HTMLResponse:
    from hubbub.workers import inspect

    settings = request.app.state.settings
    cluster: dict[str, Any] | None = inspect.cluster_status(settings, request.app.state.engine)
    letters: list[dict[str, Any]] = []
    if cluster is not None and "error" not in cluster:
        try:
            letters = inspect.list_dead_letters(settings, limit=200, with_message=True)
        except inspect.ClusterUnavailable as exc:
            cluster = {"error": str(exc)}
    return page(
        request,
        "workers.html",
        {
            "nav": "workers",
            "cluster": cluster,
            "letters": letters,
            "done": DONE.get(request.query_params.get("done") or ""),
        },
    )


async def _act(request: Request, seq: int, action: str) -> Response:
    from hubbub.workers import inspect

    settings = request.app.state.settings
    try:
        if action == "replay":
            ok = bool(inspect.replay_dead_letters(settings, [seq]))
        else:
            ok = inspect.drop_dead_letter(settings, seq)
    except inspect.ClusterUnavailable as exc:
        return page(request, "error.html", {"status": 503, "message": str(exc)}, 503)
    if not ok:
        return page(request, "error.html", {"status": 404, "message": "No such dead letter."}, 404)
    return redirect(f"/workers?done={'replayed' if action == 'replay' else 'dropped'}")


@router.post(
    "/workers/dlq/{seq}/replay", dependencies=[web_requires("dlq.manage"), Depends(csrf.verify)]
)
async def dead_letter_replay(request: Request, seq: int) -> Response:
    return await _act(request, seq, "replay")


@router.post(
    "/workers/dlq/{seq}/drop", dependencies=[web_requires("dlq.manage"), Depends(csrf.verify)]
)
async def dead_letter_drop(request: Request, seq: int) -> Response:
    return await _act(request, seq, "drop")
