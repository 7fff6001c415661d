"""Near-duplicate memory shared by every enrich worker, through the store.

The dedup enricher remembers recent posts in process. With several enrich
workers each sees only its own batches, so before enriching, a worker adds
what the others stored since it last looked (their stored dedup results carry
the hash and MinHash signature the index is rebuilt from; the same path as
``EnrichStage.restore`` at start-up). Posts it enriched itself are skipped,
being indexed already.

What this cannot see: two near-duplicates enriched at the same moment by two
workers, neither stored yet (a window of about the refresh interval plus the
pipeline's latency). Both are then kept as originals; no post is lost or
doubled, only that one pair is not clustered.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, func, select

from hubbub.pipeline.messages import PostBatch
from hubbub.pipeline.stages import EnrichStage
from hubbub.post import Post
from hubbub.store.tables import enrichments, posts

MAX_ROWS_PER_REFRESH = 20_000
OWN_LIMIT = 500_000  # refs remembered as our own before the oldest are forgotten


class SharedDedup:
    def __init__(self, engine: Engine, stage: EnrichStage, every: float = 1.0) -> None:
        self.engine = engine
        self.every = every
        self.enricher: Any = next(
            (e for e in stage.enrichers if e.name == "dedup" and hasattr(e, "restore")), None
        )
        self._own: dict[str, None] = {}  # insertion-ordered set
        self._last_check = 0.0
        with engine.connect() as conn:
            self.last_id = int(conn.execute(select(func.max(posts.c.id))).scalar() or 0)

    def noted(self, batch: PostBatch) -> None:
        """Remember the posts this worker indexed itself."""
        if self.enricher is None:
            return
        for post in batch.posts:
            self._own[f"{post.platform}:{post.external_id}"] = None
        while len(self._own) > OWN_LIMIT:
            del self._own[next(iter(self._own))]

    def refresh(self) -> int:
        """Index what other workers stored since the last look. Returns how many."""
        if self.enricher is None or time.monotonic() - self._last_check < self.every:
            return 0
        self._last_check = time.monotonic()
        with self.engine.connect() as conn:
            # keys first: most new posts are usually our own, indexed already
            keys = conn.execute(
                select(posts.c.id, posts.c.platform, posts.c.external_id)
                .where(posts.c.id > self.last_id)
                .order_by(posts.c.id)
                .limit(MAX_ROWS_PER_REFRESH)
            ).all()
            others = []
            for row in keys:
                ref = f"{row.platform}:{row.external_id}"
                if ref in self._own:
                    del self._own[ref]
                else:
                    others.append(row.id)
                self.last_id = max(self.last_id, int(row.id))
            history = []
            for start in range(0, len(others), 1000):
                rows = conn.execute(
                    select(posts.c.platform, posts.c.external_id, posts.c.text, enrichments.c.data)
                    .join(enrichments, enrichments.c.post_id == posts.c.id)
                    .where(
                        enrichments.c.enricher == self.enricher.name,
                        posts.c.id.in_(others[start : start + 1000]),
                    )
                    .order_by(posts.c.id)
                ).all()
                history += [
                    (Post(platform=r.platform, external_id=r.external_id, text=r.text), r.data)
                    for r in rows
                ]
        if history:
            self.enricher.restore(history)
        return len(history)
