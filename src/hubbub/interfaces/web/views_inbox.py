"""The inbox: a queue's conversations with tabs, filters, sort and bulk
actions. Plain forms (GET filters, one POST for bulk actions), so it works
without JavaScript; app.js adds the keyboard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.datastructures import QueryParams

import hubbub.actions.conversations as actions
from hubbub.enrich.intent import LABELS as INTENTS
from hubbub.inbox.queue import (
    PRIORITIES,
    SORT_LABELS,
    STATUSES,
    InvalidQueue,
    QueueFilter,
    list_queue,
)
from hubbub.inbox.sla import timer_state
from hubbub.interfaces.web import csrf
from hubbub.interfaces.web.auth import web_requires
from hubbub.interfaces.web.render import page, redirect
from hubbub.people.principal import PermissionDenied, Principal
from hubbub.post import utcnow
from hubbub.store.tables import conversations, users

router = APIRouter()

BULK_ACTIONS = ("resolve", "assign_me", "assign", "priority", "tag", "reopen")
# the filter fields the form and the links carry (queue and status are tabs)
FILTER_FIELDS = ("priority", "platform", "tag", "assignee", "sentiment", "intent", "breached", "q")


@dataclass
class InboxForm:
    """The query string as typed, and the filter it means."""

    queue: str
    status: str  # "any" for every status
    sort: str
    values: dict[str, str]

    def to_filter(self) -> QueueFilter:
        v = self.values
        assignee = v.get("assignee", "")
        return QueueFilter(
            queue=self.queue,
            status=None if self.status == "any" else self.status,
            priority=v.get("priority") or None,
            platform=v.get("platform") or None,
            tag=v.get("tag") or None,
            assignee_id=int(assignee) if assignee.isdigit() else None,
            sentiment=v.get("sentiment") or None,
            intent=v.get("intent") or None,
            breached=True if v.get("breached") else None,
            text=v.get("q") or None,
        )

    @property
    def active(self) -> bool:
        return any(self.values.values())

    def url(self, **changes: str | None) -> str:
        """/inbox with this form's parameters, some changed (None drops one)."""
        params: dict[str, str] = {
            "queue": self.queue,
            "status": self.status,
            "sort": self.sort,
            **self.values,
        }
        for key, value in changes.items():
            if value is None:
                params.pop(key, None)
            else:
                params[key] = value
        if params.get("sort") == "newest":
            params.pop("sort")
        return "/inbox?" + urlencode({k: v for k, v in params.items() if v})

    def cleared_url(self) -> str:
        """The same queue and status without filters, newest first."""
        return "/inbox?" + urlencode({"queue": self.queue, "status": self.status})


def read_form(params: QueryParams, principal: Principal) -> InboxForm:
    default_queue = "mine" if principal.user_id is not None else "all"
    status = params.get("status", "open")
    return InboxForm(
        queue=params.get("queue", "").strip() or default_queue,
        status=status if status in (*STATUSES, "any") else "open",
        sort=params.get("sort", "newest") if params.get("sort") in SORT_LABELS else "newest",
        values={name: params.get(name, "").strip() for name in FILTER_FIELDS},
    )


@router.get("/inbox", response_class=HTMLResponse, name="inbox")
def inbox(request: Request, actor: Principal = web_requires("conversation.view")) -> HTMLResponse:
    form = read_form(request.query_params, actor)
    cursor = request.query_params.get("cursor") or None
    error = None
    with request.app.state.engine.connect() as conn:
        try:
            result = list_queue(
                conn,
                form.to_filter(),
                user_id=actor.user_id,
                tab_team_ids=sorted(actor.team_ids) or None,
                sort=form.sort,
                cursor=cursor,
            )
        except InvalidQueue as exc:
            error = str(exc)
            form = InboxForm("all" if actor.user_id is None else "mine", "open", "newest", {})
            result = list_queue(
                conn,
                form.to_filter(),
                user_id=actor.user_id,
                tab_team_ids=sorted(actor.team_ids) or None,
            )
        people = _people(conn)
        platforms = list(
            conn.execute(
                select(conversations.c.platform).distinct().order_by(conversations.c.platform)
            ).scalars()
        )
    now = utcnow()
    return page(
        request,
        "inbox.html",
        {
            "nav": "inbox",
            "form": form,
            "result": result,
            "timers": {row.id: timer_state(row, now) for row in result.rows},
            "cursor": cursor,
            "error": error,
            "people": people,
            "platforms": platforms,
            "priorities": PRIORITIES,
            "statuses": STATUSES,
            "intents": INTENTS,
            "sorts": SORT_LABELS,
            "bulk_done": _bulk_message(request.query_params),
            "can_bulk": actor.can("conversation.bulk"),
            "here": str(request.url.path) + ("?" + request.url.query if request.url.query else ""),
        },
        status_code=400 if error else 200,
    )


def _people(conn: Any) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(users.c.id, users.c.name).where(users.c.active.is_(True)).order_by(users.c.name)
    )
    return [dict(r._mapping) for r in rows]


def _bulk_message(params: QueryParams) -> str | None:
    done, count = params.get("bulk"), params.get("n", "")
    if done not in BULK_ACTIONS or not count.isdigit():
        return None
    n = int(count)
    what = {
        "resolve": "resolved",
        "reopen": "reopened",
        "assign_me": "assigned to you",
        "assign": "reassigned",
        "priority": "given a new priority",
        "tag": "tagged",
    }[done]
    return f"{n} conversation{'' if n == 1 else 's'} {what}."


@router.post("/inbox/bulk", dependencies=[Depends(csrf.verify)])
async def inbox_bulk(
    request: Request, actor: Principal = web_requires("conversation.bulk")
) -> Response:
    form = await request.form()
    ids = [int(v) for v in form.getlist("ids") if isinstance(v, str) and v.isdigit()]
    action = str(form.get("action") or "")
    back = _back(str(form.get("next") or "/inbox"))
    if not ids or action not in BULK_ACTIONS:
        return redirect(back)
    change: dict[str, Any] = {}
    if action == "resolve":
        change["status"] = "resolved"
    elif action == "reopen":
        change["status"] = "open"
    elif action == "assign_me":
        change["assignee_id"] = actor.user_id
    elif action == "assign":
        assignee = str(form.get("assignee_id") or "")
        change["assignee_id"] = int(assignee) if assignee.isdigit() else None
    elif action == "priority":
        priority = str(form.get("priority") or "")
        if priority not in PRIORITIES:
            return redirect(back)
        change["priority"] = priority
    elif action == "tag":
        tags = [t.strip() for t in str(form.get("tag") or "").split(",") if t.strip()]
        if not tags:
            return redirect(back)
        change["add_tags"] = tuple(tags)
    try:
        n = actions.bulk_update(request.app.state.engine, actor, ids, **change)
    except PermissionDenied as exc:
        return page(request, "error.html", {"status": 403, "message": str(exc)}, 403)
    except (LookupError, ValueError) as exc:
        return page(request, "error.html", {"status": 400, "message": str(exc)}, 400)
    joiner = "&" if "?" in back else "?"
    return redirect(f"{back}{joiner}{urlencode({'bulk': action, 'n': n})}")


def _back(target: str) -> str:
    """Only back into the inbox (never another site), without an old bulk message."""
    if not target.startswith("/inbox"):
        return "/inbox"
    path, _, query = target.partition("?")
    kept = [(k, v) for k, v in QueryParams(query).multi_items() if k not in ("bulk", "n")]
    return path + ("?" + urlencode(kept) if kept else "")
