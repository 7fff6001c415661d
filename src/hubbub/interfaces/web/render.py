"""Templates, their filters, and the response helper every view uses."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from hubbub.interfaces.web import csrf
from hubbub.listening.matcher import Hit

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


def page(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    token = csrf.token_for(request)
    response = templates.TemplateResponse(
        request, name, {"csrf_token": token, **context}, status_code=status_code
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
