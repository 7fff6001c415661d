"""Historical search latency: the newest 50 results of three-term boolean
queries over 1,000,000 stored posts, on SQLite and PostgreSQL, beside the raw
FTS5 ``MATCH`` / GIN ``@@`` query of the same terms (ORDER BY id DESC LIMIT 50)
in the same run.

Target: p95 of ``search()`` at most 50 ms on both databases.

    .venv/bin/python benchmarks/search.py [--posts 1000000] [--db sqlite|postgresql|both]
        [--runs 50] [--data-dir DIR]

The posts are built once per size and kept under ``--data-dir`` (a SQLite file
and a marker naming a PostgreSQL schema); without it they go to a temporary
directory and a temporary schema. Rows are bulk-inserted through the store's
own row builder (``actions.ingest._post_row`` with ``store.posts.search_text``).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from _common import PG_URL
from sqlalchemy import Engine, create_engine, func, select, text

from hubbub.actions.ingest import _post_row
from hubbub.config import Settings, load_settings
from hubbub.listening.parser import parse
from hubbub.listening.search import search
from hubbub.post import Post
from hubbub.store.db import is_initialized, migrate, open_engine
from hubbub.store.posts import search_text
from hubbub.store.tables import posts as posts_table

# (listening query, the same terms as raw FTS5, the same terms as raw tsquery)
QUERIES = [
    (
        '(acme OR "acme cloud") AND outage NOT jobs',
        '(acme OR "acme cloud") AND outage NOT jobs',
        "('acme' | 'acme' <-> 'cloud') & 'outage' & !'jobs'",
    ),
    (
        "(globex OR #globex) AND refund NOT giveaway",
        '(globex OR "#globex") AND refund NOT giveaway',
        "('globex' | '#globex') & 'refund' & !'giveaway'",
    ),
    (
        '"initech router" AND crash* NOT sale',
        '"initech router" AND crash* NOT sale',
        "('initech' <-> 'router') & 'crash':* & !'sale'",
    ),
    (
        "(love OR great) AND app NOT acme",
        "(love OR great) AND app NOT acme",
        "('love' | 'great') & 'app' & !'acme'",
    ),
    (
        "wonka AND (outage OR broken) NOT refund",
        "wonka AND (outage OR broken) NOT refund",
        "'wonka' & ('outage' | 'broken') & !'refund'",
    ),
    (
        "tyrell AND hiring NOT jobs",
        "tyrell AND hiring NOT jobs",
        "'tyrell' & 'hiring' & !'jobs'",
    ),
]

BRANDS = ["acme"] * 8 + ["globex"] * 5 + ["initech"] * 3 + ["hooli", "umbrella", "wonka", "tyrell"]
PRODUCTS = ["cloud", "router", "phone", "app", "kettle", "drone", "watch", "api", "console", "bank"]
TOPICS = [
    "outage",
    "refund",
    "crash",
    "crashes",
    "crashed",
    "broken",
    "jobs",
    "hiring",
    "sale",
    "giveaway",
    "update",
    "battery",
    "support",
    "review",
    "launch",
    "pricing",
]
OPENERS = [
    "Is {b} down for anyone else?",
    "Really disappointed with the {b} {p}.",
    "Loving the new {b} {p}!",
    "Thinking about buying the {b} {p}, any {t} stories?",
    "Why does the {b} {p} keep failing",
    "Shoutout to the team behind the {b} {p}",
    "Honest review of the {b} {p}:",
    "{B} {p} {t} again",
    "Big news from #{b} today",
    "RT @{b}: {t} update for the {p}",
]
COMMON = (
    "the a to and of i it is in that you for this on was with my but have be just so not "
    "like are at they if what can get all your out about one do up me we or when will new "
    "love great today really best why how service customer order shipping price deal app "
    "worst time people good bad never again thanks please help still waiting day week"
).split()
EMOJI = ["😀", "😡", "👍", "🔥", "🚀"]


def generate_rows(n: int, seed: int = 5) -> Iterator[dict[str, Any]]:
    """``n`` realistic posts as store rows, oldest first; created_at mostly
    follows arrival, with jitter and a few backfilled (older) posts."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    ingested = start + timedelta(days=400)
    for i in range(n):
        brand, product, topic = rng.choice(BRANDS), rng.choice(PRODUCTS), rng.choice(TOPICS)
        opener = rng.choice(OPENERS).format(b=brand, B=brand.title(), p=product, t=topic)
        words = [rng.choice(COMMON) for _ in range(rng.randint(3, 30))]
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words) + 1), rng.choice(TOPICS))
        if rng.random() < 0.15:
            words.append(rng.choice(EMOJI))
        if rng.random() < 0.1:
            words.append(f"https://www.{brand}.com/{product}/{i}")
        created = start + timedelta(seconds=i * 30 - rng.randint(0, 600))
        if rng.random() < 0.01:  # a backfilled post, much older than its id says
            created -= timedelta(days=rng.randint(1, 60))
        post = Post(
            platform=rng.choice(["bluesky", "mastodon", "reddit", "hackernews", "rss"]),
            external_id=str(i),
            text=f"{opener} {' '.join(words)}",
            author_handle=f"user{rng.randint(1, 50_000)}",
            author_followers=rng.randint(0, 20_000),
            language="en",
            created_at=created,
            ingested_at=ingested,
        )
        yield _post_row(post, search_text(post))


def build(engine: Engine, n: int) -> None:
    """Bulk-insert ``n`` posts (in batches of 5,000) unless they are there already."""
    with engine.connect() as conn:
        have = conn.execute(select(func.count()).select_from(posts_table)).scalar_one()
    if have == n:
        return
    if have:
        raise SystemExit(f"{engine.url} holds {have:,} posts, not {n:,}: use another --data-dir")
    started = time.perf_counter()
    batch: list[dict[str, Any]] = []
    done = 0
    for row in generate_rows(n):
        batch.append(row)
        if len(batch) == 5_000:
            with engine.begin() as conn:
                conn.execute(posts_table.insert(), batch)
            done += len(batch)
            batch = []
            if done % 100_000 == 0:
                print(
                    f"  {done:,} posts stored ({time.perf_counter() - started:.0f} s)", flush=True
                )
    if batch:
        with engine.begin() as conn:
            conn.execute(posts_table.insert(), batch)
    # what a live store gets from its own upkeep: merged FTS5 segments /
    # autovacuum (which also empties the GIN pending list), fresh statistics
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO posts_fts(posts_fts) VALUES ('optimize')")
            conn.exec_driver_sql("ANALYZE")
    else:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE posts")
    print(f"  built {n:,} posts in {time.perf_counter() - started:.0f} s", flush=True)


def timings(run: Callable[[], object], runs: int) -> tuple[list[float], object]:
    result = run()  # warm the cache once, like a server that has been up for a while
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        out.append((time.perf_counter() - started) * 1000)
    return out, result


def p95(ms: list[float]) -> float:
    return statistics.quantiles(ms, n=20, method="inclusive")[-1]


def measure(engine: Engine, runs: int) -> list[float]:
    print(
        f"  {'query':<46} {'hits':>4} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}"
        f" {'raw p50':>8} {'raw p95':>8} {'p95 ratio':>9}"
    )
    sqlite = engine.dialect.name == "sqlite"
    raw_sql = text(
        "SELECT rowid FROM posts_fts WHERE posts_fts MATCH :q ORDER BY rowid DESC LIMIT 50"
        if sqlite
        else "SELECT id FROM posts WHERE search_tsv @@ CAST(:q AS tsquery) ORDER BY id DESC LIMIT 50"
    )
    worst: list[float] = []
    with engine.connect() as conn:
        for query, fts5, tsquery in QUERIES:
            node = parse(query)
            ours, hits = timings(lambda node=node: search(conn, node, limit=50), runs)
            raw_q = fts5 if sqlite else tsquery
            raw, _ = timings(lambda q=raw_q: conn.execute(raw_sql, {"q": q}).all(), runs)
            found = len(hits) if isinstance(hits, list) else 0
            print(
                f"  {query:<46} {found:>4} {statistics.median(ours):>7.1f} {p95(ours):>7.1f}"
                f" {max(ours):>7.1f} {statistics.median(raw):>8.1f} {p95(raw):>8.1f}"
                f" {p95(ours) / max(p95(raw), 0.001):>9.1f}"
            )
            worst.append(p95(ours))
    return worst


def store_engine(settings: Settings) -> Engine:
    """The benchmark store: migrated when new, reused as it is when cached (a
    later migration is not applied: delete --data-dir after schema changes)."""
    engine = open_engine(settings, upgrade=False)
    if not is_initialized(engine):
        migrate(engine)
    return engine


def pg_engine(schema: str, home: Path) -> Engine:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
    admin.dispose()
    settings = load_settings(home, database_url=f"{PG_URL}?options=-csearch_path%3D{schema}")
    return store_engine(settings)


def drop_schema(schema: str) -> None:
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


def main() -> None:
    args = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    args.add_argument("--posts", type=int, default=1_000_000)
    args.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    args.add_argument("--runs", type=int, default=50, help="timed runs per query")
    args.add_argument("--data-dir", type=Path, help="keep the built posts here for later runs")
    opts = args.parse_args()
    keep = opts.data_dir is not None
    data_dir = opts.data_dir or Path(tempfile.mkdtemp(prefix="hubbub-search-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    print(f"{opts.posts:,} posts, {opts.runs} timed runs per query, newest 50 results")
    try:
        results = run(opts, data_dir, keep)
    finally:
        if not keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    for name, worst in results.items():
        verdict = "meets" if worst <= 50 else "MISSES"
        print(f"{name}: worst p95 {worst:.1f} ms ({verdict} the 50 ms target)")


def run(opts: argparse.Namespace, data_dir: Path, keep: bool) -> dict[str, float]:
    """Worst p95 per database."""
    results: dict[str, float] = {}
    if opts.db in ("sqlite", "both"):
        print("SQLite (FTS5):")
        home = data_dir / f"sqlite-{opts.posts}"
        engine = store_engine(load_settings(home))
        build(engine, opts.posts)
        results["SQLite"] = max(measure(engine, opts.runs))
        engine.dispose()
    if opts.db in ("postgresql", "both"):
        print("PostgreSQL (GIN):")
        marker = data_dir / f"postgresql-{opts.posts}.schema"
        schema = (
            marker.read_text().strip()
            if marker.exists()
            else f"bench_search_{time.time_ns() % 10**9}"
        )
        marker.write_text(schema)
        engine = pg_engine(schema, data_dir / "postgresql-home")
        try:
            build(engine, opts.posts)
            results["PostgreSQL"] = max(measure(engine, opts.runs))
        finally:
            engine.dispose()
            if not keep:
                drop_schema(schema)
                marker.unlink()
    return results


if __name__ == "__main__":
    main()
