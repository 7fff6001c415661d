"""The pipeline's stages as bus handlers: one function per stage, registered
by the subject it consumes. The stage functions themselves are the
pipeline's (hubbub.pipeline.stages); this module only adds what a worker
needs around them: decoding, publishing the result, thread safety, the
exactly-once store and route, and the shared near-duplicate memory."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from hubbub import plugins
from hubbub.bus.base import Bus, Handler, Message
from hubbub.bus.jetstream import PermanentError
from hubbub.config import Settings
from hubbub.pipeline import messages as m
from hubbub.pipeline.messages import PostBatch, StoredPosts
from hubbub.pipeline.normalize import normalize
from hubbub.pipeline.stages import EnrichStage, MatchStage, dedupe
from hubbub.post import utcnow
from hubbub.workers.route import route_once, store_then_hand_over
from hubbub.workers.shared_dedup import SharedDedup

# The stages a worker can run, in pipeline order.
STAGE_NAMES = ("ingest", "enrich", "match", "store", "route")


@dataclass(frozen=True)
class WorkerStage:
    name: str
    consumes: str
    produces: str | None
    # takes the decoded message; returns the next stage's message (or None)
    run: Callable[[Any], Any]
    decode: Callable[[Message], Any] = PostBatch.from_message


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
        return WorkerStage(
            name, m.MATCHED, m.STORED, lambda b: store_then_hand_over(engine, b, bus)
        )
    if name == "route":
        return WorkerStage(
            name, m.STORED, None, lambda s: route_once(engine, s, bus), StoredPosts.from_message
        )
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
            decoded = stage.decode(message)
        except (KeyError, TypeError, ValueError) as exc:  # incl. an unknown version
            raise PermanentError(f"not a message the {stage.name} stage can read: {exc!r}") from exc
        out = stage.run(decoded)
        if stage.produces is not None and out is not None:
            bus.publish(stage.produces, out.to_message())

    return handle
