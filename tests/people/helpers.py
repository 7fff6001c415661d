"""Small helpers shared by the people tests."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def csrf_of(client: TestClient, url: str = "/login") -> str:
    """The CSRF token a page hands this browser (and the cookie it sets)."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).text)
    assert found, f"{url} has no CSRF field"
    return found.group(1)
