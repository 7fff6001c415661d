"""Scale-out on NATS JetStream and PostgreSQL, with real `hubbub worker` processes.

1. Throughput: a backlog of posts published on hubbub.posts.ingested, drained
   by 1 and then by 2 worker processes (every stage in each; PostgreSQL in a
   schema of its own; our own nats-server). Same-run baseline: the in-process
   pipeline (no NATS) on the same posts. Target: 2 workers >= 1.7 x 1 worker.
2. Latency: posts published at a steady rate (default 500 posts/s in batches
   of 50) with 2 workers running, each post's time from publish to visible in
   the REST API (`hubbub serve --no-ingest`, polled). Target: p95 <= 2 s.

    .venv/bin/python benchmarks/scale.py [--posts 10000] [--rate 500] [--seconds 20]
        [--only throughput|latency]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from _common import generate_posts, generate_queries, pg_schema

from hubbub.actions.queries import create_query
from hubbub.config import Settings, load_settings
from hubbub.pipeline import messages as m
from hubbub.pipeline.messages import PostBatch
from hubbub.pipeline.runner import Pipeline
from hubbub.post import Post, utcnow
from hubbub.sources.files.schema import record_to_post
from hubbub.store.db import open_engine
from hubbub.testing import NATS_SERVER, free_port, wait_port
from hubbub.workers.publish import BatchPublisher
from hubbub.workers.topology import open_bus
from hubbub.workspace import api_token

BATCH = 500
CORES = os.cpu_count() or 1


@contextmanager
def nats_server(tmp: Path) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [NATS_SERVER, "-a", "127.0.0.1", "-p", str(port), "-js", "-sd", str(tmp / "js")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_port(port, timeout=30.0)
        yield f"nats://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(10)


@contextmanager
def workspace(tmp: Path, nats_url: str, queries: list[str]) -> Iterator[Settings]:
    with pg_schema() as url:
        home = tmp / f"home-{time.monotonic_ns()}"
        settings = load_settings(home, database_url=url, nats_url=nats_url or None)
        engine = open_engine(settings)
        for i, q in enumerate(queries):
            create_query(engine, f"q{i}", q)
        engine.dispose()
        yield settings


def env_for(settings: Settings) -> dict[str, str]:
    # the caller's other HUBBUB_* settings (e.g. HUBBUB_INTENT_ENABLED) apply to the workers too
    env = dict(os.environ)
    env.update(
        HUBBUB_HOME=str(settings.home),
        HUBBUB_DATABASE_URL=str(settings.database_url),
        HUBBUB_NATS_URL=str(settings.nats_url),
    )
    return env


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def cpu_by_program() -> dict[str, float]:
    """CPU seconds so far of every PostgreSQL and NATS server process on the
    machine, and of this benchmark's own process."""
    out = {"PostgreSQL": 0.0, "NATS": 0.0, "benchmark": cpu_seconds(os.getpid())}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            name = (proc / "comm").read_text().strip()
            if name in ("postgres", "nats-server"):
                out["PostgreSQL" if name == "postgres" else "NATS"] += cpu_seconds(int(proc.name))
        except (OSError, IndexError):
            continue  # gone meanwhile
    return out


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICK, sum(values) / TICK


@contextmanager
def workers(settings: Settings, count: int, log_dir: Path) -> Iterator[list[int]]:
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "hubbub", "worker", "--no-sources"],
            env=env_for(settings),
            stdout=open(log_dir / f"worker-{count}-{i}.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        for i in range(count)
    ]
    try:
        yield [p.pid for p in procs]
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(30)


def wait_stored(settings: Settings, n: int, timeout: float = 900.0) -> float:
    """When ``n`` posts are stored; one connection polls (a new one per poll
    would cost PostgreSQL a backend each time, inside the measured window)."""
    from sqlalchemy import func, select

    from hubbub.store.tables import posts

    count = select(func.count()).select_from(posts)
    engine = open_engine(settings, upgrade=False)
    deadline = time.monotonic() + timeout
    try:
        with engine.connect() as conn:
            while True:
                found = int(conn.execute(count).scalar_one())
                conn.rollback()  # a fresh snapshot for the next poll
                if found >= n:
                    return time.perf_counter()
                if time.monotonic() > deadline:
                    raise TimeoutError(f"only {found} of {n} posts stored after {timeout}s")
                time.sleep(0.2)
    finally:
        engine.dispose()


def batches_of(posts: list[Post], size: int) -> list[PostBatch]:
    return [PostBatch(posts=posts[i : i + size]) for i in range(0, len(posts), size)]


def to_posts(records: list[dict[str, object]], prefix: str) -> list[Post]:
    out = []
    for n, r in enumerate(records):
        post = record_to_post({**r, "id": f"{prefix}-{r['id']}"}, item=str(n))
        out.append(post)
    return out


@dataclass
class Run:
    posts_per_s: float
    per_worker_core_s: float  # posts per second of worker CPU
    machine_cores_busy: float  # cores of the whole machine in use, on average


def throughput(
    tmp: Path, nats_url: str, count: int, records: list[dict[str, object]], queries: list[str]
) -> Run:
    with workspace(tmp, nats_url, queries) as settings:
        bus = open_bus(settings)
        bus.purge()
        publisher = BatchPublisher(bus)
        try:
            with workers(settings, count, tmp) as pids:
                # warm-up: every worker has loaded its models and joined its consumers
                warm = to_posts(records[: BATCH * count * 2], "warm")
                for b in batches_of(warm, 50):
                    publisher.publish(m.INGESTED, b.to_message())
                wait_stored(settings, len(warm))
                posts = to_posts(records, f"run{count}")
                cpu_before = sum(cpu_seconds(pid) for pid in pids)
                others_before = cpu_by_program()
                busy_before = machine_busy()
                started = time.perf_counter()
                for b in batches_of(posts, BATCH):
                    publisher.publish(m.INGESTED, b.to_message())
                done = wait_stored(settings, len(warm) + len(posts))
                worker_cpu = sum(cpu_seconds(pid) for pid in pids) - cpu_before
                others = {k: v - others_before[k] for k, v in cpu_by_program().items()}
                busy_after = machine_busy()
        finally:
            bus.close()
    machine = (busy_after[0] - busy_before[0]) / (busy_after[1] - busy_before[1])
    per_core = len(records) / worker_cpu
    print(
        f"  {count} worker(s): {worker_cpu:.1f} worker CPU-seconds for {len(records):,} posts "
        f"= {per_core:,.0f} posts per worker core-second; "
        f"whole machine {machine:.0%} busy (all processes, PostgreSQL and NATS included)"
    )
    thousands = len(records) / 1000
    print(
        "    CPU-seconds per 1,000 posts: workers "
        f"{worker_cpu / thousands:.2f}, "
        + ", ".join(f"{k} {v / thousands:.2f}" for k, v in others.items())
        + " (publishing and polling)"
    )
    return Run(len(records) / (done - started), per_core, machine * CORES)


def in_process(tmp: Path, records: list[dict[str, object]], queries: list[str]) -> float:
    with workspace(tmp, "", queries) as settings:
        settings = settings.model_copy(update={"nats_url": None})
        engine = open_engine(settings)
        pipeline = Pipeline(engine, settings)
        pipeline.ingest_posts(to_posts(records[:BATCH], "warm"))
        posts = to_posts(records, "inline")
        started = time.perf_counter()
        for b in batches_of(posts, BATCH):
            pipeline.submit(b)
        elapsed = time.perf_counter() - started
        engine.dispose()
    return len(records) / elapsed


def latency(
    tmp: Path,
    nats_url: str,
    rate: int,
    seconds: float,
    records: list[dict[str, object]],
    queries: list[str],
) -> list[float]:
    per_batch = 50
    with workspace(tmp, nats_url, queries) as settings:
        bus = open_bus(settings)
        bus.purge()
        publisher = BatchPublisher(bus)
        port = free_port()
        serve = subprocess.Popen(
            [sys.executable, "-m", "hubbub", "serve", "--no-ingest", "--port", str(port)],
            env=env_for(settings),
            stdout=open(tmp / "serve.log", "wb"),  # noqa: SIM115
            stderr=subprocess.STDOUT,
        )
        published: dict[str, float] = {}
        seen: dict[str, float] = {}
        stop = threading.Event()

        created: dict[str, datetime] = {}

        def poll() -> None:
            # every post created since the oldest one not yet seen, page by page:
            # a batch stored late is found however many newer posts are visible
            headers = {"Authorization": f"Bearer {api_token(settings)}"}
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers) as http:
                while not stop.is_set():
                    unseen = [c for k, c in list(created.items()) if k not in seen]
                    if not unseen:
                        time.sleep(0.02)
                        continue
                    params: dict[str, str | int] = {
                        "platform": "latency",
                        "limit": 200,
                        "since": (min(unseen) - timedelta(seconds=1)).isoformat(),
                    }
                    while True:
                        page = http.get("/api/v1/posts", params=params)
                        page.raise_for_status()
                        now = time.perf_counter()
                        body = page.json()
                        for item in body["items"]:
                            seen.setdefault(item["external_id"], now)
                        if body["next_before_id"] is None:
                            break
                        params["before_id"] = body["next_before_id"]
                    time.sleep(0.05)

        try:
            wait_port(port, timeout=30.0)
            with workers(settings, 2, tmp):
                warm = to_posts(records[:2000], "warm")
                for b in batches_of(warm, per_batch):
                    publisher.publish(m.INGESTED, b.to_message())
                wait_stored(settings, len(warm))
                poller = threading.Thread(target=poll, daemon=True)
                poller.start()
                total = int(rate * seconds)
                interval = per_batch / rate
                next_at = time.perf_counter()
                for i in range(0, total, per_batch):
                    batch = []
                    for n, r in enumerate(records[i : i + per_batch]):
                        post = record_to_post(
                            {**r, "id": f"lat-{i + n}", "platform": "latency"}, item=str(n)
                        )
                        post.created_at = utcnow()
                        batch.append(post)
                    sent = time.perf_counter()
                    publisher.publish(m.INGESTED, PostBatch(posts=batch).to_message())
                    for p in batch:
                        published[p.external_id] = sent
                        assert p.created_at is not None
                        created[p.external_id] = p.created_at
                    next_at += interval
                    time.sleep(max(0.0, next_at - time.perf_counter()))
                behind = time.perf_counter() - next_at
                deadline = time.monotonic() + 60
                while len(seen) < len(published) and time.monotonic() < deadline:
                    time.sleep(0.2)
                stop.set()
                poller.join(5)
        finally:
            serve.terminate()
            serve.wait(30)
            bus.close()
    if behind > 1.0:
        print(f"  (the publisher fell {behind:.1f}s behind its schedule)")
    missing = len(published) - len(seen)
    if missing:
        print(f"  {missing} posts not visible within 60 s after the last publish")
    return sorted(seen[k] - published[k] for k in seen if k in published)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--rate", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--only", choices=["throughput", "latency"], default=None)
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    records = generate_posts(args.posts)
    queries = generate_queries(args.queries)
    print(
        f"{os.cpu_count()} CPUs; {args.posts:,} posts, {args.queries} queries, batches of {BATCH}"
    )
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        with nats_server(tmp) as url:
            if args.only != "latency":
                throughputs(tmp, url, records, queries)
            if args.only != "throughput":
                report_latency(tmp, url, args.rate, args.seconds, records, queries)


def throughputs(tmp: Path, url: str, records: list[dict[str, object]], queries: list[str]) -> None:
    inline = in_process(tmp, records, queries)
    print(f"in-process pipeline (baseline, no NATS): {inline:8,.0f} posts/s")
    one = throughput(tmp, url, 1, records, queries)
    print(
        f"1 worker process:                        {one.posts_per_s:8,.0f} posts/s "
        f"({one.posts_per_s / inline:.2f} x in-process)"
    )
    two = throughput(tmp, url, 2, records, queries)
    print(
        f"2 worker processes:                      {two.posts_per_s:8,.0f} posts/s "
        f"({two.posts_per_s / one.posts_per_s:.2f} x 1 worker; target >= 1.70)"
    )
    # PostgreSQL, NATS and this publisher share the cores with the workers: if
    # one worker's run kept C cores busy, two can use at most CORES of 2 x C
    ceiling = min(2.0, CORES / one.machine_cores_busy)
    print(
        f"  ceiling here: 1 worker's run kept {one.machine_cores_busy:.2f} of {CORES} cores busy, "
        f"so 2 workers can reach at most {ceiling:.2f} x; per worker core-second 2 workers did "
        f"{two.per_worker_core_s / one.per_worker_core_s:.2f} x what 1 did (1.00 = no loss "
        "from running side by side)"
    )


def report_latency(
    tmp: Path,
    url: str,
    rate: int,
    seconds: float,
    records: list[dict[str, object]],
    queries: list[str],
) -> None:
    times = latency(tmp, url, rate, seconds, records, queries)
    if not times:
        print("latency: no post became visible")
        return
    p50 = statistics.median(times)
    p95 = times[int(0.95 * (len(times) - 1))]
    print(
        f"latency at {rate} posts/s, 2 workers, publish -> API: p50 {p50:.2f}s  "
        f"p95 {p95:.2f}s  max {times[-1]:.2f}s over {len(times):,} posts (target p95 <= 2 s)"
    )


if __name__ == "__main__":
    main()
