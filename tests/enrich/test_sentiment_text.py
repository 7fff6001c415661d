"""The text normalisation the trained sentiment model reads (training and scoring)."""

from __future__ import annotations

from hubbub.enrich.sentiment_trained.text import emoji_names, normalize, spell_emoji


def test_emoji_become_their_names_and_the_rest_stays() -> None:
    assert normalize("new update 😡😡") == "new update pouting face pouting face"
    assert normalize("thanks @shop 👍🏽 https://x.example/a") == "thanks @user thumbs up http"
    # a joined sequence reads as its parts; the joiner and the presentation selector go
    assert normalize("fixed it 👩‍💻❤️") == "fixed it woman laptop computer red heart"
    assert normalize("plain ascii, unchanged :)") == "plain ascii, unchanged :)"


def test_joiners_outside_emoji_are_kept() -> None:
    # the zero-width joiner shapes Devanagari and Arabic letters: not ours to drop
    for text in ("क्\u200dष", "ل\u200dا", "naïve café ñ"):
        assert spell_emoji(text) == text


def test_the_names_come_from_the_packaged_lexicon() -> None:
    names = emoji_names()
    assert len(names) > 1000
    assert names["😂"] == "face with tears of joy"
    assert all(len(emoji) == 1 for emoji in names)
