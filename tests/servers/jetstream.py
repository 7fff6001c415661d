"""A Jetstream v1 replay server on 127.0.0.1, for tests and benchmarks.

Every connection is sent the frames from the requested ``cursor`` on, as the
real server does, as fast as the client reads them (a synchronous send blocks
once the socket buffer is full); then the connection stays open and quiet.
Frames are encoded once, up front, so serving costs little beside the client.

Run as a script it replays a JSONL file and prints its URL, so a benchmark can
serve from another process (no shared GIL with the client it measures):

    python tests/servers/jetstream.py events.jsonl [--compress]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import zstandard
from websockets.exceptions import ConnectionClosed
from websockets.sync.server import Server, ServerConnection, serve

POST = "app.bsky.feed.post"
# Commits of other collections: a server that ignores wantedCollections, or
# collections added later, still send them; the connector must skip them.
OTHER_COLLECTIONS = (
    "app.bsky.feed.like",
    "app.bsky.feed.repost",
    "app.bsky.graph.follow",
    "app.bsky.actor.profile",
)


def load_events(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


class JetstreamServer:
    """``frames``: events (dicts) or raw frames (str) to send. ``close_after``:
    on the first connection only, close after sending that many frames.
    ``compress``: send each event as a dictionary-less zstd frame."""

    def __init__(
        self,
        frames: Iterable[Any],
        *,
        close_after: int | None = None,
        compress: bool = False,
    ) -> None:
        self.close_after = close_after
        self.compress = compress
        self.paths: list[str] = []
        compressor = zstandard.ZstdCompressor() if compress else None
        # (time_us or None, wire frame): only events with a time_us are skipped by a cursor
        self._wire: list[tuple[int | None, str | bytes]] = []
        for frame in frames:
            stamp = frame.get("time_us") if isinstance(frame, dict) else None
            text = frame if isinstance(frame, str) else json.dumps(frame)
            wire = compressor.compress(text.encode()) if compressor else text
            self._wire.append((stamp if isinstance(stamp, int) else None, wire))
        self._server: Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}"

    def query(self, n: int) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.paths[n]).query)

    def start(self, port: int = 0) -> JetstreamServer:
        self._server = serve(self._handle, "127.0.0.1", port, compression=None)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _handle(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        self.paths.append(connection.request.path)
        first = len(self.paths) == 1
        cursor = self.query(len(self.paths) - 1).get("cursor")
        since = int(cursor[0]) if cursor else 0
        sent = 0
        try:
            for stamp, wire in self._wire:
                if stamp is not None and stamp < since:
                    continue
                if first and self.close_after is not None and sent >= self.close_after:
                    connection.close()
                    return
                connection.send(wire)
                sent += 1
            for _ in connection:  # then stay open and quiet, like a stream with nothing new
                pass
        except ConnectionClosed:
            pass


# -- events in the Jetstream v1 format -------------------------------------------

_OPENERS = (
    "Just pulled my first shot on the new espresso machine",
    "Anyone else think the new Python release is great",
    "Our team is hiring a backend engineer, remote ok",
    "The coffee at this conference is terrible",
    "Open source maintainers deserve better funding",
    "My grinder broke again, third time this year",
    "Reading about the outage at a big cloud provider",
    "Spent the weekend learning Rust and loving it",
    "Nothing beats a flat white on a rainy morning",
    "Is it just me or is the app slow today",
    "Kaffee am Morgen und dann Code schreiben",
    "Quelqu'un a un avis sur les machines à espresso",
)
_FILLER = (
    "honestly", "the", "and", "really", "today", "with", "this", "for", "my", "so",
    "team", "week", "again", "new", "update", "love", "hate", "why", "finally", "still",
)  # fmt: skip
_LANGS: tuple[list[str], ...] = (["en"], ["en"], ["en"], ["en"], ["de"], ["fr"], ["ja"], ["pt"], [])


def synthetic_events(
    n: int, *, start_us: int = 1_783_175_888_000_000, seed: int = 5
) -> list[dict[str, Any]]:
    """``n`` events shaped as a Jetstream server subscribed to posts sends
    them: mostly post creates, some updates and deletes, identity and account
    events, and about 15% commits of other collections. ``time_us`` rises."""
    rng = random.Random(seed)
    dids = [f"did:plc:bench{i:019d}" for i in range(max(1, n // 8))]
    posted: list[tuple[str, str]] = []
    events = []
    for i in range(n):
        did = rng.choice(dids)
        time_us = start_us + i * 200 + rng.randrange(200)
        roll = rng.random()
        if roll < 0.15:
            events.append(_other_commit(did, time_us, i, rng))
        elif roll < 0.18:
            events.append(_identity(did, time_us, i))
        elif roll < 0.20:
            events.append(_account(did, time_us))
        elif roll < 0.23 and posted:
            author, rkey = rng.choice(posted)
            events.append(_commit(author, time_us, "delete", POST, rkey, None))
        elif roll < 0.26 and posted:
            author, rkey = rng.choice(posted)
            events.append(_commit(author, time_us, "update", POST, rkey, _record(rng, time_us)))
        else:
            rkey = f"3l{i:011d}"
            record = _record(rng, time_us)
            if posted and rng.random() < 0.3:
                parent = at(*rng.choice(posted))
                record["reply"] = {
                    "root": {"uri": parent, "cid": "bafy"},
                    "parent": {"uri": parent, "cid": "bafy"},
                }
            events.append(_commit(did, time_us, "create", POST, rkey, record))
            posted.append((did, rkey))
    return events


def restamp(
    events: list[dict[str, Any]], start_us: int, step_us: int = 200
) -> list[dict[str, Any]]:
    """Copies of ``events`` with rising ``time_us`` from ``start_us`` (a real
    capture's stamps interleave; a replay must give the cursor an order)."""
    return [{**e, "time_us": start_us + i * step_us} for i, e in enumerate(events)]


def at(did: str, rkey: str) -> str:
    return f"at://{did}/{POST}/{rkey}"


def _record(rng: random.Random, time_us: int) -> dict[str, Any]:
    words = " ".join(rng.choice(_FILLER) for _ in range(rng.randint(0, 30)))
    text = f"{rng.choice(_OPENERS)} {words}".strip()
    record: dict[str, Any] = {
        "$type": POST,
        "createdAt": _iso(time_us),
        "langs": rng.choice(_LANGS),
        "text": text,
    }
    if rng.random() < 0.2:
        uri = f"https://example.com/article/{rng.randrange(10**6)}"
        record["facets"] = [
            {
                "index": {"byteStart": 0, "byteEnd": 5},
                "features": [{"$type": "app.bsky.richtext.facet#link", "uri": uri}],
            }
        ]
    return record


def _commit(
    did: str, time_us: int, operation: str, collection: str, rkey: str, record: Any
) -> dict[str, Any]:
    commit: dict[str, Any] = {
        "rev": f"3r{time_us}",
        "operation": operation,
        "collection": collection,
        "rkey": rkey,
    }
    if record is not None:
        commit["record"] = record
        commit["cid"] = f"bafyrei{time_us}"
    return {"did": did, "time_us": time_us, "kind": "commit", "commit": commit}


def _other_commit(did: str, time_us: int, i: int, rng: random.Random) -> dict[str, Any]:
    collection = rng.choice(OTHER_COLLECTIONS)
    record = {
        "$type": collection,
        "createdAt": _iso(time_us),
        "subject": {"uri": f"at://{did}/{POST}/3l{i:011d}", "cid": "bafy"},
    }
    return _commit(did, time_us, "create", collection, f"3o{i:011d}", record)


def _identity(did: str, time_us: int, i: int) -> dict[str, Any]:
    identity = {"did": did, "handle": f"user{i}.bsky.social", "seq": i, "time": _iso(time_us)}
    return {"did": did, "time_us": time_us, "kind": "identity", "identity": identity}


def _account(did: str, time_us: int) -> dict[str, Any]:
    account = {"active": True, "did": did, "seq": time_us, "time": _iso(time_us)}
    return {"did": did, "time_us": time_us, "kind": "account", "account": account}


def _iso(time_us: int) -> str:
    return datetime.fromtimestamp(time_us / 1e6, UTC).isoformat().replace("+00:00", "Z")


def main() -> None:
    ap = argparse.ArgumentParser(description="Replay a JSONL file of Jetstream events.")
    ap.add_argument("events", type=Path)
    ap.add_argument("--compress", action="store_true", help="dictionary-less zstd frames")
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    server = JetstreamServer(load_events(args.events), compress=args.compress).start(args.port)
    print(server.url, flush=True)
    sys.stdin.read()  # serve until the parent closes our stdin (or ends us)
    server.stop()


if __name__ == "__main__":
    main()
