"""One conversation: the thread with our replies and internal notes on one
timeline, the author's contact and history, the enrichments, SLA timers,
and the forms that change it. The reply and "handled elsewhere" forms post to
H6's routes (views of hubbub.engage); everything else posts here."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

import hubbub.actions.conversations as actions
from hubbub.engage.publishers import reply_options
from hubbub.engage.saved import list_saved_replies
from hubbub.inbox.detail import load_conversation, mention_names
from hubbub.inbox.queue import PRIORITIES, STATUSES, load_teams
from hubbub.inbox.sla import timer_state
from hubbub.interfaces.web import csrf
from hubbub.interfaces.web.auth import web_requires
from hubbub.interfaces.web.render import page, redirect
from hubbub.people.principal import PermissionDenied, Principal
from hubbub.post import utcnow
from hubbub.store.tables import users

router = APIRouter()

SNOOZE_FOR = {"1h": timedelta(hours=1), "4h": timedelta(hours=4), "1d": timedelta(days=1),
              "3d": timedelta(days=3), "7d": timedelta(days=7)}  # fmt: skip
DONE = {
    "status": "Status changed.",
    "priority": "Priority changed.",
    "assign": "Assignment changed.",
    "tags": "Tags saved.",
    "note": "Note added.",
    "contact": "Contact notes saved.",
    # after H6's reply and handled-elsewhere forms
    "reply": "Reply sent.",
    "resolved": "Reply sent and the conversation resolved.",
    "elsewhere": "Marked as handled elsewhere.",
}


def _conversation_page(
    request: Request,
    actor: Principal,
    conversation_id: int,
    *,
    error: str | None = None,
    status_code: int = 200,
    draft: str = "",
) -> HTMLResponse:
    """The page; ``draft``: a reply that was not sent, put back in the composer."""
    # (page() opens its own connection: render only after this one is closed,
    # since a SQLite connection holds the write lock from its first statement)
    settings = request.app.state.settings
    with request.app.state.engine.connect() as conn:
        found = load_conversation(conn, conversation_id)
        if found is not None:
            teams = load_teams(conn)
            people = [
                dict(r._mapping)
                for r in conn.execute(
                    select(users.c.id, users.c.name, users.c.email)
                    .where(users.c.active.is_(True))
                    .order_by(users.c.name)
                )
            ]
            # the shared saved replies, the actor's teams' and the conversation's team's
            team = found.row.team
            saved = list_saved_replies(conn, actor, team_id=team.id if team else None)
            root = next((p for p in found.posts if p.id == found.row.root_post_id), None)
            options = reply_options(conn, settings, root) if root is not None else None
            mentioned = mention_names(conn, {m for n in found.notes for m in n.mentions})
    if found is None:
        return page(
            request,
            "error.html",
            {"status": 404, "message": f"No conversation {conversation_id}."},
            status_code=404,
        )
    done = request.query_params.get("done", "")
    return page(
        request,
        "conversation.html",
        {
            "nav": "inbox",
            "c": found,
            "row": found.row,
            "timer": timer_state(found.row, utcnow()),
            "teams": teams,
            "people": people,
            "saved_replies": saved,
            "reply_options": options,
            "mentioned": mentioned,
            "priorities": PRIORITIES,
            "statuses": STATUSES,
            "snooze_for": list(SNOOZE_FOR),
            "idempotency_key": uuid.uuid4().hex,
            "draft": draft,
            "done": DONE.get(done),
            "error": error,
            "can": {p: actor.can(p) for p in _PERMISSIONS},
        },
        status_code=status_code,
    )


_PERMISSIONS = (
    "conversation.reply",
    "conversation.note",
    "conversation.update",
    "conversation.assign",
    "saved_reply.view",
)


@router.get("/conversations/{conversation_id}", response_class=HTMLResponse, name="conversation")
def conversation_page(
    request: Request,
    conversation_id: int,
    actor: Principal = web_requires("conversation.view"),
) -> HTMLResponse:
    return _conversation_page(request, actor, conversation_id)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v.strip() for k, v in form.items() if isinstance(v, str)}


def _apply(
    request: Request, actor: Principal, conversation_id: int, done: str, change: Any
) -> Response:
    """Run one action; back to the page with a message, or the page with the error."""
    try:
        change()
    except PermissionDenied as exc:
        return page(request, "error.html", {"status": 403, "message": str(exc)}, 403)
    except LookupError:
        return _conversation_page(request, actor, conversation_id)  # renders the 404
    except ValueError as exc:
        return _conversation_page(request, actor, conversation_id, error=str(exc), status_code=400)
    return redirect(f"/conversations/{conversation_id}?done={done}")


@router.post("/conversations/{conversation_id}/status", dependencies=[Depends(csrf.verify)])
async def change_status(
    request: Request,
    conversation_id: int,
    actor: Principal = web_requires("conversation.update"),
) -> Response:
    form = await _form(request)
    status = form.get("status", "")
    until = None
    if status == "snoozed":
        until = _snooze_until(form)
        if until is None:
            return _conversation_page(
                request,
                actor,
                conversation_id,
                error="Choose how long to snooze, or a date and time.",
                status_code=400,
            )
    engine = request.app.state.engine
    return _apply(
        request,
        actor,
        conversation_id,
        "status",
        lambda: actions.set_status(engine, actor, conversation_id, status, snoozed_until=until),
    )


def _snooze_until(form: dict[str, str]) -> datetime | None:
    if form.get("snooze_for") in SNOOZE_FOR:
        return utcnow() + SNOOZE_FOR[form["snooze_for"]]
    try:  # <input type="datetime-local">, in UTC as its label says
        return datetime.fromisoformat(form.get("snoozed_until", "")).replace(tzinfo=UTC)
    except ValueError:
        return None


@router.post("/conversations/{conversation_id}/priority", dependencies=[Depends(csrf.verify)])
async def change_priority(
    request: Request,
    conversation_id: int,
    actor: Principal = web_requires("conversation.update"),
) -> Response:
    priority = (await _form(request)).get("priority", "")
    engine = request.app.state.engine
    return _apply(
        request,
        actor,
        conversation_id,
        "priority",
        lambda: actions.set_priority(engine, actor, conversation_id, priority),
    )


@router.post("/conversations/{conversation_id}/assign", dependencies=[Depends(csrf.verify)])
async def change_assignment(
    request: Request,
    conversation_id: int,
    actor: Principal = web_requires("conversation.assign"),
) -> Response:
    form = await _form(request)
    change: dict[str, Any] = {}
    if "team_id" in form:
        change["team_id"] = int(form["team_id"]) if form["team_id"].isdigit() else None
    if "assignee_id" in form:
        assignee = form["assignee_id"]
        change["assignee_id"] = (
            actor.user_id if assignee == "me" else int(assignee) if assignee.isdigit() else None
        )
    engine = request.app.state.engine
    return _apply(
        request,
        actor,
        conversation_id,
        "assign",
        lambda: actions.assign(engine, actor, conversation_id, **change),
    )


@router.post("/conversations/{conversation_id}/tags", dependencies=[Depends(csrf.verify)])
async def change_tags(
    request: Request,
    conversation_id: int,
    actor: Principal = web_requires("conversation.update"),
) -> Response:
    raw = (await _form(request)).get("tags", "")
    tags = [t.strip() for t in raw.split(",") if t.strip()]
    engine = request.app.state.engine
    return _apply(
        request,
        actor,
        conversation_id,
        "tags",
        lambda: actions.set_tags(engine, actor, conversation_id, tags),
    )


@router.post("/conversations/{conversation_id}/notes", dependencies=[Depends(csrf.verify)])
async def add_note(
    request: Request,
    conversation_id: int,
    actor: Principal = web_requires("conversation.note"),
) -> Response:
    body = (await _form(request)).get("body", "")
    if not body:
        return _conversation_page(
            request, actor, conversation_id, error="A note needs some text.", status_code=400
        )
    engine = request.app.state.engine
    return _apply(
        request,
        actor,
        conversation_id,
        "note",
        lambda: actions.add_note(engine, actor, conversation_id, body),
    )
