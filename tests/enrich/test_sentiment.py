import json
import random

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from hubbub.enrich.sentiment import (
    BACKENDS,
    FastVader,
    SentimentEnricher,
    VaderBackend,
    label_for,
)
from hubbub.post import Post

from .multilingual_samples import SAMPLES


@pytest.fixture(scope="module")
def sentiment() -> SentimentEnricher:
    return SentimentEnricher()


def one(enricher: SentimentEnricher, text: str) -> dict:
    return enricher.enrich([Post("x", "1", text)])[0]


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I love this product, it's absolutely amazing!", "positive"),
        ("Thank you so much for the quick help, great support 🙂", "positive"),
        ("This is the worst service I have ever had. Terrible.", "negative"),
        ("My order arrived broken and nobody answers. Awful.", "negative"),
        ("The store opens at 9am on Mondays.", "neutral"),
        ("The package was shipped on Tuesday.", "neutral"),
        ("not good at all", "negative"),
        ("not bad at all", "positive"),
        ("The food was GREAT!!!", "positive"),
    ],
)
def test_clear_cases(sentiment: SentimentEnricher, text: str, label: str) -> None:
    result = one(sentiment, text)
    assert result["label"] == label, result
    assert result["model"] == "vader"
    assert -1.0 <= result["score"] <= 1.0


def test_short_text_scores_exactly_as_vader(sentiment: SentimentEnricher) -> None:
    text = "Honestly not impressed with the latest release, but support was kind and helpful."
    assert (
        one(sentiment, text)["score"]
        == SentimentIntensityAnalyzer().polarity_scores(text)["compound"]
    )


def test_long_text_in_chunks_stays_close_to_vader_on_the_whole() -> None:
    sentences = [
        "The new release is fantastic and the team did a great job.",
        "Unfortunately the installer is broken and support was useless.",
        "Prices stay the same for now.",
        "Shipping took forever, terrible experience.",
        "Our quarterly results show strong growth across all regions.",
    ]
    text = " ".join(sentences[i % 5] for i in range(13))  # ~700 chars: chunked, still fast whole
    whole = SentimentIntensityAnalyzer().polarity_scores(text)["compound"]
    chunked = VaderBackend().score(text)
    assert abs(whole - chunked) < 0.05
    assert label_for(whole) == label_for(chunked)


@pytest.mark.parametrize(
    ("score", "label"),
    [
        (0.05, "positive"),
        (0.0499, "neutral"),
        (-0.0499, "neutral"),
        (-0.05, "negative"),
        (1.0, "positive"),
        (-1.0, "negative"),
    ],
)
def test_standard_thresholds(score: float, label: str) -> None:
    assert label_for(score) == label


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\ud800",
        "\ud800 I love it \udfff",
        "🔥🔥🔥",
        "😡",
        "12345",
        "x" * 1_000_000,
        "I hate this. " * 80_000,
    ],
)
def test_odd_inputs_never_raise(sentiment: SentimentEnricher, text: str) -> None:
    result = one(sentiment, text)
    json.dumps(result)
    assert result["label"] in {"positive", "neutral", "negative"}
    assert -1.0 <= result["score"] <= 1.0


def test_odd_inputs_get_sensible_labels(sentiment: SentimentEnricher) -> None:
    assert one(sentiment, "")["label"] == "neutral"
    assert one(sentiment, "😢")["label"] == "negative"
    assert one(sentiment, "\ud800 I love it")["label"] == "positive"
    assert one(sentiment, "I hate this. " * 80_000)["label"] == "negative"


def test_unknown_backend_is_an_error_at_construction() -> None:
    with pytest.raises(ValueError, match=r"unknown sentiment backend 'bert'.*vader"):
        SentimentEnricher("bert")


def test_backend_seam_takes_another_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    class Constant:
        name = "constant"

        def score(self, text: str) -> float:
            return -0.5

    monkeypatch.setitem(BACKENDS, "constant", Constant)
    assert one(SentimentEnricher("constant"), "lovely") == {
        "label": "negative",
        "score": -0.5,
        "model": "constant",
    }


def test_fast_vader_scores_exactly_as_vader() -> None:
    # random word salads hit negations, boosters, idioms, "but", caps and emoji
    rng = random.Random(0)
    pieces = [
        "not bad at all", "kind of good", "the shit", "at least it works", "never so happy",
        "without doubt the best", "I don't love it but it's fine", "yeah right", "the bomb",
        "good", "bad", "no", "never", "very", "least", "at", "not", "kind", "of", "sort of",
        "GREAT", "!", "?", "😀", "😢", "🔥", ":)", ":-(", "the", "order", "arrived", "today",
        "support", "helpful", "terrible", "LOVE", "hate", "extremely", "barely", "isn't",
    ]  # fmt: skip
    texts = [" ".join(rng.choice(pieces) for _ in range(rng.randint(0, 60))) for _ in range(3000)]
    texts += [text for group in SAMPLES.values() for text in group]
    original, fast = SentimentIntensityAnalyzer(), FastVader()
    for text in texts:
        assert fast.polarity_scores(text) == original.polarity_scores(text), text


# --- posts in languages the model does not rate ---


def detected(post: Post, lang: str, confidence: float = 0.99) -> Post:
    post.enrichments["language"] = {"lang": lang, "confidence": confidence}
    return post


def test_a_post_in_another_language_is_not_rated(sentiment: SentimentEnricher) -> None:
    spanish = detected(Post("x", "1", "¿Alguien sabe si la Corvessa Halo acepta cápsulas?"), "es")
    english = detected(Post("x", "2", "This is the worst service I have ever had."), "en")
    unknown = detected(Post("x", "3", "lol terrible"), "und", 0.0)
    results = sentiment.enrich([spanish, english, unknown])
    assert results[0] == {"label": None, "score": None, "model": "vader", "unrated_language": "es"}
    assert results[1]["label"] == "negative"
    # too little text to tell the language: rated, as before
    assert results[2]["label"] == "negative"


def test_the_declared_language_counts_when_the_text_does_not_tell(
    sentiment: SentimentEnricher,
) -> None:
    declared = Post("x", "1", "super!!", language="pt-BR")
    short = detected(Post("x", "2", "super!!", language="pt-BR"), "und", 0.0)
    # the text outranks the platform's tag (often the author's default setting)
    mistagged = detected(Post("x", "3", "I love it, thank you", language="de"), "en")
    results = sentiment.enrich([declared, short, mistagged])
    assert results[0]["unrated_language"] == "pt"
    assert results[1]["unrated_language"] == "pt"
    assert results[2]["label"] == "positive"


def test_rated_languages_are_a_setting() -> None:
    german = detected(Post("x", "1", "Super Service, vielen Dank!"), "de")
    assert SentimentEnricher(languages="en, de").enrich([german])[0]["label"] == "positive"
    assert SentimentEnricher(languages="*").enrich([german])[0]["label"] == "positive"
    assert SentimentEnricher(languages="").enrich([german])[0]["label"] == "positive"
    assert SentimentEnricher(languages="en").enrich([german])[0]["label"] is None
    with pytest.raises(ValueError, match="ISO 639"):
        SentimentEnricher(languages="english")


def test_unrated_posts_keep_their_place_in_the_batch(sentiment: SentimentEnricher) -> None:
    texts = ["great", "schrecklich", "awful", "genial", "fine"]
    langs = ["en", "de", "en", "es", "en"]
    posts = [
        detected(Post("x", str(i), t), lang)
        for i, (t, lang) in enumerate(zip(texts, langs, strict=True))
    ]
    labels = [r["label"] for r in sentiment.enrich(posts)]
    assert labels == ["positive", None, "negative", None, "positive"]


def test_every_english_sample_is_rated_and_no_other_sample_is() -> None:
    from hubbub.enrich.language import LanguageEnricher

    posts = [
        Post("x", f"{lang}{i}", text)
        for lang, group in SAMPLES.items()
        for i, text in enumerate(group)
    ]
    for post, result in zip(posts, LanguageEnricher().enrich(posts), strict=True):
        post.enrichments["language"] = result
    results = SentimentEnricher().enrich(posts)
    for post, result in zip(posts, results, strict=True):
        is_english = post.external_id.startswith("en")
        assert (result["label"] is not None) == is_english, (post.text, result)
