import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hubbub.config import load_settings
from hubbub.enrich import dedup, language, sentiment
from hubbub.enrich.base import Enricher, StatefulEnricher
from hubbub.plugins import enrichers
from hubbub.post import Post


def test_plugin_manager_finds_the_three_builtin_enrichers(tmp_path: Path) -> None:
    found = {e.name: e for e in enrichers(load_settings(tmp_path))}
    assert {"language", "sentiment", "dedup"} <= set(found)
    assert isinstance(found["language"], language.LanguageEnricher)
    assert isinstance(found["sentiment"], sentiment.SentimentEnricher)
    assert isinstance(found["dedup"], dedup.DedupEnricher)
    for enricher in found.values():
        assert isinstance(enricher, Enricher)
    assert isinstance(found["dedup"], StatefulEnricher)


def test_hooks_read_their_settings(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, dedup_threshold=0.6)
    [enricher] = dedup.hubbub_enrichers(settings)
    assert enricher.threshold == 0.6
    with pytest.raises(ValueError, match="unknown sentiment backend"):
        sentiment.hubbub_enrichers(load_settings(tmp_path, sentiment_model="nope"))


def test_every_enricher_returns_one_result_per_post(tmp_path: Path) -> None:
    posts = [
        Post("x", str(i), text)
        for i, text in enumerate(
            ["Good morning everyone!", "", "Guten Morgen allerseits, wie geht's?"]
        )
    ]
    for enricher in enrichers(load_settings(tmp_path)):
        assert len(enricher.enrich(posts)) == len(posts)
        assert enricher.enrich([]) == []


@pytest.fixture(scope="module")
def builtin_enrichers() -> list[Enricher]:
    return [language.LanguageEnricher(), sentiment.SentimentEnricher(), dedup.DedupEnricher()]


# any code point, with lone surrogates mixed in (st.characters leaves them out by default)
any_text = st.text(
    alphabet=st.one_of(st.characters(), st.characters(categories=["Cs"])), max_size=400
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(texts=st.lists(any_text, min_size=1, max_size=5))
def test_no_text_makes_an_enricher_raise(
    builtin_enrichers: list[Enricher], texts: list[str]
) -> None:
    posts = [Post("x", str(i), text) for i, text in enumerate(texts)]
    for enricher in builtin_enrichers:
        results = enricher.enrich(posts)
        assert len(results) == len(posts)
        json.dumps(results)
