"""Sentiment: a VADER baseline behind a small backend seam.

Result: ``{"label": "negative"|"neutral"|"positive", "score": <compound in [-1, 1]>,
"model": "<backend name>"}``. The backend is ``settings.sentiment_model``; a
backend is anything with ``name`` and ``score(text) -> float in [-1, 1]``, listed
in ``BACKENDS``.

Both backends are English models. A post in another language is not rated:
``{"label": None, "score": None, "model": ..., "unrated_language": "es"}``, so
a Spanish question is not counted as a negative mention (it was, from the
words it shares with English). ``settings.sentiment_languages`` lists the
languages that are rated.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from functools import cache
from typing import Any, Protocol

from vaderSentiment.vaderSentiment import BOOSTER_DICT, SentimentIntensityAnalyzer, SentiText

from hubbub.enrich.language import UNDETERMINED
from hubbub.enrich.text import scrub_surrogates
from hubbub.hookspecs import hookimpl
from hubbub.post import Post

# VADER's standard compound thresholds
POSITIVE_AT = 0.05
NEGATIVE_AT = -0.05

# Only the start of a long post is scored: the lede carries its tone, a long
# text's compound saturates near ±1 anyway, and VADER costs ~0.5 µs a char.
MAX_CHARS = 1_000
# Long texts are scored in sentence-sized chunks: VADER's "but" rule halves
# every sentiment before the first "but" of the whole text (and is quadratic);
# per chunk it stays within the sentence it belongs to.
CHUNK_CHARS = 300

_SENTENCE_END_RE = re.compile(r"(?<=[.!?\n])\s+")
# VADER's compound is sum / sqrt(sum² + ALPHA)
VADER_ALPHA = 15.0


class SentimentBackend(Protocol):
    name: str

    def score(self, text: str) -> float:
        """Polarity of ``text`` in [-1, 1]."""
        ...


class FastVader(SentimentIntensityAnalyzer):
    """VADER with identical scores (tests/enrich compare them on thousands of
    texts), about twice as fast on social posts:

    - For every sentiment word, VADER's negation and idiom checks lowercase the
      whole text to read the three words around it (quadratic). The overrides
      hand the original checks just that window, indices shifted to match.
    - ``polarity_scores`` skips VADER's char-by-char emoji pass when the text
      has no emoji, and returns the neutral answer at once when no word is
      in the lexicon (VADER only ever scores lexicon words).
    """

    def __init__(self) -> None:
        super().__init__()
        # VADER replaces emoji char by char, so only one-char entries ever match
        self._emoji_chars = frozenset(e for e in self.emojis if len(e) == 1)

    def polarity_scores(self, text: str) -> dict[str, float]:
        if not text.isascii() and not self._emoji_chars.isdisjoint(text):
            return super().polarity_scores(text)
        text = text.strip()
        sentitext = SentiText(text)
        words = sentitext.words_and_emoticons
        lexicon = self.lexicon
        if not any(word.lower() in lexicon for word in words):
            return {"neg": 0.0, "neu": 1.0 if words else 0.0, "pos": 0.0, "compound": 0.0}
        # from here on, VADER's polarity_scores as published
        sentiments: list[float] = []
        for i, item in enumerate(words):
            lower = item.lower()
            if lower in BOOSTER_DICT or (
                lower == "kind" and i < len(words) - 1 and words[i + 1].lower() == "of"
            ):
                sentiments.append(0)
                continue
            sentiments = self.sentiment_valence(0, sentitext, item, i, sentiments)
        sentiments = self._but_check(words, sentiments)
        scores: dict[str, float] = self.score_valence(sentiments, text)
        return scores

    @staticmethod
    def _negation_check(
        valence: float, words_and_emoticons: list[str], start_i: int, i: int
    ) -> float:
        # reads words i-3 .. i-1 (VADER only calls it with i > start_i)
        lo = max(0, i - 3)
        return SentimentIntensityAnalyzer._negation_check(
            valence, words_and_emoticons[lo : i + 1], start_i, i - lo
        )

    @staticmethod
    def _special_idioms_check(valence: float, words_and_emoticons: list[str], i: int) -> float:
        # reads words i-3 .. i+2 and whether i+1, i+2 exist (VADER calls it with i > 2)
        if i < 3:
            return SentimentIntensityAnalyzer._special_idioms_check(valence, words_and_emoticons, i)
        return SentimentIntensityAnalyzer._special_idioms_check(
            valence, words_and_emoticons[i - 3 : i + 3], 3
        )


@cache
def _vader_analyzer() -> SentimentIntensityAnalyzer:
    """Loaded once per process: reading the lexicon costs ~30 ms."""
    return FastVader()


class VaderBackend:
    name = "vader"

    def __init__(self, max_chars: int = MAX_CHARS, chunk_chars: int = CHUNK_CHARS) -> None:
        self.max_chars = max_chars
        self.chunk_chars = chunk_chars
        self._analyzer = _vader_analyzer()

    def score(self, text: str) -> float:
        text = scrub_surrogates(text[: self.max_chars]).strip()
        if not text:
            return 0.0
        if len(text) <= self.chunk_chars:
            return float(self._analyzer.polarity_scores(text)["compound"])
        # Sum the chunks' raw valences and normalise once, as VADER does for one text.
        total = sum(
            _raw_valence(self._analyzer.polarity_scores(chunk)["compound"])
            for chunk in _chunks(text, self.chunk_chars)
        )
        return round(total / math.sqrt(total * total + VADER_ALPHA), 4)


def _raw_valence(compound: float) -> float:
    """Invert VADER's normalisation (compound is rounded to 4 places, so clamp)."""
    c = max(-0.9999, min(0.9999, compound))
    return c * math.sqrt(VADER_ALPHA / (1.0 - c * c))


def _chunks(text: str, size: int) -> Iterator[str]:
    """Sentences packed into pieces of at most about ``size`` chars; a longer
    sentence is cut at spaces."""
    piece: list[str] = []
    length = 0
    for sentence in _SENTENCE_END_RE.split(text):
        words = [sentence] if len(sentence) <= size else sentence.split()
        for part in words:
            if piece and length + len(part) > size:
                yield " ".join(piece)
                piece, length = [], 0
            piece.append(part)
            length += len(part) + 1
    if piece:
        yield " ".join(piece)


def _minilm_backend() -> SentimentBackend:
    # imported on demand: torch and the model load only when this backend is chosen
    from hubbub.enrich.sentiment_trained.backend import MiniLMBackend

    return MiniLMBackend()


BACKENDS: dict[str, Callable[[], SentimentBackend]] = {
    "vader": VaderBackend,
    "minilm": _minilm_backend,  # trained: hubbub.enrich.sentiment_trained
}


def post_language(post: Post) -> str | None:
    """The language the text is in: the language enricher's answer (read from
    the text), else what the platform declared (often the author's default
    setting, not the post's), as a lower-case primary subtag ("pt-BR" -> "pt")."""
    detected = (post.enrichments or {}).get("language")
    lang = detected.get("lang") if isinstance(detected, dict) else None
    if not lang or lang == UNDETERMINED:
        lang = post.language
    if not lang or lang == UNDETERMINED:
        return None
    return lang.split("-")[0].split("_")[0].strip().lower() or None


def parse_languages(value: str | Sequence[str] | None) -> frozenset[str] | None:
    """``"en, de"`` -> {"en", "de"}; empty or ``*``: None, every language rated."""
    items = value.split(",") if isinstance(value, str) else list(value or ())
    codes = {c.strip().lower() for c in items if c.strip()}
    if not codes or "*" in codes:
        return None
    bad = sorted(c for c in codes if not re.fullmatch(r"[a-z]{2,3}", c))
    if bad:
        raise ValueError(f"sentiment languages must be ISO 639 codes like en, de: {bad}")
    return frozenset(codes)


def unrated(model: str, lang: str) -> dict[str, Any]:
    return {"label": None, "score": None, "model": model, "unrated_language": lang}


def label_for(score: float) -> str:
    if score >= POSITIVE_AT:
        return "positive"
    if score <= NEGATIVE_AT:
        return "negative"
    return "neutral"


class SentimentEnricher:
    name = "sentiment"
    version = "2"  # 2: posts in languages the backend does not know are not rated
    requires: tuple[str, ...] = ("language",)

    def __init__(
        self, backend: str = "vader", languages: str | Sequence[str] | None = "en"
    ) -> None:
        """``languages``: the languages rated (ISO 639 codes); None or ``"*"``: all.
        A post whose language is unknown is rated."""
        self.languages = parse_languages(languages)
        try:
            make_backend = BACKENDS[backend]
        except KeyError:
            raise ValueError(
                f"unknown sentiment backend {backend!r}; known: {', '.join(sorted(BACKENDS))}"
            ) from None
        self.backend = make_backend()

    def enrich(self, posts: Sequence[Post]) -> list[dict[str, Any]]:
        model = self.backend.name
        skipped = [self._unrated_language(post) for post in posts]
        rated = iter(self._rate([p for p, lang in zip(posts, skipped, strict=True) if not lang]))
        return [unrated(model, lang) if lang else next(rated) for lang in skipped]

    def _unrated_language(self, post: Post) -> str | None:
        """The post's language when it is one this enricher does not rate."""
        if self.languages is None:
            return None
        lang = post_language(post)
        return lang if lang is not None and lang not in self.languages else None

    def _rate(self, posts: Sequence[Post]) -> list[dict[str, Any]]:
        if not posts:
            return []
        # a backend that classifies a whole batch at once (a trained model) does so
        classify = getattr(self.backend, "classify", None)
        if classify is not None:
            results: list[dict[str, Any]] = classify([post.text or "" for post in posts])
            return results
        score = self.backend.score
        model = self.backend.name
        results = []
        for post in posts:
            value = score(post.text) if post.text else 0.0
            results.append({"label": label_for(value), "score": value, "model": model})
        return results


@hookimpl
def hubbub_enrichers(settings: Any) -> list[Any]:
    return [SentimentEnricher(settings.sentiment_model, settings.sentiment_languages)]
