"""Reading and writing posts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, select
from sqlalchemy.dialects import postgresql, sqlite

from hubbub.listening.tokenize import index_text
from hubbub.post import Post
from hubbub.store.tables import enrichments, posts

# PostgreSQL refuses a lexeme over 2,047 bytes; no real word is that long.
MAX_TOKEN_BYTES = 500


def stored_token(key: str) -> str:
    """A key as the full-text index holds it: one over MAX_TOKEN_BYTES keeps only
    its first bytes (whole characters). Search truncates query keys the same way,
    so an over-long word is still found (its exact match is confirmed later)."""
    if len(key) * 4 <= MAX_TOKEN_BYTES:
        return key
    return key.encode()[:MAX_TOKEN_BYTES].decode(errors="ignore")


def search_text(post: Post) -> str:
    text = index_text(post.text, post.title)
    if len(text) * 4 <= MAX_TOKEN_BYTES or max(map(len, text.split(" "))) * 4 <= MAX_TOKEN_BYTES:
        return text
    return " ".join(map(stored_token, text.split(" ")))


def dialect_insert(conn: Connection, table: Any) -> Any:
    """INSERT that supports ON CONFLICT on both engines."""
    return (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)


def ids_for_keys(conn: Connection, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], int]:
    by_platform: dict[str, list[str]] = defaultdict(list)
    for platform, external_id in keys:
        by_platform[platform].append(external_id)
    found: dict[tuple[str, str], int] = {}
    for platform, ids in by_platform.items():
        for start in range(0, len(ids), 500):
            rows = conn.execute(
                select(posts.c.id, posts.c.external_id).where(
                    posts.c.platform == platform, posts.c.external_id.in_(ids[start : start + 500])
                )
            )
            found.update(((platform, r.external_id), r.id) for r in rows)
    return found


def _aware(value: datetime | None) -> datetime | None:
    # SQLite hands back naive datetimes; everything in Hubbub is UTC.
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def row_to_post(row: Row[Any] | Any, extra: dict[str, Any] | None = None) -> Post:
    """A stored row back to a Post. ``extra`` adds stored enrichments by name."""
    enriched: dict[str, Any] = dict(extra or {})
    if row.sentiment_label and "sentiment" not in enriched:
        enriched["sentiment"] = {"label": row.sentiment_label, "score": row.sentiment_score}
    if row.dup_cluster and "dedup" not in enriched:
        enriched["dedup"] = {"cluster": row.dup_cluster}
    return Post(
        id=row.id,
        platform=row.platform,
        external_id=row.external_id,
        text=row.text,
        url=row.url,
        title=row.title,
        author_handle=row.author_handle,
        author_id=row.author_id,
        author_name=row.author_name,
        author_followers=row.author_followers,
        language=row.language,
        created_at=_aware(row.created_at),
        ingested_at=_aware(row.ingested_at),
        reply_to=row.reply_to,
        thread_root=row.thread_root,
        likes=row.likes,
        reposts=row.reposts,
        replies=row.replies,
        links=list(row.links or []),
        raw=row.raw,
        source_id=row.source_id,
        edited_at=_aware(row.edited_at),
        deleted_at=_aware(row.deleted_at),
        enrichments=enriched,
    )


POST_COLUMNS = [c for c in posts.c if c.name != "search_tsv"]


def load_posts(
    conn: Connection, ids: Sequence[int], *, with_enrichments: bool = False
) -> list[Post]:
    """Posts by id, in the order of ``ids``."""
    if not ids:
        return []
    extra: dict[int, dict[str, Any]] = defaultdict(dict)
    if with_enrichments:
        query = select(*POST_COLUMNS)
        for e in conn.execute(select(enrichments).where(enrichments.c.post_id.in_(list(ids)))):
            extra[e.post_id][e.enricher] = e.data
    else:
        # a post without a sentiment label brings its stored result along (same
        # statement): it tells "not rated (language)" from "not enriched yet"
        query = select(*POST_COLUMNS, enrichments.c.data.label("unlabelled_sentiment")).outerjoin(
            enrichments,
            and_(
                enrichments.c.post_id == posts.c.id,
                enrichments.c.enricher == "sentiment",
                posts.c.sentiment_label.is_(None),
            ),
        )
    rows = {r.id: r for r in conn.execute(query.where(posts.c.id.in_(list(ids))))}
    if not with_enrichments:
        for i, r in rows.items():
            if r.unlabelled_sentiment is not None:
                extra[i]["sentiment"] = r.unlabelled_sentiment
    return [row_to_post(rows[i], extra.get(i)) for i in ids if i in rows]
