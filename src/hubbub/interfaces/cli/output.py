"""Rendering for the CLI: tables and safe one-line text."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from rich.markup import escape
from rich.table import Table

from hubbub.post import Post

STATE_STYLE = {
    "ok": "green",
    "failing": "yellow",
    "down": "red",
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


def sources_table(rows: Iterable[dict[str, Any]]) -> Table:
    table = Table(title="Sources")
    for col in (
        "id",
        "name",
        "kind",
        "state",
        "last success",
        "last error",
        "ingested",
        "rejected",
    ):
        table.add_column(col, overflow="fold")
    for s in rows:
        style = STATE_STYLE.get(s["state"], "")
        table.add_row(
            str(s["id"]),
            one_line(s["name"], 50),
            s["kind"],
            f"[{style}]{s['state']}[/{style}]" if style else s["state"],
            s["last_success_at"] or "never",
            one_line(s["last_error"], 60) if s["last_error"] else "",
            f"{s['items_ingested']:,}",
            f"{s['items_rejected']:,}",
        )
    return table


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
