"""The Bus protocol. Messages are JSON objects carrying a schema version ``v``;
every implementation round-trips them through JSON, so nothing passes in one
process that could not cross to another."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

Message = dict[str, Any]
Handler = Callable[[Message], None]


class Bus(Protocol):
    def publish(self, subject: str, message: Message) -> None: ...

    def subscribe(self, subject: str, handler: Handler) -> None: ...

    def drain(self) -> None:
        """Deliver everything published so far, including what handlers publish."""
        ...
