"""People: users, teams, one's own API tokens, invitations, the audit log."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response

from hubbub.actions import people as actions
from hubbub.interfaces.api.deps import ConnDep, CurrentPrincipal, EngineDep, requires
from hubbub.interfaces.api.people_schemas import (
    AuditEntry,
    AuditPage,
    InvitationCreate,
    InvitationCreated,
    Me,
    MemberAdd,
    TeamCreate,
    TeamPublic,
    TokenCreate,
    TokenCreated,
    TokenPublic,
    UserCreate,
    UserPublic,
    UserUpdate,
)
from hubbub.people import directory, tokens
from hubbub.people.audit_log import AuditFilter, list_entries
from hubbub.people.permissions import PERMISSIONS
from hubbub.people.principal import PermissionDenied, Principal
from hubbub.post import utcnow

router = APIRouter(tags=["people"])


@contextmanager
def _http_errors() -> Iterator[None]:
    """Domain errors of hubbub.actions.people as HTTP errors."""
    try:
        yield
    except PermissionDenied as exc:
        raise HTTPException(403, detail=str(exc)) from exc
    except (actions.UserNotFound, actions.TeamNotFound, actions.TokenNotFound) as exc:
        raise HTTPException(404, detail=str(exc)) from exc
    except (actions.DuplicateUser, actions.DuplicateTeam, actions.LastAdmin) as exc:
        raise HTTPException(409, detail=str(exc)) from exc
    except ValueError as exc:
        raise HTTPException(422, detail=str(exc)) from exc


@router.get("/me", response_model=Me)
def me(principal: CurrentPrincipal) -> Me:
    """Who this token acts as, and what it may do."""
    return Me(
        label=principal.label,
        role=principal.role,
        user_id=principal.user_id,
        scopes=None if principal.scopes is None else sorted(principal.scopes),
        team_ids=sorted(principal.team_ids),
        permissions=[p for p in PERMISSIONS if principal.can(p)],
    )


# --- users -------------------------------------------------------------------


def _user(engine: EngineDep, user_id: int) -> UserPublic:
    with engine.connect() as conn:
        for user in directory.list_users(conn):
            if user["id"] == user_id:
                return UserPublic(**user)
    raise HTTPException(404, detail=f"user {user_id} not found")


@router.get("/users", response_model=list[UserPublic], dependencies=[requires("user.view")])
def list_users(conn: ConnDep) -> list[UserPublic]:
    return [UserPublic(**u) for u in directory.list_users(conn)]


@router.post("/users", response_model=UserPublic, status_code=201)
def create_user(
    engine: EngineDep, body: UserCreate, actor: Principal = requires("user.manage")
) -> UserPublic:
    with _http_errors():
        user_id = actions.create_user(
            engine, actor, body.email, body.name, body.role, body.password, body.teams
        )
    return _user(engine, user_id)


@router.patch("/users/{user_id}", response_model=UserPublic)
def update_user(
    engine: EngineDep, user_id: int, body: UserUpdate, actor: CurrentPrincipal
) -> UserPublic:
    """Change the role, deactivate or reactivate (admins), or availability for
    assignment (oneself, or anyone for managers)."""
    with _http_errors():
        if body.role is not None:
            actions.set_role(engine, actor, user_id, body.role)
        if body.active is not None:
            if body.active:
                actions.reactivate(engine, actor, user_id)
            else:
                actions.deactivate(engine, actor, user_id)
        if body.available is not None:
            actions.set_available(engine, actor, user_id, body.available)
    return _user(engine, user_id)


# --- teams -------------------------------------------------------------------


@router.get("/teams", response_model=list[TeamPublic])
def list_teams(conn: ConnDep, _: CurrentPrincipal) -> list[TeamPublic]:
    """Every team and its members (anyone signed in: queues are per team)."""
    return [TeamPublic(**t) for t in directory.list_teams(conn)]


def _team(engine: EngineDep, team_id: int) -> TeamPublic:
    with engine.connect() as conn:
        for team in directory.list_teams(conn):
            if team["id"] == team_id:
                return TeamPublic(**team)
    raise HTTPException(404, detail=f"team {team_id} not found")


@router.post("/teams", response_model=TeamPublic, status_code=201)
def create_team(
    engine: EngineDep, body: TeamCreate, actor: Principal = requires("team.manage")
) -> TeamPublic:
    with _http_errors():
        team_id = actions.create_team(engine, actor, body.slug, body.name, body.business_hours)
    return _team(engine, team_id)


@router.post("/teams/{team_id}/members", response_model=TeamPublic)
def add_member(
    engine: EngineDep, team_id: int, body: MemberAdd, actor: Principal = requires("team.manage")
) -> TeamPublic:
    with _http_errors():
        actions.add_member(engine, actor, team_id, body.user_id)
    return _team(engine, team_id)


@router.delete("/teams/{team_id}/members/{user_id}", response_model=TeamPublic)
def remove_member(
    engine: EngineDep, team_id: int, user_id: int, actor: Principal = requires("team.manage")
) -> TeamPublic:
    with _http_errors():
        actions.remove_member(engine, actor, team_id, user_id)
    return _team(engine, team_id)


# --- API tokens --------------------------------------------------------------


@router.get("/tokens", response_model=list[TokenPublic])
def list_tokens(conn: ConnDep, actor: Principal = requires("token.own")) -> list[TokenPublic]:
    """The caller's own tokens (never their secrets)."""
    if actor.user_id is None:
        return []
    return [TokenPublic(**t) for t in tokens.list_tokens(conn, actor.user_id)]


@router.post("/tokens", response_model=TokenCreated, status_code=201)
def create_token(
    engine: EngineDep, body: TokenCreate, actor: Principal = requires("token.own")
) -> TokenCreated:
    user_id = body.user_id if body.user_id is not None else actor.user_id
    if user_id is None:
        raise HTTPException(422, detail="the workspace token belongs to nobody: give user_id")
    expires_at = utcnow() + timedelta(days=body.expires_days) if body.expires_days else None
    with _http_errors():
        secret = actions.create_token(engine, actor, user_id, body.name, body.scopes, expires_at)
    with engine.connect() as conn:
        token_id = tokens.token_id_for(conn, secret)
        row = tokens.token_row(conn, token_id) if token_id is not None else None
    assert row is not None
    return TokenCreated(
        id=row["id"], token=secret, scopes=row["scopes"], expires_at=row["expires_at"]
    )


@router.delete("/tokens/{token_id}", status_code=204)
def revoke_token(
    engine: EngineDep, token_id: int, actor: Principal = requires("token.own")
) -> Response:
    with _http_errors():
        actions.revoke_token(engine, actor, token_id)
    return Response(status_code=204)


# --- invitations -------------------------------------------------------------


@router.post("/invitations", response_model=InvitationCreated, status_code=201)
def create_invitation(
    request: Request,
    engine: EngineDep,
    body: InvitationCreate,
    actor: Principal = requires("user.manage"),
) -> InvitationCreated:
    with _http_errors():
        invitation = actions.invite(
            engine, actor, body.email, body.role, name=body.name, team_slugs=body.teams
        )
    origin = f"{request.url.scheme}://{request.url.netloc}"
    return InvitationCreated(id=invitation.id, url=origin + invitation.path)


# --- audit log ---------------------------------------------------------------


@router.get("/audit", response_model=AuditPage, dependencies=[requires("audit.view")])
def audit(
    conn: ConnDep,
    actor: Annotated[
        str | None, Query(description="Part of the actor's name, or user:<id>.")
    ] = None,
    action: Annotated[
        str | None, Query(description="An action, or a prefix ending in '.'.")
    ] = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: datetime | None = None,
    before_id: int | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AuditPage:
    """Who did what, newest first."""
    flt = AuditFilter(
        actor=actor, action=action, object_type=object_type, object_id=object_id, since=since
    )
    items = list_entries(conn, flt, limit=limit, before_id=before_id)
    return AuditPage(
        items=[AuditEntry(**i) for i in items],
        next_before_id=items[-1]["id"] if len(items) == limit else None,
    )
