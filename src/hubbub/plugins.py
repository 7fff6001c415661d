"""The plugin manager. Built-ins are listed here and registered like any
third-party plugin; third parties register under the ``hubbub`` entry-point group."""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

import pluggy

from hubbub import hookspecs

DEFAULT_PLUGINS = (
    "hubbub.sources.rss.connector",
    "hubbub.sources.files.connector",
    "hubbub.sources.hackernews.connector",
    "hubbub.sources.mastodon.connector",
    "hubbub.sources.reddit.connector",
    "hubbub.sources.bluesky.connector",
    "hubbub.sources.webhook.connector",
    "hubbub.enrich.language",
    "hubbub.enrich.sentiment",
    "hubbub.enrich.dedup",
    "hubbub.enrich.intent",
    "hubbub.enrich.phrases",
    "hubbub.engage.mastodon",
    "hubbub.engage.bluesky",
)


@cache
def get_plugin_manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager("hubbub")
    pm.add_hookspecs(hookspecs)
    for name in DEFAULT_PLUGINS:
        pm.register(importlib.import_module(name), name=name)
    pm.load_setuptools_entrypoints("hubbub")
    return pm


def source_kinds() -> dict[str, Any]:
    kinds: dict[str, Any] = {}
    for group in get_plugin_manager().hook.hubbub_source_kinds():
        for kind in group:
            kinds[kind.kind] = kind
    return kinds


def enrichers(settings: Any) -> list[Any]:
    from hubbub.enrich.base import order_by_requirements

    found = [
        e for group in get_plugin_manager().hook.hubbub_enrichers(settings=settings) for e in group
    ]
    return order_by_requirements(found)


def publishers() -> dict[str, Any]:
    """Publisher kinds by platform (``hubbub.engage.publishers.PublisherKind``)."""
    found: dict[str, Any] = {}
    for group in get_plugin_manager().hook.hubbub_publishers():
        for kind in group:
            found[kind.platform] = kind
    return found
