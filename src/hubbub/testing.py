"""Helpers for the tests of Hubbub and of its plugins."""

from __future__ import annotations

import shutil
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from hubbub.hookspecs import hookimpl
from hubbub.plugins import get_plugin_manager


@contextmanager
def registered_source_kinds(*kinds: type, name: str = "test-source-kinds") -> Iterator[None]:
    """Make ``kinds`` (Source classes with a ``kind`` name) available to
    ``hubbub source add``, the runner and the API for the duration of the block,
    registered through the same hook a third-party plugin uses."""

    class Plugin:
        @staticmethod
        @hookimpl
        def hubbub_source_kinds() -> list[Any]:
            return list(kinds)

    manager = get_plugin_manager()
    manager.register(Plugin, name=name)
    try:
        yield
    finally:
        manager.unregister(name=name)


# -- local servers for tests and benchmarks -------------------------------------------

NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 10.0) -> None:
    """Wait until something accepts connections on 127.0.0.1:``port``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port}")
