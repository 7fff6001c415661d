from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# The HTTP test kit is shared with the other API connectors' tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "hackernews"))

from api_testkit import ApiServer


@pytest.fixture
def api_server() -> Iterator[ApiServer]:
    server = ApiServer()
    server.start()
    yield server
    server.stop()
