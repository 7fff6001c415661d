"""Every extension point of Hubbub. Built-in connectors and enrichers register
through these hooks exactly as a third-party plugin would (see plugins.py)."""

from __future__ import annotations

from typing import Any

import pluggy

hookspec = pluggy.HookspecMarker("hubbub")
hookimpl = pluggy.HookimplMarker("hubbub")


@hookspec
def hubbub_source_kinds() -> list[Any]:
    """Return source kinds (classes following ``hubbub.sources.base.SourceKind``):
    each has a ``kind`` name, a ``description``, and builds a Source from its
    settings and saved cursor."""


@hookspec
def hubbub_enrichers(settings: Any) -> list[Any]:
    """Return enrichers (``hubbub.enrich.base.Enricher``) to run on every post.
    ``settings`` is the workspace's ``hubbub.config.Settings``."""


@hookspec
def hubbub_publishers() -> list[Any]:
    """Return publishers that post replies and scheduled posts to a platform."""


@hookspec
def hubbub_cli_commands(app: Any) -> None:
    """Add commands to the Typer ``app`` of the ``hubbub`` CLI."""
