from __future__ import annotations

from collections.abc import Iterator

import pytest
from api_testkit import ApiServer


@pytest.fixture
def api_server() -> Iterator[ApiServer]:
    server = ApiServer()
    server.start()
    yield server
    server.stop()
