"""Fixtures for the engage tests: the platform servers replies are posted to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from servers.bluesky_pds import BlueskyPds
from servers.mastodon import MastodonServer

MASTODON_TOKEN = "mastodon-write-token"
BLUESKY_HANDLE = "acme.example"
BLUESKY_PASSWORD = "abcd-efgh-ijkl-mnop"


@pytest.fixture
def mastodon() -> Iterator[MastodonServer]:
    server = MastodonServer()
    server.add_account("support", "Acme Support")
    server.add_token(MASTODON_TOKEN, "support", {"read", "write"})
    server.start()
    yield server
    server.stop()


@pytest.fixture
def pds() -> Iterator[BlueskyPds]:
    server = BlueskyPds()
    server.add_account(BLUESKY_HANDLE, BLUESKY_PASSWORD)
    server.start()
    yield server
    server.stop()
