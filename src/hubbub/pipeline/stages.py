"""The stages after normalize. Each takes a PostBatch and returns it, so any
stage can run in any process that has a store connection."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from hubbub.enrich.base import Enricher
from hubbub.listening.matcher import QueryIndex
from hubbub.listening.parser import parse
from hubbub.pipeline.messages import PostBatch
from hubbub.pipeline.normalize import item_name
from hubbub.post import Post, is_newer_edit
from hubbub.sources.base import ItemError
from hubbub.store.post_versions import (
    StoredVersion,
    known_handles,
    stored_versions,
    tombstoned_keys,
)
from hubbub.store.posts import row_to_post, search_text
from hubbub.store.tables import enrichments, listening_queries, posts

log = logging.getLogger(__name__)


def dedupe(batch: PostBatch, engine: Engine) -> PostBatch:
    """Drop posts already stored, so replaying a source creates no duplicates
    and costs no enrichment, and posts deleted upstream, so a replay never
    brings one back. A stored post re-delivered with a newer ``edited_at`` is
    kept: it is an edit, re-enriched and re-matched, and the store updates it.
    Authors known only by id get a handle the store has learnt."""
    if not batch.posts:
        return batch
    keys = [p.key for p in batch.posts]
    with engine.connect() as conn:
        stored = stored_versions(conn, keys)
        gone = tombstoned_keys(conn, keys)
        _fill_known_handles(conn, batch.posts)
    before = len(batch.posts)
    batch.posts = [p for p in batch.posts if p.key not in gone and _is_new(p, stored.get(p.key))]
    batch.duplicates_skipped += before - len(batch.posts)
    return batch


def _is_new(post: Post, stored: StoredVersion | None) -> bool:
    if stored is None:
        return True
    return stored.deleted_at is None and is_newer_edit(post.edited_at, stored.edited_at)


def _fill_known_handles(conn: Connection, batch_posts: list[Post]) -> None:
    unresolved = [p for p in batch_posts if p.author_id and p.author_handle in (None, p.author_id)]
    if not unresolved:
        return
    known = known_handles(conn, [(p.platform, p.author_id or "") for p in unresolved])
    for post in unresolved:
        entry = known.get((post.platform, post.author_id or ""))
        if entry is not None:
            post.author_handle = entry[0]


class EnrichStage:
    def __init__(self, enrichers: Sequence[Enricher]) -> None:
        self.enrichers = list(enrichers)

    @property
    def versions(self) -> dict[str, str]:
        return {e.name: e.version for e in self.enrichers}

    def restore(self, engine: Engine, limit: int = 200_000) -> None:
        """Give stateful enrichers (near-duplicates) their memory of recent posts."""
        for enricher in self.enrichers:
            restore = getattr(enricher, "restore", None)
            if restore is None:
                continue
            with engine.connect() as conn:
                rows = conn.execute(
                    select(posts, enrichments.c.data)
                    .join(enrichments, enrichments.c.post_id == posts.c.id)
                    .where(enrichments.c.enricher == enricher.name)
                    .order_by(posts.c.id.desc())
                    .limit(limit)
                ).all()
            restore([(row_to_post(r), r.data) for r in reversed(rows)])

    def __call__(self, batch: PostBatch) -> PostBatch:
        if not batch.posts:
            return batch
        for enricher in self.enrichers:
            try:
                results = enricher.enrich(batch.posts)
            except Exception as exc:  # one enricher's bug must not lose the batch
                log.exception("enricher %s failed on a batch", enricher.name)
                batch.errors.append(
                    ItemError(
                        f"batch {batch.id}",
                        f"enricher {enricher.name} failed: {exc!r}; posts kept without it",
                    )
                )
                continue
            for post, result in zip(batch.posts, results, strict=True):
                post.enrichments[enricher.name] = result
            if enricher.name == "language":
                for post, result in zip(batch.posts, results, strict=True):
                    lang = (result or {}).get("lang")
                    if not post.language and lang and lang != "und":
                        post.language = lang
        batch.enricher_versions.update(self.versions)
        return batch


class MatchStage:
    """Matches every post against every enabled query, through the query index.
    Reloads the index when the saved queries change."""

    def __init__(self, engine: Engine | None, queries: dict[int, str] | None = None) -> None:
        self.engine = engine
        self.index = QueryIndex()
        self._fingerprint: Any = None
        if queries is not None:
            self._load(queries)

    def _load(self, queries: dict[int, str]) -> None:
        index = QueryIndex()
        for query_id, text in queries.items():
            try:
                index.add(query_id, parse(text))
            except ValueError as exc:  # saved before a grammar change: skip it, say so
                log.warning("listening query %s is not valid any more: %s", query_id, exc)
        self.index = index

    def refresh(self) -> None:
        if self.engine is None:
            return
        with self.engine.connect() as conn:
            fingerprint = conn.execute(
                select(func.count(), func.max(listening_queries.c.updated_at)).where(
                    listening_queries.c.enabled
                )
            ).one()
            if tuple(fingerprint) == self._fingerprint:
                return
            rows = conn.execute(
                select(listening_queries.c.id, listening_queries.c.query).where(
                    listening_queries.c.enabled
                )
            ).all()
        self._load({r.id: r.query for r in rows})
        self._fingerprint = tuple(fingerprint)

    def __call__(self, batch: PostBatch) -> PostBatch:
        self.refresh()
        batch.matches = []
        # the store's full-text tokens, here where the stage runs in parallel
        batch.search_texts = [search_text(p) for p in batch.posts]
        for post in batch.posts:
            try:
                batch.matches.append(sorted(int(str(q)) for q in self.index.match(post)))
            except Exception as exc:
                log.exception("matching failed for %s", item_name(post))
                batch.errors.append(ItemError(item_name(post), f"query matching failed: {exc!r}"))
                batch.matches.append([])
        return batch
