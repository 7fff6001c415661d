"""Calibrating the input range of every int8 linear layer
(``FixedRangeInt8Linear``): the min and max each layer sees while the
per-batch int8 model reads a fixed, seeded sample of training tweets. Run by
``hubbub train sentiment`` for the model it trains, and by
``scripts/calibrate_int8.py`` for the shipped model and the shared base."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from hubbub.enrich.sentiment_trained.encoder import Range, int8_ranges, load_tokenizer
from hubbub.enrich.sentiment_trained.model import NetScorer, build_net

CALIBRATION_SIZE = 2_000
# Long texts too, so the ranges of the sentence embeddings cover the later
# positions of an article (up to 256 tokens), not only tweet lengths.
LONG_TEXTS, TWEETS_PER_LONG_TEXT = 40, 25


def calibration_texts(texts: Sequence[str], seed: int, size: int = CALIBRATION_SIZE) -> list[str]:
    if len(texts) <= size:
        return list(texts)
    keep = np.sort(np.random.default_rng(seed).choice(len(texts), size, replace=False))
    return [texts[i] for i in keep]


def sentiment_ranges(
    top_layers: dict[str, torch.Tensor], frozen_layers: int, texts: Sequence[str]
) -> dict[str, Range]:
    net = build_net(top_layers, frozen_layers, quantize=True)  # per-batch int8
    return int8_ranges(net, lambda: NetScorer(net).logits(texts))


def base_ranges(texts: Sequence[str]) -> dict[str, Range]:
    from hubbub.enrich.embeddings import MAX_TOKENS, SentenceEncoder, base_model, quantized

    model = quantized(base_model(), calibrated=False)
    encoder = SentenceEncoder(model, load_tokenizer(MAX_TOKENS))
    step = TWEETS_PER_LONG_TEXT
    long = [" ".join(texts[i : i + step]) for i in range(0, LONG_TEXTS * step, step)]
    return int8_ranges(model, lambda: encoder.encode([*texts, *long]))
