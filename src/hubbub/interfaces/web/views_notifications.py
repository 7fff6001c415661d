"""The signed-in person's notifications: unread first, each linking to its
conversation; mark one or all read. ``/notifications/count`` answers the
unread count as JSON for the bell to poll."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from hubbub.actions.notifications import mark_read
from hubbub.interfaces.web import csrf
from hubbub.interfaces.web.auth import web_requires
from hubbub.interfaces.web.render import page, redirect
from hubbub.notify.reads import list_for, unread_count
from hubbub.people.principal import Principal

router = APIRouter()
PAGE = 200
KIND_LABELS = {
    "mention": "Mention",
    "assignment": "Assigned",
    "sla_breach": "Service level",
    "rule": "Rule",
    "reply_failed": "Reply failed",
}


@router.get("/notifications", response_class=HTMLResponse, name="notifications")
def notifications_page(
    request: Request, actor: Principal = web_requires("notification.view")
) -> HTMLResponse:
    with request.app.state.engine.connect() as conn:
        items = list_for(conn, actor.user_id, limit=PAGE)
        unread = unread_count(conn, actor.user_id)
    return page(
        request,
        "notifications.html",
        {
            "nav": "notifications",
            "items": items,
            "unread": unread,
            "kinds": KIND_LABELS,
            "has_account": actor.user_id is not None,
            "done": request.query_params.get("done") == "read",
        },
    )


@router.get("/notifications/count", name="notifications_count")
def notifications_count(
    request: Request, actor: Principal = web_requires("notification.view")
) -> JSONResponse:
    with request.app.state.engine.connect() as conn:
        return JSONResponse({"unread": unread_count(conn, actor.user_id)})


def _ids(form: Any) -> list[int]:
    return [int(v) for v in form.getlist("id") if isinstance(v, str) and v.isdigit()]


@router.post("/notifications/read", dependencies=[Depends(csrf.verify)])
async def notifications_read(
    request: Request, actor: Principal = web_requires("notification.view")
) -> Response:
    form = await request.form()
    which: list[int] | Literal["all"] = "all" if form.get("all") == "1" else _ids(form)
    mark_read(request.app.state.engine, actor, which)
    # opening a notification's conversation marks it read on the way
    target = form.get("next")
    if isinstance(target, str) and target.startswith("/conversations/") and target[15:].isdigit():
        return redirect(target)
    return redirect("/notifications?done=read")
