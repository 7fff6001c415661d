"""Throughput of the built-in enrichers on generated posts, and the memory of
a process with every model loaded.

    .venv/bin/python benchmarks/enrich.py [--posts 20000] [--long-share 0.15]
        [--model-posts 2000] [--no-models]

Posts are a mix of short social posts (5-50 words) and long articles (200-1,200
words), in several languages, with some reposts; processed in batches of 500
as the pipeline does.

1. The enrichers without a model (language, VADER sentiment, dedup, key
   phrases when installed): posts/s each and in a row, on one core.
2. The models (skipped with --no-models), on ``--model-posts`` posts: the
   ``minilm`` sentiment backend and the intents enricher with 1 and 2 torch
   threads, on social posts only (the 300 posts/s sentiment target on 2 cores)
   and on the mix, each against VADER in the same run; then every enricher the
   plugins register with ``minilm`` chosen (the whole stack), against the
   stack without models.
3. Peak resident memory (ru_maxrss) of fresh processes that load the stack and
   enrich ``--model-posts`` posts of the mix: without the models (the
   baseline) and with every model loaded (target: at most 1.5 GB).
"""

from __future__ import annotations

import argparse
import os
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
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries
    ru_maxrss over from the parent through fork and exec, so a child started by
    a big process would report its parent's peak."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def cheap_enrichers() -> list[Enricher]:
    """The enrichers that load no model, phrases if that enricher is installed."""
    found: list[Enricher] = [LanguageEnricher(), SentimentEnricher("vader"), DedupEnricher()]
    try:
        from hubbub.enrich.phrases import PhrasesEnricher
    except ImportError:
        return found
    return [*found, PhrasesEnricher()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--long-share", type=float, default=0.15)
    parser.add_argument("--model-posts", type=int, default=2_000)
    parser.add_argument("--no-models", action="store_true", help="skip the trained models")
    # internal: the fresh process whose peak memory part 3 reports
    parser.add_argument("--peak-rss-of", choices=("without-models", "every-model"))
    # internal: one of the processes of the two-process sentiment measurement
    parser.add_argument("--sentiment-process", action="store_true")
    args = parser.parse_args()
    if args.sentiment_process:
        sentiment_process(args.model_posts)
        return
    if args.peak_rss_of:
        every = args.peak_rss_of == "every-model"
        print(f"{stack_peak_rss(every, args.model_posts, args.long_share):.0f}")
        return

    posts = make_posts(args.posts, args.long_share)
    chars = sum(len(p.text) for p in posts)
    print(f"{len(posts)} posts, mean {chars / len(posts):.0f} chars, {args.long_share:.0%} long")

    warm = cheap_enrichers()  # loads the lexicons once, outside the timings
    run(warm, posts[:BATCH])
    for enricher in cheap_enrichers():
        seconds = run([enricher], posts)
        label = "sentiment (vader)" if enricher.name == "sentiment" else enricher.name
        print(f"{label:>22}: {rate(len(posts), seconds):8.0f} posts/s")
    seconds = run(cheap_enrichers(), posts)
    print(f"{'all of these in a row':>22}: {rate(len(posts), seconds):8.0f} posts/s  (one core)")
    if not args.no_models:
        bench_models(args.model_posts, args.long_share)
    bench_memory(args.model_posts, args.long_share)


SENTIMENT_TARGET = 300  # posts/s on 2 cores
RSS_TARGET_MB = 1536


def bench_models(count: int, long_share: float) -> None:
    import tempfile

    import torch

    from hubbub.config import load_settings
    from hubbub.enrich import embeddings
    from hubbub.enrich.intent import IntentEnricher, load_model
    from hubbub.plugins import enrichers

    vader = SentimentEnricher("vader")
    minilm = SentimentEnricher("minilm")
    intents = IntentEnricher(load_model())
    run([minilm, intents], make_posts(BATCH, 0.0, seed=2))  # warm-up: loads the models
    print(f"\nmodels, {count} posts a run (VADER in the same run as the baseline)")
    for share, what in ((0.0, "social posts"), (long_share, f"{long_share:.0%} long")):
        posts = make_posts(count, share, seed=3)
        vader_rate = rate(len(posts), run([vader], posts))
        for name, enricher in (("minilm sentiment", minilm), ("intents", intents)):
            for threads in (1, 2):
                torch.set_num_threads(threads)
                embeddings.clear_memo()  # every post costs a model run
                posts_per_s = rate(len(posts), run([enricher], posts))
                verdict = ""
                if enricher is minilm and threads == 2 and not share:
                    met = "met" if posts_per_s >= SENTIMENT_TARGET else "NOT met"
                    verdict = f"  target {SENTIMENT_TARGET}: {met}"
                print(
                    f"{name:>16}, {what:>12}, {threads} thread{'s' if threads > 1 else ' '}: "
                    f"{posts_per_s:6.0f} posts/s  ({posts_per_s / vader_rate:.3f} x VADER's "
                    f"{vader_rate:.0f}){verdict}"
                )
    processes = bench_sentiment_processes(count)
    print(
        f"minilm sentiment, social posts, 2 processes of 1 thread (as workers run, one per "
        f"core): {processes:.0f} posts/s together  target {SENTIMENT_TARGET}: "
        f"{'met' if processes >= SENTIMENT_TARGET else 'NOT met'}"
    )
    with tempfile.TemporaryDirectory() as home:
        stack = enrichers(load_settings(home, sentiment_model="minilm"))
        posts = make_posts(count, long_share, seed=4)
        run(stack, posts[:BATCH])
        embeddings.clear_memo()
        stack_rate = rate(len(posts), run(stack, posts))
    cheap_rate = rate(len(posts), run(cheap_enrichers(), posts))
    names = ", ".join(e.name for e in stack)
    print(
        f"whole stack ({names}), 2 threads: {stack_rate:.0f} posts/s "
        f"({stack_rate / cheap_rate:.3f} x the {cheap_rate:.0f} posts/s of the stack "
        "without models)"
    )


def sentiment_process(count: int) -> None:
    """Child of bench_sentiment_processes: load, warm up, say "ready", wait for
    "go" on stdin, enrich ``count`` social posts on one thread, print seconds."""
    import sys

    import torch

    torch.set_num_threads(1)
    minilm = SentimentEnricher("minilm")
    run([minilm], make_posts(BATCH, 0.0, seed=2))
    posts = make_posts(count, 0.0, seed=3)
    print("ready", flush=True)
    sys.stdin.readline()
    print(f"{run([minilm], posts):.4f}", flush=True)


def bench_sentiment_processes(count: int, processes: int = 2) -> float:
    """Posts/s of ``processes`` single-thread processes enriching at once
    (started together once all have loaded): all their posts over the slowest
    one's time."""
    import subprocess
    import sys

    children = [
        subprocess.Popen(
            [sys.executable, __file__, "--sentiment-process", f"--model-posts={count}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "OMP_NUM_THREADS": "1", "HUBBUB_EMBEDDING_THREADS": "1"},
        )
        for _ in range(processes)
    ]
    for child in children:
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    seconds = []
    for child in children:
        out, _ = child.communicate()
        seconds.append(float(out.split()[-1]))
    return processes * count / max(seconds)


def stack_peak_rss(with_models: bool, count: int, long_share: float) -> float:
    """Peak RSS (MB) of this process after loading the stack and enriching
    ``count`` posts of the mix."""
    import tempfile

    from hubbub.config import load_settings
    from hubbub.plugins import enrichers

    with tempfile.TemporaryDirectory() as home:
        if with_models:
            stack = enrichers(load_settings(home, sentiment_model="minilm"))
        else:
            stack = cheap_enrichers()
        run(stack, make_posts(count, long_share, seed=5))
    return peak_rss_mb()


def bench_memory(count: int, long_share: float) -> None:
    import subprocess
    import sys

    peaks = {}
    for which in ("without-models", "every-model"):
        done = subprocess.run(
            [
                sys.executable,
                __file__,
                f"--peak-rss-of={which}",
                f"--model-posts={count}",
                f"--long-share={long_share}",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        peaks[which] = float(done.stdout.split()[-1])
    every = peaks["every-model"]
    verdict = "met" if every <= RSS_TARGET_MB else "NOT met"
    print(
        f"\npeak RSS of a fresh process enriching {count} posts: "
        f"{peaks['without-models']:.0f} MB without models; with every model loaded "
        f"{every:.0f} MB ({every / peaks['without-models']:.2f} x; "
        f"target {RSS_TARGET_MB} MB: {verdict})"
    )


if __name__ == "__main__":
    main()
