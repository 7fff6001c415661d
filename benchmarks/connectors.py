"""Jetstream events per second: a local replay server (its own process) feeding
the real ``bluesky`` connector, measured four ways in the same run:

- raw:       a bare WebSocket client reading frames (and unzstd-ing them with
             --zstd): the transport floor the others are compared against;
- connector: the connector's reader thread parsing events into Posts, drained
             with ``next_batch`` and thrown away (no store);
- pipeline:  the connector configured as a source in a temporary SQLite
             workspace with the demo and live-demo queries, run by the real
             SourceRunner through normalize, dedupe, enrich, match and store,
             from the first event received until the last event's cursor is
             stored with its batch. The enrichers' models are loaded before
             the clock starts (once per process, ~1 s, not a per-event cost);
- every core: the same, with the SourceRunner feeding ParallelPipeline (worker
             processes for the pure stages, as `hubbub import` uses).

Rates are events per wall-clock second, and per CPU second of this process
(the steadier figure on a shared machine; the server and the workers of the
every-core run are other processes). ``--profile`` prints where the
one-process pipeline spends its time.

Events: the recorded capture in ../shared (when present) then generated events
in the Jetstream v1 format (post creates, updates, deletes, identity and
account events, ~15% commits of other collections), with rising ``time_us``.

Target: at least 2,000 events/s into the pipeline on the 2-core machine.
The workspace settings come from HUBBUB_* variables as usual, so e.g.
HUBBUB_INTENT_ENABLED=false measures the pipeline without that enricher.

    .venv/bin/python benchmarks/connectors.py [--events 20000] [--zstd] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import zstandard
from sqlalchemy import Engine, func, select
from websockets.sync.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from hubbub.actions.queries import create_query
from hubbub.actions.sources import add_source
from hubbub.config import load_settings
from hubbub.demo.live import live_queries
from hubbub.demo.loader import demo_queries
from hubbub.pipeline.messages import PostBatch
from hubbub.pipeline.parallel import ParallelPipeline
from hubbub.pipeline.runner import Pipeline, SourceRunner
from hubbub.post import Post
from hubbub.sources.bluesky.connector import MAX_FRAME_BYTES, BlueskySource
from hubbub.store.db import open_engine
from hubbub.store.tables import posts, sources
from servers.jetstream import POST, load_events, restamp, synthetic_events

ROOT = Path(__file__).resolve().parents[1]
CAPTURE = ROOT.parent / "shared" / "fixtures" / "bluesky" / "jetstream_v1_capture.jsonl"
SERVER = ROOT / "tests" / "servers" / "jetstream.py"
START_US = 1_783_175_888_000_000
IDLE = 0.005  # seconds to wait when the connector has nothing queued
TIMEOUT = 600.0


def build_events(n: int) -> list[dict[str, Any]]:
    """The capture first (when present), then generated events: ``n`` in all."""
    captured = load_events(CAPTURE)[:n] if CAPTURE.exists() else []
    generated = synthetic_events(n - len(captured), start_us=START_US)
    return restamp(captured + generated, START_US)


def start_server(file: Path, zstd: bool) -> tuple[subprocess.Popen[str], str]:
    args = [sys.executable, str(SERVER), str(file), *(["--compress"] if zstd else [])]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    url = proc.stdout.readline().strip()
    if not url.startswith("ws://"):
        proc.kill()
        raise SystemExit(f"the replay server did not start (said {url!r})")
    return proc, url


class Clock:
    """Wall time, and this process's CPU time (every thread; not the server's):
    on a shared machine the CPU figure is the steadier one."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def stop(self) -> Clock:
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu
        return self


def bluesky_settings(url: str, zstd: bool) -> dict[str, Any]:
    settings: dict[str, Any] = {"url": url, "compress": zstd}
    if any(s["name"] == "resolve_handles" for s in BlueskySource.settings_help()):
        # Handles come from identity events here: no AppView on 127.0.0.1 to ask.
        settings["resolve_handles"] = False
    return settings


def raw_rate(url: str, n: int, zstd: bool) -> Clock:
    """A client that only reads (and decompresses) the frames."""
    params = [("wantedCollections", POST), *([("compress", "true")] if zstd else [])]
    decompressor = zstandard.ZstdDecompressor() if zstd else None
    clock = Clock()
    with connect(f"{url}/subscribe?{urlencode(params)}", max_size=MAX_FRAME_BYTES) as ws:
        for _ in range(n):
            frame = ws.recv()
            if decompressor is not None and isinstance(frame, bytes):
                decompressor.decompressobj().decompress(frame)
    return clock.stop()


def connector_rate(url: str, last_us: int, zstd: bool) -> tuple[Clock, int]:
    """The connector parsing events into Posts; how many Posts."""
    source = BlueskySource(bluesky_settings(url, zstd))
    made = 0
    clock = Clock()
    try:
        while source.snapshot().get("time_us") != last_us:
            batch = source.next_batch()
            made += len(batch.posts)
            if not batch.posts and not batch.errors:
                _check(clock)
                time.sleep(IDLE)
        clock.stop()
    finally:
        source.close()
    return clock, made


def pipeline_rate(
    home: Path, url: str, last_us: int, zstd: bool, profile: bool, parallel: bool = False
) -> tuple[Clock, int, dict[str, str]]:
    """From the first event received to the last one's cursor stored; Bluesky
    posts stored; the enrichers run (name: version). ``parallel``: the
    pipeline on every core (worker processes, as `hubbub import` runs it)."""
    settings = load_settings(home)
    engine = open_engine(settings)
    for q in demo_queries() + live_queries():
        create_query(engine, q["name"], q["query"], backfill=False)
    source_id = add_source(engine, "bluesky", bluesky_settings(url, zstd), name="bench")
    pipeline: Pipeline | ParallelPipeline
    if parallel:
        pipeline = ParallelPipeline(engine, settings)
        # SourceRunner reads the pipeline's settings, which ParallelPipeline does not keep
        pipeline.settings = settings  # type: ignore[attr-defined]
        enrichers = Pipeline(engine, settings, stages=()).enrich.versions
        for i in range(pipeline.workers):  # every worker loads its models now
            pipeline.submit(PostBatch(posts=[_warm_up(i)]))
        pipeline.flush()
    else:
        pipeline = Pipeline(engine, settings)
        enrichers = pipeline.enrich.versions
        pipeline.enrich(PostBatch(posts=[_warm_up(0)]))
    runner = SourceRunner(engine, pipeline)  # type: ignore[arg-type]  # the same interface
    profiler = cProfile.Profile() if profile and not parallel else None
    clock = Clock()
    try:
        if profiler:
            profiler.enable()
        while True:
            with engine.connect() as conn:
                row = conn.execute(select(sources).where(sources.c.id == source_id)).one()
            if (row.cursor or {}).get("time_us") == last_us:
                break
            if row.last_error:
                raise SystemExit(f"the source failed: {row.last_error}")
            runner.run_source(row)
            pipeline.flush()
            if row.cursor == _cursor(engine, source_id):
                _check(clock)
                time.sleep(IDLE)
        clock.stop()
        if profiler:
            profiler.disable()
    finally:
        runner.close()
        pipeline.close()
    with engine.connect() as conn:
        stored = conn.execute(
            select(func.count()).select_from(posts).where(posts.c.platform == "bluesky")
        ).scalar_one()
    engine.dispose()
    if profiler:
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
        print(out.getvalue())
    return clock, stored, enrichers


def _warm_up(n: int) -> Post:
    return Post(platform="warm-up", external_id=str(n), text=f"Warm up number {n}")


def _cursor(engine: Engine, source_id: int) -> Any:
    with engine.connect() as conn:
        return conn.execute(select(sources.c.cursor).where(sources.c.id == source_id)).scalar()


def _check(clock: Clock) -> None:
    if time.perf_counter() - clock.wall > TIMEOUT:
        raise SystemExit(f"gave up after {TIMEOUT:.0f}s: the last event never arrived")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=20_000)
    ap.add_argument("--zstd", action="store_true", help="dictionary-less zstd frames")
    ap.add_argument("--profile", action="store_true", help="cProfile the pipeline run")
    args = ap.parse_args()
    events = build_events(args.events)
    n = len(events)
    post_events = sum(
        1 for e in events if e.get("kind") == "commit" and e["commit"].get("collection") == POST
    )
    last_us = events[-1]["time_us"]
    with tempfile.TemporaryDirectory() as tmp:
        file = Path(tmp) / "events.jsonl"
        file.write_text("".join(json.dumps(e) + "\n" for e in events), encoding="utf-8")
        proc, url = start_server(file, args.zstd)
        try:
            raw = raw_rate(url, n, args.zstd)
            alone, made = connector_rate(url, last_us, args.zstd)
            piped, stored, enrichers = pipeline_rate(
                Path(tmp) / "home", url, last_us, args.zstd, args.profile
            )
            every_core, stored_on_every_core, _ = pipeline_rate(
                Path(tmp) / "home-parallel", url, last_us, args.zstd, False, parallel=True
            )
        finally:
            assert proc.stdin is not None
            proc.stdin.close()
            proc.wait(timeout=10)
    captured = min(n, sum(1 for _ in CAPTURE.open())) if CAPTURE.exists() else 0
    print(
        f"{n:,} Jetstream events ({captured} recorded, {post_events:,} post commits), "
        f"{'zstd' if args.zstd else 'JSON text'} frames; "
        f"{len(demo_queries()) + len(live_queries())} queries; enrichers: {', '.join(enrichers)}"
    )
    print(
        f"{'measure':<28}{'events/s':>10}{'posts/s':>10}{'vs raw':>8}"
        f"{'events/CPU-s':>14}{'vs raw':>8}"
    )
    rows = [
        ("raw websocket receive", raw, None),
        ("connector (parse, no store)", alone, made),
        ("pipeline (to SQLite)", piped, stored),
        ("pipeline, every core", every_core, stored_on_every_core),
    ]
    for name, clock, count in rows:
        rate, cpu_rate = n / clock.wall, n / clock.cpu
        per_s = f"{count / clock.wall:,.0f}" if count is not None else ""
        # the worker processes' CPU time is not this process's
        cpu = "" if clock is every_core else f"{cpu_rate:>14,.0f}{cpu_rate / (n / raw.cpu):>8.2f}"
        print(f"{name:<28}{rate:>10,.0f}{per_s:>10}{rate / (n / raw.wall):>8.2f}{cpu}")
    print(
        f"posts parsed {made:,}, stored {stored:,} (updates of stored posts are not stored again)"
    )
    for name, clock in (("one process", piped), ("every core", every_core)):
        verdict = "met" if n / clock.wall >= 2000 else "NOT met"
        print(f"target: pipeline >= 2,000 events/s, {name}: {verdict}")


if __name__ == "__main__":
    main()
