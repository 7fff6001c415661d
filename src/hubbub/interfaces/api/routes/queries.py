"""Listening queries: CRUD through hubbub.actions.queries, and a dry run
(count, per-day volume, highlighted sample, per-post explanations)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response
from sqlalchemy.exc import IntegrityError

from hubbub.actions import queries as actions
from hubbub.analytics.backfill import backfill_status, backfill_statuses
from hubbub.analytics.counts import get_query, list_queries
from hubbub.analytics.query_preview import explain_post, hits_json, preview, since_from
from hubbub.analytics.stream import load_items
from hubbub.interfaces.api.convert import post_public
from hubbub.interfaces.api.deps import ConnDep, EngineDep, requires
from hubbub.interfaces.api.errors import not_found, syntax_error
from hubbub.interfaces.api.schemas import (
    BackfillPublic,
    DayCount,
    PostExplanation,
    QueryCreate,
    QueryPublic,
    QueryTest,
    QueryTestResult,
    QueryUpdate,
    SamplePost,
)
from hubbub.listening.errors import QuerySyntaxError
from hubbub.listening.parser import parse

router = APIRouter(prefix="/queries", tags=["queries"])

# a dry run counts at most this many stored matches
TEST_COUNT_CAP = 10_000


def _load(engine: EngineDep, query_id: int) -> QueryPublic:
    with engine.connect() as conn:
        found = get_query(conn, query_id)
        status = backfill_status(conn, query_id)
    if found is None or status is None:
        raise not_found(f"query {query_id}")
    return QueryPublic(**found, backfill=BackfillPublic(**status.to_dict()))


@router.get("", response_model=list[QueryPublic], dependencies=[requires("query.view")])
def list_all(conn: ConnDep) -> list[QueryPublic]:
    statuses = backfill_statuses(conn)
    return [
        QueryPublic(**q, backfill=BackfillPublic(**statuses[q["id"]].to_dict()))
        for q in list_queries(conn)
        if q["id"] in statuses
    ]


@router.post(
    "", response_model=QueryPublic, status_code=201, dependencies=[requires("query.manage")]
)
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


@router.post("/test", response_model=QueryTestResult, dependencies=[requires("query.view")])
def test(conn: ConnDep, body: QueryTest) -> QueryTestResult:
    """Try a query on stored posts without saving it: how many match in the
    window, per UTC day, the newest few with the matched words as spans, and
    for each of `post_ids` the tree of clauses that did or did not hold.
    A malformed query or window is a 422 with the position."""
    try:
        node = parse(body.query)
    except QuerySyntaxError as err:
        raise HTTPException(422, detail=syntax_error(err).detail) from err
    try:
        since = since_from(body.since)
    except ValueError as err:
        raise HTTPException(
            422, detail={"message": f"since: {err}", "position": None, "expected": None}
        ) from err
    limit = body.limit if body.limit is not None else body.sample_size
    result = preview(conn, node, since=since, limit=limit, cap=TEST_COUNT_CAP)
    items = {
        i.post.id: i for i in load_items(conn, [s.post.id for s in result.sample if s.post.id])
    }
    sample = [
        SamplePost(**post_public(items[s.post.id]).model_dump(), highlights=hits_json(s.hits))
        for s in result.sample
        if s.post.id in items
    ]
    explanations = []
    for post_id in body.post_ids:
        found = explain_post(conn, node, post_id)
        if found is None:
            explanations.append(PostExplanation(post_id=post_id, found=False))
            continue
        explanations.append(
            PostExplanation.model_validate(
                {
                    "post_id": post_id,
                    "found": True,
                    "matched": found.matched,
                    "tree": found.tree.to_dict(),
                    "highlights": hits_json(found.hits),
                }
            )
        )
    return QueryTestResult(
        count=result.count,
        capped=result.capped,
        since=result.since,
        per_day=[DayCount(day=d, count=n) for d, n in result.per_day],
        sample=sample,
        explanations=explanations,
    )


@router.get("/{query_id}", response_model=QueryPublic, dependencies=[requires("query.view")])
def get_one(engine: EngineDep, query_id: int) -> QueryPublic:
    return _load(engine, query_id)


@router.patch("/{query_id}", response_model=QueryPublic, dependencies=[requires("query.manage")])
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


@router.delete("/{query_id}", status_code=204, dependencies=[requires("query.manage")])
def delete(engine: EngineDep, query_id: int) -> Response:
    try:
        actions.delete_query(engine, query_id)
    except actions.QueryNotFound as err:
        raise not_found(f"query {query_id}") from err
    return Response(status_code=204)
