"""Write the calibrated int8 input ranges of the shipped sentiment model and
of the shared MiniLM base (the sentence embeddings) into enrich/models/.

    .venv/bin/python scripts/calibrate_int8.py --data ../shared/data/sentiment/semeval2013-2016

`hubbub train sentiment` writes the ranges of the model it trains the same
way; this is for a model trained before it did, and for the base."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from safetensors import safe_open

from hubbub.enrich import embeddings
from hubbub.enrich.sentiment_trained.encoder import save_ranges
from hubbub.enrich.sentiment_trained.model import ARTIFACT, ranges_path
from hubbub.enrich.training.int8_calibration import (
    base_ranges,
    calibration_texts,
    sentiment_ranges,
)
from hubbub.enrich.training.sentiment_data import semeval_split


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="the SemEval 2013-2016 folder")
    args = parser.parse_args()

    with safe_open(str(ARTIFACT), framework="pt") as f:
        meta = json.loads(f.metadata()["hubbub"])
        top = {k[len("net.") :]: f.get_tensor(k) for k in f.keys() if k.startswith("net.")}  # noqa: SIM118
    texts = calibration_texts(semeval_split(args.data).train.texts, int(meta["config"]["seed"]))
    ranges = sentiment_ranges(top, int(meta["frozen_layers"]), texts)
    save_ranges(ranges_path(ARTIFACT), ranges, artifact_version=meta["version"])
    print(f"{len(ranges)} ranges -> {ranges_path(ARTIFACT)}")
    base = base_ranges(texts)
    save_ranges(embeddings.RANGES, base, model=embeddings.model_id())
    print(f"{len(base)} ranges -> {embeddings.RANGES}")


if __name__ == "__main__":
    main()
