"""How a web node hands posts to the pipeline: with HUBBUB_NATS_URL it only
publishes (workers run the stages); without, the whole pipeline in process."""

from __future__ import annotations

from sqlalchemy import Engine

from hubbub.bus.jetstream import JetStreamOptions
from hubbub.config import Settings
from hubbub.pipeline import messages as m
from hubbub.pipeline.messages import PostBatch
from hubbub.pipeline.normalize import scrub_surrogates
from hubbub.pipeline.runner import Pipeline
from hubbub.workers.publish import BatchPublisher
from hubbub.workers.topology import open_bus


def enqueue_pipeline(engine: Engine, settings: Settings) -> Pipeline:
    if not settings.nats_url:
        return Pipeline(engine, settings)
    return Pipeline(engine, settings, bus=BatchPublisher(open_bus(settings)), stages=())


class IngestQueue:
    """The ingest subject of the scale-out bus, for code that only enqueues (a
    web node's webhook receiver). Unlike a ``Pipeline`` with no stages it loads
    no enricher: a web node never runs a model.

    ``put`` returns once JetStream has acknowledged every part of the batch, so
    the batch is durable in the stream (file storage) and workers will process
    it; it raises ``BusUnavailable`` if NATS does not answer within
    ``PUBLISH_TIMEOUT`` (an HTTP sender should hear "retry" before it gives up). The stream drops a message whose ``Nats-Msg-Id`` (the batch
    id) it saw within its duplicate window; past it the workers' dedupe stage
    skips posts already stored.
    """

    CONNECT_TIMEOUT = 5.0
    PUBLISH_TIMEOUT = 10.0

    def __init__(self, settings: Settings, name: str = "hubbub-web") -> None:
        options = JetStreamOptions(
            connect_timeout=self.CONNECT_TIMEOUT, publish_timeout=self.PUBLISH_TIMEOUT
        )
        self.publisher = BatchPublisher(open_bus(settings, options, name=name))

    def put(self, batch: PostBatch) -> None:
        message = batch.to_message()
        try:
            self.publisher.publish(m.INGESTED, message)
        except TypeError:  # lone surrogates no encoder accepts, as Pipeline.submit does
            self.publisher.publish(m.INGESTED, scrub_surrogates(message))

    def close(self) -> None:
        self.publisher.bus.close()
