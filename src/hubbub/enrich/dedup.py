"""Exact and near-duplicate detection (stateful).

Text is normalised (casefold, URLs removed, only words kept). Exact duplicates
share the hash of the normalised text. Near-duplicates are found by MinHash
over 3-word shingles with LSH banding, and confirmed when the estimated Jaccard
similarity reaches ``settings.dedup_threshold``. Texts under MIN_WORDS words
only get exact detection.

Result::

    {"cluster": "<hex key of the cluster's first member>",
     "duplicate_of": "<platform>:<external_id> of the first member, or None",
     "similarity": <1.0 exact, estimated Jaccard for near, 0.0 when not a duplicate>,
     "exact": <bool>,
     "key": "<hex hash of this post's normalised text>" or None,
     "signature": "<base64 of the 128-byte MinHash>" or None}

``key`` and ``signature`` are the state ``restore`` rebuilds the index from.

Memory is bounded: the index holds the most recent ``max_posts`` posts
(default 200,000; measured ~120 MB RSS at that size); older ones are evicted and can no
longer be matched.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from hubbub.enrich.key_index import MISSING, KeyIndex
from hubbub.enrich.minhash import (
    MAX_WORDS,
    NUM_PERM,
    WordHasher,
    hash64,
    shingle_hashes,
    signatures,
    similarity,
    words_of,
)
from hubbub.hookspecs import hookimpl
from hubbub.post import Post

MIN_WORDS = 5
MAX_POSTS = 200_000
BAND_ROWS = 4
# LSH should catch a pair at the threshold with at least this probability;
# candidates are then checked against the full signature.
BAND_RECALL = 0.995


def band_count(threshold: float, rows: int = BAND_ROWS, recall: float = BAND_RECALL) -> int:
    """Bands of ``rows`` signature values needed so that two posts with Jaccard
    ``threshold`` share at least one band with probability ``recall``."""
    p_band = max(threshold, 0.05) ** rows
    needed = math.ceil(math.log(1.0 - recall) / math.log(1.0 - p_band)) if p_band < 1 else 1
    return max(1, min(NUM_PERM // rows, needed))


def _signed64(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


@dataclass
class _Prepared:
    """What one post contributes before it is matched against the index."""

    ref: str
    key: int | None  # None: no words at all
    signature: np.ndarray | None  # None: too short for near-dup detection
    band_keys: list[int] | None = None


class DedupEnricher:
    name = "dedup"
    version = "1"
    requires: tuple[str, ...] = ()

    def __init__(self, threshold: float = 0.8, max_posts: int = MAX_POSTS) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"dedup threshold must be in (0, 1], got {threshold}")
        self.threshold = threshold
        self.max_posts = max_posts
        self.bands = band_count(threshold)
        self._words = WordHasher()
        self._seq = 0  # sequence number of the next post indexed
        self._exact = KeyIndex()
        self._near = KeyIndex()
        # ring buffer over the last max_posts posts, slot = seq % max_posts
        self._signatures = np.zeros((max_posts, NUM_PERM), dtype=np.uint8)
        self._refs: list[str | None] = [None] * max_posts
        self._clusters: list[str | None] = [None] * max_posts
        self._roots: list[str | None] = [None] * max_posts  # first member's ref, shared per cluster

    # -- the Enricher protocol -------------------------------------------------

    def enrich(self, posts: Sequence[Post]) -> list[dict[str, Any]]:
        prepared = self._prepare(posts)
        return [self._match_and_index(p) for p in prepared]

    def restore(self, history: Iterable[tuple[Post, dict[str, Any]]]) -> None:
        """Rebuild the index from stored results, oldest first. A result this
        version can't read is recomputed from the post's text (no matching)."""
        for post, result in history:
            try:
                prepared = _from_result(post, result)
                if prepared.signature is not None:
                    prepared.band_keys = self._band_keys(prepared.signature[None, :])[0]
                cluster, root = str(result["cluster"]), result.get("duplicate_of") or prepared.ref
            except (KeyError, TypeError, ValueError):
                prepared = self._prepare([post])[0]
                cluster, root = self._own_cluster(prepared), prepared.ref
            if prepared.key is not None:
                self._index(prepared, cluster, str(root))

    # -- internals ---------------------------------------------------------------

    def _prepare(self, posts: Sequence[Post]) -> list[_Prepared]:
        prepared: list[_Prepared] = []
        word_hashes: list[np.ndarray] = []
        needs_signature: list[int] = []
        for i, post in enumerate(posts):
            ref = f"{post.platform}:{post.external_id}"
            words = words_of(post.text or "")
            if not words:
                prepared.append(_Prepared(ref, None, None))
                continue
            prepared.append(_Prepared(ref, hash64(" ".join(words)), None))
            if len(words) >= MIN_WORDS:
                word_hashes.append(self._words.hashes(words[:MAX_WORDS]))
                needs_signature.append(i)
        if word_hashes:
            found = signatures(shingle_hashes(word_hashes))
            band_keys = self._band_keys(found)
            for i, signature, keys in zip(needs_signature, found, band_keys, strict=True):
                prepared[i].signature, prepared[i].band_keys = signature, keys
        return prepared

    def _match_and_index(self, post: _Prepared) -> dict[str, Any]:
        if post.key is None:
            # nothing to compare (emoji only, empty): its own cluster, never indexed
            return _result(self._own_cluster(post), None, 0.0, False, post)

        seq = self._exact.get(_signed64(post.key))
        if seq != MISSING:
            slot = seq % self.max_posts
            cluster, root = self._clusters[slot], self._roots[slot]
            assert cluster is not None and root is not None
            if self._refs[slot] == post.ref:  # the same post enriched again
                return _result(cluster, None if root == post.ref else root, 0.0, False, post)
            self._index(post, cluster, root)
            return _result(cluster, root, 1.0, True, post)

        if post.signature is not None:
            best = self._best_near_match(post)
            if best is not None:
                slot, score = best
                cluster, root = self._clusters[slot], self._roots[slot]
                assert cluster is not None and root is not None
                if self._refs[slot] != post.ref:
                    self._index(post, cluster, root)
                    return _result(cluster, root, score, False, post)

        cluster = self._own_cluster(post)
        self._index(post, cluster, post.ref)
        return _result(cluster, None, 0.0, False, post)

    def _best_near_match(self, post: _Prepared) -> tuple[int, float] | None:
        assert post.signature is not None and post.band_keys is not None
        signature = post.signature
        seqs = {s for s in self._near.get_many(post.band_keys) if s != MISSING}
        if not seqs:
            return None
        slots = np.fromiter((s % self.max_posts for s in seqs), dtype=np.int64, count=len(seqs))
        scores = similarity(signature, self._signatures[slots])
        best = int(scores.argmax())
        if scores[best] < self.threshold:
            return None
        return int(slots[best]), round(float(scores[best]), 3)

    def _band_keys(self, signatures: np.ndarray) -> list[list[int]]:
        """Per signature, one int64 per band: the band's number in the high bits,
        its BAND_ROWS bytes in the low 32."""
        rows = signatures[:, : self.bands * BAND_ROWS].reshape(
            len(signatures), self.bands, BAND_ROWS
        )
        values = rows.astype(np.int64) @ (
            np.int64(1) << np.arange(8 * (BAND_ROWS - 1), -1, -8, dtype=np.int64)
        )
        keys: list[list[int]] = (values + (np.arange(self.bands, dtype=np.int64) << 32)).tolist()
        return keys

    def _index(self, post: _Prepared, cluster: str, root: str) -> None:
        assert post.key is not None
        seq = self._seq
        self._seq += 1
        slot = seq % self.max_posts
        # the slot's previous occupant is evicted: keys pointing at it go stale
        self._exact.min_seq = self._near.min_seq = max(0, seq + 1 - self.max_posts)
        self._refs[slot], self._clusters[slot], self._roots[slot] = post.ref, cluster, root
        self._exact.add(_signed64(post.key), seq)
        if post.signature is None or post.band_keys is None:
            return
        self._signatures[slot] = post.signature
        self._near.add_many(post.band_keys, seq)

    def _own_cluster(self, post: _Prepared) -> str:
        return f"{post.key if post.key is not None else hash64(post.ref):016x}"


def _result(
    cluster: str, duplicate_of: str | None, score: float, exact: bool, post: _Prepared
) -> dict[str, Any]:
    return {
        "cluster": cluster,
        "duplicate_of": duplicate_of,
        "similarity": score,
        "exact": exact,
        "key": f"{post.key:016x}" if post.key is not None else None,
        "signature": base64.b64encode(post.signature.tobytes()).decode("ascii")
        if post.signature is not None
        else None,
    }


def _from_result(post: Post, result: dict[str, Any]) -> _Prepared:
    """The state a stored result carries; raises KeyError/ValueError/TypeError if unreadable."""
    ref = f"{post.platform}:{post.external_id}"
    key = int(result["key"], 16) if result["key"] is not None else None
    signature = None
    if result.get("signature") is not None:
        raw = base64.b64decode(result["signature"], validate=True)
        if len(raw) != NUM_PERM:
            raise ValueError("signature of the wrong size")
        signature = np.frombuffer(raw, dtype=np.uint8)
    return _Prepared(ref, key, signature)


@hookimpl
def hubbub_enrichers(settings: Any) -> list[Any]:
    return [DedupEnricher(threshold=settings.dedup_threshold)]
