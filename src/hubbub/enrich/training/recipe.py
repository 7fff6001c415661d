"""The settings the shipped sentiment model was trained with: the defaults of
``FinetuneConfig`` and of ``hubbub train sentiment``. Kept free of torch, so
the CLI can show them without loading it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Recipe:
    # 5 of MiniLM's 6 layers fine-tuned: 17.7 MB of fp16 weights, within the
    # 25 MB the artifact may take with the n-gram model beside them
    frozen_layers: int = 1
    epochs: int = 2
    lr_layers: float = 6e-5


SHIPPED = Recipe()
