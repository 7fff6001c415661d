"""Routing rules: list, read, create, replace, delete, reorder, and a dry run
over stored posts (``POST /rules/test``) before saving. Rule bodies are
validated by ``hubbub.inbox.routing``; a bad one is a 422 naming the field
("conditions.any[1].labels: unknown intent 'complain' ...")."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, ConfigDict, Field

from hubbub.actions import routing as actions
from hubbub.analytics.query_preview import since_from
from hubbub.inbox.routing import RuleError
from hubbub.inbox.routing.store import rule_records
from hubbub.interfaces.api.deps import ConnDep, EngineDep, requires
from hubbub.interfaces.api.errors import not_found
from hubbub.people.principal import Principal

router = APIRouter(prefix="/rules", tags=["routing rules"])

Viewer = Annotated[Principal, requires("rule.view")]
Manager = Annotated[Principal, requires("rule.manage")]


class RuleBody(BaseModel):
    """A rule as sent: docs/routing.md lists every condition and action."""

    model_config = ConfigDict(extra="forbid")
    name: str
    enabled: bool = True
    stop: bool = Field(False, description="A firing rule with stop ends evaluation.")
    conditions: dict[str, Any] = Field(
        description='A tree: {"all": [...]}, {"any": [...]}, {"not": {...}} around leaves '
        'with a "type" (query, intent, intents_absent, sentiment, language, platform, '
        "author_reach, keywords, time_of_day)."
    )
    actions: list[dict[str, Any]] = Field(
        description="Each with a type: assign_team, assign_person, set_priority, add_tags, "
        "close_as_spam, notify."
    )


class RuleCreate(RuleBody):
    position: int | None = Field(None, ge=1, description="1 = first; default last.")


class RulePublic(BaseModel):
    id: int
    position: int
    name: str
    enabled: bool
    stop: bool
    builtin: bool = Field(description="One of the shipped default rules.")
    conditions: dict[str, Any]
    actions: list[dict[str, Any]]
    summary: str = Field(description="The rule in words.")
    error: str | None = Field(None, description="Set when a stored rule no longer validates.")
    created_at: datetime
    updated_at: datetime


class Reorder(BaseModel):
    rule_ids: list[int] = Field(description="Every rule id once, in the new order.")


class RuleTest(BaseModel):
    rule: RuleBody
    since: str | None = Field("7d", description='"24h", "7d", "30d"... or "all".')
    until: datetime | None = None
    limit: int = Field(20, ge=0, le=200, description="Sample posts to return.")
    rule_id: int | None = Field(None, description="The saved rule this edits, if any.")
    alongside_saved: bool = Field(
        False, description="Evaluate among the saved rules (in rule_id's place, else last)."
    )


class SampleDecision(BaseModel):
    post_id: int
    platform: str
    url: str | None
    author_handle: str | None
    author_followers: int | None
    text: str
    created_at: datetime | None
    query_ids: list[int]
    decision: dict[str, Any]


class TeamCount(BaseModel):
    team: str | None
    count: int


class RuleTestResult(BaseModel):
    since: datetime | None
    until: datetime | None
    evaluated: int = Field(description="Stored posts in the window.")
    evaluated_matched: int = Field(description="Of those, posts matched by a listening query.")
    fired: int = Field(description="Posts the rule fired on.")
    fired_matched: int = Field(description="Of those, posts that open conversations.")
    capped: bool
    per_team: list[TeamCount]
    priorities: dict[str, int]
    tags: dict[str, int]
    spam: int
    seconds: float
    samples: list[SampleDecision]


def _invalid(err: RuleError) -> HTTPException:
    return HTTPException(422, detail=str(err))


@contextmanager
def _save_refusals() -> Iterator[None]:
    """Saving a rule: an invalid one is a 422, a name already taken a 409."""
    try:
        yield
    except RuleError as err:
        raise _invalid(err) from err
    except actions.DuplicateRuleName as err:
        raise HTTPException(409, detail=str(err)) from err


def _one(conn: ConnDep, rule_id: int) -> RulePublic:
    found = rule_records(conn, rule_id)
    if not found:
        raise not_found(f"rule {rule_id}")
    return RulePublic(**found[0])


@router.get("", response_model=list[RulePublic])
def list_rules(conn: ConnDep, _: Viewer) -> list[RulePublic]:
    """Every rule in evaluation order."""
    return [RulePublic(**r) for r in rule_records(conn)]


@router.post("", response_model=RulePublic, status_code=201)
def create(engine: EngineDep, actor: Manager, body: RuleCreate) -> RulePublic:
    spec = body.model_dump(exclude={"position"})
    with _save_refusals():
        rule_id = actions.create_rule(engine, actor, spec, position=body.position)
    with engine.connect() as conn:
        return _one(conn, rule_id)


@router.post("/reorder", response_model=list[RulePublic])
def reorder(engine: EngineDep, actor: Manager, body: Reorder) -> list[RulePublic]:
    try:
        actions.reorder_rules(engine, actor, body.rule_ids)
    except RuleError as err:
        raise _invalid(err) from err
    with engine.connect() as conn:
        return [RulePublic(**r) for r in rule_records(conn)]


@router.post("/test", response_model=RuleTestResult)
def test(engine: EngineDep, _: Manager, body: RuleTest) -> RuleTestResult:
    """Dry-run a rule, saved or not, over stored posts in the window: how many it
    fires on, which teams end up owning them, and the newest few."""
    try:
        since = since_from(body.since)
    except ValueError as err:
        raise HTTPException(422, detail=f"since: {err}") from err
    try:
        result = actions.test_rule(
            engine,
            body.rule.model_dump(),
            since,
            body.until,
            body.limit,
            rule_id=body.rule_id,
            alongside_saved=body.alongside_saved,
        )
    except RuleError as err:
        raise _invalid(err) from err
    samples = [
        SampleDecision(
            post_id=s.post.id or 0,
            platform=s.post.platform,
            url=s.post.url,
            author_handle=s.post.author_handle,
            author_followers=s.post.author_followers,
            text=s.post.text,
            created_at=s.post.created_at,
            query_ids=s.query_ids,
            decision=s.decision.to_dict(),
        )
        for s in result.samples
    ]
    return RuleTestResult.model_validate(result.to_dict() | {"samples": samples})


@router.get("/{rule_id}", response_model=RulePublic)
def get_one(conn: ConnDep, _: Viewer, rule_id: int) -> RulePublic:
    return _one(conn, rule_id)


@router.put("/{rule_id}", response_model=RulePublic)
def replace(engine: EngineDep, actor: Manager, rule_id: int, body: RuleBody) -> RulePublic:
    """Replace the rule's name, flags, conditions and actions (its place stays)."""
    try:
        with _save_refusals():
            actions.update_rule(engine, actor, rule_id, body.model_dump())
    except actions.RuleNotFound as err:
        raise not_found(f"rule {rule_id}") from err
    with engine.connect() as conn:
        return _one(conn, rule_id)


@router.delete("/{rule_id}", status_code=204)
def delete(engine: EngineDep, actor: Manager, rule_id: int) -> Response:
    try:
        actions.delete_rule(engine, actor, rule_id)
    except actions.RuleNotFound as err:
        raise not_found(f"rule {rule_id}") from err
    return Response(status_code=204)
