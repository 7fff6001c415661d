"""Load for the scale-out tests and benchmark: batches of posts published on
INGESTED as a web node would, and counts read back from the store."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import Engine, func, select

from hubbub.pipeline import messages as m
from hubbub.pipeline.messages import PostBatch
from hubbub.post import Post, utcnow
from hubbub.store.tables import conversation_posts, conversations, ingest_errors, matches, posts

WORDS = "rocket skates desert coyote road runner anvil catapult glue magnet".split()


def make_post(n: int, platform: str = "loadtest") -> Post:
    # every post distinct in text (no near-duplicates), every third one names acme
    words = " ".join(WORDS[(n * k) % len(WORDS)] for k in range(1, 9))
    lead = "acme" if n % 3 == 0 else "zebra"
    return Post(
        platform=platform,
        external_id=f"post-{n}",
        text=f"{lead} post number {n} {words} serial{n}x",
        created_at=utcnow() - timedelta(minutes=1),
    )


def make_batches(count: int, batch_size: int, start: int = 0) -> list[PostBatch]:
    return [
        PostBatch(posts=[make_post(n) for n in range(i, min(i + batch_size, start + count))])
        for i in range(start, start + count, batch_size)
    ]


def expected_matches(count: int, start: int = 0) -> int:
    return sum(1 for n in range(start, start + count) if n % 3 == 0)


def publish(bus: object, batches: list[PostBatch]) -> None:
    for batch in batches:
        bus.publish(m.INGESTED, batch.to_message())  # type: ignore[attr-defined]


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            "posts": conn.execute(select(func.count()).select_from(posts)).scalar_one(),
            "distinct": conn.execute(
                select(func.count(func.distinct(posts.c.external_id)))
            ).scalar_one(),
            "matches": conn.execute(select(func.count()).select_from(matches)).scalar_one(),
            "errors": conn.execute(select(func.count()).select_from(ingest_errors)).scalar_one(),
            # every matched load post opens its own conversation (no threads)
            "conversations": conn.execute(
                select(func.count()).select_from(conversations)
            ).scalar_one(),
            "in_conversations": conn.execute(
                select(func.count()).select_from(conversation_posts)
            ).scalar_one(),
        }


def wait_for(
    check: Callable[[], bool], timeout: float, describe: Callable[[], str] = lambda: ""
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s: {describe()}")
