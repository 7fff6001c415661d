"""Intents: what a post is doing (complaining, asking, praising, about to buy...).

A post gets every label whose score reaches that label's threshold, so it can
have several (a bug report that is also a complaint). ``other`` is given only
when nothing else is, and a post that reaches no threshold gets its most likely
label, so every post with text has at least one.

Model: one logistic regression per label over two views of the text, trained by
``hubbub train intent`` on ``data/intents``: the shared sentence embedding
(``enrich.embeddings``, what the post means) next to TF-IDF of its words and
punctuation (cues such as "hiring", "crash", "please add", "?", "!!!" that
carry across industries). Together they score well above either alone on the
held-out industries (see data/intents/README.md). The trained model is a small
JSON file (vocabulary, weights, biases, thresholds): no pickle, readable by
anything. Inference is numpy on top of the embeddings; scikit-learn is needed
only to train.

Result, stored under the enricher name ``intents``::

    {"labels": ["bug_report", "complaint"],
     "scores": {"complaint": 0.91, "bug_report": 0.88, ...every label...},
     "model": "<model version>"}

People's corrections are stored the same way with ``"model": "human"`` (see
``actions.intents``); the listening filter ``intent:complaint`` reads ``labels``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hubbub.hookspecs import hookimpl
from hubbub.post import Post

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from numpy.typing import NDArray

ENRICHER = "intents"
HUMAN = "human"
OTHER = "other"
LABELS: tuple[str, ...] = (
    "complaint",
    "question",
    "praise",
    "purchase_intent",
    "feature_request",
    "bug_report",
    "recruiting",
    "spam",
    OTHER,
)
PACKAGED_MODEL = Path(__file__).with_name("models") / "intent.json"
FORMAT = 1
# words of two or more characters, and every other non-space character on its
# own: "?", "!", "$", emoji
TOKEN_RE = re.compile(r"\w\w+|[^\w\s]")
MAX_TOKEN_CHARS = 4_000


def tokens(text: str) -> list[str]:
    return TOKEN_RE.findall(text[:MAX_TOKEN_CHARS].lower())


def tfidf(
    texts: Sequence[str], index: dict[str, int], idf: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Rows of sublinear TF-IDF over a fixed vocabulary, each of unit length
    (words outside the vocabulary are ignored)."""
    matrix = np.zeros((len(texts), len(index)))
    for row, text in enumerate(texts):
        counts = Counter(i for t in tokens(text) if (i := index.get(t)) is not None)
        for column, count in counts.items():
            matrix[row, column] = (1.0 + math.log(count)) * idf[column]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return matrix / np.where(norms > 0, norms, 1.0)


class IntentModelError(ValueError):
    """A model file that is missing, not JSON, or not an intent model."""


@dataclass(frozen=True)
class IntentModel:
    labels: tuple[str, ...]
    vocabulary: tuple[str, ...]
    idf: NDArray[np.float64]  # (vocabulary,)
    # (labels, vocabulary + embedding dimensions): TF-IDF columns first
    weights: NDArray[np.float64]
    bias: NDArray[np.float64]  # (labels,)
    thresholds: NDArray[np.float64]  # (labels,)
    embedding: str
    # what it was trained on and how it scored (shown by `hubbub eval intent`)
    trained: dict[str, Any]

    @cached_property
    def version(self) -> str:
        """``intent-<hash>`` of the labels, vocabulary and numbers, so two models
        that decide alike share a version and any change shows."""
        digest = hashlib.sha256()
        digest.update(json.dumps([self.labels, self.vocabulary, self.embedding]).encode())
        for array in (self.idf, self.weights, self.bias, self.thresholds):
            digest.update(np.ascontiguousarray(array, dtype="<f8").tobytes())
        return "intent-" + digest.hexdigest()[:12]

    def rounded(self) -> IntentModel:
        """The model as its JSON file stores it. Rounding makes retraining on the
        same data write the same bytes even if the last bits of a float differ
        between BLAS builds; it changes no decision that matters."""
        return IntentModel(
            self.labels,
            self.vocabulary,
            _round(self.idf, 6),
            _round(self.weights, 6),
            _round(self.bias, 6),
            _round(self.thresholds, 4),
            self.embedding,
            self.trained,
        )

    def features(self, texts: Sequence[str], vectors: NDArray[np.float32]) -> NDArray[np.float64]:
        return np.hstack([tfidf(texts, self._index, self.idf), vectors.astype(np.float64)])

    @cached_property
    def _index(self) -> dict[str, int]:
        return {token: i for i, token in enumerate(self.vocabulary)}

    def scores(self, texts: Sequence[str], vectors: NDArray[np.float32]) -> NDArray[np.float64]:
        """Probabilities, shape ``(len(texts), len(labels))``; ``vectors`` are the
        texts' sentence embeddings."""
        logits = self.features(texts, vectors) @ self.weights.T + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(logits, -40.0, 40.0)))

    def decide(self, scores: NDArray[np.float64], threshold: float | None = None) -> list[str]:
        """Labels for one post's scores, most likely first. ``threshold`` replaces
        the per-label thresholds tuned in training."""
        limits = self.thresholds if threshold is None else np.full(len(self.labels), threshold)
        order = np.argsort(-scores, kind="stable")
        chosen = [self.labels[i] for i in order if scores[i] >= limits[i]]
        if len(chosen) > 1 and OTHER in chosen:
            chosen.remove(OTHER)
        return chosen or [self.labels[int(order[0])]]

    def to_json(self) -> str:
        model = self.rounded()
        document = {
            "format": FORMAT,
            "version": model.version,
            "labels": list(model.labels),
            "vocabulary": list(model.vocabulary),
            "idf": model.idf.tolist(),
            "embedding": model.embedding,
            "thresholds": model.thresholds.tolist(),
            "bias": model.bias.tolist(),
            "weights": model.weights.tolist(),
            "trained": model.trained,
        }
        return json.dumps(document, indent=1, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> IntentModel:
        try:
            doc = json.loads(text)
            if doc.get("format") != FORMAT:
                raise IntentModelError(f"unknown intent model format {doc.get('format')!r}")
            labels = tuple(str(label) for label in doc["labels"])
            vocabulary = tuple(str(token) for token in doc["vocabulary"])
            idf = np.asarray(doc["idf"], dtype=np.float64)
            weights = np.asarray(doc["weights"], dtype=np.float64)
            bias = np.asarray(doc["bias"], dtype=np.float64)
            thresholds = np.asarray(doc["thresholds"], dtype=np.float64)
            embedding = str(doc["embedding"])
            trained = dict(doc.get("trained") or {})
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            if isinstance(exc, IntentModelError):
                raise
            raise IntentModelError(f"not an intent model: {exc}") from exc
        k = len(labels)
        if weights.ndim != 2 or weights.shape[0] != k or bias.shape != (k,):
            raise IntentModelError("intent model arrays do not match its labels")
        if thresholds.shape != (k,):
            raise IntentModelError("intent model needs one threshold per label")
        if idf.shape != (len(vocabulary),) or weights.shape[1] <= len(vocabulary):
            raise IntentModelError("intent model arrays do not match its vocabulary")
        return cls(labels, vocabulary, idf, weights, bias, thresholds, embedding, trained)


def _round(array: NDArray[np.float64], places: int) -> NDArray[np.float64]:
    # Python's round() is correctly rounded, so the value read back from the
    # JSON text is exactly the value hashed into the version
    return np.array([round(float(v), places) for v in array.ravel()]).reshape(array.shape)


def load_model(path: Path | str | None = None) -> IntentModel:
    """The model at ``path``, or the packaged one."""
    file = Path(path) if path else PACKAGED_MODEL
    try:
        changed = file.stat().st_mtime_ns
    except OSError as exc:
        raise IntentModelError(f"cannot read intent model {file}: {exc.strerror}") from exc
    return _load_model(file, changed)


@lru_cache(maxsize=8)
def _load_model(file: Path, changed: int) -> IntentModel:
    # one parse per file version: the pipeline asks for its enrichers often
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise IntentModelError(f"cannot read intent model {file}: {exc.strerror}") from exc
    return IntentModel.from_json(text)


def workspace_model_path(home: Path) -> Path:
    """Where ``hubbub train intent`` writes a workspace's own model."""
    return home / "models" / "intent.json"


def model_path_for(settings: Any) -> Path:
    """``settings.intent_model`` if set, else the workspace's trained model if
    there is one, else the packaged model."""
    configured = getattr(settings, "intent_model", None)
    if configured:
        return Path(configured).expanduser()
    home = getattr(settings, "home", None)
    if home is not None and workspace_model_path(Path(home)).exists():
        return workspace_model_path(Path(home))
    return PACKAGED_MODEL


def classify(
    model: IntentModel, texts: Sequence[str], threshold: float | None = None
) -> list[dict[str, Any]]:
    """One result per text (see the module doc); blank texts get no labels."""
    from hubbub.enrich.embeddings import encode

    version = model.version
    results: list[dict[str, Any]] = [{"labels": [], "scores": {}, "model": version} for _ in texts]
    wanted = [i for i, t in enumerate(texts) if t and t.strip()]
    if not wanted:
        return results
    chosen = [texts[i] for i in wanted]
    scores = model.scores(chosen, encode(chosen))
    for row, i in zip(scores, wanted, strict=True):
        results[i] = {
            "labels": model.decide(row, threshold),
            "scores": {
                label: round(float(p), 4) for label, p in zip(model.labels, row, strict=True)
            },
            "model": version,
        }
    return results


def post_text(post: Post) -> str:
    # a Reddit or blog title often carries the intent ("Ask: ...", "Bug: ...")
    if post.title and post.title not in post.text:
        return f"{post.title}\n{post.text}"
    return post.text


class IntentEnricher:
    name = ENRICHER
    requires: tuple[str, ...] = ()

    def __init__(self, model: IntentModel, threshold: float | None = None) -> None:
        self.model = model
        self.version = model.version
        self.threshold = threshold

    def enrich(self, posts: Sequence[Post]) -> list[dict[str, Any]]:
        return classify(self.model, [post_text(p) for p in posts], self.threshold)


@hookimpl
def hubbub_enrichers(settings: Any) -> list[Any]:
    if settings is not None and not getattr(settings, "intent_enabled", True):
        return []
    from hubbub.enrich import embeddings

    embeddings.set_threads(getattr(settings, "embedding_threads", 0) or 0)
    path = model_path_for(settings)
    model = load_model(path)
    if model.embedding != embeddings.model_id():
        # still usable (the vectors are close), but its thresholds were tuned on others
        log.warning(
            "intent model %s was trained on %s vectors, this process makes %s: "
            "retrain it with `hubbub train intent`",
            path,
            model.embedding,
            embeddings.model_id(),
        )
    return [IntentEnricher(model, getattr(settings, "intent_threshold", None))]
