from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from appview_testkit import AppViewServer
from jetstream_testkit import JetstreamServer

from hubbub.sources.bluesky.connector import BlueskySource


@pytest.fixture
def jetstream() -> Iterator[Callable[..., JetstreamServer]]:
    """Start Jetstream servers for a test; every one is stopped after it."""
    servers: list[JetstreamServer] = []

    def start(frames: list[Any], **options: Any) -> JetstreamServer:
        servers.append(JetstreamServer(frames, **options).start())
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def bluesky() -> Iterator[Callable[..., BlueskySource]]:
    """Build BlueskySources for a test; every one is closed after it."""
    sources: list[BlueskySource] = []

    def build(settings: dict[str, Any], cursor: dict[str, Any] | None = None) -> BlueskySource:
        # no test reaches the real AppView: handles only when a test says where from
        settings = {"resolve_handles": False, **settings}
        sources.append(BlueskySource(settings, cursor))
        return sources[-1]

    yield build
    for source in sources:
        source.close()


@pytest.fixture
def appview() -> Iterator[Callable[..., AppViewServer]]:
    """Start local AppViews for a test; every one is stopped after it."""
    servers: list[AppViewServer] = []

    def start(profiles: dict[str, dict[str, Any]]) -> AppViewServer:
        servers.append(AppViewServer(profiles).start())
        return servers[-1]

    yield start
    for server in servers:
        server.stop()
