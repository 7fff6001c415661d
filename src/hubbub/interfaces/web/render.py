"""Templates, their filters, and the response helper every view uses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape
from sqlalchemy import func, select

from hubbub.interfaces.web import csrf
from hubbub.listening.matcher import Hit
from hubbub.people.principal import Principal
from hubbub.store.tables import notifications, users

TEMPLATES = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES))  # autoescape is on for .html


def safe_href(url: str | None) -> str | None:
    """The URL if it is http(s) with a host, else None (never javascript:, data:, ...)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url.strip()
    return None


def highlight(text: str | None, hits: Sequence[Hit], part: str = "text") -> Markup:
    """``text`` escaped, with each hit in ``part`` wrapped in <mark>.
    Escape first, wrap second: the hit offsets index the raw text, so every
    segment is escaped on its own and only our <mark> tags are markup."""
    if not text:
        return Markup("")
    spans = sorted((h.start, h.end) for h in hits if h.part == part)
    out: list[str] = []
    pos = 0
    for start, end in spans:
        if start < pos or end <= start or end > len(text):
            continue  # overlapping or out of range: skip rather than mangle
        out.append(str(escape(text[pos:start])))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def ago(value: datetime | None, now: datetime | None = None) -> str:
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    seconds = int(((now or datetime.now(UTC)) - value).total_seconds())
    if seconds < 0:
        return value.strftime("%Y-%m-%d %H:%M")
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return "just now"


def utc_iso(value: datetime | None) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds")


def utc_text(value: datetime | None) -> str:
    if value is None:
        return "—"
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def compact(n: int | None) -> str:
    if n is None:
        return "—"
    for suffix, size in (("M", 1_000_000), ("k", 1_000)):
        if n >= size:
            return f"{n / size:.1f}".rstrip("0").rstrip(".") + suffix
    return str(n)


def with_params(request: Request, **changes: Any) -> str:
    """The current URL's query string with some parameters changed or dropped."""
    params = {k: v for k, v in request.query_params.items() if v != ""}
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    return "?" + urlencode(params) if params else "?"


templates.env.filters.update(ago=ago, utc_iso=utc_iso, utc_text=utc_text, compact=compact)
templates.env.globals.update(safe_href=safe_href, highlight=highlight, with_params=with_params)


@dataclass(frozen=True)
class NavItem:
    key: str  # views pass it as ``nav`` to mark the current page
    href: str
    label: str
    keys: str  # the shortcut shown next to it ("g i")
    permission: str  # hidden from people without it


NAV = (
    NavItem("inbox", "/inbox", "Inbox", "g i", "conversation.view"),
    NavItem("mentions", "/", "Mentions", "g m", "post.view"),
    NavItem("queries", "/queries", "Queries", "g q", "query.view"),
    NavItem("topics", "/topics", "Topics", "g t", "analytics.view"),
    NavItem("sources", "/sources", "Sources", "g s", "source.view"),
    NavItem("dashboard", "/dashboard", "Dashboard", "g d", "analytics.view"),
    NavItem("rules", "/rules", "Rules", "g r", "rule.view"),
    NavItem("saved-replies", "/saved-replies", "Saved replies", "", "saved_reply.view"),
    NavItem("people", "/people", "People", "", "user.view"),
    NavItem("workers", "/workers", "Workers", "g w", "cluster.view"),
)


def nav_for(principal: Principal | None) -> list[NavItem]:
    """What the signed-in person may open; nothing before sign-in."""
    if principal is None:
        return []
    return [item for item in NAV if principal.can(item.permission)]


def signed_in(request: Request, principal: Principal | None) -> tuple[str, int]:
    """The person's name and the bell's unread count, in one statement (the
    count runs on ix_notifications_user_unread)."""
    if principal is None:
        return "", 0
    if principal.user_id is None:
        return principal.label, 0
    unread = (
        select(func.count())
        .select_from(notifications)
        .where(notifications.c.user_id == principal.user_id)
        .where(notifications.c.read_at.is_(None))
        .scalar_subquery()
    )
    with request.app.state.engine.connect() as conn:
        row = conn.execute(
            select(users.c.name, unread.label("unread")).where(users.c.id == principal.user_id)
        ).first()
    if row is None:
        return principal.label, 0
    return row.name, int(row.unread)


def current_principal(request: Request) -> Principal | None:
    """Set by the web auth dependency; absent on the login page."""
    principal = getattr(request.state, "principal", None)
    return principal if isinstance(principal, Principal) else None


def page(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    token = csrf.token_for(request)
    principal = current_principal(request)
    person, unread = signed_in(request, principal)
    chrome = {
        "csrf_token": token,
        "principal": principal,
        "principal_name": person,
        "nav_items": nav_for(principal),
        "unread_notifications": unread,
    }
    response = templates.TemplateResponse(
        request, name, {**chrome, **context}, status_code=status_code
    )
    if request.cookies.get(csrf.COOKIE) != token:
        response.set_cookie(
            csrf.COOKIE,
            token,
            httponly=True,
            samesite="strict",
            path="/",
            max_age=60 * 60 * 24 * 30,
        )
    return response


def redirect(url: str) -> RedirectResponse:
    """Post/redirect/get: 303 so the browser follows with a GET."""
    return RedirectResponse(url, status_code=303)
