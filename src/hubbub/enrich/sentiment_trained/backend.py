"""The ``minilm`` sentiment backend: the trained model behind the enricher's
backend seam, scoring a whole batch at once."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from hubbub.enrich.sentiment_trained.model import ARTIFACT, LABELS, TrainedSentiment


@cache
def _load(path: Path) -> TrainedSentiment:
    """One copy per process, however many enrichers are built."""
    return TrainedSentiment(path)


class MiniLMBackend:
    name = "minilm"

    def __init__(self, path: Path = ARTIFACT) -> None:
        self.model = _load(path)
        self.version = self.model.version

    def classify(self, texts: Sequence[str]) -> list[dict[str, Any]]:
        """``{"label", "score", "model", "model_version", "probs"}`` per text;
        score = P(positive) - P(negative), in [-1, 1]."""
        results: list[dict[str, Any]] = [
            {"label": "neutral", "score": 0.0, "model": self.name, "model_version": self.version}
            for _ in texts
        ]
        scored = [i for i, text in enumerate(texts) if text and text.strip()]
        if not scored:
            return results
        probs = self.model.predict_proba([texts[i] for i in scored])
        for i, p in zip(scored, probs, strict=True):
            results[i]["label"] = LABELS[int(p.argmax())]
            results[i]["score"] = round(float(p[2] - p[0]), 4)
            results[i]["probs"] = {
                label: round(float(v), 4) for label, v in zip(LABELS, p, strict=True)
            }
        return results

    def score(self, text: str) -> float:
        return float(self.classify([text])[0]["score"])
