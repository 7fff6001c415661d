"""Cost of reading every source's health (lag, items per minute) as posts pile up.

Run: .venv/bin/python benchmarks/source_health.py [--quick] [--postgres]

Stores N posts spread over 20 sources and two days (plain inserts: the
pipeline is not what is measured), then times ``list_sources`` (what the
sources page, ``hubbub status`` and ``GET /api/v1/sources`` run) with the
``0002_source_health`` indexes, and again in the same run without them: the
baseline ratio says what the indexes buy.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, insert, text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import pg_schema

from hubbub.analytics.sources import list_sources
from hubbub.config import load_settings
from hubbub.post import utcnow
from hubbub.store.db import open_engine
from hubbub.store.tables import posts, sources

SOURCES = 20
INDEXES = ("ix_posts_source_created", "ix_posts_source_ingested")


def seed(engine: Engine, n: int) -> None:
    now = utcnow()
    with engine.begin() as conn:
        for i in range(SOURCES):
            conn.execute(
                insert(sources).values(
                    id=i + 1,
                    kind="rss",
                    name=f"feed {i}",
                    settings={"url": f"https://feed{i}.example/rss"},
                    enabled=True,
                    created_at=now,
                    consecutive_failures=0,
                    items_ingested=0,
                    items_rejected=0,
                    last_run_at=now,
                )
            )
    step = timedelta(days=2) / n
    for start in range(0, n, 10_000):
        rows = [
            {
                "platform": "bench",
                "external_id": str(k),
                "text": f"post {k}",
                "search_text": "",
                "created_at": now - step * k - timedelta(minutes=3),
                "ingested_at": now - step * k,
                "source_id": k % SOURCES + 1,
            }
            for k in range(start, min(n, start + 10_000))
        ]
        with engine.begin() as conn:
            conn.execute(insert(posts), rows)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))


def timed(engine: Engine, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        with engine.connect() as conn:
            found = list_sources(conn)
        times.append(time.perf_counter() - started)
    assert len(found) == SOURCES and all(s["health"]["lag_seconds"] for s in found)
    return statistics.median(times)


def measure(engine: Engine, n: int, runs: int, label: str) -> None:
    seed(engine, n)
    indexed = timed(engine, runs)
    with engine.begin() as conn:
        for name in INDEXES:
            conn.execute(text(f"DROP INDEX {name}"))
    unindexed = timed(engine, max(1, runs // 2))
    print(
        f"{label}: {n:,} posts, {SOURCES} sources: list_sources {indexed * 1000:.1f} ms "
        f"with the indexes, {unindexed * 1000:.1f} ms without "
        f"(baseline ratio {unindexed / indexed:.1f}x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="50,000 posts instead of 500,000")
    parser.add_argument("--postgres", action="store_true", help="also on PostgreSQL")
    args = parser.parse_args()
    n = 50_000 if args.quick else 500_000
    runs = 5
    with tempfile.TemporaryDirectory() as home:
        engine = open_engine(load_settings(home))
        measure(engine, n, runs, "SQLite")
        engine.dispose()
    if args.postgres:
        with pg_schema() as url:
            engine = open_engine(load_settings(tempfile.mkdtemp(), database_url=url))
            measure(engine, n, runs, "PostgreSQL")
            engine.dispose()


if __name__ == "__main__":
    main()
