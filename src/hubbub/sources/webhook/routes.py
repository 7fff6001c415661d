"""``POST /hooks/{source_id}``: signed deliveries for "webhook" sources.

Embedded (no HUBBUB_NATS_URL): the posts are stored, through the whole
pipeline in this process, before the answer. At scale (a web node beside
`hubbub worker`): the batch is published to the ingest subject and the answer
waits for JetStream's acknowledgement, so workers run the pipeline and the web
node never loads a model. Either way a 202 means durable. See docs/webhook.md
for the payload, the signature and the answers.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlalchemy import Engine, select

from hubbub.actions.sources import record_failure
from hubbub.bus.jetstream import BusUnavailable
from hubbub.config import Settings
from hubbub.pipeline.messages import PostBatch
from hubbub.pipeline.runner import Pipeline
from hubbub.post import Post
from hubbub.sources.base import ConfigError, ItemError
from hubbub.sources.files.schema import RecordError, record_to_post
from hubbub.sources.webhook.connector import DEFAULT_PLATFORM, webhook_secret
from hubbub.sources.webhook.verify import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureError,
    verify,
)
from hubbub.store.credentials import CredentialCipher, CredentialError, reveal_settings
from hubbub.store.tables import sources

MAX_BODY_BYTES = 5 * 1024 * 1024
UNREADABLE_RETRY = 60.0  # seconds; only sets the source's backoff figures
MAX_POSTS = 1_000

router = APIRouter()
# One pipeline per app (building one restores enricher state), one delivery at a time through it.
_pipeline_lock = threading.Lock()
# One connection to NATS per app, opened by the first delivery (publishing is thread-safe).
_queue_lock = threading.Lock()


@router.post("/hooks/{source_id}", include_in_schema=False)
async def receive(source_id: int, request: Request) -> JSONResponse:
    engine: Engine = request.app.state.engine
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_BODY_BYTES:
        return _error(413, f"body over {MAX_BODY_BYTES} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            return _error(413, f"body over {MAX_BODY_BYTES} bytes")

    row = await run_in_threadpool(_webhook_source, engine, source_id)
    if row is None:
        return _error(404, f"no enabled webhook source {source_id}")
    try:
        settings = reveal_settings("webhook", row.settings or {}, _cipher(request), row.name)
    except CredentialError as exc:  # the server's key problem: shown on the source's health
        await run_in_threadpool(record_failure, engine, source_id, str(exc), UNREADABLE_RETRY)
        return _error(503, "this source's secret cannot be read on the server; see its health")
    try:
        secret = webhook_secret(settings)
        verify(
            secret,
            bytes(body),
            request.headers.get(SIGNATURE_HEADER),
            request.headers.get(TIMESTAMP_HEADER),
            now=time.time(),
        )
    except (SignatureError, ConfigError) as exc:
        return _error(401, str(exc))

    try:
        records = _records(json.loads(body))
    except (ValueError, UnicodeDecodeError) as exc:
        return _error(400, f"body is not a post or {{'posts': [...]}}: {exc}")
    platform = (row.settings or {}).get("platform") or DEFAULT_PLATFORM
    posts, errors = _posts(records, platform, source_id)
    rejected = [{"index": index, "error": e.message} for index, e in errors]
    if not posts:
        return JSONResponse({"received": len(records), "stored": 0, "rejected": rejected}, 400)

    batch = PostBatch(posts=posts, errors=[e for _, e in errors], source_id=source_id)
    if request.app.state.settings.nats_url:
        return await _enqueue(request, batch, bytes(body), len(records), rejected)
    stored, duplicates = await run_in_threadpool(_ingest, request, batch)
    answer = {
        "received": len(records),
        "stored": stored,
        "duplicates": duplicates,
        # refused by the pipeline (e.g. a post with no text); see the source's errors
        "dropped": len(posts) - stored - duplicates,
        "rejected": rejected,
    }
    return JSONResponse(answer, status_code=207 if rejected else 202)


def _cipher(request: Request) -> CredentialCipher:
    state = request.app.state
    cipher = getattr(state, "credential_cipher", None)
    if cipher is None:
        cipher = state.credential_cipher = CredentialCipher(state.settings)
    return cipher


def _webhook_source(engine: Engine, source_id: int) -> Any:
    with engine.connect() as conn:
        row = conn.execute(select(sources).where(sources.c.id == source_id)).first()
    if row is None or row.kind != "webhook" or not row.enabled:
        return None
    return row


def _records(payload: Any) -> list[Any]:
    if isinstance(payload, dict) and "posts" in payload:
        records = payload["posts"]
        if not isinstance(records, list):
            raise ValueError("'posts' must be a list")
    elif isinstance(payload, dict):
        records = [payload]
    else:
        raise ValueError(f"expected an object, found {type(payload).__name__}")
    if len(records) > MAX_POSTS:
        raise ValueError(f"at most {MAX_POSTS} posts per delivery")
    return records


def _posts(
    records: list[Any], platform: str, source_id: int
) -> tuple[list[Post], list[tuple[int, ItemError]]]:
    """The records' posts, and (index, error) for each record that is not one."""
    posts: list[Post] = []
    errors: list[tuple[int, ItemError]] = []
    for index, record in enumerate(records):
        item = f"posts[{index}]"
        try:
            post = record_to_post(record, item=item, default_platform=platform)
        except RecordError as exc:
            errors.append((index, ItemError(item, exc.detail)))
            continue
        post.source_id = source_id
        posts.append(post)
    return posts, errors


def _ingest(request: Request, batch: PostBatch) -> tuple[int, int]:
    state = request.app.state
    with _pipeline_lock:
        pipeline = getattr(state, "webhook_pipeline", None)
        if pipeline is None:
            settings: Settings = state.settings
            pipeline = state.webhook_pipeline = Pipeline(state.engine, settings)
        pipeline.stored.clear()
        pipeline.submit(batch)
        events = list(pipeline.stored)
    stored = sum(len(e.post_ids) for e in events)
    return stored, sum(e.duplicates_skipped for e in events)


async def _enqueue(
    request: Request, batch: PostBatch, body: bytes, received: int, rejected: list[dict[str, Any]]
) -> JSONResponse:
    """Scale-out: publish the batch for the workers; answer once JetStream holds it."""
    # The same delivery sent again (a sender retrying after a lost answer) gets
    # the same batch id, which the stream drops as a duplicate; a copy that
    # comes later or differs in bytes is caught by the workers' dedupe stage.
    digest = hashlib.sha256(f"webhook:{batch.source_id}:".encode() + body).hexdigest()
    batch.id = f"webhook-{digest[:32]}"
    try:
        await run_in_threadpool(_publish, request, batch)
    except BusUnavailable:
        return _error(503, "the ingest queue (NATS) is unavailable; send the delivery again")
    except ValueError as exc:  # one post over the NATS server's max_payload
        return _error(413, str(exc))
    answer = {"received": received, "queued": len(batch.posts), "rejected": rejected}
    return JSONResponse(answer, status_code=207 if rejected else 202)


def _publish(request: Request, batch: PostBatch) -> None:
    from hubbub.workers.enqueue import IngestQueue

    state = request.app.state
    with _queue_lock:
        queue = getattr(state, "webhook_queue", None)
        if queue is None:
            queue = state.webhook_queue = IngestQueue(state.settings)
    queue.put(batch)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
