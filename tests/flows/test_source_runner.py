"""The source runner's handling of failing sources, with a connector plugin
registered through the same hook as the built-ins."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any, ClassVar

import pytest
from sqlalchemy import Engine, select

from hubbub.actions.sources import add_source
from hubbub.analytics.status import workspace_status
from hubbub.config import Settings
from hubbub.pipeline.runner import Pipeline, SourceRunner
from hubbub.post import utcnow
from hubbub.sources.base import SourceBatch, SourceError
from hubbub.store.tables import sources
from hubbub.testing import registered_source_kinds


class RateLimited(SourceError):
    retry_after = 3600.0


class AlwaysLimitedSource:
    kind: ClassVar[str] = "test-limited"
    description: ClassVar[str] = "answers 429 with Retry-After: 3600"

    def __init__(self, settings: dict[str, Any], cursor: dict[str, Any] | None = None) -> None:
        self.settings = settings

    def next_batch(self) -> SourceBatch:
        raise RateLimited("429 Too Many Requests from http://127.0.0.1:9/ (retry after 3600 s)")

    def next_awake(self) -> None:
        return None

    def snapshot(self) -> dict[str, Any]:
        return {}

    def close(self) -> None:
        pass


@pytest.fixture
def limited_kind() -> Iterator[None]:
    with registered_source_kinds(AlwaysLimitedSource):
        yield


def test_retry_after_and_repeated_failures_show_on_the_source(
    engine: Engine, settings: Settings, limited_kind: None
) -> None:
    source_id = add_source(engine, "test-limited", {"interval": 1})
    runner = SourceRunner(engine, Pipeline(engine, settings))
    for _ in range(3):
        runner.run_source(runner.due_sources(utcnow() + timedelta(days=1))[0])
    with engine.connect() as conn:
        row = conn.execute(select(sources).where(sources.c.id == source_id)).one()
    next_run = (
        row.next_run_at
        if row.next_run_at.tzinfo
        else row.next_run_at.replace(tzinfo=utcnow().tzinfo)
    )
    # the server's Retry-After wins over the (much shorter) exponential backoff
    assert next_run >= utcnow() + timedelta(seconds=3500)
    (health,) = workspace_status(engine)["sources"]
    assert health["state"] == "failing"
    assert health["consecutive_failures"] == 3
    assert "429" in health["last_error"]
    assert runner.due_sources(utcnow()) == []
