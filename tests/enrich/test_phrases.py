"""Key phrases and entities: unit cases, the plugin registration, speed, and
the result stored by the real pipeline on both databases."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import Engine, select

from hubbub.config import Settings, load_settings
from hubbub.enrich.phrases import PhrasesEnricher, content_runs, extract, registered_domain
from hubbub.pipeline.runner import Pipeline
from hubbub.plugins import enrichers
from hubbub.post import Post, utcnow
from hubbub.store.tables import enrichments


def test_entities_of_a_busy_post() -> None:
    found = extract(
        "Battery drain after the iOS update is awful! #Acme #1 @AcmeSupport "
        "@ann@mastodon.social mail me@example.org $TSLA $brk.b costs $5 or $5.99 "
        "https://WWW.Blog.Acme.co.uk/x?y=1. and www.example.com/page, ok",
        ["https://shop.acme.com/item"],
    )
    assert found["hashtags"] == ["acme"]  # "#1" is no hashtag
    assert found["mentions"] == ["acmesupport", "ann@mastodon.social"]  # not the e-mail
    assert found["cashtags"] == ["TSLA", "BRK.B"]  # not $5
    assert found["links"] == [
        "https://shop.acme.com/item",
        "https://WWW.Blog.Acme.co.uk/x?y=1",
        "www.example.com/page",
    ]
    assert found["domains"] == ["acme.com", "acme.co.uk", "example.com"]
    assert found["phrases"][0] == "battery drain"
    assert "example" not in " ".join(found["phrases"])  # e-mail and URL words stay out


def test_key_phrases_split_at_stopwords_and_punctuation() -> None:
    assert content_runs("The battery drain after the update! Acme's rocket skates.") == [
        ["battery", "drain"],
        ["update"],
        ["acme", "rocket", "skates"],
    ]
    # accents and case are folded; numbers end a phrase
    assert content_runs("Café Crème 2 Größe") == [["cafe", "creme"], ["grosse"]]
    german = extract("Der Akku entleert sich nach dem Update sehr schnell")["phrases"]
    assert german[0] == "akku entleert"
    assert extract("東京で会いましょう")["phrases"] == []  # no word segmenter for CJK


def test_registered_domains() -> None:
    assert registered_domain("https://news.bbc.co.uk/a") == "bbc.co.uk"
    assert registered_domain("http://WWW.Example.COM:8080/") == "example.com"
    assert registered_domain("www.acme.io/x") == "acme.io"
    assert registered_domain("https://127.0.0.1/x") == "127.0.0.1"
    assert registered_domain("not a url") is None


def test_registered_as_a_builtin_enricher(tmp_path: Path) -> None:
    found = {e.name: e for e in enrichers(load_settings(tmp_path))}
    assert isinstance(found["phrases"], PhrasesEnricher)
    posts = [Post("x", "1", ""), Post("x", "2", "x" * 200_000), Post("x", "3", "\ud800 #ok")]
    results = found["phrases"].enrich(posts)
    assert len(results) == 3 and results[2]["hashtags"] == ["ok"]


def test_faster_than_two_thousand_posts_a_second() -> None:
    texts = [
        f"Post {i}: the battery drain after the update is awful #acme{i % 50} @support{i % 7} "
        f"see https://acme{i % 30}.com/help/{i} and $TSLA, what do you think of it?"
        for i in range(4_000)
    ]
    posts = [Post("x", str(i), t) for i, t in enumerate(texts)]
    enricher = PhrasesEnricher()
    started = time.perf_counter()
    enricher.enrich(posts)
    rate = len(posts) / (time.perf_counter() - started)
    assert rate > 2_000, f"{rate:.0f} posts/s"


def test_the_pipeline_stores_phrases(engine: Engine, settings: Settings) -> None:
    post = Post(
        "mastodon",
        "p1",
        "Shipping delay again on my #acme order, thanks @AcmeHelp https://acme.com/track",
        created_at=utcnow(),
        author_handle="ann",
    )
    Pipeline(engine, settings).ingest_posts([post])
    with engine.connect() as conn:
        data = conn.execute(
            select(enrichments.c.data).where(enrichments.c.enricher == "phrases")
        ).scalar_one()
    assert data["hashtags"] == ["acme"]
    assert data["mentions"] == ["acmehelp"]
    assert data["domains"] == ["acme.com"]
    assert "shipping delay" in data["phrases"]
