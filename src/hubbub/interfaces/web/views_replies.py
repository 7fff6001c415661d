"""Answering from the web UI: the conversation page's reply and "handled
elsewhere" forms post here, its saved-reply picker previews here, and
/saved-replies is where managers keep the team's answers.

A reply that cannot go (too long, a platform Hubbub cannot post to, the
platform refused) shows the conversation again with the error and the text as
typed; a sent one redirects back (post/redirect/get) with a notice."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from hubbub.actions import replies as actions
from hubbub.actions import saved_replies as saved_actions
from hubbub.engage import saved
from hubbub.engage.templates import VARIABLES, TemplateError
from hubbub.inbox.queue import load_teams
from hubbub.interfaces.web import csrf
from hubbub.interfaces.web import views_conversation as conversation_view
from hubbub.interfaces.web.auth import web_requires
from hubbub.interfaces.web.render import page, redirect
from hubbub.people.principal import PermissionDenied, Principal

router = APIRouter()
AFTER_REPLY = ("open", "pending", "resolved")


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v for k, v in form.items() if isinstance(v, str)}


def _optional_int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def _again(
    request: Request, actor: Principal, conversation_id: int, error: str, status: int, draft: str
) -> Response:
    """The conversation page with the error, keeping what was typed."""
    return conversation_view._conversation_page(
        request, actor, conversation_id, error=error, status_code=status, draft=draft
    )


@router.post("/conversations/{conversation_id}/reply", dependencies=[Depends(csrf.verify)])
async def reply(
    request: Request,
    conversation_id: int,
    actor: Principal = web_requires("conversation.reply"),
) -> Response:
    form = await _form(request)
    body = form.get("body", "")
    status = form.get("status") or None
    if status not in (None, *AFTER_REPLY):
        status = None
    engine, settings = request.app.state.engine, request.app.state.settings
    try:
        await run_in_threadpool(
            actions.send_reply,
            engine, settings, actor, conversation_id, body,
            idempotency_key=form.get("idempotency_key", ""),
            saved_reply_id=_optional_int(form.get("saved_reply_id")),
            in_reply_to_post_id=_optional_int(form.get("in_reply_to_post_id")),
            status=status,
        )  # fmt: skip
    except PermissionDenied as exc:
        return page(request, "error.html", {"status": 403, "message": str(exc)}, 403)
    except actions.ConversationNotFound:
        return _again(request, actor, conversation_id, "", 404, body)  # the page's 404
    except actions.ReplyFailed as exc:
        message = f"The reply was not sent: {exc}"
        return _again(request, actor, conversation_id, message, 502, body)
    except (actions.ReplyRejected, actions.ReplyUnavailable, actions.IdempotencyConflict) as exc:
        message = f"The reply was not sent: {exc}"
        return _again(request, actor, conversation_id, message, 400, body)
    done = "resolved" if status == "resolved" else "reply"
    return redirect(f"/conversations/{conversation_id}?done={done}")


@router.post(
    "/conversations/{conversation_id}/handled-elsewhere", dependencies=[Depends(csrf.verify)]
)
async def handled_elsewhere(
    request: Request,
    conversation_id: int,
    actor: Principal = web_requires("conversation.reply"),
) -> Response:
    form = await _form(request)
    status = form.get("status") or None
    engine = request.app.state.engine
    try:
        actions.mark_handled_elsewhere(
            engine, actor, conversation_id, form.get("url", ""), form.get("note", ""),
            status=status if status in AFTER_REPLY else None,
        )  # fmt: skip
    except PermissionDenied as exc:
        return page(request, "error.html", {"status": 403, "message": str(exc)}, 403)
    except actions.ConversationNotFound:
        return _again(request, actor, conversation_id, "", 404, "")
    except actions.ReplyRejected as exc:
        return _again(request, actor, conversation_id, str(exc), 400, "")
    return redirect(f"/conversations/{conversation_id}?done=elsewhere")


@router.get("/conversations/{conversation_id}/saved-reply-preview")
def saved_reply_preview(
    request: Request,
    conversation_id: int,
    actor: Principal = web_requires("saved_reply.view"),
) -> JSONResponse:
    """The picked saved reply filled in for this conversation (for app.js)."""
    saved_reply_id = _optional_int(request.query_params.get("saved_reply_id"))
    if saved_reply_id is None:
        return JSONResponse({"detail": "choose a saved reply"}, status_code=400)
    try:
        with request.app.state.engine.connect() as conn:
            text = saved.preview(conn, actor, conversation_id, saved_reply_id)
    except LookupError as exc:
        return JSONResponse({"detail": str(exc)}, status_code=404)
    except TemplateError as exc:
        return JSONResponse({"detail": str(exc)}, status_code=422)
    return JSONResponse({"text": text})


# -- the saved replies page ---------------------------------------------------

DONE = {
    "created": "Saved reply added.",
    "saved": "Saved reply saved.",
    "deleted": "Saved reply deleted.",
}


def _saved_page(
    request: Request,
    actor: Principal,
    *,
    error: str | None = None,
    draft: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as conn:
        found = saved.list_saved_replies(conn, actor)
        teams = load_teams(conn)
    groups: dict[str, list[dict[str, Any]]] = {"Everyone": []}
    for item in found:
        groups.setdefault(item["team_name"] or "Everyone", []).append(item)
    manages = actor.can("saved_reply.manage")
    everyone = saved.sees_every_team(actor)
    choices = [t for t in teams if manages and (everyone or t.id in actor.team_ids)]
    return page(
        request,
        "saved_replies.html",
        {
            "nav": "saved-replies",
            "groups": {k: v for k, v in groups.items() if v or k == "Everyone"},
            "teams": choices,
            "manages": manages,
            "variables": VARIABLES,
            "error": error,
            "draft": draft or {"name": "", "body": "", "team_id": None, "id": None},
            "done": DONE.get(request.query_params.get("done", "")),
        },
        status_code=status_code,
    )


@router.get("/saved-replies", response_class=HTMLResponse, name="saved_replies")
def saved_replies_page(
    request: Request, actor: Principal = web_requires("saved_reply.view")
) -> HTMLResponse:
    return _saved_page(request, actor)


async def _save(request: Request, actor: Principal, saved_reply_id: int | None) -> Response:
    form = await _form(request)
    name, body = form.get("name", ""), form.get("body", "")
    team_id = _optional_int(form.get("team_id"))
    engine = request.app.state.engine
    try:
        if saved_reply_id is None:
            saved_actions.create_saved_reply(engine, actor, name=name, body=body, team_id=team_id)
        else:
            saved_actions.update_saved_reply(
                engine, actor, saved_reply_id, name=name, body=body, team_id=team_id
            )
    except PermissionDenied as exc:
        return page(request, "error.html", {"status": 403, "message": str(exc)}, 403)
    except (ValueError, LookupError) as exc:
        draft = {"name": name, "body": body, "team_id": team_id, "id": saved_reply_id}
        return _saved_page(request, actor, error=str(exc), draft=draft, status_code=400)
    return redirect("/saved-replies?done=" + ("created" if saved_reply_id is None else "saved"))


@router.post("/saved-replies", dependencies=[Depends(csrf.verify)])
async def create_saved_reply(
    request: Request, actor: Principal = web_requires("saved_reply.manage")
) -> Response:
    return await _save(request, actor, None)


@router.post("/saved-replies/{saved_reply_id}", dependencies=[Depends(csrf.verify)])
async def update_saved_reply(
    request: Request, saved_reply_id: int, actor: Principal = web_requires("saved_reply.manage")
) -> Response:
    return await _save(request, actor, saved_reply_id)


@router.post("/saved-replies/{saved_reply_id}/delete", dependencies=[Depends(csrf.verify)])
async def delete_saved_reply(
    request: Request, saved_reply_id: int, actor: Principal = web_requires("saved_reply.manage")
) -> Response:
    try:
        saved_actions.delete_saved_reply(request.app.state.engine, actor, saved_reply_id)
    except LookupError as exc:
        return _saved_page(request, actor, error=str(exc), status_code=404)
    return redirect("/saved-replies?done=deleted")
