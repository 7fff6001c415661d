"""A compact int64 key -> sequence-number map for the dedup index.

Millions of band keys in a Python dict cost ~80 bytes each; here they live in
two sorted numpy arrays (16 bytes each), with a small dict in front that takes
new keys and is merged in bulk. Lookups return the most recently added
sequence number for a key; entries older than ``min_seq`` are dropped at the
next merge and ignored before it.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

MISSING = -1


class KeyIndex:
    def __init__(self, merge_at: int = 65_536) -> None:
        self.merge_at = merge_at
        self.min_seq = 0
        self._keys = np.empty(0, dtype=np.int64)  # sorted; equal keys in insertion order
        self._seqs = np.empty(0, dtype=np.int64)
        self._recent: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._keys) + len(self._recent)

    def add(self, key: int, seq: int) -> None:
        self.add_many((key,), seq)

    def add_many(self, keys: Iterable[int], seq: int) -> None:
        self._recent.update(dict.fromkeys(keys, seq))
        if len(self._recent) >= self.merge_at:
            self._merge()

    def get(self, key: int) -> int:
        """Most recent live sequence number for ``key``, or MISSING."""
        return self.get_many([key])[0]

    def get_many(self, keys: Iterable[int]) -> list[int]:
        keys = list(keys)
        found = [self._recent.get(k, MISSING) for k in keys]
        absent = [i for i, seq in enumerate(found) if seq < self.min_seq]
        if absent and len(self._keys):
            wanted = np.array([keys[i] for i in absent], dtype=np.int64)
            at = np.searchsorted(self._keys, wanted, side="right") - 1
            hit = (at >= 0) & (self._keys[np.maximum(at, 0)] == wanted)
            seqs = np.where(hit, self._seqs[np.maximum(at, 0)], MISSING)
            for i, seq in zip(absent, seqs.tolist(), strict=True):
                found[i] = seq
        return [seq if seq >= self.min_seq else MISSING for seq in found]

    def _merge(self) -> None:
        recent = sorted(self._recent.items())
        self._recent = {}
        new_keys = np.fromiter((k for k, _ in recent), dtype=np.int64, count=len(recent))
        new_seqs = np.fromiter((s for _, s in recent), dtype=np.int64, count=len(recent))
        # drop evicted entries once they are a quarter of the arrays (copying costs memory)
        stale = np.count_nonzero(self._seqs < self.min_seq)
        if stale and stale * 4 >= len(self._seqs):
            live = self._seqs >= self.min_seq
            self._keys, self._seqs = self._keys[live], self._seqs[live]
        # "right": a new entry goes after older entries of the same key
        at = np.searchsorted(self._keys, new_keys, side="right")
        self._keys = np.insert(self._keys, at, new_keys)
        self._seqs = np.insert(self._seqs, at, new_seqs)
