"""Administration pages: people and teams (/people), one's own API tokens
(/people/tokens) and the audit log (/audit)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from hubbub.actions import people as actions
from hubbub.interfaces.web import csrf
from hubbub.interfaces.web.auth import web_requires
from hubbub.interfaces.web.render import page, redirect
from hubbub.people import directory, tokens
from hubbub.people.audit_log import AuditFilter, list_entries
from hubbub.people.permissions import ROLES, SCOPES
from hubbub.people.principal import PermissionDenied, Principal
from hubbub.post import utcnow

router = APIRouter()

DONE = {
    "role": "Role changed.",
    "active": "Account updated.",
    "team": "Team created.",
    "member": "Team members updated.",
    "revoked": "Token revoked.",
}
AUDIT_PAGE = 50
# the audit page's "since" choices
SINCE = {"": None, "1d": timedelta(days=1), "7d": timedelta(days=7), "30d": timedelta(days=30)}


def _form_text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _form_int(form: Any, name: str) -> int | None:
    value = _form_text(form, name)
    return int(value) if value.isdigit() else None


def _people_page(
    request: Request,
    actor: Principal,
    *,
    error: str | None = None,
    invite_url: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as conn:
        users = directory.list_users(conn)
        teams = directory.list_teams(conn)
    return page(
        request,
        "people.html",
        {
            "nav": "people",
            "users": users,
            "teams": teams,
            "roles": ROLES,
            "me": actor,
            "can_manage_users": actor.can("user.manage"),
            "can_manage_teams": actor.can("team.manage"),
            "error": error,
            "invite_url": invite_url,
            "done": DONE.get(request.query_params.get("done") or ""),
        },
        status_code=status_code,
    )


@router.get("/people", response_class=HTMLResponse, name="people")
def people_page(request: Request, actor: Principal = web_requires("user.view")) -> HTMLResponse:
    return _people_page(request, actor)


def _run(request: Request, actor: Principal, change: Any, done: str) -> Response:
    """Apply a change; errors come back on the page, success redirects."""
    try:
        change()
    except PermissionDenied as exc:
        return _people_page(request, actor, error=str(exc), status_code=403)
    except (LookupError, ValueError) as exc:
        return _people_page(request, actor, error=str(exc), status_code=400)
    return redirect(f"/people?done={done}")


@router.post("/people/invite", dependencies=[Depends(csrf.verify)])
async def people_invite(
    request: Request, actor: Principal = web_requires("user.manage")
) -> Response:
    form = await request.form()
    try:
        invitation = actions.invite(
            request.app.state.engine,
            actor,
            _form_text(form, "email"),
            _form_text(form, "role"),
            name=_form_text(form, "name") or None,
            team_slugs=[v for v in form.getlist("team") if isinstance(v, str) and v],
        )
    except (LookupError, ValueError) as exc:
        return _people_page(request, actor, error=str(exc), status_code=400)
    origin = f"{request.url.scheme}://{request.url.netloc}"
    # shown once: only the hash is stored
    return _people_page(request, actor, invite_url=origin + invitation.path)


@router.post("/people/users/{user_id}/role", dependencies=[Depends(csrf.verify)])
async def people_set_role(
    request: Request, user_id: int, actor: Principal = web_requires("user.manage")
) -> Response:
    role = _form_text(await request.form(), "role")
    engine = request.app.state.engine
    return _run(request, actor, lambda: actions.set_role(engine, actor, user_id, role), "role")


@router.post("/people/users/{user_id}/active", dependencies=[Depends(csrf.verify)])
async def people_set_active(
    request: Request, user_id: int, actor: Principal = web_requires("user.manage")
) -> Response:
    active = _form_text(await request.form(), "active") == "1"
    engine = request.app.state.engine
    change = actions.reactivate if active else actions.deactivate
    return _run(request, actor, lambda: change(engine, actor, user_id), "active")


@router.post("/people/teams", dependencies=[Depends(csrf.verify)])
async def people_add_team(
    request: Request, actor: Principal = web_requires("team.manage")
) -> Response:
    form = await request.form()
    slug, name = _form_text(form, "slug"), _form_text(form, "name")
    engine = request.app.state.engine
    return _run(request, actor, lambda: actions.create_team(engine, actor, slug, name), "team")


@router.post("/people/teams/{team_id}/members", dependencies=[Depends(csrf.verify)])
async def people_add_member(
    request: Request, team_id: int, actor: Principal = web_requires("team.manage")
) -> Response:
    user_id = _form_int(await request.form(), "user_id")
    engine = request.app.state.engine
    if user_id is None:
        return _people_page(request, actor, error="Choose a person to add.", status_code=400)
    return _run(
        request, actor, lambda: actions.add_member(engine, actor, team_id, user_id), "member"
    )


@router.post(
    "/people/teams/{team_id}/members/{user_id}/remove", dependencies=[Depends(csrf.verify)]
)
async def people_remove_member(
    request: Request, team_id: int, user_id: int, actor: Principal = web_requires("team.manage")
) -> Response:
    engine = request.app.state.engine
    return _run(
        request, actor, lambda: actions.remove_member(engine, actor, team_id, user_id), "member"
    )


# --- one's own API tokens ----------------------------------------------------


def _tokens_page(
    request: Request,
    actor: Principal,
    *,
    secret: str | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    with request.app.state.engine.connect() as conn:
        mine = tokens.list_tokens(conn, actor.user_id) if actor.user_id is not None else []
    return page(
        request,
        "tokens.html",
        {
            "nav": "tokens",
            "tokens": mine,
            "scopes": SCOPES,
            "secret": secret,
            "error": error,
            "now": utcnow(),
            "done": DONE.get(request.query_params.get("done") or ""),
        },
        status_code=status_code,
    )


@router.get("/people/tokens", response_class=HTMLResponse, name="tokens")
def tokens_page(request: Request, actor: Principal = web_requires("token.own")) -> HTMLResponse:
    return _tokens_page(request, actor)


@router.post("/people/tokens", dependencies=[Depends(csrf.verify)])
async def token_create(request: Request, actor: Principal = web_requires("token.own")) -> Response:
    form = await request.form()
    days = _form_int(form, "expires_days")
    expires_at = utcnow() + timedelta(days=days) if days else None
    scopes = [v for v in form.getlist("scope") if isinstance(v, str)]
    assert actor.user_id is not None  # a web session is always a person
    try:
        secret = actions.create_token(
            request.app.state.engine,
            actor,
            actor.user_id,
            _form_text(form, "name"),
            scopes,
            expires_at,
        )
    except ValueError as exc:
        return _tokens_page(request, actor, error=str(exc), status_code=400)
    # the page that shows the secret is the only place it ever appears
    return _tokens_page(request, actor, secret=secret)


@router.post("/people/tokens/{token_id}/revoke", dependencies=[Depends(csrf.verify)])
async def token_revoke(
    request: Request, token_id: int, actor: Principal = web_requires("token.own")
) -> Response:
    try:
        actions.revoke_token(request.app.state.engine, actor, token_id)
    except actions.TokenNotFound as exc:
        return _tokens_page(request, actor, error=str(exc), status_code=404)
    return redirect("/people/tokens?done=revoked")


# --- audit log ---------------------------------------------------------------


@router.get("/audit", response_class=HTMLResponse, name="audit")
def audit_page(request: Request, _: Principal = web_requires("audit.view")) -> HTMLResponse:
    params = request.query_params
    since_key = params.get("since") or ""
    window = SINCE.get(since_key)
    since: datetime | None = utcnow() - window if window else None
    flt = AuditFilter(
        actor=params.get("actor") or None,
        action=params.get("action") or None,
        object_type=params.get("object_type") or None,
        object_id=params.get("object_id") or None,
        since=since,
    )
    before = params.get("before_id") or ""
    with request.app.state.engine.connect() as conn:
        entries = list_entries(
            conn, flt, limit=AUDIT_PAGE, before_id=int(before) if before.isdigit() else None
        )
    return page(
        request,
        "audit.html",
        {
            "nav": "audit",
            "entries": entries,
            "filters": flt,
            "since_key": since_key,
            "since_choices": [
                ("", "Any time"),
                ("1d", "Last day"),
                ("7d", "Last 7 days"),
                ("30d", "Last 30 days"),
            ],
            "older": entries[-1]["id"] if len(entries) == AUDIT_PAGE else None,
        },
    )
