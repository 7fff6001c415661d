"""Routing rules: the ordered list (move up/down, enable, delete, restore the
defaults) and the editor, with form fields per condition and action (JSON for
rules the form cannot hold) and a dry run over the last 7 days before saving."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from hubbub.actions import routing as actions
from hubbub.analytics.query_preview import since_from
from hubbub.enrich.intent import LABELS as INTENT_LABELS
from hubbub.inbox.routing import RuleError, parse_spec
from hubbub.inbox.routing.describe import describe
from hubbub.inbox.routing.model import PRIORITIES, SENTIMENTS, WEEKDAYS
from hubbub.inbox.routing.store import rule_records
from hubbub.interfaces.web import csrf
from hubbub.interfaces.web.auth import web_requires
from hubbub.interfaces.web.render import page, redirect
from hubbub.interfaces.web.rule_form import FormError, empty_form, read_form, to_form, to_spec
from hubbub.people.principal import Principal
from hubbub.store.tables import listening_queries, teams, users

router = APIRouter()
TEST_WINDOW = "7d"
TEST_SAMPLES = 10
DONE = {
    "created": "Rule created.",
    "saved": "Rule saved.",
    "deleted": "Rule deleted.",
    "moved": "Order changed.",
    "toggled": "Rule updated.",
    "defaults": "Default rules restored.",
}


def _not_found(request: Request) -> HTMLResponse:
    return page(request, "error.html", {"status": 404, "message": "No such rule."}, 404)


@router.get("/rules", response_class=HTMLResponse, name="rules")
def rules_page(request: Request, actor: Principal = web_requires("rule.view")) -> HTMLResponse:
    with request.app.state.engine.connect() as conn:
        rules = rule_records(conn)
    return page(
        request,
        "rules.html",
        {
            "nav": "rules",
            "rules": rules,
            "can_manage": actor.can("rule.manage"),
            "done": DONE.get(request.query_params.get("done") or ""),
        },
    )


def _choices(request: Request) -> dict[str, Any]:
    with request.app.state.engine.connect() as conn:
        team_rows = conn.execute(
            select(teams.c.id, teams.c.slug, teams.c.name).order_by(teams.c.name)
        ).all()
        people = conn.execute(
            select(users.c.id, users.c.name, users.c.email)
            .where(users.c.active.is_(True))
            .order_by(users.c.name)
        ).all()
        queries = conn.execute(
            select(listening_queries.c.id, listening_queries.c.name).order_by(
                listening_queries.c.name
            )
        ).all()
    return {
        "teams": team_rows,
        "people": people,
        "queries": queries,
        "intent_labels": INTENT_LABELS,
        "sentiments": SENTIMENTS,
        "weekdays": WEEKDAYS,
        "priorities": PRIORITIES,
        "team_slugs": {t.id: t.slug for t in team_rows},
        "team_names": {t.slug: t.name for t in team_rows},
    }


def _editor(
    request: Request,
    *,
    rule: dict[str, Any] | None,
    values: dict[str, Any],
    spec_json: str,
    mode: str,
    summary: str = "",
    error: str | None = None,
    test: Any = None,
    status_code: int = 200,
) -> HTMLResponse:
    choices = _choices(request)
    return page(
        request,
        "rule_edit.html",
        {
            "nav": "rules",
            "rule": rule,
            "v": values,
            "spec_json": spec_json,
            "mode": mode,
            "summary": summary,
            "error": error,
            "test": test,
            "test_window": TEST_WINDOW,
            "done": DONE.get(request.query_params.get("done") or ""),
            **choices,
        },
        status_code=status_code,
    )


def _pretty(spec: dict[str, Any]) -> str:
    return json.dumps(spec, indent=2, ensure_ascii=False)


@router.get("/rules/new", response_class=HTMLResponse, name="rule_new")
def rule_new(request: Request, _: Principal = web_requires("rule.manage")) -> HTMLResponse:
    values = empty_form()
    return _editor(request, rule=None, values=values, spec_json="", mode="form")


@router.get("/rules/{rule_id}", response_class=HTMLResponse, name="rule_edit")
def rule_edit(
    request: Request, rule_id: int, _: Principal = web_requires("rule.manage")
) -> HTMLResponse:
    with request.app.state.engine.connect() as conn:
        found = rule_records(conn, rule_id)
    if not found:
        return _not_found(request)
    rule = found[0]
    spec = {k: rule[k] for k in ("name", "enabled", "stop", "conditions", "actions")}
    values = to_form(spec, _choices(request)["team_slugs"])
    return _editor(
        request,
        rule=rule,
        values=values or empty_form() | {"name": rule["name"]},
        spec_json=_pretty(spec),
        mode="form" if values is not None else "json",
        summary=rule["summary"],
        error=rule["error"],
    )


async def _save(request: Request, actor: Principal, rule_id: int | None) -> Response:
    engine = request.app.state.engine
    rule = None
    if rule_id is not None:
        with engine.connect() as conn:
            found = rule_records(conn, rule_id)
        if not found:
            return _not_found(request)
        rule = found[0]
    form = await request.form()
    mode = "json" if form.get("mode") == "json" else "form"
    action = form.get("action")
    values = read_form(form)
    raw_json = form.get("spec_json")
    spec_json = raw_json if isinstance(raw_json, str) else ""

    def again(**kw: Any) -> HTMLResponse:
        return _editor(request, rule=rule, values=values, spec_json=spec_json, mode=mode, **kw)

    try:
        spec = json.loads(spec_json) if mode == "json" else to_spec(values)
    except json.JSONDecodeError as err:
        return again(
            error=f"JSON: {err.msg} at line {err.lineno}, column {err.colno}", status_code=400
        )
    except FormError as err:
        return again(error=str(err), status_code=400)
    if mode == "form" and isinstance(spec, dict):
        spec_json = _pretty(spec)
    if action == "json":  # switch the editor to JSON, keeping what was typed
        return _editor(request, rule=rule, values=values, spec_json=_pretty(spec), mode="json")
    if action == "form":  # back to the form, if it can hold the rule
        try:
            normal = parse_spec(spec).to_json()
        except RuleError as err:
            return again(error=str(err), status_code=400)
        back = to_form(normal, _choices(request)["team_slugs"])
        if back is None:
            return again(error="This rule needs JSON: the form cannot show it.", status_code=400)
        return _editor(request, rule=rule, values=back, spec_json=_pretty(normal), mode="form")
    try:
        summary = describe(parse_spec(spec))
        if action == "test":
            test = await run_in_threadpool(
                actions.test_rule,
                engine,
                spec,
                since_from(TEST_WINDOW),
                None,
                TEST_SAMPLES,
                rule_id=rule_id,
                alongside_saved=True,
            )
            return again(summary=summary, test=test)
        if rule_id is None:
            new_id = actions.create_rule(engine, actor, spec)
            return redirect(f"/rules?done=created#rule-{new_id}")
        actions.update_rule(engine, actor, rule_id, spec)
        return redirect(f"/rules?done=saved#rule-{rule_id}")
    except (RuleError, actions.DuplicateRuleName) as err:
        return again(error=str(err), status_code=400)


@router.post("/rules", dependencies=[Depends(csrf.verify)], name="rule_create")
async def rule_create(request: Request, actor: Principal = web_requires("rule.manage")) -> Response:
    return await _save(request, actor, None)


@router.post("/rules/defaults", dependencies=[Depends(csrf.verify)])
async def rules_defaults(request: Request, _: Principal = web_requires("rule.manage")) -> Response:
    await run_in_threadpool(actions.ensure_default_routing, request.app.state.engine, restore=True)
    return redirect("/rules?done=defaults")


@router.post("/rules/{rule_id}", dependencies=[Depends(csrf.verify)], name="rule_update")
async def rule_update(
    request: Request, rule_id: int, actor: Principal = web_requires("rule.manage")
) -> Response:
    return await _save(request, actor, rule_id)


@router.post("/rules/{rule_id}/enabled", dependencies=[Depends(csrf.verify)])
async def rule_toggle(
    request: Request, rule_id: int, actor: Principal = web_requires("rule.manage")
) -> Response:
    form = await request.form()
    try:
        actions.set_rule_enabled(
            request.app.state.engine, actor, rule_id, form.get("enabled") == "1"
        )
    except actions.RuleNotFound:
        return _not_found(request)
    return redirect(f"/rules?done=toggled#rule-{rule_id}")


@router.post("/rules/{rule_id}/move", dependencies=[Depends(csrf.verify)])
async def rule_move(
    request: Request, rule_id: int, actor: Principal = web_requires("rule.manage")
) -> Response:
    form = await request.form()
    offset = -1 if form.get("direction") == "up" else 1
    try:
        actions.move_rule(request.app.state.engine, actor, rule_id, offset)
    except actions.RuleNotFound:
        return _not_found(request)
    return redirect(f"/rules?done=moved#rule-{rule_id}")


@router.post("/rules/{rule_id}/delete", dependencies=[Depends(csrf.verify)])
async def rule_delete(
    request: Request, rule_id: int, actor: Principal = web_requires("rule.manage")
) -> Response:
    try:
        actions.delete_rule(request.app.state.engine, actor, rule_id)
    except actions.RuleNotFound:
        return _not_found(request)
    return redirect("/rules?done=deleted")
