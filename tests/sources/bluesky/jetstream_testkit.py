"""Helpers for the Bluesky tests: the recorded fixtures, the Jetstream replay
server on 127.0.0.1 (shared, in tests/servers) and ``poll``."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

# The replay server itself is shared with the demo tests and the benchmark.
from servers.jetstream import JetstreamServer, load_events

FIXTURES = Path(__file__).parent / "fixtures"

__all__ = ["FIXTURES", "JetstreamServer", "load_events", "poll"]


def poll(check: Callable[[], bool], timeout: float = 10.0, interval: float = 0.02) -> None:
    """Wait until ``check()`` holds, failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        time.sleep(interval)
