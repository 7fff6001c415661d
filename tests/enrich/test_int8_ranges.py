"""int8 on calibrated input ranges: a post's sentiment and its sentence
vector are the same whether it is scored alone or with any other posts (with
activations quantised per batch, 6.5% of the 2016 devtest tweets changed
label between the two), and the shipped ranges fit the shipped weights."""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
import pytest
import torch
from torch import nn

from hubbub.enrich import embeddings
from hubbub.enrich.sentiment_trained.backend import MiniLMBackend
from hubbub.enrich.sentiment_trained.encoder import (
    FixedRangeInt8Linear,
    int8_linears,
    int8_ranges,
    load_ranges,
)
from hubbub.enrich.sentiment_trained.model import ARTIFACT, ranges_path

pytestmark = pytest.mark.intents

TEXTS = [
    "I love the new update, it's so fast!!!",
    "Worst customer service ever. Three weeks and no refund.",
    "The store opens at 9am on Mondays.",
    "@acme is the battery drain after 2.3 a known issue? asking for a friend",
    "ok",
    "Honestly not impressed with the latest release, too many bugs 😡😡",
    "LOL this is the best thing I've seen all week",
    "Our quarterly results will be published on Thursday.",
    "why does the app log me out every single time i switch networks",
    "Great match last night, what a goal in the final minute! " * 6,
]


def scored_alone_and_together(
    score: Callable[[list[str]], np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    return np.concatenate([score([t]) for t in TEXTS]), score(TEXTS)


def test_sentiment_does_not_depend_on_the_batch() -> None:
    model = MiniLMBackend().model
    assert model.version.endswith(".r")  # running on the shipped ranges
    alone, together = scored_alone_and_together(model.predict_proba)
    assert (alone.argmax(1) == together.argmax(1)).all()
    np.testing.assert_allclose(alone, together, atol=1e-5)
    # in a batch of other posts, in another order
    mixed = model.predict_proba([*reversed(TEXTS), "meh", "😍😍😍"])[: len(TEXTS)][::-1]
    np.testing.assert_allclose(mixed, together, atol=1e-5)


def test_sentence_vectors_do_not_depend_on_the_batch() -> None:
    embeddings.clear_memo()
    together = embeddings.encode(TEXTS)
    embeddings.clear_memo()
    alone = np.concatenate([embeddings.encode([t]) for t in TEXTS])
    embeddings.clear_memo()
    np.testing.assert_allclose(alone, together, atol=1e-5)


def test_the_shipped_ranges_fit_the_shipped_weights() -> None:
    meta = json.loads(ranges_path(ARTIFACT).read_text())
    from safetensors import safe_open

    with safe_open(str(ARTIFACT), framework="pt") as f:
        version = json.loads(f.metadata()["hubbub"])["version"]
    assert meta["artifact_version"] == version
    # every int8 layer of both models has its range: a missing one raises at load
    assert len(meta["ranges"]) == 6 * 6 + 1  # six linears a layer, and the head
    base = load_ranges(embeddings.RANGES, model=embeddings.model_id())
    assert base is not None and len(base) == 6 * 5  # ffn_out stays fp32
    assert load_ranges(embeddings.RANGES, model="another model") is None


def test_a_fixed_range_layer_clamps_and_ignores_its_neighbours() -> None:
    torch.manual_seed(0)
    linear = nn.Linear(8, 4)
    x = torch.randn(5, 3, 8)
    ranges = int8_ranges(nn.ModuleList([int8_linears(nn.Linear(8, 4))]), lambda: None)
    assert ranges == {}  # nothing ran, nothing recorded
    calibrating = int8_linears(nn.ModuleList([linear]))
    recorded = int8_ranges(calibrating, lambda: calibrating[0](x))
    assert set(recorded) == {"0"}
    lo, hi = recorded["0"]
    assert lo == pytest.approx(float(x.min()), abs=1e-4)
    assert hi == pytest.approx(float(x.max()), abs=1e-4)
    fixed = int8_linears(nn.ModuleList([nn.Linear(8, 4)]), ranges=recorded)[0]
    assert isinstance(fixed, FixedRangeInt8Linear) and fixed.out_features == 4
    batch = fixed(x)
    assert batch.shape == (5, 3, 4)
    for i in range(5):
        torch.testing.assert_close(fixed(x[i : i + 1]), batch[i : i + 1], atol=1e-6, rtol=0)
    with pytest.raises(KeyError, match="no calibrated int8 range"):
        int8_linears(nn.ModuleList([nn.Linear(8, 4)]), ranges={"other": (-1.0, 1.0)})
    with pytest.raises(ValueError, match="per-batch"):
        int8_ranges(nn.ModuleList([fixed]), lambda: None)
