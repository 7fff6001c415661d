"""Service levels in the web UI: the report across teams (/service-levels)
and each team's targets and business hours (/teams/{id}/service-levels).
Everyone who sees the inbox may read them; changing needs team.manage."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from hubbub.actions import sla as actions
from hubbub.inbox.sla import (
    DAY_NAMES,
    BusinessHoursError,
    duration_text,
    parse_target_minutes,
    spans_from_text,
    spans_text,
    target_text,
)
from hubbub.inbox.sla_report import sla_report
from hubbub.interfaces.web import csrf
from hubbub.interfaces.web.auth import web_requires
from hubbub.interfaces.web.render import page, redirect
from hubbub.people.principal import PermissionDenied, Principal
from hubbub.post import utcnow
from hubbub.store.tables import teams

router = APIRouter()
REPORT_DAYS = 30
DAY_LABELS = dict(zip(DAY_NAMES, ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                  "Saturday", "Sunday"), strict=True))  # fmt: skip
DONE = {"targets": "Targets saved.", "hours": "Business hours saved."}
_ZONES = sorted(available_timezones())


def _duration(seconds: float | None) -> str:
    return "—" if seconds is None else duration_text(seconds)


@router.get("/service-levels", response_class=HTMLResponse, name="service_levels")
def service_levels(
    request: Request, actor: Principal = web_requires("conversation.view")
) -> HTMLResponse:
    now = utcnow()
    with request.app.state.engine.connect() as conn:
        rows = sla_report(conn, now - timedelta(days=REPORT_DAYS), now)
    return page(
        request,
        "service_levels.html",
        {"nav": "service-levels", "rows": rows, "days": REPORT_DAYS, "duration": _duration},
    )


def _team(request: Request, team_id: int) -> Any:
    with request.app.state.engine.connect() as conn:
        return conn.execute(select(teams).where(teams.c.id == team_id)).mappings().first()


def _team_page(
    request: Request,
    actor: Principal,
    team: Any,
    *,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    now = utcnow()
    with request.app.state.engine.connect() as conn:
        policies = actions.policies_for(conn, team["id"])
        report = next(
            (
                r
                for r in sla_report(conn, now - timedelta(days=REPORT_DAYS), now)
                if r.team_id == team["id"]
            ),
            None,
        )
    hours = team["business_hours"]
    values = {
        "timezone": (hours or {}).get("timezone", "UTC"),
        "always": "" if hours else "1",
        "holidays": "\n".join((hours or {}).get("holidays", [])),
        **{f"day_{d}": spans_text((hours or {}).get("days", {}).get(d)) for d in DAY_NAMES},
        **{f"fr_{p.priority}": target_text(p.first_response_minutes) for p in policies},
        **{f"res_{p.priority}": target_text(p.resolution_minutes) for p in policies},
    }
    values.update(form or {})
    return page(
        request,
        "team_sla.html",
        {
            "nav": "service-levels",
            "team": team,
            "policies": policies,
            "report": report,
            "days": REPORT_DAYS,
            "duration": _duration,
            "values": values,
            "day_labels": DAY_LABELS,
            "zones": _ZONES,
            "can_manage": actor.can("team.manage"),
            "error": error,
            "done": DONE.get(request.query_params.get("done") or ""),
        },
        status_code=status_code,
    )


def _not_found(request: Request) -> HTMLResponse:
    return page(request, "error.html", {"status": 404, "message": "No such team."}, 404)


@router.get("/teams/{team_id}/service-levels", response_class=HTMLResponse, name="team_sla")
def team_sla(
    request: Request, team_id: int, actor: Principal = web_requires("conversation.view")
) -> HTMLResponse:
    team = _team(request, team_id)
    return _not_found(request) if team is None else _team_page(request, actor, team)


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


@router.post("/teams/{team_id}/service-levels/targets", dependencies=[Depends(csrf.verify)])
async def team_sla_targets(
    request: Request, team_id: int, actor: Principal = web_requires("team.manage")
) -> Response:
    team = _team(request, team_id)
    if team is None:
        return _not_found(request)
    form = await request.form()
    entered = {k: _text(form, k) for k in form if k.startswith(("fr_", "res_"))}
    engine = request.app.state.engine
    try:
        with engine.connect() as conn:
            current = {p.priority: p for p in actions.policies_for(conn, team_id)}
        for priority, policy in current.items():
            first = parse_target_minutes(entered.get(f"fr_{priority}", ""))
            res = parse_target_minutes(entered.get(f"res_{priority}", ""))
            if (first, res) != (policy.first_response_minutes, policy.resolution_minutes):
                actions.set_policy(engine, actor, team_id, priority, first, res)
    except PermissionDenied as exc:
        return _team_page(request, actor, team, error=str(exc), status_code=403)
    except ValueError as exc:
        return _team_page(request, actor, team, error=str(exc), form=entered, status_code=400)
    return redirect(f"/teams/{team_id}/service-levels?done=targets")


@router.post("/teams/{team_id}/service-levels/hours", dependencies=[Depends(csrf.verify)])
async def team_sla_hours(
    request: Request, team_id: int, actor: Principal = web_requires("team.manage")
) -> Response:
    team = _team(request, team_id)
    if team is None:
        return _not_found(request)
    form = await request.form()
    entered = {
        "timezone": _text(form, "timezone"),
        "always": "1" if form.get("always") == "1" else "",
        "holidays": _text(form, "holidays"),
        **{f"day_{d}": _text(form, f"day_{d}") for d in DAY_NAMES},
    }
    try:
        hours = None
        if not entered["always"]:
            hours = {
                "timezone": entered["timezone"],
                "days": {d: spans_from_text(d, entered[f"day_{d}"]) for d in DAY_NAMES},
                "holidays": [h for h in entered["holidays"].split() if h],
            }
        actions.set_business_hours(request.app.state.engine, actor, team_id, hours)
    except PermissionDenied as exc:
        return _team_page(request, actor, team, error=str(exc), status_code=403)
    except BusinessHoursError as exc:
        return _team_page(
            request, actor, team, error=f"Business hours: {exc}", form=entered, status_code=400
        )
    return redirect(f"/teams/{team_id}/service-levels?done=hours")
