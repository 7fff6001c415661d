from __future__ import annotations

from collections.abc import Iterator

import pytest
from rss_testkit import FeedServer


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    server = FeedServer()
    server.start()
    yield server
    server.stop()
