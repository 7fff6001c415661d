"""Query preview and backfill over stored posts, beside same-run baselines.

Preview: ``preview()`` (count in a 30-day window, per-day counts, 10 highlighted
samples) for a few queries, against the raw full-text count of the same
window (FTS5 ``MATCH`` / GIN ``@@`` with a created_at condition: candidates
only, no exact confirmation), which is the floor.

Backfill: ``backfill_query()`` throughput (posts/s, with progress written to
the query row every chunk), against reading the same rows as Posts without
matching or writing (the floor).

    .venv/bin/python benchmarks/query_preview.py [--posts 200000] [--db sqlite|postgresql|both]
        [--runs 5]

Posts are generated and bulk-inserted as in benchmarks/search.py.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from search import build, drop_schema, pg_engine
from sqlalchemy import Engine, func, select, text

from hubbub.actions.queries import backfill_query, create_query
from hubbub.analytics.query_preview import preview
from hubbub.config import load_settings
from hubbub.listening.parser import parse
from hubbub.listening.search import to_fts5, to_tsquery
from hubbub.store.db import open_engine
from hubbub.store.posts import POST_COLUMNS, row_to_post
from hubbub.store.tables import posts

QUERIES = [
    "(acme OR #acme) AND (outage OR broken) NOT jobs",
    "globex NEAR/3 refund",
    '"initech router" OR crash*',
    "love AND app",
]


def _ms(run: object, runs: int) -> list[float]:
    assert callable(run)
    run()  # warm
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        out.append((time.perf_counter() - started) * 1000)
    return out


def measure_preview(engine: Engine, runs: int) -> None:
    with engine.connect() as conn:
        newest = conn.execute(select(func.max(posts.c.created_at))).scalar_one()
        since = newest - timedelta(days=30)
        sqlite = engine.dialect.name == "sqlite"
        raw = text(
            "SELECT count(*) FROM posts WHERE created_at >= :since AND id IN "
            "(SELECT rowid FROM posts_fts WHERE posts_fts MATCH :q)"
            if sqlite
            else "SELECT count(*) FROM posts WHERE created_at >= :since "
            "AND search_tsv @@ CAST(:q AS tsquery)"
        )
        print(
            f"  {'query':<48} {'count':>6} {'p50 ms':>7} {'raw cands':>9} {'raw ms':>7} {'ratio':>6}"
        )
        for query in QUERIES:
            node = parse(query)
            fts = to_fts5(node) if sqlite else to_tsquery(node)
            result = preview(conn, node, since=since, limit=10, now=newest)
            ours = _ms(lambda n=node: preview(conn, n, since=since, limit=10, now=newest), runs)
            floor = _ms(lambda q=fts: conn.execute(raw, {"since": since, "q": q}).scalar(), runs)
            candidates = conn.execute(raw, {"since": since, "q": fts}).scalar()
            ratio = statistics.median(ours) / max(statistics.median(floor), 0.001)
            print(
                f"  {query:<48} {result.count:>6} {statistics.median(ours):>7.1f}"
                f" {candidates:>9} {statistics.median(floor):>7.1f} {ratio:>6.1f}"
            )


def measure_backfill(engine: Engine, n: int) -> None:
    started = time.perf_counter()
    with engine.connect() as conn:
        last = 0
        while True:
            rows = conn.execute(
                select(*POST_COLUMNS).where(posts.c.id > last).order_by(posts.c.id).limit(2000)
            ).all()
            if not rows:
                break
            for r in rows:
                row_to_post(r)
            last = rows[-1].id
    floor = time.perf_counter() - started
    query_id = create_query(engine, f"bench {time.time_ns()}", QUERIES[0], backfill=False)
    started = time.perf_counter()
    matched = backfill_query(engine, query_id)
    ours = time.perf_counter() - started
    print(
        f"  backfill of {QUERIES[0]!r}: {matched:,} matches, {n / ours:,.0f} posts/s;"
        f" reading the rows alone {n / floor:,.0f} posts/s; time ratio {ours / floor:.1f}"
    )


def main() -> None:
    args = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    args.add_argument("--posts", type=int, default=200_000)
    args.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    args.add_argument("--runs", type=int, default=5, help="timed runs per query")
    opts = args.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="hubbub-preview-"))
    print(f"{opts.posts:,} posts; preview of a 30-day window, {opts.runs} timed runs per query")
    if opts.db in ("sqlite", "both"):
        print("SQLite (FTS5):")
        engine = open_engine(load_settings(data_dir / "sqlite"))
        build(engine, opts.posts)
        measure_preview(engine, opts.runs)
        measure_backfill(engine, opts.posts)
        engine.dispose()
    if opts.db in ("postgresql", "both"):
        print("PostgreSQL (GIN):")
        schema = f"bench_preview_{time.time_ns() % 10**9}"
        engine = pg_engine(schema)
        try:
            build(engine, opts.posts)
            measure_preview(engine, opts.runs)
            measure_backfill(engine, opts.posts)
        finally:
            engine.dispose()
            drop_schema(schema)


if __name__ == "__main__":
    main()
