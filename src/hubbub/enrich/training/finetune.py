"""Fine-tuning MiniLM's top layers on CPU.

The lower ``frozen`` layers never change, so their output is computed once
(and cached on disk, keyed by the texts and settings); each epoch then runs
and back-propagates only the top layers, the mean pooling and a linear head.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from hubbub.enrich.sentiment_trained.encoder import MiniLM, load_tokenizer, mean_pool
from hubbub.enrich.sentiment_trained.text import normalize
from hubbub.enrich.training.recipe import SHIPPED

Log = Callable[[str], None]


@dataclass
class FinetuneConfig:
    frozen_layers: int = SHIPPED.frozen_layers
    max_tokens: int = 64
    epochs: int = SHIPPED.epochs
    batch_size: int = 32
    lr_layers: float = SHIPPED.lr_layers
    lr_head: float = 1e-3
    weight_decay: float = 0.01
    warmup: float = 0.06
    seed: int = 13
    # examples drawn (without replacement, new each epoch) per epoch; None: all.
    # Bounds the CPU time of a run on a busy machine.
    examples_per_epoch: int | None = None


class TopModel(nn.Module):
    """The trainable part: the top transformer layers, mean pooling, a head."""

    def __init__(self, base: MiniLM, frozen_layers: int, labels: int) -> None:
        super().__init__()
        self.first = frozen_layers
        self.layers = nn.ModuleList(base.layers[frozen_layers:])
        hidden = base.word.embedding_dim
        self.dropout = nn.Dropout(0.1)
        self.head = nn.Linear(hidden, labels)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        keep = mask.bool()[:, None, None, :]
        for layer in self.layers:
            hidden = layer(hidden, keep)
        return self.head(self.dropout(mean_pool(hidden, mask)))


def token_ids(texts: Sequence[str], max_tokens: int) -> list[list[int]]:
    tokenizer = load_tokenizer(max_tokens)
    return [e.ids for e in tokenizer.encode_batch([normalize(t) for t in texts])]


def pad(ids: Sequence[Sequence[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(x) for x in ids)
    out = torch.zeros(len(ids), width, dtype=torch.long)
    mask = torch.zeros(len(ids), width, dtype=torch.long)
    for i, x in enumerate(ids):
        out[i, : len(x)] = torch.tensor(x)
        mask[i, : len(x)] = 1
    return out, mask


def frozen_states(
    base: MiniLM, ids: Sequence[Sequence[int]], frozen: int, log: Log, batch: int = 64
) -> list[torch.Tensor]:
    """Output of the first ``frozen`` layers per text, unpadded, fp16."""
    order = sorted(range(len(ids)), key=lambda i: len(ids[i]))
    out: list[torch.Tensor] = [torch.empty(0)] * len(ids)
    start = time.monotonic()
    with torch.inference_mode():
        for n, lo in enumerate(range(0, len(order), batch)):
            chunk = order[lo : lo + batch]
            x, mask = pad([ids[i] for i in chunk])
            hidden = base.run_layers(base.embed(x), mask, 0, frozen).half()
            for row, i in enumerate(chunk):
                out[i] = hidden[row, : len(ids[i])].clone()
            if n % 100 == 99:
                log(f"  frozen layers: {lo + batch}/{len(ids)} ({time.monotonic() - start:.0f}s)")
    return out


def cached_frozen_states(
    base: MiniLM,
    ids: Sequence[Sequence[int]],
    frozen: int,
    cache_dir: Path | None,
    log: Log,
) -> list[torch.Tensor]:
    if cache_dir is None:
        return frozen_states(base, ids, frozen, log)
    digest = hashlib.sha256(repr((frozen, [list(x) for x in ids])).encode()).hexdigest()[:16]
    path = cache_dir / f"frozen-{frozen}-{digest}.pt"
    if path.exists():
        log(f"  frozen layers: cached in {path}")
        states: list[torch.Tensor] = torch.load(path)
        return states
    states = frozen_states(base, ids, frozen, log)
    cache_dir.mkdir(parents=True, exist_ok=True)
    torch.save(states, path)
    return states


def _batches(
    lengths: Sequence[int], size: int, rng: np.random.Generator, limit: int | None = None
) -> list[list[int]]:
    """Shuffled, then sorted by length within pools of 50 batches: little
    padding, yet different neighbours every epoch."""
    order = rng.permutation(len(lengths))[:limit]
    pool = size * 50
    batches: list[list[int]] = []
    for lo in range(0, len(order), pool):
        chunk = sorted(order[lo : lo + pool].tolist(), key=lambda i: lengths[i])
        batches += [chunk[i : i + size] for i in range(0, len(chunk), size)]
    rng.shuffle(batches)
    return batches


def _stack(states: Sequence[torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(s.shape[0] for s in states)
    x = torch.zeros(len(states), width, states[0].shape[1])
    mask = torch.zeros(len(states), width, dtype=torch.long)
    for i, s in enumerate(states):
        x[i, : s.shape[0]] = s.float()
        mask[i, : s.shape[0]] = 1
    return x, mask


def predict_logits(model: TopModel, states: Sequence[torch.Tensor], batch: int = 128) -> np.ndarray:
    model.eval()
    order = sorted(range(len(states)), key=lambda i: states[i].shape[0])
    out = np.zeros((len(states), model.head.out_features), dtype=np.float32)
    with torch.inference_mode():
        for lo in range(0, len(order), batch):
            chunk = order[lo : lo + batch]
            x, mask = _stack([states[i] for i in chunk])
            out[chunk] = model(x, mask).numpy()
    return out


def train_top(
    base: MiniLM,
    states: Sequence[torch.Tensor],
    labels: Sequence[int],
    n_labels: int,
    config: FinetuneConfig,
    log: Log,
    on_epoch: Callable[[int, TopModel], None] | None = None,
) -> TopModel:
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    model = TopModel(base, config.frozen_layers, n_labels)
    y = torch.tensor(labels)
    # balanced class weights: macro recall rewards each label equally
    counts = torch.bincount(y, minlength=n_labels).float().clamp(min=1)
    class_weight = counts.sum() / (n_labels * counts)
    decay = [p for n, p in model.layers.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in model.layers.named_parameters() if p.ndim <= 1]
    optimizer = torch.optim.AdamW(
        [
            {"params": decay, "lr": config.lr_layers, "weight_decay": config.weight_decay},
            {"params": no_decay, "lr": config.lr_layers, "weight_decay": 0.0},
            {"params": model.head.parameters(), "lr": config.lr_head, "weight_decay": 0.0},
        ]
    )
    lengths = [s.shape[0] for s in states]
    per_epoch = min(len(states), config.examples_per_epoch or len(states))
    steps = config.epochs * math.ceil(per_epoch / config.batch_size)
    warmup = max(1, int(steps * config.warmup))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: min((step + 1) / warmup, max(0.0, (steps - step) / (steps - warmup))),
    )
    for epoch in range(config.epochs):
        model.train()
        start, total, seen = time.monotonic(), 0.0, 0
        for n, batch in enumerate(_batches(lengths, config.batch_size, rng, per_epoch)):
            x, mask = _stack([states[i] for i in batch])
            loss = F.cross_entropy(model(x, mask), y[batch], weight=class_weight)
            optimizer.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            total += float(loss.detach()) * len(batch)
            seen += len(batch)
            if n % 200 == 199:
                log(
                    f"  epoch {epoch + 1}: {seen}/{per_epoch} loss {total / seen:.4f} "
                    f"({time.monotonic() - start:.0f}s)"
                )
        log(
            f"  epoch {epoch + 1} done: loss {total / max(seen, 1):.4f} ({time.monotonic() - start:.0f}s)"
        )
        if on_epoch:
            on_epoch(epoch + 1, model)
    return model.eval()
