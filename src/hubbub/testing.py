"""Helpers for the tests of Hubbub and of its plugins."""

from __future__ import annotations

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
