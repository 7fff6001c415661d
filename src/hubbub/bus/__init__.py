"""The message bus between pipeline stages: in-process now, NATS JetStream at scale."""

from hubbub.bus.base import Bus, Handler
from hubbub.bus.inline import InlineBus

__all__ = ["Bus", "Handler", "InlineBus"]
