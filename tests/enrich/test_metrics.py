"""SemEval's scores, and the bootstrap interval that says how much a
difference between two models on one file can be trusted."""

from __future__ import annotations

import numpy as np

from hubbub.enrich.training.metrics import macro_recall_interval, score

LABELS = ("negative", "neutral", "positive")


def noisy_predictions(n: int, right: float, seed: int) -> tuple[list[int], list[int]]:
    rng = np.random.default_rng(seed)
    truth = rng.integers(0, 3, n)
    guess = rng.integers(0, 3, n)
    return truth.tolist(), np.where(rng.random(n) < right, truth, guess).tolist()


def test_macro_recall_averages_each_labels_recall() -> None:
    # negative 1/2, neutral 2/2, positive 0/1
    s = score([0, 0, 1, 1, 2], [0, 1, 1, 1, 0], LABELS)
    assert s.recall == {"negative": 0.5, "neutral": 1.0, "positive": 0.0}
    assert s.macro_recall == 0.5
    assert s.confusion == [[1, 1, 0], [0, 2, 0], [1, 0, 0]]


def test_the_interval_holds_the_score_and_narrows_with_more_posts() -> None:
    truth, predicted = noisy_predictions(2000, 0.6, seed=1)
    s = score(truth, predicted, LABELS)
    low, high = s.macro_recall_interval
    assert low < s.macro_recall < high
    # about +-0.02 on 2,000 posts, as measured on the SemEval files
    assert 0.02 < high - low < 0.06
    # the same posts four times over: about half as wide (1/sqrt(4))
    wide = high - low
    low4, high4 = score(truth * 4, predicted * 4, LABELS).macro_recall_interval
    assert 0.35 * wide < high4 - low4 < 0.65 * wide
    # a fixed seed: the same report twice
    cells = np.asarray(truth) * 3 + np.asarray(predicted)
    assert macro_recall_interval(cells, 3) == (low, high)


def test_the_interval_of_perfect_and_of_no_predictions() -> None:
    assert score([0, 1, 2, 2], [0, 1, 2, 2], LABELS).macro_recall_interval == (1.0, 1.0)
    assert score([], [], LABELS).macro_recall_interval == (0.0, 0.0)
