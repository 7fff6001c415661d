"""Which subjects the scale-out bus carries, and opening it from the settings."""

from __future__ import annotations

from hubbub.bus.jetstream import JetStreamBus, JetStreamOptions
from hubbub.config import Settings
from hubbub.events import EVENTS_SUBJECT
from hubbub.pipeline import messages as m

# every stage subject gets a work-queue stream and a shared durable consumer
WORK_SUBJECTS = (m.INGESTED, m.NORMALIZED, m.ENRICHED, m.MATCHED, m.STORED)
EVENT_SUBJECTS = (EVENTS_SUBJECT,)


def open_bus(
    settings: Settings,
    options: JetStreamOptions | None = None,
    name: str = "hubbub",
    *,
    worker: bool = False,
) -> JetStreamBus:
    """The JetStream bus at HUBBUB_NATS_URL (a comma-separated cluster list
    works), its streams created or updated; its consumers configured from
    ``options`` by a worker, only created where missing by anyone else."""
    if not settings.nats_url:
        raise ValueError("HUBBUB_NATS_URL is not set: the scale-out bus needs a NATS server")
    return JetStreamBus(
        settings.nats_url,
        WORK_SUBJECTS,
        EVENT_SUBJECTS,
        options,
        name=name,
        configure_consumers=worker,
    )


# the stage that consumes each subject (`hubbub worker --stages` names)
STAGE_OF = {
    m.INGESTED: "ingest",
    m.NORMALIZED: "enrich",
    m.ENRICHED: "match",
    m.MATCHED: "store",
    m.STORED: "route",
}
