"""Signing in and out, and accepting an invitation. These pages work without
a session; their forms are CSRF-protected like every other."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from hubbub.actions import people as actions
from hubbub.interfaces.web import csrf
from hubbub.interfaces.web.auth import safe_next, session_principal, web_principal
from hubbub.interfaces.web.render import page, redirect
from hubbub.people.passwords import MIN_LENGTH
from hubbub.people.principal import Principal
from hubbub.people.sessions import COOKIE

router = APIRouter()


def _form_text(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _with_session(request: Request, response: Response, token: str) -> Response:
    settings = request.app.state.settings
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,  # scripts never see it
        samesite="lax",  # sent on top-level navigation from a link, not on cross-site POSTs
        secure=request.url.scheme == "https",
        path="/",
        max_age=settings.session_max_hours * 3600,
    )
    return response


def _login_page(
    request: Request,
    next_path: str,
    *,
    email: str = "",
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    return page(
        request,
        "login.html",
        {"nav": "", "next": next_path, "email": email, "error": error, "bare": True},
        status_code=status,
    )


@router.get("/login", response_class=HTMLResponse, name="login")
def login_form(request: Request) -> Response:
    next_path = safe_next(request.query_params.get("next"))
    if session_principal(request) is not None:
        return redirect(next_path)
    return _login_page(request, next_path)


@router.post("/login", dependencies=[Depends(csrf.verify)])
async def login(request: Request) -> Response:
    form = await request.form()
    email = _form_text(form, "email")
    next_path = safe_next(_form_text(form, "next"))
    try:
        token = actions.login(
            request.app.state.engine,
            request.app.state.settings,
            email,
            _form_text(form, "password"),
        )
    except actions.InvalidCredentials as exc:
        return _login_page(request, next_path, email=email, error=str(exc), status=401)
    return _with_session(request, redirect(next_path), token)


@router.post("/logout", dependencies=[Depends(csrf.verify)])
def logout(request: Request, actor: Principal = Depends(web_principal)) -> Response:
    token = request.cookies.get(COOKIE)
    if token:
        actions.logout(request.app.state.engine, actor, token)
    response = redirect("/login?done=logout")
    response.delete_cookie(COOKIE, path="/")
    return response


def _invite_page(
    request: Request,
    token: str,
    *,
    name: str = "",
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    try:
        invitation = actions.invitation_for(request.app.state.engine, token)
    except actions.InvitationInvalid as exc:
        return page(request, "error.html", {"status": 404, "message": str(exc)}, status_code=404)
    return page(
        request,
        "invite_accept.html",
        {
            "nav": "",
            "invitation": invitation,
            "token": token,
            "name": name or invitation.get("name") or "",
            "error": error,
            "min_length": MIN_LENGTH,
            "bare": True,
        },
        status_code=status,
    )


@router.get("/invite/{token}", response_class=HTMLResponse, name="invite_accept")
def invite_form(request: Request, token: str) -> HTMLResponse:
    return _invite_page(request, token)


@router.post("/invite/{token}", dependencies=[Depends(csrf.verify)])
async def invite_accept(request: Request, token: str) -> Response:
    form = await request.form()
    name = _form_text(form, "name")
    password = _form_text(form, "password")
    if password != _form_text(form, "password_again"):
        return _invite_page(request, token, name=name, error="The passwords differ.", status=400)
    try:
        accepted = actions.accept_invitation(
            request.app.state.engine, request.app.state.settings, token, name, password
        )
    except actions.InvitationInvalid:
        return _invite_page(request, token)
    except actions.DuplicateUser as exc:
        return _invite_page(request, token, name=name, error=str(exc), status=409)
    except ValueError as exc:  # the password policy
        return _invite_page(request, token, name=name, error=str(exc), status=400)
    return _with_session(request, redirect("/"), accepted.session_token)
