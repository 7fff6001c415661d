"""Training and scoring the intent model (``hubbub train intent`` / ``hubbub eval intent``).

Labelled data is JSONL, one post a line: ``{"text", "labels": [...], "platform",
"industry"}`` (``data/intents/README.md``). Training embeds the texts, builds the
TF-IDF vocabulary (tokens in at least ``MIN_DF`` posts), picks the
regularisation strength and one threshold per label by k-fold cross-validation
on the training file only (the held-out file is never seen; each fold builds
its own vocabulary), then fits one logistic regression per label on all of it. Everything is seeded, so the same
data and seed write the same model file.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hubbub.enrich.intent import LABELS, OTHER, IntentModel, tfidf, tokens

if TYPE_CHECKING:
    from numpy.typing import NDArray

C_GRID = (2.0, 4.0, 8.0)
MIN_DF = 2
THRESHOLD_GRID = tuple(round(t, 2) for t in np.arange(0.1, 0.91, 0.05))
DEFAULT_SEED = 7
DEFAULT_FOLDS = 5


class DataError(ValueError):
    """Labelled data that cannot be used, naming the file and line."""


@dataclass(frozen=True)
class Example:
    text: str
    labels: tuple[str, ...]
    platform: str = ""
    industry: str = ""


def parse_labels(raw: Any, where: str) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw:
        raise DataError(f"{where}: 'labels' must be a non-empty list")
    labels = []
    for label in raw:
        if label not in LABELS:
            raise DataError(f"{where}: unknown intent {label!r}; known: {', '.join(LABELS)}")
        if label not in labels:
            labels.append(label)
    if OTHER in labels and len(labels) > 1:
        raise DataError(f"{where}: 'other' cannot be combined with other labels")
    return tuple(labels)


def read_examples(path: Path) -> list[Example]:
    """Every example in a JSONL file; the first bad line raises DataError."""
    examples = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DataError(f"cannot read {path}: {exc.strerror}") from exc
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path.name} line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{where}: not JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise DataError(f"{where}: expected an object")
        text = record.get("text")
        if not isinstance(text, str) or not text.strip():
            raise DataError(f"{where}: 'text' must be a non-empty string")
        examples.append(
            Example(
                text=text,
                labels=parse_labels(record.get("labels"), where),
                platform=str(record.get("platform") or ""),
                industry=str(record.get("industry") or ""),
            )
        )
    if not examples:
        raise DataError(f"{path}: no examples")
    return examples


def label_matrix(examples: Sequence[Example], labels: Sequence[str] = LABELS) -> NDArray[np.int8]:
    index = {label: i for i, label in enumerate(labels)}
    y = np.zeros((len(examples), len(labels)), dtype=np.int8)
    for row, example in enumerate(examples):
        for label in example.labels:
            y[row, index[label]] = 1
    return y


def data_digest(examples: Iterable[Example]) -> str:
    digest = hashlib.sha256()
    for e in examples:
        digest.update(json.dumps([e.text, sorted(e.labels)], ensure_ascii=False).encode())
    return digest.hexdigest()[:16]


# -- fitting -------------------------------------------------------------------


def build_vocabulary(
    texts: Sequence[str], min_df: int = MIN_DF
) -> tuple[tuple[str, ...], NDArray[np.float64]]:
    """Tokens in at least ``min_df`` texts, sorted, with their smoothed IDF."""
    df: dict[str, int] = {}
    for text in texts:
        for token in set(tokens(text)):
            df[token] = df.get(token, 0) + 1
    vocabulary = tuple(sorted(t for t, n in df.items() if n >= min_df))
    n = len(texts)
    idf = np.array([math.log((1 + n) / (1 + df[t])) + 1.0 for t in vocabulary])
    return vocabulary, idf


def _features(
    texts: Sequence[str],
    vectors: NDArray[np.float32],
    vocabulary: tuple[str, ...],
    idf: NDArray[np.float64],
) -> NDArray[np.float64]:
    index = {token: i for i, token in enumerate(vocabulary)}
    return np.hstack([tfidf(texts, index, idf), vectors.astype(np.float64)])


def _fit(
    x: NDArray[np.float64], y: NDArray[np.int8], c: float, seed: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    from sklearn.linear_model import LogisticRegression

    weights = np.zeros((y.shape[1], x.shape[1]))
    bias = np.zeros(y.shape[1])
    for j in range(y.shape[1]):
        if y[:, j].min() == y[:, j].max():
            # a label absent from (or universal in) this fold: a constant guess
            bias[j] = 8.0 if y[0, j] else -8.0
            continue
        clf = LogisticRegression(C=c, class_weight="balanced", max_iter=2000, random_state=seed)
        clf.fit(x, y[:, j])
        weights[j] = clf.coef_[0]
        bias[j] = clf.intercept_[0]
    return weights, bias


def _probabilities(
    x: NDArray[np.float64], weights: NDArray[np.float64], bias: NDArray[np.float64]
) -> NDArray[np.float64]:
    logits = x @ weights.T + bias
    return 1.0 / (1.0 + np.exp(-np.clip(logits, -40.0, 40.0)))


def _f1(truth: NDArray[np.int8], predicted: NDArray[np.bool_]) -> float:
    tp = int(np.sum(predicted & (truth == 1)))
    fp = int(np.sum(predicted & (truth == 0)))
    fn = int(np.sum(~predicted & (truth == 1)))
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def _fold_features(
    texts: Sequence[str], vectors: NDArray[np.float32], folds: int, seed: int
) -> list[tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]]:
    """Per fold: train rows, test rows and their features over the train rows' vocabulary."""
    from sklearn.model_selection import KFold

    splits = []
    for train_idx, test_idx in KFold(folds, shuffle=True, random_state=seed).split(vectors):
        vocabulary, idf = build_vocabulary([texts[i] for i in train_idx])
        x_train = _features([texts[i] for i in train_idx], vectors[train_idx], vocabulary, idf)
        x_test = _features([texts[i] for i in test_idx], vectors[test_idx], vocabulary, idf)
        splits.append((train_idx, test_idx, x_train, x_test))
    return splits


def _out_of_fold(
    splits: list[
        tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]
    ],
    y: NDArray[np.int8],
    c: float,
    seed: int,
) -> NDArray[np.float64]:
    oof = np.zeros(y.shape, dtype=np.float64)
    for train_idx, test_idx, x_train, x_test in splits:
        weights, bias = _fit(x_train, y[train_idx], c, seed)
        oof[test_idx] = _probabilities(x_test, weights, bias)
    return oof


def tune_thresholds(y: NDArray[np.int8], probabilities: NDArray[np.float64]) -> NDArray[np.float64]:
    """Per label, the grid threshold with the best F1 (ties: nearest 0.5)."""
    best = np.full(y.shape[1], 0.5)
    for j in range(y.shape[1]):
        scored = [
            (_f1(y[:, j], probabilities[:, j] >= t), -abs(t - 0.5), t) for t in THRESHOLD_GRID
        ]
        best[j] = max(scored)[2]
    return best


@dataclass
class TrainingResult:
    model: IntentModel
    cv_report: EvalReport
    cv_by_c: dict[float, float] = field(default_factory=dict)


def train(
    examples: Sequence[Example],
    *,
    seed: int = DEFAULT_SEED,
    folds: int = DEFAULT_FOLDS,
    corrections: int = 0,
) -> TrainingResult:
    """Cross-validate on ``examples``, then fit on all of them."""
    from hubbub.enrich.embeddings import encode, model_id

    if len(examples) < folds * 2:
        raise DataError(f"need at least {folds * 2} examples to train, got {len(examples)}")
    texts = [e.text for e in examples]
    vectors = encode(texts)
    y = label_matrix(examples)
    splits = _fold_features(texts, vectors, folds, seed)
    by_c: dict[float, float] = {}
    oof_by_c: dict[float, NDArray[np.float64]] = {}
    for c in C_GRID:
        oof = _out_of_fold(splits, y, c, seed)
        thresholds = tune_thresholds(y, oof)
        oof_by_c[c] = oof
        by_c[c] = float(
            np.mean([_f1(y[:, j], oof[:, j] >= thresholds[j]) for j in range(y.shape[1])])
        )
    best_c = max(C_GRID, key=lambda c: (round(by_c[c], 6), -c))
    thresholds = tune_thresholds(y, oof_by_c[best_c])
    vocabulary, idf = build_vocabulary(texts)
    weights, bias = _fit(_features(texts, vectors, vocabulary, idf), y, best_c, seed)
    trained = {
        "examples": len(examples),
        "corrections": corrections,
        "data": data_digest(examples),
        "seed": seed,
        "folds": folds,
        "C": best_c,
        "cv_macro_f1": round(by_c[best_c], 4),
    }
    model = IntentModel(
        LABELS, vocabulary, idf, weights, bias, thresholds, model_id(), trained
    ).rounded()
    # the CV report uses the same decision rule as the model (other only alone)
    cv_predictions = [model.decide(row) for row in oof_by_c[best_c]]
    report = score(examples, cv_predictions, LABELS)
    return TrainingResult(model=model, cv_report=report, cv_by_c=by_c)


# -- scoring -------------------------------------------------------------------


@dataclass(frozen=True)
class LabelScore:
    label: str
    precision: float
    recall: float
    f1: float
    support: int
    predicted: int


@dataclass(frozen=True)
class EvalReport:
    per_label: list[LabelScore]
    macro_f1: float
    micro_f1: float
    exact_match: float
    examples: int
    # confusion[true][predicted]: posts with that true label given that predicted label
    confusion: dict[str, dict[str, int]]

    def as_dict(self) -> dict[str, Any]:
        return {
            "examples": self.examples,
            "macro_f1": round(self.macro_f1, 4),
            "micro_f1": round(self.micro_f1, 4),
            "exact_match": round(self.exact_match, 4),
            "labels": {
                s.label: {
                    "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4),
                    "f1": round(s.f1, 4),
                    "support": s.support,
                    "predicted": s.predicted,
                }
                for s in self.per_label
            },
            "confusion": self.confusion,
        }


def score(
    examples: Sequence[Example], predictions: Sequence[Sequence[str]], labels: Sequence[str]
) -> EvalReport:
    per_label = []
    tp_all = fp_all = fn_all = 0
    for label in labels:
        truth = np.array([label in e.labels for e in examples])
        guess = np.array([label in p for p in predictions])
        tp = int(np.sum(truth & guess))
        fp = int(np.sum(~truth & guess))
        fn = int(np.sum(truth & ~guess))
        tp_all, fp_all, fn_all = tp_all + tp, fp_all + fp, fn_all + fn
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per_label.append(LabelScore(label, precision, recall, f1, tp + fn, tp + fp))
    present = [s for s in per_label if s.support]
    confusion = {t: {p: 0 for p in labels} for t in labels}
    for example, predicted in zip(examples, predictions, strict=True):
        for t in example.labels:
            for p in predicted:
                confusion[t][p] += 1
    exact = sum(set(e.labels) == set(p) for e, p in zip(examples, predictions, strict=True))
    return EvalReport(
        per_label=per_label,
        macro_f1=float(np.mean([s.f1 for s in present])) if present else 0.0,
        micro_f1=2 * tp_all / (2 * tp_all + fp_all + fn_all) if tp_all else 0.0,
        exact_match=exact / len(examples) if examples else 0.0,
        examples=len(examples),
        confusion=confusion,
    )


def evaluate(
    model: IntentModel, examples: Sequence[Example], threshold: float | None = None
) -> EvalReport:
    from hubbub.enrich.intent import classify

    results = classify(model, [e.text for e in examples], threshold)
    return score(examples, [r["labels"] for r in results], model.labels)
