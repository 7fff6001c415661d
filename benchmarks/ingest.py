"""Posts per second through the whole pipeline (JSONL import -> normalized,
deduped, enriched, matched against 100 queries, stored), on SQLite and
PostgreSQL, beside the raw insert rate of the same rows in the same run.

Target: at least 3,000 posts/s on SQLite on a 2-core machine.

    .venv/bin/python benchmarks/ingest.py [--posts 20000] [--queries 100]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from _common import generate_posts, generate_queries, pg_schema, write_jsonl

from hubbub.actions.ingest import _post_row
from hubbub.actions.queries import create_query
from hubbub.config import load_settings
from hubbub.pipeline.messages import PostBatch
from hubbub.pipeline.runner import Pipeline
from hubbub.post import utcnow
from hubbub.sources.files.connector import FileSource
from hubbub.sources.files.schema import record_to_post
from hubbub.store.db import open_engine
from hubbub.store.tables import posts as posts_table


def raw_insert_rate(
    settings_home: Path, url: str | None, records: list[dict[str, object]]
) -> float:
    """The same rows, inserted with plain executemany in batches: the floor the
    pipeline is compared against."""
    settings = load_settings(settings_home, database_url=url)
    engine = open_engine(settings)
    now = utcnow()
    rows = []
    for n, r in enumerate(records):
        post = record_to_post(r, item=str(n))
        post.ingested_at = now
        rows.append(_post_row(post))
    started = time.perf_counter()
    for i in range(0, len(rows), 500):
        with engine.begin() as conn:
            conn.execute(posts_table.insert(), rows[i : i + 500])
    elapsed = time.perf_counter() - started
    engine.dispose()
    return len(rows) / elapsed


def pipeline_rate(
    settings_home: Path, url: str | None, file: Path, queries: list[str]
) -> tuple[float, int]:
    settings = load_settings(settings_home, database_url=url)
    engine = open_engine(settings)
    for i, q in enumerate(queries):
        create_query(engine, f"q{i}", q, backfill=False)
    pipeline = Pipeline(engine, settings)
    source = FileSource({"path": str(file), "batch_size": settings.batch_size})
    stored = 0
    started = time.perf_counter()
    while True:
        batch = source.next_batch()
        stored += len(pipeline.ingest_posts(batch.posts, batch.errors).post_ids)
        if batch.done:
            break
    elapsed = time.perf_counter() - started
    engine.dispose()
    return stored / elapsed, stored


def parallel_rate(
    settings_home: Path, url: str | None, file: Path, queries: list[str]
) -> tuple[float, int]:
    """The same import on every core: workers for the pure stages, this process
    for near-duplicates and the store (what `hubbub import` does)."""
    from hubbub.pipeline.parallel import parallel_pipeline

    settings = load_settings(settings_home, database_url=url)
    engine = open_engine(settings)
    for i, q in enumerate(queries):
        create_query(engine, f"q{i}", q, backfill=False)
    source = FileSource({"path": str(file), "batch_size": settings.batch_size})
    with parallel_pipeline(engine, settings) as pipeline:
        started = time.perf_counter()
        while True:
            batch = source.next_batch()
            pipeline.submit(PostBatch(posts=batch.posts, errors=batch.errors))
            if batch.done:
                break
        pipeline.flush()
        elapsed = time.perf_counter() - started
        stored = sum(len(e.post_ids) for e in pipeline.stored)
    engine.dispose()
    return stored / elapsed, stored


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=20_000)
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--skip-pg", action="store_true")
    args = ap.parse_args()
    records = generate_posts(args.posts)
    queries = generate_queries(args.queries)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        file = root / "posts.jsonl"
        write_jsonl(file, records)
        print(f"{args.posts:,} generated posts, {args.queries} queries")
        print(
            f"{'store':<12}{'raw insert/s':>14}{'pipeline/s':>12}{'pipeline/raw':>14}"
            f"{'all cores/s':>13}{'all cores/raw':>15}"
        )
        targets = [("sqlite", None)]
        if not args.skip_pg:
            targets.append(("postgresql", "pg"))
        for name, kind in targets:
            if kind is None:
                raw = raw_insert_rate(root / "raw-sqlite", None, records)
                rate, stored = pipeline_rate(root / "pipe-sqlite", None, file, queries)
                par, par_stored = parallel_rate(root / "par-sqlite", None, file, queries)
            else:
                with pg_schema() as url_raw:
                    raw = raw_insert_rate(root / "raw-pg", url_raw, records)
                with pg_schema() as url_pipe:
                    rate, stored = pipeline_rate(root / "pipe-pg", url_pipe, file, queries)
                with pg_schema() as url_par:
                    par, par_stored = parallel_rate(root / "par-pg", url_par, file, queries)
            assert stored == par_stored == args.posts, (
                f"stored {stored}/{par_stored} of {args.posts}"
            )
            print(
                f"{name:<12}{raw:>14,.0f}{rate:>12,.0f}{rate / raw:>14.2f}{par:>13,.0f}{par / raw:>15.2f}"
            )
    print("target: pipeline >= 3,000 posts/s on SQLite")


if __name__ == "__main__":
    main()
