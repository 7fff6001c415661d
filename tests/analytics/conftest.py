"""Posts for the analytics tests, stored through the real pipeline."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest
from sqlalchemy import Engine

from hubbub.config import Settings
from hubbub.pipeline.runner import Pipeline
from hubbub.post import Post


@pytest.fixture
def store(engine: Engine, settings: Settings) -> Callable[[Sequence[Post]], None]:
    pipeline = Pipeline(engine, settings)

    def ingest(posts: Sequence[Post]) -> None:
        pipeline.ingest_posts(list(posts))

    return ingest
