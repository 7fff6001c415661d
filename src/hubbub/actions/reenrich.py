"""Re-running enrichers over stored posts.

After a model changes (`hubbub train intent`, another sentiment backend, a new
enricher version, a changed ``sentiment_languages``), new posts get the new
results at once but stored ones keep what they were given. This brings stored
posts up to date: their results are replaced (with the enricher's version),
the posts' sentiment columns follow, and their matches become what the matcher
now says, since queries read enrichments (``sentiment:``, ``intent:``), the
way an edit's matches are replaced. Conversations are not opened or moved:
routing acts on posts as they arrive, as it does for edits.

Enrichers that remember earlier posts (near-duplicates) are not re-run: their
answer depends on what came before each post, in arrival order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, delete, select, update

from hubbub.actions.edits import replace_matches
from hubbub.bus import Bus
from hubbub.enrich.base import Enricher
from hubbub.events import EVENTS_SUBJECT, QueryMatched
from hubbub.pipeline.messages import PostBatch
from hubbub.pipeline.normalize import item_name
from hubbub.pipeline.stages import EnrichStage, MatchStage
from hubbub.post import Post, utcnow
from hubbub.store.posts import load_posts
from hubbub.store.tables import enrichments, posts

Progress = Callable[[int, int], None]


class NotRerunnable(ValueError):
    """An enricher asked for by name that does not exist or cannot be re-run."""


@dataclass
class ReenrichReport:
    enrichers: list[str]
    posts: int = 0
    changed: dict[str, int] = field(default_factory=dict)  # enricher -> posts whose result changed
    matches_added: int = 0
    errors: list[str] = field(default_factory=list)


def rerunnable(available: Sequence[Enricher], names: Sequence[str] | None = None) -> list[Enricher]:
    """The enrichers to re-run, in the pipeline's order: ``names``, or every one
    that keeps no memory of earlier posts."""
    stateless = [e for e in available if not hasattr(e, "restore")]
    if not names:
        return stateless
    known = {e.name for e in available}
    unknown = sorted(set(names) - known)
    if unknown:
        raise NotRerunnable(
            f"no enricher named {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    stateful = sorted(set(names) - {e.name for e in stateless})
    if stateful:
        raise NotRerunnable(
            f"{', '.join(stateful)} cannot be re-run: its result depends on the posts that "
            "arrived before each one"
        )
    return [e for e in stateless if e.name in names]


def stored_post_ids(conn: Connection, since: datetime | None) -> list[int]:
    """Posts not deleted upstream, created at or after ``since``, oldest id first."""
    query = select(posts.c.id).where(posts.c.deleted_at.is_(None))
    if since is not None:
        query = query.where(posts.c.created_at >= since)
    return list(conn.execute(query.order_by(posts.c.id)).scalars())


def reenrich(
    engine: Engine,
    chosen: Sequence[Enricher],
    post_ids: Sequence[int],
    *,
    batch_size: int = 500,
    bus: Bus | None = None,
    progress: Progress | None = None,
) -> ReenrichReport:
    """Re-run ``chosen`` over ``post_ids``, one transaction per batch."""
    report = ReenrichReport([e.name for e in chosen])
    stage = EnrichStage(chosen)
    match = MatchStage(engine)
    for lo in range(0, len(post_ids), batch_size):
        with engine.connect() as conn:
            found = load_posts(conn, post_ids[lo : lo + batch_size], with_enrichments=True)
        batch = PostBatch(posts=found)
        # the old results out of the way, so a result after the stage is a new one
        before = [{n: p.enrichments.pop(n, None) for n in report.enrichers} for p in found]
        batch = match(stage(batch))
        report.errors += [f"{e.item}: {e.message}" for e in batch.errors]
        fresh = _fresh_results(batch.posts, before, report.changed)
        # a post the matcher failed on keeps its matches (replace_matches would drop them)
        unmatched = {e.item for e in batch.errors if "query matching failed" in e.message}
        rematched = [p for p in batch.posts if item_name(p) not in unmatched]
        added = _store(engine, batch, rematched, fresh, stage.versions)
        report.posts += len(batch.posts)
        report.matches_added += sum(len(ids) for ids in added.values())
        if bus is not None:
            for query_id, ids in added.items():
                event = QueryMatched(query_id=query_id, post_ids=ids)
                bus.publish(EVENTS_SUBJECT, event.to_message())
        if progress is not None:
            progress(min(lo + batch_size, len(post_ids)), len(post_ids))
    return report


def _fresh_results(
    found: Sequence[Post], before: Sequence[dict[str, Any]], changed: dict[str, int]
) -> list[tuple[int, str, Any]]:
    """(post id, enricher, result) of each result the stage produced; where an
    enricher failed, the stored result goes back on the post and stays stored."""
    fresh: list[tuple[int, str, Any]] = []
    for post, old in zip(found, before, strict=True):
        for name, value in old.items():
            if name not in post.enrichments:
                if value is not None:
                    post.enrichments[name] = value
                continue
            fresh.append((post.id or 0, name, post.enrichments[name]))
            changed[name] = changed.get(name, 0) + (value != post.enrichments[name])
    return fresh


def _store(
    engine: Engine,
    batch: PostBatch,
    rematched: Sequence[Post],
    fresh: Sequence[tuple[int, str, Any]],
    versions: dict[str, str],
) -> dict[int, list[int]]:
    """Replace the re-run results (post id, enricher, result) and the matches;
    returns query id -> new matches."""
    if not batch.posts:
        return {}
    with engine.begin() as conn:
        for name in sorted({n for _, n, _ in fresh}):
            ids = [pid for pid, n, _ in fresh if n == name]
            conn.execute(
                delete(enrichments).where(
                    enrichments.c.enricher == name, enrichments.c.post_id.in_(ids)
                )
            )
        if fresh:
            conn.execute(
                enrichments.insert(),
                [
                    {"post_id": pid, "enricher": n, "version": versions[n], "data": data}
                    for pid, n, data in fresh
                ],
            )
        if any(n == "sentiment" for _, n, _ in fresh):
            _update_sentiment_columns(conn, batch)
        edited = {p.key: p.id for p in rematched if p.id is not None}
        return replace_matches(conn, batch, edited, utcnow())


def _update_sentiment_columns(conn: Connection, batch: PostBatch) -> None:
    values: list[dict[str, Any]] = []
    for post in batch.posts:
        result = post.enrichments.get("sentiment") or {}
        values.append({"pid": post.id, "label": result.get("label"), "score": result.get("score")})
    conn.execute(
        update(posts)
        .where(posts.c.id == bindparam("pid"))
        .values(sentiment_label=bindparam("label"), sentiment_score=bindparam("score")),
        values,
    )
