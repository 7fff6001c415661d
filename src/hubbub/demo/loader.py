"""Loading the fictional demo corpus through the real pipeline.

The corpus's dates are shifted so its newest post is "now": the dashboard
always shows the last weeks, whenever the demo is started.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from typing import Any

from sqlalchemy import Engine, select

from hubbub.actions.queries import create_query
from hubbub.config import Settings
from hubbub.pipeline.runner import Pipeline
from hubbub.post import Post, utcnow
from hubbub.sources.files.schema import record_to_post
from hubbub.store.tables import listening_queries

BATCH = 250


def demo_queries() -> list[dict[str, str]]:
    data: list[dict[str, str]] = json.loads(
        (resources.files("hubbub.demo") / "queries.json").read_text("utf-8")
    )
    return data


def demo_posts() -> list[Post]:
    lines = (resources.files("hubbub.demo") / "corpus.jsonl").read_text("utf-8").splitlines()
    posts = [
        record_to_post(json.loads(line), item=f"corpus.jsonl line {n}", default_platform="demo")
        for n, line in enumerate(lines, 1)
        if line.strip()
    ]
    newest = max(p.created_at for p in posts if p.created_at)
    shift = utcnow() - newest
    for p in posts:
        if p.created_at:
            p.created_at += shift
    return posts


def load_demo(
    engine: Engine, settings: Settings, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    with engine.connect() as conn:
        existing = set(conn.execute(select(listening_queries.c.name)).scalars())
    added = 0
    for q in demo_queries():
        if q["name"] not in existing:
            create_query(engine, q["name"], q["query"])
            added += 1
    posts = demo_posts()
    pipeline = Pipeline(engine, settings)
    stored = skipped = 0
    for start in range(0, len(posts), BATCH):
        result = pipeline.ingest_posts(posts[start : start + BATCH])
        stored += len(result.post_ids)
        skipped += result.duplicates_skipped
        if progress:
            progress(min(start + BATCH, len(posts)), len(posts))
    return {"stored": stored, "skipped": skipped, "queries": added}
