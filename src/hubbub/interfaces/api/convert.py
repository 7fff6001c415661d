"""Stored posts to API bodies."""

from __future__ import annotations

from hubbub.analytics.stream import StreamItem
from hubbub.interfaces.api.schemas import PostDetail, PostPublic


def post_public(item: StreamItem) -> PostPublic:
    p = item.post
    sentiment = p.enrichments.get("sentiment") or {}
    dedup = p.enrichments.get("dedup") or {}
    assert p.id is not None
    return PostPublic(
        id=p.id,
        platform=p.platform,
        external_id=p.external_id,
        url=p.url,
        title=p.title,
        text=p.text,
        author_handle=p.author_handle,
        author_name=p.author_name,
        author_followers=p.author_followers,
        language=p.language,
        sentiment_label=sentiment.get("label"),
        sentiment_score=sentiment.get("score"),
        dup_cluster=dedup.get("cluster"),
        duplicate_copies=item.copies,
        created_at=p.created_at,
        ingested_at=p.ingested_at,
        edited_at=p.edited_at,
        deleted_at=p.deleted_at,
        likes=p.likes,
        reposts=p.reposts,
        replies=p.replies,
        links=p.links,
        source_id=p.source_id,
        queries=[q for q, _ in item.queries],
    )


def post_detail(item: StreamItem) -> PostDetail:
    return PostDetail(
        **post_public(item).model_dump(),
        enrichments=item.post.enrichments,
        raw=item.post.raw,
    )
