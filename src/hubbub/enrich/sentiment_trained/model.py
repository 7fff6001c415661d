"""The trained sentiment model at inference: loads the shipped artifact on top
of the packaged MiniLM and turns texts into label probabilities.

Artifact (one safetensors file, fp16): the fine-tuned top layers and head, the
n-gram model's idf and weights, and the stacker that combines the transformer's
and the n-gram model's log-probabilities with VADER's compound score; its
metadata holds the settings and the validation scores of the training run.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch
from safetensors import safe_open
from torch import nn

from hubbub.enrich.embeddings import base_model, release_freed_memory
from hubbub.enrich.sentiment_trained.encoder import (
    BertLayer,
    MiniLM,
    Range,
    int8_linears,
    layer_like,
    load_ranges,
    load_tokenizer,
    mean_pool,
)
from hubbub.enrich.sentiment_trained.ngrams import NgramScorer
from hubbub.enrich.sentiment_trained.text import REVISION, normalize

log = logging.getLogger(__name__)
LABELS = ("negative", "neutral", "positive")
ARTIFACT = Path(__file__).resolve().parents[1] / "models" / "sentiment-minilm.safetensors"


def ranges_path(artifact: Path) -> Path:
    """Where the int8 input ranges of ``artifact`` are kept: beside it."""
    return artifact.with_suffix(".int8.json")


# Longer than the 64 tokens trained on, so reviews and comments are read
# further than a tweet; positions up to 512 were pre-trained.
INFERENCE_TOKENS = 128
BATCH = 64


class SentimentNet(nn.Module):
    """MiniLM with its top layers replaced by the fine-tuned ones, and the head."""

    def __init__(self, base: MiniLM, head: nn.Module) -> None:
        super().__init__()
        self.encoder = base
        self.head = head

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder.run_layers(self.encoder.embed(ids), mask)
        return self.head(mean_pool(hidden, mask))


def build_net(
    top_layers: dict[str, torch.Tensor],
    frozen_layers: int,
    quantize: bool = True,
    base: MiniLM | None = None,
    ranges: Mapping[str, Range] | None = None,
) -> SentimentNet:
    """The base model with ``top_layers`` (names ``layers.N.*`` counted from the
    first fine-tuned layer, plus ``head.*``) in place of its top layers.

    Built on the process's one copy of the base weights
    (``embeddings.base_model``, which the intents' sentence embeddings use too):
    the embedding modules are shared, not copied, and only the layers are new.
    The numbers are the ones a model built from its own copy of the base
    (``base``) has. ``quantize``: int8 weights in every linear layer, ~3x
    faster on CPU and within ~0.005 macro recall of fp32 (the stacker is
    fitted on the int8 logits). ``ranges``: the calibrated input range of each
    linear layer (``int8_ranges``), so a text's logits do not depend on the
    texts batched with it; None quantises activations per batch.
    """
    base = base or base_model()
    tuned: dict[int, dict[str, torch.Tensor]] = {}
    for name, tensor in top_layers.items():
        if name.startswith("layers."):
            index, rest = name[len("layers.") :].split(".", 1)
            tuned.setdefault(int(index) + frozen_layers, {})[rest] = tensor.float()
    layers = nn.ModuleList()
    for i, shared in enumerate(base.layers):
        if i not in tuned and not quantize:
            layers.append(shared)  # frozen and fp32: the base's own layer will do
            continue
        layer = layer_like(cast(BertLayer, shared), tuned.get(i, {}))
        layers.append(
            int8_linears(layer, ranges=ranges, prefix=f"encoder.layers.{i}") if quantize else layer
        )
    head = nn.Linear(base.word.embedding_dim, len(LABELS))
    head.load_state_dict(
        {"weight": top_layers["head.weight"].float(), "bias": top_layers["head.bias"].float()}
    )
    final = int8_linears(head, ranges=ranges, prefix="head") if quantize else head
    return SentimentNet(base.with_layers(layers), final).eval()


class NetScorer:
    """Logits of the transformer for texts, batched by length."""

    def __init__(self, net: nn.Module, max_tokens: int = INFERENCE_TOKENS) -> None:
        self.net = net
        self.tokenizer = load_tokenizer(max_tokens)

    def logits(self, texts: Sequence[str], batch: int = BATCH) -> np.ndarray:
        encoded = self.tokenizer.encode_batch([normalize(t) or "." for t in texts])
        ids = [e.ids for e in encoded]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
        out = np.zeros((len(ids), len(LABELS)), dtype=np.float32)
        with torch.inference_mode():
            for lo in range(0, len(order), batch):
                chunk = order[lo : lo + batch]
                width = max(len(ids[i]) for i in chunk)
                x = torch.zeros(len(chunk), width, dtype=torch.long)
                mask = torch.zeros(len(chunk), width, dtype=torch.long)
                for row, i in enumerate(chunk):
                    x[row, : len(ids[i])] = torch.tensor(ids[i])
                    mask[row, : len(ids[i])] = 1
                out[chunk] = self.net(x, mask).numpy()
        return out


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(1, keepdims=True))


def stack_features(
    net_logits: np.ndarray, ngram_logits: np.ndarray, vader: np.ndarray
) -> np.ndarray:
    return np.hstack([log_softmax(net_logits), log_softmax(ngram_logits), vader[:, None]])


def vader_scores(texts: Sequence[str]) -> np.ndarray:
    from hubbub.enrich.sentiment import VaderBackend

    vader = VaderBackend()
    return np.array([vader.score(t) for t in texts], dtype=np.float32)


@dataclass
class Stacker:
    weight: np.ndarray  # (labels, features)
    bias: np.ndarray

    def probs(self, features: np.ndarray) -> np.ndarray:
        return np.exp(log_softmax(features @ self.weight.T + self.bias))


class TrainedSentiment:
    """Texts -> probabilities of (negative, neutral, positive)."""

    def __init__(self, path: Path = ARTIFACT, quantize: bool = True) -> None:
        if not path.exists():
            raise FileNotFoundError(
                f"sentiment model not found at {path}; train it with `hubbub train sentiment`"
            )
        tensors: dict[str, torch.Tensor] = {}
        with safe_open(str(path), framework="pt") as f:
            self.meta: dict[str, Any] = json.loads(f.metadata()["hubbub"])
            for key in f.keys():  # noqa: SIM118 - safe_open is not a mapping
                tensors[key] = f.get_tensor(key)
        ranges = load_ranges(ranges_path(path), artifact_version=self.meta["version"])
        if quantize and ranges is None:
            log.warning("no int8 ranges for %s: scores will depend on batching", path.name)
        # the artifact's, the text normalisation scoring uses with it, and
        # whether int8 runs on calibrated ranges (r) or per batch
        self.version: str = f"{self.meta['version']}.t{REVISION}" + (".r" if ranges else "")
        top = {k[len("net.") :]: v for k, v in tensors.items() if k.startswith("net.")}
        frozen = int(self.meta["frozen_layers"])
        self.net = NetScorer(build_net(top, frozen, quantize, ranges=ranges))
        self.ngrams = NgramScorer(
            tensors["ngram.idf"].float().numpy(),
            tensors["ngram.coef"].float().numpy(),
            tensors["ngram.intercept"].float().numpy(),
        )
        self.stacker = Stacker(
            tensors["stack.weight"].float().numpy(), tensors["stack.bias"].float().numpy()
        )

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, len(LABELS)), dtype=np.float32)
        features = stack_features(
            self.net.logits(texts),
            self.ngrams.logits([normalize(t) for t in texts]),
            vader_scores(texts),
        )
        release_freed_memory()
        return self.stacker.probs(features)
