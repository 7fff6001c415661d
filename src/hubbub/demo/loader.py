"""Loading the fictional demo corpus through the real pipeline, and setting
up the live demo (real sources, see ``hubbub.demo.live``).

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
from hubbub.actions.sources import add_source, remove_source
from hubbub.config import Settings
from hubbub.demo.live import HN_URL, JETSTREAM_URL, live_queries, live_sources
from hubbub.demo.people import setup_demo_people
from hubbub.pipeline.runner import Pipeline
from hubbub.post import Post, utcnow
from hubbub.sources.files.schema import record_to_post
from hubbub.store.tables import listening_queries, sources

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


def add_queries(engine: Engine, queries: list[dict[str, str]]) -> int:
    """Save the queries whose name is not taken yet; returns how many."""
    with engine.connect() as conn:
        existing = set(conn.execute(select(listening_queries.c.name)).scalars())
    added = 0
    for q in queries:
        if q["name"] not in existing:
            create_query(engine, q["name"], q["query"])
            added += 1
    return added


def load_demo(
    engine: Engine, settings: Settings, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    # people, teams and routing rules first: the corpus's matched posts open
    # conversations that land in the teams' queues as they are stored
    login = setup_demo_people(engine, settings.home)
    added = add_queries(engine, demo_queries())
    posts = demo_posts()
    pipeline = Pipeline(engine, settings)
    stored = skipped = 0
    for start in range(0, len(posts), BATCH):
        result = pipeline.ingest_posts(posts[start : start + BATCH])
        stored += len(result.post_ids)
        skipped += result.duplicates_skipped
        if progress:
            progress(min(start + BATCH, len(posts)), len(posts))
    return {"stored": stored, "skipped": skipped, "queries": added, "login": login}


def load_live_demo(
    engine: Engine,
    jetstream_url: str = JETSTREAM_URL,
    hn_url: str = HN_URL,
    appview_url: str | None = None,
) -> dict[str, Any]:
    """Save the live queries and the live sources; the runner does the rest.
    Running it again keeps the sources (and their cursors) unless their
    settings changed, e.g. another ``jetstream_url``."""
    added = add_queries(engine, live_queries())
    with engine.connect() as conn:
        existing = {r.name: r.settings for r in conn.execute(select(sources))}
    names = []
    for kind, name, wanted in live_sources(jetstream_url, hn_url, appview_url):
        if name in existing and existing[name] != wanted:
            remove_source(engine, name)
        if existing.get(name) != wanted:
            add_source(engine, kind, wanted, name=name)
        names.append(name)
    return {"queries": added, "sources": names}
