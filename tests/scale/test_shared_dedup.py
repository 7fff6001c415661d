"""Near-duplicates across enrich workers: each worker's index learns what the
others stored (two EnrichStages with their own memory, one store)."""

from __future__ import annotations

from sqlalchemy import Engine, select

from hubbub.enrich.dedup import DedupEnricher
from hubbub.pipeline.messages import PostBatch
from hubbub.pipeline.stages import EnrichStage
from hubbub.post import Post, utcnow
from hubbub.store.tables import posts
from hubbub.workers.shared_dedup import SharedDedup
from hubbub.workers.store import store_once

TEXT = (
    "Acme Rocket Skates flash sale today only: forty percent off every pair, "
    "free shipping to every desert in the country, order now before they run out"
)


def worker(engine: Engine) -> tuple[EnrichStage, SharedDedup]:
    stage = EnrichStage([DedupEnricher()])
    stage.restore(engine)
    return stage, SharedDedup(engine, stage, every=0.0)


def enrich_and_store(engine: Engine, w: tuple[EnrichStage, SharedDedup], post: Post) -> Post:
    stage, shared = w
    shared.refresh()
    batch = stage(PostBatch(posts=[post]))
    shared.noted(batch)
    store_once(engine, batch)
    return batch.posts[0]


def test_a_near_duplicate_enriched_by_another_worker_is_found(engine: Engine) -> None:
    a, b = worker(engine), worker(engine)
    now = utcnow()
    first = enrich_and_store(
        engine, a, Post("mastodon", "1", TEXT, created_at=now, ingested_at=now)
    )
    assert first.enrichments["dedup"]["duplicate_of"] is None
    # worker b never saw post 1; it learns it from the store
    copy = enrich_and_store(
        engine, b, Post("bluesky", "2", TEXT + " !!", created_at=now, ingested_at=now)
    )
    assert copy.enrichments["dedup"]["duplicate_of"] == "mastodon:1"
    # and a learns b's posts, but not its own a second time
    assert a[1].refresh() == 1
    with engine.connect() as conn:
        dup_of = dict(conn.execute(select(posts.c.external_id, posts.c.duplicate_of)).all())
        ids = dict(conn.execute(select(posts.c.external_id, posts.c.id)).all())
    assert dup_of == {"1": None, "2": ids["1"]}
