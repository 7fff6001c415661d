"""Publishing post batches on the JetStream bus, split to fit the server's
message size limit."""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import Any

import orjson

from hubbub.bus.base import Handler, Message
from hubbub.bus.jetstream import JetStreamBus
from hubbub.pipeline.messages import PostBatch

# room for headers and the protocol line
HEADROOM = 4096


def split_batch(batch: PostBatch) -> tuple[PostBatch, PostBatch]:
    """Two halves, each with an id made of the batch's and a digest of its
    posts' keys: a redelivered batch that lost posts to dedupe meanwhile splits
    differently, and its halves must not be taken for the earlier ones. The
    errors, deletions and cursor ride with the second half, published after
    the first is durable in its stream: a stored cursor never passes a post
    that could still be lost."""
    half = len(batch.posts) // 2

    def part(lo: int, hi: int | None, last: bool) -> PostBatch:
        keys = "\n".join(f"{p.platform}:{p.external_id}" for p in batch.posts[lo:hi])
        return replace(
            batch,
            posts=batch.posts[lo:hi],
            matches=batch.matches[lo:hi],
            search_texts=batch.search_texts[lo:hi],
            errors=batch.errors if last else [],
            cursor=batch.cursor if last else None,
            deletions=batch.deletions if last else [],
            duplicates_skipped=batch.duplicates_skipped if last else 0,
            id=f"{batch.id[:40]}.{hashlib.sha1(keys.encode()).hexdigest()[:16]}",
        )

    return part(0, half, False), part(half, None, True)


class BatchPublisher:
    """A Bus for code that publishes whole PostBatches (the pipeline's submit,
    the stages): messages over the size limit are split in halves until they
    fit; a single post that cannot fit is refused with a clear error."""

    def __init__(self, bus: JetStreamBus) -> None:
        self.bus = bus

    def publish(self, subject: str, message: Message) -> None:
        if subject not in self.bus.work_subjects:
            self.bus.publish(subject, message)
            return
        data = orjson.dumps(message)
        if len(data) + HEADROOM <= self.bus.max_payload:
            self.bus.publish_raw(subject, data, {"Nats-Msg-Id": str(message["id"])})
            return
        batch = PostBatch.from_message(message)
        if len(batch.posts) < 2:
            raise ValueError(
                f"batch {batch.id}: one post is {len(data):,} bytes, over the NATS server's "
                f"max_payload of {self.bus.max_payload:,}; raise max_payload in its config"
            )
        for part in split_batch(batch):
            self.publish(subject, part.to_message())

    def subscribe(self, subject: str, handler: Handler) -> None:
        self.bus.subscribe(subject, handler)

    def drain(self) -> None:
        """Published messages are durable in their streams; workers deliver them."""

    def __getattr__(self, name: str) -> Any:
        return getattr(self.bus, name)
