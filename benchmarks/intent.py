"""Throughput of the intents enricher, with the model loaded once.

    .venv/bin/python benchmarks/intent.py [--posts 1000] [--threads 1,2]

Posts are the hand-written labelled posts of data/intents (real social-post
lengths and styles), cycled to ``--posts`` and enriched in batches of 500 as
the pipeline does (texts repeated after the first cycle get a suffix, and the
embedding memo is cleared before every pass, so every post costs a model
run). For each torch thread count it prints posts/s of the
enricher, and as the same-run baseline the sentence embedding alone (so the
ratio is what the classifier adds on top of the embedding). Then the peak RSS
of the process with the model loaded, and the one-off load time.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

from hubbub.enrich import embeddings
from hubbub.enrich.intent import IntentEnricher, load_model
from hubbub.post import Post

BATCH = 500
DATA = Path(__file__).resolve().parents[1] / "data" / "intents"


def load_texts() -> list[str]:
    texts = []
    for name in ("train.jsonl", "heldout.jsonl"):
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            texts.append(json.loads(line)["text"])
    return texts


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=1000)
    parser.add_argument("--threads", default="1,2", help="torch thread counts to try")
    args = parser.parse_args()

    texts = load_texts()
    n = len(texts)
    posts = [
        Post("bench", str(i), texts[i % n] if i < n else f"{texts[i % n]} ({i // n})")
        for i in range(args.posts)
    ]
    print(f"{len(posts):,} posts, mean {sum(len(p.text) for p in posts) / len(posts):.0f} chars")

    started = time.perf_counter()
    enricher = IntentEnricher(load_model())
    embeddings.encode(["warm up"])
    print(f"model load: {time.perf_counter() - started:.1f} s")

    for threads in (int(t) for t in args.threads.split(",")):
        embeddings.set_threads(threads)
        embeddings.encode([p.text for p in posts[:64]])  # warm this thread count
        embeddings.clear_memo()
        started = time.perf_counter()
        for i in range(0, len(posts), BATCH):
            embeddings.encode([p.text for p in posts[i : i + BATCH]])
        baseline = rate(len(posts), time.perf_counter() - started)
        embeddings.clear_memo()
        started = time.perf_counter()
        for i in range(0, len(posts), BATCH):
            enricher.enrich(posts[i : i + BATCH])
        measured = rate(len(posts), time.perf_counter() - started)
        print(
            f"{threads} thread(s): intents {measured:,.0f} posts/s, "
            f"embedding alone {baseline:,.0f} posts/s, ratio {measured / baseline:.2f}"
        )

    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS with the model loaded: {peak_mb:,.0f} MB")


if __name__ == "__main__":
    main()
