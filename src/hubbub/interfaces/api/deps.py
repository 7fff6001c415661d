"""Dependencies shared by the API routes: the engine, settings, and who is
calling. A bearer token is either the workspace token (HOME/api_token: an
admin with every scope) or a person's ``hbt_`` token (their role, limited to
the token's scopes)."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection, Engine

from hubbub.config import Settings
from hubbub.people.permissions import scope_for
from hubbub.people.principal import Principal
from hubbub.people.tokens import load_token
from hubbub.post import utcnow

bearer = HTTPBearer(
    auto_error=False, description="The workspace API token, or a personal `hbt_` token."
)

WORKSPACE_TOKEN = Principal(label="workspace token", role="admin", scopes=None)


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_conn(engine: Annotated[Engine, Depends(get_engine)]) -> Iterator[Connection]:
    with engine.connect() as conn:
        yield conn


def _unauthorized() -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        detail="missing, invalid, expired or revoked API token "
        "(send 'Authorization: Bearer <token>')",
        headers={"WWW-Authenticate": "Bearer"},
    )


def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """Who is calling; 401 without a valid token."""
    given = credentials.credentials if credentials is not None else ""
    if not given:
        raise _unauthorized()
    workspace_token: str = request.app.state.api_token
    # constant-time comparison: the workspace token opens everything
    if hmac.compare_digest(given.encode(), workspace_token.encode()):
        return WORKSPACE_TOKEN
    engine: Engine = request.app.state.engine
    holder = load_token(engine, given, utcnow())
    if holder is None:
        raise _unauthorized()
    return Principal(
        label=f"token {holder.name} ({holder.email})",
        role=holder.role,
        user_id=holder.user_id,
        scopes=holder.scopes,
        team_ids=holder.team_ids,
    )


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


def requires(permission: str) -> Any:
    """``Depends()`` giving the caller if they may ``permission``; 403 otherwise,
    naming the missing role or token scope."""
    scope_for(permission)  # a typo fails when the route is declared, not per request

    def check(principal: CurrentPrincipal) -> Principal:
        if not principal.can(permission):
            if principal.scopes is not None and scope_for(permission) not in principal.scopes:
                why = f"this token lacks the scope {scope_for(permission)!r}"
            else:
                why = f"the role {principal.role!r} does not allow it"
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=f"{permission}: {why}")
        return principal

    check.__name__ = f"requires_{permission.replace('.', '_')}"
    return Depends(check)


def require_token(principal: CurrentPrincipal) -> Principal:
    """Any valid caller (kept for routes that check a permission themselves)."""
    return principal


EngineDep = Annotated[Engine, Depends(get_engine)]
ConnDep = Annotated[Connection, Depends(get_conn)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
