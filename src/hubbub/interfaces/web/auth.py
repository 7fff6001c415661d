"""Who is using the web UI: the signed-in person behind the session cookie.

``web_principal`` sends a visitor without a valid session to /login (303,
with ``next`` set to where they were going); ``web_requires(permission)``
also answers 403 with the error page when their role does not allow it.
Both set ``request.state.principal`` for templates and views."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import Engine

from hubbub.people.permissions import scope_for
from hubbub.people.principal import Principal
from hubbub.people.sessions import COOKIE, SessionPolicy, load_session
from hubbub.post import utcnow

LOGIN_PATH = "/login"


class LoginRequired(Exception):
    """No valid session: the browser goes to the login page, then back."""

    def __init__(self, next_path: str) -> None:
        super().__init__("sign in first")
        self.next_path = next_path

    @property
    def location(self) -> str:
        return f"{LOGIN_PATH}?next={quote(self.next_path, safe='/')}"


def login_redirect(_: Request, exc: Exception) -> Response:
    """Exception handler: LoginRequired → 303 to the login page."""
    assert isinstance(exc, LoginRequired)
    return RedirectResponse(exc.location, status_code=303)


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path on this site, never another origin."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    if any(c in value for c in "\r\n"):
        return "/"
    return value


def _here(request: Request) -> str:
    query = request.url.query
    return request.url.path + (f"?{query}" if query else "")


def session_principal(request: Request) -> Principal | None:
    """The signed-in person, or None; looked up once per request."""
    if hasattr(request.state, "principal"):
        found: Principal | None = request.state.principal
        return found
    engine: Engine = request.app.state.engine
    policy = SessionPolicy.from_settings(request.app.state.settings)
    user = load_session(engine, request.cookies.get(COOKIE), utcnow(), policy)
    principal = None
    if user is not None:
        principal = Principal(
            label=user.email, role=user.role, user_id=user.user_id, team_ids=user.team_ids
        )
    request.state.principal = principal
    return principal


def web_principal(request: Request) -> Principal:
    principal = session_principal(request)
    if principal is None:
        raise LoginRequired(_here(request) if request.method == "GET" else "/")
    return principal


def web_requires(permission: str) -> Any:
    """``Depends()`` giving the signed-in person if they may ``permission``."""
    scope_for(permission)  # a typo fails when the view is declared

    def check(principal: Principal = Depends(web_principal)) -> Principal:
        if not principal.can(permission):
            raise HTTPException(
                403,
                detail=f"Your role ({principal.role}) does not allow this "
                f"({permission}). Ask an admin if you need it.",
            )
        return principal

    check.__name__ = f"web_requires_{permission.replace('.', '_')}"
    return Depends(check)
