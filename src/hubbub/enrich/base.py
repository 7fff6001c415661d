"""The Enricher protocol.

An enricher is pure: it takes a batch of posts and returns one result dict per
post. The pipeline stores each result under the enricher's name with its
version, so results from different model versions can be told apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol, runtime_checkable

from hubbub.post import Post


@runtime_checkable
class Enricher(Protocol):
    name: str
    version: str
    # names of enrichers whose results this one reads from post.enrichments
    requires: tuple[str, ...]

    def enrich(self, posts: Sequence[Post]) -> list[dict[str, Any]]:
        """One result per post, in order. Must not raise on one odd post."""
        ...


class StatefulEnricher(Enricher, Protocol):
    """An enricher whose results depend on posts seen before (near-duplicates).
    The pipeline calls ``restore`` once at start with stored results of recent
    posts, so state survives a restart."""

    def restore(self, history: Iterable[tuple[Post, dict[str, Any]]]) -> None: ...


def order_by_requirements(enrichers: Iterable[Enricher]) -> list[Enricher]:
    """Topological order so that every enricher runs after those it requires."""
    pending = {e.name: e for e in enrichers}
    done: list[Enricher] = []
    seen: set[str] = set()
    while pending:
        ready = [
            e for e in pending.values() if all(r in seen or r not in pending for r in e.requires)
        ]
        if not ready:
            raise ValueError(f"enrichers require each other in a cycle: {sorted(pending)}")
        for e in sorted(ready, key=lambda e: e.name):
            done.append(e)
            seen.add(e.name)
            del pending[e.name]
    return done
