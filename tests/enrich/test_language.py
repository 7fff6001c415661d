import json

import pytest

from hubbub.enrich.language import DEFAULT_LANGUAGES, LanguageEnricher
from hubbub.post import Post

from .multilingual_samples import SAMPLES, SHORT_SAMPLES


@pytest.fixture(scope="module")
def language() -> LanguageEnricher:
    return LanguageEnricher()


def accuracy(
    enricher: LanguageEnricher, samples: dict[str, list[str]]
) -> tuple[float, list[tuple[str, str, str]]]:
    texts = [(lang, text) for lang, group in samples.items() for text in group]
    results = enricher.enrich([Post("x", str(i), text) for i, (_, text) in enumerate(texts)])
    wrong = [
        (lang, r["lang"], text)
        for (lang, text), r in zip(texts, results, strict=True)
        if r["lang"] != lang
    ]
    return 1 - len(wrong) / len(texts), wrong


def test_social_posts_in_fifteen_languages(language: LanguageEnricher) -> None:
    assert len(SAMPLES) >= 15
    # measured: 125/125 with the default language set
    score, wrong = accuracy(language, SAMPLES)
    assert score >= 0.98, wrong


def test_very_short_posts(language: LanguageEnricher) -> None:
    # measured: 47/56 right, 5 "und", 4 wrong (default set); 40/56 with every label
    score, wrong = accuracy(language, SHORT_SAMPLES)
    assert score >= 0.8, wrong
    confidently_wrong = [w for w in wrong if w[1] != "und"]
    assert len(confidently_wrong) <= 5, confidently_wrong
    assert all(got in DEFAULT_LANGUAGES for _, got, _ in confidently_wrong)


def test_restricting_languages_beats_all_labels_on_short_posts(language: LanguageEnricher) -> None:
    all_labels = LanguageEnricher(languages=None)
    restricted, _ = accuracy(language, SHORT_SAMPLES)
    unrestricted, _ = accuracy(all_labels, SHORT_SAMPLES)
    assert restricted > unrestricted


def test_result_shape_and_confidence(language: LanguageEnricher) -> None:
    [result] = language.enrich(
        [Post("x", "1", "The weather is lovely today, let's go for a walk in the park")]
    )
    assert result == {"lang": "en", "confidence": result["confidence"]}
    assert 0.9 <= result["confidence"] <= 1.0


def test_urls_mentions_and_hashtag_markers_are_ignored(language: LanguageEnricher) -> None:
    text = "@john_smith @mary https://example.com/some/english/words #summer Qué calor hace hoy en la playa"
    [result] = language.enrich([Post("x", "1", text)])
    assert result["lang"] == "es"


@pytest.mark.parametrize(
    "text",
    ["", "   ", "ok", "🔥🔥🔥😂😂", "https://t.co/abc @someone #", "12345 678", "\ud800", "!!!???"],
)
def test_undetermined_when_there_is_no_language(language: LanguageEnricher, text: str) -> None:
    [result] = language.enrich([Post("x", "1", text)])
    assert result["lang"] == "und"


@pytest.mark.parametrize(
    "text",
    [
        "\ud800 hello there friends \udfff",
        "a" * 1_000_000,
        "Hallo zusammen! " * 70_000,
        "😀" * 10_000,
    ],
)
def test_odd_inputs_never_raise(language: LanguageEnricher, text: str) -> None:
    results = language.enrich([Post("x", "1", text)])
    json.dumps(results)
    assert results[0]["lang"] in (*DEFAULT_LANGUAGES, "und")


def test_long_post_is_classified_from_its_start(language: LanguageEnricher) -> None:
    [result] = language.enrich(
        [Post("x", "1", "Hallo zusammen, wie geht es euch heute? " * 30_000)]
    )
    assert result["lang"] == "de"


def test_rejects_codes_that_are_not_iso_639_1() -> None:
    with pytest.raises(ValueError):
        LanguageEnricher(languages=["en", "eng"])
