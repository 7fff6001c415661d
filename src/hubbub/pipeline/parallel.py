"""The pipeline on every core of one machine, for bulk work (imports, big
backlogs) on the embedded default.

Worker processes run the pure, stateless stages (normalize, dedupe, the
stateless enrichers, match, full-text tokens). This process runs what must see
every post in order (the near-duplicate index) and the store, and stores
batches in the order they were submitted, so a source's cursor never runs
ahead of a batch that is not yet durable.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import orjson
from sqlalchemy import Engine

from hubbub import plugins
from hubbub.actions.conversations import route_posts
from hubbub.actions.ingest import store_batch_safely
from hubbub.bus.base import Bus
from hubbub.config import Settings
from hubbub.events import PostsStored
from hubbub.pipeline.messages import PostBatch
from hubbub.pipeline.normalize import normalize, scrub_surrogates
from hubbub.pipeline.route import stored_posts
from hubbub.pipeline.stages import EnrichStage, MatchStage, dedupe
from hubbub.post import utcnow

_STOP = b""


def _is_stateful(enricher: Any) -> bool:
    return callable(getattr(enricher, "restore", None))


def _worker(settings_json: dict[str, Any], inbox: Any, outbox: Any) -> None:
    from hubbub.store.db import open_engine

    settings = Settings(**settings_json)
    engine = open_engine(settings, upgrade=False)
    enrich = EnrichStage([e for e in plugins.enrichers(settings) if not _is_stateful(e)])
    match = MatchStage(engine)
    while True:
        seq, data = inbox.get()
        if data == _STOP:
            break
        try:
            batch = PostBatch.from_message(orjson.loads(data))
            batch = match(enrich(dedupe(normalize(batch, utcnow()), engine)))
            outbox.put((seq, orjson.dumps(batch.to_message()), None))
        except Exception as exc:  # hand it to the parent, which decides
            outbox.put((seq, b"", f"{type(exc).__name__}: {exc}"))
    engine.dispose()


class WorkerFailed(RuntimeError):
    pass


class ParallelPipeline:
    def __init__(
        self, engine: Engine, settings: Settings, workers: int | None = None, bus: Bus | None = None
    ) -> None:
        self.engine = engine
        self.settings = settings  # SourceRunner reads it: a streaming source can use every core
        self.bus = bus
        self.workers = workers or max(1, mp.cpu_count())
        self.stateful = EnrichStage([e for e in plugins.enrichers(settings) if _is_stateful(e)])
        self.stateful.restore(engine)
        ctx = mp.get_context("spawn")  # no inherited threads, engines or locks
        self._inbox = ctx.Queue(maxsize=self.workers * 2)  # backpressure on the reader
        self._outbox = ctx.Queue()
        self._procs = [
            ctx.Process(
                target=_worker,
                args=(settings.model_dump(mode="json"), self._inbox, self._outbox),
                daemon=True,
                name=f"hubbub-pipeline-{i}",
            )
            for i in range(self.workers)
        ]
        for p in self._procs:
            p.start()
        self._next_submit = 0
        self._next_store = 0
        self._done: dict[int, bytes] = {}
        self.stored: list[PostsStored] = []

    def submit(self, batch: PostBatch) -> None:
        message = batch.to_message()
        try:
            data = orjson.dumps(message)
        except TypeError:
            data = orjson.dumps(scrub_surrogates(message))
        while True:
            try:
                self._inbox.put((self._next_submit, data), timeout=0.05)
                break
            except queue.Full:
                self._collect(block=False)
        self._next_submit += 1
        self._collect(block=False)

    def _collect(self, block: bool) -> None:
        while True:
            try:
                seq, data, error = self._outbox.get(block=block, timeout=60 if block else None)
            except queue.Empty:
                if block:
                    self._check_alive()
                    continue
                return
            if error is not None:
                raise WorkerFailed(f"a pipeline worker failed on batch {seq}: {error}")
            self._done[seq] = data
            self._store_ready()
            if block:
                return

    def _store_ready(self) -> None:
        while self._next_store in self._done:
            batch = PostBatch.from_message(orjson.loads(self._done.pop(self._next_store)))
            batch = self.stateful(batch)
            event = store_batch_safely(self.engine, batch, self.bus)
            self.stored.append(event)
            # the route stage, as in the one-process pipeline: matched posts open conversations
            if routable := [*event.post_ids, *event.edited_ids]:
                handed = stored_posts(self.engine, batch.id, routable)
                route_posts(self.engine, handed.post_ids, handed.matched, self.bus)
            self._next_store += 1

    def _check_alive(self) -> None:
        dead = [p.name for p in self._procs if not p.is_alive()]
        if dead:
            raise WorkerFailed(f"pipeline workers died: {', '.join(dead)}")

    def flush(self) -> None:
        """Wait until everything submitted is stored."""
        while self._next_store < self._next_submit:
            self._collect(block=True)

    def close(self) -> None:
        for _ in self._procs:
            self._inbox.put((-1, _STOP))
        for p in self._procs:
            p.join(timeout=10)
            if p.is_alive():
                p.terminate()


@contextmanager
def parallel_pipeline(
    engine: Engine, settings: Settings, workers: int | None = None
) -> Iterator[ParallelPipeline]:
    pipeline = ParallelPipeline(engine, settings, workers)
    try:
        yield pipeline
        pipeline.flush()
    finally:
        pipeline.close()
