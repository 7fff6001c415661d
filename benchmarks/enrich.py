"""Throughput of the built-in enrichers on generated posts.

    .venv/bin/python benchmarks/enrich.py [--posts 20000] [--long-share 0.15]
        [--model-posts 2000] [--no-models]

Posts are a mix of short social posts (5-50 words) and long articles (200-1,200
words), in several languages, with some reposts; processed in batches of 500
as the pipeline does. Prints posts/s per enricher, for the three in a row, and
the process's peak RSS.

Then the trained models (skipped with --no-models): the ``minilm`` sentiment
backend on ``--model-posts`` posts with 1 and 2 torch threads, on social posts
only (the 300 posts/s target on 2 cores) and on the mix, against VADER in the
same run; then every enricher the plugins register with ``minilm`` chosen
(the whole stack), and the peak RSS with every model loaded (target 1.5 GB).
"""

from __future__ import annotations

import argparse
import random
import resource
import time
from collections.abc import Sequence

from hubbub.enrich.base import Enricher
from hubbub.enrich.dedup import DedupEnricher
from hubbub.enrich.language import LanguageEnricher
from hubbub.enrich.sentiment import SentimentEnricher
from hubbub.post import Post

BATCH = 500

_ENGLISH = (
    "the a to and of in is it you that for on with this my was but not are have just so be "
    "at they we all new app update order support service customer team product price "
    "delivery today week battery phone store account love great good best amazing thanks "
    "happy awesome bad worst terrible slow broken never again really very still why when "
    "waiting problem issue fixed works help please anyone else time days company release "
    "market growth energy plant jobs report quarter sales users data privacy security "
    # neutral words, so that about 1 word in 8 carries sentiment, as in real posts
    "about after also back because been before can could did do does down even first from "
    "get go going how if into know last make more most much now only other our out over "
    "people said see should some than them then there these think through two up use what "
    "which while who will would year your city car train school office home street morning "
    "evening tomorrow yesterday weekend monday friday email website link video photo"
)
_GERMAN = (
    "der die das und ist nicht ich es mit auf für ein eine zu den von sehr gut schlecht "
    "danke wieder noch immer heute app kunde lieferung bestellung problem leider toll super "
    "warum wann seit tagen service preis neue version funktioniert endlich"
)
_SPANISH = (
    "el la de que y en los se no por un una con para es muy bueno malo gracias otra vez "
    "hoy pedido cliente servicio problema nunca siempre nuevo precio entrega tienda "
    "aplicación funciona por fin semana días"
)
_FRENCH = (
    "le la les de et un une est pas je il que pour dans sur avec très bien mal merci encore "
    "aujourd'hui commande client service problème jamais toujours nouveau prix livraison "
    "magasin application marche enfin semaine jours"
)
VOCABULARY = {
    lang: words.split()
    for lang, words in {"en": _ENGLISH, "de": _GERMAN, "es": _SPANISH, "fr": _FRENCH}.items()
}
LANGUAGE_SHARE = {"en": 0.7, "de": 0.1, "es": 0.1, "fr": 0.1}
EXTRAS = ["https://t.co/{}", "@user{}", "#launch{}", "🔥", "😂", "🙄", "!!", "?"]


def sentence(rng: random.Random, words: Sequence[str], n: int) -> str:
    text = " ".join(rng.choice(words) for _ in range(n))
    return text[0].upper() + text[1:] + rng.choice([".", ".", "!", "?"])


def make_posts(count: int, long_share: float, seed: int = 1) -> list[Post]:
    rng = random.Random(seed)
    langs, weights = zip(*LANGUAGE_SHARE.items(), strict=True)
    posts: list[Post] = []
    for i in range(count):
        if posts and rng.random() < 0.05:  # a repost of something recent, lightly edited
            source = posts[rng.randrange(max(0, len(posts) - 2000), len(posts))].text
            posts.append(Post("bench", str(i), f"RT {source} https://t.co/{i}"))
            continue
        words = VOCABULARY[rng.choices(langs, weights)[0]]
        if rng.random() < long_share:
            parts = [sentence(rng, words, rng.randint(8, 25)) for _ in range(rng.randint(15, 60))]
        else:
            parts = [sentence(rng, words, rng.randint(5, 25)) for _ in range(rng.randint(1, 2))]
            if rng.random() < 0.5:
                parts.append(rng.choice(EXTRAS).format(rng.randrange(1000)))
        posts.append(Post("bench", str(i), " ".join(parts)))
    return posts


def run(enrichers: Sequence[Enricher], posts: Sequence[Post]) -> float:
    """Seconds to enrich all posts, in pipeline-sized batches."""
    start = time.perf_counter()
    for i in range(0, len(posts), BATCH):
        batch = posts[i : i + BATCH]
        for enricher in enrichers:
            enricher.enrich(batch)
    return time.perf_counter() - start


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--long-share", type=float, default=0.15)
    parser.add_argument("--model-posts", type=int, default=2_000)
    parser.add_argument("--no-models", action="store_true", help="skip the trained models")
    args = parser.parse_args()

    posts = make_posts(args.posts, args.long_share)
    chars = sum(len(p.text) for p in posts)
    print(f"{len(posts)} posts, mean {chars / len(posts):.0f} chars, {args.long_share:.0%} long")
    print(f"peak RSS before enrichers: {peak_rss_mb():.0f} MB")

    def fresh() -> list[Enricher]:
        return [LanguageEnricher(), SentimentEnricher(), DedupEnricher()]

    warm = fresh()  # loads the models once, outside the timings
    run(warm, posts[:BATCH])

    for enricher in fresh():
        seconds = run([enricher], posts)
        print(f"{enricher.name:>10}: {len(posts) / seconds:8.0f} posts/s")
    seconds = run(fresh(), posts)
    print(f"{'all three':>10}: {len(posts) / seconds:8.0f} posts/s  (one core)")
    print(f"peak RSS: {peak_rss_mb():.0f} MB")
    if not args.no_models:
        bench_models(args.model_posts, args.long_share)


SENTIMENT_TARGET = 300  # posts/s on 2 cores
RSS_TARGET_MB = 1536


def bench_models(count: int, long_share: float) -> None:
    import tempfile

    import torch

    from hubbub.config import load_settings
    from hubbub.plugins import enrichers

    vader = SentimentEnricher("vader")
    minilm = SentimentEnricher("minilm")
    run([minilm], make_posts(BATCH, 0.0, seed=2))  # warm-up: loads the model
    print(f"\nminilm sentiment, {count} posts a run (VADER in the same run as the baseline)")
    for share, what in ((0.0, "social posts"), (long_share, f"{long_share:.0%} long")):
        posts = make_posts(count, share, seed=3)
        vader_rate = len(posts) / run([vader], posts)
        for threads in (1, 2):
            torch.set_num_threads(threads)
            rate = len(posts) / run([minilm], posts)
            verdict = (
                ""
                if threads == 1 or share
                else (
                    f"  target {SENTIMENT_TARGET}: {'met' if rate >= SENTIMENT_TARGET else 'NOT met'}"
                )
            )
            print(
                f"{what:>14}, {threads} thread{'s' if threads > 1 else ' '}: {rate:7.0f} posts/s"
                f"  ({rate / vader_rate:.3f} x VADER's {vader_rate:.0f}){verdict}"
            )
    with tempfile.TemporaryDirectory() as home:
        stack = enrichers(load_settings(home, sentiment_model="minilm"))
        posts = make_posts(count, long_share, seed=4)
        run(stack, posts[:BATCH])
        rate = len(posts) / run(stack, posts)
    names = ", ".join(e.name for e in stack)
    print(f"whole stack ({names}), 2 threads: {rate:.0f} posts/s")
    rss = peak_rss_mb()
    verdict = "met" if rss <= RSS_TARGET_MB else "NOT met"
    print(f"peak RSS with every model loaded: {rss:.0f} MB (target {RSS_TARGET_MB} MB: {verdict})")


if __name__ == "__main__":
    main()
