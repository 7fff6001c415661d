"""The message bus between pipeline stages: in-process by default
(``inline.InlineBus``), NATS JetStream at scale (``jetstream.JetStreamBus``,
imported from its module so the embedded default never loads nats-py)."""

from hubbub.bus.base import Bus, Handler
from hubbub.bus.inline import InlineBus

__all__ = ["Bus", "Handler", "InlineBus"]
