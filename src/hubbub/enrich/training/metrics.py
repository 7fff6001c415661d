"""Classification scores as SemEval reports them: macro-averaged recall is the
task's official metric (robust to the label mix shifting between years)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np


@dataclass
class Scores:
    macro_recall: float
    macro_f1: float
    accuracy: float
    recall: dict[str, float]
    confusion: list[list[int]]  # rows: true label, columns: predicted, in `labels` order
    labels: list[str]
    count: int
    # 95% bootstrap interval of macro recall: how far another sample of the
    # same size could move it (about +-0.02 on 2,000 tweets)
    macro_recall_interval: tuple[float, float] = (0.0, 0.0)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def summary(self) -> str:
        return (
            f"macro recall {self.macro_recall:.4f} "
            f"[{self.macro_recall_interval[0]:.3f}-{self.macro_recall_interval[1]:.3f}]  macro F1 {self.macro_f1:.4f}  "
            f"accuracy {self.accuracy:.4f}  (n={self.count})"
        )


def confusion_matrix(cells: np.ndarray, k: int) -> np.ndarray:
    """Counts per (true, predicted) pair, from ``true * k + predicted``."""
    return np.bincount(cells, minlength=k * k).reshape(k, k)


def macro_recall(confusion: np.ndarray) -> float:
    support = confusion.sum(1)
    present = support > 0  # a label absent from the truth does not drag the average down
    if not present.any():
        return 0.0
    return float((np.diag(confusion)[present] / support[present]).mean())


def score(truth: Sequence[int], predicted: Sequence[int], labels: Sequence[str]) -> Scores:
    k = len(labels)
    cells = np.asarray(truth, dtype=np.int64) * k + np.asarray(predicted, dtype=np.int64)
    confusion = confusion_matrix(cells, k)
    support = confusion.sum(1)
    predicted_count = confusion.sum(0)
    hits = np.diag(confusion).astype(np.float64)
    recall = np.divide(hits, support, out=np.zeros(k), where=support > 0)
    precision = np.divide(hits, predicted_count, out=np.zeros(k), where=predicted_count > 0)
    f1 = np.divide(
        2 * precision * recall, precision + recall, out=np.zeros(k), where=precision + recall > 0
    )
    present = support > 0
    total = int(confusion.sum())
    return Scores(
        macro_recall=macro_recall(confusion),
        macro_f1=float(f1[present].mean()) if present.any() else 0.0,
        accuracy=float(hits.sum() / total) if total else 0.0,
        recall={label: float(r) for label, r in zip(labels, recall, strict=True)},
        confusion=confusion.tolist(),
        labels=list(labels),
        count=total,
        macro_recall_interval=macro_recall_interval(cells, k),
    )


def macro_recall_interval(
    cells: np.ndarray, k: int, rounds: int = 1000, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap (95%) of macro recall over the posts' ``true * k +
    predicted`` cells: resampled with replacement ``rounds`` times, with a
    fixed seed so a report repeats."""
    if cells.size == 0:
        return (0.0, 0.0)
    rng = np.random.default_rng(seed)
    values = [
        macro_recall(confusion_matrix(cells[rng.integers(0, cells.size, cells.size)], k))
        for _ in range(rounds)
    ]
    low, high = np.percentile(values, [2.5, 97.5])
    return (float(low), float(high))
