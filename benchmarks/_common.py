"""Shared by the benchmarks: realistic generated posts and a PostgreSQL schema of their own."""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

BRANDS = [
    "acme",
    "globex",
    "initech",
    "umbrella",
    "hooli",
    "vandelay",
    "wonka",
    "stark",
    "wayne",
    "tyrell",
]
PRODUCTS = [
    "kettle",
    "router",
    "phone",
    "laptop",
    "bike",
    "drone",
    "watch",
    "speaker",
    "camera",
    "lamp",
]
OPENERS = [
    "Just got my new",
    "Really disappointed with the",
    "Anyone else having issues with the",
    "Loving the",
    "Thinking about buying the",
    "Why does the",
    "Shoutout to the team behind the",
    "Ugh, my",
    "Honest review of the",
    "Can someone recommend a case for the",
]
TAILS = [
    "it stopped working after two days.",
    "best purchase this year!",
    "support has not answered in a week.",
    "the battery life is amazing.",
    "is it worth the price?",
    "the app keeps crashing after the update.",
    "shipping took forever but it works.",
    "would love a dark mode in the app.",
    "refund please.",
    "compared to the old model it is so much quieter.",
]
WORDS = [
    "the",
    "a",
    "to",
    "and",
    "of",
    "in",
    "is",
    "it",
    "for",
    "on",
    "with",
    "this",
    "that",
    "was",
    "my",
    "you",
    "at",
    "be",
    "but",
    "not",
    "have",
    "are",
    "so",
]


def generate_posts(n: int, seed: int = 7) -> list[dict[str, object]]:
    rng = random.Random(seed)
    start = datetime(2026, 10, 1, tzinfo=UTC)
    posts = []
    for i in range(n):
        brand, product = rng.choice(BRANDS), rng.choice(PRODUCTS)
        filler = " ".join(rng.choice(WORDS) for _ in range(rng.randint(0, 40)))
        text_ = f"{rng.choice(OPENERS)} {brand.title()} {product}, {rng.choice(TAILS)} {filler} #{brand}"
        posts.append(
            {
                "id": f"bench-{i}",
                "platform": rng.choice(["bluesky", "mastodon", "reddit", "hackernews", "rss"]),
                "text": text_,
                "author": f"user{rng.randint(1, n // 3 + 1)}",
                "author_followers": int(rng.paretovariate(1.2) * 50),
                "created_at": (start + timedelta(seconds=i * 13)).isoformat(),
                "url": f"https://example.com/{brand}/{i}",
            }
        )
    return posts


def generate_queries(n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        brand, product = BRANDS[i % len(BRANDS)], rng.choice(PRODUCTS)
        shape = i % 5
        if shape == 0:
            out.append(f"{brand} AND {product}")
        elif shape == 1:
            out.append(f'("{brand} {product}" OR #{brand}) NOT refund')
        elif shape == 2:
            out.append(f"{brand}* AND (battery OR app OR support) AND lang:en")
        elif shape == 3:
            out.append(f"@{brand} OR #{brand}{product}")
        else:
            out.append(f"{product} AND (crash* OR broken OR refund) NOT {brand}")
    return out


def write_jsonl(path: Path, records: list[dict[str, object]]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")


@contextmanager
def pg_schema() -> Iterator[str]:
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
