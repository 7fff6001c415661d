"""`hubbub inbox list|show`: the inbox from the terminal (read only; the
operator sees every queue)."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from hubbub.interfaces.cli.common import fail, workspace
from hubbub.interfaces.cli.output import one_line

inbox_app = typer.Typer(help="Conversations: list a queue, show one.", no_args_is_help=True)
console = Console()


def register(app: typer.Typer) -> None:
    app.add_typer(inbox_app, name="inbox")


@inbox_app.command("list")
def list_(
    ctx: typer.Context,
    queue: Annotated[str, typer.Option(help="all, unassigned or team:<slug>.")] = "all",
    status: Annotated[str, typer.Option(help="open, pending, snoozed, resolved or any.")] = "open",
    sort: Annotated[
        str, typer.Option(help="newest, oldest_waiting, priority or sla_due.")
    ] = "newest",
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """One page of a queue, with the counts per status."""
    from hubbub.inbox.queue import InvalidQueue, QueueFilter, list_queue
    from hubbub.inbox.sla import timer_state
    from hubbub.post import utcnow

    ws = workspace(ctx)
    try:
        flt = QueueFilter(queue=queue, status=None if status == "any" else status)
        with ws.engine.connect() as conn:
            page = list_queue(conn, flt, user_id=None, sort=sort, page_size=limit)
    except InvalidQueue as exc:
        fail(str(exc))
    now = utcnow()
    if as_json:
        items = []
        for r in page.rows:
            timer = timer_state(r, now)
            items.append(
                {
                    "id": r.id,
                    "subject": r.subject,
                    "platform": r.platform,
                    "status": r.status,
                    "priority": r.priority,
                    "team": r.team.slug if r.team else None,
                    "assignee": r.assignee.name if r.assignee else None,
                    "contact": r.contact.display if r.contact else None,
                    "tags": r.tags,
                    "last_activity_at": r.last_activity_at.isoformat(),
                    "sla": {"state": timer.state, "label": timer.label},
                }
            )
        body = {"items": items, "total": page.total, "status_counts": page.status_counts}
        typer.echo(json.dumps(body, ensure_ascii=False))
        return
    table = Table(title=f"Inbox · {queue} · {status} · {page.total} conversations")
    for column in ("id", "priority", "subject", "from", "team", "assignee", "SLA", "status"):
        table.add_column(column, justify="right" if column == "id" else "left")
    for r in page.rows:
        table.add_row(
            str(r.id),
            r.priority,
            one_line(r.subject, 60),
            one_line(r.contact.display if r.contact else "—", 30),
            one_line(r.team.name if r.team else "—", 20),
            one_line(r.assignee.name if r.assignee else "—", 20),
            timer_state(r, now).label,
            r.status,
        )
    console.print(table)
    counts = ", ".join(f"{k} {v}" for k, v in page.status_counts.items())
    console.print(f"[dim]{counts}[/dim]")


@inbox_app.command("show")
def show(
    ctx: typer.Context,
    conversation_id: Annotated[int, typer.Argument(help="The conversation's id.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """A conversation: its thread, our replies and notes, the contact, the SLA."""
    from hubbub.inbox.detail import load_conversation
    from hubbub.inbox.sla import timer_state
    from hubbub.post import utcnow

    ws = workspace(ctx)
    with ws.engine.connect() as conn:
        found = load_conversation(conn, conversation_id)
    if found is None:
        fail(f"no conversation {conversation_id}")
    row = found.row
    timer = timer_state(row, utcnow())
    entries: list[dict[str, Any]] = []
    for e in found.timeline:
        item: Any = e.item
        if e.kind == "post":
            who, text = item.author_name or item.author_handle or "?", item.text
        else:
            who, text = item.author_name or "Hubbub", item.body
        entries.append({"kind": e.kind, "at": e.at.isoformat(), "who": who, "text": text})
    if as_json:
        body = {
            "id": row.id,
            "subject": row.subject,
            "status": row.status,
            "priority": row.priority,
            "team": row.team.slug if row.team else None,
            "assignee": row.assignee.name if row.assignee else None,
            "tags": row.tags,
            "sla": {"state": timer.state, "label": timer.label},
            "contact": row.contact.display if row.contact else None,
            "timeline": entries,
        }
        typer.echo(json.dumps(body, ensure_ascii=False))
        return
    # every untrusted string goes through one_line, which escapes Rich markup
    team = one_line(row.team.name if row.team else "—", 40)
    assignee = one_line(row.assignee.name if row.assignee else "—", 40)
    lines = [
        f"{row.status} · {row.priority} · team {team} · assignee {assignee} · {timer.label}",
        "",
    ]
    for entry in entries:
        label = {"post": "", "reply": "\\[reply] ", "note": "\\[note] "}[entry["kind"]]
        who, text = one_line(entry["who"], 40), one_line(entry["text"], 300)
        lines.append(f"{entry['at'][:16]}  {label}{who}: {text}")
    contact = one_line(row.contact.display if row.contact else "unknown author", 60)
    history = len(found.contact.conversations) if found.contact else 0
    lines += ["", f"Contact: {contact} ({history} conversation{'s' if history != 1 else ''})"]
    console.print(Panel("\n".join(lines), title=f"#{row.id} {one_line(row.subject, 80)}"))
