"""In-process bus: a FIFO of encoded messages delivered synchronously on drain()."""

from __future__ import annotations

from collections import defaultdict, deque

import orjson

from hubbub.bus.base import Handler, Message


class InlineBus:
    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = defaultdict(list)
        self._queue: deque[tuple[str, bytes]] = deque()
        self._draining = False

    def publish(self, subject: str, message: Message) -> None:
        # Encode now, as a broker would: a message that can't be serialised fails
        # at the publisher, and handlers never share mutable state with it.
        self._queue.append((subject, orjson.dumps(message)))

    def subscribe(self, subject: str, handler: Handler) -> None:
        self._handlers[subject].append(handler)

    def drain(self) -> None:
        if self._draining:  # a handler's publish is delivered by the outer loop
            return
        self._draining = True
        try:
            while self._queue:
                subject, data = self._queue.popleft()
                for handler in self._handlers.get(subject, ()):
                    handler(orjson.loads(data))
        finally:
            self._draining = False

    def clear(self) -> None:
        """Drop undelivered messages (after a failed drain, before retrying a batch)."""
        self._queue.clear()
