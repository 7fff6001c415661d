"""The pipeline's stages as bus handlers: one function per stage, registered
by the subject it consumes. The stage functions themselves are the
pipeline's (hubbub.pipeline.stages); this module only adds what a worker
needs around them: decoding, publishing the result, thread safety, the
exactly-once store and the shared near-duplicate memory."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

from hubbub import plugins
from hubbub.bus.base import Bus, Handler, Message
from hubbub.bus.jetstream import PermanentError
from hubbub.config import Settings
from hubbub.pipeline import messages as m
from hubbub.pipeline.messages import PostBatch
from hubbub.pipeline.normalize import normalize
from hubbub.pipeline.stages import EnrichStage, MatchStage, dedupe
from hubbub.post import utcnow
from hubbub.workers.shared_dedup import SharedDedup
from hubbub.workers.store import store_once

# The stages a worker can run, in pipeline order. ("route" joins them when
# conversations and routing exist.)
STAGE_NAMES = ("ingest", "enrich", "match", "store")


@dataclass(frozen=True)
class WorkerStage:
    name: str
    consumes: str
    produces: str | None
    run: Callable[[PostBatch], PostBatch | None]


def build_stage(name: str, engine: Engine, settings: Settings, bus: Bus) -> WorkerStage:
    if name == "ingest":
        return WorkerStage(
            name, m.INGESTED, m.NORMALIZED, lambda b: dedupe(normalize(b, utcnow()), engine)
        )
    if name == "enrich":
        return WorkerStage(name, m.NORMALIZED, m.ENRICHED, _enrich(engine, settings))
    if name == "match":
        match = MatchStage(engine)
        return WorkerStage(name, m.ENRICHED, m.MATCHED, _locked(match))
    if name == "store":
        return WorkerStage(name, m.MATCHED, None, lambda b: (store_once(engine, b, bus), b)[1])
    raise ValueError(f"unknown stage {name!r}; choose from {', '.join(STAGE_NAMES)}")


def _locked(fn: Callable[[PostBatch], PostBatch]) -> Callable[[PostBatch], PostBatch]:
    """Stages with in-process state (the query index, the near-duplicate index)
    handle one batch at a time per process; more processes scale them."""
    lock = threading.Lock()

    def run(batch: PostBatch) -> PostBatch:
        with lock:
            return fn(batch)

    return run


def _enrich(engine: Engine, settings: Settings) -> Callable[[PostBatch], PostBatch]:
    stage = EnrichStage(plugins.enrichers(settings))
    stage.restore(engine)
    shared = SharedDedup(engine, stage)

    def enrich(batch: PostBatch) -> PostBatch:
        shared.refresh()
        out = stage(batch)
        shared.noted(out)
        return out

    return _locked(enrich)


def handler(stage: WorkerStage, bus: Bus) -> Handler:
    """Decode, run the stage, publish its result. Returning means the work is
    durable: the next stage's message is in its stream, or the batch is stored."""

    def handle(message: Message) -> None:
        try:
            batch = PostBatch.from_message(message)
        except (KeyError, TypeError, ValueError) as exc:  # incl. an unknown version
            raise PermanentError(f"not a post batch this worker can read: {exc!r}") from exc
        out = stage.run(batch)
        if stage.produces is not None and out is not None:
            bus.publish(stage.produces, out.to_message())

    return handle
