"""People's corrections of a post's intents.

A correction is kept in ``intent_corrections`` (who, when, which labels) and
replaces the model's result on the post: the ``intents`` enrichment becomes
``{"labels": [...], "scores": {label: 1.0}, "model": "human"}``. Queries that
filter on ``intent:`` are re-matched against the post at once, so the query's
mentions agree with the correction. ``hubbub train intent --corrections``
reads the latest correction of every post back as training data.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select

from hubbub.bus.base import Bus
from hubbub.enrich.intent import ENRICHER, HUMAN, LABELS, OTHER, post_text
from hubbub.events import EVENTS_SUBJECT, IntentsCorrected, QueryMatched
from hubbub.listening.ast import Filter
from hubbub.listening.errors import QuerySyntaxError
from hubbub.listening.matcher import compile_query
from hubbub.listening.parser import parse
from hubbub.post import utcnow
from hubbub.store.posts import dialect_insert, load_posts
from hubbub.store.tables import enrichments, intent_corrections, listening_queries, matches, posts

MAX_BY_CHARS = 200


class PostNotFound(LookupError):
    pass


class InvalidIntents(ValueError):
    pass


def validate_labels(labels: Iterable[str]) -> list[str]:
    """Known labels, each once, in the model's order; ``other`` only alone."""
    given = [str(label).strip() for label in labels]
    unknown = sorted({label for label in given if label not in LABELS})
    if unknown:
        raise InvalidIntents(f"unknown intent(s) {', '.join(unknown)}; known: {', '.join(LABELS)}")
    chosen = [label for label in LABELS if label in given]
    if not chosen:
        raise InvalidIntents(f"give at least one intent (use '{OTHER}' for none of the others)")
    if OTHER in chosen and len(chosen) > 1:
        raise InvalidIntents(f"'{OTHER}' means none of the others: give it alone")
    return chosen


def human_result(labels: list[str]) -> dict[str, Any]:
    """The ``intents`` enrichment of a corrected post (same shape as the model's)."""
    return {"labels": labels, "scores": dict.fromkeys(labels, 1.0), "model": HUMAN}


def correct_intents(
    engine: Engine,
    post_id: int,
    labels: Iterable[str],
    *,
    corrected_by: str,
    bus: Bus | None = None,
) -> IntentsCorrected:
    """Store a correction, put it on the post, and re-match ``intent:`` queries.
    Raises InvalidIntents (nothing stored) or PostNotFound."""
    chosen = validate_labels(labels)
    who = (corrected_by or "unknown")[:MAX_BY_CHARS]
    now = utcnow()
    with engine.begin() as conn:
        if conn.execute(select(posts.c.id).where(posts.c.id == post_id)).first() is None:
            raise PostNotFound(f"no post {post_id}")
        conn.execute(
            intent_corrections.insert().values(
                post_id=post_id, labels=chosen, corrected_by=who, created_at=now
            )
        )
        data = human_result(chosen)
        upsert = dialect_insert(conn, enrichments).values(
            post_id=post_id, enricher=ENRICHER, version=HUMAN, data=data
        )
        conn.execute(
            upsert.on_conflict_do_update(
                index_elements=["post_id", "enricher"], set_={"version": HUMAN, "data": data}
            )
        )
        newly_matched = _rematch_intent_queries(conn, post_id, now)
    event = IntentsCorrected(post_id=post_id, labels=chosen, corrected_by=who)
    if bus is not None:
        bus.publish(EVENTS_SUBJECT, event.to_message())
        for query_id in newly_matched:
            bus.publish(
                EVENTS_SUBJECT, QueryMatched(query_id=query_id, post_ids=[post_id]).to_message()
            )
    return event


def _mentions_intent(node: Any) -> bool:
    if isinstance(node, Filter):
        return node.name == "intent"
    children = [getattr(node, name, None) for name in ("child", "left", "right")]
    children.extend(getattr(node, "children", ()) or ())
    return any(_mentions_intent(c) for c in children if c is not None)


def _rematch_intent_queries(conn: Connection, post_id: int, now: Any) -> list[int]:
    """Add or drop the post's matches of enabled queries that use ``intent:``;
    returns the queries it newly matches. Other queries cannot change."""
    [post] = load_posts(conn, [post_id], with_enrichments=True)
    current = {
        r.query_id
        for r in conn.execute(select(matches.c.query_id).where(matches.c.post_id == post_id))
    }
    newly: list[int] = []
    rows = conn.execute(
        select(listening_queries.c.id, listening_queries.c.query).where(
            listening_queries.c.enabled.is_(True)
        )
    )
    for row in rows:
        try:
            node = parse(row.query)
        except QuerySyntaxError:
            continue  # saved queries are checked on save; an old one may no longer parse
        if not _mentions_intent(node):
            continue
        hit = compile_query(node).matches(post)
        if hit and row.id not in current:
            conn.execute(
                dialect_insert(conn, matches)
                .values(query_id=row.id, post_id=post_id, matched_at=now)
                .on_conflict_do_nothing(index_elements=["query_id", "post_id"])
            )
            newly.append(row.id)
        elif not hit and row.id in current:
            conn.execute(
                delete(matches).where(matches.c.query_id == row.id, matches.c.post_id == post_id)
            )
    return newly


def corrected_examples(conn: Connection) -> list[tuple[str, list[str]]]:
    """(post text, labels) of the latest correction of every corrected post."""
    latest = select(func.max(intent_corrections.c.id)).group_by(intent_corrections.c.post_id)
    rows = conn.execute(
        select(intent_corrections.c.post_id, intent_corrections.c.labels)
        .where(intent_corrections.c.id.in_(latest))
        .order_by(intent_corrections.c.post_id)
    ).all()
    texts = {p.id: post_text(p) for p in load_posts(conn, [r.post_id for r in rows])}
    return [(texts[r.post_id], list(r.labels)) for r in rows if r.post_id in texts]


def corrections_for(conn: Connection, post_id: int) -> list[dict[str, Any]]:
    """A post's corrections, newest first."""
    rows = conn.execute(
        select(intent_corrections)
        .where(intent_corrections.c.post_id == post_id)
        .order_by(intent_corrections.c.id.desc())
    )
    return [
        {
            "labels": list(r.labels),
            "corrected_by": r.corrected_by,
            # SQLite hands back naive datetimes; everything in Hubbub is UTC
            "created_at": r.created_at if r.created_at.tzinfo else r.created_at.replace(tzinfo=UTC),
        }
        for r in rows
    ]
