"""Throughput of QueryIndex.match against a naive evaluate-every-query loop.

Run: .venv/bin/python benchmarks/match.py [--quick]

Generates realistic listening queries (brands, products, phrases, proximity,
exclusions, wildcards, hashtags, case-sensitive terms, field filters) at 1,000,
10,000 and 100,000 queries and a stream of social posts, then prints posts/s
for both, the memory the 100,000-query index takes and the peak RSS. One core, no I/O.
"""

from __future__ import annotations

import argparse
import gc
import random
import resource
import sys
import time
from collections.abc import Callable

from hubbub.listening.ast import Node
from hubbub.listening.matcher import CompiledQuery, Doc, QueryIndex
from hubbub.listening.parser import parse
from hubbub.post import Post

COMMON = (
    "the a to and of i it is in that you for this on was with my but have be just so not "
    "like are at they if what can get all your out about one do up me we or when will "
    "new love great today really best why how service customer support order shipping "
    "price deal review worst broken refund app update phone battery launch event store "
    "week time people good bad never again thanks please help still waiting day first "
    "free buy sale team game music video news world city home work night year"
).split()
PRODUCTS = "pro max mini air plus lite ultra one go x studio cloud pay card app watch buds".split()
LANGS = ["en", "en", "en", "de", "fr", "es", "ja"]
PLATFORMS = ["reddit", "mastodon", "bluesky", "rss", "youtube"]
EMOJI = ["😀", "😡", "👍", "🔥", "❤", "🚀"]
SYLLABLES = "ka zo mi tel vor ax qu ent ix lum bra dex nov ora pix syn tro vel wex yon".split()


def brand_names(n: int, rng: random.Random) -> list[str]:
    names: set[str] = set()
    while len(names) < n:
        names.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(names)


def make_query(brand: str, rng: random.Random) -> str:
    product = rng.choice(PRODUCTS)
    word = rng.choice(COMMON)
    shape = rng.randrange(12)
    if shape == 0:
        return brand
    if shape == 1:
        return f'"{brand} {product}" OR #{brand}{product}'
    if shape == 2:
        return f"({brand} OR #{brand} OR @{brand}) NOT (spam OR giveaway OR {word})"
    if shape == 3:
        return f"{brand} NEAR/5 (refund OR broken OR support OR {word})"
    if shape == 4:
        return f"{brand}* lang:{rng.choice(LANGS)}"
    if shape == 5:
        return "{" + brand.capitalize() + "} " + product
    if shape == 6:
        return f'title:{brand} OR "{brand} {product}"'
    if shape == 7:
        return f"{brand} platform:{rng.choice(PLATFORMS)} followers>={rng.choice([100, 1000])}"
    if shape == 8:
        return f'"{brand} {product}" NEAR/3f ({word} OR love OR hate) NOT sentiment:positive'
    if shape == 9:
        return f"({brand} OR {brand}app) AND ({product} OR {word}) AND NOT is:repost"
    if shape == 10:
        # spelling variants: one letter free near the end, any ending
        return f"{brand[:-2]}?{brand[-1]}* OR {brand}" if len(brand) > 5 else f"{brand}*"
    if rng.random() < 0.02:  # rare: only field filters, evaluated for every post
        return f"platform:{rng.choice(PLATFORMS)} AND lang:{rng.choice(LANGS)}"
    return f"{brand} (#{rng.choice(COMMON)} OR {rng.choice(EMOJI)})"


def make_post(brands: list[str], rng: random.Random, i: int) -> Post:
    words = [rng.choice(COMMON) for _ in range(rng.randint(6, 40))]
    for _ in range(rng.choice([0, 1, 1, 2])):
        brand = rng.choice(brands)
        form = rng.choice(
            [brand, brand.capitalize(), f"#{brand}", f"@{brand}", f"{brand} {rng.choice(PRODUCTS)}"]
        )
        words.insert(rng.randrange(len(words) + 1), form)
    if rng.random() < 0.3:
        words.append(rng.choice(EMOJI))
    if rng.random() < 0.2:
        words.append(f"https://www.{rng.choice(brands)}.com/p/{i}")
    return Post(
        platform=rng.choice(PLATFORMS),
        external_id=str(i),
        text=" ".join(words).capitalize() + rng.choice([".", "!", "?", ""]),
        title=f"{rng.choice(brands).capitalize()} news" if rng.random() < 0.2 else None,
        language=rng.choice(LANGS),
        author_followers=rng.randint(0, 5000),
    )


def throughput(run: Callable[[Post], object], posts: list[Post]) -> float:
    gc.collect()
    start = time.perf_counter()
    for p in posts:
        run(p)
    return len(posts) / (time.perf_counter() - start)


def main() -> None:
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--quick", action="store_true", help="smaller post samples")
    opts = args.parse_args()
    rng = random.Random(7)
    brands = brand_names(60_000, rng)
    posts = [make_post(brands, rng, i) for i in range(3_000 if opts.quick else 10_000)]
    print(f"{len(posts):,} posts, avg {sum(len(p.text) for p in posts) / len(posts):.0f} chars")
    print(
        f"{'queries':>8} {'index posts/s':>14} {'naive posts/s':>14} {'matches/post':>13} {'build s':>8}"
    )
    for n in (1_000, 10_000, 100_000):
        rss_before = current_rss_mib()
        start = time.perf_counter()
        nodes: list[Node] = [parse(make_query(rng.choice(brands), rng)) for _ in range(n)]
        index = QueryIndex()
        for qid, node in enumerate(nodes):
            index.add(qid, node)
        build = time.perf_counter() - start
        rss_growth = current_rss_mib() - rss_before
        compiled: list[CompiledQuery] = [index._queries[qid][1] for qid in range(n)]
        matched = sum(len(index.match(p)) for p in posts[:500]) / 500
        fast = throughput(index.match, posts)

        def naive(p: Post, compiled: list[CompiledQuery] = compiled) -> list[int]:
            doc = Doc(p)
            return [i for i, q in enumerate(compiled) if q.matches_doc(doc)]

        sample = posts[: max(20, 200_000 // n)]
        slow = throughput(naive, sample)
        print(f"{n:>8,} {fast:>14,.0f} {slow:>14,.0f} {matched:>13.2f} {build:>8.1f}")
        if n == 100_000:
            print(f"memory taken by the 100,000-query index (RSS growth): {rss_growth:,.0f} MiB")
        del nodes, index, compiled
    print(f"peak RSS of the whole run: {peak_rss_mib():,.0f} MiB")


def peak_rss_mib() -> float:
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return rss / (2**20 if sys.platform == "darwin" else 2**10)


def current_rss_mib() -> float:
    """Resident memory now (Linux /proc), else the peak so far."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * resource.getpagesize() / 2**20
    except OSError:
        return peak_rss_mib()


if __name__ == "__main__":
    main()
