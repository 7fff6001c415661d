"""Rendering for the CLI: tables and safe one-line text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table

from hubbub.post import Post

STATE_STYLE = {
    "ok": "green",
    "idle": "cyan",
    "backing off": "yellow",
    "failing": "bold red",
    "disabled": "dim",
    "never run": "cyan",
}


def redact_url(url: str) -> str:
    return re.sub(r"//([^:/@]+):[^@]+@", r"//\1:***@", url)


def one_line(text: str | None, width: int = 100) -> str:
    """Untrusted text made safe for a terminal table: no markup, no control
    characters, no newlines."""
    flat = re.sub(r"[\x00-\x1f\x7f-\x9f]+", " ", text or "").strip()
    if len(flat) > width:
        flat = flat[: width - 1] + "…"
    return escape(flat)


def duration(seconds: float | None) -> str:
    """Seconds as a short human figure: 45s, 12m, 3h, 2d."""
    if seconds is None:
        return ""
    seconds = abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.0f}{unit}"
    return f"{seconds:.0f}s"


def _since(iso: str | None, now: datetime) -> float | None:
    if not iso:
        return None
    when = datetime.fromisoformat(iso)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return (now - when).total_seconds()


def _ago(iso: str | None, now: datetime, never: str = "never") -> str:
    seconds = _since(iso, now)
    return never if seconds is None else f"{duration(seconds)} ago"


def _next_attempt(iso: str | None, now: datetime) -> str:
    seconds = _since(iso, now)
    if seconds is None or seconds >= 0:
        return "now"
    return f"in {duration(seconds)}"


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def sources_table(rows: Iterable[dict[str, Any]], now: datetime | None = None) -> RenderableType:
    """Sources with their health (rows of ``workspace_status``), and under the
    table every failing source's last error in full: a failing source is
    announced in words, not only in red."""
    now = now or datetime.now(UTC)
    rows = list(rows)
    table = Table(title="Sources")
    columns = ("id", "name", "kind", "state", "last success", "next try", "lag")
    for col in (*columns, "items/min 15m · 60m", "ingested", "rejected", "last error"):
        table.add_column(col, overflow="fold")
    for s in rows:
        style = STATE_STYLE.get(s["state"], "")
        state = f"[{style}]{s['state']}[/{style}]" if style else s["state"]
        if s["consecutive_failures"]:
            state += f"\n{s['consecutive_failures']} in a row"
        error = ""
        if s["last_error"]:
            error = f"{_ago(s['last_error_at'], now)}: {one_line(s['last_error'], 60)}"
        table.add_row(
            str(s["id"]),
            one_line(s["name"], 50),
            one_line(s["kind"], 20),
            state,
            _ago(s["last_success_at"], now),
            "" if s["state"] == "disabled" else _next_attempt(s["next_run_at"], now),
            duration(s["lag_seconds"]),
            f"{_rate(s['items_per_minute_15m'])} · {_rate(s['items_per_minute_60m'])}",
            f"{s['items_ingested']:,}",
            f"{s['items_rejected']:,}",
            error,
        )
    notes = [
        f"[bold red]FAILING[/bold red] source {s['id']} ({one_line(s['name'], 50)}), "
        f"{s['consecutive_failures']} failures in a row: {one_line(s['last_error'], 300)}"
        for s in rows
        if s["state"] == "failing"
    ]
    return Group(table, *notes) if notes else table


def posts_table(posts: Iterable[Post], title: str = "Posts") -> Table:
    table = Table(title=title)
    for col in ("id", "when", "platform", "author", "sentiment", "text"):
        table.add_column(col, overflow="fold")
    for p in posts:
        sentiment = (p.enrichments.get("sentiment") or {}).get("label") or ""
        table.add_row(
            str(p.id),
            p.created_at.strftime("%Y-%m-%d %H:%M") if p.created_at else "",
            p.platform,
            one_line(p.author_handle or p.author_name, 30),
            sentiment,
            one_line(p.text, 100),
        )
    return table
