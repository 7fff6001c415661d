"""GET /posts and /posts/{id}; PUT /posts/{id}/intents (a person's correction)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query

from hubbub.analytics.stream import MAX_LIMIT, StreamFilter, load_items, stream_ids
from hubbub.interfaces.api.convert import post_detail, post_public
from hubbub.interfaces.api.deps import ConnDep, EngineDep, requires
from hubbub.interfaces.api.errors import not_found, parse_or_400
from hubbub.interfaces.api.schemas import (
    IntentCorrection,
    IntentsPublic,
    IntentsUpdate,
    PostDetail,
    PostPage,
)
from hubbub.store.posts import load_posts

router = APIRouter(prefix="/posts", tags=["posts"])


@router.get("", response_model=PostPage, dependencies=[requires("post.view")])
def list_posts(
    conn: ConnDep,
    query_id: int | None = None,
    sentiment: Literal["positive", "neutral", "negative"] | None = None,
    language: str | None = None,
    platform: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    q: Annotated[
        str | None, Query(description="A listening query, e.g. `acme AND refund`.")
    ] = None,
    before_id: Annotated[int | None, Query(description="Continue after this post.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
) -> PostPage:
    """Posts newest first, filtered; page on with ``before_id``."""
    flt = StreamFilter(
        query_id=query_id,
        sentiment=sentiment,
        language=language,
        platform=platform,
        since=since,
        until=until,
        node=parse_or_400(q) if q and q.strip() else None,
    )
    ids = stream_ids(conn, flt, limit=limit, before_id=before_id)
    items = [post_public(i) for i in load_items(conn, ids)]
    return PostPage(items=items, next_before_id=ids[-1] if len(ids) == limit else None)


@router.get("/{post_id}", response_model=PostDetail, dependencies=[requires("post.view")])
def get_post(conn: ConnDep, post_id: int) -> PostDetail:
    """One post with every stored enrichment."""
    items = load_items(conn, [post_id], with_enrichments=True)
    if not items:
        raise not_found(f"post {post_id}")
    return post_detail(items[0])


@router.put(
    "/{post_id}/intents", response_model=IntentsPublic, dependencies=[requires("post.correct")]
)
def correct_intents(engine: EngineDep, post_id: int, body: IntentsUpdate) -> IntentsPublic:
    """Set the post's intents. They replace the model's (``model`` becomes
    "human"), re-match queries that filter on ``intent:``, and are used by
    ``hubbub train intent --corrections``."""
    from hubbub.actions import intents

    try:
        intents.correct_intents(engine, post_id, body.labels, corrected_by="api")
    except intents.InvalidIntents as exc:
        raise HTTPException(422, detail=str(exc)) from exc
    except intents.PostNotFound as exc:
        raise not_found(f"post {post_id}") from exc
    with engine.connect() as conn:
        [post] = load_posts(conn, [post_id], with_enrichments=True)
        history = intents.corrections_for(conn, post_id)
    result = post.enrichments.get("intents") or {}
    return IntentsPublic(
        post_id=post_id,
        labels=list(result.get("labels") or []),
        scores=dict(result.get("scores") or {}),
        model=str(result.get("model") or ""),
        corrections=[IntentCorrection(**c) for c in history],
    )
