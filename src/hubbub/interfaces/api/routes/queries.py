"""Listening queries: CRUD through hubbub.actions.queries, and a dry run."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response
from sqlalchemy.exc import IntegrityError

from hubbub.actions import queries as actions
from hubbub.analytics.counts import get_query, list_queries
from hubbub.analytics.stream import load_items
from hubbub.interfaces.api.convert import post_public
from hubbub.interfaces.api.deps import ConnDep, EngineDep
from hubbub.interfaces.api.errors import not_found, parse_or_400, syntax_error
from hubbub.interfaces.api.schemas import (
    QueryCreate,
    QueryPublic,
    QueryTest,
    QueryTestResult,
    QueryUpdate,
)
from hubbub.listening.errors import QuerySyntaxError
from hubbub.listening.search import search

router = APIRouter(prefix="/queries", tags=["queries"])

# a dry run counts at most this many stored matches
TEST_COUNT_CAP = 10_000


def _load(engine: EngineDep, query_id: int) -> QueryPublic:
    with engine.connect() as conn:
        found = get_query(conn, query_id)
    if found is None:
        raise not_found(f"query {query_id}")
    return QueryPublic(**found)


@router.get("", response_model=list[QueryPublic])
def list_all(conn: ConnDep) -> list[QueryPublic]:
    return [QueryPublic(**q) for q in list_queries(conn)]


@router.post("", response_model=QueryPublic, status_code=201)
def create(engine: EngineDep, body: QueryCreate) -> QueryPublic:
    """Save a query; it is matched against stored history before this returns."""
    try:
        query_id = actions.create_query(engine, body.name, body.query, enabled=body.enabled)
    except QuerySyntaxError as err:
        raise syntax_error(err) from err
    except actions.DuplicateQueryName as err:
        raise HTTPException(409, detail=str(err)) from err
    except ValueError as err:
        raise HTTPException(422, detail=str(err)) from err
    return _load(engine, query_id)


@router.post("/test", response_model=QueryTestResult)
def test(conn: ConnDep, body: QueryTest) -> QueryTestResult:
    """How many stored posts a query would match, and the newest few."""
    node = parse_or_400(body.query)
    ids = search(conn, node, limit=TEST_COUNT_CAP)
    sample = [post_public(i) for i in load_items(conn, ids[: body.sample_size])]
    return QueryTestResult(count=len(ids), capped=len(ids) >= TEST_COUNT_CAP, sample=sample)


@router.get("/{query_id}", response_model=QueryPublic)
def get_one(engine: EngineDep, query_id: int) -> QueryPublic:
    return _load(engine, query_id)


@router.patch("/{query_id}", response_model=QueryPublic)
def patch(engine: EngineDep, query_id: int, body: QueryUpdate) -> QueryPublic:
    _load(engine, query_id)
    try:
        actions.update_query(
            engine, query_id, query=body.query, name=body.name, enabled=body.enabled
        )
    except QuerySyntaxError as err:
        raise syntax_error(err) from err
    except IntegrityError as err:  # the new name is taken
        raise HTTPException(409, detail=f"a listening query named {body.name!r} exists") from err
    return _load(engine, query_id)


@router.delete("/{query_id}", status_code=204)
def delete(engine: EngineDep, query_id: int) -> Response:
    try:
        actions.delete_query(engine, query_id)
    except actions.QueryNotFound as err:
        raise not_found(f"query {query_id}") from err
    return Response(status_code=204)
