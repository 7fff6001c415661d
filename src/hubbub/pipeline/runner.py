"""Wiring the stages onto a bus, and running sources into it."""

from __future__ import annotations

import logging
import random
import traceback
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select

from hubbub import plugins
from hubbub.actions.conversations import route_posts
from hubbub.actions.ingest import CURSOR_SEQ, store_batch_safely
from hubbub.actions.sources import record_failure, record_run
from hubbub.bus.base import Bus, Message
from hubbub.bus.inline import InlineBus
from hubbub.config import Settings
from hubbub.events import PostsStored
from hubbub.pipeline import messages as m
from hubbub.pipeline.messages import PostBatch, StoredPosts
from hubbub.pipeline.normalize import normalize, scrub_surrogates
from hubbub.pipeline.route import stored_posts
from hubbub.pipeline.stages import EnrichStage, MatchStage, dedupe
from hubbub.post import Post, utcnow
from hubbub.sources.base import ItemError, Source, SourceBatch, SourceError
from hubbub.store.credentials import CredentialCipher, plain_secrets, reveal_settings, scrub
from hubbub.store.tables import sources

log = logging.getLogger(__name__)

STAGES = ("normalize", "enrich", "match", "store", "route")


class Pipeline:
    """The stages, each subscribed to its subject. With the in-process bus,
    ``submit`` returns once the batch is stored."""

    def __init__(
        self,
        engine: Engine,
        settings: Settings,
        bus: Bus | None = None,
        stages: tuple[str, ...] = STAGES,
    ) -> None:
        self.engine = engine
        self.settings = settings
        self.bus = bus or InlineBus()
        self.enrich = EnrichStage(plugins.enrichers(settings))
        self.match = MatchStage(engine)
        self.stored: list[PostsStored] = []
        self.routes = "route" in stages
        if "enrich" in stages:
            self.enrich.restore(engine)
        handlers: dict[str, tuple[str, Callable[[PostBatch], PostBatch], str | None]] = {
            "normalize": (
                m.INGESTED,
                lambda b: dedupe(normalize(b, utcnow()), engine),
                m.NORMALIZED,
            ),
            "enrich": (m.NORMALIZED, self.enrich, m.ENRICHED),
            "match": (m.ENRICHED, self.match, m.MATCHED),
            "store": (m.MATCHED, self._store, None),
        }
        for name in stages:
            if name == "route":
                self.bus.subscribe(m.STORED, self._route)
                continue
            subject, fn, next_subject = handlers[name]
            self.bus.subscribe(subject, self._handler(fn, next_subject))

    def _handler(
        self, fn: Callable[[PostBatch], PostBatch], next_subject: str | None
    ) -> Callable[[Message], None]:
        def handle(message: Message) -> None:
            batch = fn(PostBatch.from_message(message))
            if next_subject is not None:
                self.bus.publish(next_subject, batch.to_message())

        return handle

    def _store(self, batch: PostBatch) -> PostBatch:
        event = store_batch_safely(self.engine, batch, self.bus)
        self.stored.append(event)
        routable = [*event.post_ids, *event.edited_ids]
        if routable and self.routes:
            message = stored_posts(self.engine, batch.id, routable)
            self.bus.publish(m.STORED, message.to_message())
        return batch

    def _route(self, message: Message) -> None:
        # The posts are stored and their cursor saved: a routing failure must
        # not fail the source (its batch would never come again). Logged.
        stored = StoredPosts.from_message(message)
        try:
            route_posts(self.engine, stored.post_ids, stored.matched, self.bus)
        except Exception:
            log.exception("routing posts %s failed", stored.post_ids[:20])

    def submit(self, batch: PostBatch) -> None:
        message = batch.to_message()
        try:
            self.bus.publish(m.INGESTED, message)
        except TypeError:  # text no encoder accepts; the normalize stage reports the rest
            self.bus.publish(m.INGESTED, scrub_surrogates(message))
        try:
            self.bus.drain()
        except Exception:
            if isinstance(self.bus, InlineBus):
                self.bus.clear()
            raise

    def flush(self) -> None:
        """Everything submitted is stored when submit returns (the in-process bus)."""

    def close(self) -> None:
        pass

    def ingest_posts(self, posts: list[Post], errors: list[ItemError] | None = None) -> PostsStored:
        """Run posts that come from no configured source (an import, the demo)."""
        self.stored.clear()
        self.submit(PostBatch(posts=posts, errors=errors or []))
        return self.stored[-1]


class SourceRunner:
    """Polls configured sources and feeds their batches to the pipeline.
    A source's cursor is saved by the store stage, with its posts."""

    def __init__(
        self, engine: Engine, pipeline: Pipeline, rng: random.Random | None = None
    ) -> None:
        self.engine = engine
        self.pipeline = pipeline
        self._open: dict[int, tuple[Source, int]] = {}  # source id -> (source, next seq)
        self._cipher = CredentialCipher(pipeline.settings)
        self._secrets: dict[int, list[str]] = {}  # source id -> credentials, to scrub errors
        self._rng = rng  # the backoff's jitter (a seeded one in tests)

    def _source(self, row: Any) -> tuple[Source, int]:
        if row.id not in self._open:
            kind = plugins.source_kinds().get(row.kind)
            if kind is None:
                raise SourceError(f"no installed connector for source kind {row.kind!r}")
            cursor = dict(row.cursor or {})
            seq = int(cursor.pop(CURSOR_SEQ, 0))
            # decrypted only here, for the connector; a wrong key fails this source only
            settings = reveal_settings(row.kind, row.settings or {}, self._cipher, row.name)
            self._secrets[row.id] = plain_secrets(row.kind, settings)
            self._open[row.id] = (kind(settings, cursor or None), seq + 1)
        return self._open[row.id]

    def close(self) -> None:
        for source, _ in self._open.values():
            source.close()
        self._open.clear()

    def due_sources(self, now: datetime, only: list[int] | None = None) -> list[Any]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(sources).where(sources.c.enabled).order_by(sources.c.id)
            ).all()
        due = []
        for row in rows:
            if only is not None and row.id not in only:
                continue
            next_run = row.next_run_at
            if next_run is not None and next_run.tzinfo is None:
                next_run = next_run.replace(tzinfo=now.tzinfo)
            if next_run is None or next_run <= now:
                due.append(row)
        return due

    def run_source(self, row: Any, max_batches: int | None = None) -> int:
        """Pull batches from one source until it has nothing more for now.
        Returns how many posts were stored."""
        stored = 0
        batches = 0
        try:
            source, seq = self._source(row)
            while True:
                batch: SourceBatch = source.next_batch()
                if batch.posts or batch.errors or batch.deleted or batch.cursor is not None:
                    for post in batch.posts:
                        post.source_id = row.id
                    self.pipeline.stored.clear()
                    self.pipeline.submit(
                        PostBatch(
                            posts=batch.posts,
                            errors=batch.errors,
                            source_id=row.id,
                            cursor=batch.cursor,
                            seq=seq,
                            deletions=batch.deleted,
                            delete_mode=batch.delete_mode,
                        )
                    )
                    seq += 1
                    self._open[row.id] = (source, seq)
                    stored += sum(len(e.post_ids) for e in self.pipeline.stored)
                batches += 1
                nothing_more = not batch.posts and not batch.errors and not batch.deleted
                if batch.done or nothing_more or (max_batches and batches >= max_batches):
                    break
            awake = source.next_awake()
            record_run(self.engine, row.id, awake)
        except SourceError as exc:
            self._drop(row.id)
            record_failure(
                self.engine,
                row.id,
                str(exc),
                _interval(row),
                self.pipeline.bus,
                retry_after=getattr(exc, "retry_after", None),
                secrets=self._secrets.get(row.id, ()),
                rng=self._rng,
            )
        except Exception as exc:  # a connector bug: keep the others running, show it
            secrets = self._secrets.get(row.id, ())
            log.error("source %s failed: %s", row.name, scrub(traceback.format_exc(), secrets))
            self._drop(row.id)
            record_failure(
                self.engine,
                row.id,
                f"internal error: {exc!r}",
                _interval(row),
                self.pipeline.bus,
                secrets=secrets,
                rng=self._rng,
            )
        return stored

    def _drop(self, source_id: int) -> None:
        # Rebuild from the stored cursor next time, so nothing unsaved is skipped.
        entry = self._open.pop(source_id, None)
        if entry is not None:
            entry[0].close()

    def run_once(self, only: list[int] | None = None) -> int:
        now = utcnow()
        return sum(self.run_source(row) for row in self.due_sources(now, only))

    def next_wakeup(self, default: float = 30.0) -> float:
        """Seconds until the earliest source is due."""
        now = utcnow()
        with self.engine.connect() as conn:
            times = [
                r.next_run_at
                for r in conn.execute(select(sources.c.next_run_at).where(sources.c.enabled))
            ]
        waits = []
        for t in times:
            if t is None:
                return 0.0
            if t.tzinfo is None:
                t = t.replace(tzinfo=now.tzinfo)
            waits.append((t - now).total_seconds())
        return max(0.0, min(waits, default=default))


def _interval(row: Any) -> float:
    return float((row.settings or {}).get("interval", 60))
