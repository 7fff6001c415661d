"""The NATS JetStream bus: the same JSON messages as the in-process bus, made
durable between processes and machines.

- One stream per stage subject, work-queue retention on file storage: a slow
  stage makes its stream grow on disk, never a worker's memory.
- One durable pull consumer per stream ("workers"), shared by every worker of
  that stage; each worker pulls one message at a time and acks it explicitly
  after the handler returned, i.e. after the stage's work is durable (the next
  stage's message is acknowledged by the server, or the store committed).
- Unacked messages come back after ``ack_wait``. A handler that fails is
  retried with a growing delay; on its ``max_deliver``-th failure the message
  goes to the dead-letter subject ``hubbub.dlq.<subject>`` with the error and
  its original headers. The consumer allows one delivery more than that, so a
  message that kills its worker every time is dead-lettered on that extra
  delivery without being run again.
- Publishing waits for the server's PubAck and carries ``Nats-Msg-Id`` (the
  batch id), so a stage that republishes after a crash is deduplicated by the
  stream.

nats-py is asyncio; the bus runs its own event loop on a daemon thread and
exposes plain blocking methods, so stages stay plain functions.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

import nats
import nats.errors
import nats.js.errors
import orjson
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)

from hubbub.bus.base import Handler, Message

log = logging.getLogger(__name__)

T = TypeVar("T")

CONSUMER = "workers"
DLQ_PREFIX = "hubbub.dlq."
DLQ_STREAM = "HUBBUB_DLQ"
# headers the bus adds to a dead letter
H_SUBJECT = "Hubbub-Original-Subject"
H_ERROR = "Hubbub-Error"
H_DELIVERIES = "Hubbub-Deliveries"
H_FAILED_AT = "Hubbub-Failed-At"
H_MSG_ID = "Hubbub-Original-Msg-Id"
MSG_ID = "Nats-Msg-Id"

# what a broken or restarting NATS raises; worth retrying
NATS_ERRORS: tuple[type[BaseException], ...] = (nats.errors.Error, TimeoutError, OSError)


# what the server answers for a message sequence that is not (or no longer) there
GONE = (nats.js.errors.NotFoundError, nats.js.errors.BadRequestError)


class BusUnavailable(RuntimeError):
    """NATS did not accept a publish within the publish timeout."""


class PermanentError(Exception):
    """A message no retry can fix (bad JSON, unknown schema version): dead-letter it now."""


def stream_name(subject: str) -> str:
    """``hubbub.posts.ingested`` -> ``HUBBUB_POSTS_INGESTED``."""
    rest = subject.removeprefix("hubbub.")
    return "HUBBUB_" + re.sub(r"[^A-Za-z0-9]+", "_", rest).upper()


def split_servers(urls: str | Sequence[str]) -> list[str]:
    """``nats://a:4222,nats://b:4222`` (HUBBUB_NATS_URL) -> a list for the client."""
    if isinstance(urls, str):
        urls = urls.split(",")
    servers = [u.strip() for u in urls if u.strip()]
    if not servers:
        raise ValueError("no NATS server URL given")
    return servers


@dataclass(frozen=True)
class JetStreamOptions:
    max_deliver: int = 5  # failed attempts before a message is dead-lettered
    ack_wait: float = 30.0  # seconds before an unacked message is redelivered
    duplicate_window: float = 120.0  # seconds a Nats-Msg-Id is remembered
    publish_timeout: float = 60.0  # keep retrying a publish this long while NATS is away
    connect_timeout: float = 30.0
    events_max_age: float = 7 * 24 * 3600.0
    retry_backoff_max: float = 10.0


@dataclass(frozen=True)
class DeadLetter:
    seq: int
    subject: str  # the subject it failed on
    error: str
    deliveries: int
    failed_at: str
    message_id: str | None
    data: bytes
    headers: dict[str, str]

    def to_dict(self, with_message: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "seq": self.seq,
            "subject": self.subject,
            "error": self.error,
            "deliveries": self.deliveries,
            "failed_at": self.failed_at,
            "message_id": self.message_id,
            "size": len(self.data),
        }
        if with_message:
            out["message"] = self.data.decode("utf-8", "replace")
        return out


@dataclass(frozen=True)
class StageLag:
    subject: str
    pending: int  # in the stream, not yet delivered
    in_flight: int  # delivered, not yet acked
    redelivered: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "pending": self.pending,
            "in_flight": self.in_flight,
            "redelivered": self.redelivered,
        }


class JetStreamBus:
    """A Bus over JetStream. ``subscribe`` registers a handler; ``run`` pulls
    and handles until stopped. ``drain`` does nothing: a message is durable in
    its stream when ``publish`` returns, and workers deliver it."""

    def __init__(
        self,
        servers: str | Sequence[str],
        work_subjects: Sequence[str],
        event_subjects: Sequence[str] = (),
        options: JetStreamOptions | None = None,
        name: str = "hubbub",
        configure_consumers: bool = True,
    ) -> None:
        self.servers = split_servers(servers)
        # False on publishers and readers (web nodes, `hubbub status`): they
        # create a missing consumer but never reset the workers' ack wait and
        # delivery limit to their own defaults
        self.configure_consumers = configure_consumers
        self.work_subjects = list(work_subjects)
        self.event_subjects = list(event_subjects)
        self.options = options or JetStreamOptions()
        self._name = name
        self._handlers: dict[str, Handler] = {}
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="hubbub-nats", daemon=True
        )
        self._thread.start()
        self._nc: Client | None = None
        try:
            self._connect()
            self.ensure_topology()
        except BaseException:
            self.close()
            raise

    # -- plumbing -----------------------------------------------------------------

    def _call(self, coro: Coroutine[Any, Any, T], timeout: float | None = 30.0) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(timeout)

    @property
    def js(self) -> JetStreamContext:
        assert self._nc is not None
        return self._nc.jetstream()

    def _connect(self) -> None:
        async def quiet(exc: Exception) -> None:  # the client retries by itself
            log.warning("NATS: %s", exc)

        deadline = time.monotonic() + self.options.connect_timeout
        while True:
            try:
                self._nc = self._call(
                    nats.connect(
                        servers=self.servers,
                        name=self._name,
                        connect_timeout=2,
                        reconnect_time_wait=0.5,
                        max_reconnect_attempts=-1,
                        error_cb=quiet,
                    )
                )
                return
            except NATS_ERRORS as exc:
                if time.monotonic() > deadline:
                    raise BusUnavailable(f"cannot reach NATS at {self.servers}: {exc}") from exc
                time.sleep(0.5)

    def close(self) -> None:
        if self._nc is not None and not self._nc.is_closed:
            try:
                self._call(self._nc.close(), timeout=10)
            except Exception:  # closing a connection to a dead server
                log.debug("closing NATS failed", exc_info=True)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    # -- topology -------------------------------------------------------------

    def _stream_configs(self) -> list[StreamConfig]:
        o = self.options
        configs = [
            StreamConfig(
                name=stream_name(s),
                subjects=[s],
                retention=RetentionPolicy.WORK_QUEUE,
                storage=StorageType.FILE,
                duplicate_window=o.duplicate_window,
            )
            for s in self.work_subjects
        ]
        configs += [
            StreamConfig(
                name=stream_name(s),
                subjects=[s],
                retention=RetentionPolicy.LIMITS,
                storage=StorageType.FILE,
                max_age=o.events_max_age,
                duplicate_window=o.duplicate_window,
            )
            for s in self.event_subjects
        ]
        configs.append(
            StreamConfig(
                name=DLQ_STREAM,
                subjects=[DLQ_PREFIX + ">"],
                retention=RetentionPolicy.LIMITS,
                storage=StorageType.FILE,
                duplicate_window=o.duplicate_window,
            )
        )
        return configs

    def _consumer_config(self) -> ConsumerConfig:
        return ConsumerConfig(
            durable_name=CONSUMER,
            ack_policy=AckPolicy.EXPLICIT,
            ack_wait=self.options.ack_wait,
            # one delivery beyond max_deliver: the one that dead-letters a
            # message whose handler never returned (it killed its worker)
            max_deliver=self.options.max_deliver + 1,
            max_ack_pending=1000,
        )

    def ensure_topology(self) -> None:
        """Create or update the streams and consumers. Idempotent: every worker
        and web node calls it at start-up."""

        async def ensure() -> None:
            js = self.js
            for config in self._stream_configs():
                try:
                    await js.add_stream(config)
                except nats.js.errors.BadRequestError:  # exists with other settings
                    await js.update_stream(config)
            for subject in self.work_subjects:
                stream = stream_name(subject)
                if not self.configure_consumers:
                    try:
                        await js.consumer_info(stream, CONSUMER)
                        continue  # the workers' settings stand
                    except nats.js.errors.NotFoundError:
                        pass
                try:
                    await js.add_consumer(stream, self._consumer_config())
                except nats.js.errors.BadRequestError as exc:
                    # an older server will not update a durable in place: keep it
                    log.warning("consumer %s/%s kept as it is: %s", stream, CONSUMER, exc)

        self._retry(ensure)

    def _retry(self, make: Callable[[], Coroutine[Any, Any, T]]) -> T:
        deadline = time.monotonic() + self.options.publish_timeout
        while True:
            try:
                return self._call(make())
            except NATS_ERRORS as exc:
                if isinstance(exc, nats.errors.MaxPayloadError) or (
                    isinstance(exc, nats.js.errors.APIError)
                    and not isinstance(exc, nats.js.errors.ServiceUnavailableError)
                ):
                    raise  # the request is wrong, not the connection
                if time.monotonic() > deadline:
                    raise BusUnavailable(f"NATS did not answer: {exc!r}") from exc
                time.sleep(0.25)

    # -- the Bus protocol -------------------------------------------------------

    def publish(self, subject: str, message: Message) -> None:
        message_id = message.get("id")
        headers = {MSG_ID: str(message_id)} if message_id else None
        self.publish_raw(subject, orjson.dumps(message), headers)

    def publish_raw(self, subject: str, data: bytes, headers: dict[str, str] | None) -> None:
        """Publish and wait for the stream's acknowledgement (retrying while NATS is away)."""
        self._retry(lambda: self.js.publish(subject, data, timeout=5, headers=headers))

    @property
    def max_payload(self) -> int:
        """The largest message the server accepts (its max_payload, 1 MB by default)."""
        return self._nc.max_payload if self._nc is not None else 1024 * 1024

    def subscribe(self, subject: str, handler: Handler) -> None:
        if subject not in self.work_subjects:
            raise ValueError(f"{subject!r} is not a work subject of this bus")
        self._handlers[subject] = handler

    def drain(self) -> None:
        """Nothing to do: published messages are durable in their streams."""

    # -- consuming --------------------------------------------------------------

    def run(
        self,
        stop: threading.Event,
        concurrency: int = 1,
        is_transient: Callable[[BaseException], bool] = lambda exc: False,
    ) -> None:
        """Pull and handle messages of every subscribed subject until ``stop``
        is set: ``concurrency`` threads per subject."""
        threads = [
            threading.Thread(
                target=self.consume,
                args=(subject, handler, stop, is_transient),
                name=f"consume-{subject}-{i}",
                daemon=True,
            )
            for subject, handler in self._handlers.items()
            for i in range(concurrency)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    def consume(
        self,
        subject: str,
        handler: Handler,
        stop: threading.Event,
        is_transient: Callable[[BaseException], bool] = lambda exc: False,
        idle_wait: float = 1.0,
    ) -> None:
        """One pull loop: fetch a message, handle it, ack it; until ``stop``."""
        stream = stream_name(subject)
        sub = None
        while not stop.is_set():
            try:
                if sub is None:
                    sub = self._call(self.js.pull_subscribe_bind(CONSUMER, stream=stream))
                msgs = self._call(sub.fetch(1, timeout=idle_wait), timeout=idle_wait + 30)
            except NATS_ERRORS as exc:
                if not isinstance(exc, nats.errors.TimeoutError):
                    log.warning("fetching from %s failed: %r", stream, exc)
                    stop.wait(0.5)
                continue
            for msg in msgs:
                self._handle(subject, msg, handler, stop, is_transient)

    def _handle(
        self,
        subject: str,
        msg: Msg,
        handler: Handler,
        stop: threading.Event,
        is_transient: Callable[[BaseException], bool],
    ) -> None:
        deliveries = msg.metadata.num_delivered
        if deliveries > self.options.max_deliver:
            self._dead_letter(
                subject,
                msg,
                f"delivered {deliveries} times without an ack "
                "(it failed, or its worker died or timed out on it)",
            )
            return
        pause = 0.5
        while True:
            try:
                try:
                    message = orjson.loads(msg.data)
                except orjson.JSONDecodeError as exc:
                    raise PermanentError(f"not JSON: {exc}") from exc
                handler(message)
                break
            except Exception as exc:
                if is_transient(exc) and not stop.is_set():
                    # the store or NATS is away: hold on to the message (no
                    # delivery counted against it) and try again
                    log.warning("%s: transient failure, retrying in %.1fs: %r", subject, pause, exc)
                    self._quietly(msg.in_progress())
                    stop.wait(pause)
                    pause = min(pause * 2, 5.0)
                    continue
                if is_transient(exc):
                    self._quietly(msg.nak())
                elif isinstance(exc, PermanentError) or deliveries >= self.options.max_deliver:
                    log.error("%s: dead-lettering a message: %r", subject, exc)
                    self._dead_letter(subject, msg, f"{type(exc).__name__}: {exc}")
                else:
                    log.warning("%s: attempt %d failed: %r", subject, deliveries, exc)
                    delay = min(0.5 * 2**deliveries, self.options.retry_backoff_max)
                    self._quietly(msg.nak(delay=delay))
                return
        # The work is durable (handler returned): only now may the stream forget it.
        # A lost ack means one redelivery, which the stages absorb idempotently.
        self._quietly(msg.ack())

    def _quietly(self, coro: Coroutine[Any, Any, None]) -> None:
        try:
            self._call(coro, timeout=10)
        except NATS_ERRORS as exc:
            log.warning("NATS acknowledgement lost (the message will come back): %r", exc)

    def _dead_letter(self, subject: str, msg: Msg, error: str) -> None:
        meta = msg.metadata
        headers = {k: v for k, v in (msg.headers or {}).items() if k != MSG_ID}
        # a replayed dead letter keeps naming the id it was first published with
        original_id = headers.get(H_MSG_ID) or (msg.headers or {}).get(MSG_ID)
        if original_id:
            headers[H_MSG_ID] = original_id
        headers.update(
            {
                H_SUBJECT: subject,
                # header values are one line
                H_ERROR: " ".join(error.split())[:2000],
                H_DELIVERIES: str(meta.num_delivered),
                H_FAILED_AT: datetime.now(UTC).isoformat(timespec="seconds"),
                MSG_ID: f"dlq:{meta.stream}:{meta.sequence.stream}",
            }
        )
        self.publish_raw(DLQ_PREFIX + subject, msg.data, headers)
        self._quietly(msg.ack())

    # -- dead letters and lag ---------------------------------------------------

    def dead_letters(self, limit: int = 100) -> list[DeadLetter]:
        """The dead letters, oldest first."""

        async def read() -> list[DeadLetter]:
            js = self.js
            state = (await js.stream_info(DLQ_STREAM)).state
            found: list[DeadLetter] = []
            if not state.messages:
                return found
            for seq in range(state.first_seq, state.last_seq + 1):
                if len(found) >= limit:
                    break
                try:
                    raw = await js.get_msg(DLQ_STREAM, seq)
                except GONE:  # replayed or dropped
                    continue
                found.append(_dead_letter(raw.seq or seq, raw.data or b"", raw.headers or {}))
            return found

        return self._retry(read)

    def dead_letter(self, seq: int) -> DeadLetter | None:
        async def read() -> DeadLetter | None:
            try:
                raw = await self.js.get_msg(DLQ_STREAM, seq)
            except GONE:
                return None
            return _dead_letter(seq, raw.data or b"", raw.headers or {})

        return self._retry(read)

    def replay(self, seq: int) -> DeadLetter | None:
        """Publish a dead letter again on its original subject, then remove it.
        The message keeps its id: the stages' idempotence still holds."""
        letter = self.dead_letter(seq)
        if letter is None:
            return None
        headers = {
            k: v
            for k, v in letter.headers.items()
            if k == H_MSG_ID or (not k.startswith("Hubbub-") and k != MSG_ID)
        }
        # a fresh Nats-Msg-Id, or the stream would drop it as a duplicate
        headers[MSG_ID] = f"{letter.message_id or 'msg'}:replay:{seq}:{time.time_ns()}"
        self.publish_raw(letter.subject, letter.data, headers)
        self.drop(seq)
        return letter

    def drop(self, seq: int) -> bool:
        async def delete() -> bool:
            try:
                return await self.js.delete_msg(DLQ_STREAM, seq)
            except GONE:
                return False

        return self._retry(delete)

    def dead_letter_count(self) -> int:
        async def count() -> int:
            return int((await self.js.stream_info(DLQ_STREAM)).state.messages)

        return self._retry(count)

    def lag(self) -> list[StageLag]:
        """Per work subject: messages waiting, in flight, redelivered."""

        async def read() -> list[StageLag]:
            out = []
            for subject in self.work_subjects:
                info = await self.js.consumer_info(stream_name(subject), CONSUMER)
                out.append(
                    StageLag(
                        subject=subject,
                        pending=int(info.num_pending or 0),
                        in_flight=int(info.num_ack_pending or 0),
                        redelivered=int(info.num_redelivered or 0),
                    )
                )
            return out

        return self._retry(read)

    def purge(self) -> None:
        """Empty every stream of this bus (tests, a fresh benchmark)."""

        async def purge() -> None:
            for config in self._stream_configs():
                await self.js.purge_stream(str(config.name))

        self._retry(purge)


def _dead_letter(seq: int, data: bytes, headers: dict[str, str]) -> DeadLetter:
    return DeadLetter(
        seq=seq,
        subject=headers.get(H_SUBJECT, ""),
        error=headers.get(H_ERROR, ""),
        deliveries=int(headers.get(H_DELIVERIES, "0") or 0),
        failed_at=headers.get(H_FAILED_AT, ""),
        message_id=headers.get(H_MSG_ID),
        data=data,
        headers=dict(headers),
    )
