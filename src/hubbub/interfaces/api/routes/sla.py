"""Service levels: a team's targets and business hours, and the report."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from hubbub.actions import sla as actions
from hubbub.inbox.sla import PRIORITIES, BusinessHoursError
from hubbub.inbox.sla_report import parse_since, sla_report
from hubbub.interfaces.api.deps import ConnDep, EngineDep, requires
from hubbub.people.principal import PermissionDenied, Principal
from hubbub.post import utcnow
from hubbub.store.tables import teams

router = APIRouter(tags=["service levels"])
MAX_MINUTES = actions.MAX_MINUTES


class PolicyPublic(BaseModel):
    priority: str
    first_response_minutes: int | None = Field(None, ge=1, le=MAX_MINUTES)
    resolution_minutes: int | None = Field(None, ge=1, le=MAX_MINUTES)


class TeamSla(BaseModel):
    team_id: int
    slug: str
    # {"timezone": "Europe/Berlin", "days": {"mon": [["09:00", "17:30"]]}, "holidays": [...]};
    # null: around the clock
    business_hours: dict[str, Any] | None
    policies: list[PolicyPublic]


class TeamSlaUpdate(BaseModel):
    """Only what is given changes; `business_hours: null` means around the clock."""

    business_hours: dict[str, Any] | None = None
    policies: list[PolicyPublic] = Field(default_factory=list, max_length=len(PRIORITIES))

    model_config = {"extra": "forbid"}


class TeamReport(BaseModel):
    team_id: int | None
    team_slug: str | None
    team_name: str | None
    opened: int
    responded: int
    first_response_median_seconds: float | None
    resolved: int
    resolution_median_seconds: float | None
    first_response_breaches: int
    resolution_breaches: int


class SlaReport(BaseModel):
    since: datetime
    until: datetime
    teams: list[TeamReport]


def _load(conn: Any, team_id: int) -> TeamSla:
    row = conn.execute(select(teams).where(teams.c.id == team_id)).mappings().first()
    if row is None:
        raise HTTPException(404, detail=f"no team {team_id}")
    return TeamSla(
        team_id=row["id"],
        slug=row["slug"],
        business_hours=row["business_hours"],
        policies=[PolicyPublic(**vars(p)) for p in actions.policies_for(conn, team_id)],
    )


@router.get(
    "/teams/{team_id}/sla", response_model=TeamSla, dependencies=[requires("conversation.view")]
)
def get_team_sla(conn: ConnDep, team_id: int) -> TeamSla:
    """Targets per priority (minutes of business time) and business hours."""
    return _load(conn, team_id)


@router.put("/teams/{team_id}/sla", response_model=TeamSla)
def put_team_sla(
    engine: EngineDep, team_id: int, body: TeamSlaUpdate, actor: Principal = requires("team.manage")
) -> TeamSla:
    """Set business hours and/or targets; a bad value is a 422 saying what to fix."""
    with engine.connect() as conn:
        _load(conn, team_id)
    try:
        if "business_hours" in body.model_fields_set:
            actions.set_business_hours(engine, actor, team_id, body.business_hours)
        for p in body.policies:
            actions.set_policy(
                engine, actor, team_id, p.priority, p.first_response_minutes, p.resolution_minutes
            )
    except PermissionDenied as exc:
        raise HTTPException(403, detail=str(exc)) from exc
    except (BusinessHoursError, ValueError) as exc:
        raise HTTPException(422, detail=str(exc)) from exc
    with engine.connect() as conn:
        return _load(conn, team_id)


@router.get("/reports/sla", response_model=SlaReport, dependencies=[requires("analytics.view")])
def report(
    conn: ConnDep,
    since: Annotated[str, Query(description="7d, 24h, 2026-05-01 or all.")] = "7d",
) -> SlaReport:
    """Per team: conversations opened, first responses and their median (business
    seconds), resolutions, and breaches that fell due in the window."""
    until = utcnow()
    try:
        start = parse_since(since, until)
    except ValueError as exc:
        raise HTTPException(422, detail=str(exc)) from exc
    rows = sla_report(conn, start, until)
    return SlaReport(since=start, until=until, teams=[TeamReport(**r.to_dict()) for r in rows])
