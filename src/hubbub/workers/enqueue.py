"""The pipeline a web node submits to: with HUBBUB_NATS_URL it only publishes
(workers run the stages); without, the whole pipeline in process."""

from __future__ import annotations

from sqlalchemy import Engine

from hubbub.config import Settings
from hubbub.pipeline.runner import Pipeline
from hubbub.workers.publish import BatchPublisher
from hubbub.workers.topology import open_bus


def enqueue_pipeline(engine: Engine, settings: Settings) -> Pipeline:
    if not settings.nats_url:
        return Pipeline(engine, settings)
    return Pipeline(engine, settings, bus=BatchPublisher(open_bus(settings)), stages=())
